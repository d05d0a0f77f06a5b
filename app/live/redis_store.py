"""RedisStore: kept sessions and classes in Redis, shared by the replicas (see app/live/store.py).

Keys (the same prefix as the broker's):

- ``neuroplay:kept:ID``            a session's blob, expiring when the session would
- ``neuroplay:keptstudent:ID``     JSON, the student of that kept fork (``Student.record``), expiring with it
- ``neuroplay:kept``               sorted set, session id → its expiry time: the cap drops the lowest
- ``neuroplay:keptrooms:REPLICA``  hash, code → JSON {record, expires_at}: the classes that replica ran

Redis must keep its data for this to outlive a Redis restart too (``--appendonly yes``; the
shipped deploy/compose.yaml does). A replica that restarts under the same
``NEUROPLAY_REPLICA_NAME`` opens its classes again; any replica resumes a kept session.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from redis.asyncio import Redis

from app.live.classroom.redis_broker import PREFIX, as_bytes, text
from app.live.classroom.redis_link import SOCKET_TIMEOUT_S
from app.live.store import StoredRoom, StoredSession, StoredStudent

LOG = logging.getLogger("neuroplay.store")
INDEX = f"{PREFIX}kept"  # the sorted set of kept sessions by expiry


def session_key(session_id: str) -> str:
    return f"{PREFIX}kept:{session_id}"


def student_key(session_id: str) -> str:
    return f"{PREFIX}keptstudent:{session_id}"


def rooms_key(owner: str) -> str:
    return f"{PREFIX}keptrooms:{owner}"


class RedisStore:
    """The ``Store`` in Redis; at most ``max_sessions`` sessions, the soonest to expire go first."""

    def __init__(self, url: str, max_sessions: int) -> None:
        self.redis = Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=SOCKET_TIMEOUT_S)
        self.max_sessions = max_sessions

    async def open(self) -> None:
        """Nothing to do: the connection opens with the first command (Redis may come up later)."""

    async def close(self) -> None:
        await self.redis.aclose()

    async def put_sessions(self, sessions: list[StoredSession]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for row in sessions:
                pipe.set(session_key(row.session_id), row.blob, pxat=int(row.expires_at * 1000))
                pipe.pexpireat(student_key(row.session_id), int(row.expires_at * 1000))  # a fork's student, if any
                pipe.zadd(INDEX, {row.session_id: row.expires_at})
            await pipe.execute()
        await self._trim()

    async def _trim(self) -> None:
        """Forget expired ids, then drop the sessions beyond the cap, soonest to expire first."""
        await self.redis.zremrangebyscore(INDEX, "-inf", time.time())
        excess = await self.redis.zcard(INDEX) - self.max_sessions
        if excess > 0:
            names = await self.redis.zrange(INDEX, 0, excess - 1)
            dropped = [text(name) for name in names if isinstance(name, bytes | str)]
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.zrem(INDEX, *dropped)
                pipe.delete(*(session_key(session_id) for session_id in dropped),
                            *(student_key(session_id) for session_id in dropped))
                await pipe.execute()

    async def touch_sessions(self, expiry: dict[str, float]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id, expires_at in expiry.items():
                pipe.pexpireat(session_key(session_id), int(expires_at * 1000))
                pipe.pexpireat(student_key(session_id), int(expires_at * 1000))
                pipe.zadd(INDEX, {session_id: expires_at}, xx=True)
            await pipe.execute()
        await self._trim()

    async def get_session(self, session_id: str) -> bytes | None:
        blob = await self.redis.get(session_key(session_id))
        return None if blob is None else as_bytes(blob)

    async def delete_session(self, session_id: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(session_key(session_id), student_key(session_id))
            pipe.zrem(INDEX, session_id)
            await pipe.execute()

    async def put_students(self, students: list[StoredStudent]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for row in students:
                pipe.set(student_key(row.session_id), json.dumps(row.record), pxat=int(row.expires_at * 1000))
            await pipe.execute()

    async def get_student(self, session_id: str) -> dict[str, Any] | None:
        """The student of the kept fork with this id; None if none is kept (or its record is not JSON)."""
        found = await self.redis.get(student_key(session_id))
        try:
            return None if found is None else dict(json.loads(found))
        except (ValueError, TypeError):
            return None

    async def put_room(self, room: StoredRoom) -> None:
        value = json.dumps({"record": room.record, "expires_at": room.expires_at})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(rooms_key(room.owner), room.code, value)
            pipe.expireat(rooms_key(room.owner), int(room.expires_at) + 1)
            await pipe.execute()

    async def delete_room(self, code: str, owner: str) -> None:
        await self.redis.hdel(rooms_key(owner), code)

    async def rooms(self, owner: str) -> list[StoredRoom]:
        """The classes ``owner`` ran that have not expired; a field that is not such JSON is skipped."""
        found = []
        for code, value in (await self.redis.hgetall(rooms_key(owner))).items():
            try:
                kept = json.loads(value)
                room = StoredRoom(text(code), owner, dict(kept["record"]), float(kept["expires_at"]))
            except (ValueError, TypeError, KeyError):
                LOG.warning("kept class %r could not be read; skipped", code)
                continue
            if room.expires_at >= time.time():
                found.append(room)
        return found
