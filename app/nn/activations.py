"""Activation functions and their derivatives, computed in place.

Imports numpy and the standard library only: no web code, no pydantic.

Every function writes into a caller-supplied ``out`` array so the training
loop allocates nothing per step. ``forward(Z, out)`` computes ``A = f(Z)``;
``derivative(Z, A, out)`` computes ``f'(Z)`` element by element, given both the
pre-activation ``Z`` and the activation ``A`` (whichever is cheaper to use).
Softmax is not element-wise; it lives here for its forward pass only and the
losses module owns its backward pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

LEAKY_RELU_SLOPE = 0.01  # slope of leaky relu for z < 0 (the common choice)


@dataclass(frozen=True)
class Activation:
    """An activation function ``f`` and its element-wise derivative ``f'``."""

    name: str
    label: str
    forward: Callable[[Array, Array], None]
    derivative: Callable[[Array, Array, Array], None]


def _linear(Z: Array, out: Array) -> None:
    np.copyto(out, Z)


def _linear_derivative(Z: Array, A: Array, out: Array) -> None:
    out.fill(1.0)


def _relu(Z: Array, out: Array) -> None:
    np.maximum(Z, 0.0, out=out)


def _relu_derivative(Z: Array, A: Array, out: Array) -> None:
    np.greater(Z, 0.0, out=out, casting="unsafe")


def _leaky_relu(Z: Array, out: Array) -> None:
    # max(z, slope*z) equals z for z > 0 and slope*z otherwise because slope < 1
    np.multiply(Z, LEAKY_RELU_SLOPE, out=out)
    np.maximum(Z, out, out=out)


def _leaky_relu_derivative(Z: Array, A: Array, out: Array) -> None:
    np.greater(Z, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_RELU_SLOPE
    out += LEAKY_RELU_SLOPE


def _tanh(Z: Array, out: Array) -> None:
    np.tanh(Z, out=out)


def _tanh_derivative(Z: Array, A: Array, out: Array) -> None:
    np.multiply(A, A, out=out)
    np.subtract(1.0, out, out=out)


def _sigmoid(Z: Array, out: Array) -> None:
    # sigmoid(z) = (1 + tanh(z/2)) / 2 never overflows, unlike 1 / (1 + exp(-z))
    np.multiply(Z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5


def _sigmoid_derivative(Z: Array, A: Array, out: Array) -> None:
    np.subtract(1.0, A, out=out)
    out *= A


def _softmax(Z: Array, out: Array) -> None:
    # subtracting the row maximum keeps exp() finite without changing the result
    np.subtract(Z, Z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)


def _softmax_derivative(Z: Array, A: Array, out: Array) -> None:
    raise TypeError("softmax is not element-wise; losses.py applies its Jacobian")


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("linear", "Linear", _linear, _linear_derivative),
        Activation("relu", "ReLU", _relu, _relu_derivative),
        Activation("leaky_relu", "Leaky ReLU", _leaky_relu, _leaky_relu_derivative),
        Activation("tanh", "Tanh", _tanh, _tanh_derivative),
        Activation("sigmoid", "Sigmoid", _sigmoid, _sigmoid_derivative),
        Activation("softmax", "Softmax", _softmax, _softmax_derivative),
    )
}

HIDDEN_ACTIVATIONS = ("linear", "relu", "leaky_relu", "tanh", "sigmoid")
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "softmax", "linear")


def apply(name: str, Z: Array) -> Array:
    """Return ``f(Z)`` as a new array; a convenience for code off the hot path."""
    out = np.empty_like(Z)
    ACTIVATIONS[name].forward(Z, out)
    return out


def derivative(name: str, Z: Array) -> Array:
    """Return ``f'(Z)`` as a new array (not defined for softmax)."""
    A = apply(name, Z)
    out = np.empty_like(Z)
    ACTIVATIONS[name].derivative(Z, A, out)
    return out
