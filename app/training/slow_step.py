"""One mini-batch step, recorded for a slow-motion replay: forward, backward, update, layer by layer.

Imports numpy, the standard library and the engine only. ``slow_step(session)`` takes exactly
the step the session would take next (the next rows of this epoch's order; a new epoch's order
when one is due) and returns, for that batch, what the page animates:

- ``layers[l]`` for every layer l (0 = the inputs): ``activation``, each neuron's mean output over
  the batch (forward), and ``delta``, each neuron's dC/dz averaged over the batch's points
  (backward; dC/dx for the inputs); for a neuron past the inputs that is its bias's dC/db;
- ``weight_layers[l]`` for every weight layer: ``weights_before`` (d_l, d_{l+1}) and
  ``biases_before``, ``weight_grads`` and ``bias_grads`` (the gradient the step used, the L1/L2
  term included), and ``weights_after``, ``biases_after``;
- ``moved_most``: the MOVED_LINKS weights that changed most (largest |after − before|), each with
  its ``layer``, ``source``, ``target``, ``before``, ``after`` and the ``decimals`` at which the
  two show their change (``app.training.digits``), for the page to label during the update.

The page replays these numbers; it computes none of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.nn.mlp import block_views
from app.training.digits import CHANGE_SIGNIFICANT, decimals_for
from app.training.session import TrainingSession

MOVED_LINKS = 3  # links labelled "before → after" during a slow step's update


def next_batch(session: TrainingSession) -> np.ndarray:
    """The training-point indices (n_rows,) of the step ``session.train(1)`` would take next."""
    order = session.order
    if order is None:  # a new epoch starts: the order the shuffling generator will draw
        preview = np.random.Generator(type(session.shuffle_rng.bit_generator)())
        preview.bit_generator.state = session.shuffle_rng.bit_generator.state
        order = preview.permutation(len(session.data.train_index))
    end = min(session.cursor + session.batch_rows, len(order))
    return np.asarray(order[session.cursor : end])


def slow_step(session: TrainingSession) -> dict[str, Any] | None:
    """Take one mini-batch step and return its record (see the module docstring); None if it diverged."""
    session.check_can_step()
    indices = next_batch(session)
    mlp, config = session.mlp, session.config
    inputs = session.data.train_inputs[indices, :-1]  # (n_rows, d_0): the ones column left out
    targets = session.data.train_targets[indices]
    with np.errstate(all="ignore"):
        trace = mlp.forward(inputs)
        cost, grads = mlp.cost_and_gradients(inputs, targets, config.cost)
    weights_before = [W.copy() for W in mlp.weights]
    biases_before = [b.copy() for b in mlp.biases]
    step, epoch = session.steps, session.epochs
    if session.step("batch", 1) == 0:
        return None
    used = block_views(session.trainer.grads, mlp.sizes)
    moved = moved_most(weights_before, mlp.weights)
    points = session.data.dataset.points[session.data.train_index[indices]]
    return {
        "type": "slow_step",
        "step": step,  # the counters before the step; the frame after it shows step + 1
        "epoch": epoch,
        "indices": indices.tolist(),
        "points": points.tolist(),
        "cost": cost,
        "learning_rate": config.learning_rate,
        "optimizer": config.optimizer,
        "regularization": config.regularization,
        "layers": [{"activation": A.mean(axis=0).tolist(), "delta": delta.sum(axis=0).tolist()}
                   for A, delta in zip(trace.A, grads.delta, strict=True)],
        "weight_layers": [{
            "weights_before": W.tolist(), "biases_before": b.tolist(),
            "weight_grads": g[:-1].tolist(), "bias_grads": g[-1].tolist(),
            "weights_after": W_after.tolist(), "biases_after": b_after.tolist(),
        } for W, b, g, W_after, b_after in zip(weights_before, biases_before, used, mlp.weights, mlp.biases,
                                               strict=True)],
        "moved_most": moved,
    }


def moved_most(before: list[np.ndarray], after: list[np.ndarray], count: int = MOVED_LINKS) -> list[dict[str, Any]]:
    """The ``count`` weights with the largest |after − before| over every layer, largest first, with
    the decimals at which their values show it: enough for the change's CHANGE_SIGNIFICANT digits.
    before[l], after[l]: (d_l, d_{l+1})."""
    links = [(float(abs(A[i, j] - B[i, j])), layer, i, j)
             for layer, (B, A) in enumerate(zip(before, after, strict=True))
             for i in range(B.shape[0]) for j in range(B.shape[1])]
    links.sort(key=lambda link: -link[0])
    result = []
    for change, layer, i, j in links[:count]:
        old, new = float(before[layer][i, j]), float(after[layer][i, j])
        decimals = max(decimals_for([old, new]), decimals_for([change], CHANGE_SIGNIFICANT))
        result.append({"layer": layer, "source": i, "target": j, "before": old, "after": new, "decimals": decimals})
    return result
