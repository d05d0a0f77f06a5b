"""Goals: every figure against a direct computation; budgets, holds, resets; the progress text."""

import numpy as np
import pytest

from app.lessons.goals import GoalError, GoalTracker, parse_goal
from app.lessons.measurements import measure_session
from app.lessons.setup import new_session
from app.training.status import Status


def trained(changes: dict[str, object], epochs: int) -> object:
    session = new_session(5, changes)
    session.start()
    session.train(session.batches_for("epoch", epochs))
    return session


def test_measurements_match_a_direct_computation() -> None:
    session = trained({"dataset": "circle", "hidden_layers": [3], "activation": "relu", "points": 200}, 5)
    m = measure_session(session)  # type: ignore[arg-type]
    mlp, data = session.mlp, session.data  # type: ignore[attr-defined]
    for inputs, labels, accuracy in ((data.train_inputs, data.train_labels, m.train_accuracy),
                                     (data.test_inputs, data.test_labels, m.test_accuracy)):
        out = inputs[:, :-1]
        for W, b, act in zip(mlp.weights, mlp.biases, ("relu", "tanh"), strict=True):
            z = out @ W + b
            out = np.maximum(z, 0) if act == "relu" else np.tanh(z)
        assert accuracy == pytest.approx(np.mean((out[:, 0] > 0) == (labels == 1)))
    assert m.params == 2 * 3 + 3 + 3 * 1 + 1 and m.layers == 1 and m.epoch == 5
    hidden = np.maximum(data.train_inputs[:, :-1] @ mlp.weights[0] + mlp.biases[0], 0)
    assert m.dead_relu == pytest.approx(np.mean(np.all(hidden <= 0, axis=0)))
    assert m.gap == pytest.approx(m.test_cost - m.train_cost)
    assert not m.is_diverged


def test_dead_relu_counts_a_neuron_switched_off_by_hand() -> None:
    session = new_session(5, {"hidden_layers": [2], "activation": "relu",
                              "edits": [{"layer": 0, "target": 1, "value": -50},
                                        {"layer": 0, "source": 0, "target": 1, "value": 0},
                                        {"layer": 0, "source": 1, "target": 1, "value": 0}]})
    assert measure_session(session).dead_relu == 0.5


def observation(epoch: int, accuracy: float) -> object:
    session = new_session(1, {"hidden_layers": [2]})
    m = measure_session(session)
    return type(m)(**{**m.__dict__, "epoch": epoch, "test_accuracy": accuracy})


def test_budget_hold_and_reset() -> None:
    tracker = GoalTracker(parse_goal({"test_accuracy": ">= 0.9", "within_epochs": 10, "hold_epochs": 3}))
    for epoch, accuracy in ((1, 0.95), (2, 0.5), (3, 0.95), (4, 0.95), (5, 0.95)):
        assert not tracker.observe(observation(epoch, accuracy))  # type: ignore[arg-type]
    progress = tracker.progress()
    assert progress["held_epochs"] == 2
    assert progress["text"] == "test accuracy 95 % of 90 %, 5 of 10 epochs, held 2 of 3 epochs"
    tracker.observe(observation(1, 0.95))  # type: ignore[arg-type]  # a reset: the hold starts again
    assert tracker.progress()["held_epochs"] == 0
    for epoch in (2, 3, 4):
        tracker.observe(observation(epoch, 0.95))  # type: ignore[arg-type]
    assert tracker.is_met and tracker.met_epoch == 4
    assert tracker.observe(observation(5, 0.1))  # type: ignore[arg-type]  # met stays met


def test_too_late_does_not_count() -> None:
    tracker = GoalTracker(parse_goal({"test_accuracy": ">= 0.9", "within_epochs": 10}))
    assert not tracker.observe(observation(11, 1.0))  # type: ignore[arg-type]
    assert tracker.is_out_of_budget and tracker.progress()["text"].endswith("10 of 10 epochs")


def test_weight_and_diverged_goals() -> None:
    session = new_session(3, {"dataset": "plane", "hidden_layers": [2], "learning_rate": 10})
    weight = parse_goal({"weight": {"layer": 0, "source": 1, "target": 0, "value": "<= 100"}, "within_epochs": 5})
    tracker = GoalTracker(weight)
    assert tracker.observe(measure_session(session))
    assert tracker.progress()["conditions"][0]["value"] == pytest.approx(session.mlp.weights[0][1, 0])
    diverged = GoalTracker(parse_goal({"diverged": True, "within_epochs": 5}))
    session.start()
    session.train(session.batches_for("epoch", 3))
    assert session.status == Status.DIVERGED
    assert diverged.observe(measure_session(session))


@pytest.mark.parametrize(("goal", "field"), [
    ({"test_accuracy": ">= 0.9"}, "goal.within_epochs"),
    ({"within_epochs": 5}, "goal"),
    ({"test_accuracy": "nan", "within_epochs": 5}, "goal.test_accuracy"),
    ({"test_accuracy": ">= 0.9", "within_epochs": 0}, "goal.within_epochs"),
    ({"diverged": "yes", "within_epochs": 5}, "goal.diverged"),
    ({"weight": {"layer": -1, "target": 0, "value": "> 1"}, "within_epochs": 5}, "goal.weight.layer"),
    ({"eval": "__import__('os')", "within_epochs": 5}, "goal.eval"),
])
def test_bad_goals_name_their_key(goal: dict[str, object], field: str) -> None:
    with pytest.raises(GoalError) as caught:
        parse_goal(goal)
    assert caught.value.field == field
