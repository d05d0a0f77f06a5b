"""app.training.diagnosis: each condition, built on purpose, is diagnosed; healthy runs raise nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.training import diagnosis as diagnosis_module
from app.training.diagnosis import Diagnosis
from app.training.evaluation import PartMetrics
from app.training.session import TrainingSession

SPIRAL = {"dataset": "spiral", "features": ["x1", "x2", "x1_sq", "x2_sq", "sin_x1", "sin_x2"],
          "hidden_layers": [12, 12, 12], "optimizer": "adam", "learning_rate": 0.003}
HEALTHY = {  # each standard dataset with a network that learns it
    "circle": {}, "xor": {"dataset": "xor"}, "gauss": {"dataset": "gauss"}, "moons": {"dataset": "moons"},
    "spiral": SPIRAL, "blobs": {"dataset": "blobs"}, "plane": {"dataset": "plane"},
}


def run(session: TrainingSession, epochs: int, every: int = 1) -> tuple[Diagnosis, dict[str, dict[str, Any]]]:
    """Train epoch by epoch as the live page does, diagnosing after each; every kind seen, first finding kept."""
    diagnosis, seen = Diagnosis(), {}
    if session.status.value != "running":
        session.start()
    for _ in range(0, epochs, every):
        session.train(session.batches_for("epoch", every))
        snapshot = session.snapshot(8, 4)
        for finding in diagnosis.observe(session, snapshot.train, snapshot.test):
            seen.setdefault(finding["kind"], finding)
        if session.status.value == "diverged":
            break
    return diagnosis, seen


def observe_now(session: TrainingSession) -> list[dict[str, Any]]:
    snapshot = session.snapshot(8, 4)
    return Diagnosis().observe(session, snapshot.train, snapshot.test)


@pytest.mark.parametrize("name", HEALTHY)
def test_a_healthy_run_raises_nothing(make_session: Callable[..., TrainingSession], name: str) -> None:
    session = make_session(**HEALTHY[name])
    _, seen = run(session, 200)
    assert seen == {}
    assert session.snapshot(8, 4).test.cost is not None and session.snapshot(8, 4).test.cost < 0.1


def test_relu_at_learning_rate_10_on_the_circle_is_not_left_without_a_word(make_session) -> None:
    session = make_session(activation="relu", learning_rate=10)
    _, seen = run(session, 100)
    assert session.snapshot(8, 4).train.accuracy < 0.6  # it really is stuck
    assert {"dead_relu", "plateau"} <= set(seen)
    plateau = seen["plateau"]
    assert "learning rate is already at its largest" in plateau["suggestion"]
    assert plateau["action"] == {"label": "Use tanh", "changes": {"activation": "tanh"}}


def test_a_plateau_below_the_largest_rate_suggests_raising_it(make_session) -> None:
    session = make_session(learning_rate=0.00001)
    _, seen = run(session, 70)
    assert seen["plateau"]["action"]["changes"] == {"learning_rate": 0.0001}
    assert "training cost has stayed near" in seen["plateau"]["evidence"]


def test_a_relu_set_to_output_zero_everywhere_is_named_dead(make_session) -> None:
    session = make_session(activation="relu", hidden_layers=[4, 3])
    session.set_parameter(0, 2, -40.0)  # neuron 3 of layer 1: z = w·x - 40 < 0 for every point
    for source in range(2):
        session.set_parameter(0, 2, 0.0, source)
    findings = {f["kind"]: f for f in observe_now(session)}
    assert [n for n in findings["dead_relu"]["neurons"] if n[0] == 1] == [[1, 2]]
    assert "3 of layer 1" in findings["dead_relu"]["evidence"]
    assert findings["dead_relu"]["action"]["changes"] == {"activation": "leaky_relu"}


def test_huge_weights_saturate_tanh_neurons(make_session) -> None:
    session = make_session(hidden_layers=[4, 2])
    session.mlp.weights[0][...] = 100.0 * np.sign(session.mlp.weights[0])
    findings = {f["kind"]: f for f in observe_now(session)}
    assert [layer for layer, _ in findings["saturated"]["neurons"]].count(1) >= 2
    assert "f′(z) is almost 0" in findings["saturated"]["evidence"]


def test_a_naive_initialisation_makes_the_neurons_of_a_layer_copies(make_session) -> None:
    findings = {f["kind"]: f for f in observe_now(make_session(init="uniform_unit"))}
    assert findings["identical"]["neurons"] == [[2, 0], [2, 1]]
    assert findings["identical"]["action"]["changes"] == {"init": "xavier"}
    assert "identical" not in {f["kind"] for f in observe_now(make_session())}


def test_vanishing_gradients_in_a_deep_sigmoid_network(make_session) -> None:
    session = make_session(activation="sigmoid", hidden_layers=[8, 8, 8, 8, 8, 8], init="uniform_unit")
    session.step("batch", 1)
    findings = {f["kind"]: f for f in observe_now(session)}
    assert findings["vanishing"]["action"]["changes"] == {"activation": "relu"}


def test_a_tiny_training_set_overfits(make_session) -> None:
    session = make_session(points=50, noise=50, train_percent=20, hidden_layers=[16, 16], optimizer="adam",
                           features=["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"])
    _, seen = run(session, 80)
    assert "test cost rose" in seen["overfitting"]["evidence"]
    assert seen["overfitting"]["action"]["changes"] == {"regularization": "l2", "regularization_rate": 0.01}


def test_a_diverged_run_suggests_a_lower_learning_rate(make_session) -> None:
    session = make_session(dataset="plane", activation="relu", learning_rate=10,
                           features=["x1", "x2", "x1_sq", "x2_sq"])
    _, seen = run(session, 20)
    assert session.status.value == "diverged"
    assert seen["diverged"]["action"]["changes"] == {"learning_rate": 1.0}


def test_a_cost_running_away_is_caught_before_it_diverges(make_session) -> None:
    session = make_session(learning_rate=3)
    diagnosis = Diagnosis()
    for epoch, cost in enumerate([0.3, 0.25, 0.3, 0.4, 0.6, 0.9, 1.4]):
        session.epochs = epoch
        findings = diagnosis.observe(session, PartMetrics(cost=cost, accuracy=0.5), PartMetrics(cost=cost))
    assert [f["kind"] for f in findings if f["kind"] == "diverging"] == ["diverging"]
    assert next(f for f in findings if f["kind"] == "diverging")["action"]["changes"] == {"learning_rate": 0.3}


def test_the_record_is_bounded_and_forgotten_on_reset(make_session) -> None:
    session = make_session()
    diagnosis, _ = run(session, diagnosis_module.HISTORY_EPOCHS + 30, every=3)
    assert len(diagnosis.records) <= diagnosis_module.HISTORY_EPOCHS
    session.reset()
    diagnosis.observe(session, PartMetrics(cost=0.5), PartMetrics(cost=0.5))
    assert [r.epoch for r in diagnosis.records] == [0]


def test_neuron_checks_wait_a_few_epochs_while_running(make_session, monkeypatch) -> None:
    calls = []
    real = diagnosis_module.neuron_findings
    monkeypatch.setattr(diagnosis_module, "neuron_findings", lambda s, **kw: calls.append(s.epochs) or real(s, **kw))
    run(make_session(), 3 * diagnosis_module.DEEP_CHECK_EPOCHS)
    assert len(calls) == 3
