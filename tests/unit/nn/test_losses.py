"""app.nn.losses: values against textbook formulas, dC/dZ against finite differences, targets, compatibility."""

from collections.abc import Callable

import numpy as np
import pytest

from app.nn.activations import ACTIVATIONS, apply
from app.nn.losses import LOSSES, check_compatible, cost, encode_targets, positive_probability

N = 6  # samples per batch in these checks
PAIRS = [(loss.name, activation) for loss in LOSSES.values() for activation in loss.output_activations]


def targets_for(activation: str, n: int, k: int, seed: int = 0) -> np.ndarray:
    """Valid targets (n, k) in the activation's range: {0,1}, {-1,+1}, one-hot rows or reals."""
    rng = np.random.default_rng(seed)
    if activation == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if activation == "linear":
        return rng.uniform(-1.0, 1.0, (n, k))
    bits = rng.integers(0, 2, (n, k)).astype(np.float64)
    return 2.0 * bits - 1.0 if activation == "tanh" else bits


def width(activation: str) -> int:
    return 3 if activation == "softmax" else 2


# Per-sample losses written from their definitions, in terms of probabilities, not logits.
def mse_oracle(A: np.ndarray, T: np.ndarray, activation: str) -> np.ndarray:
    return 0.5 * ((A - T) ** 2).sum(axis=1)


def bce_oracle(A: np.ndarray, T: np.ndarray, activation: str) -> np.ndarray:
    p, y = ((A + 1) / 2, (T + 1) / 2) if activation == "tanh" else (A, T)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1)


def cce_oracle(A: np.ndarray, T: np.ndarray, activation: str) -> np.ndarray:
    return -(T * np.log(A)).sum(axis=1)


ORACLES: dict[str, Callable[[np.ndarray, np.ndarray, str], np.ndarray]] = {
    "mse": mse_oracle, "bce": bce_oracle, "cce": cce_oracle,
}


def test_registry_and_allowed_output_activations() -> None:
    allowed = {name: loss.output_activations for name, loss in LOSSES.items()}
    assert allowed == {
        "mse": ("sigmoid", "tanh", "softmax", "linear"),
        "bce": ("sigmoid", "tanh"),
        "cce": ("softmax",),
    }
    assert all(loss.label and loss.formula for loss in LOSSES.values())


@pytest.mark.parametrize(("loss", "activation"), PAIRS)
def test_per_sample_matches_the_textbook_formula(loss: str, activation: str) -> None:
    Z = np.random.default_rng(1).normal(0.0, 1.5, (N, width(activation)))
    A, T = apply(activation, Z), targets_for(activation, N, width(activation))
    per_sample = LOSSES[loss].per_sample(Z, A, T, activation)
    assert per_sample.shape == (N,)
    np.testing.assert_allclose(per_sample, ORACLES[loss](A, T, activation), rtol=1e-10)
    assert cost(loss, Z, A, T, activation) == pytest.approx(per_sample.mean(), rel=1e-15)


@pytest.mark.parametrize(("loss", "activation"), PAIRS)
def test_delta_is_the_gradient_of_the_mean_cost(loss: str, activation: str, numerical_gradient,
                                                 assert_gradients_match) -> None:
    Z = np.random.default_rng(2).normal(0.0, 1.5, (N, width(activation)))
    T = targets_for(activation, N, width(activation), seed=3)
    out, scratch = np.empty_like(Z), np.empty_like(Z)
    LOSSES[loss].delta(Z, apply(activation, Z), T, ACTIVATIONS[activation], out, scratch)
    numeric = numerical_gradient(lambda z: float(LOSSES[loss].per_sample(z, apply(activation, z), T, activation)
                                                 .mean()), Z)
    assert_gradients_match(out, numeric)


@pytest.mark.parametrize(
    ("loss", "activation", "Z", "T"),
    [
        ("bce", "sigmoid", [[800.0]], [[0.0]]),
        ("bce", "tanh", [[400.0]], [[-1.0]]),  # tanh's logit is 2z
        ("cce", "softmax", [[800.0, 0.0]], [[0.0, 1.0]]),
    ],
)
def test_cross_entropy_of_a_confidently_wrong_output_is_finite_and_equals_the_logit(
    loss: str, activation: str, Z: list[list[float]], T: list[list[float]]
) -> None:
    # -log(1 - sigmoid(800)) = 800 + log(1 + e^-800); computed naively it would be log(0) = -inf
    Z_, T_ = np.array(Z), np.array(T)
    assert cost(loss, Z_, apply(activation, Z_), T_, activation) == pytest.approx(800.0, rel=1e-12)


@pytest.mark.parametrize(("loss", "activation"), [("bce", "softmax"), ("bce", "linear"), ("cce", "sigmoid"),
                                                  ("cce", "tanh"), ("cce", "linear")])
def test_check_compatible_refuses_an_output_the_cost_cannot_follow(loss: str, activation: str) -> None:
    with pytest.raises(ValueError, match="needs an output activation"):
        check_compatible(loss, activation)


def test_check_compatible_refuses_an_unknown_cost_and_accepts_every_listed_pair() -> None:
    with pytest.raises(ValueError, match="unknown cost"):
        check_compatible("hinge", "tanh")
    for loss, activation in PAIRS:
        check_compatible(loss, activation)


@pytest.mark.parametrize(
    ("activation", "n_outputs", "labels", "expected"),
    [
        ("sigmoid", 1, [0, 1, 1], [[0.0], [1.0], [1.0]]),
        ("tanh", 1, [0, 1, 1], [[-1.0], [1.0], [1.0]]),
        ("softmax", 3, [2, 0, 1], [[0, 0, 1], [1, 0, 0], [0, 1, 0]]),
        ("linear", 1, [0.25, -0.5, 1.0], [[0.25], [-0.5], [1.0]]),
    ],
)
def test_encode_targets_puts_labels_in_the_output_range(activation: str, n_outputs: int, labels: list[float],
                                                        expected: list[list[float]]) -> None:
    T = encode_targets(np.array(labels), activation, n_outputs)
    assert T.dtype == np.float64
    np.testing.assert_array_equal(T, expected)


def test_positive_probability_maps_tanh_to_zero_one_and_keeps_sigmoid() -> None:
    A = np.array([[-1.0], [0.0], [0.5]])
    np.testing.assert_allclose(positive_probability(A, "tanh"), [0.0, 0.5, 0.75])
    np.testing.assert_allclose(positive_probability(A, "sigmoid"), [-1.0, 0.0, 0.5])
