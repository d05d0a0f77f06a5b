"""Scale-out figures for ``python -m app.bench --scaleout``: one class, its followers on one or two replicas.

- one replica (the in-process broker): the followers connect to it directly;
- two replicas behind nginx (the shipped deploy/nginx.conf, ports and paths replaced) sharing the
  class through a real redis-server: the presenter on replica A, the followers through nginx.

For each: frames delivered to all followers per second, the slowest follower's frames per second,
and (two replicas) redis-server's CPU as a share of one core. Skipped, with a line saying so, when
redis-server or nginx is not installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from app.bench.streaming import CLK_TCK, READ_LIMIT, _free_port, running_server

FOLLOWERS = 40  # followers of the one class
WARMUP_SECONDS = 1.0  # frames before this are not counted
DECK = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def write(line: str) -> None:
    """Print a line of the report (stdout), as app/bench/engine.py does (which imports this module)."""
    sys.stdout.write(line + "\n")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def process(command: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield child
    finally:
        child.terminate()
        child.wait(10)


def nginx_command(folder: str, port: int, upstreams: list[int]) -> list[str]:
    """The shipped nginx.conf with this run's listen port, upstream servers and paths."""
    text = DECK.read_text()
    options = re.search(r"server neuroplay\d+:8000 (.*);", text)
    servers = "".join(f"server 127.0.0.1:{p} {options.group(1) if options else ''};\n" for p in upstreams)
    text = re.sub(r"^\s*server neuroplay\d+:8000 .*;\n", "", text, flags=re.MULTILINE)
    text = text.replace("hash $neuroplay_route consistent;\n", f"hash $neuroplay_route consistent;\n{servers}", 1)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    text = re.sub(r"^pid .*;$", f"pid {folder}/nginx.pid;", text, flags=re.MULTILINE)
    text = re.sub(r"^error_log \S+", f"error_log {folder}/error.log", text, flags=re.MULTILINE)
    text = re.sub(r"(\w+_temp_path) \S+;", lambda m: f"{m.group(1)} {folder}/{m.group(1)};", text)
    Path(folder, "nginx.conf").write_text(text)
    return ["nginx", "-c", f"{folder}/nginx.conf", "-p", folder, "-g", "daemon off;"]


def is_frame(message: bytes) -> bool:
    """A binary envelope whose header (uint32 length, then JSON) says ``frame``."""
    length = int.from_bytes(message[:4], "little")
    return bool(json.loads(message[4 : 4 + length])["type"] == "frame")


async def _follow(url: str, count_from: float, stop_at: float, counts: list[int], index: int) -> None:
    """Count the frames one follower receives between ``count_from`` and ``stop_at``."""
    async with connect(url, max_size=READ_LIMIT) as follower:
        while (left := stop_at - time.monotonic()) > 0:
            try:
                message = await asyncio.wait_for(follower.recv(), left)
            except TimeoutError:
                return
            if isinstance(message, bytes) and time.monotonic() > count_from and is_frame(message):
                counts[index] += 1


async def _class(presenter_url: str, follower_url: str, seconds: float) -> list[int]:
    async with connect(presenter_url, max_size=READ_LIMIT) as presenter:
        await presenter.send(json.dumps({"type": "present"}))
        code = ""
        while not code:
            message = await presenter.recv()
            if isinstance(message, str) and json.loads(message)["type"] == "presenting":
                code = json.loads(message)["code"]
        await presenter.send(json.dumps({"type": "play"}))
        count_from = time.monotonic() + WARMUP_SECONDS
        stop_at = count_from + seconds
        counts = [0] * FOLLOWERS
        drain = asyncio.create_task(_drain(presenter, stop_at))
        await asyncio.gather(*(_follow(f"{follower_url}?room={code}", count_from, stop_at, counts, index)
                               for index in range(FOLLOWERS)))
        await drain
        return counts


async def _drain(socket: ClientConnection, stop_at: float) -> None:
    """Read the presenter's own frames, so its socket never stalls the run."""
    with contextlib.suppress(TimeoutError):
        while (left := stop_at - time.monotonic()) > 0:
            await asyncio.wait_for(socket.recv(), left)


def report(label: str, counts: list[int], seconds: float, redis_share: float | None) -> None:
    redis_text = "" if redis_share is None else f"{redis_share:>11.0%}"
    write(f"{label:<32}{sum(counts) / seconds:>10,.0f}{min(counts) / seconds:>10.1f}{redis_text}")


def main(seconds: float) -> None:
    """Print the scale-out figures, or one line saying why they are skipped."""
    missing = [name for name in ("redis-server", "nginx") if shutil.which(name) is None]
    if missing:
        write(f"\nscale-out: skipped ({' and '.join(missing)} not installed)")
        return
    write(f"\nscale-out ({FOLLOWERS} followers of one class, default network, {seconds:g} s)")
    write(f"{'':<32}{'frames/s':>10}{'slowest':>10}{'Redis CPU':>11}")
    env = {"workers": "0"}  # NEUROPLAY_WORKERS=0: each replica trains and encodes in its web process
    with running_server(**env) as one:
        report("one replica", asyncio.run(_class(one.url, one.url, seconds)), seconds, None)
    redis_port, nginx_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as folder, \
            process(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", folder], redis_port) as redis:
        shared = {**env, "redis_url": f"redis://127.0.0.1:{redis_port}/0", "base_path": "/neuroplay"}
        with running_server(**shared, replica_name="a") as a, running_server(**shared, replica_name="b") as b, \
                process(nginx_command(folder, nginx_port, [a.port, b.port]), nginx_port):
            time.sleep(0.5)  # both replicas connect to Redis
            before = cpu_seconds(redis.pid)
            counts = asyncio.run(_class(a.url, f"ws://127.0.0.1:{nginx_port}/neuroplay/ws", seconds))
            share = (cpu_seconds(redis.pid) - before) / (seconds + WARMUP_SECONDS)
            report("two replicas, nginx, Redis", counts, seconds, share)
