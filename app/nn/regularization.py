"""L1 and L2 weight penalties: their value and their gradient.

Imports numpy and the standard library only: no web code, no pydantic.

The penalty covers weights only, never biases, through a mask over the flat
parameter vector (1 at a weight, 0 at a bias). The cost a learner sees is the
data cost; the penalty is reported beside it, ``rate * R(W)``.

    L1: R(W) = Σ |w|       dR/dw = sign(w)
    L2: R(W) = Σ ½ w²      dR/dw = w
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Regularizer:
    """penalty(params, mask) -> R(W); gradient(params, out) writes dR/dparams (mask applied by caller)."""

    name: str
    label: str
    penalty: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], None]


def _no_penalty(params: Array, mask: Array) -> float:
    return 0.0


def _no_gradient(params: Array, out: Array) -> None:
    out.fill(0.0)


def _l1_penalty(params: Array, mask: Array) -> float:
    return float(np.abs(params) @ mask)


def _l2_penalty(params: Array, mask: Array) -> float:
    return float(0.5 * (params * params) @ mask)


REGULARIZERS: dict[str, Regularizer] = {
    r.name: r
    for r in (
        Regularizer("none", "None", _no_penalty, _no_gradient),
        Regularizer("l1", "L1", _l1_penalty, lambda params, out: np.sign(params, out=out)),
        Regularizer("l2", "L2", _l2_penalty, lambda params, out: np.copyto(out, params)),
    )
}


def add_gradient(name: str, rate: float, params: Array, mask: Array, grads: Array, scratch: Array) -> None:
    """grads += rate * mask * dR/dparams, in place; scratch: (n_params,) work space."""
    if name == "none" or rate == 0.0:
        return
    REGULARIZERS[name].gradient(params, scratch)
    scratch *= mask
    scratch *= rate
    grads += scratch
