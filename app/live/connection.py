"""One websocket: origin check, hello, then an owner's or a follower's conversation.

``/ws`` and ``/ws?session=ID`` hold a session (a new one, or the one with that id: a resume
or a takeover; see app/live/registry.py); ``/ws?room=CODE`` follows a class. Reading and
sending are separate tasks, so a client that stops reading only stalls its own sender:
frames for it are replaced, never queued, and a send that takes longer than
``settings.send_timeout_s`` ends the connection (close code 4408 if a close frame can still
reach the client; else app/live/transport.py aborts the transport). Whatever ends it, the session is detached
(not freed) and the follower's place in its room is given back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket
from starlette.requests import HTTPConnection

from app.errors import InputError
from app.i18n import DEFAULT_LANGUAGE, normal_language, refusal
from app.live.broker import Subscription
from app.live.metrics import Metrics
from app.live.outbox import CLOSE_TOO_SLOW, Outbox
from app.live.placement import ELSEWHERE, Placement, shape_of
from app.live.protocol import (
    SERVER_FAULT,
    Command,
    Present,
    SetLanguage,
    error_message,
    options,
    parse_command,
    request_id,
)
from app.live.registry import Lease, Registry
from app.live.rooms import UNREACHABLE_FIELD, Rooms, normal_code, presenting_message, room_state
from app.live.settings import Settings
from app.live.spoken import spoken_options

LOG = logging.getLogger("neuroplay.connection")
RATE_ERROR_INTERVAL_S = 1.0  # a flood gets one `rate` error per this many seconds; the rest are dropped unanswered
CLOSE_POLICY = 1008  # websocket close code: the message broke a rule (origin, flood of unread replies)
CLOSE_FRAME_S = 1.0  # how long the close frame for a stalled client may take; then the transport is aborted
CLOSE_TRY_LATER = 1013  # websocket close code: the server is full, or has no training process
CLOSE_TAKEN_OVER = 4001  # another socket took this session over: the page must not reconnect
CLOSE_ELSEWHERE = 4409  # the session lives on another replica: a new run is not started silently
CLOSE_NO_ROOM = 4404  # no class has that code
CLOSE_TOO_MANY = 4429  # too many wrong codes from this address
CLOSE_RUN_LOST = 1012  # the run's training process died: the page reconnects, and its reload says so
CLOSE_IDLE = 4410  # the page's run, never used, was freed for another while the server was full: no retry
TAKEN_OVER = refusal("session", "error.taken_over")
CLASS_MOVED = "Class {code} now shows a run from another tab or device; this run is no longer presented"
IDLE_FREED = refusal("session", "error.idle_freed")
FORK_OPEN = refusal("fork", "error.fork_open")
NOT_YOURS = refusal("role", "error.not_yours")


@dataclass
class Live:
    """What every connection needs: the settings, the sessions and the rooms."""

    settings: Settings
    registry: Registry
    rooms: Rooms
    metrics: Metrics
    placement: Placement


def origin_allowed(connection: HTTPConnection, settings: Settings) -> bool:
    """Same origin as the page, a listed origin, or no Origin header (a non-browser client)."""
    origin = connection.headers.get("origin")
    if origin is None or origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == connection.headers.get("host")


class RateLimit:
    """A token bucket: ``rate`` commands per second, bursts up to ``rate``.

    A flood is answered cheaply: one ``rate`` error per RATE_ERROR_INTERVAL_S at most, the
    other refused messages are only counted (``dropped``), so a burst never queues replies.
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.tokens = float(rate)
        self.updated = time.monotonic()
        self.answered_at = -RATE_ERROR_INTERVAL_S  # when a `rate` error was last sent
        self.dropped = 0  # refused messages not answered since then

    def should_answer(self) -> bool:
        """Whether a refused message gets its `rate` error (at most one per interval); else it is dropped."""
        now = time.monotonic()
        if now - self.answered_at < RATE_ERROR_INTERVAL_S:
            self.dropped += 1
            return False
        self.answered_at, self.dropped = now, 0
        return True

    def allow(self) -> bool:
        """Take a token if one is left."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def hello(settings: Settings, session_id: str | None, role: str, resume: str, *,
          is_paused_away: bool = False, room: dict[str, Any] | None = None, language: str = DEFAULT_LANGUAGE) -> str:
    return json.dumps({"type": "hello", "session_id": session_id, "role": role, "resume": resume,
                       "paused_while_away": is_paused_away, "room": room, "language": language,
                       **options(settings, language)})


def language_of(websocket: WebSocket) -> str:
    """The language of this socket's server-made texts (``?lang=`` on /ws, then ``set_language``)."""
    return str(getattr(websocket.state, "language", DEFAULT_LANGUAGE))


def language_message(settings: Settings, language: str) -> str:
    """The ``language`` message: the server's words (settings' labels and help, option names) in ``language``."""
    return json.dumps({"type": "language", "language": language,
                       **spoken_options(options(settings), language)})


def class_moved_notice(code: str) -> str:
    """What a presenter is told when the holder of its class's secret presents another run with the code."""
    return json.dumps({"type": "notice", "topic": "class_moved", "code": code,
                       "message": CLASS_MOVED.format(code=code)})


def join_base(websocket: WebSocket, settings: Settings) -> str:
    """Where the class reaches this server: NEUROPLAY_PUBLIC_URL, or the address the page was opened at."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    return f"{scheme}://{websocket.headers.get('host', 'localhost')}{settings.base_path}"


async def serve(websocket: WebSocket, live: Live) -> None:
    """Run one connection until the client leaves or stalls."""
    if not origin_allowed(websocket, live.settings):
        await websocket.close(code=CLOSE_POLICY)
        return
    await websocket.accept()
    websocket.state.language = normal_language(websocket.query_params.get("lang")) or DEFAULT_LANGUAGE
    code = websocket.query_params.get("room")
    if code is not None:
        await _follow(websocket, live, code)
    else:
        await _own(websocket, live, websocket.query_params.get("session") or None)


async def _own(websocket: WebSocket, live: Live, session_id: str | None) -> None:
    if await live.placement.is_elsewhere(session_id):
        await websocket.send_text(error_message(ELSEWHERE, None, None, language_of(websocket)))
        await websocket.close(code=CLOSE_ELSEWHERE)
        return
    outbox = live.metrics.outbox()
    language = language_of(websocket)
    lease = Lease(outbox, on_taken_over=lambda: outbox.close(CLOSE_TAKEN_OVER,
                                                             error_message(TAKEN_OVER, language=language)),
                  on_freed=lambda reason: outbox.close(*((CLOSE_RUN_LOST, None) if reason == "lost" else (
                      CLOSE_IDLE, error_message(IDLE_FREED, language=language)))))
    try:
        opened = await live.registry.open(session_id, lease, client_address(websocket))
    except InputError as error:  # no training process to put a new session on
        opened, refused = None, error
    else:
        refused = refusal("sessions", "error.server_full", max=live.settings.max_sessions)
    if opened is None:
        await websocket.send_text(error_message(refused, None, None, language))
        await websocket.close(code=CLOSE_TRY_LATER)
        return
    runner, rooms = opened.runner, live.rooms
    await live.placement.place(runner.id)
    watching: list[Subscription] = []  # the presenter's view of its room's announcements

    def on_room(_: str, message: str | bytes) -> None:
        """The room's announcements; once its code was moved to another run (by its secret's holder), a notice."""
        if not watching or rooms.room_of(runner.id) is not None or not json.loads(message).get("is_open"):
            outbox.put(message)
            return
        outbox.put(class_moved_notice(watching[0].code))
        live.registry.spawn(rooms.broker.unsubscribe(watching.pop()))

    async def watch_room(code: str) -> None:
        if not watching:
            watching.append(await rooms.watch(code, on_room))

    async def handle(command: Command) -> None:
        live.registry.touch(runner.id)
        match command:
            case Present(code=code, secret=secret):
                room, new_secret = await rooms.present(runner.id, join_base(websocket, live.settings), code, secret)
                outbox.put(presenting_message(room.code, new_secret))
                await watch_room(room.code)
                await rooms.announce(room.code)
            case _ if command.type == "end_class":
                await rooms.end(runner.id)
                while watching:
                    await rooms.broker.unsubscribe(watching.pop())
            case _ if command.type == "fork":
                raise refusal("role", "error.fork_own")
            case _:
                await runner.execute(command)

    try:
        room = rooms.room_of(runner.id)
        record = None if room is None else await rooms.broker.record(room.code)
        outbox.put(hello(live.settings, runner.id, "owner", opened.resume, is_paused_away=opened.is_paused_away,
                         room=None if room is None or record is None else room_state(room.code, record, 0),
                         language=language))
        runner.subscribe(outbox)
        if room is not None:
            outbox.put(presenting_message(room.code, None))
            await watch_room(room.code)
            await rooms.announce(room.code)
        await _converse(websocket, outbox, live, handle)
    finally:  # detach first, before anything that could wait: a cancelled task stops at its next await
        runner.unsubscribe(outbox)
        live.registry.detach(runner, lease)
        for subscription in watching:
            await rooms.broker.unsubscribe(subscription)


def client_address(websocket: WebSocket) -> str:
    """The client's address (the proxy's view of it, when one is trusted): what per-address limits count."""
    return websocket.client.host if websocket.client else "unknown"


async def _follow(websocket: WebSocket, live: Live, code: str) -> None:
    client = client_address(websocket)
    try:
        record = await live.rooms.find(code, client)
    except InputError as error:
        await websocket.send_text(error_message(error, None, None, language_of(websocket)))
        await websocket.close(code=CLOSE_TOO_MANY if error.field == "rate"
                              else CLOSE_TRY_LATER if error.field == UNREACHABLE_FIELD else CLOSE_NO_ROOM)
        return
    code = normal_code(code)
    outbox = live.metrics.outbox(live.settings.follower_queue_bytes)
    subscription: Subscription | None = None
    forks: list[str] = []  # this follower's copy: a second fork replaces it while no page holds it

    async def handle(command: Command) -> None:
        if command.type != "fork":
            raise NOT_YOURS
        document = await live.rooms.export_for_fork(code)
        previous = live.registry.entries.get(forks.pop()) if forks else None
        if previous is not None and previous.lease is not None:
            forks.append(previous.runner.id)
            raise FORK_OPEN
        if previous is not None:
            await live.registry.close(previous.runner)
        fork = await live.registry.create(client=client, is_fork=True, shape=shape_of(document))
        if fork is None:
            raise refusal("sessions", "error.server_full", max=live.settings.max_sessions)
        try:
            await fork.import_document(document)
        except InputError:
            await live.registry.close(fork)
            raise
        await live.placement.place(fork.id)
        live.registry.detach(fork, None)  # kept until the page opens it with /ws?session=ID
        forks.append(fork.id)
        outbox.put(json.dumps({"type": "forked", "session_id": fork.id}))

    try:
        outbox.put(hello(live.settings, None, "follower", "new", room=room_state(code, record, 0),
                         language=language_of(websocket)))
        subscription = await live.rooms.follow(
            code, lambda kind, message: outbox.put_frame(message) if kind == "frame"  # type: ignore[arg-type]
            else outbox.put_latest(kind, message))
        await _converse(websocket, outbox, live, handle)
    except InputError as error:  # the class is full
        outbox.put(error_message(error, None, None, language_of(websocket)))
        outbox.close(CLOSE_NO_ROOM)
        await _send(websocket, outbox, live)
    finally:
        if subscription is not None:
            await live.rooms.leave(subscription)


async def _converse(websocket: WebSocket, outbox: Outbox, live: Live,
                    handle: Callable[[Command], Awaitable[None]]) -> None:
    """Receive and send until either side ends (the client left, broke a rule, or stopped reading)."""
    tasks = [asyncio.create_task(_receive(websocket, outbox, live, handle)),
             asyncio.create_task(_send(websocket, outbox, live))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _send(websocket: WebSocket, outbox: Outbox, live: Live) -> None:
    while True:
        for message in await outbox.take():
            live.metrics.sent_bytes.inc(len(message) if isinstance(message, bytes) else len(message.encode()))
            sending = websocket.send_bytes(message) if isinstance(message, bytes) else websocket.send_text(message)
            try:
                await asyncio.wait_for(sending, live.settings.send_timeout_s)
            except TimeoutError:  # a reader that stalls is let go: with a close code if one can still reach it
                with contextlib.suppress(Exception):  # timed out, or the socket is gone already
                    await asyncio.wait_for(websocket.close(code=CLOSE_TOO_SLOW), CLOSE_FRAME_S)
                return
        if outbox.close_code is not None:
            await websocket.close(code=outbox.close_code)
            return


async def _receive(websocket: WebSocket, outbox: Outbox, live: Live,
                   handle: Callable[[Command], Awaitable[None]]) -> None:
    settings = live.settings
    limit = RateLimit(settings.max_commands_per_second)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if outbox.is_overflowing:  # it sends but never reads: stop buffering for it
            await websocket.close(code=CLOSE_POLICY)
            return
        text = message.get("text")
        raw = text if text is not None else message.get("bytes") or b""
        command_type = None
        if not limit.allow():  # text or binary alike
            live.metrics.refused("rate")
            if limit.should_answer():
                outbox.put(error_message(refusal("rate", "error.rate", max=settings.max_commands_per_second),
                                         None, request_id(raw), language_of(websocket)))
            continue
        try:
            if text is None:
                raise refusal("message", "error.binary")
            command = parse_command(text, settings.max_message_bytes)
            command_type = command.type
            if isinstance(command, SetLanguage):  # this socket's own words, whoever holds it: owner or follower
                websocket.state.language = command.language
                outbox.put(language_message(settings, command.language))
            else:
                await handle(command)
        except InputError as error:
            live.metrics.refused(error.field)
            outbox.put(error_message(error, command_type, request_id(raw), language_of(websocket)))
        except Exception:  # a fault of ours: log it and answer, and the socket and the run go on
            LOG.exception("a %s command failed", command_type)
            live.metrics.refused(SERVER_FAULT.field)
            outbox.put(error_message(SERVER_FAULT, command_type, request_id(raw), language_of(websocket)))
