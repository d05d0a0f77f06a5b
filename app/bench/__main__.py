"""``python -m app.bench``: the engine and streaming figures."""

from app.bench.engine import main

main()
