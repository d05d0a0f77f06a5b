"""Learner figures: ``neuroplay bench --learners 1,10,30,100 [--baseline REF]``.

For each network (TensorFlow Playground's largest, 6 hidden layers of 8 on the spiral, then the
default one) and each number of learners, a fresh server (``python -m app serve`` on a free port,
with the app's own worker-process setting) serves that many learners: real websocket clients,
each with a session of its own, playing at one epoch per frame and reading everything. The
clients run in separate processes (``CLIENTS_PER_PROCESS`` each; ``app/bench/learner_clients.py``)
and report their own CPU, so a client process near a full core shows up in the table.

Per row: each learner's frames and epochs per second (median and slowest), its payload (the
websocket messages' bytes) and wire bytes (what TCP delivered, after permessage-deflate) per
second, the server's CPU (share of one core, its worker processes included) and its resident
memory per learner. ``--baseline REF`` measures the same rows against the code at git REF, checked
out in a temporary ``git worktree`` and served with this venv, and prints both with their ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.bench.learner_clients import Counts, client_process
from app.bench.streaming import running_server

REPOSITORY = Path(__file__).resolve().parents[2]  # the checkout this code runs from
NETWORKS: dict[str, dict[str, Any]] = {
    "PG's largest: 6 hidden layers x 8, spiral": {"dataset": "spiral", "hidden_layers": [8] * 6},
    "default network": {},
}
MAX_LEARNERS = 400  # most learners in one row (a server holds at most 10,000 sessions)
CLIENTS_PER_PROCESS = 20  # learners one client process runs
CONNECT_TIMEOUT_S = 120.0  # every client process has connected its learners by then, or the row fails
WARMUP_S = 2.0  # after every learner connected: frames before this are not counted
CLIENT_BUSY_SHARE = 0.8  # a client process using more of a core than this may be what limits the figures
SERVER_ENV = {  # the same for both codes: room for every learner from one address, no store, no leftovers
    "max_sessions": "10000", "max_sessions_per_client": "10000", "keep_runs": "false",
}


@dataclass(frozen=True)
class Row:
    """One row of the table: per-learner figures for ``learners`` learners."""

    learners: int
    fps_median: float
    fps_slowest: float
    epochs_median: float  # epochs per second
    epochs_slowest: float
    payload_bps: float  # median learner's websocket message bytes per second
    wire_bps: float  # median learner's TCP bytes per second
    cpu_share: float  # the server's CPU over the window, in cores (1.0 = one core)
    rss_mib_per_learner: float
    client_cpu_share: float  # the busiest client process's CPU, in cores
    is_deflated: bool  # every learner's socket used permessage-deflate
    load: float = 0.0  # the machine's 1-minute load average as the row began (others share it)
    told_busy: float = 0.0  # share of learners whose page says "Busy server" as the window ends


def summarize(learners: int, counts: Sequence[Counts], window_s: float, server_cpu_s: float,
              rss_mib: tuple[float, float], client_cpu_s: Sequence[float], load: float = 0.0) -> Row:
    """A row from every learner's counts over ``window_s`` seconds and the server's CPU and memory."""
    fps = [c.frames / window_s for c in counts]
    epochs = [(c.last_epoch - c.first_epoch) / window_s if c.first_epoch is not None and c.last_epoch is not None
              else 0.0 for c in counts]
    return Row(
        learners=learners,
        fps_median=statistics.median(fps), fps_slowest=min(fps),
        epochs_median=statistics.median(epochs), epochs_slowest=min(epochs),
        payload_bps=statistics.median(c.payload_bytes / window_s for c in counts),
        wire_bps=statistics.median(c.wire_bytes / window_s for c in counts),
        cpu_share=server_cpu_s / window_s,
        rss_mib_per_learner=max(0.0, rss_mib[1] - rss_mib[0]) / learners,
        client_cpu_share=max(client_cpu_s, default=0.0) / window_s,
        is_deflated=all(c.is_deflated for c in counts),
        load=load,
        told_busy=sum(c.is_told_busy for c in counts) / len(counts),
    )


RATIO_FIELDS = ("fps_median", "fps_slowest", "epochs_median", "epochs_slowest", "payload_bps", "wire_bps",
                "cpu_share", "rss_mib_per_learner")


def ratios(this: Row, base: Row) -> dict[str, float]:
    """this / base for each figure (nan where the baseline's is 0)."""
    return {name: getattr(this, name) / getattr(base, name) if getattr(base, name) else math.nan
            for name in RATIO_FIELDS}


HEADER = (f"{'learners':>8} {'code':<9}{'fps med':>8}{'fps min':>8}{'ep/s med':>9}{'ep/s min':>9}"
          f"{'payload kB/s':>13}{'Mbit/s':>7}{'wire kB/s':>10}{'Mbit/s':>7}{'deflate':>8}{'CPU':>6}"
          f"{'MiB each':>9}{'clients':>8}{'load':>6}{'busy':>6}")


def format_row(row: Row, code: str) -> str:
    """One printed line of the table."""
    return (f"{row.learners:>8} {code:<9}{row.fps_median:>8.1f}{row.fps_slowest:>8.1f}{row.epochs_median:>9.1f}"
            f"{row.epochs_slowest:>9.1f}{row.payload_bps / 1000:>13,.1f}{row.payload_bps * 8e-6:>7.2f}"
            f"{row.wire_bps / 1000:>10,.1f}{row.wire_bps * 8e-6:>7.2f}{'on' if row.is_deflated else 'off':>8}"
            f"{row.cpu_share:>6.0%}{row.rss_mib_per_learner:>9.2f}{row.client_cpu_share:>8.0%}{row.load:>6.1f}{row.told_busy:>6.0%}")


def format_ratio(this: Row, base: Row) -> str:
    """The ratio line under a pair of rows (this / baseline)."""
    r = ratios(this, base)
    return (f"{'':>8} {'ratio':<9}{r['fps_median']:>8.2f}{r['fps_slowest']:>8.2f}{r['epochs_median']:>9.2f}"
            f"{r['epochs_slowest']:>9.2f}{r['payload_bps']:>13.2f}{'':>7}{r['wire_bps']:>10.2f}{'':>7}{'':>8}"
            f"{r['cpu_share']:>6.2f}{r['rss_mib_per_learner']:>9.2f}")


def _split(total: int, per_process: int) -> list[int]:
    """``total`` learners over as few processes as hold ``per_process`` each, as evenly as possible."""
    processes = max(1, math.ceil(total / per_process))
    return [total // processes + (1 if i < total % processes else 0) for i in range(processes)]


def measure(learners: int, changes: dict[str, Any], seconds: float, cwd: Path, env: dict[str, str]) -> Row:
    """One row: a fresh server in ``cwd`` and ``learners`` learners in client processes."""
    context = multiprocessing.get_context("spawn")
    load = os.getloadavg()[0]
    with running_server(cwd=str(cwd), **env) as server:
        rss_before = server.rss_mib()
        pipes, processes = [], []
        for count in _split(learners, CLIENTS_PER_PROCESS):
            parent, child = context.Pipe()
            process = context.Process(target=client_process, args=(server.url, count, changes, child), daemon=True)
            process.start()
            pipes.append(parent)
            processes.append(process)
        try:
            for pipe in pipes:
                _expect(pipe, "ready", CONNECT_TIMEOUT_S)
            start = time.time() + WARMUP_S
            end = start + seconds
            for pipe in pipes:
                pipe.send((start, end))
            time.sleep(max(0.0, start - time.time()))
            cpu_before = server.cpu_seconds()
            time.sleep(max(0.0, end - time.time()))
            server_cpu_s = server.cpu_seconds() - cpu_before
            rss_after = server.rss_mib()
            results = [_expect(pipe, None, CONNECT_TIMEOUT_S) for pipe in pipes]
        finally:
            for process in processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.terminate()
    counts = [c for learner_counts, _ in results for c in learner_counts]
    return summarize(learners, counts, seconds, server_cpu_s, (rss_before, rss_after), [cpu for _, cpu in results],
                     load)


def _expect(pipe: Any, message: str | None, timeout_s: float) -> Any:
    """The next message from a client process (``message`` if given), or RuntimeError."""
    if not pipe.poll(timeout_s):
        raise RuntimeError(f"a client process sent nothing for {timeout_s:g} s")
    received = pipe.recv()
    if isinstance(received, str) and received.startswith("error"):
        raise RuntimeError(f"a client process failed: {received}")
    if message is not None and received != message:
        raise RuntimeError(f"a client process said {received!r}, not {message!r}")
    return received


@contextlib.contextmanager
def checkout(ref: str) -> Iterator[Path]:
    """The code at git ``ref`` in a temporary worktree of this repository, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="neuroplay-baseline-"))
    subprocess.run(["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", "--quiet", str(folder), ref],
                   check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(folder)],
                       check=False, capture_output=True)


def learner_figures(counts: Sequence[int], seconds: float, write: Callable[[str], None],
                    baseline: str | None = None, *, is_deflated: bool = True) -> None:
    """Print the learner tables (see the module docstring), with the baseline's rows when given; this code's
    server compresses with permessage-deflate when ``is_deflated`` (only this code has the setting)."""
    window = max(3.0, 3 * seconds)
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(1))  # stopped: still remove the worktree
    this_env = {**SERVER_ENV, "ws_deflate": "true" if is_deflated else "false"}
    with contextlib.ExitStack() as stack:
        base_dir = stack.enter_context(checkout(baseline)) if baseline else None
        write(f"\nlearners (each its own session, 1 epoch/frame, every message read; clients in processes of "
              f"{CLIENTS_PER_PROCESS}; {window:g} s per row; CPU in cores, 100% = one core; 'clients' = busiest "
              "client process; load = the machine's 1-minute load average as the row began; busy = learners whose "
              "page shows the busy-server line as the window ends)")
        for name, changes in NETWORKS.items():
            write(f"\n{name}" + (f" (this = {_describe('HEAD')}, base = {_describe(baseline)})" if baseline else ""))
            write(HEADER)
            for learners in counts:
                rows = [measure(learners, changes, window, REPOSITORY, this_env)]
                write(format_row(rows[0], "this"))
                if base_dir is not None:
                    rows.append(measure(learners, changes, window, base_dir, SERVER_ENV))
                    write(format_row(rows[1], "base"))
                    write(format_ratio(rows[0], rows[1]))
                busiest = max(row.client_cpu_share for row in rows)
                if busiest > CLIENT_BUSY_SHARE:
                    write(f"{'':>8} (a client process used {busiest:.0%} of a core: the clients may limit this row)")


def _describe(ref: str | None) -> str:
    result = subprocess.run(["git", "-C", str(REPOSITORY), "rev-parse", "--short", f"{ref}^{{commit}}"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or str(ref)


def learner_counts(text: str) -> tuple[int, ...]:
    """``--learners``: whole numbers from 1 to MAX_LEARNERS separated by commas."""
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be whole numbers separated by commas, got {text!r}") from None
    if not counts or not all(1 <= count <= MAX_LEARNERS for count in counts):
        raise argparse.ArgumentTypeError(f"each number of learners must be from 1 to {MAX_LEARNERS}, got {text!r}")
    return counts


def baseline_ref(text: str) -> str:
    """``--baseline``: a git reference this repository has (a commit, branch or tag)."""
    result = subprocess.run(["git", "-C", str(REPOSITORY), "rev-parse", "--verify", "--quiet", f"{text}^{{commit}}"],
                            capture_output=True, text=True, check=False)
    if text.startswith("-") or result.returncode != 0:
        raise argparse.ArgumentTypeError(f"must be a commit, branch or tag of {REPOSITORY}, got {text!r}")
    return text
