"""``python -m app`` is the ``neuroplay`` command."""

from app.cli import main

if __name__ == "__main__":  # not when a spawned process imports it again
    main()
