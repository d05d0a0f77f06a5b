"""How worker processes keep out of the way of Ctrl+C and SIGTERM.

A terminal's Ctrl+C, and a service manager's SIGTERM, reach every process
of the server's group, worker processes included. A worker that died of
them would print a traceback, or be taken for a crash and replaced while
the server shuts down. So workers ignore both and exit when the pool tells
them to (or when their pipe closes, if the web process is gone).

A worker needs about a second to import before it can ignore anything
itself, so it is started with both signals ignored: an ignored signal stays
ignored in a child across exec, and Python then leaves it so. Handlers can
only be changed on the main thread, where the server runs; a pool started
on another thread (a test client's) starts its workers as they are.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_signals_ignored() -> Iterator[None]:
    """Ignore Ctrl+C and SIGTERM while a child process is started (it inherits that), then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {stop_signal: signal.signal(stop_signal, signal.SIG_IGN) for stop_signal in STOP_SIGNALS}
    try:
        yield
    finally:
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)


def ignore_stop_signals() -> None:
    """In a worker process: ignore Ctrl+C and SIGTERM (again, if it was started ignoring them)."""
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, signal.SIG_IGN)
