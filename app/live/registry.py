"""The sessions of the server, by id: live ones with a socket, detached ones kept for a while.

A session lives in the web process (``Runner``) or in a worker process (``RemoteRunner``, see
app/live/workers.py); connections, rooms and the HTTP API see either through ``LiveRunner``.

A session's socket holds it through a ``Lease``. When the socket goes away the session is
*detached*: it keeps training for a grace (``settings.detached_grace_s``, never longer than the
socket last held it, so brief resumes cannot keep a run training with nobody there), then pauses,
and it is freed ``settings.detached_ttl_s`` after it was detached unless a socket attaches it again
(a reload, a reconnection). A socket that presents the id of an attached session takes it over:
the first lease is told and closed.

When the server is full, a new session frees one nobody needs: a detached one never used first
(an unopened fork), then the oldest detached one, then a page left unused for
``settings.idle_session_s``; never a presented run (``keepers`` say which) nor a used one with a
socket. One client address holds at most ``settings.max_sessions_per_client`` sessions, and
``settings.max_forks_per_client`` of them forks; at its share, the same order frees one of its
own pages that went away (a class behind one school address whose closed tabs wait, detached,
still gets new runs). A session whose training process died is *lost*:
it is freed at once, and a reload of its id gets a new run with ``"resume": "lost"``.

An id that no session here has may be one a store kept across a restart (``recall``,
app/live/keeper.py): that run is revived under its id and resumed; one the store kept but cannot
give back opens a new run, said to be "lost" as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.errors import InputError
from app.i18n import refusal
from app.live.outbox import Outbox
from app.live.protocol import Command, Pause
from app.live.runner import Runner
from app.live.settings import Settings
from app.training.session import TrainingSession

LOG = logging.getLogger("neuroplay.registry")
SHUTDOWN_WAIT_S = 2.0  # at shutdown, how long the tasks that closing started may take before they are cancelled
SESSION_ID_BYTES = 18  # random bytes in a session id: it grants control of the run, so unguessable
LOST_KEPT = 10_000  # ids of lost sessions remembered (newest first), so their reload can say what happened


@dataclass(eq=False)
class Lease:
    """One socket's hold on a session: its outbox, and what to do when another socket takes over."""

    outbox: Outbox
    on_taken_over: Callable[[], None] = lambda: None
    on_freed: Callable[[str], None] = lambda reason: None  # its run was freed ("lost" or "idle"): the socket goes


@dataclass(eq=False)
class Entry:
    """A session and who holds it."""

    runner: LiveRunner
    client: str = ""  # the client address that made it
    is_fork: bool = False  # a follower's copy of a class run
    lease: Lease | None = None
    created_at: float = 0.0  # event-loop time
    attached_at: float | None = None  # when a socket last took it; None if none ever did
    is_used: bool = False  # a command reached it: not a page (or an unopened fork) left idle
    detached_at: float | None = None  # event-loop time; None while a socket holds it
    is_paused_away: bool = False  # the grace ran out while detached and the run was paused
    timers: list[asyncio.TimerHandle] = field(default_factory=list)

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


@dataclass(frozen=True)
class Opened:
    """What ``Registry.open`` found: the runner, how it was found, and whether it was paused while away."""

    runner: LiveRunner
    resume: str  # "new", "resumed", "expired" or "lost" (its training process died, or kept across a restart
    # but not restorable)
    is_paused_away: bool = False


LOST = "lost"  # what ``recall`` answers for a kept run it cannot give back
Kept = dict[str, Any]  # a kept run: {"document": an export, "is_running": bool, "lesson": dict | None} (store.py)
Recall = Callable[[str], Coroutine[Any, Any, Kept | str | None]]  # session id → a kept run, LOST or None


class SessionListener(Protocol):
    """Told when a session loses or regains its socket and when it is freed (rooms listen)."""

    def on_detached(self, session_id: str) -> None: ...
    def on_attached(self, session_id: str) -> None: ...
    def on_freed(self, session_id: str) -> None: ...
    def on_lost(self, session_id: str) -> None: ...  # before on_freed: its training process died


class Registry:
    """The sessions by id; at most ``settings.max_sessions`` at once, detached ones included."""

    def __init__(self, settings: Settings, pool: RunnerFactory | None = None) -> None:
        self.settings = settings
        self.pool = pool
        self.entries: dict[str, Entry] = {}
        self.listeners: list[SessionListener] = []
        self.keepers: list[Callable[[str], bool]] = []  # whether a class needs this session: never freed for room
        self.lost: OrderedDict[str, None] = OrderedDict()  # ids of sessions whose training process died
        self.tasks: set[asyncio.Task[None]] = set()
        self.recall: Recall | None = None  # a run kept across a restart, by id (set by the keeper)
        self.on_fault: Callable[[], None] = lambda: None  # counts a fault of an in-process runner (a metric)
        if pool is not None:
            pool.on_lost = self.lose

    @property
    def runners(self) -> dict[str, LiveRunner]:
        """Every session's runner, by id."""
        return {session_id: entry.runner for session_id, entry in self.entries.items()}

    @property
    def detached_count(self) -> int:
        return sum(entry.lease is None for entry in self.entries.values())

    def get(self, session_id: str) -> LiveRunner | None:
        """The runner of this session, attached or not."""
        entry = self.entries.get(session_id)
        return None if entry is None else entry.runner

    def client_of(self, session_id: str) -> str | None:
        entry = self.entries.get(session_id)
        return None if entry is None else entry.client

    def touch(self, session_id: str) -> None:
        """A command reached this session: it is in use (not freed as an idle page)."""
        entry = self.entries.get(session_id)
        if entry is not None:
            entry.is_used = True

    # ----- creating and finding ------------------------------------------------------------
    async def create(self, session_id: str | None = None, client: str = "", *,
                     is_fork: bool = False, shape: str | None = None) -> LiveRunner | None:
        """A started runner with a fresh default session, held by nobody yet; None when full.

        ``session_id`` is for a run kept across a restart, revived under its own id; ``shape`` is the
        network it is made for (a fork's: app/live/placement.py), to place it beside its kind. Raises
        InputError("sessions") when ``client`` holds its share of sessions (or of forks) already.
        """
        await self._take_share(client, is_fork)
        if len(self.entries) >= self.settings.max_sessions and not await self._make_room():
            return None
        session_id = session_id or secrets.token_urlsafe(SESSION_ID_BYTES)
        runner: LiveRunner
        if self.pool is None:
            runner = Runner(TrainingSession(), self.settings, session_id)
            runner.faults.on_fault = self.on_fault
        else:
            runner = self.pool.create_runner(session_id, shape)
        self.entries[session_id] = Entry(runner, client, is_fork, created_at=asyncio.get_running_loop().time())
        try:
            runner.start()
        except BaseException:
            del self.entries[session_id]
            raise
        return runner

    async def _take_share(self, client: str, is_fork: bool) -> None:
        """Room within ``client``'s share: at its share, its own page that went away (detached) or sat
        unused is freed first, as when the server is full; a fork waiting for its page never is.
        InputError("sessions") when none can go, or when it holds its share of forks."""
        mine = [entry for entry in self.entries.values() if entry.client == client]
        had_pages = [entry for entry in mine if entry.attached_at is not None]
        if len(mine) >= self.settings.max_sessions_per_client and not await self._make_room(had_pages):
            raise refusal("sessions", "error.sessions.address_runs", max=self.settings.max_sessions_per_client)
        if is_fork and sum(entry.is_fork for entry in mine) >= self.settings.max_forks_per_client:
            raise refusal("sessions", "error.sessions.address_copies", max=self.settings.max_forks_per_client)

    async def open(self, session_id: str | None, lease: Lease, client: str = "") -> Opened | None:
        """Attach ``lease`` to the session with this id, or to a new one if there is none; None when full."""
        entry = self.entries.get(session_id) if session_id else None
        loop = asyncio.get_running_loop()
        if entry is None:
            return await self._open_new(session_id, lease, client)
        previous, entry.lease = entry.lease, lease
        if previous is not None:
            entry.runner.unsubscribe(previous.outbox)
            previous.on_taken_over()
        was_detached, is_paused_away = entry.detached_at is not None, entry.is_paused_away
        entry.cancel_timers()
        entry.detached_at, entry.is_paused_away, entry.attached_at = None, False, loop.time()
        if was_detached:
            for listener in self.listeners:
                listener.on_attached(entry.runner.id)
        return Opened(entry.runner, "resumed", is_paused_away)

    async def _open_new(self, session_id: str | None, lease: Lease, client: str) -> Opened | None:
        """A new run for ``lease``, or the one a store kept under this id, revived."""
        kept = await self.recall(session_id) if session_id and self.recall is not None else None
        if session_id in self.entries:  # another socket revived it meanwhile: take it over as usual
            return await self.open(session_id, lease, client)
        runner = await self.create(session_id if isinstance(kept, dict) else None, client)
        if runner is None:
            return None
        fresh = self.entries[runner.id]
        fresh.lease, fresh.attached_at = lease, asyncio.get_running_loop().time()
        if not isinstance(kept, dict):
            is_lost = kept == LOST or session_id in self.lost
            return Opened(runner, "new" if not session_id else "lost" if is_lost else "expired")
        if not await self.revive(runner, kept):
            return Opened(runner, "lost")
        return Opened(runner, "resumed", is_paused_away=bool(kept["is_running"]))

    async def revive(self, runner: LiveRunner, kept: Kept) -> bool:
        """Load a kept run into a fresh runner; False (logged) if it cannot be loaded."""
        try:
            await runner.import_document(kept["document"])
            if kept.get("lesson") is not None:
                await runner.restore_lesson(kept["lesson"])
        except InputError as error:
            LOG.warning("kept session %s could not be restored (%s: %s); it starts again", runner.id[:8],
                        error.field, error.message)
            return False
        return True

    def detach(self, runner: LiveRunner, lease: Lease | None) -> None:
        """The socket of ``lease`` went away (or, with None, nobody held a new session): keep it for a while.

        It trains on for the grace: ``settings.detached_grace_s``, or less if the socket held it for less
        (a new session nobody held yet, such as a fork waiting for its page, gets the whole grace, and
        so does a presented run: its class still watches it while the presenter reconnects).
        """
        entry = self.entries.get(runner.id)
        if entry is None or entry.lease is not lease or entry.detached_at is not None:
            return  # freed already, or taken over by another socket that now holds it
        loop = asyncio.get_running_loop()
        now = loop.time()
        held_s = self.settings.detached_grace_s
        if entry.attached_at is not None and not self._is_kept(runner.id):
            held_s = now - entry.attached_at
        entry.lease, entry.detached_at = None, now
        entry.timers = [loop.call_later(min(self.settings.detached_grace_s, held_s),
                                        lambda: self.spawn(self._pause_away(entry))),
                        loop.call_later(self.settings.detached_ttl_s, lambda: self.spawn(self._expire(entry)))]
        for listener in self.listeners:
            listener.on_detached(runner.id)

    # ----- freeing -------------------------------------------------------------------------
    async def close(self, runner: LiveRunner) -> None:
        """Stop a runner and forget it (its session is freed)."""
        entry = self.entries.pop(runner.id, None)
        if entry is not None:
            entry.cancel_timers()
            for listener in self.listeners:
                listener.on_freed(runner.id)
        await runner.close()

    async def close_all(self) -> None:
        """Stop every runner (server shutdown)."""
        for entry in list(self.entries.values()):
            await self.close(entry.runner)
        if self.tasks:  # what closing started (a class told it ended, a placement forgotten) may finish
            await asyncio.wait(list(self.tasks), timeout=SHUTDOWN_WAIT_S)
        for task in list(self.tasks):
            task.cancel()

    def lose(self, session_ids: list[str]) -> None:
        """These sessions' training process died: free them now; a reload of their ids says they were lost."""
        for session_id in session_ids:
            entry = self.entries.get(session_id)
            if entry is None:
                continue
            self.lost[session_id] = None
            while len(self.lost) > LOST_KEPT:
                self.lost.popitem(last=False)
            for listener in self.listeners:
                listener.on_lost(session_id)
            if entry.lease is not None:
                entry.lease.on_freed("lost")
            self.spawn(self.close(entry.runner))

    def _is_kept(self, session_id: str) -> bool:
        return any(keeps(session_id) for keeps in self.keepers)

    async def _make_room(self, among: list[Entry] | None = None) -> bool:
        """Free the session nobody needs most (of ``among``, else of all), if any: see the module's
        docstring for the order."""
        now = asyncio.get_running_loop().time()
        entries = self.entries.values() if among is None else among
        free = [entry for entry in entries if not self._is_kept(entry.runner.id)]
        detached = [entry for entry in free if entry.detached_at is not None]
        idle = [entry for entry in free if entry.lease is not None and not entry.is_used
                and now - entry.created_at >= self.settings.idle_session_s]
        for candidates, age in (([e for e in detached if not e.is_used], _detached_at), (detached, _detached_at),
                                (idle, _created_at)):
            if candidates:
                entry = min(candidates, key=age)
                if entry.lease is not None:
                    entry.lease.on_freed("idle")
                await self.close(entry.runner)
                return True
        return False

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` as a task the registry keeps until it is done (and cancels at shutdown)."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _pause_away(self, entry: Entry) -> None:
        """The grace is over: a detached run that is still training pauses (its pump idles)."""
        if self.entries.get(entry.runner.id) is not entry or entry.lease is not None:
            return
        with contextlib.suppress(InputError):  # the training process is gone: nothing to pause
            entry.is_paused_away = "status" in await entry.runner.execute(Pause(type="pause"))

    async def _expire(self, entry: Entry) -> None:
        if self.entries.get(entry.runner.id) is entry and entry.lease is None:
            await self.close(entry.runner)


def _detached_at(entry: Entry) -> float:
    return entry.detached_at or 0.0


def _created_at(entry: Entry) -> float:
    return entry.created_at


class LiveRunner(Protocol):
    """What connections, rooms and the HTTP API use of a runner, local or in a worker process."""

    id: str

    def start(self) -> None: ...
    async def close(self) -> None: ...
    def subscribe(self, outbox: Outbox) -> None: ...
    def unsubscribe(self, outbox: Outbox) -> None: ...
    async def execute(self, command: Command) -> list[str]: ...
    async def export(self) -> dict[str, Any]: ...
    async def save(self, since: int) -> tuple[int, bytes | None]: ...
    async def import_document(self, document: dict[str, Any]) -> dict[str, Any]: ...
    async def restore_lesson(self, kept: dict[str, Any]) -> None: ...
    async def set_feed(self, feed: Outbox | None) -> None: ...
    async def fork_copy(self) -> dict[str, Any]: ...
    async def run_card(self) -> dict[str, Any]: ...
    async def set_tile_sink(self, sink: Outbox | None) -> None: ...
    async def set_class_goals(self, goals: dict[int, dict[str, int]] | None) -> None: ...


class RunnerFactory(Protocol):
    """Makes runners that live elsewhere (see app/live/workers.py)."""

    on_lost: Callable[[list[str]], None]  # told the ids of sessions whose process died (the registry frees them)

    def create_runner(self, session_id: str, shape: str | None = None) -> LiveRunner: ...
