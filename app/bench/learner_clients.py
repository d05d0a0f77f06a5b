"""Learner clients for the learners benchmark: one process runs several websocket learners.

Each learner connects to /ws offering permessage-deflate, sets up its network, plays at one
epoch per frame and reads every message, as a page that shows everything does. The parent
process (``app.bench.learners``) starts several of these processes so that the clients are
not the bottleneck it measures: each reports its own CPU time over the measured window.

A process connects its learners, waits until each one's run has trained an epoch (its frames
count), says ``ready`` on its pipe, waits for the window (wall-clock
start and end, shared by every process) and then sends back one ``Counts`` per learner.
Payload bytes are the websocket messages' own lengths; wire bytes are what the TCP socket
delivered (frame headers included, after permessage-deflate when the server agreed to it).
"""

from __future__ import annotations

import asyncio
import json
import struct
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

READ_LIMIT = 16 * 1024 * 1024  # client-side message size cap
CONNECT_BATCH = 10  # learners of one process that connect at once
FRAME_PREFIX = b'{"type":"frame"'  # a binary frame's header starts with this, after its 4-byte length
BUSY_TOPIC = '"topic": "busy"'  # in a `notice` about a busy server (json.dumps's spacing)


class CountingConnection(ClientConnection):
    """A client connection that counts the bytes TCP delivered to it (its wire bytes)."""

    wire_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.wire_bytes += len(data)
        super().data_received(data)


@dataclass
class Counts:
    """What one learner received inside the window."""

    frames: int = 0
    payload_bytes: int = 0
    wire_bytes: int = 0
    first_epoch: int | None = None  # the first frame's epoch in the window
    last_epoch: int | None = None  # and the last one's
    is_told_busy: bool = False  # the latest `busy` notice (since connecting) said busy
    is_deflated: bool = False  # the server agreed to permessage-deflate


def frame_epoch(message: bytes) -> int | None:
    """The ``epoch`` of a binary ``frame`` message, or None for any other message."""
    if not message.startswith(FRAME_PREFIX, 4):
        return None
    (length,) = struct.unpack_from("<I", message)
    return int(json.loads(message[4 : 4 + length])["epoch"])


async def _learner_session(url: str, changes: dict[str, Any]) -> CountingConnection:
    ws = await connect(url, max_size=READ_LIMIT, compression="deflate", create_connection=CountingConnection)
    assert isinstance(ws, CountingConnection)
    if changes:
        await ws.send(json.dumps({"type": "configure", "changes": changes}))
    await ws.send(json.dumps({"type": "set_speed", "unit": "epoch", "count": 1}))
    await ws.send(json.dumps({"type": "play"}))
    while True:  # ready once the run plays: a frame after the first step (a busy server's workers start late)
        message = await ws.recv()
        if isinstance(message, bytes) and (frame_epoch(message) or 0) > 0:
            return ws


async def _read(ws: CountingConnection, counts: Counts, window: list[float]) -> None:
    """Read every message until the window ends; count those that arrive inside it."""
    while True:
        now = time.time()
        if window and now >= window[1]:
            break
        timeout = (window[1] - now) if window else 0.5
        try:
            message = await asyncio.wait_for(ws.recv(), timeout=max(0.01, timeout))
        except TimeoutError:
            continue
        if isinstance(message, str) and BUSY_TOPIC in message:
            counts.is_told_busy = json.loads(message).get("state") == "busy"
        if not window or time.time() < window[0]:
            continue
        counts.payload_bytes += len(message)
        if isinstance(message, bytes):
            epoch = frame_epoch(message)
            if epoch is not None:
                counts.frames += 1
                counts.first_epoch = epoch if counts.first_epoch is None else counts.first_epoch
                counts.last_epoch = epoch


async def _run(url: str, count: int, changes: dict[str, Any], pipe: Pipe) -> None:
    sockets: list[CountingConnection] = []
    for first in range(0, count, CONNECT_BATCH):
        sockets += await asyncio.gather(*[_learner_session(url, changes)
                                          for _ in range(min(CONNECT_BATCH, count - first))])
    counts = [Counts(is_deflated=bool(ws.protocol.extensions)) for ws in sockets]
    window: list[float] = []
    readers = [asyncio.create_task(_read(ws, c, window)) for ws, c in zip(sockets, counts, strict=True)]
    pipe.send("ready")
    loop = asyncio.get_running_loop()
    start, end = await loop.run_in_executor(None, pipe.recv)
    window += [start, end]
    await asyncio.sleep(max(0.0, start - time.time()))
    cpu_before = time.process_time()
    wire_before = [ws.wire_bytes for ws in sockets]
    await asyncio.gather(*readers)
    for ws, c, before in zip(sockets, counts, wire_before, strict=True):
        c.wire_bytes = ws.wire_bytes - before
    cpu_seconds = time.process_time() - cpu_before
    pipe.send((counts, cpu_seconds))
    await asyncio.gather(*[ws.close() for ws in sockets], return_exceptions=True)


def client_process(url: str, count: int, changes: dict[str, Any], pipe: Pipe) -> None:
    """A process's entry point: ``count`` learners on ``url``; see the module docstring."""
    try:
        asyncio.run(_run(url, count, changes, pipe))
    except Exception as error:  # the parent reads the reason instead of waiting for a result
        pipe.send(f"error: {type(error).__name__}: {error}")
