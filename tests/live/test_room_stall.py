"""A follower that stops reading slows nobody: against a real server process, with real sockets."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from app.bench.classroom import stalled_follower
from app.bench.streaming import Server, running_server

WINDOW_S = 3.0  # how long frames are counted (a failure bound on waiting, not a timing claim)
STALLED = 3  # followers that never read
SLOW_STEPS = 300  # slow steps on the largest net (about 140 kB of JSON each) while a follower stalls
QUEUE_BUDGET = 256 * 1024  # the server's follower_queue_bytes in this module
LARGEST = {"features": ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"],
           "hidden_layers": [16] * 8, "points": 2000, "batch_size": 200}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    # send_timeout_s: the stalled sockets stay connected for the whole test
    with running_server(workers="1", send_timeout_s="60", allowed_hosts="127.0.0.1",
                        follower_queue_bytes=str(QUEUE_BUDGET)) as running:
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


def scrape(server: Server) -> dict[str, float]:
    """The unlabelled samples of the server's /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10) as response:
        lines = response.read().decode().splitlines()
    return {name: float(value) for name, _, value in (line.partition(" ") for line in lines)
            if name and not name.startswith("#") and "{" not in name}


async def slow_steps_to_a_stalled_follower(server: Server) -> tuple[float, list[float]]:
    """(web process RSS growth in MiB, queued bytes sampled as the slow steps go out)."""
    async with connect(server.url, compression=None, max_size=None) as presenter:
        await presenter.send(json.dumps({"type": "configure", "changes": LARGEST}))
        await presenter.send(json.dumps({"type": "present"}))
        while not (isinstance(m := await presenter.recv(), str) and json.loads(m)["type"] == "presenting"):
            pass
        stalled = stalled_follower(server.port, json.loads(m)["code"])
        await asyncio.sleep(1.0)  # the stalled socket's buffers fill with its greeting
        rss_before = server.rss_mib()
        queued = []
        for index in range(SLOW_STEPS):
            await presenter.send(json.dumps({"type": "slow_step"}))
            while not (isinstance(m := await presenter.recv(), str) and json.loads(m)["type"] == "slow_step"):
                pass
            if index % 50 == 49:
                queued.append(scrape(server).get("neuroplay_queued_bytes", -1))
        growth = server.rss_mib() - rss_before
        stalled.close()
    return growth, queued


def test_a_stalled_follower_is_owed_only_the_newest_message_of_each_kind(server: Server) -> None:
    growth, queued = asyncio.run(slow_steps_to_a_stalled_follower(server))
    print(f"queued bytes {queued}, web process grew {growth:.1f} MiB")  # noqa: T201 (shown with -s)
    assert 0 < max(queued) <= QUEUE_BUDGET  # the newest slow_step waits (and never more than the budget)
    assert growth < 20  # 300 slow steps of ~140 kB queued for it would be ~40 MiB
