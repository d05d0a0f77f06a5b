"""One websocket: origin check, hello, then an owner's or a follower's conversation.

``/ws`` and ``/ws?session=ID`` hold a session (a new one, or the one with that id: a resume
or a takeover; see app/live/registry.py); ``/ws?room=CODE`` follows a class (``&fork=ID``: as the
student whose copy that is). A presenter's socket has the class view (app/live/classroom/mosaic.py),
a student's its place in the roster (app/live/classroom/roster.py). Reading and sending
(app/live/conversation.py) are separate tasks, so a client that stops reading only stalls its own sender:
frames for it are replaced, never queued, and a send that takes longer than
``settings.send_timeout_s`` ends the connection (close code 4408 if a close frame can still
reach the client; else app/live/transport.py aborts the transport). Whatever ends it, the session is detached
(not freed) and the follower's place in its room is given back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket
from starlette.requests import HTTPConnection

from app.errors import InputError
from app.i18n import DEFAULT_LANGUAGE, normal_language, refusal, translate
from app.live.classroom.broker import Subscription
from app.live.classroom.mosaic import ClassView
from app.live.classroom.placement import ELSEWHERE, Placement, shape_of
from app.live.classroom.rooms import UNREACHABLE_FIELD, Rooms, normal_code, presenting_message, room_state
from app.live.classroom.roster import NOT_A_STUDENT, Roster
from app.live.classroom.students import Student
from app.live.conversation import CLOSE_POLICY, converse, language_of, send_all
from app.live.lesson_desk import fork_start
from app.live.metrics import Metrics
from app.live.protocol import (
    STUDENT_COMMANDS,
    TEACHER_COMMANDS,
    Command,
    Present,
    RaiseHand,
    SetName,
    error_message,
    options,
)
from app.live.registry import Lease, LiveRunner, Registry
from app.live.settings import Settings

LOG = logging.getLogger("neuroplay.connection")
CLOSE_TRY_LATER = 1013  # websocket close code: the server is full, or has no training process
CLOSE_TAKEN_OVER = 4001  # another socket took this session over: the page must not reconnect
CLOSE_ELSEWHERE = 4409  # the session lives on another replica: a new run is not started silently
CLOSE_NO_ROOM = 4404  # no class has that code
CLOSE_TOO_MANY = 4429  # too many wrong codes from this address
CLOSE_RUN_LOST = 1012  # the run's training process died: the page reconnects, and its reload says so
CLOSE_IDLE = 4410  # the page's run, never used, was freed for another while the server was full: no retry
TAKEN_OVER = refusal("session", "error.taken_over")
CLASS_MOVED = "class.notice.class_moved"
IDLE_FREED = refusal("session", "error.idle_freed")
FORK_OPEN = refusal("fork", "error.fork_open")
NOT_TEACHER = refusal("role", "error.class.not_teacher")
NOT_YOURS = refusal("role", "error.not_yours")


@dataclass
class Live:
    """What every connection needs: the settings, the sessions and the rooms."""

    settings: Settings
    registry: Registry
    rooms: Rooms
    metrics: Metrics
    placement: Placement
    roster: Roster


def origin_allowed(connection: HTTPConnection, settings: Settings) -> bool:
    """Same origin as the page, a listed origin, or no Origin header (a non-browser client)."""
    origin = connection.headers.get("origin")
    if origin is None or origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == connection.headers.get("host")


def hello(settings: Settings, session_id: str | None, role: str, resume: str, *,
          is_paused_away: bool = False, room: dict[str, Any] | None = None, language: str = DEFAULT_LANGUAGE) -> str:
    return json.dumps({"type": "hello", "session_id": session_id, "role": role, "resume": resume,
                       "paused_while_away": is_paused_away, "room": room, "language": language,
                       **options(settings, language)})


def class_moved_notice(code: str) -> str:
    """What a presenter is told when the holder of its class's secret presents another run with the code."""
    return json.dumps({"type": "notice", "topic": "class_moved", "code": code,
                       "message": translate(DEFAULT_LANGUAGE, CLASS_MOVED, code=code), "key": CLASS_MOVED,
                       "args": {"code": code}})


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
    views: list[ClassView] = []  # the presenter's view of its class (one, while presenting)
    students: list[Student] = []  # the student whose fork this run is, if it is a class's fork

    def on_room(_: str, message: str | bytes) -> None:
        """The room's announcements; once its code was moved to another run (by its secret's holder), a notice."""
        if not watching or rooms.room_of(runner.id) is not None or not json.loads(message).get("is_open"):
            outbox.put(message)
            return
        outbox.put(class_moved_notice(watching[0].code))
        live.registry.spawn(rooms.broker.unsubscribe(watching.pop()))
        while views:
            live.registry.spawn(views.pop().stop())

    async def watch_room(code: str) -> None:
        if not watching:
            watching.append(await rooms.watch(code, on_room))
        if not views:
            views.append(ClassView(live.settings, rooms.broker, rooms, code, runner, outbox))
            await views[0].start()

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
                while views:
                    await views.pop().stop()
            case _ if command.type == "fork":
                raise refusal("role", "error.fork_own")
            case _ if command.type in TEACHER_COMMANDS:
                if not views or rooms.room_of(runner.id) is None:
                    raise NOT_TEACHER
                await views[0].command(command)
            case SetName() | RaiseHand():
                student_command(live.roster, students[0] if students else None, command)
            case _:
                live.roster.check(students[0] if students else None, command)
                await runner.execute(command)
                if views and command.type in ("start_lesson", "leave_lesson"):
                    await views[0].lesson_open(command.type == "start_lesson")

    try:
        room = rooms.room_of(runner.id)
        record = None if room is None else await rooms.broker.record(room.code)
        outbox.put(hello(live.settings, runner.id, "owner", opened.resume, is_paused_away=opened.is_paused_away,
                         room=None if room is None or record is None else room_state(room.code, record, 0),
                         language=language))
        runner.subscribe(outbox)
        students.extend(filter(None, [await live.roster.attach(runner.id, outbox)]))
        if room is not None:
            outbox.put(presenting_message(room.code, None))
            await watch_room(room.code)
            await rooms.announce(room.code)
        await converse(websocket, outbox, live, handle)
    finally:  # detach first, before anything that could wait: a cancelled task stops at its next await
        runner.unsubscribe(outbox)
        live.registry.detach(runner, lease)
        for student in students:
            live.roster.leave(student, outbox)
        for subscription in watching:
            await rooms.broker.unsubscribe(subscription)
        for view in views:
            await view.stop()


def student_command(roster: Roster, student: Student | None, command: Command) -> None:
    """``set_name`` or ``raise_hand``, from a student's socket (a follower's or its fork's)."""
    if student is None:
        raise NOT_A_STUDENT
    if isinstance(command, SetName):
        roster.set_name(student, command.name)
    elif isinstance(command, RaiseHand):
        roster.raise_hand(student, command.raised)


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
    students: list[Student] = []  # this socket's student (one, once enrolled)

    async def handle(command: Command) -> None:
        if command.type in STUDENT_COMMANDS and students:
            student_command(live.roster, students[0], command)
            return
        if command.type in TEACHER_COMMANDS:
            raise NOT_TEACHER
        if command.type != "fork":
            raise NOT_YOURS
        live.roster.check_fork(code)
        copy = await live.rooms.export_for_fork(code)
        previous = live.registry.entries.get(forks.pop()) if forks else None
        if previous is not None and previous.lease is not None:
            forks.append(previous.runner.id)
            raise FORK_OPEN
        if previous is not None:
            await live.registry.close(previous.runner)
        fork = await live.registry.create(client=client, is_fork=True, shape=shape_of(copy["document"]))
        if fork is None:
            raise refusal("sessions", "error.server_full", max=live.settings.max_sessions)
        await start_fork(live, fork, copy, language_of(websocket))
        forks.append(fork.id)
        if students:
            await live.roster.forked(students[0], fork)
        outbox.put(json.dumps({"type": "forked", "session_id": fork.id}))

    try:
        outbox.put(hello(live.settings, None, "follower", "new", room=room_state(code, record, 0),
                         language=language_of(websocket)))
        subscription = await live.rooms.follow(
            code, lambda kind, message: outbox.put_frame(message) if kind == "frame"  # type: ignore[arg-type]
            else outbox.put_latest(kind, message))
        fork_id = websocket.query_params.get("fork") or None
        students.append(await live.roster.enrol(code, outbox, fork_id))
        if students[0].fork is not None:  # back from its copy: "Try it myself" again replaces that copy
            forks.append(students[0].fork)
        await converse(websocket, outbox, live, handle)
    except InputError as error:  # the class is full
        outbox.put(error_message(error, None, None, language_of(websocket)))
        outbox.close(CLOSE_NO_ROOM)
        await send_all(websocket, outbox, live)
    finally:
        if subscription is not None:
            await live.rooms.leave(subscription)
        for student in students:
            live.roster.leave(student, outbox)


async def start_fork(live: Live, fork: LiveRunner, copy: dict[str, Any], language: str) -> None:
    """Fill a new fork with the class run's copy, and keep it detached until the page opens it with
    /ws?session=ID. With a lesson open in the class, the copy starts the presenter's step from its setup
    (app/live/lesson_desk.py ``fork_start``), in the student's ``language``; should that lesson be gone
    from this server, the kept state says so as a resumed run's would."""
    try:
        await fork.import_document(copy["document"])
        kept = copy.get("lesson")
        if kept is not None:
            try:
                await fork.execute(fork_start(kept, language))
            except (InputError, TypeError, ValueError, IndexError):
                await fork.restore_lesson(kept)
    except InputError:
        await live.registry.close(fork)
        raise
    await live.placement.place(fork.id)
    live.registry.detach(fork, None)
