"""The runner tells its page when it cannot keep the frame rate asked, and when it can again (`busy` notices)."""

from __future__ import annotations

import asyncio
import json

import pytest

from app.live.outbox import Outbox
from app.live.runner import Runner
from app.live.scheduler import Scheduler
from app.live.settings import Settings
from app.training.config import config_from_dict
from app.training.session import TrainingSession
from tests.live.conftest import decode_binary


class Clock:
    """The event loop's time as the runner's pump would read it, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0


def notices(outbox: Outbox) -> list[dict]:
    sent = [json.loads(m) for m in outbox.messages if isinstance(m, str)]
    outbox.messages.clear()
    return [m for m in sent if m.get("topic") == "busy"]


def frames(runner: Runner, clock: Clock, fps: float, seconds: float) -> list[bytes]:
    """Frames at ``fps`` (powers of two, so the clock's steps are exact binary fractions), each after its
    epoch of training, as the pump makes them: trained, built, then counted as delivered."""
    made = []
    for _ in range(int(fps * seconds)):
        clock.now += 1.0 / fps
        runner.pace.trained(clock.now, 1.0, 1.0)
        made.append(runner._make_frame(runner.owner, clock.now))
        runner.pace.frame(clock.now)
    return made


@pytest.fixture
def playing() -> tuple[Runner, Outbox, Clock]:
    clock = Clock()
    runner = Runner(TrainingSession(config_from_dict({})), Settings(max_fps=60), "s" * 32)
    outbox = Outbox()
    runner.owner.watch(outbox)
    runner.session.start()
    return runner, outbox, clock


def test_a_slow_run_is_told_busy_with_its_rate_and_ok_when_it_recovers(playing) -> None:
    runner, outbox, clock = playing
    frames(runner, clock, 64, 3.0)
    assert notices(outbox) == []
    frames(runner, clock, 16, 4.0)
    busy = notices(outbox)
    assert [(n["state"], n["fps"], n["asked_fps"]) for n in busy] == [("busy", 16, 60)]
    assert busy[0]["message"] == "Busy server: 16 frames a second"
    frames(runner, clock, 64, 2.0)
    recovering = notices(outbox)  # the rate may be told once more on its way up, then ok
    assert [(n["state"], n["fps"]) for n in recovering][-1] == ("ok", None)
    assert all(n["state"] == "busy" and 16 < n["fps"] < 51 for n in recovering[:-1]) and len(recovering) <= 2


def test_a_run_that_stops_while_busy_is_told_ok_and_a_page_nobody_watches_is_never_busy(playing) -> None:
    runner, outbox, clock = playing
    frames(runner, clock, 8, 4.0)
    assert [n["state"] for n in notices(outbox)] == ["busy"]
    runner.session.pause()
    frames(runner, clock, 8, 1.0)
    assert [n["state"] for n in notices(outbox)] == ["ok"]
    runner.session.start()
    runner.unsubscribe(outbox)
    frames(runner, clock, 2, 10.0)
    assert notices(outbox) == []


def test_a_busy_run_s_frames_are_cheaper_until_it_keeps_up_again(playing) -> None:
    """While the page is told the server is busy, its frames carry the output on a coarser grid (what the
    page draws from ``grid_size``) and the neuron maps half as often; at full size again once it keeps up."""
    runner, outbox, clock = playing
    sizes = [decode_binary(frame)["grid_size"] for frame in frames(runner, clock, 64, 2.0)]
    assert set(sizes) == {64}
    slow = [decode_binary(frame) for frame in frames(runner, clock, 16, 4.0)]
    told = [n["state"] for n in notices(outbox)]
    assert told == ["busy"]
    first_busy = next(i for i, frame in enumerate(slow) if frame["grid_size"] == 32)
    after = slow[first_busy:]
    assert all(frame["grid_size"] == 32 and len(frame["arrays"]["output"]) == 32 * 32 for frame in after)
    with_maps = [i for i, frame in enumerate(after) if "neuron_maps" in frame["arrays"]]
    assert len(with_maps) >= 2 and all(b - a == 8 for a, b in zip(with_maps, with_maps[1:], strict=False))
    frames(runner, clock, 64, 3.0)
    assert [n["state"] for n in notices(outbox)][-1] == "ok"
    assert decode_binary(frames(runner, clock, 64, 0.1)[-1])["grid_size"] == 64


class Loop:
    """What ``Runner._train_until`` reads of the event loop: its clock, here the test's."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def time(self) -> float:
        return self.clock.now


def played(runner: Runner, clock: Clock, fps: float, seconds: float) -> list[int]:
    """Frames at ``fps`` made as the pump makes them (the frame's training, the frame, counted as delivered);
    returns the epochs each frame's training took."""
    async def play() -> list[int]:
        runner.scheduler = Scheduler(runner.settings)  # this loop's, as ``Runner.start`` gives it
        taken = []
        for _ in range(int(fps * seconds)):
            clock.now += 1.0 / fps
            before = runner.session.epochs
            await runner._train_until(clock.now, Loop(clock))  # due now: no top-up
            taken.append(runner.session.epochs - before)
            runner._make_frame(runner.owner, clock.now)
            runner.pace.frame(clock.now)
        return taken
    return asyncio.run(play())


def test_a_busy_run_trains_for_the_frames_it_missed_and_learns_exactly_as_alone(playing) -> None:
    """While its page is told the server is busy, a late frame also trains the frame slots missed since the
    last (at 16 frames a second of 60 asked: 3.75 slots on average, its own included; at 8: capped at
    ``catch_up_frames``),
    so the run keeps its pace; the weights are those of the same epochs trained alone, bit for bit. (The
    scheduler's tick is wide enough here to grant every slot; on a full server it shares the tick fairly.)"""
    runner, outbox, clock = playing
    runner.settings = Settings(max_fps=60, tick_ms=100.0)
    assert set(played(runner, clock, 64, 1.0)) == {1}  # on time: its own epoch only
    slow = played(runner, clock, 16, 4.0)
    assert [n["state"] for n in notices(outbox)] == ["busy"]
    told_at = next(i for i, epochs in enumerate(slow) if epochs > 1)
    assert set(slow[:told_at]) == {1} and set(slow[told_at:]) == {3, 4}  # 60 / 16 = 3.75 slots a frame...
    assert abs(sum(slow[told_at:]) - 3.75 * len(slow[told_at:])) <= 1  # ...all of them: 60 epochs a second
    assert set(played(runner, clock, 16, 3.0)) == {3, 4}
    told = notices(outbox)  # the page learns that the training keeps its speed (60 epochs a second)
    assert [(n["state"], n["fps"], n["keeps_pace"]) for n in told] == [("busy", 16, True)]
    assert set(played(runner, clock, 8, 2.0)) == {4}  # 7.5 slots missed, at most catch_up_frames (4)
    alone = TrainingSession(config_from_dict({}))
    alone.start()
    alone.train(alone.batches_for("epoch", runner.session.epochs))
    assert alone.epochs == runner.session.epochs
    assert alone.mlp.params.tobytes() == runner.session.mlp.params.tobytes()
    played(runner, clock, 64, 3.0)
    assert [n["state"] for n in notices(outbox)][-1] == "ok"
    assert set(played(runner, clock, 64, 0.5)) == {1}


def test_catching_up_can_be_turned_off_and_never_multiplies_hand_steps() -> None:
    clock = Clock()
    runner = Runner(TrainingSession(config_from_dict({})), Settings(max_fps=60, catch_up_frames=1), "s" * 32)
    outbox = Outbox()
    runner.owner.watch(outbox)
    runner.session.start()
    slow = played(runner, clock, 8, 4.0)
    assert [n["state"] for n in notices(outbox)] == ["busy"] and set(slow) == {1}
    busy = Runner(TrainingSession(config_from_dict({})), Settings(max_fps=60), "s" * 32)
    busy.owner.watch(Outbox())
    busy.busy.told_fps = 8  # the page was told the server is busy
    busy.pending_batches = 2  # a `step` command owes two batches
    assert busy._slots_owed(clock.now) == 1  # the first frame's training
    clock.now += 1.0  # 60 slots missed
    assert busy._slots_owed(clock.now) == 1
    busy.pending_batches = 0
    busy.session.start()
    clock.now += 1.0
    assert busy._slots_owed(clock.now) == 4
