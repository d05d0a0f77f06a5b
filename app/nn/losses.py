"""Cost functions: their values and their gradients at the output layer.

Imports numpy and the standard library only: no web code, no pydantic.

A cost ``C`` is the mean over the ``n`` samples of a per-sample loss.
``delta`` returns ``dC/dZ`` at the output layer, the error term that
backpropagation starts from, already divided by ``n``. Cross-entropy is
computed from the pre-activation ``Z`` (log-sum-exp form), so it stays finite
for saturated outputs, and its gradient is the fused ``(A - T) / n``.

Targets ``T`` have the shape of the output ``(n, k)`` and live in the output
activation's range: {0, 1} for sigmoid, {-1, +1} for tanh, one-hot rows for
softmax, real values for linear (see ``encode_targets``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn.activations import Activation

Array = np.ndarray


@dataclass(frozen=True)
class Loss:
    """A cost function usable with the output activations it names.

    per_sample(Z, A, T, activation) -> (n,) loss of each sample
    delta(Z, A, T, activation, out, scratch)  writes dC/dZ: (n, k), for the mean
        cost, into out; scratch: (n, k) is work space
    """

    name: str
    label: str
    formula: str
    output_activations: tuple[str, ...]
    per_sample: Callable[[Array, Array, Array, str], Array]
    delta: Callable[[Array, Array, Array, Activation, Array, Array], None]


def _softplus(x: Array) -> Array:
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _fused_delta(Z: Array, A: Array, T: Array, activation: Activation, out: Array, scratch: Array) -> None:
    # For sigmoid+BCE, tanh+BCE (targets ±1), softmax+CCE and linear+MSE the
    # chain rule collapses to the same expression: dC/dZ = (A - T) / n.
    np.subtract(A, T, out=out)
    out *= 1.0 / A.shape[0]


def _mse_per_sample(Z: Array, A: Array, T: Array, activation: str) -> Array:
    diff = A - T
    result: Array = 0.5 * np.einsum("ij,ij->i", diff, diff)
    return result


def unscaled_delta(loss: str, Z: Array, A: Array, T: Array, activation: Activation, out: Array,
                   scratch: Array) -> None:
    """n × dC/dZ at the output into ``out`` (n, k): the mean's 1/n is left to the caller (app.nn.stack takes
    it over each member's rows). For the fused pairs the chain rule collapses to A − T."""
    np.subtract(A, T, out=out)  # dC/dA times n
    if loss != "mse" or activation.name == "linear":
        return
    if activation.name == "softmax":
        # Jacobian-vector product of softmax: a * (g - sum_j g_j a_j)
        dot = np.einsum("ij,ij->i", out, A)[:, None]
        out -= dot
        out *= A
    else:
        activation.derivative(Z, A, scratch)
        out *= scratch


def _mse_delta(Z: Array, A: Array, T: Array, activation: Activation, out: Array, scratch: Array) -> None:
    unscaled_delta("mse", Z, A, T, activation, out, scratch)
    out *= 1.0 / A.shape[0]


def _logit(Z: Array, activation: str) -> Array:
    """The z' with p = sigmoid(z'): z for sigmoid, 2z for tanh since (1 + tanh z)/2 = sigmoid(2z)."""
    return 2.0 * Z if activation == "tanh" else Z


def _probability_target(T: Array, activation: str) -> Array:
    return (T + 1.0) * 0.5 if activation == "tanh" else T


def _bce_per_sample(Z: Array, A: Array, T: Array, activation: str) -> Array:
    logit = _logit(Z, activation)
    y = _probability_target(T, activation)
    result: Array = (_softplus(logit) - y * logit).sum(axis=1)
    return result


def _cce_per_sample(Z: Array, A: Array, T: Array, activation: str) -> Array:
    peak = Z.max(axis=1, keepdims=True)
    log_sum_exp = peak[:, 0] + np.log(np.exp(Z - peak).sum(axis=1))
    result: Array = log_sum_exp - np.einsum("ij,ij->i", T, Z)
    return result


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "mse",
            "Mean squared error",
            "C = 1/n Σ ½‖a − t‖²",
            ("sigmoid", "tanh", "softmax", "linear"),
            _mse_per_sample,
            _mse_delta,
        ),
        Loss(
            "bce",
            "Binary cross-entropy",
            "C = −1/n Σ [y log p + (1 − y) log(1 − p)]",
            ("sigmoid", "tanh"),
            _bce_per_sample,
            _fused_delta,
        ),
        Loss(
            "cce",
            "Categorical cross-entropy",
            "C = −1/n Σ Σₖ tₖ log pₖ",
            ("softmax",),
            _cce_per_sample,
            _fused_delta,
        ),
    )
}


def check_compatible(loss: str, output_activation: str) -> None:
    """Raise ValueError unless ``loss`` can be used after ``output_activation``."""
    if loss not in LOSSES:
        raise ValueError(f"unknown cost {loss!r}; choose one of {', '.join(LOSSES)}")
    allowed = LOSSES[loss].output_activations
    if output_activation not in allowed:
        raise ValueError(
            f"cost {loss!r} needs an output activation in {', '.join(allowed)}, "
            f"not {output_activation!r}"
        )


def cost(loss: str, Z: Array, A: Array, T: Array, activation: str) -> float:
    """Mean cost of a batch: Z, A, T: (n, k) -> float."""
    return float(LOSSES[loss].per_sample(Z, A, T, activation).mean())


def encode_targets(labels: Array, output_activation: str, n_outputs: int) -> Array:
    """Turn labels into targets T: (n, n_outputs) in the output activation's range.

    labels: (n,) class indices for sigmoid, tanh and softmax; real targets for linear.
    """
    labels = np.asarray(labels)
    if output_activation == "linear":
        return labels.astype(np.float64).reshape(-1, n_outputs)
    if output_activation == "softmax":
        return np.eye(n_outputs)[labels.astype(np.int64)]
    positive = labels.astype(np.float64).reshape(-1, 1)
    return 2.0 * positive - 1.0 if output_activation == "tanh" else positive


def positive_probability(A: Array, output_activation: str) -> Array:
    """Probability of class 1 from a single sigmoid or tanh output: (n, 1) -> (n,)."""
    column = A[:, 0]
    return (column + 1.0) * 0.5 if output_activation == "tanh" else column
