"""The teacher's class view: every student's tile, the aggregate, and the teacher's commands.

One ``ClassView`` per presenter socket with a room. It listens to the room's class channel (students'
presence, tiles, run cards from every replica), asks every replica for a roll call when it starts, and
once per ``settings.class_view_interval_s``, while the teacher watches, sends the binary ``class``
message. To stay within ~10 kB/s for 30 training students it sends only what changed since its last
message: every student's id in ``order``, then for each changed tile its id and changed fields, and the
4-bit thumbnails that changed (``full`` marks a message that carries everything, the first after
``watch_class``). It also counts the class's lesson goals per step for the presenter's ``lesson`` message,
and carries out spotlight, compare and pace (the students' replicas obey them through the pace channel:
app/live/classroom/roster.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import secrets
import time
from typing import Any

import numpy as np

from app.errors import InputError
from app.i18n import refusal
from app.live.classroom.broker import Broker, Message, Subscription
from app.live.classroom.rooms import Rooms
from app.live.classroom.students import class_channel, pace_channel
from app.live.classroom.tiles import CARD_SIZE, CURVE_POINTS
from app.live.encoder import Envelope, json_safe
from app.live.outbox import Outbox
from app.live.protocol import Command, Compare, Pace, Spotlight, WatchClass
from app.live.registry import LiveRunner
from app.live.settings import Settings

HISTOGRAM_EDGES = [round(i / 10, 1) for i in range(11)]  # the aggregate's accuracy (or R²) bins
EMPTY_TILE = {"status": "idle", "epoch": None, "test_accuracy": None, "test_cost": None, "metric": None,
              "shape": None, "params": None, "headline": None, "headline_said": None, "lesson_step": None, "goal": None,
              "updated_s_ago": None}  # a following student's run fields
STATES: dict[str, dict[str, Any]] = {  # what each pace action changes in the class state
    "pause_all": {"is_paused": True}, "resume_all": {"is_paused": False}, "lock": {"is_locked": True},
    "unlock": {"is_locked": False}, "push": {}, "bring_back": {"spotlight": None}}
GOALS = ("working", "met", "failed")


class ClassView:
    """The presenter's view of its class, and the teacher's commands."""

    def __init__(self, settings: Settings, broker: Broker, rooms: Rooms, code: str, runner: LiveRunner,
                 outbox: Outbox) -> None:
        self.settings = settings
        self.broker = broker
        self.rooms = rooms
        self.code = code
        self.runner = runner
        self.outbox = outbox
        self.presence: dict[str, dict[str, Any]] = {}  # by student id: alias, name, hand, mode
        self.tiles: dict[str, dict[str, Any]] = {}  # by student id: the fork's newest tile and when it came
        self.thumbs: dict[str, bytes] = {}  # by student id: the newest packed thumbnail
        self.sent: dict[str, dict[str, Any]] = {}  # what the page was last sent of each tile
        self.sent_thumbs: dict[str, bytes] = {}
        self.state: dict[str, Any] = {"is_paused": False, "is_locked": False, "spotlight": None}
        self.is_watching = False
        self.has_lesson = False  # the presenter's run has a lesson open: the class's goals are counted
        self.is_full_due = True  # the next class message carries everything
        self.goals: dict[int, dict[str, int]] | None = None  # the lesson goal counts the runner was last given
        self.cards: dict[str, tuple[set[str], dict[str, dict[str, Any]], asyncio.Event]] = {}  # compare requests
        self.subscription: Subscription | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        record = await self.broker.record(self.code) or {}
        self.state = {name: record.get(name) or (None if name == "spotlight" else False) for name in self.state}
        self.subscription = await self.broker.subscribe(class_channel(self.code), self._on_class)
        with contextlib.suppress(InputError):
            self.has_lesson = (await self.runner.fork_copy()).get("lesson") is not None
        await self.broker.update(self.code, {"tiles": self.wants_tiles})
        self._order({"type": "roll_call", "tiles": self.wants_tiles})
        self.task = asyncio.create_task(self._tick(), name=f"class-{self.code}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        if self.subscription is not None:
            await self.broker.unsubscribe(self.subscription)
        if self.wants_tiles:
            await self.broker.update(self.code, {"tiles": False})
            self._order({"type": "tiles", "tiles": False})
        with contextlib.suppress(InputError):
            await self.runner.set_class_goals(None)

    @property
    def wants_tiles(self) -> bool:
        """Forks send tiles while the teacher watches the mosaic or the class's lesson goals are counted."""
        return self.is_watching or self.has_lesson

    async def lesson_open(self, is_open: bool) -> None:
        """The presenter opened or closed a lesson: its goals are counted from the forks' tiles."""
        await self._want(self.is_watching, is_open)

    async def _want(self, is_watching: bool, has_lesson: bool) -> None:
        """Tell every replica (and the room's record, for students who join later) whether to send tiles."""
        before = self.wants_tiles
        self.is_watching, self.has_lesson = is_watching, has_lesson
        if self.wants_tiles != before:
            await self.broker.update(self.code, {"tiles": self.wants_tiles})
            self._order({"type": "tiles", "tiles": self.wants_tiles})

    # ----- what the students' replicas say --------------------------------------------------------
    def _on_class(self, _: str, message: Message) -> None:
        said = json.loads(message)
        student = str(said.get("student"))
        match said.get("type"):
            case "student":
                self.presence[student] = {key: said[key] for key in ("alias", "name", "hand", "mode")}
            case "student_left":
                for table in (self.presence, self.tiles, self.thumbs, self.sent_thumbs):
                    table.pop(student, None)
            case "tile" if student in self.presence:
                tile = said["tile"]
                self.thumbs[student] = base64.b64decode(tile.pop("thumb"))
                self.tiles[student] = {**tile, "at": time.monotonic()}
            case "card" if said.get("request") in self.cards:
                wanted, found, done = self.cards[said["request"]]
                found[student] = said
                if wanted <= found.keys():
                    done.set()

    # ----- the class message, once an interval -----------------------------------------------------
    async def _tick(self) -> None:
        while True:
            await self._update_goals()
            if self.is_watching:
                self.outbox.put(self.message())
            await asyncio.sleep(self.settings.class_view_interval_s)

    def order(self) -> list[str]:
        return sorted(self.presence, key=lambda student: int(student[1:]))

    def tile(self, student: str, now: float) -> dict[str, Any]:
        """One student's whole tile, as the page shows it."""
        presence = self.presence[student]
        tile = self.tiles.get(student)
        run = EMPTY_TILE if presence["mode"] != "forked" or tile is None else {
            **{key: tile.get(key) for key in EMPTY_TILE}, "updated_s_ago": int(now - tile["at"])}
        return {"student": student, **presence, **run}

    def message(self) -> bytes:
        """The binary ``class`` message: what changed since the last one (everything when ``full``)."""
        now, full = time.monotonic(), self.is_full_due
        order, changed, thumbed = self.order(), [], []
        tiles = {student: self.tile(student, now) for student in order}
        for student, tile in tiles.items():
            before = {} if full else self.sent.get(student, {})
            delta = {key: value for key, value in tile.items() if key not in before or before[key] != value}
            if delta:
                changed.append({"student": student, **delta})
            thumb = self.thumbs.get(student) if tile["mode"] == "forked" else None
            if thumb is not None and (full or self.sent_thumbs.get(student) != thumb):
                thumbed.append(student)
                self.sent_thumbs[student] = thumb
        self.sent, self.is_full_due = tiles, False
        envelope = Envelope()
        envelope.add("thumbs", np.frombuffer(b"".join(self.thumbs[s] for s in thumbed), np.uint8))
        return envelope.pack(json_safe({
            "type": "class", "code": self.code, "full": full, "order": order, "tiles": changed,
            "thumb_students": thumbed, "aggregate": aggregate(list(tiles.values())),
            "spotlight": None if not self.state["spotlight"] else self.state["spotlight"]["student"],
            "is_paused": bool(self.state["is_paused"]), "is_locked": bool(self.state["is_locked"])}))

    async def _update_goals(self) -> None:
        goals: dict[int, dict[str, int]] = {}
        for student, tile in self.tiles.items():
            step, goal = tile.get("lesson_step"), tile.get("goal")
            if self.presence.get(student, {}).get("mode") == "forked" and step is not None and goal in GOALS:
                goals.setdefault(int(step), dict.fromkeys(GOALS, 0))[goal] += 1
        if goals != self.goals:
            self.goals = goals
            with contextlib.suppress(InputError):
                await self.runner.set_class_goals(goals)

    # ----- the teacher's commands -----------------------------------------------------------------
    async def command(self, command: Command) -> None:
        match command:
            case WatchClass(on=on):
                self.is_full_due = True
                await self._want(on, self.has_lesson)
                if on:
                    self.outbox.put(self.message())
            case Spotlight(student=student):
                await self.spotlight(student)
            case Compare(students=students):
                self.outbox.put(await self.compare(students))
            case Pace(action=action):
                await self.pace(action)

    def _forked(self, student: str, field: str) -> dict[str, Any]:
        presence = self.presence.get(student)
        if presence is None or presence["mode"] != "forked":
            raise refusal(field, "error.class.not_forked", student=repr(student))
        return presence

    async def spotlight(self, student: str | None) -> None:
        """The class watches this student's run (None: the presenter's again)."""
        spotlight = None if student is None else {"student": student,
                                                  "alias": self._forked(student, "student")["alias"]}
        await self._set_state({"spotlight": spotlight}, "spotlight")

    async def _set_state(self, changes: dict[str, Any], action: str, **extra: Any) -> None:
        """Record the class state, switch the presenter's feed, tell every replica, announce the room."""
        was_spotlit = self.state["spotlight"] is not None
        self.state.update(changes)
        await self.broker.update(self.code, changes)
        room = self.rooms.rooms.get(self.code)
        is_spotlit = self.state["spotlight"] is not None
        if room is not None and is_spotlit and not was_spotlit:
            await self.runner.set_feed(None)
        self._order({"type": "state", "action": action, **self.state, **extra})
        await self.rooms.announce(self.code)  # the class is told before the presenter's run comes back
        if room is not None and was_spotlit and not is_spotlit:
            await self.runner.set_feed(room.feed)

    async def pace(self, action: str) -> None:
        extra: dict[str, Any] = {}
        if action == "push":
            copy = await self.runner.fork_copy()
            lesson = copy.get("lesson")
            extra = {"config": copy["document"]["config"],
                     "lesson": None if lesson is None else {key: lesson[key] for key in ("id", "language", "step")}}
        await self._set_state(STATES[action], action, **extra)

    async def compare(self, students: list[str]) -> bytes:
        """The binary ``comparison`` of 2–4 forked students' runs, asked of their replicas."""
        if len(set(students)) != len(students):
            raise refusal("students", "error.class.compare_distinct", got=str(students))
        for student in students:
            self._forked(student, "students")
        request = secrets.token_urlsafe(8)
        wanted, found, done = set(students), dict[str, dict[str, Any]](), asyncio.Event()
        self.cards[request] = (wanted, found, done)
        try:
            self._order({"type": "compare", "students": students, "request": request})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.settings.fork_timeout_s)
        finally:
            self.cards.pop(request, None)
        missing = [s for s in students if s not in found]
        if missing:
            raise refusal("students", "error.class.no_answer", students=", ".join(missing))
        return comparison([{**found[s], "alias": self.presence.get(s, {}).get("alias", "")} for s in students])

    def _order(self, order: dict[str, Any]) -> None:
        self.broker.publish(pace_channel(self.code), "pace", json.dumps({**order, "code": self.code}),
                            is_cached=False)


def aggregate(tiles: list[dict[str, Any]]) -> dict[str, Any]:
    """The class as a repeated experiment: counts, and a histogram of the forked runs' test accuracy (or R²)."""
    forked = [t for t in tiles if t["mode"] == "forked"]
    scored = [t["test_accuracy"] for t in forked
              if t["epoch"] and t["test_accuracy"] is not None and math.isfinite(t["test_accuracy"])]
    counts, _ = np.histogram(np.clip(scored, 0.0, 1.0), bins=HISTOGRAM_EDGES)
    return {"students": len(tiles), "forked": len(forked), "following": len(tiles) - len(forked),
            "diverged": sum(t["status"] == "diverged" for t in forked),
            "goal_met": sum(t["goal"] == "met" for t in forked), "hands": sum(bool(t["hand"]) for t in tiles),
            "accuracy_histogram": {"edges": HISTOGRAM_EDGES, "counts": counts.tolist()}}


def comparison(cards: list[dict[str, Any]]) -> bytes:
    """The binary ``comparison`` message: each run's numbers, boundaries (n × 32×32) and test-cost curves."""
    lengths = [len(card["curve"]) for card in cards]
    curves = np.zeros((len(cards), CURVE_POINTS), np.float32)
    for row, card in zip(curves, cards, strict=True):
        if card["curve"]:
            row[:len(card["curve"])] = card["curve"]
            row[len(card["curve"]):] = card["curve"][-1]  # a shorter run is padded with its last value
    envelope = Envelope()
    envelope.add("boundaries", np.frombuffer(b"".join(base64.b64decode(c["boundary"]) for c in cards), np.uint8))
    envelope.add("curves", curves.ravel())
    envelope.add("curve_lengths", np.array(lengths, np.uint32))
    runs = [{key: card.get(key) for key in ("student", "alias", "shape", "params", "epoch", "test_accuracy",
                                             "test_cost")} for card in cards]
    return envelope.pack(json_safe({"type": "comparison", "runs": runs, "size": CARD_SIZE,
                                    "points": CURVE_POINTS}))
