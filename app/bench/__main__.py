"""``python -m app.bench``: the engine and streaming figures."""

from app.bench.engine import main

if __name__ == "__main__":  # not when a spawned process imports it again
    main()
