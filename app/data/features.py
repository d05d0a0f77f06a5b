"""Input features computed from the two raw coordinates, as in TensorFlow Playground's input column.

Imports numpy and the standard library only: no web code, no pydantic. It does not import
``app.data.datasets`` either, so either module can be used without the other.

Features use the raw coordinates in [-6, 6] with no rescaling, so X₁² reaches 36 while sin(X₁)
stays within [-1, 1]; this is what the playground does and what its learning rates are tuned for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.i18n import refused

POINT_DIMENSIONS = 2  # points are (x1, x2)


@dataclass(frozen=True)
class Feature:
    """One input feature: compute(x1 (n,), x2 (n,)) -> (n,) float64."""

    name: str  # wire/config key
    label: str  # display label, e.g. "X₁²"
    compute: Callable[[np.ndarray, np.ndarray], np.ndarray]


class FeatureError(InputError):
    """An invalid feature selection; ``field`` names the offending input ("features")."""


FEATURES: dict[str, Feature] = {
    feature.name: feature
    for feature in [
        Feature("x1", "X₁", lambda x1, x2: x1.copy()),
        Feature("x2", "X₂", lambda x1, x2: x2.copy()),
        Feature("x1_sq", "X₁²", lambda x1, x2: x1 * x1),
        Feature("x2_sq", "X₂²", lambda x1, x2: x2 * x2),
        Feature("x1_x2", "X₁X₂", lambda x1, x2: x1 * x2),
        Feature("sin_x1", "sin(X₁)", lambda x1, x2: np.sin(x1)),
        Feature("sin_x2", "sin(X₂)", lambda x1, x2: np.sin(x2)),
        Feature("cos_x1", "cos(X₁)", lambda x1, x2: np.cos(x1)),
        Feature("cos_x2", "cos(X₂)", lambda x1, x2: np.cos(x2)),
    ]
}


def _validate(names: Sequence[str]) -> None:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise refused(FeatureError, "features", "error.features.list", got=repr(names))
    if not names:
        raise refused(FeatureError, "features", "error.features.none", allowed=", ".join(FEATURES))
    for name in names:
        if not isinstance(name, str) or name not in FEATURES:
            raise refused(FeatureError, "features", "error.features.unknown", name=repr(name),
                          allowed=", ".join(FEATURES))
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        raise refused(FeatureError, "features", "error.features.repeated", names=", ".join(repeated))


def check_features(names: Sequence[str]) -> tuple[str, ...]:
    """The chosen feature names in FEATURES order; raises FeatureError if empty, unknown or repeated."""
    _validate(names)
    return tuple(name for name in FEATURES if name in names)


def feature_matrix(points: np.ndarray, names: Sequence[str], out: np.ndarray | None = None) -> np.ndarray:
    """points (n, 2) -> (n, len(names)) float64 whose column j is feature names[j].

    If ``out`` (n, >= len(names)) float64 is given, the features are written into out[:, :len(names)]
    and that view is returned; later columns (for instance a column of ones for the bias) are left as
    they are.
    """
    _validate(names)
    if points.ndim != 2 or points.shape[1] != POINT_DIMENSIONS:
        raise ValueError(f"points must have shape (n, {POINT_DIMENSIONS}), got {points.shape}")
    n, width = len(points), len(names)
    if out is None:
        out = np.empty((n, width), dtype=np.float64)
    elif out.ndim != 2 or out.shape[0] != n or out.shape[1] < width or out.dtype != np.float64:
        raise ValueError(f"out must be float64 with shape ({n}, >= {width}), got {out.dtype} {out.shape}")
    x1, x2 = points[:, 0], points[:, 1]
    for column, name in enumerate(names):
        out[:, column] = FEATURES[name].compute(x1, x2)
    return out[:, :width]
