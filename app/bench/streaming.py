"""Streaming figures for ``python -m app.bench``: a real server process and websocket clients on 127.0.0.1.

- frames per second, bytes per frame and the server's CPU (share of one core)
  for one session training the default and the largest network;
- how many concurrent sessions of the largest network each keep 30 frames
  per second (server capped at 30 fps, one batch per frame);
- the server's memory while a client that never reads is sent frames;
- three playing clients' fps alone, and after 50 clients pressed Play and stopped reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import connect

from app.bench.raw_socket import open_raw, read_frame, read_handshake, send_frame

CLK_TCK = os.sysconf("SC_CLK_TCK")  # kernel ticks per second, for /proc/<pid>/stat times
WARMUP_SECONDS = 1.0  # frames before this are not counted
TARGET_FPS = 30  # the frame rate concurrent sessions must hold
HOLD_SHARE = 0.95  # a session "holds" the target when it gets at least this share of it
SESSION_STEPS = (10, 20, 30, 40, 50, 60)  # concurrent session counts tried
READ_LIMIT = 16 * 1024 * 1024  # client-side message size cap
STARTUP_TIMEOUT_SECONDS = 60.0  # no /healthz answer by then: the server failed to start (a bound)
STARTUP_SETTLE_SECONDS = 1.5  # worker processes finish importing after /healthz first answers


@dataclass
class Server:
    """A server process and its address."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def cpu_seconds(self) -> float:
        """User + system CPU time the server and its worker processes have used."""
        total = 0
        for pid in [self.process.pid, *self._children()]:
            with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        return total / CLK_TCK

    def _children(self) -> list[int]:
        children = []
        for task in os.listdir(f"/proc/{self.process.pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{self.process.pid}/task/{task}/children") as listing:
                children += [int(pid) for pid in listing.read().split()]
        return children

    def rss_mib(self) -> float:
        """Resident memory of the server and its worker processes in MiB."""
        total = 0
        for pid in [self.process.pid, *self._children()]:
            with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as status:
                total += int(next(line for line in status if line.startswith("VmRSS:")).split()[1])
        return total / 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(cwd: str | None = None, **env: str) -> Iterator[Server]:
    """Start ``python -m app serve`` with NEUROPLAY_* overrides (in ``cwd``: its ``app`` is served); stop it
    afterwards."""
    port = _free_port()
    settings = {f"NEUROPLAY_{k.upper()}": v for k, v in env.items()}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **settings}, cwd=cwd,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server on port {port} did not answer /healthz") from error
                time.sleep(0.05)
        time.sleep(STARTUP_SETTLE_SECONDS)
        yield Server(process, port)
    finally:
        process.terminate()
        process.wait(timeout=10)


def frame_header(message: bytes) -> dict[str, Any]:
    """The JSON header of a binary message (a little-endian uint32 length, then the header)."""
    (length,) = struct.unpack_from("<I", message)
    return dict(json.loads(message[4 : 4 + length]))


async def _session(url: str, changes: dict[str, Any], speed: tuple[str, int],
                   seconds: float) -> tuple[int, int, int]:
    """Play one session for WARMUP + seconds; returns (frames, bytes, epochs) counted after the warm-up
    (epochs from the frames' own counters: a busy server trains fewer than asked per frame)."""
    async with connect(url, compression=None, max_size=READ_LIMIT) as ws:
        if changes:
            await ws.send(json.dumps({"type": "configure", "changes": changes}))
        await ws.send(json.dumps({"type": "set_speed", "unit": speed[0], "count": speed[1]}))
        await ws.send(json.dumps({"type": "play"}))
        loop = asyncio.get_running_loop()
        start = loop.time() + WARMUP_SECONDS
        end = start + seconds
        frames = size = 0
        epochs: list[int] = []
        while (now := loop.time()) < end:
            try:
                message = await asyncio.wait_for(ws.recv(), timeout=end - now)
            except TimeoutError:
                break
            if isinstance(message, bytes) and loop.time() >= start:
                header = frame_header(message)
                if header.get("type") == "frame":
                    frames += 1
                    size += len(message)
                    epochs.append(int(header["epoch"]))
        return frames, size, (epochs[-1] - epochs[0]) if epochs else 0


def one_session(server: Server, changes: dict[str, Any], seconds: float,
                epochs_per_frame: int = 1) -> dict[str, float]:
    """fps, KiB per frame and server CPU share for one playing session at ``epochs_per_frame``."""
    cpu = server.cpu_seconds()
    frames, size, epochs = asyncio.run(_session(server.url, changes, ("epoch", epochs_per_frame), seconds))
    cpu_share = (server.cpu_seconds() - cpu) / (seconds + WARMUP_SECONDS)
    return {"fps": frames / seconds, "kib_per_frame": size / max(frames, 1) / 1024, "cpu": cpu_share,
            "epochs_per_second": epochs / seconds}


async def _many(url: str, changes: dict[str, Any], count: int, seconds: float) -> list[float]:
    results = await asyncio.gather(*[_session(url, changes, ("batch", 1), seconds) for _ in range(count)])
    return [frames / seconds for frames, _, _ in results]


def concurrent_sessions(changes: dict[str, Any], seconds: float) -> list[tuple[int, float, float, float]]:
    """(sessions, median fps, slowest fps, server CPU share) for growing session counts at a 30 fps cap."""
    rows = []
    with running_server(max_fps=str(TARGET_FPS)) as server:
        for count in SESSION_STEPS:
            cpu = server.cpu_seconds()
            fps = asyncio.run(_many(server.url, changes, count, seconds))
            share = (server.cpu_seconds() - cpu) / (seconds + WARMUP_SECONDS)
            rows.append((count, statistics.median(fps), min(fps), share))
            if min(fps) < TARGET_FPS * HOLD_SHARE:
                break
    return rows


def silent_client_memory(seconds: float) -> tuple[float, float]:
    """Server RSS (MiB) before and after ``seconds`` of playing to a client that never reads."""
    with running_server() as server:
        with open_raw(server.port, receive_buffer=STALLED_RCVBUF) as raw:
            time.sleep(0.5)
            before = server.rss_mib()
            send_frame(raw, json.dumps({"type": "play"}).encode())
            time.sleep(seconds)
            return before, server.rss_mib()


STALLED_RCVBUF = 4096  # a stalled client's receive buffer: small, so the server's sends back up soon


def stalled_client(port: int) -> tuple[socket.socket, str]:
    """A raw client that opens /ws, reads the hello (for its session id), presses Play and never reads again."""
    raw = open_raw(port, receive_buffer=STALLED_RCVBUF, timeout_s=30)
    _, payload, _ = read_frame(raw, read_handshake(raw))
    hello = json.loads(payload)
    send_frame(raw, json.dumps({"type": "play"}).encode())
    return raw, str(hello["session_id"])


async def frames_per_second(url: str, n_frames: int) -> float:
    """Play one session and time ``n_frames`` frames after a warm-up of as many: frames per second."""
    async with connect(url, compression=None, max_size=READ_LIMIT) as ws:
        await ws.send(json.dumps({"type": "play"}))
        loop = asyncio.get_running_loop()
        counted, started = -n_frames, 0.0
        while counted < n_frames:
            if isinstance(await ws.recv(), bytes):
                counted += 1
                started = loop.time() if counted == 0 else started
        return n_frames / (loop.time() - started)


def detached_count(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return int(json.load(response)["detached"])


def stalled_clients_figure(n_stalled: int, n_healthy: int, n_frames: int) -> tuple[float, float]:
    """Median fps of ``n_healthy`` playing clients without, then after, ``n_stalled`` clients that pressed
    Play and stopped reading (let go after 1 s, paused 1 s later): one server, one run."""
    with running_server(send_timeout_s="1", detached_grace_s="1") as server:
        async def healthy() -> float:
            return statistics.median(await asyncio.gather(
                *[frames_per_second(server.url, n_frames) for _ in range(n_healthy)]))

        without = asyncio.run(healthy())
        clients = [stalled_client(server.port) for _ in range(n_stalled)]
        deadline = time.monotonic() + 60
        while detached_count(server.port) < n_stalled + n_healthy and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # the grace runs out: the stalled sessions pause
        with_stalled = asyncio.run(healthy())
        for raw, _ in clients:
            raw.close()
        return without, with_stalled
