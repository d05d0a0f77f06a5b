"""FrameTraining: how a runner trains the batches of each frame (part of ``Runner``, app/live/runner.py).

Each frame of a running session asks for its batches (its speed: one epoch, ten batches…) or for what
``step`` commands still owe. With the process's scheduler (``app/live/scheduler.py``) the runner is a
``Trainee``: the scheduler asks it to plan a slice (``plan_slice``), trains it with the other runs of its
shape and hands back the batches taken (``finish_slice``). Without one (``settings.stacked_training``
off) the runner trains alone in slices of at most ``settings.slice_ms``, yielding between them. Either
way a frame's training stops at the frame's deadline, the run's ``Pace`` learns what was asked and what
was trained, and after training from a rewound epoch the pages are told that the later epochs are gone.

A frame normally trains its own batches. While the run's page is told the server is busy (``BusyLine``),
a late frame also trains the batches of the frame slots missed since the last frame, at most
``settings.catch_up_frames`` slots: the server sends fewer frames, but the run learns at the pace asked.
Up to one epoch per slot is the frame's floor in the scheduler's fair share (app/live/fair_share.py),
what every run gets whatever the load, so every late run catches up alike and frames come less often;
more (a fast speed's) shares the tick's spare time as before. The training itself is the same as
without catching up.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from app.i18n import DEFAULT_LANGUAGE, translate
from app.live.audience import Audience
from app.live.busy import BusyLine
from app.live.pace import Pace
from app.live.scheduler import Scheduler, Slice, per_epoch
from app.live.settings import Settings
from app.training.session import TrainingSession
from app.training.status import SessionError, Status

T = TypeVar("T")
RUN_DISCARDED = "rewind.discarded"
FIRST_BATCH_MS = 0.05  # guess of a batch's cost before the first measurement
SMOOTHING = 0.2  # weight of the newest measurement in the running cost per batch


class FrameTraining:
    """The training half of a ``Runner``: what it needs of the runner is declared here."""

    session: TrainingSession
    settings: Settings
    scheduler: Scheduler | None
    speed: tuple[str, int]
    pending_batches: int  # batches `step` commands still owe
    ms_per_batch: float  # running cost of one batch trained alone
    revision: int
    pace: Pace
    busy: BusyLine
    owner: Audience

    @property
    def is_busy(self) -> bool:
        """Whether there is training to do."""
        return self.session.status == Status.RUNNING or self.pending_batches > 0

    def _audiences(self) -> list[Audience]:
        raise NotImplementedError

    def _broadcast(self, message: str | bytes) -> None:
        raise NotImplementedError

    def _watch_status(self, work: Callable[..., T], *args: Any) -> T:
        raise NotImplementedError

    def session_message(self, changed: list[str] | None = None) -> str:
        raise NotImplementedError

    def _frame_batches(self) -> int:
        if self.pending_batches:
            return self.pending_batches
        return self.session.batches_for(*self.speed)

    async def _train_until(self, deadline: float, loop: asyncio.AbstractEventLoop) -> None:
        """Train this frame's batches: through the process's scheduler (with the other runs), or alone in
        slices, yielding between them; stop early at the frame deadline."""
        own = self._frame_batches()
        slots = self._slots_owed(loop.time())
        asked = remaining = own * slots
        epoch = per_epoch(self.session)
        is_top_up = False
        while remaining > 0 and self.is_busy:
            if self.scheduler is not None:
                taken = await self.scheduler.train(self, remaining, is_top_up, 1 if is_top_up else slots)
            else:
                per_slice = max(1, int(self.settings.slice_ms / self.ms_per_batch))
                taken = self._watch_status(self._train_slice, min(remaining, per_slice))
            remaining -= taken
            is_top_up = True
            if taken == 0 or loop.time() >= deadline:
                break
            if self.scheduler is None:
                await asyncio.sleep(0)
        self.pace.trained(loop.time(), own / epoch, (asked - max(remaining, 0)) / epoch)

    def _slots_owed(self, now: float) -> int:
        """Frame slots this frame's training stands for: 1, or while the page is told the server is busy the
        slots missed since the last frame (see the module docstring); never for batches step commands owe."""
        # asked of every frame, so the count starts right at the first frame the page is told busy
        slots = self.pace.slots_since(now, self.owner.interval_s, self.settings.catch_up_frames)
        return 1 if self.pending_batches or not self.busy.is_busy else slots

    def _train_slice(self, n_batches: int) -> int:
        """Train up to ``n_batches`` alone (running, or owed by a step command); returns the batches taken."""
        started = time.perf_counter()
        plan = self.plan_slice(n_batches)
        if plan is None:
            return 0
        if plan.is_stepping:
            try:
                taken = plan.session.step("batch", plan.batches)
            except SessionError:
                taken = 0
        else:
            taken = plan.session.train(plan.batches)
        self.finish_slice(plan, plan.batches, taken, time.perf_counter() - started, is_alone=True)
        return taken

    def plan_slice(self, n_batches: int) -> Slice | None:
        """What this run trains now: up to ``n_batches`` while running, or of the batches step commands owe;
        None if it cannot train (diverged, or a step refused: then nothing is owed any more)."""
        session = self.session
        if session.status == Status.DIVERGED:
            return None
        discarding = self._discarding()
        if session.status == Status.RUNNING:
            return Slice(session, n_batches, False, discarding, session.status)
        try:
            session.check_can_step()
        except SessionError:
            self.pending_batches = 0
            return None
        n_batches = min(n_batches, self.pending_batches)
        if n_batches < 1:
            return None
        return Slice(session, n_batches, True, discarding, session.status)

    def finish_slice(self, plan: Slice, granted: int, taken: int, seconds: float, is_alone: bool = False) -> None:
        """After training ``taken`` of ``granted`` batches: owed steps, messages, the cost per batch, dirty frames.

        ``is_alone``: the session's own ``step`` already did what a hand step does after training."""
        if plan.is_stepping:
            if taken and not is_alone:
                plan.session.after_hand_steps()
            self.pending_batches = self.pending_batches - granted if taken else 0  # 0 taken: diverged
        if taken:
            self.revision += 1
            self._tell_discarded(plan.discarding)
            self.ms_per_batch += SMOOTHING * (seconds * 1000.0 / taken - self.ms_per_batch)
        if not is_alone and self.session.status != plan.status:
            self._broadcast(self.session_message(["status"]))
        for audience in self._audiences():
            audience.is_dirty = True

    def _discarding(self) -> tuple[int, int] | None:
        """(epoch rewound to, the run's latest epoch) while training now would discard the later epochs."""
        session = self.session
        later = session.checkpoints.latest
        return None if session.rewound_from is None or later <= session.epochs else (session.epochs, later)

    def _tell_discarded(self, discarding: tuple[int, int] | None) -> None:
        """After training from a rewound epoch: say that the run's later epochs are gone."""
        if discarding is not None and self.session.rewound_from is None:
            args = {"epoch": discarding[0], "latest": discarding[1]}
            self._broadcast(json.dumps({"type": "notice", "topic": "run_discarded", "epoch": discarding[0],
                                        "latest_epoch": discarding[1],
                                        "message": translate(DEFAULT_LANGUAGE, RUN_DISCARDED, **args),
                                        "key": RUN_DISCARDED, "args": args}))
