"""app.training.diagnosis: each condition, built on purpose, is diagnosed; healthy runs raise nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.data.datasets import DATASETS
from app.i18n import translate
from app.training import advice
from app.training import diagnosis as diagnosis_module
from app.training.diagnosis import Diagnosis
from app.training.evaluation import PartMetrics
from app.training.session import TrainingSession

SPIRAL = {"dataset": "spiral", "features": ["x1", "x2", "x1_sq", "x2_sq", "sin_x1", "sin_x2"],
          "hidden_layers": [12, 12, 12], "optimizer": "adam", "learning_rate": 0.003}
HEALTHY = {  # every dataset with a network that learns it
    "circle": {}, "xor": {"dataset": "xor"}, "gauss": {"dataset": "gauss"}, "moons": {"dataset": "moons"},
    "spiral": SPIRAL, "blobs": {"dataset": "blobs"}, "plane": {"dataset": "plane"},
    "spiral_arms": {**SPIRAL, "dataset": "spiral_arms"}, "multi_gauss": {"dataset": "multi_gauss"},
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


def test_the_healthy_runs_cover_every_dataset() -> None:
    assert set(HEALTHY) == set(DATASETS)


@pytest.mark.parametrize("name", HEALTHY)
def test_a_healthy_run_raises_nothing(make_session: Callable[..., TrainingSession], name: str) -> None:
    session = make_session(**HEALTHY[name])
    _, seen = run(session, 200)
    assert seen == {}
    assert session.snapshot(8, 4).test.cost is not None and session.snapshot(8, 4).test.cost < 0.1


def test_relu_at_learning_rate_10_on_the_circle_is_told_its_rate_is_too_high(make_session) -> None:
    session = make_session(activation="relu", learning_rate=10)
    _, seen = run(session, 100)
    assert session.snapshot(8, 4).train.accuracy < 0.6  # it really is stuck
    assert set(seen) == {"rate_too_high"}  # the dead neurons and the flat cost are its symptoms, told within it
    finding = seen["rate_too_high"]
    assert "grew from 1.39 to 8.94" in finding["evidence"] and "ReLU neurons output 0" in finding["evidence"]
    assert finding["action"] == {"label": "Lower the learning rate to 1 and start again",
                                 "said": [{"key": "diagnosis.action.lower_rate", "args": {"rate": 1.0}}],
                                 "changes": {"learning_rate": 1.0}, "reset": True}
    assert advice.words(finding["said"]["evidence"]) == finding["evidence"]  # the parts make the English text
    german = "".join(translate("de", part["key"], **part["args"]) for part in finding["said"]["evidence"])
    assert "von 1,39 auf 8,94 gewachsen" in german and "ReLU-Neuronen geben für jeden Punkt 0 aus" in german


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
    assert seen["overfitting"]["action"]["changes"] == {"regularization": "l2", "regularization_rate": 0.03}


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
    monkeypatch.setattr(diagnosis_module, "neuron_findings",
                        lambda s, *a, **kw: calls.append(s.epochs) or real(s, *a, **kw))
    run(make_session(), 3 * diagnosis_module.DEEP_CHECK_EPOCHS)
    assert len(calls) == 3


def test_a_finding_shows_only_once_it_has_held_while_the_run_trains(make_session) -> None:
    session = make_session(learning_rate=3)
    session.start()
    diagnosis = Diagnosis()
    shown_at = []
    for epoch, cost in enumerate([0.3, 0.25, 0.3, 0.4, 0.6, 0.9, 1.4, 2.0, 2.6, 3.2, 4.0, 5.0, 6.0, 7.0, 8.0]):
        session.epochs = epoch
        findings = diagnosis.observe(session, PartMetrics(cost=cost, accuracy=0.5), PartMetrics(cost=cost))
        if any(f["kind"] == "diverging" for f in findings):
            shown_at.append(epoch)
    first_present = 5  # the doubling within RISE_EPOCHS is first there at epoch 5 (0.9 > 2 × 0.3, epoch 0's)
    assert shown_at[0] == first_present + diagnosis_module.SHOW_AFTER_EPOCHS


def test_a_deep_sigmoid_network_is_told_to_use_relu_first_not_to_raise_its_rate(make_session) -> None:
    session = make_session(activation="sigmoid", hidden_layers=[8] * 6)
    diagnosis, seen = run(session, 130)
    assert "plateau" in {f["kind"] for f in diagnosis.cost_findings}  # flat, yet the plateau is a symptom here
    snapshot = session.snapshot(8, 4)
    shown = diagnosis.observe(session, snapshot.train, snapshot.test)
    assert [f["kind"] for f in shown] == ["vanishing"]
    assert shown[0]["action"]["changes"] == {"activation": "relu"}


def test_the_default_network_on_the_spiral_is_told_to_grow_never_to_use_xavier(make_session) -> None:
    _, seen = run(make_session(dataset="spiral"), 240)
    assert set(seen) == {"plateau"}
    assert seen["plateau"]["action"]["changes"] == {"features": ["x1", "x2", "sin_x1", "sin_x2"],
                                                    "hidden_layers": [8, 8]}
    assert "Xavier" not in seen["plateau"]["suggestion"] and "learning rate" not in seen["plateau"]["suggestion"]


def test_a_test_cost_that_wobbles_near_zero_is_not_called_overfitting(make_session) -> None:
    """The spiral learnt to 100 % test accuracy: a test cost going 0.004 → 0.016 is a wobble, not a gap."""
    session = make_session(dataset="spiral", hidden_layers=[8, 8, 4], features=["x1", "x2", "sin_x1", "sin_x2"])
    _, seen = run(session, 750)
    snapshot = session.snapshot(8, 4)
    assert snapshot.test.accuracy is not None and snapshot.test.accuracy > 0.97  # it really did learn
    assert "overfitting" not in seen, seen.get("overfitting")
