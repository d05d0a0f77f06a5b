"""app.nn.optim: each update rule against a hand-written textbook reference, state round trip."""

import json

import numpy as np
import pytest

from app.nn.optim import ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM, OPTIMIZERS

N_PARAMS = 7
STEPS = 5
LEARNING_RATE = 0.05


def gradient_sequence(seed: int = 0) -> list[np.ndarray]:
    """Different gradients each step, of mixed signs and sizes."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, 1.0, N_PARAMS) * 10.0 ** rng.integers(-3, 2, N_PARAMS) for _ in range(STEPS)]


def reference_sgd(params: np.ndarray, grads: list[np.ndarray], lr: float) -> np.ndarray:
    for g in grads:
        params = params - lr * g
    return params


def reference_momentum(params: np.ndarray, grads: list[np.ndarray], lr: float) -> np.ndarray:
    v = np.zeros_like(params)
    for g in grads:
        v = MOMENTUM * v + g
        params = params - lr * v
    return params


def reference_adam(params: np.ndarray, grads: list[np.ndarray], lr: float) -> np.ndarray:
    """Algorithm 1 of Kingma & Ba (2015)."""
    m, v = np.zeros_like(params), np.zeros_like(params)
    for t, g in enumerate(grads, start=1):
        m = ADAM_BETA1 * m + (1 - ADAM_BETA1) * g
        v = ADAM_BETA2 * v + (1 - ADAM_BETA2) * g**2
        m_hat, v_hat = m / (1 - ADAM_BETA1**t), v / (1 - ADAM_BETA2**t)
        params = params - lr * m_hat / (np.sqrt(v_hat) + ADAM_EPSILON)
    return params


REFERENCES = {"sgd": reference_sgd, "momentum": reference_momentum, "adam": reference_adam}


def test_registry_and_textbook_constants() -> None:
    assert list(OPTIMIZERS) == ["sgd", "momentum", "adam"]
    assert (MOMENTUM, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON) == (0.9, 0.9, 0.999, 1e-8)


def test_sgd_step_is_exactly_params_minus_rate_times_gradient() -> None:
    start, grads = np.linspace(-1.0, 1.0, N_PARAMS), gradient_sequence()[0]
    params = start.copy()
    OPTIMIZERS["sgd"](N_PARAMS).step(params, grads, LEARNING_RATE)
    assert np.array_equal(params, start - LEARNING_RATE * grads)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_several_steps_match_the_reference(name: str) -> None:
    start, grads = np.linspace(-1.0, 1.0, N_PARAMS), gradient_sequence()
    params = start.copy()
    optimizer = OPTIMIZERS[name](N_PARAMS)
    for g in grads:
        optimizer.step(params, g, LEARNING_RATE)
    np.testing.assert_allclose(params, REFERENCES[name](start, grads, LEARNING_RATE), rtol=1e-13, atol=1e-15)
    assert optimizer.t == STEPS


def test_adam_first_step_moves_every_parameter_by_about_the_learning_rate() -> None:
    params = np.zeros(N_PARAMS)
    grads = gradient_sequence()[0]
    OPTIMIZERS["adam"](N_PARAMS).step(params, grads, LEARNING_RATE)
    # bias correction makes step 1 exactly -lr * g / (|g| + eps): the sign of g, whatever its size
    np.testing.assert_allclose(params, -LEARNING_RATE * np.sign(grads), rtol=1e-4)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_survives_json_and_the_run_continues_identically(name: str) -> None:
    grads = gradient_sequence(1)
    params = np.linspace(-1.0, 1.0, N_PARAMS)
    original = OPTIMIZERS[name](N_PARAMS)
    for g in grads[:3]:
        original.step(params, g, LEARNING_RATE)
    resumed = OPTIMIZERS[name](N_PARAMS)
    resumed.load_state(json.loads(json.dumps(original.state())))
    assert resumed.t == original.t == 3
    params_resumed = params.copy()
    for g in grads[3:]:
        original.step(params, g, LEARNING_RATE)
        resumed.step(params_resumed, g, LEARNING_RATE)
    assert np.array_equal(params, params_resumed)


@pytest.mark.parametrize(("name", "keys"), [("sgd", {"t"}), ("momentum", {"t", "velocity"}),
                                            ("adam", {"t", "mean", "square_mean"})])
def test_state_names_its_arrays(name: str, keys: set[str]) -> None:
    state = OPTIMIZERS[name](N_PARAMS).state()
    assert set(state) == keys
    assert all(state[k] == [0.0] * N_PARAMS for k in keys - {"t"})


def test_learning_rate_can_change_between_steps() -> None:
    start, grads = np.zeros(N_PARAMS), gradient_sequence()
    params = start.copy()
    optimizer = OPTIMIZERS["momentum"](N_PARAMS)
    optimizer.step(params, grads[0], 0.1)
    optimizer.step(params, grads[1], 0.01)
    velocity = MOMENTUM * grads[0] + grads[1]
    np.testing.assert_allclose(params, -0.1 * grads[0] - 0.01 * velocity, rtol=1e-14)
