"""app.live.scheduler: one tick trains every asking run, same-shape runs together, exactly, with fair shares."""

import asyncio
from typing import Any

import numpy as np
import pytest

import app.live.scheduler as scheduling
from app.live.protocol import COMMAND_ADAPTER
from app.live.runner import Runner
from app.live.scheduler import Request, Scheduler, scheduler_for
from app.live.settings import Settings
from app.training.config import config_from_dict
from app.training.session import TrainingSession
from app.training.status import Status

TINY_BUDGET = Settings(tick_ms=1e-6)  # every tick is "full": fast speeds get only their first epoch


def playing(settings: Settings, count: int, **changes: Any) -> list[Runner]:
    runners = [Runner(TrainingSession(config_from_dict({"seed": i, **changes})), settings, f"run-{i}")
               for i in range(count)]
    for runner in runners:
        runner.session.start()
    return runners


async def tick(scheduler: Scheduler, runners: list[Runner], top_ups: tuple[Runner, ...] = ()) -> list[int]:
    loop = asyncio.get_running_loop()
    requests = [Request(r, r._frame_batches(), False, loop.create_future()) for r in runners]
    requests += [Request(r, r._frame_batches(), True, loop.create_future()) for r in top_ups]
    await scheduler.tick(requests)
    return [request.future.result() for request in requests]


def test_one_fast_run_among_twenty_gets_the_same_epochs_as_each_neighbour_when_the_box_is_full() -> None:
    async def scenario() -> None:
        scheduler = Scheduler(TINY_BUDGET)
        runners = playing(TINY_BUDGET, 21)
        runners[0].speed = ("epoch", 100)
        for _ in range(5):
            taken = await tick(scheduler, runners, top_ups=(runners[0],))
            assert taken[-1] == 0  # the fast run's top-up waits for a tick nobody else needs
        assert [r.session.epochs for r in runners] == [5] * 21

    asyncio.run(scenario())


def test_spare_time_goes_to_the_fast_run_and_the_neighbours_keep_their_epoch() -> None:
    async def scenario() -> None:
        settings = Settings(tick_ms=50.0)
        scheduler = Scheduler(settings)
        runners = playing(settings, 5)
        runners[0].speed = ("epoch", 100)
        scheduler.costs = {scheduling.group_key(runners[0].session): 1e-4}  # a known cost per session-batch
        await tick(scheduler, runners)
        assert [r.session.epochs for r in runners[1:]] == [1] * 4
        epoch_s = runners[0].session.batches_for("epoch", 1) * 1e-4  # 25 batches: 2.5 ms
        assert runners[0].session.epochs == 1 + round((0.05 - 5 * epoch_s) / epoch_s)  # its floor + the spare: 16

    asyncio.run(scenario())


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of runs in each stacked pass the scheduler trains, in order."""
    sizes: list[int] = []
    real = scheduling.train_together

    def counting(sessions: Any, n_batches: Any) -> list[int]:
        sizes.append(len(sessions))
        return real(sessions, n_batches)

    monkeypatch.setattr(scheduling, "train_together", counting)
    return sizes


def test_runs_trained_by_the_scheduler_equal_runs_trained_alone(passes: list[int]) -> None:
    sizes = passes
    configs = [{"seed": 1}, {"seed": 2, "learning_rate": 0.1}, {"seed": 3, "hidden_layers": [3]},
               {"seed": 4, "optimizer": "adam"}, {"seed": 5}]

    async def scenario() -> list[TrainingSession]:
        runners = [Runner(TrainingSession(config_from_dict(c)), Settings(), f"run-{i}") for i, c in enumerate(configs)]
        for runner in runners:
            runner.start()
        assert runners[0].scheduler is scheduler_for(Settings()) is not None
        try:
            for runner in runners:
                await runner.execute(COMMAND_ADAPTER.validate_python({"type": "step", "unit": "epoch", "count": 4}))
            for _ in range(2000):
                if not any(r.is_busy for r in runners):
                    break
                await asyncio.sleep(0.01)
            assert not any(r.is_busy for r in runners)
        finally:
            for runner in runners:
                await runner.close()
        return [runner.session for runner in runners]

    together = asyncio.run(scenario())
    assert max(sizes) >= 3  # seeds 1, 2 and 5 share a shape (the learning rate may differ)
    for config, session in zip(configs, together, strict=True):
        alone = TrainingSession(config_from_dict(config))
        alone.step("epoch", 4)
        assert session.status == alone.status == Status.PAUSED
        assert (session.steps, session.epochs) == (alone.steps, alone.epochs)
        assert np.array_equal(session.mlp.params, alone.mlp.params)
        for name in alone.trainer.optimizer.state_names:
            assert np.array_equal(getattr(session.trainer.optimizer, name), getattr(alone.trainer.optimizer, name))


def test_a_plan_a_command_overtook_is_answered_0_and_nothing_trains() -> None:
    async def scenario() -> None:
        scheduler = Scheduler(Settings())
        runners = playing(Settings(), 2)
        loop = asyncio.get_running_loop()
        requests = [Request(r, r._frame_batches(), False, loop.create_future()) for r in runners]
        for request in requests:
            request.plan = request.trainee.plan_slice(request.batches)  # type: ignore[attr-defined]
        runners[1].session.pause()  # between the plan and the group's training
        key = scheduling.group_key(runners[0].session)
        scheduler._train_group(key, [(request, 25) for request in requests])
        assert [request.future.result() for request in requests] == [25, 0]
        assert [r.session.steps for r in runners] == [25, 0]

    asyncio.run(scenario())


def test_without_stacked_training_a_runner_trains_alone() -> None:
    async def scenario() -> None:
        settings = Settings(stacked_training=False)
        assert scheduler_for(settings) is None
        runner = Runner(TrainingSession(), settings, "alone")
        runner.start()
        try:
            await runner.execute(COMMAND_ADAPTER.validate_python({"type": "step", "unit": "epoch", "count": 2}))
            for _ in range(1000):
                if not runner.is_busy:
                    break
                await asyncio.sleep(0.01)
            assert runner.session.epochs == 2 and runner.scheduler is None
            assert runner.busy_ratio == 1.0  # a run that is not training asks for nothing
        finally:
            await runner.close()

    asyncio.run(scenario())


def test_a_failing_plan_fails_its_tick_s_requests_and_later_ticks_are_served() -> None:
    class Broken:
        def plan_slice(self, batches: int) -> None:
            raise RuntimeError("a bug")

    async def scenario() -> None:
        scheduler = Scheduler(Settings())
        failing = scheduler.train(Broken(), 5)  # type: ignore[arg-type]
        with pytest.raises(RuntimeError, match="a bug"):
            await failing
        runner = playing(Settings(), 1)[0]
        assert await scheduler.train(runner, 3) == 3
        assert runner.session.steps == 3 and scheduler.task is None  # no task left behind once idle

    asyncio.run(scenario())


def test_live_pumps_with_a_fast_run_among_twenty_grant_every_neighbour_its_whole_epoch() -> None:
    """Counted in session-epochs: every neighbour's frame gets the whole epoch it asked for, and the fast run
    at least its own epoch (what more it gets depends on the time left, which the tick tests fix)."""
    from app.live.outbox import Outbox

    answers: list[tuple[str, int, int]] = []  # (run id, asked, taken)

    async def scenario() -> list[Runner]:
        runners = playing(Settings(), 21)
        runners[0].speed = ("epoch", 100)
        for runner in runners:
            runner.start()
            runner.owner.watch(Outbox())
        scheduler = runners[0].scheduler
        assert scheduler is not None
        real = scheduler.train

        def recording(trainee: Any, batches: int, is_top_up: bool = False, slots: int = 1) -> "asyncio.Future[int]":
            future = real(trainee, batches, is_top_up, slots)
            if not is_top_up:
                future.add_done_callback(lambda done: answers.append((trainee.id, batches, done.result())))
            return future

        scheduler.train = recording  # type: ignore[method-assign]
        try:
            for _ in range(6000):
                if min(r.session.epochs for r in runners[1:]) >= 5:
                    break
                await asyncio.sleep(0.01)
        finally:
            for runner in runners:
                await runner.close()
        return runners

    runners = asyncio.run(scenario())
    assert min(r.session.epochs for r in runners[1:]) >= 5
    neighbours = [(asked, taken) for run, asked, taken in answers if run != "run-0"]
    assert neighbours and all(taken == asked for asked, taken in neighbours)
    per_epoch = runners[0].session.batches_for("epoch", 1)
    fast = [taken for run, _, taken in answers if run == "run-0"]
    assert fast and min(fast) >= per_epoch  # and the fast run its own epoch, at least, every frame


def test_a_run_that_changes_optimizer_moves_to_the_other_stack_without_a_jump() -> None:
    step = COMMAND_ADAPTER.validate_python({"type": "step", "unit": "epoch", "count": 2})
    to_adam = COMMAND_ADAPTER.validate_python({"type": "configure", "changes": {"optimizer": "adam"}})

    async def settle(runners: list[Runner]) -> None:
        for _ in range(3000):
            if not any(r.is_busy for r in runners):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the runs did not finish their steps")

    async def scenario() -> list[TrainingSession]:
        configs = [{"seed": 1}, {"seed": 2}, {"seed": 3, "optimizer": "adam"}]
        runners = [Runner(TrainingSession(config_from_dict(c)), Settings(), f"run-{i}") for i, c in enumerate(configs)]
        for runner in runners:
            runner.start()
        try:
            for runner in runners:
                await runner.execute(step)
            await settle(runners)
            await runners[0].execute(to_adam)  # leaves the sgd stack for the adam one, weights kept
            for runner in runners:
                await runner.execute(step)
            await settle(runners)
        finally:
            for runner in runners:
                await runner.close()
        return [runner.session for runner in runners]

    moved = asyncio.run(scenario())[0]
    alone = TrainingSession(config_from_dict({"seed": 1}))
    alone.step("epoch", 2)
    alone.configure({"optimizer": "adam"})
    alone.step("epoch", 2)
    assert moved.epochs == alone.epochs == 4
    assert np.array_equal(moved.mlp.params, alone.mlp.params)
    assert np.array_equal(moved.trainer.optimizer.mean, alone.trainer.optimizer.mean)  # type: ignore[attr-defined]


def test_busy_ratio_reads_the_run_s_pace_against_its_owner_s_frame_rate() -> None:
    async def scenario() -> tuple[float, float]:
        runner = Runner(TrainingSession(), Settings(max_fps=40), "paced")
        runner.session.start()
        now = asyncio.get_running_loop().time()
        runner.pace.trained(now - 2.0, 1.0, 0.5)
        runner.pace.trained(now - 1.0, 1.0, 0.5)  # frames a second apart, each asking one epoch, getting half
        runner.pace.frame(now - 1.0)
        figures = runner.pace_figures
        return figures.asked_epochs_per_second, runner.busy_ratio

    asked, ratio = asyncio.run(scenario())
    assert asked == 40.0  # one epoch a frame at the owner's 40 fps
    assert ratio == pytest.approx(0.25 / 40, rel=0.05)  # half an epoch in two seconds: worse than 1 frame


def test_a_class_of_seventy_same_shape_runs_trains_in_passes_of_at_most_a_chunk_each(passes: list[int]) -> None:
    """A large group is trained in passes of GROUP_CHUNK runs with the event loop free between them, and
    every run still gets its epoch, exactly as alone."""
    between: list[int] = []

    async def scenario() -> list[Runner]:
        settings = Settings()
        runners = playing(settings, 70)

        async def watcher() -> None:  # runs only when the tick yields
            while len(passes) < 3:
                between.append(len(passes))
                await asyncio.sleep(0)

        watching = asyncio.create_task(watcher())
        await tick(Scheduler(settings), runners)
        await watching
        return runners

    runners = asyncio.run(scenario())
    assert passes == [32, 32, 6]
    assert {1, 2} <= set(between)  # the loop ran other work after the first and after the second pass
    assert [r.session.epochs for r in runners] == [1] * 70
    alone = TrainingSession(config_from_dict({"seed": 69}))
    alone.start()
    alone.train(alone.batches_for("epoch", 1))
    assert np.array_equal(runners[69].session.mlp.params, alone.mlp.params)
