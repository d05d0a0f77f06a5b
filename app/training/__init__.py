"""Training: the settings, the session that trains a network on its data, and what it shows.

Synchronous and free of I/O frameworks: may import ``app.nn``, ``app.data``, ``app.errors``,
numpy and the standard library. Must never import ``app.live``, ``app.bench``, asyncio or any
web package (fastapi, starlette, pydantic, uvicorn, websockets, redis).
"""
