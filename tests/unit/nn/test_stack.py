"""app.nn.stack: stacked steps equal single-network steps bit for bit, for every combination and shape."""

import itertools

import numpy as np
import pytest

from app.nn.initializers import initialize
from app.nn.losses import LOSSES, encode_targets
from app.nn.mlp import MLP
from app.nn.stack import Stack, signature
from app.nn.trainer import Trainer

OUTPUTS = {"bce": ("sigmoid", "tanh"), "mse": ("sigmoid", "tanh", "softmax", "linear"), "cce": ("softmax",)}
COMBINATIONS = [(hidden, output, loss, optimizer, regularization)
                for hidden in ("linear", "relu", "leaky_relu", "tanh", "sigmoid")
                for loss, outputs in OUTPUTS.items() for output in outputs
                for optimizer in ("sgd", "momentum", "adam")
                for regularization in ("none", "l1", "l2")]


def trainer(sizes: tuple[int, ...], hidden: str, output: str, loss: str, optimizer: str, regularization: str,
            seed: int, rate: float = 0.01) -> Trainer:
    mlp = MLP(sizes, hidden, output)
    initialize(mlp, "xavier", np.random.default_rng(seed))
    mlp.biases[0][...] = 0.1 * seed  # non-zero biases
    return Trainer(mlp, loss, optimizer, learning_rate=0.05 + 0.01 * seed, regularization=regularization,
                   regularization_rate=rate * (1 + seed))


def batches(sizes: tuple[int, ...], output: str, members: int, rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """X_ext: (members, rows, d_0 + 1) with a ones column; T: (members, rows, d_L) in the output's range."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(0.0, 2.0, (members, rows, sizes[0])), np.ones((members, rows, 1))], axis=2)
    labels = rng.integers(0, max(2, sizes[-1]), members * rows)
    if output == "linear":
        T = rng.normal(0.0, 1.0, (members * rows, sizes[-1]))
    else:
        T = encode_targets(labels, output, sizes[-1])
    return X, T.reshape(members, rows, sizes[-1])


def assert_same(stack: Stack, trainers: list[Trainer]) -> None:
    for i, single in enumerate(trainers):
        assert np.array_equal(stack.params[i], single.mlp.params)
        assert np.array_equal(stack.grads[i], single.grads)
        for name in single.optimizer.state_names:
            assert np.array_equal(stack.state[name][i], getattr(single.optimizer, name))
        assert stack.t[i] == single.optimizer.t


@pytest.mark.parametrize(("hidden", "output", "loss", "optimizer", "regularization"), COMBINATIONS)
def test_stacked_steps_equal_single_steps_bit_for_bit(hidden: str, output: str, loss: str, optimizer: str,
                                                       regularization: str) -> None:
    sizes = (3, 5, 4, 3 if output == "softmax" else 1)
    singles = [trainer(sizes, hidden, output, loss, optimizer, regularization, seed) for seed in range(4)]
    stacked = [trainer(sizes, hidden, output, loss, optimizer, regularization, seed) for seed in range(4)]
    stack = Stack(stacked)
    for step in range(6):
        X, T = batches(sizes, output, 4, 7 if step % 3 else 3, step)
        members = None if step % 2 == 0 else [3, 1]  # a subset steps alone now and then
        stack.step(X if members is None else X[members], T if members is None else T[members], members)
        for i in range(4) if members is None else members:
            with np.errstate(all="ignore"):
                singles[i].step(np.ascontiguousarray(X[i]), T[i])
    assert_same(stack, singles)
    for i, single in enumerate(stacked):
        stack.write_back(i, single)
        assert np.array_equal(single.mlp.params, singles[i].mlp.params)
        assert np.array_equal(single.grads, singles[i].grads)


@pytest.mark.parametrize("sizes", [(2, 4, 2, 1), (6, 8, 8, 8, 8, 8, 8, 1), (9, *[16] * 8, 1), (1, 1, 1), (2, 16, 4)])
@pytest.mark.parametrize("rows", [1, 2, 10, 25, 30, 333, 900])
def test_every_shape_of_the_page_is_exact(sizes: tuple[int, ...], rows: int) -> None:
    output = "softmax" if sizes[-1] > 1 else "tanh"
    loss = "cce" if output == "softmax" else "bce"
    singles = [trainer(sizes, "relu", output, loss, "adam", "l2", seed) for seed in range(3)]
    stack = Stack([trainer(sizes, "relu", output, loss, "adam", "l2", seed) for seed in range(3)])
    epoch_X, epoch_T = batches(sizes, output, 3, rows + 5, rows)  # row slices of an epoch's buffers, as live
    for step in range(3):
        X, T = epoch_X[:, step : step + rows], epoch_T[:, step : step + rows]
        stack.step(X, T)
        for i, single in enumerate(singles):
            single.step(X[i], T[i])
    assert_same(stack, singles)


def test_blas_batched_matmul_equals_2d_dot_for_every_size_the_page_allows() -> None:
    rng = np.random.default_rng(0)
    for rows, inner, outer in itertools.product((1, 3, 10, 31), range(1, 18), range(1, 17)):
        A = rng.normal(size=(3, rows + 2, inner))[:, 1 : rows + 1]  # strided, as an epoch's slice
        B = rng.normal(size=(3, inner + 1, outer))[:, :-1]
        D = rng.normal(size=(3, rows, outer))
        for i in range(3):
            assert np.array_equal(np.matmul(A, B)[i], np.dot(A[i], B[i]))
            assert np.array_equal(np.matmul(A.transpose(0, 2, 1), D)[i], np.dot(A[i].T, D[i]))
            assert np.array_equal(np.matmul(D, B.transpose(0, 2, 1))[i], np.dot(D[i], B[i].T))


def test_a_zero_rate_regulariser_is_none_in_the_signature_and_mixed_signatures_are_refused() -> None:
    sizes = (2, 3, 1)
    plain = trainer(sizes, "tanh", "sigmoid", "bce", "sgd", "none", 0)
    l2_at_zero = trainer(sizes, "tanh", "sigmoid", "bce", "sgd", "l2", 0, rate=0.0)
    assert signature(plain) == signature(l2_at_zero)
    adam = trainer(sizes, "tanh", "sigmoid", "bce", "adam", "none", 1)
    with pytest.raises(ValueError, match="trainers differ"):
        Stack([plain, adam])
    with pytest.raises(ValueError, match="at least one"):
        Stack([])


def test_losses_are_all_covered() -> None:
    assert set(OUTPUTS) == set(LOSSES)
    assert all(set(outputs) == set(LOSSES[name].output_activations) for name, outputs in OUTPUTS.items())
