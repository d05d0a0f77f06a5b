"""Worker processes that own the sessions, so training uses every core.

Python runs one thread of bytecode at a time per process, and a session's
training and snapshots are mostly that. So the web process keeps the
sockets and the fan-out to subscribers, and ``settings.workers`` processes
(started with "spawn") each run ordinary ``Runner`` objects on their own
event loop. A ``RemoteRunner`` in the web process stands in for each one:
commands go to the worker as plain tuples over a pipe, and frames and
messages come back as bytes and text. A worker encodes each frame once; the
web process hands the same bytes to every subscribed outbox.

The processes speak the pickled tuples listed in app/live/worker_process.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from app.errors import InputError
from app.i18n import refusal
from app.live.classroom.placement import choose_worker
from app.live.outbox import Outbox
from app.live.protocol import Command, error_message
from app.live.registry import LiveRunner
from app.live.settings import Settings
from app.live.signals import stop_signals_ignored
from app.live.worker_process import worker_main

LOG = logging.getLogger("neuroplay.workers")
STOP_SECONDS = 5.0  # how long a worker may take to exit before it is killed
RESTART_WINDOW_SECONDS = 60.0  # settings.max_worker_restarts in this long: beyond, a dying worker is a bug
WORKER_GONE = refusal("server", "error.worker_gone")
NO_WORKERS = refusal("server", "error.no_workers")
NO_ANSWER = refusal("server", "error.no_answer")


# ----- in the web process --------------------------------------------------------------------------
class RemoteRunner:
    """A runner in a worker process, as the web process sees it (the ``LiveRunner`` interface)."""

    def __init__(self, worker: Worker, session_id: str, shape: str | None = None) -> None:
        self.worker = worker
        self.id = session_id
        self.shape = shape  # the network it was created for (a fork's), to place same-shape runs together
        self.outboxes: set[Outbox] = set()
        self.greeting: set[Outbox] = set()  # new subscribers, waiting for the worker's greeting
        self.feed: Outbox | None = None  # where the followers' stream goes while the run is presented
        self.tile_sink: Outbox | None = None  # where the run's tiles go while it is a class's fork

    def start(self) -> None:
        """Open the session in the worker; raises WORKER_GONE (and forgets it) if the worker has died."""
        try:
            if not self.worker.is_running:
                raise OSError("the worker process has exited")
            self.worker.send(("open", self.id))
        except OSError:
            self.worker.runners.pop(self.id, None)
            raise WORKER_GONE from None

    async def close(self) -> None:
        self.worker.runners.pop(self.id, None)
        if self.worker.is_alive:
            self.worker.send(("close", self.id))
        self.outboxes.clear()
        self.feed = self.tile_sink = None

    def subscribe(self, outbox: Outbox) -> None:
        """The worker greets the new subscriber with the session as it is now, then it gets what follows."""
        self.greeting.add(outbox)
        with contextlib.suppress(OSError):  # the worker died: it cannot greet, so the subscriber is told
            if self.worker.is_running:
                self.worker.send(("greet", self.id))
                return
        outbox.put(error_message(WORKER_GONE))

    def unsubscribe(self, outbox: Outbox) -> None:
        """Stop sending to ``outbox``; when nobody is left, the worker stops making frames for nobody."""
        was_watched = bool(self.outboxes or self.greeting)
        self.outboxes.discard(outbox)
        self.greeting.discard(outbox)
        if was_watched and not (self.outboxes or self.greeting) and self.worker.is_running:
            with contextlib.suppress(OSError):
                self.worker.send(("unwatched", self.id))

    async def execute(self, command: Command) -> list[str]:
        changed: list[str] = await self.worker.request("command", self.id, command.model_dump())
        return changed

    async def export(self) -> dict[str, Any]:
        document: dict[str, Any] = await self.worker.request("export", self.id, None)
        return document

    async def save(self, since: int) -> tuple[int, bytes | None]:
        """The run, packed by the worker, if it changed since revision ``since`` (see ``Runner.save``)."""
        revision, blob = await self.worker.request("save", self.id, since)
        return int(revision), blob

    async def import_document(self, document: dict[str, Any]) -> dict[str, Any]:
        summary: dict[str, Any] = await self.worker.request("import", self.id, document)
        return summary

    async def restore_lesson(self, kept: dict[str, Any]) -> None:
        await self.worker.request("lesson", self.id, kept)

    async def set_feed(self, feed: Outbox | None) -> None:
        self.feed = feed
        await self.worker.request("feed", self.id, feed is not None)

    async def fork_copy(self) -> dict[str, Any]:
        copy: dict[str, Any] = await self.worker.request("fork_copy", self.id, None)
        return copy

    async def run_card(self) -> dict[str, Any]:
        card: dict[str, Any] = await self.worker.request("card", self.id, None)
        return card

    async def set_tile_sink(self, sink: Outbox | None) -> None:
        self.tile_sink = sink
        await self.worker.request("tiles", self.id, sink is not None)

    async def set_class_goals(self, goals: dict[int, dict[str, int]] | None) -> None:
        await self.worker.request("class_goals", self.id, goals)

    def on_tile(self, message: str | bytes) -> None:
        """The run's tile, from the worker: to the class's teacher."""
        if self.tile_sink is not None:
            self.tile_sink.put(message)

    def on_greet(self, kind: str, message: str | bytes) -> None:
        """The worker's greeting for new subscribers; once it is done they get everything."""
        for outbox in self.greeting:
            if kind == "greet_frame":
                outbox.put_frame(message)  # type: ignore[arg-type]
            elif kind == "greet_message":
                outbox.put(message)
        if kind == "greet_done":
            self.outboxes |= self.greeting
            self.greeting.clear()

    def on_room(self, kind: str, message: str | bytes) -> None:
        """Part of the followers' stream, from the worker: into the feed."""
        if self.feed is None:
            return
        if kind == "room_frame":
            self.feed.put_frame(message)  # type: ignore[arg-type]
        elif kind == "room_keep":
            self.feed.keep(message)
        else:
            self.feed.put(message)

    def on_message(self, message: str | bytes) -> None:
        """A message from the worker: pass it on (it is for every subscriber, the greeted ones)."""
        for outbox in self.outboxes | self.greeting:
            outbox.put(message)

    def on_frame(self, frame: bytes) -> None:
        for outbox in self.outboxes:
            outbox.put_frame(frame)


class Worker:
    """One worker process and the web process's end of its pipe."""

    def __init__(self, settings: Settings, context: Any, on_gone: Callable[[Worker], None],
                 on_fault: Callable[[], None] = lambda: None) -> None:
        self.on_gone = on_gone  # called on the event loop when the process has exited unasked
        self.on_fault = on_fault  # a runner of this worker paused its run after a fault (a metric counts them)
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(settings.model_dump_json(), child),
                                       daemon=True, name="neuroplay-worker")
        self.child = child
        self.runners: dict[str, RemoteRunner] = {}
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.timeout_s = settings.request_timeout_s
        self.requests = itertools.count()
        self.is_alive = False
        self.is_stopping = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.reader: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        with stop_signals_ignored():  # inherited, so a worker still importing ignores them too
            self.process.start()
        self.child.close()  # the worker holds its own copy; closing ours lets EOF reach the reader
        self.is_alive = True
        self.reader = threading.Thread(target=self._read, daemon=True, name="neuroplay-worker-reader")
        self.reader.start()

    @property
    def is_running(self) -> bool:
        """Whether the process is there: the reader's flag lags a death, so ask the process too."""
        return self.is_alive and self.process.is_alive()

    def send(self, message: tuple[Any, ...]) -> None:
        self.connection.send(message)

    async def request(self, kind: str, session_id: str, payload: Any) -> Any:
        """Send a request and wait for its reply; an error reply, or none within timeout_s, raises InputError."""
        if not self.is_alive:
            raise WORKER_GONE
        assert self.loop is not None
        request = next(self.requests)
        future = self.pending[request] = self.loop.create_future()
        try:
            self.send((kind, session_id, request, payload))
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            raise NO_ANSWER from None
        finally:
            self.pending.pop(request, None)

    def _read(self) -> None:
        """Reader thread: every message from the worker goes to the event loop in order."""
        assert self.loop is not None
        while True:
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                if not self.is_stopping:
                    self._to_loop(self._gone)
                return
            self._to_loop(self._dispatch_batch, message[1])  # ("batch", [...]): app/live/worker_process.py

    def _dispatch_batch(self, messages: list[tuple[Any, ...]]) -> None:
        for message in messages:
            self._dispatch(message)

    def _to_loop(self, callback: Any, *args: Any) -> None:
        assert self.loop is not None
        with contextlib.suppress(RuntimeError):  # the loop closed under us: the server is stopping
            self.loop.call_soon_threadsafe(callback, *args)

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "reply":
            _, request, error, result = message
            future = self.pending.pop(request, None)
            if future is None or future.done():
                return
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(InputError(*error))
            return
        if kind == "fault":
            self.on_fault()
            return
        runner = self.runners.get(message[1])
        if runner is None:
            return
        if kind == "frame":
            runner.on_frame(message[2])
        elif kind.startswith("room_"):
            runner.on_room(kind, message[2])
        elif kind.startswith("tile_"):
            runner.on_tile(message[2])
        elif kind.startswith("greet_"):
            runner.on_greet(kind, message[2])
        else:
            runner.on_message(message[2])

    def _gone(self) -> None:
        """The worker exited: fail what waits on it and tell its sessions' clients."""
        if self.is_alive:
            LOG.error("worker process %s stopped (exit code %s)", self.process.pid, self.process.exitcode)
        self.is_alive = False
        for future in self.pending.values():
            if not future.done():
                future.set_exception(WORKER_GONE)
        self.pending.clear()
        for runner in self.runners.values():
            runner.on_message(error_message(WORKER_GONE))
        self.on_gone(self)

    async def stop(self) -> None:
        """Ask the worker to exit, wait for it and for the reader, then close the pipe."""
        self.is_stopping = True
        if self.is_alive:
            with contextlib.suppress(OSError):
                self.send(("stop", ""))
        self.is_alive = False
        await asyncio.to_thread(self.process.join, STOP_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            await asyncio.to_thread(self.process.join, STOP_SECONDS)
        if self.reader is not None:
            await asyncio.to_thread(self.reader.join, STOP_SECONDS)
        self.connection.close()
        self.process.close()


class WorkerPool:
    """``settings.workers`` worker processes; each new session goes to the least busy one.

    A worker that exits unasked is replaced, so the server keeps its capacity; its sessions are
    lost (``on_lost``: the registry frees them, and their pages reconnect to a new run). A worker
    that keeps dying is not replaced more than ``settings.max_worker_restarts`` times in
    RESTART_WINDOW_SECONDS: ``/healthz`` then says "degraded" (fewer alive than configured); with
    none left, a new session is refused with NO_WORKERS and ``is_serving`` is False (HTTP 503).
    """

    def __init__(self, settings: Settings, on_restart: Callable[[], None] = lambda: None,
                 on_fault: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self.on_restart = on_restart  # called for each replacement (a metric counts them)
        self.on_fault = on_fault  # called for each fault a worker's runner reports (app/live/faults.py)
        self.is_stopping = False  # once shutdown begins, a worker that exits is not replaced
        self.context = multiprocessing.get_context("spawn")  # no fork: the web process runs threads
        self.workers = [Worker(settings, self.context, self._replace, on_fault) for _ in range(settings.workers)]
        self.restarts: deque[float] = deque()  # when workers were replaced, within the last window
        self.on_lost: Callable[[list[str]], None] = lambda session_ids: None  # the registry frees them
        self.reaping: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for worker in self.workers:
            worker.start(loop)

    async def stop(self) -> None:
        self.is_stopping = True
        await asyncio.gather(*(worker.stop() for worker in self.workers), *self.reaping)

    @property
    def is_serving(self) -> bool:
        """Whether any worker process is alive to take a session."""
        return any(worker.is_running for worker in self.workers)

    def create_runner(self, session_id: str, shape: str | None = None) -> LiveRunner:
        """A runner on a living worker: with a ``shape`` (app/live/classroom/placement.py), beside runs of that shape
        within ``settings.placement_slack``; else the least busy. Raises NO_WORKERS when none is alive."""
        living = [w for w in self.workers if w.is_running]
        if not living:
            raise NO_WORKERS
        same = [0 if shape is None else sum(r.shape == shape for r in w.runners.values()) for w in living]
        worker = living[choose_worker([len(w.runners) for w in living], same, self.settings.placement_slack)]
        runner = worker.runners[session_id] = RemoteRunner(worker, session_id, shape)
        return runner

    @property
    def alive_count(self) -> int:
        """Worker processes alive now (``settings.workers`` when all is well)."""
        return sum(worker.is_running for worker in self.workers)

    def _replace(self, dead: Worker) -> None:
        """Free the dead worker's sessions; start a fresh worker in its place, unless workers keep dying."""
        if self.is_stopping:
            return
        self.on_lost(list(dead.runners))
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self.restarts and now - self.restarts[0] >= RESTART_WINDOW_SECONDS:
            self.restarts.popleft()
        if len(self.restarts) >= self.settings.max_worker_restarts:
            LOG.error("worker processes keep stopping; not starting another")
            return
        self.restarts.append(now)
        fresh = Worker(self.settings, self.context, self._replace, self.on_fault)
        self.workers[self.workers.index(dead)] = fresh
        fresh.start(loop)
        self.on_restart()
        LOG.warning("started worker process %s in place of %s", fresh.process.pid, dead.process.pid)
        task = loop.create_task(dead.stop())  # reap the old process and its reader thread
        self.reaping.add(task)
        task.add_done_callback(self.reaping.discard)
