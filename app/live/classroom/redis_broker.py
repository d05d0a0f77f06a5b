"""RedisBroker: the rooms of several replicas, shared through Redis (``redis.asyncio``).

Keys, each with a TTL that the replica needing it refreshes every REFRESH_S:

- ``neuroplay:room:CODE``       hash, the directory record: field → JSON value (session_id, owner,
                                 secret_hash, presenter, is_open, join_url); refreshed by the owner
- ``neuroplay:followers:CODE``  hash, replica → its own follower count; the total sums live replicas
- ``neuroplay:latest:CODE``     hash, kind → the newest wire message of that kind, for late joiners
- ``neuroplay:students:CODE``   the room's student counter (``next_student``); refreshed by the owner
- ``neuroplay:replica:NAME``    present while that replica lives (its counts are summed only then)
- ``neuroplay:session:ID``      the replica that holds that session (TTL: the detached TTL)
- ``neuroplay:student:ID``      JSON, the student of the fork with that session id (``Student.record``;
                                 TTL: the detached TTL, refreshed by the replica that holds the fork)
- ``neuroplay:forkreply:TOKEN`` list, the owner's one answer to one fork request

Channels: ``neuroplay:room:CODE`` carries the room's messages, ``neuroplay:fork:NAME`` the fork
requests to replica NAME. A message travels as ``b"KIND t|b ORIGIN\\n" + payload`` (t: UTF-8 JSON
text, b: a binary envelope), encoded once when published and decoded once per receiving replica,
whose subscriber hands the same object to each of its followers. Local subscribers get a
publish directly, so a replica's own followers never wait for Redis. The link itself (connect,
lose, back off, restore) is ``RedisLink`` in app/live/classroom/redis_link.py.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import deque
from typing import Any

from app.errors import InputError
from app.i18n import refusal
from app.live.classroom.broker import LATEST_ORDER, Deliver, Export, Message, Subscription, link_notice
from app.live.classroom.redis_link import REDIS_ERRORS, RedisLink

PREFIX = "neuroplay:"  # every key and channel of the app starts with this
ROOM_TTL_S = 30  # a room's keys outlive a replica that stopped refreshing them (every REFRESH_S) this long
REPLICA_TTL_S = 15  # a stopped replica's follower counts stop counting after this long
FORK_REPLY_TTL_S = 30  # an answer nobody took is dropped after this long
FORK_POLL_S = 1.0  # one blocking wait for a fork answer (under the socket timeout)
MAX_QUEUED = 1000  # messages waiting for Redis, at most; frames do not queue (newest only per room)
CLAIM = """if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2)) redis.call('EXPIRE', KEYS[1], ARGV[1]) return 1"""
UPDATE = """if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV)) return 1"""
AT_LEAST = """local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then n = tonumber(ARGV[1]) redis.call('SET', KEYS[1], n) end
redis.call('EXPIRE', KEYS[1], ARGV[2]) return n"""
Queued = tuple[str, str, bytes, bool, bool]  # (code, kind, wire, is_cached, is_broadcast)


def key(kind: str, name: str) -> str:
    return f"{PREFIX}{kind}:{name}"


def encode(kind: str, message: Message, origin: str) -> bytes:
    """The wire form of one room message: kind, text or binary, origin replica, then the payload."""
    payload = message.encode() if isinstance(message, str) else message
    return f"{kind} {'t' if isinstance(message, str) else 'b'} {origin}\n".encode() + payload


def decode(wire: bytes) -> tuple[str, Message, str]:
    """(kind, message, origin) of a wire message; text comes back as str, binary as bytes."""
    head, _, payload = wire.partition(b"\n")
    kind, form, origin = head.decode().split(" ")
    return kind, payload.decode() if form == "t" else payload, origin


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def record_fields(record: dict[str, Any]) -> list[str]:
    return [text for name, value in record.items() for text in (name, json.dumps(value))]


class RedisBroker(RedisLink):
    """The ``Broker`` of one replica among several: the directory, counts and channels in Redis."""

    def __init__(self, url: str, replica: str, *, session_ttl_s: float, fork_timeout_s: float) -> None:
        super().__init__(url, replica)
        self.session_ttl_s = session_ttl_s
        self.fork_timeout_s = fork_timeout_s
        self.subscriptions: dict[str, set[Subscription]] = {}  # by code: this replica's subscribers
        self.owned: dict[str, dict[str, Any]] = {}  # records of the rooms run here, restored after a loss
        self.own_latest: dict[str, dict[str, Message]] = {}  # their latest messages, republished then
        self.counts: dict[str, int] = {}  # by code: this replica's followers
        self.sessions: set[str] = set()  # sessions held here, placed in Redis
        self.queue: deque[Queued] = deque(maxlen=MAX_QUEUED)
        self.frames: dict[str, Queued] = {}  # by code: the newest frame not yet written
        self.wakeup = asyncio.Event()
        self.export: Export | None = None

    # ----- the directory -----------------------------------------------------------------------
    async def claim(self, code: str, record: dict[str, Any]) -> bool:
        """Enter a new room, atomically (a Lua script: only if the key is absent); False if taken."""
        if not await self.redis.eval(CLAIM, 1, key("room", code), ROOM_TTL_S, *record_fields(record)):
            return False
        self.owned[code] = dict(record)
        return True

    async def record(self, code: str) -> dict[str, Any] | None:
        """The room's record: this replica's own copy if it runs the room, else Redis's (None if unreachable)."""
        if code in self.owned:
            return dict(self.owned[code])
        try:
            fields = await self.redis.hgetall(key("room", code))
        except REDIS_ERRORS:
            return None
        return {text(name): json.loads(value) for name, value in fields.items()} or None

    async def update(self, code: str, changes: dict[str, Any]) -> None:
        if changes.get("owner") == self.replica and code not in self.owned:
            found = await self.record(code)
            if found is not None:
                self.owned[code] = found
        if code in self.owned:
            self.owned[code].update(changes)
            if self.owned[code]["owner"] != self.replica:
                del self.owned[code]
        await self.guarded(self.redis.eval(UPDATE, 1, key("room", code), *record_fields(changes)))

    async def release(self, code: str) -> None:
        self.owned.pop(code, None)
        self.own_latest.pop(code, None)
        await self.guarded(self.redis.delete(key("room", code), key("followers", code), key("latest", code)))

    async def retire(self, code: str, keep_s: float) -> None:
        """A closed room: counts and cached messages go now; the record stays ``keep_s`` (no longer refreshed)."""
        self.owned.pop(code, None)
        self.own_latest.pop(code, None)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(key("followers", code), key("latest", code))
            pipe.expire(key("room", code), max(1, round(keep_s)))
            await self.guarded(pipe.execute())

    async def count_followers(self, code: str, delta: int) -> int:
        """Add ``delta`` to this replica's count; returns the sum over live replicas (this one's alone if cut off)."""
        own = self.counts[code] = max(0, self.counts.get(code, 0) + delta)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.hset(key("followers", code), self.replica, own)
                pipe.expire(key("followers", code), ROOM_TTL_S)
                pipe.hgetall(key("followers", code))
                counts = {text(name): int(count) for name, count in (await pipe.execute())[-1].items()}
            others = [name for name in counts if name != self.replica]
            alive = await self.redis.mget([key("replica", name) for name in others]) if others else []
        except REDIS_ERRORS:
            return own
        return own + sum(counts[name] for name, is_alive in zip(others, alive, strict=True) if is_alive)

    async def next_student(self, code: str) -> int:
        """The room's next student number, from 1, unique across replicas (INCR); InputError if Redis is away."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.incr(key("students", code))
                pipe.expire(key("students", code), ROOM_TTL_S)
                return int((await pipe.execute())[0])
        except REDIS_ERRORS:
            raise refusal("broker", "error.class.broker_unreachable") from None

    async def students_so_far(self, code: str, at_least: int = 0) -> int:
        """The room's student counter, first raised to ``at_least`` (atomically: a Lua script); ``at_least``
        if Redis is away (the counter itself stays in Redis, so only a restart longer than ROOM_TTL_S needs
        the count a keeper wrote)."""
        try:
            return int(await self.redis.eval(AT_LEAST, 1, key("students", code), at_least, ROOM_TTL_S))
        except REDIS_ERRORS:
            return at_least

    async def keep_student(self, fork_id: str, record: dict[str, Any]) -> None:
        """Remember the student of this fork for the detached TTL (renewed while the fork lives here)."""
        await self.guarded(self.redis.set(key("student", fork_id), json.dumps(record),
                                          ex=int(self.session_ttl_s) + 1))

    async def student_of(self, fork_id: str) -> dict[str, Any] | None:
        """The kept student of this fork; None if none is kept, it is not JSON, or Redis is away."""
        try:
            found = await self.redis.get(key("student", fork_id))
            return None if found is None else dict(json.loads(found))
        except (*REDIS_ERRORS, ValueError, TypeError):
            return None

    # ----- channels ----------------------------------------------------------------------------
    def publish(self, code: str, kind: str, message: Message, *, is_cached: bool = True,
                is_broadcast: bool = True) -> None:
        """Deliver to this replica's subscribers now; queue one encoding for Redis (frames newest-only)."""
        if is_cached and code in self.owned:
            self.own_latest.setdefault(code, {})[kind] = message
        if is_broadcast:
            for subscription in list(self.subscriptions.get(code, ())):
                subscription.offer(kind, message)
        if not self.is_connected:
            return  # the owner republishes its latest messages when the link is back
        queued = (code, kind, encode(kind, message, self.replica), is_cached, is_broadcast)
        if kind == "frame":
            self.frames[code] = queued
        else:
            self.queue.append(queued)
        self.wakeup.set()

    async def write_loop(self) -> None:
        """Write what was published, in one pipeline per wake-up: SET the latest of its kind, PUBLISH."""
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            batch, frames = list(self.queue), list(self.frames.values())
            self.queue.clear()
            self.frames.clear()
            if not self.is_connected:
                continue
            async with self.redis.pipeline(transaction=False) as pipe:
                for code, kind, wire, is_cached, is_broadcast in batch + frames:
                    if is_cached:
                        pipe.hset(key("latest", code), kind, wire)
                        pipe.expire(key("latest", code), ROOM_TTL_S)
                    if is_broadcast:
                        pipe.publish(key("room", code), wire)
                await self.guarded(pipe.execute())  # lost: the link restores the latest state when it is back

    async def latest(self, code: str) -> list[tuple[str, Message]]:
        found = self.own_latest.get(code)
        if found is None:
            try:
                wires = await self.redis.hgetall(key("latest", code))
            except REDIS_ERRORS:
                return []
            found = {kind: message for kind, message, _ in (decode(as_bytes(wire)) for wire in wires.values())}
        return [(kind, found[kind]) for kind in LATEST_ORDER if kind in found]

    async def subscribe(self, code: str, deliver: Deliver, kinds: Any = None) -> Subscription:
        subscription = Subscription(code, deliver, None if kinds is None else frozenset(kinds))
        subscribers = self.subscriptions.setdefault(code, set())
        subscribers.add(subscription)
        if len(subscribers) == 1 and self.pubsub is not None:
            await self.guarded(self.pubsub.subscribe(key("room", code)))
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self.subscriptions.get(subscription.code, set())
        subscribers.discard(subscription)
        if not subscribers and self.subscriptions.pop(subscription.code, None) is not None:
            self.counts.pop(subscription.code, None)
            if self.pubsub is not None:  # in a task: a connection that ends while it unsubscribes is not held up
                self.spawn(self.guarded(self.pubsub.unsubscribe(key("room", subscription.code))))

    def channels(self) -> list[str]:
        return [key("fork", self.replica), *(key("room", code) for code in self.subscriptions)]

    def on_message(self, channel: bytes, wire: bytes) -> None:
        """One message from the pub/sub connection: a fork request to this replica, or a room's message."""
        name = channel.decode()
        if name == key("fork", self.replica):
            self.spawn(self._answer_fork(json.loads(wire)))
            return
        code = name.removeprefix(key("room", ""))
        kind, message, origin = decode(wire)
        if origin == self.replica:
            return  # delivered locally when it was published
        if code in self.owned:
            self.own_latest.setdefault(code, {})[kind] = message
        for subscription in list(self.subscriptions.get(code, ())):
            subscription.offer(kind, message)

    # ----- after a loss, and every REFRESH_S ---------------------------------------------------
    async def restore(self) -> None:
        """Write back what Redis may have lost: this replica's rooms, counts, sessions and latest messages."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(key("replica", self.replica), 1, ex=REPLICA_TTL_S)
            for code, record in self.owned.items():
                pipe.hset(key("room", code), mapping=dict(zip(*[iter(record_fields(record))] * 2, strict=True)))
                pipe.expire(key("room", code), ROOM_TTL_S)
                for kind, message in self.own_latest.get(code, {}).items():
                    wire = encode(kind, message, self.replica)
                    pipe.hset(key("latest", code), kind, wire)
                    pipe.publish(key("room", code), wire)
                pipe.expire(key("latest", code), ROOM_TTL_S)
            for code, count in self.counts.items():
                pipe.hset(key("followers", code), self.replica, count)
                pipe.expire(key("followers", code), ROOM_TTL_S)
            for session_id in self.sessions:
                pipe.set(key("session", session_id), self.replica, ex=int(self.session_ttl_s) + 1)
            await pipe.execute()

    async def greet_again(self) -> None:
        """After a loss: followers of other replicas' rooms get the link notice and the rooms' latest state."""
        for code in list(self.subscriptions):
            if code in self.owned:
                continue
            for kind, message in [("notice", link_notice(False)), *await self.latest(code)]:
                for subscription in list(self.subscriptions.get(code, ())):
                    subscription.offer(kind, message)

    def tell_lost(self) -> None:
        for code, subscribers in self.subscriptions.items():
            if code not in self.owned:
                for subscription in list(subscribers):
                    subscription.offer("notice", link_notice(True))

    async def refresh(self) -> None:
        """Renew every TTL this replica keeps alive; if Redis forgot this replica (a restart), restore all."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(key("replica", self.replica), 1, ex=REPLICA_TTL_S, get=True)
            for code in {*self.owned, *self.counts}:
                for kind in ("room", "latest", "followers", "students"):
                    pipe.expire(key(kind, code), ROOM_TTL_S)
            for session_id in self.sessions:
                pipe.expire(key("session", session_id), int(self.session_ttl_s) + 1)
                pipe.expire(key("student", session_id), int(self.session_ttl_s) + 1)  # a no-op unless a fork's
            was_known = (await pipe.execute())[0] is not None
        if not was_known:
            await self.restore()
            await self.greet_again()

    # ----- sessions and forks ------------------------------------------------------------------
    async def place_session(self, session_id: str) -> None:
        self.sessions.add(session_id)
        await self.guarded(self.redis.set(key("session", session_id), self.replica, ex=int(self.session_ttl_s) + 1))

    async def forget_session(self, session_id: str) -> None:
        self.sessions.discard(session_id)
        await self.guarded(self.redis.delete(key("session", session_id), key("student", session_id)))

    async def session_replica(self, session_id: str) -> str | None:
        try:
            replica = await self.redis.get(key("session", session_id))
        except REDIS_ERRORS:
            return None
        return None if replica is None else text(replica)

    def serve_forks(self, export: Export) -> None:
        self.export = export

    async def request_fork(self, owner: str, code: str) -> dict[str, Any]:
        """Ask the replica that runs the class for its run; InputError("room") if it does not answer in time."""
        reply = key("forkreply", secrets.token_urlsafe(12))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.fork_timeout_s
        try:
            if await self.redis.publish(key("fork", owner), json.dumps({"code": code, "reply": reply})):
                while (left := deadline - loop.time()) > 0:
                    answer = await self.redis.blpop([reply], timeout=min(FORK_POLL_S, left))
                    if answer is not None:
                        found = json.loads(answer[1])
                        if "error" in found:
                            raise InputError(found["error"]["field"], found["error"]["message"],
                                             key=found["error"].get("key"), args=found["error"].get("args"))
                        return dict(found["document"])
        except REDIS_ERRORS:
            pass
        raise refusal("room", "error.class.broker_unreachable")

    async def _answer_fork(self, request: dict[str, Any]) -> None:
        try:
            if self.export is None:
                raise refusal("room", "error.class.broker_unreachable")
            answer: dict[str, Any] = {"document": await self.export(str(request["code"]))}
        except InputError as error:
            answer = {"error": {"field": error.field, "message": error.message, "key": error.key,
                                "args": error.params}}
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.rpush(request["reply"], json.dumps(answer))
            pipe.expire(request["reply"], FORK_REPLY_TTL_S)
            await self.guarded(pipe.execute())
