"""SqliteStore: kept sessions and classes in one SQLite file, ``runs.sqlite3`` in the data folder.

The default store of a single server (see app/live/store.py for the rows). Every call runs on a
thread of its own (``asyncio.to_thread``) behind one lock, so the event loop never waits for the
disk. The file is in WAL mode: a write is one short transaction, and a process killed at any
moment leaves every committed one readable.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app.live.store import StoredRoom, StoredSession, StoredStudent

LOG = logging.getLogger("neuroplay.store")
FILE_NAME = "runs.sqlite3"  # in settings.data_dir
T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, blob BLOB NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS students (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rooms (code TEXT NOT NULL, owner TEXT NOT NULL, record TEXT NOT NULL,
                                  expires_at REAL NOT NULL, PRIMARY KEY (code, owner));
"""


class SqliteStore:
    """The ``Store`` in one SQLite file; at most ``max_sessions`` sessions, the soonest to expire go first."""

    def __init__(self, folder: str, max_sessions: int) -> None:
        self.path = Path(folder) / FILE_NAME
        self.max_sessions = max_sessions
        self.lock = threading.Lock()
        self.db: sqlite3.Connection | None = None

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def locked() -> T:
            with self.lock:
                if self.db is None:  # closed (a shutdown) while this call waited for the lock
                    raise sqlite3.ProgrammingError("the store is closed")
                with self.db:  # one transaction: committed, or rolled back on an error
                    return work(self.db)

        return await asyncio.to_thread(locked)

    async def open(self) -> None:
        def connect() -> sqlite3.Connection:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps committed writes through a process crash
            db.executescript(SCHEMA)
            db.isolation_level = "DEFERRED"  # back to implicit transactions, which `with db` commits
            return db

        self.db = await asyncio.to_thread(connect)

    async def close(self) -> None:
        """Close the file once no call is using it: behind the same lock, since closing a connection
        that another thread is in the middle of using crashes the process."""
        def close_locked() -> None:
            with self.lock:
                db, self.db = self.db, None
                if db is not None:
                    db.close()

        await asyncio.to_thread(close_locked)

    async def put_sessions(self, sessions: list[StoredSession]) -> None:
        """Write these rows, drop the expired ones, then the soonest to expire beyond the cap."""
        rows = [(row.session_id, row.blob, row.expires_at) for row in sessions]

        def put(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO sessions (id, blob, expires_at) VALUES (?, ?, ?)", rows)
            self._trim(db)

        await self._run(put)

    def _trim(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time(),))
        db.execute("DELETE FROM rooms WHERE expires_at < ?", (time.time(),))
        (count,) = db.execute("SELECT count(*) FROM sessions").fetchone()
        if count > self.max_sessions:
            db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY expires_at LIMIT ?)",
                       (count - self.max_sessions,))
        db.execute("DELETE FROM students WHERE id NOT IN (SELECT id FROM sessions)")  # a student goes with its run

    async def touch_sessions(self, expiry: dict[str, float]) -> None:
        """New expiry times for rows whose runs did not change."""
        rows = [(expires_at, session_id) for session_id, expires_at in expiry.items()]

        def touch(db: sqlite3.Connection) -> None:
            db.executemany("UPDATE sessions SET expires_at = ? WHERE id = ?", rows)
            self._trim(db)

        await self._run(touch)

    async def get_session(self, session_id: str) -> bytes | None:
        def get(db: sqlite3.Connection) -> bytes | None:
            found = db.execute("SELECT blob FROM sessions WHERE id = ? AND expires_at >= ?",
                               (session_id, time.time())).fetchone()
            return None if found is None else bytes(found[0])

        return await self._run(get)

    async def delete_session(self, session_id: str) -> None:
        def delete(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            db.execute("DELETE FROM students WHERE id = ?", (session_id,))

        await self._run(delete)

    async def put_students(self, students: list[StoredStudent]) -> None:
        """Write the students of these kept forks (each expires with its session's row, whatever ``expires_at``)."""
        rows = [(row.session_id, json.dumps(row.record)) for row in students]
        await self._run(lambda db: db.executemany("INSERT OR REPLACE INTO students (id, record) VALUES (?, ?)", rows))

    async def get_student(self, session_id: str) -> dict[str, Any] | None:
        """The student of the kept fork with this id; None if none is kept (or its record is not JSON)."""
        def get(db: sqlite3.Connection) -> Any:
            return db.execute("SELECT s.record FROM students s JOIN sessions k ON k.id = s.id "
                              "WHERE s.id = ? AND k.expires_at >= ?", (session_id, time.time())).fetchone()

        found = await self._run(get)
        try:
            return None if found is None else dict(json.loads(found[0]))
        except (ValueError, TypeError):
            return None

    async def put_room(self, room: StoredRoom) -> None:
        row = (room.code, room.owner, json.dumps(room.record), room.expires_at)
        await self._run(lambda db: db.execute(
            "INSERT OR REPLACE INTO rooms (code, owner, record, expires_at) VALUES (?, ?, ?, ?)", row))

    async def delete_room(self, code: str, owner: str) -> None:
        await self._run(lambda db: db.execute("DELETE FROM rooms WHERE code = ? AND owner = ?", (code, owner)))

    async def rooms(self, owner: str) -> list[StoredRoom]:
        """The classes ``owner`` ran that have not expired; a row whose record is not JSON is skipped."""
        def select(db: sqlite3.Connection) -> list[Any]:
            return db.execute("SELECT code, record, expires_at FROM rooms WHERE owner = ? AND expires_at >= ?",
                              (owner, time.time())).fetchall()

        found = []
        for code, record, expires_at in await self._run(select):
            try:
                found.append(StoredRoom(code, owner, dict(json.loads(record)), expires_at))
            except (ValueError, TypeError):
                LOG.warning("kept class %s could not be read; skipped", code)
        return found
