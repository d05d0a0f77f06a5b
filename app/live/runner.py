"""The live side of one training session: commands in, paced frames out.

A ``Runner`` owns one ``TrainingSession`` and a pump task. The pump trains
in slices of at most ``settings.slice_ms`` and yields to the event loop
between them, so no session holds the loop for long; once per frame
interval of each ``Audience`` (the owner's page; a class's followers while
the run is presented) it takes a snapshot at that audience's resolution,
encodes it once and hands the same bytes to every ``Outbox`` of it. The
session knows nothing of sockets: a connection subscribes an outbox and
sends commands, and many outboxes may watch one runner. Runners live in the web process or, to use more cores,
in worker processes (``app/live/workers.py``) behind a ``RemoteRunner`` with the
same interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from app.data.datasets import show_value
from app.errors import InputError
from app.live.audience import Audience
from app.live.encoder import encode_dataset, encode_frame, encode_history, json_safe, trace_header
from app.live.lesson_desk import LESSON_COMMANDS, LessonDesk
from app.live.outbox import Outbox
from app.live.protocol import (
    DEFAULT_SPEED,
    Command,
    Configure,
    EditWeight,
    Highlight,
    ListLessons,
    NewWeights,
    Pause,
    Pin,
    Play,
    RegenerateData,
    Reset,
    Rewind,
    SelectNeuron,
    SelectSample,
    SetData,
    SetSpeed,
    SlowStep,
    Step,
    Unpin,
    error_message,
)
from app.live.settings import Settings
from app.live.store import pack
from app.training.config import DATA_FIELDS, NETWORK_FIELDS
from app.training.diagnosis import Diagnosis
from app.training.persistence import export, restore
from app.training.session import TrainingSession
from app.training.slow_step import slow_step
from app.training.status import SessionError, Status
from app.training.trace import trace

T = TypeVar("T")
RUN_DISCARDED = ("Training went on from epoch {epoch}: the run's later epochs (up to {latest}) are discarded; "
                 "a pin keeps a run to compare with")
LOG = logging.getLogger("neuroplay.runner")
PUMP_FAILED = InputError("server", "this session stopped because of an error on the server; reload the page")

FIRST_BATCH_MS = 0.05  # guess of a batch's cost before the first measurement
SMOOTHING = 0.2  # weight of the newest measurement in the running cost per batch
HISTORY_REFRESH_S = 2.0  # how often a class's cached history is renewed for late joiners


def thumb_size(sizes: tuple[int, ...], settings: Settings) -> int:
    """The owner's neuron-map resolution for a network of these layer sizes."""
    return Audience.owner(settings).thumb_size(sizes)


class Runner:
    """Drives one session: applies commands, trains while running, broadcasts frames."""

    def __init__(self, session: TrainingSession, settings: Settings, session_id: str) -> None:
        self.session = session
        self.settings = settings
        self.id = session_id
        self.owner = Audience.owner(settings)
        self.followers: Audience | None = None  # while the run is presented to a class
        self.feed: Outbox | None = None  # where the followers' frames and messages go
        self.history_kept_at = 0.0  # when the feed's cached history was last renewed
        self.speed: tuple[str, int] = DEFAULT_SPEED
        self.pending_batches = 0  # batches `step` commands still owe; never more than the longest step's
        self.selected_neuron: tuple[int, int] | None = None
        self.selected_sample: dict[str, Any] | None = None
        self.highlight: tuple[int, int] | None = None  # the neuron the presenter points at
        self.seq = 0
        self.revision = 0  # counts changes to the run (commands, training), so an unchanged run is not stored again
        self.wake = asyncio.Event()
        self.ms_per_batch = FIRST_BATCH_MS
        self.diagnosis = Diagnosis()  # what the run's numbers show going wrong, for every frame
        self.diagnoses: list[dict[str, Any]] = []  # the latest findings, shared by every audience's frame
        self.task: asyncio.Task[None] | None = None
        self.desk = LessonDesk(settings)  # the lesson open in this session, if any

    # ----- subscribers ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the pump task."""
        self.task = asyncio.create_task(self._pump(), name=f"runner-{self.id[:8]}")
        self.task.add_done_callback(self._pump_stopped)

    def _pump_stopped(self, task: asyncio.Task[None]) -> None:
        """A pump only ends by cancellation; anything else is a bug to log and to tell the client about."""
        if task.cancelled() or task.exception() is None:
            return
        LOG.error("session %s stopped", self.id[:8], exc_info=task.exception())
        self._broadcast(error_message(PUMP_FAILED))

    async def close(self) -> None:
        """Stop the pump; the session is freed with the runner."""
        if self.task is not None:
            self.task.cancel()
            # A pump that failed was already logged and reported by _pump_stopped.
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        self.owner.outboxes.clear()
        self.followers = self.feed = None

    @property
    def outboxes(self) -> set[Outbox]:
        """The owner's outboxes."""
        return self.owner.outboxes

    def _audiences(self) -> list[Audience]:
        return [self.owner] if self.followers is None else [self.owner, self.followers]

    def subscribe(self, outbox: Outbox) -> None:
        """Start sending to an owner's outbox: the session, its points, its history and the latest frame."""
        self.owner.watch(outbox)
        self.greet(outbox)
        self.wake.set()

    def greet(self, outbox: Outbox, audience: Audience | None = None) -> None:
        """Send an outbox the session as it is now: session, points, history, the audience's latest frame."""
        audience = audience or self.owner
        outbox.put(self.session_message())
        outbox.put(encode_dataset(self.session.data))
        outbox.put(encode_history(self.session.history, self.session.problem))
        outbox.put(self.pins_message())
        if self.desk.player is not None:  # a class sees the presenter's lesson step too
            outbox.put(self.desk.message())
            outbox.put(self.desk.progress_message())
        if audience is self.owner and self.desk.lost is not None:  # told once: the kept lesson is gone
            outbox.put(self.desk.lost)
            self.desk.lost = None
        if audience.last_frame is not None:
            outbox.put_frame(audience.last_frame)

    def unsubscribe(self, outbox: Outbox) -> None:
        """Stop sending to an outbox."""
        self.owner.outboxes.discard(outbox)

    async def set_feed(self, feed: Outbox | None) -> None:
        """Start (or, with None, stop) the followers' stream: everything a class sees goes to ``feed``."""
        if feed is None:
            self.followers = self.feed = None
            return
        self.followers, self.feed = Audience.followers(self.settings), feed
        self.followers.outboxes.add(feed)
        self.greet(feed, self.followers)
        self.history_kept_at = asyncio.get_running_loop().time()
        self._owe_frame()

    def _broadcast(self, message: str | bytes) -> None:
        for audience in self._audiences():
            audience.broadcast(message)

    def _owe_frame(self) -> None:
        for audience in self._audiences():
            audience.is_dirty = True
        self.wake.set()

    # ----- commands ------------------------------------------------------------------------
    async def execute(self, command: Command) -> list[str]:
        """Apply one validated command; returns what changed (as in ``session.changed``, ["status"] when
        a pause stopped a run); raises InputError (nothing changed) if refused."""
        steps_before = self.session.steps
        self.revision += 1
        changed, is_new_data = self._apply(command)
        self._broadcast(self.session_message(changed))
        if is_new_data:
            self._broadcast(encode_dataset(self.session.data))
        if self.session.steps < steps_before:  # a new run: its curve starts again
            self._broadcast(encode_history(self.session.history, self.session.problem))
        if isinstance(command, ListLessons):
            self.owner.broadcast(self.desk.lessons_message(command.language))
        self._send_lesson(is_forced=True)
        self._owe_frame()
        return changed

    def _send_lesson(self, is_forced: bool = False) -> None:
        """Measure the step's goal and send the ``lesson`` messages that changed (to a class too: teacher-paced)."""
        self.desk.observe(self.session, is_forced)
        for message in self.desk.changed_messages():
            self._broadcast(message)

    def _apply(self, command: Command) -> tuple[list[str], bool]:
        """Returns (names of changed settings, whether the points changed)."""
        session = self.session
        self.desk.check(command)
        if command.type in LESSON_COMMANDS:
            if self.desk.apply(command, session):
                self._after_rebuild()
                return sorted(session.config.to_dict()), True
            return [], False
        match command:
            case Configure(changes=changes):
                changed = session.configure(changes)
                if changed & (DATA_FIELDS | NETWORK_FIELDS):
                    self._after_rebuild(is_new_data=bool(changed & DATA_FIELDS))
                return sorted(changed), bool(changed & DATA_FIELDS)
            case Play():
                session.start()
                self.pending_batches = 0
            case Pause():  # always stops: a run, or the steps still owed; already stopped is no error
                self.pending_batches = 0
                if session.status == Status.RUNNING:
                    session.pause()
                    return ["status"], False
            case Step(unit=unit, count=count):
                self._check_count("count", count, self.settings.max_step_count)
                session.check_can_step()
                most = session.batches_for("epoch", self.settings.max_step_count)  # what one longest step owes
                self.pending_batches = min(most, self.pending_batches + session.batches_for(unit, count))
            case Reset():
                session.reset()
                self._after_rebuild(is_new_data=False)
            case NewWeights():
                session.new_weights()
                self._after_rebuild(is_new_data=False)
                return ["seed"], False
            case RegenerateData():
                session.regenerate_data()
                self._after_rebuild()
                return ["data_seed"], True
            case SetSpeed(unit=unit, count=count):
                self._check_count("count", count, self.settings.max_speed_count)
                self.speed = (unit, count)
            case SelectNeuron(layer=layer, index=index):
                self.selected_neuron = self._neuron(layer, index)
            case Highlight(layer=layer, index=index):
                self.highlight = self._neuron(layer, index)
            case SelectSample():
                self.selected_sample = self._sample(command)
            case EditWeight(layer=layer, target=target, source=source, value=value):
                session.set_parameter(layer, target, float(value), source)
            case SetData(problem=problem, rows=rows, classes=classes):
                session.set_custom_data(rows, problem, classes)
                self._after_rebuild()
                return ["dataset"], True
            case SlowStep():
                discarding = self._discarding()
                record = slow_step(session)
                self._tell_discarded(discarding)
                self.pending_batches = 0
                if record is not None:  # None: the step diverged, which the session message says
                    self._broadcast(json.dumps(json_safe(record)))
            case Rewind(epoch=epoch):
                session.rewind(epoch)
                self.pending_batches = 0
            case Pin():
                session.pins.pin(session.config.to_dict(), session.history)
                self._broadcast(self.pins_message())
            case Unpin(pin=pin):
                session.pins.unpin(pin)
                self._broadcast(self.pins_message())
        return [], False

    @staticmethod
    def _check_count(field: str, count: int, maximum: int) -> None:
        if count > maximum:
            raise InputError(field, f"must be a whole number from 1 to {maximum}, got {show_value(count)}")

    def _after_rebuild(self, is_new_data: bool = True) -> None:
        """A new network or new points: drop owed steps and the selections that no longer fit."""
        self.pending_batches = 0
        sizes = self.session.mlp.sizes
        self.selected_neuron = _within(self.selected_neuron, sizes)
        self.highlight = _within(self.highlight, sizes)
        if is_new_data:
            self.selected_sample = None

    def _neuron(self, layer: int | None, index: int | None) -> tuple[int, int] | None:
        if layer is None and index is None:
            return None
        sizes = self.session.mlp.sizes
        if layer is None or not layer < len(sizes):
            raise InputError("layer", f"must be a layer from 0 to {len(sizes) - 1}, got {show_value(layer)}")
        if index is None or not index < sizes[layer]:
            raise InputError("index", f"must be a neuron from 0 to {sizes[layer] - 1}, got {show_value(index)}")
        return layer, index

    def _sample(self, command: SelectSample) -> dict[str, Any] | None:
        if command.part is None:
            return None
        point = None if command.point is None else (float(command.point[0]), float(command.point[1]))
        selection: dict[str, Any] = {"part": command.part, "index": command.index, "point": point}
        trace(self.session, **selection)  # validates index or point now, so errors reach the sender
        return selection

    # ----- state for clients ---------------------------------------------------------------
    def session_message(self, changed: list[str] | None = None) -> str:
        """The ``session`` JSON message."""
        session = self.session
        return json.dumps({
            "type": "session",
            "status": session.status.value,
            "message": session.message,
            "config": session.config.to_dict(),
            "problem": session.problem.value,
            "n_classes": session.data.dataset.n_classes,
            "sizes": list(session.mlp.sizes),
            "activations": list(session.mlp.activations),
            "speed": {"unit": self.speed[0], "count": self.speed[1]},
            "selected_neuron": None if self.selected_neuron is None else list(self.selected_neuron),
            "selected_sample": self.selected_sample,
            "highlight": None if self.highlight is None else list(self.highlight),
            "changed": changed or [],
        })

    def pins_message(self) -> str:
        """The ``pins`` JSON message: the pinned runs' settings and cost curves."""
        return json.dumps({"type": "pins", "pins": self.session.pins.to_list()})

    async def export(self) -> dict[str, Any]:
        """The session as an experiment document (see app/training/persistence.py)."""
        return export(self.session)

    async def save(self, since: int) -> tuple[int, bytes | None]:
        """(revision, the run packed for the store) if it changed since revision ``since``, else (``since``, None).

        The export is a copy made now, on the loop (a few milliseconds for the largest run); it is
        packed (JSON, zlib: app/live/store.py) on a thread. In a worker process all of it happens there.
        """
        if self.revision == since:
            return since, None
        revision, document, is_running, lesson = self.revision, export(self.session), self.is_busy, self.desk.kept()
        return revision, await asyncio.to_thread(pack, document, is_running, lesson)

    async def import_document(self, document: dict[str, Any]) -> dict[str, Any]:
        """Replace the session with an exported one; raises InputError if the document is bad."""
        session = restore(document)
        self.session = session
        self.revision += 1
        self.selected_neuron = None
        self.desk.player = None  # an imported experiment is no lesson step
        self._after_rebuild()
        self._broadcast(self.session_message(["import"]))
        self._broadcast(encode_dataset(session.data))
        self._broadcast(encode_history(session.history, session.problem))
        self._broadcast(self.pins_message())
        self._send_lesson()
        self._owe_frame()
        return {"status": session.status.value, "dataset": session.config.dataset,
                "sizes": list(session.mlp.sizes), "step": session.steps}

    async def restore_lesson(self, kept: dict[str, Any]) -> None:
        """Open again the lesson a store kept with this (just imported) run; see ``LessonDesk.restore``."""
        self.desk.restore(kept, self.session)
        self._send_lesson()

    # ----- the pump ------------------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        """Whether there is training to do."""
        return self.session.status == Status.RUNNING or self.pending_batches > 0

    def _frame_batches(self) -> int:
        if self.pending_batches:
            return self.pending_batches
        return self.session.batches_for(*self.speed)

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            audiences = self._audiences()
            if not self.is_busy and not any(a.is_dirty for a in audiences):
                self.wake.clear()
                await self.wake.wait()
                continue
            due = min(a.next_frame_at for a in audiences if a.is_dirty or self.is_busy)
            if self.is_busy:
                await self._train_until(due, loop)
            await asyncio.sleep(max(0.0, due - loop.time()))  # always yields, even when late
            now = loop.time()
            for audience in self._audiences():
                if audience.is_due(now):
                    audience.deliver(self._watch_status(self._make_frame, audience), now)
            self._keep_history(now)

    def _keep_history(self, now: float) -> None:
        """Renew the class's cached history now and then, so a late joiner sees the curve to date."""
        if self.feed is not None and self.is_busy and now - self.history_kept_at >= HISTORY_REFRESH_S:
            self.history_kept_at = now
            self.feed.keep(encode_history(self.session.history, self.session.problem))

    def _watch_status(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work``; announce a status change it caused (a divergence, a first step)."""
        status = self.session.status
        result = work(*args)
        if self.session.status != status:
            self._broadcast(self.session_message(["status"]))
        return result

    async def _train_until(self, deadline: float, loop: asyncio.AbstractEventLoop) -> None:
        """Train this frame's batches in slices, yielding between them; stop early at the frame deadline."""
        remaining = self._frame_batches()
        while remaining > 0 and self.is_busy:
            per_slice = max(1, int(self.settings.slice_ms / self.ms_per_batch))
            taken = self._watch_status(self._train_slice, min(remaining, per_slice))
            remaining -= taken
            if taken == 0 or loop.time() >= deadline:
                break
            await asyncio.sleep(0)

    def _train_slice(self, n_batches: int) -> int:
        """Train up to ``n_batches`` (running, or owed by a step command); returns the batches taken."""
        started = time.perf_counter()
        session = self.session
        if session.status == Status.DIVERGED:
            return 0
        discarding = self._discarding()
        if session.status == Status.RUNNING:
            taken = session.train(n_batches)
        else:
            n_batches = min(n_batches, self.pending_batches)
            try:
                taken = session.step("batch", n_batches)
            except SessionError:
                taken = 0
            self.pending_batches = self.pending_batches - n_batches if taken else 0  # 0 taken: diverged
        if taken:
            self.revision += 1
            self._tell_discarded(discarding)
            elapsed_ms = (time.perf_counter() - started) * 1000.0
            self.ms_per_batch += SMOOTHING * (elapsed_ms / taken - self.ms_per_batch)
        for audience in self._audiences():
            audience.is_dirty = True
        return taken

    def _discarding(self) -> tuple[int, int] | None:
        """(epoch rewound to, the run's latest epoch) while training now would discard the later epochs."""
        session = self.session
        later = session.checkpoints.latest
        return None if session.rewound_from is None or later <= session.epochs else (session.epochs, later)

    def _tell_discarded(self, discarding: tuple[int, int] | None) -> None:
        """After training from a rewound epoch: say that the run's later epochs are gone."""
        if discarding is not None and self.session.rewound_from is None:
            self._broadcast(json.dumps({"type": "notice", "topic": "run_discarded", "epoch": discarding[0],
                                        "latest_epoch": discarding[1],
                                        "message": RUN_DISCARDED.format(epoch=discarding[0], latest=discarding[1])}))

    def _make_frame(self, audience: Audience) -> bytes:
        """Snapshot, trace and encode one frame at this audience's resolution."""
        session = self.session
        snapshot = session.snapshot(audience.grid_size, audience.thumb_size(session.mlp.sizes),
                                    self.selected_neuron)
        self.seq += 1
        self.revision += 1  # a snapshot after training adds a point to the run's history
        sample = None if self.selected_sample is None else trace_header(session, self.selected_sample,
                                                                       self.selected_neuron)
        if audience is self.owner or not self.owner.outboxes:  # once per step, whichever audience sees it
            self.diagnoses = self.diagnosis.observe(session, snapshot.train, snapshot.test)
            self._send_lesson()
        timeline = None if audience.is_compact else session.checkpoints.summary()  # the owner's scrubber
        return encode_frame(snapshot, self.seq, sample, self.diagnoses, is_compact=audience.is_compact,
                            checkpoints=timeline)


def _within(neuron: tuple[int, int] | None, sizes: tuple[int, ...]) -> tuple[int, int] | None:
    """The neuron if the network of these layer sizes has it, else None."""
    return neuron if neuron is not None and neuron[0] < len(sizes) and neuron[1] < sizes[neuron[0]] else None
