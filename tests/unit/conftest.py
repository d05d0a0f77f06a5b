"""Fixtures for the engine's unit tests: the finite-difference oracle and small sessions."""

from collections.abc import Callable

import numpy as np
import pytest

from app.training.config import config_from_dict
from app.training.session import TrainingSession

FD_STEP = 1e-6  # central-difference step: truncation ~1e-12, rounding ~1e-10 for O(1) costs

Gradient = Callable[[Callable[[np.ndarray], float], np.ndarray], np.ndarray]


def _central_differences(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """d f / d x by central differences, one coordinate at a time; x: any shape float64, restored after."""
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + FD_STEP
        above = f(x)
        flat_x[i] = saved - FD_STEP
        below = f(x)
        flat_x[i] = saved
        flat_grad[i] = (above - below) / (2 * FD_STEP)
    return grad


def _assert_gradients_match(analytic: np.ndarray, numeric: np.ndarray, rtol: float = 1e-6) -> None:
    """Relative error by norm within rtol, every entry within rtol (plus rounding noise), and not all zero."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    assert analytic.shape == numeric.shape
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    assert scale > 1e-6, "the gradient is ~0, so the check would prove nothing"
    assert np.linalg.norm(analytic - numeric) <= rtol * scale
    np.testing.assert_allclose(analytic, numeric, rtol=10 * rtol, atol=1e-9)


@pytest.fixture
def numerical_gradient() -> Gradient:
    """numerical_gradient(f, x) -> df/dx by central differences (x is perturbed in place and restored)."""
    return _central_differences


@pytest.fixture
def assert_gradients_match() -> Callable[..., None]:
    """assert_gradients_match(analytic, numeric, rtol=1e-6)."""
    return _assert_gradients_match


@pytest.fixture
def make_session() -> Callable[..., TrainingSession]:
    """make_session(**changes): a session on the default config with these settings changed."""
    return lambda **changes: TrainingSession(config_from_dict(changes))
