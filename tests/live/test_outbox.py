"""An outbox's queue: the newest message of each kind for a follower, and a byte budget that lets a reader go."""

from __future__ import annotations

import asyncio

from app.live.audience import Audience
from app.live.metrics import Metrics
from app.live.outbox import CLOSE_TOO_SLOW, Outbox
from app.live.settings import Settings


def test_a_followers_messages_keep_only_the_newest_of_each_kind() -> None:
    outbox = Outbox(max_bytes=10_000)
    for step in range(100):
        outbox.put_latest("slow_step", f'{{"type": "slow_step", "step": {step}}}')
        outbox.put_latest("session", f'{{"type": "session", "step": {step}}}')
    outbox.put_latest("room", '{"type": "room"}')
    assert list(outbox.messages) == ['{"type": "slow_step", "step": 99}', '{"type": "session", "step": 99}',
                                     '{"type": "room"}']
    queued = list(outbox.messages)
    assert outbox.queued_bytes == sum(len(m) for m in queued)
    assert asyncio.run(outbox.take()) == queued
    assert outbox.queued_bytes == 0 and not outbox.kinds


def test_a_reader_that_stays_over_its_budget_is_let_go_and_its_queue_dropped() -> None:
    metrics = Metrics()
    outbox = metrics.outbox(max_bytes=1000)
    outbox.put_latest("dataset", b"d" * 600)
    assert not outbox.is_let_go and metrics.queued_bytes._value.get() == 600
    outbox.put_latest("history", b"h" * 600)  # different kinds: both are owed, and together they are over
    assert outbox.is_let_go and outbox.close_code == CLOSE_TOO_SLOW
    assert not outbox.messages and outbox.queued_bytes == 0 and metrics.queued_bytes._value.get() == 0
    assert metrics.slow_followers._value.get() == 1
    outbox.put_latest("session", "s" * 10)
    assert not outbox.messages  # nothing more is queued for it
    assert asyncio.run(outbox.take()) == []


def test_json_messages_to_followers_count_in_their_byte_budget() -> None:
    followers = Audience.followers(Settings(follower_bytes_per_second=100_000))
    followers.watch(Outbox())
    due = followers.next_frame_at
    followers.broadcast("x" * 150_000)  # a slow step on a big net: 1.5 s of the followers' budget
    assert followers.next_frame_at == due + 1.5
