"""The live side of one training session: commands in, paced frames out.

A ``Runner`` owns one ``TrainingSession`` and a pump task. The pump asks the
process's scheduler (``app/live/scheduler.py``; the runner's side of it is
``FrameTraining``, app/live/frame_training.py) for each frame's training, which
trains it with every other asking run, same-shape runs as one stack, with a fair
share each (or, with ``settings.stacked_training`` off, trains alone in slices of
at most ``settings.slice_ms``, yielding to the event loop between them); once per frame
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
from collections.abc import Callable
from typing import Any, TypeVar

from app.i18n import DEFAULT_LANGUAGE, refusal
from app.live import commands
from app.live.audience import Audience
from app.live.busy import BusyLine
from app.live.classroom.tiles import Tiler, run_card, tile
from app.live.encoder import encode_dataset, encode_frame, encode_history, trace_header
from app.live.faults import FRAME_FAULT, FrameFaults
from app.live.frame_plan import FramePlan
from app.live.frame_training import FIRST_BATCH_MS, FrameTraining
from app.live.lesson_desk import LessonDesk
from app.live.outbox import Outbox
from app.live.pace import Pace, PaceFigures
from app.live.protocol import DEFAULT_SPEED, Command, ListLessons, error_message
from app.live.scheduler import Scheduler, scheduler_for
from app.live.settings import Settings
from app.live.store import pack
from app.training.diagnosis import Diagnosis
from app.training.persistence import export, restore
from app.training.session import TrainingSession
from app.training.status import Status

T = TypeVar("T")
LOG = logging.getLogger("neuroplay.runner")
PUMP_FAILED = refusal("server", "error.pump_failed")

HISTORY_REFRESH_S = 2.0  # how often a class's cached history is renewed for late joiners


def thumb_size(sizes: tuple[int, ...], settings: Settings) -> int:
    """The owner's neuron-map resolution for a network of these layer sizes."""
    return Audience.owner(settings).thumb_size(sizes)


class Runner(FrameTraining):
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
        self.scheduler: Scheduler | None = None  # the process's, from start(); None: this runner trains alone
        self.pace = Pace()  # frames and epochs per second achieved against asked
        self.plan = FramePlan(settings.map_interval_frames)  # what the owner's frames carry (app/live/frame_plan.py)
        self.busy = BusyLine(settings.busy_share, settings.busy_after_s)  # the page's busy line (app/live/busy.py)
        self.tiler = Tiler(settings.class_view_interval_s)  # a class's fork: its tiles for the teacher
        self.boundary_frame: bytes | None = None  # the owner's newest frame with the output (for a class's tile)
        self.faults = FrameFaults(session_id)  # a fault while training or building a frame (app/live/faults.py)

    # ----- subscribers ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the pump task."""
        self.scheduler = scheduler_for(self.settings)
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
        self.tiler.stop()

    @property
    def outboxes(self) -> set[Outbox]:
        """The owner's outboxes."""
        return self.owner.outboxes

    def _audiences(self) -> list[Audience]:
        return [self.owner] if self.followers is None else [self.owner, self.followers]

    def subscribe(self, outbox: Outbox, greeting: Outbox | None = None) -> None:
        """Start sending to an owner's outbox: the session, its points, its history and the latest frame
        (through ``greeting`` when they go another way, as a worker's greeting does)."""
        self.owner.watch(outbox)
        self.plan.owe_maps()  # the new page's first frame is whole
        self.greet(greeting or outbox)
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
        if audience.last_frame is not None and (audience is not self.owner or self.plan.is_last_whole):
            outbox.put_frame(audience.last_frame)
        elif audience.last_frame is not None:  # a frame that left arrays out: a new page gets a whole one soon
            self._owe_frame()

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
        """Apply one validated command with its handler (app/live/commands.py); returns what changed (as in
        ``session.changed``, ["status"] when a pause stopped a run); raises InputError (nothing changed) if refused."""
        steps_before = self.session.steps
        self.revision += 1
        changed, is_new_data = commands.apply(self, command)
        self._broadcast(self.session_message(changed))
        if is_new_data:
            self._broadcast(encode_dataset(self.session.data))
        if self.session.steps < steps_before:  # a new run: its curve starts again, and no page is greeted
            self._broadcast(encode_history(self.session.history, self.session.problem))  # with the old run's frame
            for audience in self._audiences():
                audience.last_frame = None
            self.boundary_frame = None
        if isinstance(command, ListLessons):
            self.owner.broadcast(self.desk.lessons_message(command.language or DEFAULT_LANGUAGE))
        self._send_lesson(is_forced=True)
        self.plan.owe_maps()  # whatever changed or was chosen shows in the very next frame
        self._owe_frame()
        return changed

    def _send_lesson(self, is_forced: bool = False) -> None:
        """Measure the step's goal and send the ``lesson`` messages that changed (to a class too: teacher-paced)."""
        self.desk.observe(self.session, is_forced)
        for message in self.desk.changed_messages():
            self._broadcast(message)

    def after_rebuild(self, is_new_data: bool = True) -> None:
        """A new network or new points: drop owed steps and the selections that no longer fit."""
        self.pending_batches = 0
        sizes = self.session.mlp.sizes
        self.selected_neuron = _within(self.selected_neuron, sizes)
        self.highlight = _within(self.highlight, sizes)
        if is_new_data:
            self.selected_sample = None

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
        self.after_rebuild()
        self._broadcast(self.session_message(["import"]))
        self._broadcast(encode_dataset(session.data))
        self._broadcast(encode_history(session.history, session.problem))
        self._broadcast(self.pins_message())
        self._send_lesson()
        self.plan.owe_maps()
        self._owe_frame()
        return {"status": session.status.value, "dataset": session.config.dataset,
                "sizes": list(session.mlp.sizes), "step": session.steps}

    async def restore_lesson(self, kept: dict[str, Any]) -> None:
        """Open again the lesson a store kept with this (just imported) run; see ``LessonDesk.restore``."""
        self.desk.restore(kept, self.session)
        self._send_lesson()

    # ----- in a class ----------------------------------------------------------------------
    async def fork_copy(self) -> dict[str, Any]:
        """A follower's copy of this (presented) run: the experiment and the open lesson, if any."""
        return {"document": export(self.session), "lesson": self.desk.kept()}

    async def set_class_goals(self, goals: dict[int, dict[str, int]] | None) -> None:
        """The class's goal results by lesson step (None: not presenting); the ``lesson`` message shows its step's."""
        if goals != self.desk.class_goals:
            self.desk.class_goals = goals
            self._send_lesson()

    async def set_tile_sink(self, sink: Outbox | None) -> None:
        """Start (or, with None, stop) sending this run's tile to a class's teacher, at most once an interval."""
        self.tiler.switch(sink)
        self._offer_tile(asyncio.get_running_loop().time())

    async def run_card(self) -> dict[str, Any]:
        """What a teacher's ``compare`` shows of this run (app/live/classroom/tiles.py)."""
        return run_card(self.owner.last_frame, self.boundary_frame, self.session)

    def _offer_tile(self, now: float) -> None:
        self.tiler.offer(lambda: self.owner.last_frame,
                         lambda frame: tile(frame, self.boundary_frame, self.session, self.desk), now)

    # ----- the pump ------------------------------------------------------------------------
    @property
    def pace_figures(self) -> PaceFigures:
        """The owner's frames and the run's epochs per second over the last seconds, achieved and asked
        (app/live/pace.py); read on the event loop."""
        return self._pace_at(asyncio.get_running_loop().time())

    def _pace_at(self, now: float) -> PaceFigures:
        if not self.is_busy:
            return PaceFigures(0.0, 0.0, 0.0, 0.0)
        return self.pace.figures(now, self.owner.max_fps)

    @property
    def busy_ratio(self) -> float:
        """Achieved over asked frames and epochs per second, the worse of the two, at most 1.0 (below: the
        server is busier than this run's speed asks for); read on the event loop."""
        return self.pace_figures.ratio

    async def _pump(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            audiences = self._audiences()
            if not self.is_busy and not any(a.is_dirty for a in audiences):
                self.pace.clear()  # not training: nothing asked, nothing late
                self.wake.clear()
                await self.wake.wait()
                continue
            due = min(a.next_frame_at for a in audiences if a.is_dirty or self.is_busy)
            try:
                if self.is_busy:
                    await self._train_until(due, loop)
                await asyncio.sleep(max(0.0, due - loop.time()))  # always yields, even when late
                self._frames(loop.time())
            except Exception:  # a bug in training or in a frame: the run is paused and kept, the pump goes on
                self._fault(loop.time())

    def _frames(self, now: float) -> None:
        """Build and hand out the frames due now; renew a class's history and the teacher's tile."""
        for audience in self._audiences():
            if audience.is_due(now):
                audience.deliver(self._watch_status(self._make_frame, audience, now), now)
                self.faults.recovered()
                if audience is self.owner and self.is_busy:
                    self.pace.frame(now)
        self._keep_history(now)
        self._offer_tile(now)

    def _fault(self, now: float) -> None:
        """After a fault (app/live/faults.py): pause the run, owe no frame until the next change, and
        tell the owner once."""
        self.pending_batches = 0
        was_running = self.session.status == Status.RUNNING
        if was_running:
            self.session.pause()
        for audience in self._audiences():
            audience.is_dirty = False
            audience.next_frame_at = now + audience.interval_s
        if self.faults.failed():
            self.owner.broadcast(error_message(FRAME_FAULT))
        if was_running:
            self._broadcast(self.session_message(["status"]))

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

    def _make_frame(self, audience: Audience, now: float) -> bytes:
        """Snapshot, trace and encode one frame at this audience's resolution (the owner's: what its page
        shows, see ``FramePlan``, on a coarser grid and with maps half as often while the server is too busy
        for its frame rate; a class's: whole)."""
        session = self.session
        is_owner = audience is self.owner
        is_cheaper = is_owner and self.busy.is_busy
        with_output, with_maps = self.plan.next_frame(is_cheaper) if is_owner else (True, True)
        grid_size = min(audience.grid_size, self.settings.busy_grid_size) if is_cheaper else audience.grid_size
        snapshot = session.snapshot(grid_size, audience.thumb_size(session.mlp.sizes),
                                    self.selected_neuron, with_maps=with_maps, with_output=with_output)
        if is_owner:
            self._observe_pace(now)
        self.seq += 1
        self.revision += 1  # a snapshot after training adds a point to the run's history
        sample = None if self.selected_sample is None else trace_header(session, self.selected_sample,
                                                                       self.selected_neuron)
        if audience is self.owner or not self.owner.outboxes:  # once per step, whichever audience sees it
            self.diagnoses = self.diagnosis.observe(session, snapshot.train, snapshot.test)
            self._send_lesson()
        timeline = None if audience.is_compact else session.checkpoints.summary()  # the owner's scrubber
        frame = encode_frame(snapshot, self.seq, sample, self.diagnoses, is_compact=audience.is_compact,
                             checkpoints=timeline)
        if is_owner and with_output:
            self.boundary_frame = frame
        return frame

    def _observe_pace(self, now: float) -> None:
        """Before an owner's frame: tell the page when the server cannot keep its frame rate (the run's
        ``Pace``), and when it can again."""
        if self.is_busy and self.owner.outboxes:
            figures = self._pace_at(now)
            notice = self.busy.observe(now, figures.fps, figures.asked_fps,
                                       figures.keeps_epochs(self.settings.busy_share))
        else:
            notice = self.busy.reset()
        if notice is not None:
            self.owner.broadcast(notice)


def _within(neuron: tuple[int, int] | None, sizes: tuple[int, ...]) -> tuple[int, int] | None:
    """The neuron if the network of these layer sizes has it, else None."""
    return neuron if neuron is not None and neuron[0] < len(sizes) and neuron[1] < sizes[neuron[0]] else None
