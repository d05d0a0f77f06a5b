"""Slow step over the socket: exactly one mini-batch step, whose recorded numbers are the engine's own
(app.nn forward and backward on that very batch, and one Trainer step), refused while running."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.data.datasets import split
from app.data.split import inputs_with_ones
from app.nn import encode_targets
from app.training.digits import shown
from tests.live.conftest import Conversation
from tests.live.test_teaching import engine_copy


def export(client: TestClient, conversation: Conversation) -> dict[str, Any]:
    session_id = conversation.hello["session_id"]  # type: ignore[attr-defined]
    return dict(client.get(f"/api/sessions/{session_id}/export").json())


@pytest.mark.parametrize("changes", [{}, {"optimizer": "adam", "regularization": "l2", "regularization_rate": 0.01,
                                         "batch_size": 7}], ids=["sgd", "adam-l2"])
def test_a_slow_step_is_one_engine_step_on_the_next_batch(client: TestClient, conversation: Conversation,
                                                          changes: dict[str, Any]) -> None:
    if changes:
        conversation.send({"type": "configure", "changes": changes})
        conversation.until_type("session")
    conversation.send({"type": "step", "unit": "batch", "count": 3})
    conversation.frame(lambda f: f["step"] == 3)
    before = export(client, conversation)
    conversation.send({"type": "slow_step"})
    record = conversation.until_type("slow_step")
    assert conversation.until_type("session")["status"] == "paused"
    assert conversation.frame(lambda f: f["step"] != 3)["step"] == 4  # exactly one step
    after = export(client, conversation)

    config = before["config"]
    rows = np.array(before["data"]["rows"])
    train_index, _ = split(len(rows), config["train_percent"] / 100, config["data_seed"])
    cursor, batch = before["epoch"]["cursor"], config["batch_size"]
    indices = before["epoch"]["order"][cursor : cursor + batch]  # the epoch's order says which points
    assert record["indices"] == indices and (record["step"], record["epoch"]) == (3, 0)
    points = rows[train_index[indices], :2]
    np.testing.assert_array_equal(record["points"], points)

    mlp, trainer = engine_copy(before)
    X = inputs_with_ones(points, tuple(config["features"]))
    T = encode_targets(rows[train_index[indices], 2], config["output_activation"], mlp.sizes[-1])
    trace = mlp.forward(X[:, :-1])
    cost, grads = mlp.cost_and_gradients(X[:, :-1], T, config["cost"])
    assert record["cost"] == pytest.approx(cost, rel=1e-12)
    assert len(record["layers"]) == len(mlp.sizes)
    for layer, recorded in enumerate(record["layers"]):
        np.testing.assert_allclose(recorded["activation"], trace.A[layer].mean(axis=0), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(recorded["delta"], grads.delta[layer].sum(axis=0), rtol=1e-12, atol=1e-15)
    weights_before = [np.array(w) for w in before["weights"]]
    trainer.step(X, T)  # the same step, taken by the engine alone
    for layer, recorded in enumerate(record["weight_layers"]):
        np.testing.assert_array_equal(recorded["weights_before"], weights_before[layer])
        np.testing.assert_allclose(recorded["weight_grads"], trainer.grads.reshape(-1)[
            sum((a + 1) * b for a, b in zip(mlp.sizes[:layer], mlp.sizes[1 : layer + 1], strict=True)):][
            : mlp.sizes[layer] * mlp.sizes[layer + 1]].reshape(mlp.sizes[layer], -1), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(recorded["weights_after"], mlp.weights[layer], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(recorded["biases_after"], mlp.biases[layer], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(recorded["weights_after"], after["weights"][layer], rtol=0)
        # the bias gradient is the mean error term of the layer it feeds (biases carry no penalty)
        np.testing.assert_allclose(recorded["bias_grads"], record["layers"][layer + 1]["delta"], rtol=1e-12)
    assert after["counters"]["step"] == 4
    assert_the_links_that_moved_most_are_named(record, weights_before, [np.array(w) for w in after["weights"]])


def assert_the_links_that_moved_most_are_named(record: dict[str, Any], before: list[np.ndarray],
                                               after: list[np.ndarray]) -> None:
    """moved_most: the three largest |after − before| over every weight, largest first, with
    decimals at which before and after show two significant digits of the change."""
    changes = sorted(((abs(a - b)[i, j], layer, i, j) for layer, (b, a) in enumerate(zip(before, after, strict=True))
                      for i in range(b.shape[0]) for j in range(b.shape[1])), reverse=True)
    moved = record["moved_most"]
    assert [(m["layer"], m["source"], m["target"]) for m in moved] == [c[1:] for c in changes[:3]]
    for m in moved:
        assert m["before"] == before[m["layer"]][m["source"], m["target"]]
        assert m["after"] == after[m["layer"]][m["source"], m["target"]]
        change = Decimal(m["after"]) - Decimal(m["before"])
        shown_change = shown(m["after"], m["decimals"]) - shown(m["before"], m["decimals"])
        assert shown_change != 0 and abs(shown_change - change) < Decimal(10) ** -m["decimals"]
        assert abs(change) >= Decimal(10) ** (1 - m["decimals"])  # two significant digits of it show


def test_a_slow_step_starts_a_new_epoch_in_the_order_training_would(client: TestClient,
                                                                     conversation: Conversation) -> None:
    conversation.send({"type": "slow_step"})
    first = conversation.until_type("slow_step")
    document = export(client, conversation)
    assert first["indices"] == document["epoch"]["order"][:10] and document["counters"]["step"] == 1


def test_a_slow_step_is_refused_while_running(conversation: Conversation) -> None:
    conversation.send({"type": "play"})
    conversation.until(lambda m: m["type"] == "session" and m["status"] == "running")
    conversation.send({"type": "slow_step", "id": 5})
    error = conversation.error()
    assert (error["field"], error["command"], error["id"]) == ("status", "slow_step", 5)
