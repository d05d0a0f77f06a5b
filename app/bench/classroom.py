"""Classroom figures for ``python -m app.bench``: one presenter, many followers, real sockets on 127.0.0.1.

A presenter trains the default network at one epoch per frame and presents it; N followers
join with the code. For each N: the median and slowest follower's frames per second, the
bytes each follower receives per second (and as Mbit/s), the server's CPU and its memory per
follower. Then, at the largest N that was tried: the time from a presenter's command to the
followers' first frame that shows it (p50, p95 over every follower and probe), and the
followers' median fps with one follower that never reads, against the same run without it. Last, the
teacher's class view: 30 students fork and train, and the forks' frame rates are counted with the
teacher's mosaic off, on, and off again, with the bytes per second the mosaic costs the teacher.
The followers run in this process, so on a small machine they compete with the server for
the cores: the figures are what this machine does, clients included.
"""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from app.bench.raw_socket import open_raw
from app.bench.streaming import READ_LIMIT, STALLED_RCVBUF, Server, frame_header, running_server

JOIN_BATCH = 25  # followers that connect at once (a class does not arrive in one millisecond)
PROBES = 8  # presenter commands timed to the followers' screens
PROBE_GAP_S = 0.5  # between two of them
MOSAIC_STUDENTS = 30  # forks training while the teacher watches the class view


@dataclass
class Follower:
    """What one follower received in the measured window."""

    frames: int = 0
    bytes: int = 0
    seen: dict[int, float] = field(default_factory=dict)  # probe number → when its frame arrived


async def _follow(ws: ClientConnection, follower: Follower, window: tuple[float, float], probes: list[float]) -> None:
    """Count frames and bytes inside ``window``; note when each probe's selection first shows."""
    loop = asyncio.get_running_loop()
    start, end = window
    while (now := loop.time()) < end:
        try:
            message = await asyncio.wait_for(ws.recv(), timeout=end - now)
        except TimeoutError:
            return
        arrived = loop.time()
        if arrived >= start:
            follower.bytes += len(message)
        if not isinstance(message, bytes) or not message.startswith(b'{"type":"frame"', 4):
            continue
        if arrived >= start:
            follower.frames += 1
        if not probes:
            continue
        selected = frame_header(message).get("selected")
        if selected and selected[0] == 1:
            probe = len(probes) - 1
            if probe not in follower.seen and selected[1] == probe % 2:
                follower.seen[probe] = arrived


async def _presenter(url: str) -> tuple[ClientConnection, str]:
    ws = await connect(url, compression=None, max_size=READ_LIMIT)
    await ws.send(json.dumps({"type": "set_speed", "unit": "epoch", "count": 1}))
    await ws.send(json.dumps({"type": "present"}))
    while True:
        message = await ws.recv()
        if isinstance(message, str) and json.loads(message)["type"] == "presenting":
            return ws, json.loads(message)["code"]


async def _drain(ws: ClientConnection, until: float) -> None:
    """Keep reading the presenter's socket (a presenter's page reads everything)."""
    loop = asyncio.get_running_loop()
    while (now := loop.time()) < until:
        try:
            await asyncio.wait_for(ws.recv(), timeout=until - now)
        except TimeoutError:
            return


def stalled_follower(port: int, code: str) -> socket.socket:
    """A follower that completes the handshake and never reads again."""
    return open_raw(port, f"/ws?room={code}", receive_buffer=STALLED_RCVBUF)


async def _class(server: Server, count: int, seconds: float, *, has_stalled: bool = False,
                 with_probes: bool = False) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    presenter, code = await _presenter(server.url)
    stalled = stalled_follower(server.port, code) if has_stalled else None
    rss_before = server.rss_mib()
    sockets: list[ClientConnection] = []
    for first in range(0, count, JOIN_BATCH):
        sockets += await asyncio.gather(*[connect(f"{server.url}?room={code}", compression=None, max_size=READ_LIMIT)
                                          for _ in range(min(JOIN_BATCH, count - first))])
    await presenter.send(json.dumps({"type": "play"}))
    settle = 1.0 + count / 200  # the class's first frames and greetings go out before counting starts
    probing = PROBES * PROBE_GAP_S if with_probes else 0.0
    start = loop.time() + settle
    end = start + seconds + probing
    followers = [Follower() for _ in sockets]
    probes: list[float] = []
    cpu_before = server.cpu_seconds()
    tasks = [asyncio.create_task(_follow(ws, follower, (start, end), probes))
             for ws, follower in zip(sockets, followers, strict=True)]
    tasks.append(asyncio.create_task(_drain(presenter, end)))
    if with_probes:
        await asyncio.sleep(max(0.0, start + seconds - loop.time()))
        for probe in range(PROBES):
            probes.append(loop.time())
            await presenter.send(json.dumps({"type": "select_neuron", "layer": 1, "index": probe % 2}))
            await asyncio.sleep(PROBE_GAP_S)
    await asyncio.gather(*tasks)
    cpu = (server.cpu_seconds() - cpu_before) / (end - start)
    rss_after = server.rss_mib()
    await asyncio.gather(*[ws.close() for ws in sockets], presenter.close())
    if stalled is not None:
        stalled.close()
    window = end - start
    fps = [f.frames / window for f in followers]
    latencies = [f.seen[p] - sent for f in followers for p, sent in enumerate(probes) if p in f.seen]
    return {
        "median_fps": statistics.median(fps), "slowest_fps": min(fps),
        "bytes_per_s": statistics.median(f.bytes / window for f in followers),
        "cpu": cpu, "mib_per_follower": max(0.0, rss_after - rss_before) / count,
        "latency_ms": sorted(1000 * latency for latency in latencies),
    }


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


def classroom_figures(seconds: float, write: Callable[[str], None], counts: tuple[int, ...]) -> None:
    """Print the classroom figures (see the module docstring)."""
    write(f"\nclassroom (one presenter, default network at 1 epoch/frame; followers on 127.0.0.1, "
          f"{seconds:g} s per figure)")
    write(f"{'followers':>9}{'median fps':>12}{'slowest fps':>13}{'KB/s each':>11}{'Mbit/s':>8}"
          f"{'server CPU':>12}{'MiB each':>10}")
    calm: dict[int, float] = {}
    with running_server(max_sessions="10", max_followers_per_room=str(max(counts) + 10)) as server:
        for count in counts:
            row = asyncio.run(_class(server, count, 2 * seconds))  # long enough that clients' lag averages out
            calm[count] = row["median_fps"]
            write(f"{count:>9}{row['median_fps']:>12.1f}{row['slowest_fps']:>13.1f}{row['bytes_per_s'] / 1000:>11.1f}"
                  f"{row['bytes_per_s'] * 8 / 1e6:>8.2f}{row['cpu']:>11.0%}{row['mib_per_follower']:>10.2f}")
        size = 200 if 200 in counts else counts[-1]
        probed = asyncio.run(_class(server, size, seconds, with_probes=True))
        latency = probed["latency_ms"]
        write(f"\npresenter's command → followers' frame at {size} followers: p50 {_percentile(latency, 0.5):.0f} ms, "
              f"p95 {_percentile(latency, 0.95):.0f} ms ({len(latency)} arrivals)")
        stalled = asyncio.run(_class(server, size, 2 * seconds, has_stalled=True))
        write(f"one stalled follower among {size}: the others' median fps {stalled['median_fps']:.1f} against "
              f"{calm[size]:.1f} without it (ratio {stalled['median_fps'] / calm[size]:.2f})")
    mosaic_figure(seconds, write)


async def _reader(ws: ClientConnection, arrivals: list[tuple[float, int, bytes]], until: float) -> None:
    """Note (time, size, the first bytes of the header) of every message until ``until``."""
    loop = asyncio.get_running_loop()
    while (now := loop.time()) < until:
        try:
            message = await asyncio.wait_for(ws.recv(), timeout=until - now)
        except TimeoutError:
            return
        raw = message if isinstance(message, bytes) else message.encode()
        arrivals.append((loop.time(), len(raw), raw[4:20] if isinstance(message, bytes) else raw[:16]))


async def _fork(url: str, code: str) -> ClientConnection:
    """A student joins, presses "Try it myself", opens its copy and plays it at 1 epoch per frame."""
    async with connect(f"{url}?room={code}", compression=None, max_size=READ_LIMIT) as follower:
        await follower.send(json.dumps({"type": "fork"}))
        while not (isinstance(message := await follower.recv(), str) and '"forked"' in message):
            pass
    copy = await connect(f"{url}?session={json.loads(message)['session_id']}", compression=None, max_size=READ_LIMIT)
    await copy.send(json.dumps({"type": "set_speed", "unit": "epoch", "count": 1}))
    await copy.send(json.dumps({"type": "play"}))
    return copy


async def _mosaic(server: Server, students: int, seconds: float) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    presenter, code = await _presenter(server.url)
    copies: list[ClientConnection] = []
    for first in range(0, students, JOIN_BATCH):
        copies += await asyncio.gather(*[_fork(server.url, code) for _ in range(min(JOIN_BATCH, students - first))])
    start = loop.time() + 2.0  # the forks' first frames go out before counting starts
    windows = [(start + i * (seconds + 1.0), start + i * (seconds + 1.0) + seconds) for i in range(3)]  # off, on, off
    seen: list[list[tuple[float, int, bytes]]] = [[] for _ in copies]
    teacher: list[tuple[float, int, bytes]] = []
    tasks = [asyncio.create_task(_reader(ws, arrivals, windows[-1][1])) for ws, arrivals in zip(copies, seen,
                                                                                               strict=True)]
    tasks.append(asyncio.create_task(_reader(presenter, teacher, windows[-1][1])))
    await asyncio.sleep(max(0.0, windows[1][0] - 1.0 - loop.time()))
    await presenter.send(json.dumps({"type": "watch_class", "on": True}))  # its first, full message: before the window
    await asyncio.sleep(max(0.0, windows[2][0] - 0.5 - loop.time()))
    await presenter.send(json.dumps({"type": "watch_class", "on": False}))
    await asyncio.gather(*tasks)
    await asyncio.gather(*[ws.close() for ws in copies], presenter.close())

    def fps(window: tuple[float, float]) -> float:
        return statistics.median(sum(window[0] <= t < window[1] and head.startswith(b'{"type":"frame"')
                                     for t, _, head in arrivals) / seconds for arrivals in seen)

    on = windows[1]
    class_bytes = sum(size for t, size, head in teacher if on[0] <= t < on[1] and head.startswith(b'{"type":"class"'))
    return {"fps_off": (fps(windows[0]) + fps(windows[2])) / 2, "fps_on": fps(on), "fps_before": fps(windows[0]),
            "fps_after": fps(windows[2]),
            "teacher_bytes_per_s": class_bytes / seconds,
            "class_messages": sum(on[0] <= t < on[1] and head.startswith(b'{"type":"class"') for t, _, head in teacher)}


def mosaic_figure(seconds: float, write: Callable[[str], None], students: int = MOSAIC_STUDENTS) -> None:
    """Print the class view's figure: the teacher's bytes/s, the forks' fps with and without the mosaic."""
    with running_server(keep_runs="false", max_forks_per_client=str(students + 10),
                        max_sessions_per_client=str(2 * students + 10),
                        max_sessions=str(2 * students + 10)) as server:
        row = asyncio.run(_mosaic(server, students, seconds))
    write(f"\n{students} forks training and a teacher watching the mosaic ({seconds:g} s per window): the teacher "
          f"gets {row['teacher_bytes_per_s'] / 1000:.1f} kB/s ({row['class_messages']:.0f} class messages); the "
          f"forks' median fps {row['fps_on']:.1f} with it, {row['fps_off']:.1f} without "
          f"({row['fps_before']:.1f} before, {row['fps_after']:.1f} after; ratio {row['fps_on'] / row['fps_off']:.3f})")
