"""Placement of new sessions on worker processes: same-shape runs (a class's forks) share a worker."""

import asyncio

import pytest

from app.live.placement import choose_worker, shape_of
from app.live.settings import Settings
from app.live.workers import RemoteRunner, WorkerPool
from app.training.config import config_from_dict
from app.training.persistence import export
from app.training.session import TrainingSession


def document(**changes: object) -> dict[str, object]:
    return export(TrainingSession(config_from_dict(changes)))


def test_the_shape_key_follows_what_groups_runs_and_nothing_else() -> None:
    base = shape_of(document())
    assert base is not None
    assert shape_of(document(seed=7, learning_rate=0.1, noise=20)) == base  # weights and rates: same stack
    assert shape_of(document(regularization="l2", regularization_rate=0.0)) == base  # a zero rate is no penalty
    for changes in ({"hidden_layers": [8] * 6}, {"optimizer": "adam"}, {"batch_size": 5}, {"points": 300},
                    {"regularization": "l2", "regularization_rate": 0.01}, {"activation": "relu"}):
        assert shape_of(document(**changes)) != base, changes
    assert shape_of({"no": "config"}) is None


def test_choose_worker_keeps_a_shape_together_within_the_slack() -> None:
    assert choose_worker([3, 5], [0, 4], slack=8) == 1  # beside its kind, though busier
    assert choose_worker([3, 12], [0, 9], slack=8) == 0  # too far ahead: the least busy
    assert choose_worker([4, 4], [0, 0], slack=8) == 0  # no kind anywhere: least busy, then the first
    assert choose_worker([6, 4], [0, 0], slack=0) == 1


def test_a_class_of_forks_lands_on_one_worker_until_the_slack_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> list[int]:
        pool = WorkerPool(Settings(workers=2, placement_slack=4))
        monkeypatch.setattr(type(pool.workers[0]), "is_running", property(lambda worker: True))
        try:
            pool.create_runner("a-page")  # someone else's default run, on worker 0
            fork = shape_of(document(hidden_layers=[8] * 6))
            placed = [pool.create_runner(f"fork-{n}", fork) for n in range(7)]
            return [pool.workers.index(runner.worker) for runner in placed if isinstance(runner, RemoteRunner)]
        finally:
            for worker in pool.workers:
                worker.connection.close()
                worker.child.close()

    chosen = asyncio.run(scenario())
    # the first fork goes to the idle worker 1; the rest follow it while it holds at most 1 + 4 sessions
    assert chosen == [1, 1, 1, 1, 1, 1, 0]
