"""The neuron-level checks of the live diagnosis: dead ReLUs, saturated layers, copies, vanishing gradients.

Imports numpy, the standard library and the engine only. Each check reads one
forward pass of the training points (Z[l], A[l]: (n_train, d_l)) or the last
step's gradients and returns a finding or None; ``app.training.diagnosis``
owns the thresholds (passed in as ``NeuronLimits``) and decides which cause
comes first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.i18n import Said, said
from app.training import advice
from app.training.advice import Finding, finding

if TYPE_CHECKING:
    from app.training.session import TrainingSession

Array = np.ndarray
SQUASHING = ("sigmoid", "tanh")  # activations whose slope vanishes on both sides: ReLU fixes their depth


@dataclass(frozen=True)
class NeuronLimits:
    """The thresholds of these checks (their reasons are given where diagnosis.py declares them)."""

    saturation_z: Mapping[str, float]
    saturated_points: float
    saturated_share: float
    vanishing_ratio: float
    vanishing_depth: int
    identical_correlation: float
    naive_inits: tuple[str, ...]


def neuron_findings(session: TrainingSession, limits: NeuronLimits, is_learning: bool = True) -> list[Finding]:
    """Dead ReLUs, saturated layers, copies of one neuron and vanishing gradients, from one forward
    pass of the training points. Saturation and vanishing gradients are only reported while the fit
    is poor (``is_learning``): a trained network may saturate freely."""
    mlp = session.mlp
    with np.errstate(all="ignore"):
        forward = mlp.forward(session.data.train_inputs[:, :-1])
    hidden = range(1, len(mlp.sizes) - 1)
    findings = [_dead(session, forward.Z, hidden), _identical(session, forward.A, hidden, limits)]
    if is_learning:
        findings.append(_saturated(session, forward.Z, hidden, limits))
        if len(hidden) >= limits.vanishing_depth and session.steps > 0:
            with np.errstate(all="ignore"):  # every training point's gradient: one mini-batch's is too noisy
                dW = mlp.backward(forward, session.data.train_targets, session.config.cost).dW
            findings.append(_vanishing(session, dW, limits))
    return [f for f in findings if f]


def _names(neurons: list[list[int]]) -> list[Said]:
    return [said(advice.NEURON_NAME, n=index + 1, layer=layer) for layer, index in neurons]


def _dead(session: TrainingSession, Z: list[Array], hidden: range) -> Finding | None:
    activations = session.mlp.activations
    dead = [[l, i] for l in hidden if activations[l - 1] == "relu"
            for i in np.flatnonzero((Z[l] <= 0.0).all(axis=0)).tolist()]
    if not dead:
        return None
    title, evidence, suggestion = advice.DEAD
    text = said(evidence, count=len(dead), names=_names(dead), points=len(Z[0]))
    return finding("dead_relu", [said(title)], [text], [said(suggestion)], advice.use(activation="leaky_relu"), dead)


def _saturated(session: TrainingSession, Z: list[Array], hidden: range, limits: NeuronLimits) -> Finding | None:
    activations = session.mlp.activations
    saturated: list[list[int]] = []
    for l in hidden:
        limit = limits.saturation_z.get(activations[l - 1])
        if limit is None:
            continue
        layer = np.flatnonzero((np.abs(Z[l]) > limit).mean(axis=0) >= limits.saturated_points).tolist()
        if len(layer) >= limits.saturated_share * Z[l].shape[1]:
            saturated += [[l, i] for i in layer]
    if not saturated:
        return None
    title, evidence, suggestion = advice.SATURATED
    text = said(evidence, count=len(saturated), names=_names(saturated),
               limit=min(limits.saturation_z.values()), share=advice.percent(limits.saturated_points))
    config = session.config
    action = advice.use(init="xavier") if config.init != "xavier" else advice.lower_rate(config.learning_rate)
    return finding("saturated", [said(title)], [text], [said(suggestion)], action, saturated)


def _identical(session: TrainingSession, A: list[Array], hidden: range, limits: NeuronLimits) -> Finding | None:
    """Layers whose neurons all move together, reported when a naive initialisation explains it
    (a trained layer of two may legitimately end up with two alike neurons)."""
    if session.config.init not in limits.naive_inits:
        return None
    copies: list[int] = []
    for l in hidden:
        outputs = A[l]
        if outputs.shape[1] < 2 or not (outputs.std(axis=0) > 1e-9).all():
            continue
        correlation = np.corrcoef(outputs.T)
        if np.abs(correlation[~np.eye(len(correlation), dtype=bool)]).min() > limits.identical_correlation:
            copies.append(l)
    if not copies:
        return None
    title, evidence, suggestion = advice.IDENTICAL
    text = said(evidence, layers=", ".join(str(l) for l in copies), limit=limits.identical_correlation)
    return finding("identical", [said(title)], [text], [said(suggestion)], advice.use(init="xavier"),
                   [[l, i] for l in copies for i in range(A[l].shape[1])])


def _vanishing(session: TrainingSession, dW: list[Array], limits: NeuronLimits) -> Finding | None:
    """The first layer's gradients far below the last's (dW over every training point)."""
    first, last = float(np.abs(dW[0]).mean()), float(np.abs(dW[-1]).mean())
    if not (last > 0 and first < limits.vanishing_ratio * last):
        return None
    title, evidence, suggestion = advice.VANISHING
    activation = session.config.activation
    text = said(evidence, first=first, ratio=last / max(first, 1e-300), last=last, depth=len(dW) - 1,
               activation=activation)
    if activation not in SQUASHING:
        return finding("vanishing", [said(title)], [text], [said(advice.VANISHING_DEEP)])
    return finding("vanishing", [said(title)], [text], [said(suggestion)], advice.use(activation="relu"))
