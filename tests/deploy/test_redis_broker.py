"""RedisBroker against a real redis-server: two brokers stand for two replicas."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from app.errors import InputError
from app.live.classroom.broker import Message
from app.live.classroom.redis_broker import RedisBroker
from tests.servers import RedisServer

RECORD = {"session_id": "s1", "owner": "a", "secret_hash": "h", "presenter": "connected", "is_open": True,
          "join_url": "http://x/join/ABCDEF"}


@asynccontextmanager
async def replicas(url: str) -> AsyncIterator[tuple[RedisBroker, RedisBroker]]:
    a = RedisBroker(url, "a", session_ttl_s=60, fork_timeout_s=1.0)
    b = RedisBroker(url, "b", session_ttl_s=60, fork_timeout_s=1.0)
    for broker in (a, b):
        await broker.start()
    await until(lambda: a.is_connected and b.is_connected)
    try:
        yield a, b
    finally:
        for broker in (a, b):
            await broker.close()


async def until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met"
        await asyncio.sleep(0.01)


def run(redis_server: RedisServer, scenario: Callable[[RedisBroker, RedisBroker], Awaitable[None]]) -> None:
    async def main() -> None:
        async with replicas(redis_server.url) as (a, b):
            await scenario(a, b)

    asyncio.run(main())


def test_a_code_is_claimed_once_and_its_record_is_read_and_updated_anywhere(redis_server: RedisServer) -> None:
    async def scenario(a: RedisBroker, b: RedisBroker) -> None:
        results = await asyncio.gather(a.claim("CLAIM1", RECORD), b.claim("CLAIM1", {**RECORD, "owner": "b"}))
        assert sorted(results) == [False, True]
        winner = a if results[0] else b
        assert await b.record("CLAIM1") == {**RECORD, "owner": winner.replica}
        await winner.update("CLAIM1", {"presenter": "reconnecting"})
        assert (await (b if winner is a else a).record("CLAIM1"))["presenter"] == "reconnecting"  # type: ignore[index]
        await a.update("NOROOM", {"presenter": "connected"})
        assert await b.record("NOROOM") is None  # an update never creates a room
        await winner.release("CLAIM1")
        assert await a.record("CLAIM1") is None and await b.record("CLAIM1") is None

    run(redis_server, scenario)


def test_follower_counts_are_summed_over_live_replicas(redis_server: RedisServer) -> None:
    async def scenario(a: RedisBroker, b: RedisBroker) -> None:
        assert await a.claim("COUNT1", RECORD)
        assert await a.count_followers("COUNT1", 2) == 2
        assert await b.count_followers("COUNT1", 3) == 5
        assert await a.count_followers("COUNT1", -1) == 4
        await a.redis.delete("neuroplay:replica:b")  # replica b stopped refreshing: its followers are gone
        assert await a.count_followers("COUNT1", 0) == 1

    run(redis_server, scenario)


def test_a_message_is_encoded_once_and_the_same_object_reaches_every_follower_of_b(redis_server: RedisServer) -> None:
    async def scenario(a: RedisBroker, b: RedisBroker) -> None:
        assert await a.claim("CHAN01", RECORD)
        got: list[list[tuple[str, Message]]] = [[], []]
        for inbox in got:
            await b.subscribe("CHAN01", lambda kind, message, inbox=inbox: inbox.append((kind, message)))
        local: list[tuple[str, Message]] = []
        await a.subscribe("CHAN01", lambda kind, message: local.append((kind, message)))
        await asyncio.sleep(0.1)  # b's pub/sub connection subscribes
        frame = b"\x04\x00\x00\x00{}  binary"
        a.publish("CHAN01", "session", '{"type": "session"}')
        a.publish("CHAN01", "frame", frame)
        await until(lambda: len(got[0]) == 2 and len(got[1]) == 2)
        assert got[0] == [("session", '{"type": "session"}'), ("frame", frame)]
        assert got[0][1][1] is got[1][1][1]  # one decoded object for every follower of the replica
        assert local == got[0] and local[1][1] is frame  # a's own followers get the published object itself
        assert await b.latest("CHAN01") == [("session", '{"type": "session"}'), ("frame", frame)]

    run(redis_server, scenario)


def test_a_fork_is_exported_by_the_owner_or_refused_when_it_does_not_answer(redis_server: RedisServer) -> None:
    async def scenario(a: RedisBroker, b: RedisBroker) -> None:
        async def export(code: str) -> dict[str, Any]:
            if code == "ENDED1":
                raise InputError("room", "the class has ended")
            return {"code": code, "weights": [1.5]}

        a.serve_forks(export)
        assert await b.request_fork("a", "FORK01") == {"code": "FORK01", "weights": [1.5]}
        with pytest.raises(InputError, match="ended"):
            await b.request_fork("a", "ENDED1")
        with pytest.raises(InputError, match="unreachable") as refused:
            await b.request_fork("nobody", "FORK01")
        assert refused.value.field == "room"

    run(redis_server, scenario)


def test_sessions_are_placed_on_their_replica_and_forgotten(redis_server: RedisServer) -> None:
    async def scenario(a: RedisBroker, b: RedisBroker) -> None:
        await a.place_session("sess-1")
        assert await b.session_replica("sess-1") == "a"
        await a.forget_session("sess-1")
        assert await b.session_replica("sess-1") is None

    run(redis_server, scenario)


def test_a_forks_student_is_read_on_any_replica_for_the_detached_ttl_and_goes_with_the_fork(
        redis_server: RedisServer) -> None:
    student = {"code": "STUDNT", "student": "s4", "alias": "Teal Fox", "name": None, "mode": "forked"}

    async def scenario(a: RedisBroker, b: RedisBroker) -> None:
        await a.place_session("fork1")
        await a.keep_student("fork1", student)
        assert await b.student_of("fork1") == student
        assert 0 < await b.redis.ttl("neuroplay:student:fork1") <= 61  # the detached TTL (60 s) and a second
        await b.keep_student("fork1", {**student, "mode": "following"})  # back to class on B
        assert (await a.student_of("fork1"))["mode"] == "following"  # type: ignore[index]
        await b.redis.set("neuroplay:student:garbled", "not json")
        assert await a.student_of("garbled") is None and await a.student_of("nobody") is None
        assert await a.students_so_far("STUDNT", 4) == 4  # a kept student's number: the counter goes past it
        assert await b.next_student("STUDNT") == 5 and await a.students_so_far("STUDNT", 2) == 5  # never lower
        await a.forget_session("fork1")
        assert await b.student_of("fork1") is None

    run(redis_server, scenario)
