"""Roster: the students this process serves, in every room, and the teacher's pacing they obey.

A follower socket enrols a student (a new id and alias, or, with its fork's session id, the student it
was); a fork made by that socket carries the student on (``forked``), and its runner sends tiles on the
room's class channel (``TileLink``). Presence, tiles and run cards go to the teacher on the class
channel; the teacher's pacing, spotlight and compare requests come on the pace channel, which every
replica with students of the room listens to and carries out for its own students and forks. The room's
class state (paused, locked, spotlight) lives in the room's directory record, so a student who joins late,
on any replica, obeys it too. Nothing here is ever sent to another student.

Which student a fork belongs to is kept by the fork's session id in this process's memory and in the
broker (``keep_student``); the keeper also stores it beside the kept run and hands it back (``revived``)
when the run is revived. So a "back to class" socket on another replica, or a fork revived after a
restart, is the same student; the replica that takes a student tells the others on the pace channel
(``claimed``), and one that served it lets it go without telling the teacher it left.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from app.errors import InputError
from app.i18n import refusal
from app.live.classroom.broker import Broker, Message, Subscription
from app.live.classroom.rooms import RoomFeed
from app.live.classroom.students import (
    CLASS_LOCKED,
    CLASS_PAUSED,
    FORK_ID,
    Student,
    alias,
    class_channel,
    clean_name,
    notice,
    pace_channel,
)
from app.live.outbox import Outbox
from app.live.protocol import Command, Configure, LeaveLesson, Pause, Reset, StartLesson
from app.live.registry import LiveRunner, Registry
from app.live.settings import Settings

LOG = logging.getLogger("neuroplay.classroom")
PAUSED_REFUSES = ("play", "step", "slow_step")  # a fork may not train while its class is paused
LOCKED_ALLOWS = ("select_neuron", "select_sample", "set_name", "raise_hand", "list_lessons")  # watching only
NOT_A_STUDENT = refusal("role", "error.class.not_student")
STATE_FIELDS = ("is_paused", "is_locked", "spotlight")  # the room's class state, kept in its directory record


class TileLink(Outbox):
    """Where a fork's runner puts its tiles: published, with the student's id, on the room's class channel."""

    def __init__(self, broker: Broker, student: Student) -> None:
        super().__init__()
        self.broker = broker
        self.student = student

    def put(self, message: Message) -> None:
        text = message if isinstance(message, str) else message.decode()
        self.broker.publish(class_channel(self.student.code), "tile",
                            f'{{"type":"tile","student":"{self.student.student}","tile":{text}}}', is_cached=False)


class Roster:
    """This process's students, by room, and its forks' students, by session id."""

    def __init__(self, settings: Settings, broker: Broker, registry: Registry) -> None:
        self.settings = settings
        self.broker = broker
        self.registry = registry
        self.students: dict[tuple[str, str], Student] = {}  # by (code, student id)
        self.sockets: dict[tuple[str, str], set[Outbox]] = {}  # each student's follower and fork sockets here
        self.forks: dict[str, Student] = {}  # by the fork's session id
        self.kept: dict[str, dict[str, Any]] = {}  # by a revived fork's id: its student's record, until its page opens
        self.states: dict[str, dict[str, Any]] = {}  # by code: the class state as last heard
        self.listening: dict[str, Subscription] = {}  # by code: this process's subscription to the pace channel
        self.tiles_on: set[str] = set()  # codes whose teacher wants tiles now (watching, or counting a lesson's goals)
        registry.listeners.append(self)

    # ----- students come and go ------------------------------------------------------------------
    async def enrol(self, code: str, outbox: Outbox, fork_id: str | None = None) -> Student:
        """A follower socket's student: the one its fork (``fork_id``) belongs to, or a new one."""
        student = await self._recall(fork_id, code)
        if student is None:
            number = await self.broker.next_student(code)
            student = Student(code, f"s{number}", alias(number))
        elif student.mode == "forked":
            student.mode = "following"
            runner = self.registry.get(student.fork or "")
            if runner is not None:
                await runner.set_tile_sink(None)
        await self._take(student, outbox)
        self._remember(student)
        self._publish_presence(student)
        return student

    async def forked(self, student: Student, fork: LiveRunner) -> None:
        """The student's socket made a fork: the student is ``forked``, and the fork sends tiles."""
        if student.fork is not None and student.fork != fork.id:
            self.forks.pop(student.fork, None)
        student.fork, student.mode = fork.id, "forked"
        self.forks[fork.id] = student
        await self.broker.keep_student(fork.id, student.record())
        self._publish_presence(student)  # first: the teacher takes tiles only of students it knows
        if student.code in self.tiles_on:
            await fork.set_tile_sink(TileLink(self.broker, student))

    async def attach(self, session_id: str, outbox: Outbox) -> Student | None:
        """A fork's page opened: its student (None if the session is no class's fork), told its state;
        a student who had gone back to the class and opens its copy again is ``forked`` again, and so is
        one whose fork was revived after a restart (``revived``)."""
        was_here = session_id in self.forks
        if not was_here and session_id not in self.kept:
            return None  # no class's fork: nothing to wait for before the page's own messages
        student = await self._recall(session_id, None)
        if student is None:
            return None
        await self._take(student, outbox)
        runner = self.registry.get(session_id)
        if runner is not None and (student.mode == "following" or not was_here):
            await self.forked(student, runner)
        return student

    def revived(self, fork_id: str, record: dict[str, Any]) -> None:
        """A fork's run came back from the store (app/live/keeper.py) with its student's record: the fork's
        page, opening it now, is that student again."""
        self.kept[fork_id] = record

    async def _recall(self, fork_id: str | None, code: str | None) -> Student | None:
        """The student of the fork ``fork_id`` (of room ``code``; None: any): this process's, with the name
        the broker's record may have newer (another replica served the student since), else the one kept
        with its revived run, else the broker's (the fork runs on another replica); None for no fork, an
        unknown one or another room's."""
        if not fork_id or not FORK_ID.fullmatch(fork_id):
            return None
        record = self.kept.pop(fork_id, None) or await self.broker.student_of(fork_id)
        kept = Student.from_record(record, code, fork_id)
        student = self.forks.get(fork_id)
        if student is None or (code is not None and student.code != code):
            student = kept
            if kept is not None:  # a counter that did not survive a restart must not hand out its id again
                await self.broker.students_so_far(kept.code, kept.number)
        elif kept is not None and kept.student == student.student:
            student.name = kept.name
        if student is not None and self.registry.get(fork_id) is not None:
            self.forks[fork_id] = student
        return student

    async def _take(self, student: Student, outbox: Outbox) -> None:
        """The student is served here now, by ``outbox`` too; another replica that served it lets it go."""
        await self._listen(student.code)
        self.students[(student.code, student.student)] = student  # back in the class view, if it had left it
        self.sockets.setdefault((student.code, student.student), set()).add(outbox)
        outbox.put(student.state_message(self.states.get(student.code, {})))
        if student.fork is not None:
            self.broker.publish(pace_channel(student.code), "pace", json.dumps(
                {"type": "claimed", "code": student.code, "student": student.student,
                 "replica": self.broker.replica}), is_cached=False)

    def _remember(self, student: Student) -> None:
        """Keep the student's record by its fork's id (in the broker; the keeper stores it with the run)."""
        if student.fork is not None:
            self.registry.spawn(self.broker.keep_student(student.fork, student.record()))

    def records(self) -> dict[str, dict[str, Any]]:
        """The student of each fork this process holds, by the fork's session id (what the keeper stores)."""
        return {fork_id: student.record() for fork_id, student in self.forks.items()}

    def leave(self, student: Student, outbox: Outbox) -> None:
        """A student's socket closed; a student with neither socket nor fork leaves the class (unless another
        replica, or a newer socket, serves it now)."""
        place = (student.code, student.student)
        sockets = self.sockets.get(place, set())
        sockets.discard(outbox)
        if not sockets and student.mode == "following" and self.students.get(place) is student:
            self._drop(student, keeps_fork=True)
        elif not sockets and place not in self.students:
            self.sockets.pop(place, None)

    def _drop(self, student: Student, keeps_fork: bool = False) -> None:
        """The student leaves the class view; with ``keeps_fork``, its copy still knows it (its page may open it)."""
        self.students.pop((student.code, student.student), None)
        self.sockets.pop((student.code, student.student), None)
        if not keeps_fork and student.fork is not None and self.forks.get(student.fork) is student:
            del self.forks[student.fork]
        self.broker.publish(class_channel(student.code), "student",
                            json.dumps({"type": "student_left", "student": student.student}), is_cached=False)
        if not any(code == student.code for code, _ in self.students):
            subscription = self.listening.pop(student.code, None)
            self.states.pop(student.code, None)
            self.tiles_on.discard(student.code)
            if subscription is not None:
                self.registry.spawn(self.broker.unsubscribe(subscription))

    def on_freed(self, session_id: str) -> None:
        self.kept.pop(session_id, None)
        student = self.forks.get(session_id)
        if student is not None:
            del self.forks[session_id]
            student.fork = None
            if student.mode == "forked":
                student.mode = "following"
                if not self.sockets.get((student.code, student.student)):
                    self._drop(student)
                else:
                    self._publish_presence(student)

    def on_lost(self, session_id: str) -> None:
        self.on_freed(session_id)

    def on_detached(self, session_id: str) -> None:
        """A fork's page went away: its tile stays (the run may go on)."""

    def on_attached(self, session_id: str) -> None:
        """Told on ``attach``."""

    # ----- what a student may do -----------------------------------------------------------------
    def set_name(self, student: Student, name: str) -> None:
        student.name = clean_name(name, self.settings.max_student_name_chars)
        self._changed(student)

    def raise_hand(self, student: Student, raised: bool) -> None:
        student.hand = raised
        self._changed(student)

    def check(self, student: Student | None, command: Command) -> None:
        """Refuse what a fork may not do while its class is paused or locked (InputError "class")."""
        if student is None or student.mode != "forked":
            return
        state = self.states.get(student.code, {})
        if state.get("is_locked") and command.type not in LOCKED_ALLOWS:
            raise CLASS_LOCKED
        if state.get("is_paused") and command.type in PAUSED_REFUSES:
            raise CLASS_PAUSED

    def check_fork(self, code: str) -> None:
        """A follower may not fork while the class is locked."""
        if self.states.get(code, {}).get("is_locked"):
            raise CLASS_LOCKED

    def _changed(self, student: Student) -> None:
        self._remember(student)
        self._publish_presence(student)
        self._tell(student, student.state_message(self.states.get(student.code, {})))

    def _publish_presence(self, student: Student) -> None:
        self.broker.publish(class_channel(student.code), "student", json.dumps(student.presence()), is_cached=False)

    def _tell(self, student: Student, message: str) -> None:
        for outbox in self.sockets.get((student.code, student.student), ()):
            outbox.put(message)

    # ----- the teacher's pace channel ------------------------------------------------------------
    async def _listen(self, code: str) -> None:
        if code in self.listening:
            return
        self.listening[code] = await self.broker.subscribe(pace_channel(code), self._on_pace)
        record = await self.broker.record(code) or {}
        self.states[code] = {name: record.get(name) for name in STATE_FIELDS}
        if record.get("tiles"):
            self.tiles_on.add(code)

    def _on_pace(self, _: str, message: Message) -> None:
        order = json.loads(message)
        code = str(order.get("code", ""))
        self.registry.spawn(self._carry_out(code, order))

    def mine(self, code: str, mode: str | None = None) -> list[Student]:
        """This process's students of a room (of one mode)."""
        return [s for (c, _), s in list(self.students.items()) if c == code and mode in (None, s.mode)]

    async def _carry_out(self, code: str, order: dict[str, Any]) -> None:
        kind = order["type"]
        if kind == "roll_call":
            for student in self.mine(code):
                self._publish_presence(student)
        if kind in ("roll_call", "tiles"):
            await self._switch_tiles(code, order.get("tiles") is True)
        elif kind == "state":
            await self._new_state(code, order)
        elif kind == "compare":
            await self._answer_compare(code, order)
        elif kind == "claimed" and order.get("replica") != self.broker.replica:
            await self._let_go(code, str(order.get("student")))
        elif kind == "closed":
            await self._switch_tiles(code, False)
            await self._new_state(code, {"is_paused": False, "is_locked": False, "spotlight": None})

    async def _let_go(self, code: str, student_id: str) -> None:
        """Another replica serves this student now (back to class there, or its copy opened there): it leaves
        this process's class view without a word to the teacher; a fork of it here stops sending tiles."""
        student = self.students.pop((code, student_id), None)
        if student is None:
            return
        runner = self.registry.get(student.fork or "")
        if student.mode == "forked" and runner is not None:
            student.mode = "following"
            await runner.set_tile_sink(None)

    async def _switch_tiles(self, code: str, is_on: bool) -> None:
        """Forks send tiles only while the teacher wants them: no work for nobody (a fresh tile when turned on)."""
        if is_on:
            self.tiles_on.add(code)
        else:
            self.tiles_on.discard(code)
        for student in self.mine(code, "forked"):
            runner = self.registry.get(student.fork or "")
            if runner is not None:
                await runner.set_tile_sink(TileLink(self.broker, student) if is_on else None)

    async def _new_state(self, code: str, order: dict[str, Any]) -> None:
        """The class state changed (an ``action`` says how): carry it out for this process's students."""
        before = self.states.get(code, {})
        state = self.states[code] = {name: order.get(name) for name in STATE_FIELDS}
        action = order.get("action")
        await self._follow_spotlight(code, before.get("spotlight"), state.get("spotlight"))
        for student in self.mine(code):
            if action in ("pause_all", "resume_all", "push", "lock", "unlock", "bring_back"):
                self._tell(student, notice(action))
            runner = self.registry.get(student.fork or "") if student.mode == "forked" else None
            if runner is not None and action in ("pause_all", "push"):
                await _quietly(runner, Pause(type="pause"))
            if runner is not None and action == "push":
                await self._push(runner, order)
            self._tell(student, student.state_message(state))

    async def _push(self, runner: LiveRunner, order: dict[str, Any]) -> None:
        """The presenter's settings (or lesson step) into a fork: fresh weights from that setup."""
        lesson = order.get("lesson")
        if lesson is not None:
            await _quietly(runner, StartLesson(type="start_lesson", lesson=lesson["id"], step=lesson["step"],
                                               language=lesson["language"]))
            return
        await _quietly(runner, LeaveLesson(type="leave_lesson"))
        await _quietly(runner, Configure(type="configure", changes=order.get("config") or {}))
        await _quietly(runner, Reset(type="reset"))

    async def _follow_spotlight(self, code: str, before: dict[str, Any] | None, now: dict[str, Any] | None) -> None:
        """Stop or start a spotlighted fork's feed if it runs here (the ClassView switches the presenter's)."""
        if before == now:
            return
        was = None if before is None else self.students.get((code, before["student"]))
        if was is not None and was.fork is not None and (runner := self.registry.get(was.fork)) is not None:
            await runner.set_feed(None)
        new = None if now is None else self.students.get((code, now["student"]))
        if new is not None and new.fork is not None and (runner := self.registry.get(new.fork)) is not None:
            await runner.set_feed(RoomFeed(self.broker, code))

    async def _answer_compare(self, code: str, order: dict[str, Any]) -> None:
        for student_id in order.get("students", []):
            student = self.students.get((code, student_id))
            runner = None if student is None or student.fork is None else self.registry.get(student.fork)
            if student is None or runner is None:
                continue
            try:
                card = await runner.run_card()
            except InputError:
                continue
            self.broker.publish(class_channel(code), "card", json.dumps(
                {"type": "card", "request": order.get("request"), "student": student_id, **card}), is_cached=False)


async def _quietly(runner: LiveRunner, command: Command) -> None:
    """Carry out a teacher's command on a fork; one the fork refuses (its lesson's locks) is logged and skipped."""
    try:
        await runner.execute(command)
    except InputError as error:
        LOG.info("a fork refused the class's %s: %s", command.type, error.message)
