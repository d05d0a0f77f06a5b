"""The figures a lesson goal may name, measured directly on a training session.

Imports numpy, the standard library and ``app.training``/``app.data``/``app.nn``: no web code.
One float64 forward pass over the training points (dead ReLUs are read from it too) and one over the
test points; nothing the page
computes is reused, so a goal is judged on the session's own network, not on a drawing of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.data.datasets import Problem
from app.nn.mlp import Trace
from app.training.evaluation import PartMetrics, measure
from app.training.session import TrainingSession
from app.training.status import Status


@dataclass(frozen=True)
class Measurements:
    """One observation of a run; a figure that does not apply to the problem (or is not finite) is None.

    weights[l]: (d_l, d_{l+1}) copies, so a goal on one weight reads the value at this epoch.
    """

    epoch: int
    train_cost: float | None
    test_cost: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    train_r2: float | None
    test_r2: float | None
    params: int
    layers: int
    dead_relu: float
    is_diverged: bool
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    @property
    def gap(self) -> float | None:
        """Test cost minus training cost: how much worse the network does on points it never trained on."""
        if self.test_cost is None or self.train_cost is None:
            return None
        return self.test_cost - self.train_cost


def _part(session: TrainingSession, inputs: np.ndarray, targets: np.ndarray, labels: np.ndarray
          ) -> tuple[PartMetrics, Trace]:
    mlp, problem = session.mlp, session.problem
    n_classes = 0 if problem == Problem.REGRESSION else session.data.dataset.n_classes
    with np.errstate(all="ignore"):
        trace = mlp.forward(inputs[:, :-1])
    part = measure(trace.Z[-1], trace.output, targets, labels, session.config.cost, mlp.output_activation, n_classes)
    return part, trace


def dead_relu_fraction(activations: tuple[str, ...], trace: Trace) -> float:
    """The share of ReLU hidden neurons whose output is 0 on every point of ``trace`` (0 when there are none)."""
    relu, dead = 0, 0
    for layer, activation in enumerate(activations[:-1], start=1):
        if activation != "relu":
            continue
        outputs = trace.A[layer]
        relu += outputs.shape[1]
        dead += int(np.sum(np.all(outputs <= 0.0, axis=0)))
    return dead / relu if relu else 0.0


def measure_session(session: TrainingSession) -> Measurements:
    """Everything a goal may name, for the session as it is now."""
    data = session.data
    train, train_trace = _part(session, data.train_inputs, data.train_targets, data.train_labels)
    test, _ = _part(session, data.test_inputs, data.test_targets, data.test_labels)
    mlp = session.mlp
    return Measurements(
        epoch=session.epochs,
        train_cost=train.cost, test_cost=test.cost,
        train_accuracy=train.accuracy, test_accuracy=test.accuracy,
        train_r2=train.r2, test_r2=test.r2,
        params=int(sum(w.size + b.size for w, b in zip(mlp.weights, mlp.biases, strict=True))),
        layers=len(mlp.sizes) - 2,
        dead_relu=dead_relu_fraction(mlp.activations, train_trace),
        is_diverged=session.status == Status.DIVERGED,
        weights=tuple(w.copy() for w in mlp.weights),
        biases=tuple(b.copy() for b in mlp.biases),
    )
