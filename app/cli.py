"""The ``neuroplay`` command: ``serve`` (the default) starts the server, ``bench`` measures it.

OpenBLAS is limited to one thread before numpy loads: the matrices here are
small, and one thread per session scales better than threads fighting over
two cores.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the chosen command."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = argparse.ArgumentParser(prog="neuroplay", description="A live neural-network playground.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="start the server (default)")
    serve.add_argument("--host", help="interface to listen on (NEUROPLAY_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (NEUROPLAY_PORT, default 8000)")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    commands.add_parser("bench", help="print the engine and streaming benchmarks (options: python -m app.bench -h)")
    args, rest = parser.parse_known_args(argv)
    if args.command == "bench":
        from app.bench.engine import main as bench_main

        bench_main(rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    run_server(getattr(args, "host", None), getattr(args, "port", None), getattr(args, "log_level", "info"))


def run_server(host: str | None, port: int | None, log_level: str) -> None:
    """Start uvicorn with the app built from NEUROPLAY_* settings and the command-line overrides."""
    import uvicorn

    from app.live.server import create_app
    from app.live.settings import Settings

    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        ws_per_message_deflate=False,  # compressing frames costs ~4x the CPU of sending them here
        ws_max_size=settings.transport_max_bytes,
        proxy_headers=True,
        root_path=settings.base_path,  # the prefix a reverse proxy serves us under
    )


if __name__ == "__main__":
    main(sys.argv[1:])
