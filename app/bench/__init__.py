"""Bench: ``python -m app.bench`` measures the engine and the live server, and asserts nothing.

May import every other layer of ``app``; nothing in ``app`` imports it but ``app.cli``.
"""
