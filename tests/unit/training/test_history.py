"""app.training.history: bounded, pairwise-merged cost history; the session records it; export keeps it."""

import json
import math

import numpy as np
import pytest

from app.errors import InputError
from app.training.history import FIGURES, HISTORY_POINTS, History
from app.training.persistence import export, restore


def values(step: int) -> tuple[float | None, ...]:
    return (1.0 / step, 2.0 / step, None, step / 10.0)


def test_a_point_per_new_step_and_none_for_an_old_one() -> None:
    history = History(capacity=8)
    for step in (1, 2, 2, 1, 3):
        history.record(step, step // 2, values(step))
    assert history.steps.tolist() == [1, 2, 3] and history.epochs.tolist() == [0, 1, 1]
    assert history.figures["train_cost"].tolist() == [1.0, 0.5, 1 / 3]
    assert np.isnan(history.figures["train_metric"]).all()


def test_when_full_neighbours_merge_pairwise_and_later_points_merge_as_many() -> None:
    history = History(capacity=8)
    for step in range(1, 9):
        history.record(step, step, (float(step), None, None, None))
    # 8 points reached the capacity: merged into 4, each the mean of a pair, at the later step
    assert history.steps.tolist() == [2, 4, 6, 8]
    assert history.figures["train_cost"].tolist() == [1.5, 3.5, 5.5, 7.5]
    assert history.stride == 2
    history.record(9, 9, (9.0, None, None, None))
    assert len(history) == 4 and history.last_step == 9  # pending: one recording of the next pair
    history.record(10, 10, (10.0, None, None, None))
    assert history.steps[-1] == 10 and history.figures["train_cost"][-1] == 9.5


def test_a_long_run_stays_bounded_and_keeps_its_shape() -> None:
    history = History()
    n = 50_000
    for step in range(1, n + 1):
        history.record(step, step // 10, (math.exp(-step / 10_000), None, None, None))
    assert HISTORY_POINTS // 2 <= len(history) < HISTORY_POINTS
    expected = np.exp(-history.steps / 10_000)
    assert np.max(np.abs(history.figures["train_cost"] - expected)) < 0.01  # merging barely bends it
    assert history.steps[-1] > n - 2 * history.stride


def test_round_trip_through_json_and_refusals() -> None:
    history = History(capacity=8)
    for step in range(1, 12):
        history.record(step, step, values(step))
    data = json.loads(json.dumps(history.to_dict()))
    again = History.from_dict(data, max_step=11, max_epoch=11)
    assert again.steps.tolist() == history.steps.tolist() and again.stride == history.stride
    for name in FIGURES:
        np.testing.assert_array_equal(again.figures[name], history.figures[name])
    with pytest.raises(InputError, match="history.step"):
        History.from_dict({**data, "step": data["step"][::-1]}, 11, 11)
    with pytest.raises(InputError, match="history.step"):
        History.from_dict(data, max_step=5, max_epoch=11)
    with pytest.raises(InputError, match="history.test_cost"):
        History.from_dict({**data, "test_cost": ["x"] * len(data["step"])}, 11, 11)
    with pytest.raises(InputError, match="history.stride"):
        History.from_dict({**data, "stride": 3}, 11, 11)


def test_the_session_records_after_training_and_forgets_on_reset(make_session) -> None:
    session = make_session()
    session.snapshot(16, 4)
    assert len(session.history) == 0  # nothing trained yet
    for _ in range(3):
        session.step("epoch")
        snap = session.snapshot(16, 4)
    assert session.history.steps[-1] == session.steps and session.history.epochs[-1] == 3
    assert session.history.figures["train_cost"][-1] == pytest.approx(snap.train.cost)
    assert session.history.figures["train_metric"][-1] == pytest.approx(snap.train.accuracy)
    session.reset()
    assert len(session.history) == 0


def test_export_carries_the_history_and_import_restores_it(make_session) -> None:
    session = make_session()
    for _ in range(4):
        session.step("epoch")
        session.snapshot(16, 4)
    resumed = restore(json.loads(json.dumps(export(session))))
    assert resumed.history.steps.tolist() == session.history.steps.tolist()
    np.testing.assert_allclose(resumed.history.figures["test_cost"], session.history.figures["test_cost"])


def test_a_version_1_file_without_history_still_imports(make_session) -> None:
    session = make_session()
    session.step("epoch")
    document = json.loads(json.dumps(export(session)))
    del document["history"]
    document["version"] = 1
    assert len(restore(document).history) == 0
