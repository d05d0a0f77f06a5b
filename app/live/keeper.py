"""The keeper: writes the sessions and classes to a store as they change, and brings them back after a restart.

Every ``settings.save_interval_s`` (and once more at shutdown) it asks each session for its run
if it changed since the last write (``LiveRunner.save``: exported and packed off the event loop's
hot path, in the worker process that runs it, if any) and writes the changed ones in one batch;
unchanged ones only get their expiry renewed. A session expires from the store when it would from
memory: ``settings.detached_ttl_s`` after its socket left (a session with a socket, or one
stopped by a shutdown, counts from the latest write). A session that is freed is deleted
from the store, except at shutdown. The classes this replica runs are kept beside their
presenters' sessions, with how many students each has numbered; the forks' students (``students``:
the roster's records) beside the forks' rows.

After a restart, ``start`` opens each kept class again (its presenter's session revived,
detached, so the presenting tab's reload resumes it and the class code and secret work), and
``recall`` gives the registry any other kept session when a reload asks for its id; a fork's student
goes back to the roster then (``Students.revived``), so the fork's page is the same student (the same
id and alias in the teacher's class view). A row that cannot be read is skipped with a log line; its page is
told the run was "lost".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from typing import Any, Protocol

from redis.exceptions import RedisError

from app.live.classroom.broker import Broker
from app.live.classroom.rooms import Rooms
from app.live.redis_store import RedisStore
from app.live.registry import LOST, Entry, Kept, Registry
from app.live.settings import Settings
from app.live.sqlite_store import SqliteStore
from app.live.store import ROOM_FIELDS, Store, StoredRoom, StoredSession, StoredStudent, unpack_run

LOG = logging.getLogger("neuroplay.store")
STORE_ERRORS = (OSError, sqlite3.Error, RedisError)  # what a store that cannot be reached or written raises
EXPIRY_SLACK_S = 1.0  # an expiry that moved less than this is not written again


class Students(Protocol):
    """The students of this replica's forks (app/live/classroom/roster.py ``Roster``)."""

    def records(self) -> dict[str, dict[str, Any]]: ...  # the student of each fork held here, by its session id
    def revived(self, fork_id: str, record: dict[str, Any]) -> None: ...  # a fork came back with this student


def make_store(settings: Settings) -> Store | None:
    """Redis when NEUROPLAY_REDIS_URL is set, else SQLite in the data folder; None with keep_runs off."""
    if not settings.keep_runs:
        return None
    if settings.redis_url:
        return RedisStore(settings.redis_url, settings.max_stored_sessions)
    return SqliteStore(settings.data_dir, settings.max_stored_sessions)


class Keeper:
    """Keeps this replica's sessions and classes in ``store``; a registry listener."""

    def __init__(self, settings: Settings, store: Store, registry: Registry, rooms: Rooms, broker: Broker,
                 students: Students | None = None) -> None:
        self.settings = settings
        self.students = students
        self.store = store
        self.registry = registry
        self.rooms = rooms
        self.broker = broker
        self.revisions: dict[str, int] = {}  # session id → the revision last written
        self.expiry: dict[str, float] = {}  # session id → the expiry last written
        self.students_written: dict[str, dict[str, Any]] = {}  # a fork's session id → its student as last written
        self.kept_rooms: set[str] = set()  # codes written and not deleted since
        self.is_stopping = False
        self.is_failing = False  # the last write failed (logged once until one succeeds)
        self.task: asyncio.Task[None] | None = None
        registry.listeners.append(self)
        registry.recall = self.recall

    # ----- start and stop --------------------------------------------------------------------
    async def start(self) -> None:
        """Open the store, open the kept classes again, then save every few seconds.

        A store that cannot be opened (a damaged file) is logged, and the server runs without keeping runs.
        """
        try:
            await self.store.open()
        except STORE_ERRORS as error:
            LOG.error("runs are not kept across restarts: the store could not be opened (%s)", error)
            self.registry.recall = None
            return
        try:
            await self._restore_rooms()
        except STORE_ERRORS as error:
            LOG.error("the kept classes could not be read (%s)", error)
        self.task = asyncio.get_running_loop().create_task(self._save_forever(), name="keeper")

    async def stop(self) -> None:
        """The last save (every session, as the shutdown leaves it), then close the store."""
        if self.task is None:
            return  # the store never opened
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        await self.save()
        self.is_stopping = True  # from now on a freed session is the shutdown's, not a learner's
        await self.store.close()

    async def _save_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.save_interval_s)
            await self.save()

    # ----- saving ----------------------------------------------------------------------------
    async def save(self) -> None:
        """Write what changed since the last save; a store that fails is logged and tried again next time."""
        try:
            await self._save()
        except STORE_ERRORS as error:
            if not self.is_failing:
                LOG.error("the store could not be written (%s); runs are not kept until it can", error)
            self.is_failing = True
            self.revisions.clear()  # write everything again once the store is back
            self.students_written.clear()
        else:
            if self.is_failing:
                LOG.warning("the store is written again")
            self.is_failing = False

    async def _save(self) -> None:
        entries = list(self.registry.entries.items())
        answers = await asyncio.gather(*(self._changed_run(session_id, entry) for session_id, entry in entries))
        now, loop_now = time.time(), asyncio.get_running_loop().time()
        changed: list[tuple[str, int, bytes, float]] = []
        touched: dict[str, float] = {}
        for (session_id, entry), answer in zip(entries, answers, strict=True):
            away_s = 0.0 if entry.detached_at is None else loop_now - entry.detached_at
            expires_at = now - away_s + self.settings.detached_ttl_s
            if answer is not None:
                changed.append((session_id, answer[0], answer[1], expires_at))
            elif abs(self.expiry.get(session_id, 0.0) - expires_at) >= EXPIRY_SLACK_S:
                touched[session_id] = expires_at
        rows = [StoredSession(session_id, blob, expires_at) for session_id, _, blob, expires_at in changed]
        if rows:
            await self.store.put_sessions(rows)
        if touched:
            await self.store.touch_sessions(touched)
        for session_id, revision, _, expires_at in changed:
            self.revisions[session_id], self.expiry[session_id] = revision, expires_at
        self.expiry.update(touched)
        await self._save_students()
        await self._save_rooms()

    async def _save_students(self) -> None:
        """Write the students of this replica's forks whose record changed (made, renamed, back to class)."""
        records = {} if self.students is None else self.students.records()
        rows = [StoredStudent(session_id, record, self.expiry[session_id]) for session_id, record in records.items()
                if session_id in self.expiry and self.students_written.get(session_id) != record]
        if rows:
            await self.store.put_students(rows)
        for row in rows:
            self.students_written[row.session_id] = row.record

    async def _changed_run(self, session_id: str, entry: Entry) -> tuple[int, bytes] | None:
        """(revision, packed run) if the session changed since it was written; None if not, or if it cannot answer."""
        try:
            revision, blob = await entry.runner.save(self.revisions.get(session_id, -1))
        except Exception:  # a worker that stopped or did not answer: its run is saved next time, if it can be
            return None
        return None if blob is None else (revision, blob)

    async def _save_rooms(self) -> None:
        """Write this replica's classes (a few dozen rows at most); delete the ones that ended."""
        live = set()
        for code, room in list(self.rooms.rooms.items()):
            record = await self.broker.record(code)
            expires_at = self.expiry.get(room.session_id)
            if record is None or expires_at is None:
                continue
            kept = {name: record.get(name) for name in ROOM_FIELDS}
            kept["students"] = await self.broker.students_so_far(code)
            await self.store.put_room(StoredRoom(code, self.broker.replica, kept, expires_at))
            live.add(code)
        for code in self.kept_rooms - live:
            await self.store.delete_room(code, self.broker.replica)
        self.kept_rooms = live

    # ----- bringing back ---------------------------------------------------------------------
    async def recall(self, session_id: str) -> Kept | str | None:
        """The kept run with this id; LOST if it is kept but cannot be read; None if none is kept."""
        try:
            blob = await self.store.get_session(session_id)
        except STORE_ERRORS as error:
            LOG.error("the store could not be read (%s)", error)
            return None
        if blob is None:
            return None
        try:
            document, is_running, lesson = await asyncio.to_thread(unpack_run, blob)
        except ValueError as error:
            LOG.warning("kept session %s could not be read (%s); skipped", session_id[:8], error)
            with contextlib.suppress(*STORE_ERRORS):
                await self.store.delete_session(session_id)
            return LOST
        await self._recall_student(session_id)
        return {"document": document, "is_running": is_running, "lesson": lesson}

    async def _recall_student(self, session_id: str) -> None:
        """A kept fork's student goes back to the roster, for the fork's page that opens it now."""
        try:
            student = await self.store.get_student(session_id)
        except STORE_ERRORS as error:
            LOG.error("the store could not be read (%s)", error)
            return
        if student is not None and self.students is not None:
            self.students.revived(session_id, student)

    async def _restore_rooms(self) -> None:
        """Open again the classes this replica ran, each with its presenter's session, detached."""
        for room in await self.store.rooms(self.broker.replica):
            session_id = str(room.record.get("session_id") or "")
            if not await self._revive_detached(session_id):
                LOG.warning("kept class %s could not be opened again: its run is gone", room.code)
                await self.store.delete_room(room.code, room.owner)
                continue
            numbered = room.record.get("students")
            await self.rooms.adopt(room.code, {name: room.record.get(name) for name in ROOM_FIELDS})
            await self.broker.students_so_far(room.code, numbered if isinstance(numbered, int) else 0)
            self.kept_rooms.add(room.code)
            LOG.info("class %s opened again after a restart", room.code)

    async def _revive_detached(self, session_id: str) -> bool:
        """Revive the kept session with this id, detached (its page is away); False if it cannot be."""
        kept = await self.recall(session_id) if session_id and session_id not in self.registry.entries else None
        if not isinstance(kept, dict):
            return False
        runner = await self.registry.create(session_id)
        if runner is None:
            return False
        if not await self.registry.revive(runner, kept):
            await self.registry.close(runner)
            return False
        self.registry.detach(runner, None)
        self.registry.entries[session_id].is_paused_away = bool(kept["is_running"])
        return True

    # ----- what the registry tells -----------------------------------------------------------
    def on_detached(self, session_id: str) -> None:
        """Its expiry now counts down: written with the next save."""

    def on_attached(self, session_id: str) -> None:
        """Written with the next save."""

    def on_lost(self, session_id: str) -> None:
        """Its training process died: it is freed next (``on_freed``), and leaves the store with it."""

    def on_freed(self, session_id: str) -> None:
        """A session freed (expired, ended, evicted) leaves the store too; one stopped by a shutdown stays."""
        self.revisions.pop(session_id, None)
        self.expiry.pop(session_id, None)
        self.students_written.pop(session_id, None)
        if not self.is_stopping:
            self.registry.spawn(self._delete(session_id))

    async def _delete(self, session_id: str) -> None:
        with contextlib.suppress(*STORE_ERRORS):
            await self.store.delete_session(session_id)

