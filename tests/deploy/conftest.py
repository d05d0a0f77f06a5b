"""Two neuroplay replicas behind nginx (the shipped deploy/nginx.conf), sharing rooms through a real Redis."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.live.conftest import decode_binary
from tests.servers import Nginx, RedisServer, Replica

WAIT_SECONDS = 15.0  # a client gives up waiting for a message after this long (a failure bound)


@dataclass
class Cluster:
    redis: RedisServer
    a: Replica
    b: Replica
    nginx: Nginx

    def stop(self) -> None:
        self.nginx.stop()
        self.b.stop()
        self.a.stop()


def start_cluster(redis: RedisServer, folder: Path) -> Cluster:
    a = Replica("replica-a", redis.url, folder / "a.log")
    b = Replica("replica-b", redis.url, folder / "b.log")
    for replica in (a, b):
        replica.spawn(NEUROPLAY_ALLOWED_HOSTS="127.0.0.1,localhost", NEUROPLAY_FOLLOWER_MAX_FPS="20")
    for replica in (a, b):
        replica.wait()
    nginx = Nginx(folder, [a.port, b.port])
    nginx.start()
    return Cluster(redis, a, b, nginx)


@pytest.fixture(scope="module")
def cluster(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    started = start_cluster(redis_server, tmp_path_factory.mktemp("cluster"))
    yield started
    started.stop()


@pytest.fixture
def own_cluster(redis_server: RedisServer, tmp_path: Path) -> Iterator[Cluster]:
    """A cluster of the test's own, for a test that kills a replica."""
    started = start_cluster(redis_server, tmp_path)
    yield started
    started.stop()


class Client:
    """One websocket client: messages decoded (JSON, or binary envelopes with numpy arrays)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.socket: ClientConnection | None = None
        self.hello: dict[str, Any] = {}

    async def open(self) -> Client:
        self.socket = await connect(self.url, max_size=None, open_timeout=WAIT_SECONDS)
        self.hello = await self.until(lambda m: m["type"] in ("hello", "error", "close"))
        return self

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def send(self, command: dict[str, Any]) -> None:
        assert self.socket is not None
        await self.socket.send(json.dumps(command))

    async def receive(self, seconds: float = WAIT_SECONDS) -> dict[str, Any]:
        assert self.socket is not None
        try:
            raw = await asyncio.wait_for(self.socket.recv(), seconds)
        except ConnectionClosed:
            return {"type": "close", "code": self.socket.close_code}
        return decode_binary(raw) if isinstance(raw, bytes) else dict(json.loads(raw))

    async def until(self, predicate: Callable[[dict[str, Any]], bool], seconds: float = WAIT_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            message = await self.receive(left)
            if predicate(message):
                return message
            if message["type"] == "close":
                raise AssertionError(f"closed ({message['code']}) before a matching message")
        raise AssertionError(f"no matching message within {seconds:g} s")

    async def frame(self, predicate: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
        return await self.until(lambda m: m["type"] == "frame" and predicate(m))


async def present(presenter: Client) -> str:
    await presenter.send({"type": "present"})
    return str((await presenter.until(lambda m: m["type"] == "presenting"))["code"])
