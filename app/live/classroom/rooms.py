"""Rooms: one run presented to a class, followed live by many sockets.

A room belongs to the presenter's session and to the process that runs it. Its join code
is public; its presenter secret is not (only its hash is kept, in the directory). The
runner encodes one follower frame per frame interval into a ``RoomFeed``, which publishes
it once on the room's channel; every process with followers of the room hands the same
bytes to each of them (``Broker``). A room ends when the presenter ends it or when the
presenter's session is freed; its followers are told and keep any fork they made. When its
session's training process dies, the room ends with ``"presenter": "lost"``, so followers know
the presenter must present again. A presented run is never freed to make room for another
session; one client address presents at most ``settings.max_rooms_per_client`` rooms, and when the
server presents ``settings.max_rooms`` (or an address its share), a room (of that address) whose
presenter has been gone for ``settings.room_reclaim_s`` is ended to make room for a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.errors import InputError
from app.i18n import refusal
from app.live.classroom.broker import Broker, Deliver, Subscription
from app.live.classroom.students import pace_channel
from app.live.encoder import message_type
from app.live.outbox import Outbox
from app.live.protocol import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from app.live.registry import Registry
from app.live.settings import Settings

LOG = logging.getLogger("neuroplay.rooms")
SECRET_BYTES = 24  # random bytes in a presenter secret
CODE_TRIES = 20  # fresh codes tried before giving up (31^6 codes: a clash is already rare)
TRACKED_CLIENTS = 10_000  # client addresses whose wrong codes are remembered, newest first
FAILURE_WINDOW_S = 60.0  # wrong codes count against an address for this long
UNREACHABLE_FIELD = "broker"  # the error field of a join that could not look its code up: try again later
ANNOUNCE_INTERVAL_S = 0.25  # follower counts go out at most this often: 400 joins, not 80,000 room messages


def new_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normal_code(code: str) -> str:
    """The code as stored: upper case; raises InputError if it cannot be a join code."""
    upper = code.strip().upper()
    if len(upper) != JOIN_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in upper):
        raise refusal("room", "error.class.code_form", length=JOIN_CODE_LENGTH)
    return upper


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class FailureWindow:
    """Wrong join codes per client address within the last FAILURE_WINDOW_S, in bounded memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, client: str) -> deque[float]:
        times = self.failures.setdefault(client, deque())
        self.failures.move_to_end(client)
        while len(self.failures) > TRACKED_CLIENTS:
            self.failures.popitem(last=False)
        now = time.monotonic()
        while times and now - times[0] > FAILURE_WINDOW_S:
            times.popleft()
        return times

    def check(self, client: str) -> None:
        """Raise InputError("rate") if this address has used up its wrong codes."""
        if len(self._recent(client)) >= self.limit:
            raise refusal("rate", "error.class.rate", max=self.limit)

    def add(self, client: str) -> None:
        self._recent(client).append(time.monotonic())


class RoomFeed(Outbox):
    """Where a presenting runner writes what the class sees: published once on the room's channel."""

    def __init__(self, broker: Broker, code: str) -> None:
        super().__init__()
        self.broker = broker
        self.code = code

    def put(self, message: str | bytes) -> None:
        self.broker.publish(self.code, message_type(message), message)

    def put_frame(self, frame: bytes) -> None:
        self.broker.publish(self.code, "frame", frame)

    def keep(self, message: str | bytes) -> None:
        self.broker.publish(self.code, message_type(message), message, is_broadcast=False)


@dataclass
class Room:
    """A room this process runs: its code and the presenter's session."""

    code: str
    session_id: str
    feed: RoomFeed


class Rooms:
    """The rooms of this process, and joining any room the broker knows."""

    def __init__(self, settings: Settings, broker: Broker, registry: Registry) -> None:
        self.settings = settings
        self.broker = broker
        self.registry = registry
        self.rooms: dict[str, Room] = {}  # by code: the rooms whose presenter runs here
        self.failures = FailureWindow(settings.max_join_failures_per_minute)
        self.local_followers = 0  # sockets of this process that follow a class
        self.announcing: set[str] = set()  # rooms whose follower count is about to be announced
        registry.listeners.append(self)
        registry.keepers.append(lambda session_id: self.room_of(session_id) is not None)
        broker.serve_forks(self.export_for_fork)  # another replica's follower forks a class run here

    def room_of(self, session_id: str) -> Room | None:
        return next((room for room in self.rooms.values() if room.session_id == session_id), None)

    def _take_room(self, session_id: str) -> Room | None:
        """The session's room, no longer this process's to run."""
        room = self.room_of(session_id)
        return None if room is None else self.rooms.pop(room.code)

    # ----- the presenter's side --------------------------------------------------------------
    async def present(self, session_id: str, join_base: str, code: str | None = None,
                      secret: str | None = None) -> tuple[Room, str | None]:
        """The session's room, opened now if it has none; returns it and its new secret (None if not new).

        With ``code`` and ``secret``, reopen that room (its presenter's run was lost) for this session.
        """
        room = self.room_of(session_id)
        if room is not None:
            return room, None
        await self._take_share(session_id)
        if len(self.rooms) >= self.settings.max_rooms and not await self._reclaim():
            raise refusal("rooms", "error.class.server_full", max=self.settings.max_rooms)
        if code is not None:
            return await self._reopen(session_id, normal_code(code), secret or "", join_base)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        record = {"session_id": session_id, "owner": self.broker.replica, "secret_hash": secret_hash(secret),
                  "presenter": "connected", "is_open": True}
        for _ in range(CODE_TRIES):
            code = new_code()
            if await self.broker.claim(code, {**record, "join_url": f"{join_base}/join/{code}"}):
                return await self._start(code, session_id), secret
        raise refusal("rooms", "error.class.no_code")

    async def _take_share(self, session_id: str) -> None:
        """Room within the presenter's address's share: its own class whose presenter has been gone
        ``settings.room_reclaim_s`` ends first, as when the server is full; else InputError("rooms")."""
        client = self.registry.client_of(session_id)
        limit = self.settings.max_rooms_per_client
        mine = [room for room in self.rooms.values() if self.registry.client_of(room.session_id) == client]
        if len(mine) >= limit and not await self._reclaim(mine):
            raise refusal("rooms", "error.class.address_full", max=limit)

    async def _reclaim(self, among: list[Room] | None = None) -> bool:
        """End the room (of ``among``, else of all) whose presenter has been gone longest, if for
        ``settings.room_reclaim_s`` at least."""
        now = asyncio.get_running_loop().time()
        gone: list[tuple[float, Room]] = []
        for room in self.rooms.values() if among is None else among:
            entry = self.registry.entries.get(room.session_id)
            away_since = now - self.settings.room_reclaim_s - 1.0 if entry is None else entry.detached_at
            if away_since is not None and now - away_since >= self.settings.room_reclaim_s:
                gone.append((away_since, room))
        if not gone:
            return False
        room = min(gone, key=lambda pair: pair[0])[1]
        self.rooms.pop(room.code)
        runner = self.registry.get(room.session_id)
        if runner is not None:
            with contextlib.suppress(InputError):
                await runner.set_feed(None)
        await self._close(room.code)
        return True

    async def _reopen(self, session_id: str, code: str, secret: str, join_base: str) -> tuple[Room, str | None]:
        """Move a class to this session: its presenter's run was lost, or the presenter shows another run."""
        record = await self.broker.record(code)
        if record is None or not hmac.compare_digest(record["secret_hash"], secret_hash(secret)):
            raise refusal("secret", "error.class.secret")
        old = self.rooms.pop(code, None)
        runner = None if old is None else self.registry.get(old.session_id)
        if runner is not None:
            with contextlib.suppress(InputError):  # a lost run cannot be told
                await runner.set_feed(None)
        await self.broker.update(code, {"session_id": session_id, "owner": self.broker.replica,
                                        "presenter": "connected", "is_open": True,
                                        "join_url": f"{join_base}/join/{code}"})
        return await self._start(code, session_id), None

    async def adopt(self, code: str, record: dict[str, Any]) -> Room:
        """Open again a class kept across a restart (app/live/keeper.py): same code, same secret, the
        presenter's session revived and detached, so the class waits for the presenter's reload."""
        fresh = {**record, "owner": self.broker.replica, "presenter": "reconnecting", "is_open": True,
                 "spotlight": None, "tiles": False}  # the forks a spotlight or tiles came from did not come back
        if not await self.broker.claim(code, fresh):  # Redis may still hold it, from before a crash
            await self.broker.update(code, fresh)
        return await self._start(code, record["session_id"])

    async def _start(self, code: str, session_id: str) -> Room:
        room = self.rooms[code] = Room(code, session_id, RoomFeed(self.broker, code))
        runner = self.registry.get(session_id)
        if runner is not None:
            await runner.set_feed(room.feed)
        await self.announce(code)
        LOG.info("class %s opened", code)
        return room

    async def end(self, session_id: str) -> None:
        """End the session's room: followers are told it is closed."""
        room = self._take_room(session_id)
        if room is None:
            raise refusal("room", "error.class.not_presented")
        runner = self.registry.get(session_id)
        if runner is not None:
            await runner.set_feed(None)
        await self._close(room.code)

    async def _close(self, code: str, presenter: str | None = None) -> None:
        """Followers are told (with ``presenter`` "lost" when its run died); the record is kept for the
        detached TTL, so its presenter may reopen the code."""
        await self.broker.update(code, {"is_open": False} if presenter is None else {"is_open": False,
                                                                                     "presenter": presenter})
        await self.announce(code)
        self.broker.publish(pace_channel(code), "pace", json.dumps({"type": "closed", "code": code}), is_cached=False)
        await self.broker.retire(code, self.settings.detached_ttl_s)
        LOG.info("class %s ended", code)

    # ----- followers -------------------------------------------------------------------------
    async def find(self, code: str, client: str) -> dict[str, Any]:
        """The directory record of the open room with this code; wrong codes count against the client."""
        self.failures.check(client)
        try:
            record = await self.broker.record(normal_code(code))
        except InputError:
            record = None
        if record is None and not self.broker.is_connected:  # not the code's fault: no failure counted
            raise refusal(UNREACHABLE_FIELD, "error.class.unreachable")
        if record is not None and record.get("presenter") == "lost":
            raise refusal("room", "error.class.run_lost")
        if record is None or not record.get("is_open"):
            self.failures.add(client)
            raise refusal("room", "error.class.unknown", code=repr(code.strip().upper()[:12]))
        return record

    async def follow(self, code: str, deliver: Deliver) -> Subscription:
        """Subscribe a follower: the room's latest messages first, then everything it publishes."""
        code = normal_code(code)
        total = await self.broker.count_followers(code, 0)
        if total >= self.settings.max_followers_per_room:
            raise refusal("followers", "error.class.followers_full", max=self.settings.max_followers_per_room)
        subscription = await self.broker.subscribe(code, deliver)
        for kind, message in await self.broker.latest(code):
            deliver(kind, message)
        await self.broker.count_followers(code, +1)
        self.local_followers += 1
        self.announce_soon(code)
        return subscription

    async def leave(self, subscription: Subscription) -> None:
        """Give the follower's place back, in a task of its own: a connection cancelled as it ends still does."""
        self.local_followers -= 1
        self.registry.spawn(self._leave(subscription))

    async def _leave(self, subscription: Subscription) -> None:
        await self.broker.unsubscribe(subscription)
        if await self.broker.record(subscription.code) is not None:
            await self.broker.count_followers(subscription.code, -1)
            self.announce_soon(subscription.code)

    async def watch(self, code: str, deliver: Deliver, kinds: Iterable[str] = ("room",)) -> Subscription:
        """A presenter's subscription to its own room's announcements."""
        return await self.broker.subscribe(code, deliver, kinds)

    def announce_soon(self, code: str) -> None:
        """Announce the follower count within ANNOUNCE_INTERVAL_S, once for every join and leave in it."""
        if code not in self.announcing:
            self.announcing.add(code)
            self.registry.spawn(self._announce_later(code))

    async def _announce_later(self, code: str) -> None:
        try:
            await asyncio.sleep(ANNOUNCE_INTERVAL_S)
        finally:
            self.announcing.discard(code)
        await self.announce(code)

    async def announce(self, code: str) -> None:
        """Publish the room's state (``room`` message) from the directory record and the follower count."""
        record = await self.broker.record(code)
        if record is None:
            return
        self.broker.publish(code, "room", room_message(code, record, await self.broker.count_followers(code, 0)))

    async def export_for_fork(self, code: str) -> dict[str, Any]:
        """The presenter's run for a follower's private copy: ``{"document": the experiment, "lesson": the
        open lesson's kept state or None}`` (the copy carries the presenter's lesson at its step).

        A class that another replica runs is asked for it through the broker (InputError("room")
        when that replica does not answer within ``settings.fork_timeout_s``).
        """
        record = await self.broker.record(normal_code(code))
        if record is None or not record.get("is_open"):
            raise refusal("room", "error.class.ended")
        if record["owner"] != self.broker.replica:
            return await self.broker.request_fork(record["owner"], normal_code(code))
        runner = self.registry.get(record["session_id"])
        if runner is None:
            raise refusal("room", "error.class.run_unreachable")
        return await runner.fork_copy()

    # ----- what the registry tells -----------------------------------------------------------
    def on_detached(self, session_id: str) -> None:
        self._presenter_is(session_id, "reconnecting")

    def on_attached(self, session_id: str) -> None:
        self._presenter_is(session_id, "connected")

    def on_freed(self, session_id: str) -> None:
        room = self._take_room(session_id)
        if room is not None:
            self.registry.spawn(self._close(room.code))

    def on_lost(self, session_id: str) -> None:
        """The presenter's run died with its training process: the class ends, saying so."""
        room = self._take_room(session_id)
        if room is not None:
            self.registry.spawn(self._close(room.code, "lost"))

    def _presenter_is(self, session_id: str, state: str) -> None:
        room = self.room_of(session_id)
        if room is not None:
            self.registry.spawn(self._set_presenter(room.code, state))

    async def _set_presenter(self, code: str, state: str) -> None:
        await self.broker.update(code, {"presenter": state})
        await self.announce(code)


def room_state(code: str, record: dict[str, Any], followers: int) -> dict[str, Any]:
    """The public ``room`` message as a dict: never the secret or the presenter's session id."""
    return {
        "type": "room", "code": code, "join_path": f"/join/{code}", "join_url": record.get("join_url", ""),
        "qr_path": f"/api/rooms/{code}/qr.svg", "followers": followers,
        "presenter": record.get("presenter", "connected"), "is_open": bool(record.get("is_open")),
        "spotlight": None if not record.get("spotlight") else {"alias": record["spotlight"]["alias"]},
    }


def room_message(code: str, record: dict[str, Any], followers: int) -> str:
    """The public ``room`` message (``room_state``) as JSON text."""
    return json.dumps(room_state(code, record, followers))


def presenting_message(code: str, secret: str | None) -> str:
    """The presenter's own ``presenting`` message; the secret only when the room is new (null on a resume)."""
    return json.dumps({"type": "presenting", "code": code, "secret": secret})

