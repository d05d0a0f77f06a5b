"""The training scheduler of one process: every run that asks to train does so in the next tick,
same-shape runs together, each with a fair share.

A runner's pump asks ``Scheduler.train(trainee, batches, is_top_up)`` for a frame's training and
awaits the batches it was granted. Requests that arrive while the event loop is busy wait for the
next tick; a tick takes them all, plans each run's slice (``Trainee.plan_slice``), grants shares
(``app.live.fair_share``), groups the runs by ``app.training.group.group_key`` and trains each
group with ``train_together`` (one batched matmul per layer and pass for the whole group, exactly
as each run would train alone; at most ``GROUP_CHUNK`` runs a pass), yielding to the event loop
between passes. A run's first request
of a frame is always served; a *top-up* (the same frame asking again because time is left before
its frame is due, as fast speeds do) is served only in a tick where no run waits for its first
request, and is otherwise answered 0 at once, so a fast run never delays its neighbours' frames.
There is one scheduler per event loop, so one per process (the web process, each worker).
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.live.fair_share import Demand, fair_grants
from app.live.settings import Settings
from app.training.group import GroupKey, group_key, train_together
from app.training.session import TrainingSession
from app.training.status import Status

GROUP_CHUNK = 32  # most runs trained in one stacked pass: a class of 100 forks trains in four passes, with
# the event loop free between them (a pass of 100 on a 6 x 8 net would hold it for ~25 ms)
FIRST_BATCH_S = 5e-5  # guess of a session-batch's cost in a group before the first measurement
SMOOTHING = 0.2  # weight of the newest measurement in a group's running cost per session-batch


@dataclass(frozen=True)
class Slice:
    """A run's plan for one tick: at most ``batches`` of training, running or stepping by hand.

    ``discarding`` and ``status`` are what the runner needs afterwards to tell its pages."""

    session: TrainingSession
    batches: int
    is_stepping: bool
    discarding: tuple[int, int] | None
    status: Status


class Trainee(Protocol):
    """What the scheduler needs of a runner."""

    def plan_slice(self, batches: int) -> Slice | None:
        """What to train now (None: nothing, the run cannot train)."""

    def finish_slice(self, plan: Slice, granted: int, taken: int, seconds: float) -> None:
        """After training: counters, messages, the run's cost per batch."""


@dataclass
class Request:
    """A runner's request for a frame's training, answered with the batches taken."""

    trainee: Trainee
    batches: int
    is_top_up: bool
    future: asyncio.Future[int]
    slots: int = 1  # frame slots the request stands for (a late frame's missed ones: see fair_share.floor_of)
    plan: Slice | None = field(default=None)


def per_epoch(session: TrainingSession) -> int:
    """Batches in one whole epoch of the session."""
    return math.ceil(len(session.data.train_index) / session.batch_rows)


class Scheduler:
    """Trains every asking run of this process in ticks (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.budget_s = settings.tick_ms / 1000.0
        self.pending: list[Request] = []
        self.costs: dict[GroupKey, float] = {}  # seconds per session-batch, by group
        self.task: asyncio.Task[None] | None = None
        self.ticks = 0

    def train(self, trainee: Trainee, batches: int, is_top_up: bool = False, slots: int = 1) -> asyncio.Future[int]:
        """Ask for up to ``batches`` of training in the next tick, standing for ``slots`` frame slots; the
        future gives the batches taken."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self.pending.append(Request(trainee, batches, is_top_up, future, slots))
        if self.task is None:
            self.task = loop.create_task(self._run(), name="training-scheduler")
        return future

    async def _run(self) -> None:
        try:
            while self.pending:
                await asyncio.sleep(0)  # runners due at the same moment ask too
                requests, self.pending = self.pending, []
                try:
                    await self.tick(requests)
                except Exception as error:  # a bug: the waiting pumps stop and report it; the others go on
                    for request in requests:
                        if not request.future.done():
                            request.future.set_exception(error)
        finally:
            self.task = None

    async def tick(self, requests: Sequence[Request]) -> None:
        """Serve one tick's requests (see the module docstring)."""
        self.ticks += 1
        waiting = [r for r in requests if not r.future.done()]  # a closed runner's request is cancelled
        if any(not r.is_top_up for r in waiting):
            for request in waiting:
                if request.is_top_up:
                    request.future.set_result(0)
            waiting = [r for r in waiting if not r.is_top_up]
        planned = []
        for request in waiting:
            request.plan = request.trainee.plan_slice(request.batches)
            if request.plan is None:
                request.future.set_result(0)
            else:
                planned.append(request)
        keys = [group_key(r.plan.session) for r in planned if r.plan is not None]
        grants = fair_grants([Demand(r.plan.batches, per_epoch(r.plan.session), self.costs.get(key, FIRST_BATCH_S),
                                     r.slots)
                              for r, key in zip(planned, keys, strict=True) if r.plan is not None], self.budget_s)
        groups: dict[GroupKey, list[tuple[Request, int]]] = {}
        for request, key, grant in zip(planned, keys, grants, strict=True):
            groups.setdefault(key, []).append((request, grant))
        chunks = [(key, members[start:start + GROUP_CHUNK]) for key, members in groups.items()
                  for start in range(0, len(members), GROUP_CHUNK)]
        for index, (key, members) in enumerate(chunks):
            if index:
                await asyncio.sleep(0)  # other work between passes; each pass checks its members again
            self._train_group(key, members)

    def _train_group(self, key: GroupKey, members: list[tuple[Request, int]]) -> None:
        """Train one group's still-valid members together and answer their requests."""
        ready = []
        for request, grant in members:
            plan = request.plan
            if request.future.done() or plan is None or not _still_valid(request.trainee, plan, key):
                if not request.future.done():
                    request.future.set_result(0)
                continue
            ready.append((request, plan, grant))
        if not ready:
            return
        started = time.perf_counter()
        try:
            taken = train_together([plan.session for _, plan, _ in ready], [grant for _, _, grant in ready])
        except Exception as error:  # a bug: every member's pump reports it
            for request, _, _ in ready:
                request.future.set_exception(error)
            return
        seconds = time.perf_counter() - started
        total = sum(grant for _, _, grant in ready)
        cost = seconds / total
        self.costs[key] = self.costs.get(key, cost) + SMOOTHING * (cost - self.costs.get(key, cost))
        for (request, plan, grant), done in zip(ready, taken, strict=True):
            request.trainee.finish_slice(plan, grant, done, seconds * grant / total)
            if not request.future.done():
                request.future.set_result(done)


def _still_valid(trainee: Any, plan: Slice, key: GroupKey) -> bool:
    """Whether a plan made at the start of the tick still holds (a command may have run since)."""
    session = plan.session
    if getattr(trainee, "session", session) is not session or group_key(session) != key:
        return False
    expected = (Status.IDLE, Status.PAUSED) if plan.is_stepping else (Status.RUNNING,)
    return session.status in expected


_SCHEDULERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Scheduler] = weakref.WeakKeyDictionary()


def scheduler_for(settings: Settings) -> Scheduler | None:
    """This event loop's scheduler (made on first use); None when ``settings.stacked_training`` is off."""
    if not settings.stacked_training:
        return None
    loop = asyncio.get_running_loop()
    scheduler = _SCHEDULERS.get(loop)
    if scheduler is None:
        scheduler = _SCHEDULERS[loop] = Scheduler(settings)
    return scheduler
