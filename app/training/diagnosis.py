"""A live diagnosis of a run: what goes wrong, the evidence, and the one change most likely to fix it.

Imports numpy, the standard library and the engine only: no web code, no
asyncio. Pure and synchronous: ``Diagnosis.observe(session, train, test)``
reads the session (never changes it) and returns the findings to show as
JSON-ready dicts (see docs/protocol.md, ``frame.diagnoses``); their words
and buttons come from ``app.training.advice``.

A finding names a cause, not a symptom: a run whose weights were thrown far
from their start by a few large steps, leaving its ReLUs dead or its
neurons saturated and its cost flat, is told that its learning rate is too
high (and the dead neurons are named in that one finding), not to change
the activation. Findings are ranked by cause (``RANK``) so the first card's
button is the change most likely to help; ``tests/unit/training/
test_advice_battery.py`` applies it to broken setups and checks that it does.

A ``Diagnosis`` object is the only state: a small bounded record of the
costs and the largest weight per epoch, the last neuron-level findings and
the hysteresis that keeps cards from flickering. The cheap checks (costs,
weights) run once per epoch; the neuron-level checks need a forward pass over
the training points, so while a run trains they run at most once every
``DEEP_CHECK_EPOCHS`` epochs, and whenever the weights changed while it
does not (a manual step, an edited weight).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from app.data.datasets import Problem
from app.i18n import said
from app.training import advice
from app.training.advice import Finding, finding
from app.training.config import MAX_LEARNING_RATE
from app.training.evaluation import PartMetrics
from app.training.hysteresis import Hysteresis
from app.training.neurons import NeuronLimits, neuron_findings
from app.training.status import Status

if TYPE_CHECKING:
    from app.training.session import TrainingSession

Array = np.ndarray

# ----- thresholds: each is declared once, here -------------------------------------------
HISTORY_EPOCHS = 120  # per-epoch records kept; the longest window below must fit in it
DEEP_CHECK_EPOCHS = 20  # neuron checks at most this often while training (keeps them ~2% of the work)
SHOW_AFTER_EPOCHS = 5  # a finding shows once it has held this long: one noisy epoch raises no card ...
HIDE_AFTER_EPOCHS = 30  # ... and a shown one goes once absent this long, so a wobbling check cannot flicker
RISE_EPOCHS = 5  # a cost that grows by RISE_FACTOR within this many epochs is running away
RISE_FACTOR = 2.0  # ... and a doubling is not noise once the cost sits above its best as well ...
RISE_MIN = 0.1  # ... by at least this much (Adam's jitter near a cost of 0.001 doubles it harmlessly)
WEIGHT_ALARM = 50.0  # a weight this large (inputs are at most 36) that is still growing ...
WEIGHT_GROWTH = 4.0  # ... by this factor within RISE_EPOCHS epochs means the weights are exploding
RATE_GROWTH = 4.0  # the largest weight this many times its start while the fit is poor: steps too large
# (measured: rates of 3 to 10 reach x4.4 to x13 within 3 epochs; every other broken or healthy run stayed
# under x1.7 while its fit was poor, healthy ones reach x3 to x4 only once they fit)
PLATEAU_EPOCHS = 60  # a training cost that has not moved over this many epochs is stuck ...
PLATEAU_CHANGE = 0.02  # ... when the two halves of the window differ by less than this share
FAR_ACCURACY = 0.9  # ... while the training accuracy (or R² for regression) is still below this
SLOW_MOVE = 0.2  # a stuck run whose weights moved less than this share of their size since the start takes
# too small steps (measured: rates of 1e-4 moved 2-7 % in 180 epochs; stuck networks too small moved 40-100 %)
SATURATION_Z = {"tanh": 3.0, "sigmoid": 6.0}  # |z| beyond which f'(z) is under 1% of its peak
SATURATED_POINTS = 0.5  # a neuron is saturated when |z| is beyond that for this share of the points: it then
# learns from the other points only (measured: naive inits on 7 inputs saturate 50-65 %, and stay stuck; Xavier 0-40 %)
SATURATED_SHARE = 0.75  # a layer is reported when at least this share of its neurons is saturated (half of a
# layer saturated on half the points is normal in a regression that is still learning, e.g. the bumps)
VANISHING_RATIO = 1e-3  # the first layer's mean |dC/dw| below this share of the last layer's: vanishing ...
VANISHING_DEPTH = 3  # ... in a network of at least this many hidden layers (two layers are not deep)
IDENTICAL_CORRELATION = 0.95  # neurons whose outputs correlate (or anti-correlate) this closely are copies
OVERFIT_RISE = 0.15  # overfitting: the test cost rose this share above its best of the record (a best that
# may be early: a tiny noisy training set is learnt by heart within 10 epochs) while the training cost fell ...
OVERFIT_MIN = 0.01  # ... and by at least this much (tiny costs wobble by large shares) ...
OVERFIT_GAP = 0.05  # ... and the test cost sits this far above the training cost: a run at 100 % test accuracy
# whose test cost wobbles from 0.004 to 0.016 has no gap worth a card (and L2 would not make it better)
OVERFIT_SMOOTHING = 5  # ... the costs now being the mean of this many epochs (one epoch's test cost is noisy)
NAIVE_INITS = ("uniform_unit", "uniform_centered")  # the schemes that ignore the layer width

# Causes first, so the first card's button is the change most likely to help.
RANK = ("diverged", "diverging", "rate_too_high", "vanishing", "identical", "dead_relu", "saturated", "plateau",
        "overfitting")
SYMPTOMS_OF_RATE = frozenset({"dead_relu", "saturated", "plateau", "vanishing"})  # told within rate_too_high
EXPLAINS_PLATEAU = frozenset({"vanishing", "identical"})  # causes whose fix is not "a bigger network"
NEURON_LIMITS = NeuronLimits(SATURATION_Z, SATURATED_POINTS, SATURATED_SHARE, VANISHING_RATIO, VANISHING_DEPTH,
                             IDENTICAL_CORRELATION, NAIVE_INITS)


@dataclass(frozen=True)
class Record:
    """One epoch of the run: costs without the penalty, accuracy (R² for regression), largest |w|."""

    epoch: int
    train_cost: float
    test_cost: float | None
    accuracy: float | None
    largest_weight: float


def start_params(session: TrainingSession) -> Array:
    """The run's weights at its first kept epoch (its start, or the epoch an import resumed at)."""
    return session.checkpoints.nearest(session.checkpoints.first).params


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
        self.best_test: Record | None = None  # the epoch of the lowest test cost of the run (outlives the record)
        self.status: Status | None = None  # the status the cost findings were made in
        self.hysteresis = Hysteresis(SHOW_AFTER_EPOCHS, HIDE_AFTER_EPOCHS)

    def observe(self, session: TrainingSession, train: PartMetrics, test: PartMetrics) -> list[Finding]:
        """Record this moment of the run and return the findings to show, causes first."""
        if session.mlp is not self.network or session.steps < self.steps:
            self._restart(session.mlp)  # a new network, a reset or a rewind: a new run
        self.steps = session.steps
        is_new_epoch = self._record(session, train, test)
        if self._deep_due(session):
            self.deep_epoch, self.deep_params = session.epochs, session.mlp.params.copy()
            quality = self.records[-1].accuracy if self.records else None
            is_learning = quality is None or quality < FAR_ACCURACY
            self.deep_findings = neuron_findings(session, NEURON_LIMITS, is_learning=is_learning)
        if is_new_epoch or session.status != self.status:
            self.status, self.cost_findings = session.status, self._cost_findings(session)
        present = rank([*self.cost_findings, *self.deep_findings])
        return self.hysteresis.update(present, session.epochs, is_settled=session.status != Status.RUNNING)

    def _record(self, session: TrainingSession, train: PartMetrics, test: PartMetrics) -> bool:
        """Keep this epoch's figures; False when the epoch is already recorded (or has no cost)."""
        if train.cost is None or (self.records and self.records[-1].epoch >= session.epochs):
            return False
        quality = train.r2 if session.problem == Problem.REGRESSION else train.accuracy
        largest = float(np.abs(session.mlp.params).max())
        record = Record(session.epochs, train.cost, test.cost, quality, largest)
        self.records.append(record)
        best = self.best_test
        if record.test_cost is not None and (best is None or record.test_cost < (best.test_cost or 0.0)):
            self.best_test = record
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
        start = bisect_left(self.records, self.records[-1].epoch - epochs, key=lambda r: r.epoch)  # records go by epoch
        return list(islice(self.records, start, None))

    def _cost_findings(self, session: TrainingSession) -> list[Finding]:
        rate = session.config.learning_rate
        if session.status == Status.DIVERGED:
            title, evidence, suggestion = advice.DIVERGED
            return [finding("diverged", [said(title)], [said(evidence, rate=rate)], [said(suggestion)],
                            advice.lower_rate(rate))]
        plateau = self._plateau(session)
        checks = (self._runaway(rate), self._rate_too_high(session, plateau), plateau, self._overfitting(session))
        return [f for f in checks if f]

    def _runaway(self, rate: float) -> Finding | None:
        window = self._window(RISE_EPOCHS)
        if not window:
            return None
        first, last = window[0], window[-1]
        epochs = last.epoch - first.epoch
        is_doubled = last.train_cost > RISE_FACTOR * first.train_cost  # (the record's best is never above first)
        best = min(r.train_cost for r in self.records) if is_doubled else first.train_cost
        if is_doubled and last.train_cost - best > RISE_MIN:
            evidence = said(advice.DIVERGING_COST, first=first.train_cost, last=last.train_cost, count=epochs,
                           best=best)
        elif last.largest_weight > WEIGHT_ALARM and last.largest_weight > WEIGHT_GROWTH * first.largest_weight:
            evidence = said(advice.DIVERGING_WEIGHT, first=first.largest_weight, last=last.largest_weight,
                           count=epochs)
        else:
            return None
        title, suggestion = advice.DIVERGING
        return finding("diverging", [said(title)], [evidence], [said(suggestion, rate=rate)], advice.lower_rate(rate))

    def _rate_too_high(self, session: TrainingSession, plateau: Finding | None) -> Finding | None:
        """Weights thrown far from their start while the fit is still poor: the rate, whatever the symptom."""
        last = self.records[-1] if self.records else None
        if last is None or last.accuracy is None or last.accuracy >= FAR_ACCURACY or session.steps == 0:
            return None  # (weights edited by hand before any step are no step's doing)
        start = float(np.abs(start_params(session)).max())
        growth = last.largest_weight / max(start, 1e-12)
        if growth < RATE_GROWTH:
            return None
        symptoms, neurons = [], []
        for found in self.deep_findings:
            if found["kind"] in ("dead_relu", "saturated"):
                neurons += found["neurons"]
                template = advice.SYMPTOM_DEAD if found["kind"] == "dead_relu" else advice.SYMPTOM_SATURATED
                symptoms.append(said(template, count=len(found["neurons"]), total=sum(session.mlp.sizes[1:-1])))
        if plateau is not None:
            symptoms.append(said(advice.SYMPTOM_FLAT, count=PLATEAU_EPOCHS))
        title, evidence, end, suggestion = advice.RATE_TOO_HIGH
        measure = said(advice.MEASURES["r2" if session.problem == Problem.REGRESSION else "accuracy"])
        text = [said(evidence, start=start, now=last.largest_weight, growth=growth, epoch=last.epoch,
                    measure=measure, quality=advice.percent(last.accuracy)), *symptoms, said(end)]
        rate = session.config.learning_rate
        return finding("rate_too_high", [said(title)], text, [said(suggestion)], advice.lower_rate(rate), neurons)

    def _plateau(self, session: TrainingSession) -> Finding | None:
        """A flat cost far from a fit: steps too small when the weights hardly moved, else too small a network."""
        window = self._window(PLATEAU_EPOCHS)
        if not window or window[-1].accuracy is None or window[-1].accuracy >= FAR_ACCURACY:
            return None
        half = len(window) // 2
        early = float(np.mean([r.train_cost for r in window[:half]]))
        late = float(np.mean([r.train_cost for r in window[half:]]))
        if abs(early - late) > PLATEAU_CHANGE * max(early, late):
            return None
        measure = said(advice.MEASURES["r2" if session.problem == Problem.REGRESSION else "accuracy"])
        evidence = said(advice.PLATEAU_EVIDENCE, cost=late, count=window[-1].epoch - window[0].epoch,
                       measure=measure, quality=advice.percent(window[-1].accuracy))
        start = start_params(session)
        moved = float(np.linalg.norm(session.mlp.params - start) / max(float(np.linalg.norm(start)), 1e-12))
        rate = session.config.learning_rate
        if moved < SLOW_MOVE and rate < MAX_LEARNING_RATE:
            more, suggestion = advice.TOO_SLOW
            return finding("plateau", [said(advice.PLATEAU)], [evidence, said(more, moved=advice.percent(moved, 1))],
                           [said(suggestion)], advice.raise_rate(rate))
        more, suggestion = advice.TOO_SMALL
        return finding("plateau", [said(advice.PLATEAU)], [evidence, said(more, moved=advice.percent(moved))],
                       [said(suggestion)], advice.grow(session.config))

    def _overfitting(self, session: TrainingSession) -> Finding | None:
        """The test cost (averaged over the last epochs, against noise) rose above its best while the
        training cost fell below what it was then, leaving a clear gap between the two."""
        recent = list(islice((r for r in reversed(self.records) if r.test_cost is not None), OVERFIT_SMOOTHING))[::-1]
        best = self.best_test
        if len(recent) < OVERFIT_SMOOTHING or best is None:
            return None
        test_now = float(np.mean([r.test_cost or 0.0 for r in recent]))
        train_now = float(np.mean([r.train_cost for r in recent]))
        assert best.test_cost is not None  # best_test only ever holds a record with a test cost
        rise = test_now - best.test_cost
        is_rising = rise > OVERFIT_RISE * best.test_cost and rise > OVERFIT_MIN and best.epoch < recent[0].epoch
        if not (is_rising and train_now < best.train_cost and test_now - train_now > OVERFIT_GAP):
            return None
        title, evidence, suggestion = advice.OVERFITTING
        text = said(evidence, epoch=best.epoch, best=best.test_cost, last=test_now, train_best=best.train_cost,
                   train_last=train_now)
        return finding("overfitting", [said(title)], [text], [said(suggestion)], advice.regularize(session.config))

def rank(findings: list[Finding]) -> list[Finding]:
    """Causes first (``RANK``); symptoms a present cause explains are dropped (told in its evidence)."""
    kinds = {f["kind"] for f in findings}
    if "diverged" in kinds:
        return [f for f in findings if f["kind"] == "diverged"]
    dropped = set(SYMPTOMS_OF_RATE) if "rate_too_high" in kinds else set()
    if kinds & EXPLAINS_PLATEAU:
        dropped.add("plateau")
    return sorted((f for f in findings if f["kind"] not in dropped), key=lambda f: RANK.index(f["kind"]))
