"""What one optimiser step on one sample alone would do to one neuron's weights and bias.

Imports numpy, the standard library and the engine only: no web code.

The optimiser really steps on the mean gradient of a mini-batch, so a single
point's gradient is only its contribution. To show an update with real
numbers, this module works out the step that ``Trainer.step`` would take on a
batch of this one point, from the optimiser's *current* state (its velocity,
or Adam's running means and step count): the same formulas, in the same
order, as ``app/nn/optim.py`` and ``app/nn/regularization.py``, so the new
weights equal what the engine would compute. Nothing in the session changes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from app.nn.mlp import block_views
from app.nn.optim import ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM

if TYPE_CHECKING:
    from app.nn.trainer import Trainer

Array = np.ndarray


def _penalty_gradients(regularization: str, rate: float, values: Array, is_weight: Array) -> Array:
    """rate · dR/dparam for each parameter (0 for biases): L1 rate·sign(w), L2 rate·w."""
    if regularization == "none" or rate == 0.0:
        return np.zeros_like(values)
    slope = np.sign(values) if regularization == "l1" else values.copy()
    result: Array = slope * is_weight * rate
    return result


def _state_slice(trainer: Trainer, name: str, layer: int, index: int) -> Array:
    """The optimiser state ``name`` for the incoming weights and the bias of one neuron: (d_in + 1,)."""
    blocks = block_views(getattr(trainer.optimizer, name), trainer.mlp.sizes)
    return blocks[layer - 1][:, index].copy()


def neuron_update(trainer: Trainer, layer: int, index: int, gradients: Array) -> dict[str, Any]:
    """One step on one point for neuron ``index`` of ``layer`` (>= 1).

    gradients: (d_in + 1,) dC/dw for each incoming weight, then dC/db, of this point's cost.
    Returns the optimiser's settings and, for every parameter (weights, then the bias),
    its value, gradient, penalty term, total gradient, state before and after, step and new value.
    """
    block = trainer.mlp.blocks[layer - 1]
    values = block[:, index].copy()  # (d_in + 1,) the weights then the bias
    is_weight = np.ones_like(values)
    is_weight[-1] = 0.0
    penalty = _penalty_gradients(trainer.regularization, trainer.regularization_rate, values, is_weight)
    total = gradients + penalty
    rate = trainer.learning_rate
    optimizer = trainer.optimizer
    columns: dict[str, Array] = {"value": values, "grad": gradients, "penalty": penalty, "total": total}
    t = optimizer.t + 1
    if optimizer.name == "momentum":
        velocity = _state_slice(trainer, "velocity", layer, index)
        new_velocity = velocity * MOMENTUM + total
        step = new_velocity * rate
        columns |= {"velocity": velocity, "new_velocity": new_velocity}
    elif optimizer.name == "adam":
        mean = _state_slice(trainer, "mean", layer, index)
        square_mean = _state_slice(trainer, "square_mean", layer, index)
        new_mean = mean * ADAM_BETA1 + total * (1.0 - ADAM_BETA1)
        new_square_mean = square_mean * ADAM_BETA2 + (total * total) * (1.0 - ADAM_BETA2)
        correction1, correction2 = 1.0 - ADAM_BETA1**t, 1.0 - ADAM_BETA2**t
        denominator = np.sqrt(new_square_mean * (1.0 / correction2)) + ADAM_EPSILON
        step = (new_mean / denominator) * (rate / correction1)
        columns |= {"mean": mean, "square_mean": square_mean, "new_mean": new_mean,
                    "new_square_mean": new_square_mean, "mean_hat": new_mean / correction1,
                    "square_mean_hat": new_square_mean / correction2}
    else:
        step = total * rate
    columns |= {"step": -step, "new_value": values - step}
    n_weights = len(values) - 1
    names = [f"w{i + 1}" for i in range(n_weights)] + ["b"]
    rows = [{"name": name, **{key: _number(column[k]) for key, column in columns.items()}}
            for k, name in enumerate(names)]
    return {
        "optimizer": optimizer.name,
        "learning_rate": rate,
        "regularization": trainer.regularization,
        "regularization_rate": trainer.regularization_rate,
        "t": t,
        "momentum": MOMENTUM if optimizer.name == "momentum" else None,
        "beta1": ADAM_BETA1 if optimizer.name == "adam" else None,
        "beta2": ADAM_BETA2 if optimizer.name == "adam" else None,
        "epsilon": ADAM_EPSILON if optimizer.name == "adam" else None,
        "params": rows,
    }


def _number(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None
