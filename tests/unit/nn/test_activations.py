"""app.nn.activations: each function against its textbook formula, each derivative against finite differences."""

from collections.abc import Callable

import numpy as np
import pytest

from app.nn.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    LEAKY_RELU_SLOPE,
    OUTPUT_ACTIVATIONS,
    apply,
    derivative,
)

ELEMENTWISE = ["linear", "relu", "leaky_relu", "tanh", "sigmoid"]

# The textbook formulas, written independently of the module.
ORACLES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_RELU_SLOPE * z),
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}


def away_from_kinks(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values in [-4, 4] with |z| >= 0.05, so a ±1e-6 step never crosses relu's kink at 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 4.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def test_registry_names_labels_and_which_layers_may_use_them() -> None:
    assert list(ACTIVATIONS) == ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"]
    assert all(a.name == name and a.label for name, a in ACTIVATIONS.items())
    assert HIDDEN_ACTIVATIONS == ("linear", "relu", "leaky_relu", "tanh", "sigmoid")
    assert OUTPUT_ACTIVATIONS == ("sigmoid", "tanh", "softmax", "linear")


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_matches_the_textbook_formula(name: str) -> None:
    Z = away_from_kinks((7, 3))
    np.testing.assert_allclose(apply(name, Z), ORACLES[name](Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_forward_writes_into_out_and_leaves_z_alone(name: str) -> None:
    Z = away_from_kinks((5, 4))
    before, out = Z.copy(), np.full_like(Z, np.nan)
    assert ACTIVATIONS[name].forward(Z, out) is None
    np.testing.assert_allclose(out, ORACLES[name](before), rtol=1e-12, atol=1e-15)
    assert np.array_equal(Z, before)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name: str, assert_gradients_match) -> None:
    Z, h = away_from_kinks((6, 5), seed=1), 1e-6
    # f acts element by element, so each entry's slope is its own central difference
    numeric = (apply(name, Z + h) - apply(name, Z - h)) / (2 * h)
    assert_gradients_match(derivative(name, Z), numeric, rtol=1e-8)


@pytest.mark.parametrize(("name", "expected"), [("relu", [0.0, 1.0]), ("leaky_relu", [LEAKY_RELU_SLOPE, 1.0])])
def test_relu_slopes_on_each_side_of_zero(name: str, expected: list[float]) -> None:
    np.testing.assert_array_equal(derivative(name, np.array([[-2.0, 3.0]])), [expected])


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softmax"])
def test_saturating_functions_stay_finite_and_in_range_for_huge_inputs(name: str) -> None:
    Z = np.array([[-1000.0, 0.0, 1000.0], [800.0, -800.0, 1.0]])
    low = -1.0 if name == "tanh" else 0.0
    A = apply(name, Z)
    assert np.all(np.isfinite(A)) and np.all((A >= low) & (A <= 1.0))


def test_softmax_rows_sum_to_one_and_ignore_a_shift_of_the_row() -> None:
    Z = away_from_kinks((4, 3))
    A = apply("softmax", Z)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(apply("softmax", Z + np.array([[100.0], [-50.0], [3.0], [0.0]])), A, rtol=1e-12)


def test_softmax_has_no_elementwise_derivative() -> None:
    with pytest.raises(TypeError, match="not element-wise"):
        derivative("softmax", np.zeros((2, 3)))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_float32_forward_agrees_with_float64(name: str) -> None:
    Z = away_from_kinks((8, 3))
    A32 = apply(name, Z.astype(np.float32))
    assert A32.dtype == np.float32
    np.testing.assert_allclose(A32, apply(name, Z), rtol=1e-6, atol=1e-6)
