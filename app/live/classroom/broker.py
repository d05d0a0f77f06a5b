"""Broker: the room directory and the rooms' channels, behind one interface.

A room's frames and messages are published once, by the process that runs the presenter's
session, and every process with followers of the room delivers the same bytes to its own
followers. The broker also keeps, per room, the latest message of each kind (session,
dataset, history, room, frame), so a late joiner starts from the room's present state, and
the directory record of each room (its session, owner, secret hash, presenter status).

``LocalBroker`` does all of it inside one process (the default). ``app.live.classroom.redis_broker``
does the same through Redis, for several server processes (replicas) behind a load balancer;
it also says which replica holds a session (``session_replica``) and carries a follower's
``fork`` to the replica that runs the class (``request_fork`` there, ``serve_forks`` here).
It keeps, by a fork's session id, the student the fork belongs to (``keep_student``, ``student_of``),
so a "back to class" socket that reaches another replica is the same student; the record goes
when the fork's session is forgotten (``forget_session``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.i18n import DEFAULT_LANGUAGE, translate

Message = str | bytes
Deliver = Callable[[str, Message], None]  # (kind, message) → None; must not block
Export = Callable[[str], Awaitable[dict[str, Any]]]  # join code → the class's run as an experiment document
# how a late joiner is greeted: the newest message of each kind, in this order
LATEST_ORDER = ("session", "dataset", "history", "room", "lesson", "lesson_progress", "frame")
LINK_LOST = "class.notice.link_lost"  # a follower's replica cannot reach the broker
LINK_RESTORED = "class.notice.link_restored"


def link_notice(is_lost: bool) -> str:
    """The ``notice`` a follower gets when its replica loses (or regains) the class's broker."""
    key = LINK_LOST if is_lost else LINK_RESTORED
    return json.dumps({"type": "notice", "topic": "class_link", "state": "lost" if is_lost else "restored",
                       "message": translate(DEFAULT_LANGUAGE, key), "key": key, "args": {}})


@dataclass(eq=False)
class Subscription:
    """One local subscriber of one room's channel."""

    code: str
    deliver: Deliver
    kinds: frozenset[str] | None = None  # None: every kind

    def offer(self, kind: str, message: Message) -> None:
        if self.kinds is None or kind in self.kinds:
            self.deliver(kind, message)


class Broker(Protocol):
    """What rooms need from the broker, whichever it is."""

    replica: str  # this process's name in the directory
    is_connected: bool  # the broker is reachable (always true in-process)

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def claim(self, code: str, record: dict[str, Any]) -> bool: ...
    async def record(self, code: str) -> dict[str, Any] | None: ...
    async def update(self, code: str, changes: dict[str, Any]) -> None: ...
    async def release(self, code: str) -> None: ...
    async def retire(self, code: str, keep_s: float) -> None: ...
    async def count_followers(self, code: str, delta: int) -> int: ...
    async def next_student(self, code: str) -> int: ...
    async def students_so_far(self, code: str, at_least: int = 0) -> int: ...
    async def keep_student(self, fork_id: str, record: dict[str, Any]) -> None: ...
    async def student_of(self, fork_id: str) -> dict[str, Any] | None: ...
    def publish(self, code: str, kind: str, message: Message, *, is_cached: bool = True,
                is_broadcast: bool = True) -> None: ...
    async def latest(self, code: str) -> list[tuple[str, Message]]: ...
    async def subscribe(self, code: str, deliver: Deliver, kinds: Iterable[str] | None = None) -> Subscription: ...
    async def unsubscribe(self, subscription: Subscription) -> None: ...
    async def place_session(self, session_id: str) -> None: ...
    async def forget_session(self, session_id: str) -> None: ...
    async def session_replica(self, session_id: str) -> str | None: ...
    def serve_forks(self, export: Export) -> None: ...
    async def request_fork(self, owner: str, code: str) -> dict[str, Any]: ...


@dataclass
class _Channel:
    subscriptions: set[Subscription] = field(default_factory=set)
    latest: dict[str, Message] = field(default_factory=dict)


class LocalBroker:
    """The broker of a single server process: dictionaries and direct calls."""

    def __init__(self, replica: str = "local") -> None:
        self.replica = replica
        self.is_connected = True
        self.records: dict[str, dict[str, Any]] = {}
        self.expiries: dict[str, float] = {}  # by code: when a closed room's record is forgotten (monotonic)
        self.followers: dict[str, int] = {}
        self.channels: dict[str, _Channel] = {}
        self.students: dict[str, int] = {}  # by code: students numbered so far
        self.fork_students: dict[str, dict[str, Any]] = {}  # by a fork's session id: its student's record

    async def start(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        self.channels.clear()

    async def claim(self, code: str, record: dict[str, Any]) -> bool:
        """Enter a new room in the directory; False if the code is taken (a closed room's, too, until it expires)."""
        self._forget_expired()
        if code in self.records:
            return False
        self.records[code] = dict(record)
        return True

    async def record(self, code: str) -> dict[str, Any] | None:
        self._forget_expired()
        record = self.records.get(code)
        return None if record is None else dict(record)

    async def update(self, code: str, changes: dict[str, Any]) -> None:
        if code in self.records:
            self.records[code].update(changes)
            if changes.get("is_open"):
                self.expiries.pop(code, None)  # reopened: kept while it lives

    async def release(self, code: str) -> None:
        """Forget the room: its record, its count and its cached messages (subscribers stay until they leave)."""
        self.records.pop(code, None)
        self.expiries.pop(code, None)
        self._drop_live_state(code)

    async def retire(self, code: str, keep_s: float) -> None:
        """A closed room: its count and cached messages go now, its record in ``keep_s`` (so it can be reopened)."""
        if code in self.records:
            self.expiries[code] = time.monotonic() + keep_s
        self._drop_live_state(code)

    def _drop_live_state(self, code: str) -> None:
        self.followers.pop(code, None)
        channel = self.channels.get(code)
        if channel is not None:
            channel.latest.clear()

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for code in [code for code, until in self.expiries.items() if until <= now]:
            del self.expiries[code]
            self.records.pop(code, None)

    async def count_followers(self, code: str, delta: int) -> int:
        """Add ``delta`` to the room's follower count; returns the new total."""
        total = max(0, self.followers.get(code, 0) + delta)
        self.followers[code] = total
        return total

    async def next_student(self, code: str) -> int:
        """The room's next student number, from 1."""
        self.students[code] = self.students.get(code, 0) + 1
        return self.students[code]

    async def students_so_far(self, code: str, at_least: int = 0) -> int:
        """How many students the room has numbered, first raised to ``at_least`` (a kept student's number)."""
        self.students[code] = max(self.students.get(code, 0), at_least)
        return self.students[code]

    async def keep_student(self, fork_id: str, record: dict[str, Any]) -> None:
        """Remember the student of this fork (``Student.record``) until the fork's session is forgotten."""
        self.fork_students[fork_id] = dict(record)

    async def student_of(self, fork_id: str) -> dict[str, Any] | None:
        found = self.fork_students.get(fork_id)
        return None if found is None else dict(found)

    def publish(self, code: str, kind: str, message: Message, *, is_cached: bool = True,
                is_broadcast: bool = True) -> None:
        """Hand one message to every subscriber of the room (the same object to all); keep the latest."""
        if not is_cached and code not in self.channels:
            return  # nobody listens, and nothing is kept
        channel = self.channels.setdefault(code, _Channel())
        if is_cached:
            channel.latest[kind] = message
        if is_broadcast:
            for subscription in list(channel.subscriptions):
                subscription.offer(kind, message)

    async def latest(self, code: str) -> list[tuple[str, Message]]:
        channel = self.channels.get(code)
        if channel is None:
            return []
        return [(kind, channel.latest[kind]) for kind in LATEST_ORDER if kind in channel.latest]

    async def subscribe(self, code: str, deliver: Deliver, kinds: Iterable[str] | None = None) -> Subscription:
        subscription = Subscription(code, deliver, None if kinds is None else frozenset(kinds))
        self.channels.setdefault(code, _Channel()).subscriptions.add(subscription)
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        channel = self.channels.get(subscription.code)
        if channel is None:
            return
        channel.subscriptions.discard(subscription)
        if not channel.subscriptions and not channel.latest:
            del self.channels[subscription.code]

    async def place_session(self, session_id: str) -> None:
        """Every session is in this process: nothing to record."""

    async def forget_session(self, session_id: str) -> None:
        """Only its student, if it is a fork, was recorded."""
        self.fork_students.pop(session_id, None)

    async def session_replica(self, session_id: str) -> str | None:
        return None  # no other process holds sessions

    def serve_forks(self, export: Export) -> None:
        """Forks are exported in this process (``Rooms.export_for_fork``): no requests come in."""

    async def request_fork(self, owner: str, code: str) -> dict[str, Any]:
        raise LookupError(f"no replica {owner!r} in a single-process server")  # every room's owner is this one
