"""``python -m app`` is the ``neuroplay`` command."""

from app.cli import main

main()
