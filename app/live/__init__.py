"""Live: serving runs over HTTP and websockets (protocol, encoder, runners, workers, connections, the app).

The only layer that imports FastAPI, Starlette, pydantic, uvicorn or asyncio. May import
``app.training``, ``app.data``, ``app.nn`` and ``app.errors``. Must never import ``app.bench``
or ``app.cli``.
"""
