"""A follower that stops reading slows nobody: against a real server process, with real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from app.bench.classroom import stalled_follower
from app.bench.streaming import Server, running_server

WINDOW_S = 3.0  # how long frames are counted (a failure bound on waiting, not a timing claim)
STALLED = 3  # followers that never read


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    # send_timeout_s: the stalled sockets stay connected for the whole test
    with running_server(workers="1", send_timeout_s="60", allowed_hosts="127.0.0.1") as running:
        yield running


async def frames_in_window(ws: ClientConnection, seconds: float) -> int:
    loop = asyncio.get_running_loop()
    end, frames = loop.time() + seconds, 0
    while (now := loop.time()) < end:
        try:
            message = await asyncio.wait_for(ws.recv(), timeout=end - now)
        except TimeoutError:
            break
        frames += isinstance(message, bytes) and message.startswith(b'{"type":"frame"', 4)
    return frames


async def watch(server: Server) -> list[tuple[int, int]]:
    """(healthy follower's frames, presenter's frames) in a window without, then with stalled followers."""
    async with connect(server.url, compression=None) as presenter:
        await presenter.send(json.dumps({"type": "present"}))
        while not (isinstance(m := await presenter.recv(), str) and json.loads(m)["type"] == "presenting"):
            pass
        code = json.loads(m)["code"]
        await presenter.send(json.dumps({"type": "play"}))
        async with connect(f"{server.url}?room={code}", compression=None) as follower:
            counts = []
            for stalled_count in (0, STALLED):
                stalled = [stalled_follower(server.port, code) for _ in range(stalled_count)]
                ours, theirs = await asyncio.gather(frames_in_window(follower, WINDOW_S),
                                                    frames_in_window(presenter, WINDOW_S))
                counts.append((ours, theirs))
            for raw in stalled:
                raw.close()
    return counts


def test_stalled_followers_do_not_slow_a_healthy_follower_or_the_presenter(server: Server) -> None:
    (follower_calm, presenter_calm), (follower_stalled, presenter_stalled) = asyncio.run(watch(server))
    assert follower_calm > 0 and presenter_calm > 0
    # the same machine, the same run, one window after the other: a ratio, not a speed
    assert follower_stalled / presenter_stalled >= 0.5 * follower_calm / presenter_calm
    assert presenter_stalled >= 0.5 * presenter_calm
