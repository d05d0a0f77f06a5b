"""app.nn.initializers: seeded and repeatable, each scheme's distribution, biases zeroed."""

import numpy as np
import pytest

from app.nn.initializers import INITIALIZERS, initialize
from app.nn.mlp import MLP

SCHEMES = list(INITIALIZERS)
WIDE = (300, 200, 100)  # layers big enough (60 000 and 20 000 weights) for the statistics to settle


def initialized(scheme: str, seed: int, sizes: tuple[int, ...] = (2, 4, 2, 1)) -> MLP:
    mlp = MLP(sizes)
    initialize(mlp, scheme, np.random.default_rng(seed))
    return mlp


def test_registry_lists_the_schemes_with_labels() -> None:
    assert SCHEMES == ["xavier", "he", "uniform_unit", "uniform_centered"]
    assert all(i.name == name and i.label and i.description for name, i in INITIALIZERS.items())


@pytest.mark.parametrize("scheme", SCHEMES)
def test_same_seed_gives_identical_weights_and_another_seed_does_not(scheme: str) -> None:
    first, again, other = initialized(scheme, 7), initialized(scheme, 7), initialized(scheme, 8)
    assert np.array_equal(first.params, again.params)
    assert not np.array_equal(first.params, other.params)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_bias_is_set_to_zero_and_every_weight_drawn(scheme: str) -> None:
    mlp = MLP((2, 4, 2, 1))
    mlp.params[...] = 5.0
    initialize(mlp, scheme, np.random.default_rng(0))
    assert all(np.all(b == 0.0) for b in mlp.biases)
    assert all(np.all(W != 5.0) for W in mlp.weights)


def test_xavier_is_uniform_within_the_glorot_limit_of_each_layer() -> None:
    mlp = initialized("xavier", 0, WIDE)
    for W, (fan_in, fan_out) in zip(mlp.weights, [(300, 200), (200, 100)], strict=True):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.abs(W).max() <= limit
        assert np.abs(W).max() > 0.99 * limit  # fills the range, not a narrower one
        assert W.std() == pytest.approx(limit / np.sqrt(3.0), rel=0.02)  # a uniform's std
        assert abs(W.mean()) < 0.02 * limit


def test_he_is_normal_with_std_sqrt_two_over_fan_in() -> None:
    mlp = initialized("he", 0, WIDE)
    for W, fan_in in zip(mlp.weights, [300, 200], strict=True):
        assert W.std() == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.02)
        assert abs(W.mean()) < 0.02 * np.sqrt(2.0 / fan_in)


@pytest.mark.parametrize(("scheme", "low", "high"), [("uniform_unit", 0.0, 1.0), ("uniform_centered", -0.5, 0.5)])
def test_naive_uniform_schemes_fill_their_fixed_range_whatever_the_width(scheme: str, low: float, high: float
                                                                         ) -> None:
    mlp = initialized(scheme, 0, WIDE)
    for W in mlp.weights:
        assert W.min() >= low and W.max() < high
        assert W.min() < low + 0.01 and W.max() > high - 0.01
        assert W.mean() == pytest.approx((low + high) / 2, abs=0.01)


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown initialisation 'zeros'"):
        initialize(MLP((2, 1)), "zeros", np.random.default_rng(0))
