"""Clients that press Play and stop reading, against the real server (uvicorn, a worker process).

They are let go after ``send_timeout_s``: each gets a TCP reset (its close frame cannot reach it)
or, if a close frame still can, close code 4408; each session is detached and, after the
grace, paused; and a client that reads is not starved by them (frame rates compared within
one run, with a generous bound).
"""

from __future__ import annotations

import asyncio
import json
import socket
import time

from websockets.sync.client import connect

from app.bench.streaming import detached_count, frames_per_second, running_server, stalled_client

N_STALLED = 10  # clients that stop reading
N_FRAMES = 40  # frames a healthy client times
WAIT_S = 60.0  # failure bound on every wait below
GRACE_MARGIN_S = 3.0  # past the 1 s grace, with room for a loaded machine
TOO_SLOW = b"\x88\x02\x11\xb8"  # a close frame with code 4408, as the server sends it (unmasked)


def how_it_ended(raw: socket.socket) -> str:
    """Read what is left: "reset", "close 4408", or "eof" (closed without either)."""
    raw.settimeout(WAIT_S)
    tail = b""
    try:
        while chunk := raw.recv(65536):
            tail = (tail + chunk)[-8:]
            if TOO_SLOW in tail:
                return "close 4408"
    except ConnectionResetError:
        return "reset"
    return "eof"


def test_stalled_clients_are_let_go_detached_paused_and_starve_nobody() -> None:
    with running_server(workers="1", send_timeout_s="1", detached_grace_s="1", max_fps="30",
                        allowed_hosts="127.0.0.1") as server:
        alone = asyncio.run(frames_per_second(server.url, N_FRAMES))
        clients = [stalled_client(server.port) for _ in range(N_STALLED)]
        deadline = time.monotonic() + WAIT_S
        while detached_count(server.port) < N_STALLED + 1:  # the healthy client's session too
            assert time.monotonic() < deadline, "stalled clients were not let go"
            time.sleep(0.2)
        endings = {how_it_ended(raw) for raw, _ in clients}
        assert endings <= {"reset", "close 4408"}, endings  # "eof": closed only once the client read it all
        time.sleep(GRACE_MARGIN_S)  # resuming cancels the pause, so the grace must be over first
        with connect(f"{server.url}?session={clients[0][1]}", open_timeout=WAIT_S) as websocket:
            hello = json.loads(websocket.recv(timeout=WAIT_S))
            assert hello["resume"] == "resumed" and hello["paused_while_away"] is True
        beside_stalled = asyncio.run(frames_per_second(server.url, N_FRAMES))
        for raw, _ in clients:
            raw.close()
    assert beside_stalled > 0.5 * alone, (alone, beside_stalled)
