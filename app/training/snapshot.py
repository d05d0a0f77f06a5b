"""Snapshot: everything one frame of the live page shows, computed from a session.

Imports numpy, the standard library and the engine only: no web code.
A snapshot holds copies, so the session may train on while it is encoded,
and every number in it is finite (NaN and infinity are replaced, and a
metric that cannot be computed is None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from app.data.datasets import Problem
from app.data.split import DataSplit
from app.nn.losses import positive_probability
from app.nn.mlp import MLP, block_views
from app.nn.regularization import REGULARIZERS
from app.nn.trainer import Trainer
from app.training.boundary import Evaluator
from app.training.config import ExperimentConfig
from app.training.evaluation import PartMetrics, finite_or_none, measure
from app.training.status import Status

Array = np.ndarray


FLOAT32_MAX = float(np.finfo(np.float32).max)  # largest value a float32 on the wire can hold


def finite(values: Array, bound: float = FLOAT32_MAX) -> Array:
    """A copy with NaN as 0 and every value clipped to ±bound (float32's range by default)."""
    result = np.clip(values, -bound, bound)
    result[np.isnan(result)] = 0.0
    return result


@dataclass(frozen=True)
class Snapshot:
    """One frame's worth of model state.

    weights[l]: (d_l, d_{l+1}), biases[l]: (d_{l+1},) and the last step's
    gradients of both (regularisation included), float64.
    grad_norms[l]: the mean |dC/dw| over weight layer l's weights in that
    gradient (biases left out), one finite number per weight layer.
    neuron_maps[l]: (d_l, thumb_size²) float32, the output of every neuron of
    layer l (0 = inputs) over the thumbnail grid; map_ranges[l][i] the (lo, hi)
    its colours span. None when this snapshot was taken without maps.
    output_map: (grid_size²,) float32 in [-1, 1] for binary problems (2p - 1,
    p the probability of class 1) and the prediction for regression;
    (grid_size², k) class probabilities for multi-class problems. None when
    taken without the output (nobody sees it).
    selected_map: (grid_size²,) float32, the selected neuron over the main grid
    (None without the output too).
    """

    status: str
    message: str
    step: int
    epoch: int
    examples: int
    problem: Problem
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    weights: list[Array]
    biases: list[Array]
    weight_grads: list[Array]
    bias_grads: list[Array]
    grad_norms: list[float]
    train: PartMetrics
    test: PartMetrics
    penalty: float | None
    grid_size: int
    thumb_size: int
    output_map: Array | None
    neuron_maps: list[Array] | None
    map_ranges: list[list[tuple[float, float]]]
    selected: tuple[int, int] | None
    selected_map: Array | None

    def __repr__(self) -> str:
        cost = "—" if self.train.cost is None else f"{self.train.cost:.4f}"
        shape = "→".join(map(str, self.sizes))
        return f"Snapshot({self.status}, step {self.step}, epoch {self.epoch}, {shape}, train cost {cost})"


class Observed(Protocol):
    """What a snapshot reads from a training session (``TrainingSession`` has all of it)."""

    mlp: MLP
    config: ExperimentConfig
    data: DataSplit
    trainer: Trainer
    status: Status
    message: str
    steps: int
    epochs: int
    examples: int


def history_values(snapshot: Snapshot) -> tuple[float | None, ...]:
    """(train cost, test cost, train metric, test metric) for the history; the metric is accuracy or R²."""
    metric = "r2" if snapshot.problem == Problem.REGRESSION else "accuracy"
    train, test = snapshot.train, snapshot.test
    return train.cost, test.cost, getattr(train, metric), getattr(test, metric)


def output_map(problem: Problem, output_activation: str, A: Array) -> Array:
    """What the big view colours, from the output A: (size², k) over the main grid."""
    if problem == Problem.MULTICLASS:
        return finite(A, 1.0).astype(np.float32)
    if problem == Problem.BINARY:
        return finite(2.0 * positive_probability(A, output_activation) - 1.0, 1.0).astype(np.float32)
    return finite(A[:, 0]).astype(np.float32)


def build(
    session: Observed, evaluator: Evaluator, selected: tuple[int, int] | None, *, with_maps: bool = True,
    with_output: bool = True,
) -> tuple[Snapshot, bool]:
    """Evaluate the session's network; returns the snapshot and whether a cost came out non-finite.

    The maps come from the float32 evaluator; a cost it cannot hold is measured again in float64,
    so only a cost that is non-finite in the engine's own precision counts. Without ``with_maps`` the
    neuron maps, and without ``with_output`` the output and selected maps, are neither computed nor kept.
    """
    mlp, config, data = session.mlp, session.config, session.data
    evaluator.run(mlp.params, selected, with_maps=with_maps, with_output=with_output)
    n_classes = 0 if data.dataset.problem == Problem.REGRESSION else data.dataset.n_classes
    parts = []
    for (Z, A), targets, labels, inputs, exact_targets in (
        (evaluator.train_outputs(), evaluator.train_targets, data.train_labels, data.train_inputs, data.train_targets),
        (evaluator.test_outputs(), evaluator.test_targets, data.test_labels, data.test_inputs, data.test_targets),
    ):
        part = measure(Z, A, targets, labels, config.cost, mlp.output_activation, n_classes)
        if part.cost is None and len(labels) > 0:
            # float32 overflows near 3e38, long before the float64 training does: measure exactly.
            with np.errstate(all="ignore"):
                trace = mlp.forward(inputs[:, :-1])
            part = measure(trace.Z[-1], trace.output, exact_targets, labels, config.cost, mlp.output_activation,
                           n_classes)
        parts.append(part)
    train, test = parts
    is_nonfinite = any(p.cost is None and n > 0 for p, n in ((train, len(data.train_index)),
                                                              (test, len(data.test_index))))
    selected_map = None if evaluator.selected_map is None or not with_output else finite(evaluator.selected_map)
    params = finite(mlp.params)  # one clean copy of every weight and bias, and of every gradient
    grads = finite(session.trainer.grads)
    blocks, grad_blocks = block_views(params, mlp.sizes), block_views(grads, mlp.sizes)
    penalty = config.regularization_rate * REGULARIZERS[config.regularization].penalty(
        mlp.params, mlp.weight_mask
    )
    snapshot = Snapshot(
        status=session.status.value,
        message=session.message,
        step=session.steps,
        epoch=session.epochs,
        examples=session.examples,
        problem=data.dataset.problem,
        sizes=mlp.sizes,
        activations=mlp.activations,
        weights=[block[:-1] for block in blocks],
        biases=[block[-1] for block in blocks],
        weight_grads=[block[:-1] for block in grad_blocks],
        bias_grads=[block[-1] for block in grad_blocks],
        grad_norms=[float(np.abs(block[:-1]).mean()) for block in grad_blocks],
        train=train,
        test=test,
        penalty=finite_or_none(penalty),
        grid_size=evaluator.grid_size,
        thumb_size=evaluator.thumb_size,
        output_map=output_map(data.dataset.problem, mlp.output_activation, evaluator.grid_output)
        if with_output else None,
        neuron_maps=[finite(evaluator.thumb_maps(l)) for l in range(len(mlp.sizes))] if with_maps else None,
        map_ranges=evaluator.map_ranges,
        selected=selected,
        selected_map=selected_map,
    )
    return snapshot, is_nonfinite
