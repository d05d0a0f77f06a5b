"""How well a network does on a set of points: cost, accuracy, confusion, RMSE, R².

Imports numpy, the standard library and the engine only: no web code.
Every figure that cannot be computed (a non-finite cost, R² of constant
targets) is ``None``, never NaN or infinity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.nn.losses import cost, positive_probability

Array = np.ndarray


@dataclass(frozen=True)
class PartMetrics:
    """Figures for one part of the data (train or test); fields not of the problem are None.

    confusion: (k, k) counts, row = true class, column = predicted class.
    """

    cost: float | None
    accuracy: float | None = None
    confusion: Array | None = None
    rmse: float | None = None
    r2: float | None = None


def finite_or_none(value: float) -> float | None:
    """The value, or None where it is NaN or infinite."""
    return value if math.isfinite(value) else None


def predicted_classes(A: Array, output_activation: str) -> Array:
    """Class of each row of the output A: (n, k) -> (n,) int64."""
    if output_activation == "softmax":
        return A.argmax(axis=1)
    return (positive_probability(A, output_activation) > 0.5).astype(np.int64)


def measure(
    Z: Array, A: Array, T: Array, labels: Array, loss: str, output_activation: str, n_classes: int
) -> PartMetrics:
    """Metrics of outputs Z, A: (n, k) against targets T: (n, k) and labels: (n,).

    n_classes 0 means regression: labels are the real targets.
    """
    if A.shape[0] == 0:
        return PartMetrics(cost=None)
    with np.errstate(all="ignore"):
        value = finite_or_none(cost(loss, Z, A, T, output_activation))
        if n_classes == 0:
            error = A[:, 0].astype(np.float64) - labels
            rmse = finite_or_none(float(np.sqrt(np.mean(error * error))))
            spread = float(np.sum((labels - labels.mean()) ** 2))
            r2 = finite_or_none(1.0 - float(np.sum(error * error)) / spread) if spread > 0 else None
            return PartMetrics(cost=value, rmse=rmse, r2=r2)
    predicted = predicted_classes(A, output_activation)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (labels.astype(np.int64), predicted), 1)
    accuracy = float(np.trace(confusion)) / A.shape[0]
    return PartMetrics(cost=value, accuracy=accuracy, confusion=confusion)
