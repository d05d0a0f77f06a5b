"""A live diagnosis of a run: what goes wrong, the evidence, and one change to try.

Imports numpy, the standard library and the engine only: no web code, no
asyncio. Pure and synchronous: ``Diagnosis.observe(session, train, test)``
reads the session (never changes it) and returns the current findings as
JSON-ready dicts (see docs/protocol.md, ``frame.diagnoses``).

A ``Diagnosis`` object is the only state: a small bounded record of the
costs and the largest weight per epoch, and the last neuron-level findings.
The cheap checks (costs, weights) run on every call; the neuron-level
checks need a forward pass over the training points, so while a run trains
they run at most once every ``DEEP_CHECK_EPOCHS`` epochs, and whenever the
weights changed while it does not (a manual step, an edited weight).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.data.datasets import Problem
from app.nn.mlp import block_views
from app.training.config import MAX_LEARNING_RATE, MIN_LEARNING_RATE
from app.training.evaluation import PartMetrics
from app.training.status import Status

if TYPE_CHECKING:
    from app.training.session import TrainingSession

Array = np.ndarray
Finding = dict[str, Any]

# ----- thresholds: each is declared once, here -------------------------------------------
HISTORY_EPOCHS = 120  # per-epoch records kept; the longest window below must fit in it
DEEP_CHECK_EPOCHS = 20  # neuron checks at most this often while training (keeps them ~2% of the work)
RISE_EPOCHS = 5  # a cost that grows by RISE_FACTOR within this many epochs is running away
RISE_FACTOR = 2.0  # ... and a doubling is not noise once the cost sits above its best as well ...
RISE_MIN = 0.1  # ... by at least this much (Adam's jitter near a cost of 0.001 doubles it harmlessly)
WEIGHT_ALARM = 50.0  # a weight this large (inputs are at most 36) that is still growing ...
WEIGHT_GROWTH = 4.0  # ... by this factor within RISE_EPOCHS epochs means the weights are exploding
PLATEAU_EPOCHS = 60  # a training cost that has not moved over this many epochs is stuck ...
PLATEAU_CHANGE = 0.02  # ... when the two halves of the window differ by less than this share
FAR_ACCURACY = 0.9  # ... while the training accuracy (or R² for regression) is still below this
SATURATION_Z = {"tanh": 3.0, "sigmoid": 6.0}  # |z| beyond which f'(z) is under 1% of its peak
SATURATED_POINTS = 0.95  # a neuron is saturated when |z| is beyond that for this share of the points
SATURATED_SHARE = 0.5  # a layer is reported when at least this share of its neurons is saturated
VANISHING_RATIO = 1e-3  # the first layer's mean |dC/dw| below this share of the last layer's: vanishing
IDENTICAL_CORRELATION = 0.95  # neurons whose outputs correlate (or anti-correlate) this closely are copies
OVERFIT_EPOCHS = 40  # overfitting is judged over this many epochs ...
OVERFIT_RISE = 0.15  # ... the test cost rose this share above its best while the training cost fell ...
OVERFIT_MIN = 0.01  # ... and by at least this much (tiny costs wobble by large shares)
NAIVE_INITS = ("uniform_unit", "uniform_centered")  # the schemes that ignore the layer width


@dataclass(frozen=True)
class Record:
    """One epoch of the run: costs without the penalty, accuracy (R² for regression), largest |w|."""

    epoch: int
    train_cost: float
    test_cost: float | None
    accuracy: float | None
    largest_weight: float


def _rate(value: float) -> float:
    """A learning rate, rounded to 3 significant digits and kept within the engine's limits."""
    return min(MAX_LEARNING_RATE, max(MIN_LEARNING_RATE, float(f"{value:.3g}")))


def _finding(kind: str, title: str, evidence: str, suggestion: str, action: dict[str, Any] | None = None,
             neurons: list[list[int]] | None = None) -> Finding:
    return {"kind": kind, "title": title, "evidence": evidence, "suggestion": suggestion,
            "action": action, "neurons": neurons or []}


def _configure(label: str, **changes: Any) -> dict[str, Any]:
    return {"label": label, "changes": changes}


class Diagnosis:
    """The diagnosis of one run, fed once per frame; forgets everything when the run restarts."""

    def __init__(self) -> None:
        self._restart(None)

    def _restart(self, network: object | None) -> None:
        self.records: deque[Record] = deque(maxlen=HISTORY_EPOCHS)
        self.network = network  # the MLP the records belong to
        self.steps = 0
        self.deep_epoch = -DEEP_CHECK_EPOCHS  # the epoch of the last neuron-level check
        self.deep_params: Array | None = None  # the weights that check saw
        self.deep_findings: list[Finding] = []
        self.cost_findings: list[Finding] = []
        self.status: Status | None = None  # the status the cost findings were made in

    def observe(self, session: TrainingSession, train: PartMetrics, test: PartMetrics) -> list[Finding]:
        """Record this moment of the run and return every current finding."""
        if session.mlp is not self.network or session.steps < self.steps:
            self._restart(session.mlp)  # a new network or a reset: a new run
        self.steps = session.steps
        if self._record(session, train, test) or session.status != self.status:
            self.status, self.cost_findings = session.status, self._cost_findings(session)
        if self._deep_due(session):
            self.deep_epoch, self.deep_params = session.epochs, session.mlp.params.copy()
            quality = self.records[-1].accuracy if self.records else None
            self.deep_findings = neuron_findings(session, is_learning=quality is None or quality < FAR_ACCURACY)
        return [*self.cost_findings, *self.deep_findings]

    def _record(self, session: TrainingSession, train: PartMetrics, test: PartMetrics) -> bool:
        """Keep this epoch's figures; False when the epoch is already recorded (or has no cost)."""
        if train.cost is None or (self.records and self.records[-1].epoch >= session.epochs):
            return False
        quality = train.r2 if session.problem == Problem.REGRESSION else train.accuracy
        largest = float(np.abs(session.mlp.params).max())
        self.records.append(Record(session.epochs, train.cost, test.cost, quality, largest))
        return True

    def _deep_due(self, session: TrainingSession) -> bool:
        if session.epochs - self.deep_epoch >= DEEP_CHECK_EPOCHS:
            return True
        if session.status == Status.RUNNING or self.deep_params is None:
            return False
        return not np.array_equal(self.deep_params, session.mlp.params)

    def _window(self, epochs: int) -> list[Record]:
        """The records of the last ``epochs`` epochs (empty unless the record reaches that far back)."""
        if not self.records or self.records[-1].epoch - self.records[0].epoch < epochs:
            return []
        last = self.records[-1].epoch
        return [r for r in self.records if r.epoch >= last - epochs]

    def _cost_findings(self, session: TrainingSession) -> list[Finding]:
        rate = session.config.learning_rate
        lower = _configure(f"Lower the learning rate to {_rate(rate / 10):g}", learning_rate=_rate(rate / 10))
        if session.status == Status.DIVERGED:
            return [_finding("diverged", "The run blew up",
                             f"The weights stopped being finite numbers at learning rate {rate:g}.",
                             "Lower the learning rate, then press Reset.",
                             lower if rate > MIN_LEARNING_RATE else None)]
        findings = [f for f in (self._runaway(rate, lower), self._plateau(session, rate),
                                self._overfitting(session)) if f]
        return findings

    def _runaway(self, rate: float, lower: dict[str, Any]) -> Finding | None:
        window = self._window(RISE_EPOCHS)
        if not window:
            return None
        first, last = window[0], window[-1]
        best = min(r.train_cost for r in self.records)
        if last.train_cost > RISE_FACTOR * max(first.train_cost, best) and last.train_cost - best > RISE_MIN:
            evidence = (f"The training cost rose from {first.train_cost:.3g} to {last.train_cost:.3g} in "
                        f"{last.epoch - first.epoch} epochs (its best was {best:.3g}).")
        elif last.largest_weight > WEIGHT_ALARM and last.largest_weight > WEIGHT_GROWTH * first.largest_weight:
            evidence = (f"The largest weight grew from {first.largest_weight:.3g} to {last.largest_weight:.3g} in "
                        f"{last.epoch - first.epoch} epochs.")
        else:
            return None
        return _finding("diverging", "About to diverge", evidence,
                        f"Each step overshoots: the learning rate {rate:g} is too high for this network.",
                        lower if rate > MIN_LEARNING_RATE else None)

    def _plateau(self, session: TrainingSession, rate: float) -> Finding | None:
        window = self._window(PLATEAU_EPOCHS)
        if not window or window[-1].accuracy is None or window[-1].accuracy >= FAR_ACCURACY:
            return None
        half = len(window) // 2
        early = float(np.mean([r.train_cost for r in window[:half]]))
        late = float(np.mean([r.train_cost for r in window[half:]]))
        if abs(early - late) > PLATEAU_CHANGE * max(early, late):
            return None
        measure = "R²" if session.problem == Problem.REGRESSION else "accuracy"
        evidence = (f"The training cost has stayed near {late:.3g} for {window[-1].epoch - window[0].epoch} "
                    f"epochs, with the training {measure} at {window[-1].accuracy:.0%}.")
        if rate < MAX_LEARNING_RATE:
            return _finding("plateau", "Stuck on a plateau", evidence,
                            "Steps may be too small to leave the flat stretch: raise the learning rate, or "
                            "add neurons or input features.",
                            _configure(f"Raise the learning rate to {_rate(rate * 10):g}",
                                       learning_rate=_rate(rate * 10)))
        action = None if session.config.activation == "tanh" else _configure("Use tanh", activation="tanh")
        return _finding("plateau", "Stuck on a plateau", evidence,
                        "The learning rate is already at its largest: change the activation, or add neurons "
                        "or input features.", action)

    def _overfitting(self, session: TrainingSession) -> Finding | None:
        window = [r for r in self._window(OVERFIT_EPOCHS) if r.test_cost is not None]
        if len(window) < 3:
            return None
        best_test = min(window, key=lambda r: r.test_cost or 0.0)
        last = window[-1]
        assert best_test.test_cost is not None and last.test_cost is not None
        rise = last.test_cost - best_test.test_cost
        is_rising = (rise > OVERFIT_RISE * best_test.test_cost and rise > OVERFIT_MIN
                     and best_test.epoch > window[0].epoch)
        if not (is_rising and last.train_cost < best_test.train_cost):
            return None
        action = None
        if session.config.regularization == "none":
            action = _configure("Add L2 regularisation (rate 0.01)", regularization="l2", regularization_rate=0.01)
        return _finding("overfitting", "Overfitting",
                        f"Since epoch {best_test.epoch} the test cost rose from {best_test.test_cost:.3g} to "
                        f"{last.test_cost:.3g} while the training cost fell from {best_test.train_cost:.3g} to "
                        f"{last.train_cost:.3g}: the network is learning these points, not the pattern.",
                        "Add regularisation, or use more points (or more of them for training).", action)


def _names(neurons: list[list[int]]) -> str:
    return ", ".join(f"{index + 1} of layer {layer}" for layer, index in neurons)


def neuron_findings(session: TrainingSession, is_learning: bool = True) -> list[Finding]:
    """Dead ReLUs, saturated layers, copies of one neuron and vanishing gradients, from one forward
    pass of the training points (Z[l], A[l]: (n_train, d_l)). Saturation and vanishing gradients
    are only reported while the fit is poor (``is_learning``): a trained network may saturate freely."""
    mlp = session.mlp
    with np.errstate(all="ignore"):
        forward = mlp.forward(session.data.train_inputs[:, :-1])
    hidden = range(1, len(mlp.sizes) - 1)
    findings = [_dead(session, forward.Z, hidden), _identical(session, forward.A, hidden)]
    if is_learning:
        findings += [_saturated(session, forward.Z, hidden), _vanishing(session)]
    return [f for f in findings if f]


def _dead(session: TrainingSession, Z: list[Array], hidden: range) -> Finding | None:
    activations = session.mlp.activations
    dead = [[l, i] for l in hidden if activations[l - 1] == "relu"
            for i in np.flatnonzero((Z[l] <= 0.0).all(axis=0)).tolist()]
    if not dead:
        return None
    n = len(Z[0])
    return _finding("dead_relu", "Dead ReLU neurons",
                    f"Neuron{'s' if len(dead) > 1 else ''} {_names(dead)} output 0 for all {n} training points, "
                    "so no gradient reaches their weights and they never learn again.",
                    "Use leaky ReLU (its slope never reaches 0), a lower learning rate, or new weights.",
                    _configure("Use leaky ReLU", activation="leaky_relu"), dead)


def _saturated(session: TrainingSession, Z: list[Array], hidden: range) -> Finding | None:
    activations = session.mlp.activations
    saturated: list[list[int]] = []
    for l in hidden:
        limit = SATURATION_Z.get(activations[l - 1])
        if limit is None:
            continue
        layer = np.flatnonzero((np.abs(Z[l]) > limit).mean(axis=0) >= SATURATED_POINTS).tolist()
        if len(layer) >= SATURATED_SHARE * Z[l].shape[1]:
            saturated += [[l, i] for i in layer]
    if not saturated:
        return None
    return _finding("saturated", "Saturated neurons",
                    f"Neuron{'s' if len(saturated) > 1 else ''} {_names(saturated)} have |z| beyond "
                    f"{min(SATURATION_Z.values()):g} for at least {SATURATED_POINTS:.0%} of the training points, "
                    "where their slope f′(z) is almost 0: gradients barely pass through them.",
                    "Start from smaller weights (Xavier initialisation) or lower the learning rate.",
                    None if session.config.init == "xavier" else _configure("Use Xavier initialisation",
                                                                            init="xavier"), saturated)


def _identical(session: TrainingSession, A: list[Array], hidden: range) -> Finding | None:
    """Layers whose neurons all move together, reported when a naive initialisation explains it
    (a trained layer of two may legitimately end up with two alike neurons)."""
    if session.config.init not in NAIVE_INITS:
        return None
    copies: list[int] = []
    for l in hidden:
        outputs = A[l]
        if outputs.shape[1] < 2 or not (outputs.std(axis=0) > 1e-9).all():
            continue
        correlation = np.corrcoef(outputs.T)
        if np.abs(correlation[~np.eye(len(correlation), dtype=bool)]).min() > IDENTICAL_CORRELATION:
            copies.append(l)
    if not copies:
        return None
    layers = ", ".join(str(l) for l in copies)
    return _finding("identical", "Neurons that are copies of each other",
                    f"Every neuron of layer {layers} gives the same output up to sign and scale (correlation beyond ± "
                    f"{IDENTICAL_CORRELATION:g} over the training points): the layer works like one neuron. "
                    "The initialisation draws every weight from the same range whatever the layer's width.",
                    "Start from weights scaled to the layer (Xavier or He) so neurons begin different.",
                    _configure("Use Xavier initialisation", init="xavier"),
                    [[l, i] for l in copies for i in range(A[l].shape[1])])


def _vanishing(session: TrainingSession) -> Finding | None:
    mlp = session.mlp
    if mlp.n_layers < 3 or session.steps == 0:
        return None
    grads = [np.abs(block[:-1]).mean() for block in block_views(session.trainer.grads, mlp.sizes)]
    first, last = float(grads[0]), float(grads[-1])
    if not (last > 0 and first < VANISHING_RATIO * last):
        return None
    return _finding("vanishing", "Vanishing gradients",
                    f"The first layer's weights get a mean |dC/dw| of {first:.2g}, {last / max(first, 1e-300):.2g} "
                    f"times smaller than the last layer's ({last:.2g}): the early layers hardly learn.",
                    "Use ReLU or leaky ReLU, fewer layers, or Xavier / He initialisation.",
                    None if session.config.activation != "sigmoid" else _configure("Use ReLU", activation="relu"))

