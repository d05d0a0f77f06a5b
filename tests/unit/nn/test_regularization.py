"""app.nn.regularization: penalties by their formulas, add_gradient against finite differences, biases exempt."""

import numpy as np
import pytest

from app.nn.mlp import MLP
from app.nn.regularization import REGULARIZERS, add_gradient

RATE = 0.3  # any non-zero rate


def network_with_weights_away_from_zero(seed: int = 0) -> MLP:
    """|w| >= 0.05 everywhere, so L1's kink at 0 is never within a finite-difference step."""
    rng = np.random.default_rng(seed)
    mlp = MLP((3, 4, 2, 1))
    mlp.params[...] = rng.uniform(0.05, 2.0, mlp.params.size) * rng.choice([-1.0, 1.0], mlp.params.size)
    return mlp


def regularization_gradient(name: str, rate: float, mlp: MLP) -> np.ndarray:
    """What add_gradient adds to a zero gradient vector."""
    grads = np.zeros_like(mlp.params)
    add_gradient(name, rate, mlp.params, mlp.weight_mask, grads, np.empty_like(mlp.params))
    return grads


def test_registry() -> None:
    assert list(REGULARIZERS) == ["none", "l1", "l2"]


@pytest.mark.parametrize(("name", "expected"), [("none", 0.0), ("l1", 9.0), ("l2", 9.5)])
def test_penalty_sums_over_weights_and_ignores_biases(name: str, expected: float) -> None:
    mlp = MLP((2, 2, 1))
    # weights 1, -2, 0, 3, -1, 2: L1 = 9, L2 = (1 + 4 + 0 + 9 + 1 + 4) / 2 = 9.5; the large biases do not count
    mlp.set_parameters([np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[-1.0], [2.0]])],
                       [np.array([50.0, -70.0]), np.array([9.0])])
    assert REGULARIZERS[name].penalty(mlp.params, mlp.weight_mask) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_add_gradient_is_the_gradient_of_rate_times_penalty(name: str, numerical_gradient,
                                                            assert_gradients_match) -> None:
    mlp = network_with_weights_away_from_zero()
    numeric = numerical_gradient(lambda p: RATE * REGULARIZERS[name].penalty(p, mlp.weight_mask), mlp.params)
    assert_gradients_match(regularization_gradient(name, RATE, mlp), numeric, rtol=1e-8)


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_biases_get_no_penalty_gradient(name: str) -> None:
    mlp = network_with_weights_away_from_zero(seed=1)
    laid_out = MLP(mlp.sizes)  # reads the gradient vector through the parameter layout
    laid_out.params[...] = regularization_gradient(name, RATE, mlp)
    assert all(np.all(b == 0.0) for b in laid_out.biases)
    assert all(np.all(W != 0.0) for W in laid_out.weights)


def test_add_gradient_adds_to_the_existing_gradient() -> None:
    mlp = network_with_weights_away_from_zero(seed=2)
    grads = np.full_like(mlp.params, 0.25)
    add_gradient("l2", RATE, mlp.params, mlp.weight_mask, grads, np.empty_like(mlp.params))
    np.testing.assert_allclose(grads, 0.25 + RATE * mlp.params * mlp.weight_mask, rtol=1e-15)


@pytest.mark.parametrize(("name", "rate"), [("none", RATE), ("l1", 0.0), ("l2", 0.0)])
def test_no_regularizer_or_a_zero_rate_adds_nothing(name: str, rate: float) -> None:
    assert not regularization_gradient(name, rate, network_with_weights_away_from_zero()).any()
