"""The teaching figures in a frame, checked against a direct computation through the engine (app.nn):
one neuron's forward pass, backward pass and update for one sample (every optimiser, L1 and L2),
the per-layer gradient sizes, and the live diagnosis."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.data.split import inputs_with_ones
from app.nn import MLP, Trainer, encode_targets
from tests.live.conftest import Conversation

SAMPLE = 7  # the training point traced
STEPS = 6  # batches trained before tracing, so the optimiser has a state


def settle(conversation: Conversation, changes: dict[str, Any]) -> None:
    """Configure, train STEPS batches by hand, and wait for the frame that shows them."""
    conversation.send({"type": "configure", "changes": changes})
    conversation.until_type("session")
    conversation.send({"type": "step", "unit": "batch", "count": STEPS})
    conversation.frame(lambda f: f["step"] == STEPS)


def traced(conversation: Conversation, layer: int, index: int) -> dict[str, Any]:
    conversation.send({"type": "select_neuron", "layer": layer, "index": index})
    conversation.send({"type": "select_sample", "part": "train", "index": SAMPLE})
    frame = conversation.frame(lambda f: f["trace"] is not None and f["trace"]["neuron"]["layer"] == layer
                               and f["trace"]["neuron"]["index"] == index)
    return dict(frame["trace"])


def engine_copy(document: dict[str, Any]) -> tuple[MLP, Trainer]:
    """The exported network and optimiser, rebuilt through app.nn alone."""
    config = document["config"]
    sizes = [len(config["features"]), *config["hidden_layers"], len(document["biases"][-1])]
    mlp = MLP(sizes, config["activation"], config["output_activation"])
    mlp.set_parameters([np.array(w) for w in document["weights"]], [np.array(b) for b in document["biases"]])
    trainer = Trainer(mlp, config["cost"], config["optimizer"], config["learning_rate"],
                      config["regularization"], config["regularization_rate"])
    trainer.optimizer.load_state({k: v for k, v in document["optimizer"].items() if k != "name"})
    return mlp, trainer


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("regularization", ["none", "l1", "l2"])
@pytest.mark.parametrize(("layer", "index", "changes"), [
    (1, 2, {}), (3, 0, {"output_activation": "sigmoid", "cost": "bce"}),
], ids=["hidden", "output"])
def test_one_neurons_forward_backward_and_update_are_the_engines(
    client: TestClient, conversation: Conversation, optimizer: str, regularization: str,
    layer: int, index: int, changes: dict[str, Any],
) -> None:
    rate = 0.0 if regularization == "none" else 0.03
    settle(conversation, {"optimizer": optimizer, "regularization": regularization,
                          "regularization_rate": rate, **changes})
    trace = traced(conversation, layer, index)
    document = client.get(f"/api/sessions/{conversation.hello['session_id']}/export").json()  # type: ignore[attr-defined]
    mlp, trainer = engine_copy(document)
    config = document["config"]
    X = inputs_with_ones(np.array([trace["point"]]), tuple(config["features"]))[:, :-1]
    T = encode_targets(np.array([trace["label"]]), config["output_activation"], mlp.sizes[-1])
    cost, grads = mlp.cost_and_gradients(X, T, config["cost"])
    forward = mlp.forward(X)
    neuron, backward = trace["neuron"], trace["neuron"]["backward"]

    assert trace["cost"] == pytest.approx(cost, rel=1e-12)
    np.testing.assert_allclose(neuron["inputs"], forward.A[layer - 1][0], rtol=1e-12)
    np.testing.assert_allclose(neuron["weights"], mlp.weights[layer - 1][:, index], rtol=0)
    assert neuron["z"] == pytest.approx(forward.Z[layer][0, index], rel=1e-12)
    assert neuron["a"] == pytest.approx(forward.A[layer][0, index], rel=1e-12)
    delta = grads.delta[layer][0, index]
    assert backward["delta"] == pytest.approx(delta, rel=1e-12)
    assert backward["cost_slope"] * backward["slope"] == pytest.approx(delta, rel=1e-9)
    if layer < len(mlp.sizes) - 1:
        assert backward["cost_slope"] == pytest.approx(mlp.weights[layer][index] @ grads.delta[layer + 1][0], rel=1e-12)
    np.testing.assert_allclose(backward["weight_grads"], grads.dW[layer - 1][:, index], rtol=1e-12)
    assert backward["bias_grad"] == pytest.approx(grads.db[layer - 1][index], rel=1e-12)

    update = backward["update"]
    before = {name: getattr(trainer.optimizer, name).copy() for name in trainer.optimizer.state_names}
    trainer.step(np.hstack([X, np.ones((1, 1))]), T)  # one step on this point alone
    rows = update["params"]
    assert [r["name"] for r in rows] == [f"w{i + 1}" for i in range(mlp.sizes[layer - 1])] + ["b"]
    new_values = np.append(mlp.weights[layer - 1][:, index], mlp.biases[layer - 1][index])
    np.testing.assert_array_equal([r["new_value"] for r in rows], new_values)
    np.testing.assert_allclose([r["total"] for r in rows], np.append(trainer.grad_blocks[layer - 1][:-1, index],
                                                                      trainer.grad_blocks[layer - 1][-1, index]))
    penalties = [r["penalty"] for r in rows]
    assert penalties[-1] == 0.0  # biases are never penalised
    if regularization != "none":
        old = np.array([r["value"] for r in rows[:-1]])
        expected = rate * (np.sign(old) if regularization == "l1" else old)
        np.testing.assert_allclose(penalties[:-1], expected, rtol=1e-12)
    assert update["optimizer"] == optimizer and update["t"] == STEPS + 1
    for name in before:  # the optimiser's state for this neuron, before and after the step
        old = _neuron_values(mlp, before[name], layer, index)
        new = _neuron_values(mlp, getattr(trainer.optimizer, name), layer, index)
        np.testing.assert_array_equal([r[name] for r in rows], old)
        np.testing.assert_allclose([r[f"new_{name}"] for r in rows], new, rtol=1e-12)


def _neuron_values(mlp: MLP, flat: np.ndarray, layer: int, index: int) -> np.ndarray:
    """The entries of a flat parameter-shaped vector for one neuron's incoming weights, then its bias."""
    start = sum((a + 1) * b for a, b in zip(mlp.sizes[: layer - 1], mlp.sizes[1:layer], strict=True))
    block = flat[start : start + (mlp.sizes[layer - 1] + 1) * mlp.sizes[layer]].reshape(mlp.sizes[layer - 1] + 1, -1)
    return block[:, index]


def test_grad_norms_are_the_mean_size_of_each_layers_last_gradient(client: TestClient,
                                                                  conversation: Conversation) -> None:
    conversation.send({"type": "configure", "changes": {"hidden_layers": [5, 3], "regularization": "l2",
                                                         "regularization_rate": 0.01}})
    conversation.until_type("session")
    conversation.send({"type": "step"})
    frame = conversation.frame(lambda f: f["step"] == 1)
    session = client.app.state.registry.get(conversation.hello["session_id"]).session  # type: ignore[attr-defined]
    # The first step's batch: the first rows of this epoch's order, from the starting weights.
    fresh = type(session)(session.config)
    rows = fresh.batch_rows
    fresh.start_epoch()
    X, T = fresh.epoch_inputs[:rows, :-1], fresh.epoch_targets[:rows]
    _, grads = fresh.mlp.cost_and_gradients(X, T, session.config.cost)
    expected = [float(np.abs(dW + 0.01 * W).mean()) for dW, W in zip(grads.dW, fresh.mlp.weights, strict=True)]
    assert len(frame["grad_norms"]) == 3
    np.testing.assert_allclose(frame["grad_norms"], expected, rtol=1e-12)
    assert all(np.isfinite(frame["grad_norms"]))


def test_the_frame_carries_the_live_diagnosis(conversation: Conversation) -> None:
    conversation.send({"type": "step"})
    assert conversation.frame(lambda f: f["step"] == 1)["diagnoses"] == []
    conversation.send({"type": "configure", "changes": {"init": "uniform_unit"}})
    conversation.until_type("session")
    frame = conversation.frame(lambda f: bool(f["diagnoses"]))
    finding = frame["diagnoses"][0]
    assert finding["kind"] == "identical" and finding["neurons"] == [[2, 0], [2, 1]]
    assert finding["action"] == {"label": "Use Xavier initialisation", "changes": {"init": "xavier"}, "reset": False,
                                 "said": [{"key": "diagnosis.action.use_xavier", "args": {}}]}
    conversation.send({"type": "configure", "changes": finding["action"]["changes"]})
    assert conversation.frame(lambda f: f["seq"] > frame["seq"] and not f["diagnoses"])["diagnoses"] == []
