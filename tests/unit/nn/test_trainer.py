"""app.nn.trainer: a step equals forward, backward and update done by hand; buffers, rates and optimisers."""

import numpy as np
import pytest

from app.nn.initializers import initialize
from app.nn.mlp import MLP
from app.nn.trainer import Trainer


def network(seed: int = 0) -> MLP:
    mlp = MLP((3, 5, 4, 1), "tanh", "sigmoid")
    initialize(mlp, "xavier", np.random.default_rng(seed))
    mlp.biases[0][...] = 0.1  # non-zero biases, so their gradients matter
    return mlp


def batch(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X: (rows, 3), the same with a ones column: (rows, 4), and 0/1 targets T: (rows, 1)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (rows, 3))
    return X, np.column_stack([X, np.ones(rows)]), rng.integers(0, 2, (rows, 1)).astype(np.float64)


def manual_sgd_step(mlp: MLP, X: np.ndarray, T: np.ndarray, lr: float, l2: float = 0.0) -> np.ndarray:
    """The parameters after one gradient step done by hand on a copy of mlp."""
    grads = mlp.cost_and_gradients(X, T, "bce")[1].flat + l2 * mlp.params * mlp.weight_mask
    return mlp.params - lr * grads


def test_a_step_equals_forward_backward_and_update_by_hand() -> None:
    mlp = network()
    X, X_ext, T = batch(10)
    expected = manual_sgd_step(mlp, X, T, 0.1)
    Trainer(mlp, "bce", "sgd", learning_rate=0.1).step(X_ext, T)
    np.testing.assert_allclose(mlp.params, expected, rtol=1e-13, atol=1e-15)
    assert not np.allclose(mlp.params, network().params)


def test_l2_regularization_is_added_to_the_gradient_of_weights_only() -> None:
    mlp = network()
    X, X_ext, T = batch(10)
    expected = manual_sgd_step(mlp, X, T, 0.1, l2=0.5)
    trainer = Trainer(mlp, "bce", "sgd", learning_rate=0.1, regularization="l2", regularization_rate=0.5)
    trainer.step(X_ext, T)
    np.testing.assert_allclose(mlp.params, expected, rtol=1e-13, atol=1e-15)


def test_batches_of_differing_row_counts_each_step_correctly() -> None:
    mlp = network()
    trainer = Trainer(mlp, "bce", "sgd", learning_rate=0.2)
    for seed, rows in enumerate([10, 3, 10, 1, 3]):
        X, X_ext, T = batch(rows, seed)
        expected = manual_sgd_step(mlp, X, T, 0.2)
        trainer.step(X_ext, T)
        np.testing.assert_allclose(mlp.params, expected, rtol=1e-13, atol=1e-15)
    assert sorted(trainer.workspaces) == [1, 3, 10]  # one set of buffers per row count, reused


def test_grads_hold_the_last_steps_gradient() -> None:
    mlp = network()
    X, X_ext, T = batch(6)
    expected = mlp.cost_and_gradients(X, T, "bce")[1].flat
    trainer = Trainer(mlp, "bce")
    trainer.step(X_ext, T)
    np.testing.assert_allclose(trainer.grads, expected, rtol=1e-13, atol=1e-15)


def test_learning_rate_change_applies_from_the_next_step() -> None:
    mlp = network()
    trainer = Trainer(mlp, "bce", "sgd", learning_rate=0.1)
    X, X_ext, T = batch(8)
    trainer.step(X_ext, T)
    trainer.learning_rate = 1.5
    expected = manual_sgd_step(mlp, X, T, 1.5)
    trainer.step(X_ext, T)
    np.testing.assert_allclose(mlp.params, expected, rtol=1e-13, atol=1e-15)


def test_switching_optimizer_keeps_weights_and_starts_fresh_state() -> None:
    mlp = network()
    trainer = Trainer(mlp, "bce", "momentum", learning_rate=0.1)
    _, X_ext, T = batch(8)
    trainer.step(X_ext, T)
    weights = mlp.params.copy()
    trainer.set_optimizer("adam")
    assert np.array_equal(mlp.params, weights)
    assert trainer.optimizer.name == "adam" and trainer.optimizer.t == 0
    trainer.step(X_ext, T)
    # Adam's first step moves every parameter with a non-zero gradient by about the learning rate
    moved = np.abs(mlp.params - weights)[trainer.grads != 0]
    np.testing.assert_allclose(moved, 0.1, rtol=1e-3)


def test_choosing_the_same_optimizer_keeps_its_state() -> None:
    mlp = network()
    trainer = Trainer(mlp, "bce", "momentum")
    _, X_ext, T = batch(8)
    trainer.step(X_ext, T)
    optimizer = trainer.optimizer
    trainer.set_optimizer("momentum")
    assert trainer.optimizer is optimizer and optimizer.t == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"loss": "cce"}, "needs an output activation"), ({"loss": "hinge"}, "unknown cost"),
     ({"loss": "bce", "regularization": "l3"}, "unknown regularization")],
)
def test_constructor_refuses_bad_settings(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Trainer(network(), **kwargs)  # type: ignore[arg-type]


def test_set_optimizer_refuses_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        Trainer(network(), "bce").set_optimizer("rmsprop")
