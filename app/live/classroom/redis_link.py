"""RedisLink: one replica's connection to Redis, kept up by itself.

A supervisor task pings Redis; once it answers, the broker ``restore``s what Redis may have
lost, one pub/sub connection subscribes to the broker's ``channels`` and hands each message to
``on_message``, and every REFRESH_S the broker ``refresh``es its keys' TTLs. When Redis stops
answering, the subscribers that depend on other replicas are told (``tell_lost``) and the
supervisor retries with backoff (FIRST_RETRY_S doubling up to MAX_RETRY_S); once back, they
get the rooms' state again (``greet_again``). The log gets one line when the link is up and one
when it is lost, never one per retry. Sessions and the rooms this replica runs work throughout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

LOG = logging.getLogger("neuroplay.broker")
REDIS_ERRORS = (RedisError, OSError)  # what an unreachable, restarting or hung Redis raises
SOCKET_TIMEOUT_S = 3.0  # a Redis that takes longer to answer one command counts as unreachable
FIRST_RETRY_S = 0.1  # first wait before connecting again after a loss
MAX_RETRY_S = 2.0  # longest wait between attempts
REFRESH_S = 5.0  # how often the broker renews its keys' TTLs (well under every TTL it sets)


def display_url(url: str) -> str:
    """The address without credentials, for the log."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


class RedisLink:
    """The connection, its state and its supervisor; the broker fills in what to do at each step."""

    def __init__(self, url: str, replica: str) -> None:
        self.url = url
        self.replica = replica
        self.is_connected = False
        self.was_ever_connected: bool | None = None  # None until the first attempt ends
        # One quick retry per command absorbs a stale pooled connection after Redis restarts;
        # longer outages are the supervisor's, with its backoff.
        self.redis = Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=SOCKET_TIMEOUT_S,
                                    retry=Retry(NoBackoff(), 1))
        self.pubsub: PubSub | None = None
        self.retry_s = FIRST_RETRY_S
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.spawn(self._supervise())
        self.spawn(self.write_loop())

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(asyncio.CancelledError, *REDIS_ERRORS):
                await task
        await self.redis.aclose()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def guarded(self, work: Awaitable[Any]) -> None:
        """Await a Redis call whose failure the supervisor handles (it restores the state when back)."""
        with contextlib.suppress(*REDIS_ERRORS):
            await work

    async def _supervise(self) -> None:
        while True:
            try:
                await self.redis.ping()
                await self.restore()
                await self._listen()
            except REDIS_ERRORS as error:
                self._lose(error)
            await asyncio.sleep(self.retry_s)
            self.retry_s = min(self.retry_s * 2, MAX_RETRY_S)

    async def _listen(self) -> None:
        """Subscribe, say the link is up, then read messages and refresh TTLs until Redis fails."""
        loop = asyncio.get_running_loop()
        pubsub = self.pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(*self.channels())
            was_lost = self.was_ever_connected is not None
            self.is_connected, self.was_ever_connected, self.retry_s = True, True, FIRST_RETRY_S
            LOG.info("connected to Redis at %s as replica %s", display_url(self.url), self.replica)
            if was_lost:
                await self.greet_again()
            refreshed = loop.time()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=REFRESH_S)
                if message is not None and message["type"] == "message":
                    try:
                        self.on_message(message["channel"], message["data"])
                    except (ValueError, KeyError, TypeError):
                        LOG.warning("an unreadable message on %r was ignored", message["channel"])
                if loop.time() - refreshed >= REFRESH_S:
                    await self.refresh()
                    refreshed = loop.time()
        finally:
            self.pubsub = None
            with contextlib.suppress(*REDIS_ERRORS):
                await pubsub.aclose()

    def _lose(self, error: BaseException) -> None:
        was_connected, self.is_connected = self.is_connected, False
        if was_connected:
            LOG.warning("lost the link to Redis at %s (%s); classes of other replicas wait, retrying",
                        display_url(self.url), error)
            self.tell_lost()
        elif self.was_ever_connected is None:
            LOG.warning("cannot reach Redis at %s (%s); retrying", display_url(self.url), error)
            self.was_ever_connected = False

    # ----- what the broker does at each step --------------------------------------------------
    def channels(self) -> list[str]:
        raise NotImplementedError

    def on_message(self, channel: bytes, wire: bytes) -> None:
        raise NotImplementedError

    async def restore(self) -> None:
        raise NotImplementedError

    async def refresh(self) -> None:
        raise NotImplementedError

    async def greet_again(self) -> None:
        raise NotImplementedError

    def tell_lost(self) -> None:
        raise NotImplementedError

    async def write_loop(self) -> None:
        raise NotImplementedError
