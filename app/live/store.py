"""The store that keeps runs and classes across a restart: what a row holds, and what a store does.

A kept session is one row: its id, a *blob* and the wall-clock time it expires at. The blob is
the run as ``app/training/persistence.py`` exports it (weights, optimiser state, counters, the
epoch's order, the generator, the cost history, the pins) with whether it was training, as
zlib-compressed JSON (``pack``/``unpack``), and the lesson open in it, if any (its id, step,
answer, hints shown and goal state: ``LessonPlayer.kept``). A fork of a class also keeps, beside its row, the
student it belongs to (``Student.record``: room code, student id, alias, display name, mode), gone with the
row. A kept class is its join code, the replica that ran it and its directory record (the presenter's
session id, the secret's hash, the join link) with how many students it had numbered.

Two backends have the same interface: ``SqliteStore`` (app/live/sqlite_store.py, one file in
``settings.data_dir``: the default) and ``RedisStore`` (app/live/redis_store.py, shared by the
replicas when ``settings.redis_url`` is set). Both drop a session once it expires and keep at
most ``settings.max_stored_sessions``, the soonest to expire going first. ``app/live/keeper.py``
decides what to write and when.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

COMPRESS_LEVEL = 1  # zlib's fastest level: a run's JSON shrinks about 3× at a fraction of a millisecond
PIECE_LENGTH = 256  # numbers per json.dumps call in ``pack``: well under a millisecond each
ROOM_FIELDS = ("session_id", "secret_hash", "join_url")  # what a kept class needs to open again


@dataclass(frozen=True)
class StoredSession:
    """One session's row: ``blob`` from ``pack``; gone after ``expires_at`` (``time.time()`` seconds)."""

    session_id: str
    blob: bytes
    expires_at: float


@dataclass(frozen=True)
class StoredStudent:
    """The student of a kept fork, by the fork's session id; it expires with that session's row."""

    session_id: str
    record: dict[str, Any]
    expires_at: float


@dataclass(frozen=True)
class StoredRoom:
    """One class's row: its code, the replica that runs it, the fields of its record in ROOM_FIELDS."""

    code: str
    owner: str
    record: dict[str, Any]
    expires_at: float


class Store(Protocol):
    """Where sessions and classes are kept; every method may raise OSError (or a backend's error)."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def put_sessions(self, sessions: list[StoredSession]) -> None: ...
    async def touch_sessions(self, expiry: dict[str, float]) -> None: ...
    async def get_session(self, session_id: str) -> bytes | None: ...
    async def delete_session(self, session_id: str) -> None: ...  # and its student, if any
    async def put_students(self, students: list[StoredStudent]) -> None: ...
    async def get_student(self, session_id: str) -> dict[str, Any] | None: ...
    async def put_room(self, room: StoredRoom) -> None: ...
    async def delete_room(self, code: str, owner: str) -> None: ...
    async def rooms(self, owner: str) -> list[StoredRoom]: ...


def pack(document: dict[str, Any], is_running: bool, lesson: dict[str, Any] | None = None) -> bytes:
    """The blob of one session: its export, whether it was training and its open lesson (the player's
    ``kept`` state, app/lessons/player.py, or None), as compressed JSON.

    Made on a thread (or in a worker process). json.dumps holds the interpreter's lock for a whole
    call, 10-20 ms for a run with a long history, which would stall the event loop's thread all that
    time; so the JSON is made in pieces (``_pieces``) of at most PIECE_LENGTH numbers each, between
    which the event loop gets its turn.
    """
    text = "".join(_pieces({"document": document, "is_running": is_running, "lesson": lesson}))
    return zlib.compress(text.encode(), COMPRESS_LEVEL)


def _pieces(value: Any) -> list[str]:
    """``value`` as JSON, one json.dumps call per scalar or flat slice of a list; NaN and infinity refused."""
    if isinstance(value, dict):
        parts = [[json.dumps(str(name)), ":", *_pieces(item)] for name, item in value.items()]
        return ["{", *_joined(parts), "}"]
    if isinstance(value, list) and any(isinstance(item, list | dict) for item in value):
        return ["[", *_joined([_pieces(item) for item in value]), "]"]
    if isinstance(value, list) and len(value) > PIECE_LENGTH:
        slices = [value[start:start + PIECE_LENGTH] for start in range(0, len(value), PIECE_LENGTH)]
        return ["[", *_joined([[_dumps(part)[1:-1]] for part in slices]), "]"]
    return [_dumps(value)]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _joined(parts: list[list[str]]) -> list[str]:
    joined: list[str] = []
    for index, part in enumerate(parts):
        if index:
            joined.append(",")
        joined.extend(part)
    return joined


def unpack(blob: bytes) -> tuple[dict[str, Any], bool]:
    """(export, was it training) from a blob; ValueError if the blob is not one ``pack`` made."""
    document, is_running, _ = unpack_run(blob)
    return document, is_running


def unpack_run(blob: bytes) -> tuple[dict[str, Any], bool, dict[str, Any] | None]:
    """(export, was it training, its open lesson or None) from a blob; ValueError if ``pack`` did not make it."""
    try:
        kept = json.loads(zlib.decompress(blob))
    except (zlib.error, UnicodeDecodeError, RecursionError) as error:
        raise ValueError(f"not a kept run ({error})") from None
    if not isinstance(kept, dict) or not isinstance(kept.get("document"), dict):
        raise ValueError("not a kept run (no document)")
    lesson = kept.get("lesson")
    return kept["document"], kept.get("is_running") is True, lesson if isinstance(lesson, dict) else None

