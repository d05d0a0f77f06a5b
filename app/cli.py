"""The ``neuroplay`` command: ``serve`` (the default) starts the server, ``bench`` measures it.

Mistakes get one line each and exit status 2: a bad flag or ``NEUROPLAY_*``
value names the flag or variable, the value and what is allowed; a
``NEUROPLAY_*`` name that is no setting gets a warning with the closest one.
Ctrl+C and SIGTERM stop the server gracefully and exit with status 0.

OpenBLAS is limited to one thread before numpy loads: the matrices here are
small, and one thread per session scales better than threads fighting over
two cores.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from app.bench.engine import add_arguments as add_bench_arguments
from app.bench.engine import argument_problem as bench_argument_problem

COMMANDS = ("serve", "bench", "lessons")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # stop gracefully; uvicorn handles them while it runs


class Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line: ``neuroplay serve: --bogus is no option (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> Parser:
    """The command line: ``serve`` with --host, --port, --log-level; ``bench`` with its own options."""
    parser = Parser(prog="neuroplay", description="A live neural-network playground. The command is "
                    "`serve` when none is given, so `neuroplay --port 8105` serves on port 8105.")
    commands = parser.add_subparsers(dest="command", parser_class=Parser)
    serve = commands.add_parser("serve", help="start the server (the default)",
                                description="Serve the page and the training socket. Every NEUROPLAY_* "
                                "variable sets the setting of that name (README.md lists them); flags win.")
    serve.add_argument("--host", help="interface to listen on (NEUROPLAY_HOST, default 127.0.0.1)")
    serve.add_argument("--port", help="TCP port (NEUROPLAY_PORT, default 8000)")
    serve.add_argument("--log-level", default="info", choices=LOG_LEVELS, help="uvicorn's log level (default info)")
    serve.add_argument("--ssl-certfile", help="serve HTTPS with this certificate (PEM; with --ssl-keyfile)")
    serve.add_argument("--ssl-keyfile", help="the certificate's private key (PEM; with --ssl-certfile)")
    bench = commands.add_parser("bench", help="print the engine and streaming benchmarks",
                                description="Print the engine and streaming figures; asserts nothing.")
    add_bench_arguments(bench)
    lessons = commands.add_parser("lessons", help="check lesson files",
                                  description="Check a folder of lesson files: each error on one line as "
                                  "file:line: field: message; exit status 1 when any file is broken.")
    lessons.add_argument("action", choices=("check",), help="what to do: check")
    lessons.add_argument("folder", help="the folder of lesson files (*.md)")
    lessons.add_argument("--honest", action="store_true",
                         help="also train every goal's setup and solution (slower): the setup must fail it, "
                         "the solution meet it")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the chosen command."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in (*COMMANDS, "-h", "--help"):
        arguments.insert(0, "serve")
    args = build_parser().parse_args(arguments)
    if args.command == "bench":
        from app.bench.engine import run as run_bench

        if (problem := bench_argument_problem(args)) is not None:
            Parser(prog="neuroplay bench").error(problem)

        run_bench(args)
        return
    if args.command == "lessons":
        raise SystemExit(check_lessons(args.folder, args.honest))
    flags = {name: value for name in ("host", "port") if (value := getattr(args, name)) is not None}
    run_server(flags, args.log_level, tls_files(args.ssl_certfile, args.ssl_keyfile))


def check_lessons(folder: str, is_honesty_checked: bool) -> int:
    """Print each lesson error on one line (stderr) and a summary (stdout); returns the exit status."""
    from pathlib import Path

    from app.lessons.honesty import check_step
    from app.lessons.library import read_folder, read_glossaries
    from app.lessons.model import Limits

    library = read_folder(Path(folder), Limits())
    if Path(folder).is_dir():
        read_glossaries(Path(folder), library)
    problems = [str(error) for error in library.errors]
    if is_honesty_checked:
        problems += [p for lesson in library.lessons.values() for step in lesson.steps
                     for p in check_step(lesson, step)]
    sys.stderr.write("".join(f"{line}\n" for line in problems))
    sys.stdout.write(f"{len(library.lessons)} lessons read, {len(problems)} errors\n")
    return 1 if problems else 0


def tls_files(certfile: str | None, keyfile: str | None) -> dict[str, str]:
    """uvicorn's ssl_certfile and ssl_keyfile: both or neither, each a file this process can read; else exit 2."""
    given = {"--ssl-certfile": certfile, "--ssl-keyfile": keyfile}
    if certfile is None and keyfile is None:
        return {}
    for flag, path in given.items():
        other = "--ssl-keyfile" if flag == "--ssl-certfile" else "--ssl-certfile"
        if path is None:
            _refuse(f"{flag} is needed with {other} (HTTPS needs the certificate and its key)")
        elif not os.path.isfile(path):
            _refuse(f"{flag}={path!r}: no such file")
        elif not os.access(path, os.R_OK):
            _refuse(f"{flag}={path!r}: this user cannot read it")
    return {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}


def _refuse(line: str) -> NoReturn:
    sys.stderr.write(f"neuroplay serve: {line}\n")
    raise SystemExit(2)


def run_server(flags: dict[str, str], log_level: str, tls: dict[str, str] | None = None) -> None:
    """Start uvicorn with the app built from NEUROPLAY_* settings and the command-line ``flags``."""
    from app.live.configuration import ConfigurationError, load_settings, unknown_variables

    for warning in unknown_variables(os.environ):
        sys.stderr.write(f"neuroplay: {warning}\n")
    try:
        settings = load_settings(flags, os.environ)
    except ConfigurationError as error:
        sys.stderr.write("".join(f"{line}\n" for line in error.lines))
        raise SystemExit(2) from None

    import uvicorn

    from app.live.logs import log_config
    from app.live.server import create_app
    from app.live.transport import StallSafeProtocol

    received: list[int] = []
    for stop_signal in STOP_SIGNALS:  # uvicorn re-raises the signal it stopped for: let it land here
        signal.signal(stop_signal, lambda number, frame: received.append(number))
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        log_config=log_config(),  # uvicorn's, without session ids
        server_header=False,  # no "server: uvicorn" on every response
        ws=StallSafeProtocol,  # uvicorn's websockets, but a client that stopped reading is cut off
        ws_per_message_deflate=settings.ws_deflate,  # off by default: compressing costs CPU on every frame
        ws_max_size=settings.transport_max_bytes,
        proxy_headers=True,
        root_path=settings.base_path,  # the prefix a reverse proxy serves us under
        ssl_certfile=(tls or {}).get("ssl_certfile"),  # HTTPS (and wss://) on a single box, without a proxy
        ssl_keyfile=(tls or {}).get("ssl_keyfile"),
    )
    if received:
        sys.stderr.write(f"neuroplay: stopped by {signal.Signals(received[0]).name}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
