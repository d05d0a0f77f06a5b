"""Weight initialisation schemes, seeded.

Imports numpy and the standard library only: no web code, no pydantic.

Every scheme fills each weight matrix W[l]: (fan_in, fan_out) from a
``numpy.random.Generator`` layer by layer and sets every bias to zero, so the
same seed gives the same network bit for bit. The two naive uniform schemes
exist so a lesson can show why scaling by the layer width matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn.mlp import MLP

Array = np.ndarray
Sampler = Callable[[np.random.Generator, int, int], Array]


@dataclass(frozen=True)
class Initializer:
    """A named way to draw one layer's weights: sample(rng, fan_in, fan_out) -> (fan_in, fan_out)."""

    name: str
    label: str
    description: str
    sample: Sampler


def _xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def _he(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _uniform_unit(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    return rng.uniform(0.0, 1.0, size=(fan_in, fan_out))


def _uniform_centered(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    return rng.uniform(-0.5, 0.5, size=(fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in (
        Initializer(
            "xavier", "Xavier / Glorot",
            "uniform in ±√(6 / (fan_in + fan_out)): keeps signals the same size through tanh layers",
            _xavier,
        ),
        Initializer(
            "he", "He",
            "normal with standard deviation √(2 / fan_in): made for ReLU layers",
            _he,
        ),
        Initializer(
            "uniform_unit", "Uniform [0, 1)",
            "every weight positive and large: neurons start alike and saturate",
            _uniform_unit,
        ),
        Initializer(
            "uniform_centered", "Uniform [−0.5, 0.5)",
            "the same range whatever the layer width: deep or wide layers start badly scaled",
            _uniform_centered,
        ),
    )
}


def initialize(mlp: MLP, scheme: str, rng: np.random.Generator) -> None:
    """Draw every weight of ``mlp`` with ``scheme`` and zero every bias, in place."""
    if scheme not in INITIALIZERS:
        raise ValueError(f"unknown initialisation {scheme!r}; choose one of {', '.join(INITIALIZERS)}")
    sample = INITIALIZERS[scheme].sample
    for W, b in zip(mlp.weights, mlp.biases, strict=True):
        W[...] = sample(rng, *W.shape)
        b[...] = 0.0
