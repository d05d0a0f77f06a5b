"""Edits by hand: the checks on a weight or bias typed into the page, and fresh seeds.

Imports the standard library, ``app.nn``, ``show_value`` from ``app.data`` and the settings and status
of ``app.training``.
"""

from __future__ import annotations

import math
import random

from app.data.datasets import show_value
from app.i18n import refused
from app.nn.mlp import MLP
from app.training.config import MAX_SEED
from app.training.status import SessionError

MAX_EDIT_VALUE = 100.0  # a weight or bias typed in by hand must lie within ±this


def check_edit(mlp: MLP, layer: int, target: int, value: float, source: int | None) -> None:
    """Raise SessionError unless ``value`` may be set as weight source → target of weight layer ``layer``.

    ``source`` None means the target's bias. Indices must be whole numbers in range and the
    value a finite number within ±MAX_EDIT_VALUE.
    """
    n_layers = mlp.n_layers
    if not (_is_index(layer) and 0 <= layer < n_layers):
        raise refused(SessionError, "layer", "error.edit.layer", last=n_layers - 1, got=show_value(layer))
    fan_in, fan_out = mlp.weights[layer].shape
    if not (_is_index(target) and 0 <= target < fan_out):
        raise refused(SessionError, "target", "error.edit.neuron", last=fan_out - 1, got=show_value(target))
    if source is not None and not (_is_index(source) and 0 <= source < fan_in):
        raise refused(SessionError, "source", "error.edit.neuron", last=fan_in - 1, got=show_value(source))
    if isinstance(value, bool) or not (isinstance(value, int | float) and math.isfinite(value)
                                       and abs(value) <= MAX_EDIT_VALUE):
        raise refused(SessionError, "value", "error.edit.value", min=-MAX_EDIT_VALUE, max=MAX_EDIT_VALUE)


def new_seed(old: int) -> int:
    """A random seed different from ``old``."""
    seed = old
    while seed == old:
        seed = random.randrange(MAX_SEED + 1)
    return seed


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
