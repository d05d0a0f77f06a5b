"""Inside a worker process: ordinary ``Runner`` objects on the worker's own event loop, driven by a pipe.

``worker_main`` is the process's entry point; it serves the web process's requests until the pipe
closes or it is told to stop, and answers every request, whatever is raised.
See app/live/workers.py for the web process's side.

Wire between the processes (pickled tuples):
  to a worker:   ("open", sid) | ("close", sid) | ("greet", sid) | ("unwatched", sid) | ("stop", "")
                 (greet: a subscriber came, so the session is watched; unwatched: the last one left)
                 | (kind, sid, request_id, payload)
                 with kind one of "command", "export", "import", "feed" (payload: bool, followers on/off),
                 "save" (payload: the revision stored last; reply: (revision, packed run or None), Runner.save),
                 "lesson" (payload: a kept lesson to open again, Runner.restore_lesson),
                 "fork_copy" (Runner.fork_copy), "card" (Runner.run_card), "tiles" (payload: bool, tiles on/off),
                 "class_goals" (payload: a class's goal results by step, or None: Runner.set_class_goals)
  from a worker: ("message", sid, str | bytes) | ("frame", sid, bytes)
                 | ("room_message" | "room_frame" | "room_keep", sid, str | bytes)  (what a class sees)
                 | ("tile_message", sid, str)  (the run's tile, for a class's teacher)
                 | ("fault", sid, b"")  (the runner paused its run after a fault: app/live/faults.py; counted)
                 | ("greet_message" | "greet_frame" | "greet_done", sid, str | bytes)  (for new subscribers)
                 | ("reply", request_id, error: (field, message, key, args) | None, result)
                 all of which travel in ("batch", [message, ...]): what the worker's event loop sends in
                 one turn goes as one pickle and one write (``BatchedPipe``), in order.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from app.errors import InputError
from app.live.outbox import Outbox
from app.live.protocol import COMMAND_ADAPTER, SERVER_FAULT
from app.live.runner import Runner
from app.live.settings import Settings
from app.live.signals import ignore_stop_signals
from app.training.session import TrainingSession

LOG = logging.getLogger("neuroplay.workers")


def worker_main(settings_json: str, connection: Connection) -> None:
    """Entry point of a worker process: serve requests until the pipe closes."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    ignore_stop_signals()  # Ctrl+C and SIGTERM reach the whole process group; the pool stops us itself
    asyncio.run(_serve(Settings.model_validate_json(settings_json), connection))


class BatchedPipe:
    """The worker's way to the web process: messages sent during one turn of the event loop are written
    together, in order, as one ``("batch", [...])`` at the start of the next turn (100 learners' frames
    would otherwise cost a pickle, a write and a wake-up of the web process's reader each)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.waiting: list[tuple[Any, ...]] = []

    def send(self, message: tuple[Any, ...]) -> None:
        """Queue one message; the first of a turn asks the loop to write them all."""
        if not self.waiting:
            asyncio.get_running_loop().call_soon(self.flush)
        self.waiting.append(message)

    def flush(self) -> None:
        """Write what waits (also called once more as the worker stops)."""
        if self.waiting:
            batch, self.waiting = self.waiting, []
            self.connection.send(("batch", batch))


class PipeOutbox(Outbox):
    """The outbox of a runner in a worker: everything goes straight to the web process."""

    def __init__(self, connection: BatchedPipe, session_id: str, prefix: str = "") -> None:
        super().__init__()
        self.connection = connection
        self.session_id = session_id
        self.prefix = prefix  # "room_" for the followers' stream, "tile_" for a fork's tiles

    def put(self, message: str | bytes) -> None:
        self.connection.send((f"{self.prefix}message", self.session_id, message))

    def put_frame(self, frame: bytes) -> None:
        self.connection.send((f"{self.prefix}frame", self.session_id, frame))

    def keep(self, message: str | bytes) -> None:
        self.connection.send((f"{self.prefix}keep", self.session_id, message))


def _fault_reporter(connection: BatchedPipe, session_id: str) -> Callable[[], None]:
    """Tell the web process about a fault of this session's runner, for its metric."""
    return lambda: connection.send(("fault", session_id, b""))


def _read_into(connection: Connection, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Any]) -> None:
    """Blocking reads on a thread, handed to the event loop; None when the pipe closes."""
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            loop.call_soon_threadsafe(queue.put_nowait, None)
            return
        loop.call_soon_threadsafe(queue.put_nowait, message)


async def _serve(settings: Settings, pipe: Connection) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    threading.Thread(target=_read_into, args=(pipe, loop, inbox), daemon=True).start()
    connection = BatchedPipe(pipe)
    runners: dict[str, Runner] = {}
    pipes: dict[str, PipeOutbox] = {}  # each session's way to the web process, while someone watches
    while (message := await inbox.get()) is not None:
        kind, session_id = message[0], message[1]
        if kind == "stop":
            break
        if kind == "open":
            runner = runners[session_id] = Runner(TrainingSession(), settings, session_id)
            pipes[session_id] = PipeOutbox(connection, session_id)
            runner.faults.on_fault = _fault_reporter(connection, session_id)
            runner.start()
        elif kind == "unwatched" and session_id in runners:
            runners[session_id].unsubscribe(pipes[session_id])
        elif kind == "greet" and session_id in runners:  # a new page: its first frame is whole, as in-process
            runners[session_id].subscribe(pipes[session_id], PipeOutbox(connection, session_id, "greet_"))
            connection.send(("greet_done", session_id, b""))
        elif kind == "close" and session_id in runners:
            pipes.pop(session_id, None)
            await runners.pop(session_id).close()
        elif session_id in runners:
            asyncio.create_task(_answer(runners[session_id], connection, *message))
    for runner in runners.values():
        await runner.close()
    connection.flush()


async def _answer(runner: Runner, connection: BatchedPipe, kind: str, session_id: str, request: int,
                  payload: Any) -> None:
    """Carry out one request and always reply: an InputError becomes (field, message), any other
    exception is logged and answered as SERVER_FAULT, so the web process never waits in vain."""
    result: Any = None
    try:
        if kind == "command":
            result = await runner.execute(COMMAND_ADAPTER.validate_python(payload))
        elif kind == "export":
            result = await runner.export()
        elif kind == "save":
            result = await runner.save(int(payload))
        elif kind == "lesson":
            await runner.restore_lesson(payload)
        elif kind == "feed":
            await runner.set_feed(PipeOutbox(connection, session_id, "room_") if payload else None)
        elif kind == "tiles":
            await runner.set_tile_sink(PipeOutbox(connection, session_id, "tile_") if payload else None)
        elif kind == "fork_copy":
            result = await runner.fork_copy()
        elif kind == "card":
            result = await runner.run_card()
        elif kind == "class_goals":
            await runner.set_class_goals(payload)
        else:
            result = await runner.import_document(payload)
    except InputError as error:
        connection.send(("reply", request, (error.field, error.message, error.key, error.params), None))
        return
    except Exception:
        LOG.exception("session %s: %s request failed", session_id[:8], kind)
        connection.send(("reply", request, (SERVER_FAULT.field, SERVER_FAULT.message), None))
        return
    connection.send(("reply", request, None, result))
