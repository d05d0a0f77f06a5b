"""What the live diagnosis says: each finding's words, and the one change its button applies.

Imports the standard library, the message catalogues and the training layer's
configuration only. Every user-facing sentence of the diagnosis is a catalogue key
named here, filled in by ``app.training.diagnosis`` with the numbers of the evidence.
An action is what the page's button sends: a
``configure`` command's ``changes`` and, when the weights themselves are
spoilt (dead or saturated neurons, weights thrown far by large steps), a
``reset`` after it, so the run starts again from its first weights.
"""

from __future__ import annotations

from typing import Any

from app.i18n import DEFAULT_LANGUAGE, Said, said, translate
from app.training.config import (
    FIELDS,
    MAX_LEARNING_RATE,
    MAX_NEURONS,
    MAX_REGULARIZATION_RATE,
    MIN_LEARNING_RATE,
    ExperimentConfig,
)

Finding = dict[str, Any]
Action = dict[str, Any]

# ----- the changes suggested ---------------------------------------------------------------
RATE_STEP = 10.0  # a learning rate too high or too low is changed tenfold: rates matter by order of magnitude
WIDER_NEURONS = 8  # a network too small gets at least this many neurons per hidden layer (measured on the spiral)
# Input features added, in this order, to a network too simple for its pattern: the first group not all in use.
FEATURE_GROUPS = (("sin_x1", "sin_x2"), ("x1_sq", "x2_sq"), ("x1_x2",))
L2_RATE = 0.03  # the first L2 rate against overfitting (0.01 helped half as much on a noisy 10 % split)
REGULARIZATION_STEP = 3.0  # a penalty already in use and still overfitting is made this much stronger

# ----- the words ---------------------------------------------------------------------------
# Every sentence is a key of the message catalogues (locales/*.json, under ``diagnosis``); a finding
# carries each text in English and as its parts (``said``), so the page words it in its own language.
DIVERGED = ("diagnosis.diverged.title", "diagnosis.diverged.evidence", "diagnosis.diverged.suggestion")
DIVERGING_COST = "diagnosis.diverging.evidence_cost"
DIVERGING_WEIGHT = "diagnosis.diverging.evidence_weight"
DIVERGING = ("diagnosis.diverging.title", "diagnosis.diverging.suggestion")
RATE_TOO_HIGH = ("diagnosis.rate_too_high.title", "diagnosis.rate_too_high.evidence",
                 "diagnosis.rate_too_high.evidence_end", "diagnosis.rate_too_high.suggestion")
SYMPTOM_DEAD = "diagnosis.symptom.dead"
SYMPTOM_SATURATED = "diagnosis.symptom.saturated"
SYMPTOM_FLAT = "diagnosis.symptom.flat"
MEASURES = {"accuracy": "diagnosis.measure.accuracy", "r2": "diagnosis.measure.r2"}  # what "quality" is
PLATEAU = "diagnosis.plateau.title"
PLATEAU_EVIDENCE = "diagnosis.plateau.evidence"
TOO_SLOW = ("diagnosis.plateau.too_slow", "diagnosis.plateau.too_slow_suggestion")
TOO_SMALL = ("diagnosis.plateau.too_small", "diagnosis.plateau.too_small_suggestion")
OVERFITTING = ("diagnosis.overfitting.title", "diagnosis.overfitting.evidence", "diagnosis.overfitting.suggestion")
DEAD = ("diagnosis.dead.title", "diagnosis.dead.evidence", "diagnosis.dead.suggestion")
SATURATED = ("diagnosis.saturated.title", "diagnosis.saturated.evidence", "diagnosis.saturated.suggestion")
IDENTICAL = ("diagnosis.identical.title", "diagnosis.identical.evidence", "diagnosis.identical.suggestion")
VANISHING = ("diagnosis.vanishing.title", "diagnosis.vanishing.evidence", "diagnosis.vanishing.suggestion")
VANISHING_DEEP = "diagnosis.vanishing.suggestion_deep"  # for ReLU-like nets
NEURON_NAME = "diagnosis.neuron_name"  # "3 of layer 1", listed in the evidence

LOWER_RATE = "diagnosis.action.lower_rate"
RAISE_RATE = "diagnosis.action.raise_rate"
USE = {"leaky_relu": "diagnosis.action.use_leaky_relu", "relu": "diagnosis.action.use_relu",
       "xavier": "diagnosis.action.use_xavier"}
ADD_L2 = "diagnosis.action.add_l2"
STRONGER = "diagnosis.action.stronger"
GROW = "diagnosis.action.grow"
WIDEN = "diagnosis.action.widen"
ADD_FEATURES = "diagnosis.action.add_features"
ADD_LAYER = "diagnosis.action.add_layer"

def percent(share: float, decimals: int = 0) -> float | int:
    """A share in [0, 1] as the number a text shows before its "%" (the catalogue places the sign)."""
    value = round(share * 100, decimals)
    return int(value) if decimals == 0 else value


def words(parts: list[Said]) -> str:
    """The parts in English, joined as they are (each part carries its own spaces and punctuation)."""
    return "".join(translate(DEFAULT_LANGUAGE, part["key"], **part["args"]) for part in parts)


def finding(kind: str, title: list[Said], evidence: list[Said], suggestion: list[Said], action: Action | None = None,
            neurons: list[list[int]] | None = None) -> Finding:
    """One finding as the frame carries it (docs/protocol.md, ``frame.diagnoses``): English texts and their parts."""
    return {"kind": kind, "title": words(title), "evidence": words(evidence), "suggestion": words(suggestion),
            "said": {"title": title, "evidence": evidence, "suggestion": suggestion},
            "action": action, "neurons": neurons or []}


def configure(label: Said, *, reset: bool = False, **changes: Any) -> Action:
    """A button: its words, a ``configure`` command's changes, and a ``reset`` after it when ``reset``."""
    return {"label": words([label]), "said": [label], "changes": changes, "reset": reset}


def _rate(value: float) -> float:
    """A learning rate rounded to 3 significant digits within the engine's limits."""
    return min(MAX_LEARNING_RATE, max(MIN_LEARNING_RATE, float(f"{value:.3g}")))


def lower_rate(rate: float) -> Action | None:
    """A tenfold lower rate and a fresh start (the weights the high rate threw away are no use)."""
    lower = _rate(rate / RATE_STEP)
    return configure(said(LOWER_RATE, rate=lower), reset=True, learning_rate=lower) if lower < rate else None


def raise_rate(rate: float) -> Action | None:
    """A tenfold higher rate, the weights kept."""
    higher = _rate(rate * RATE_STEP)
    return configure(said(RAISE_RATE, rate=higher), learning_rate=higher) if higher > rate else None


def grow(config: ExperimentConfig) -> Action | None:
    """More input features (the first group not all in use) and wider hidden layers; a network with no
    hidden layer (one neuron, one straight line) gets one hidden layer and nothing else."""
    if not config.hidden_layers:
        return configure(said(ADD_LAYER, count=WIDER_NEURONS), hidden_layers=[WIDER_NEURONS])
    choices = FIELDS["features"].choices
    added = next((group for group in FEATURE_GROUPS if not set(group) <= set(config.features)), ())
    widths = [min(MAX_NEURONS, max(WIDER_NEURONS, width)) for width in config.hidden_layers]
    changes: dict[str, Any] = {}
    if added:
        changes["features"] = [name for name in choices if name in config.features or name in added]
    if widths != list(config.hidden_layers):
        changes["hidden_layers"] = widths
    if not changes:
        return None
    neurons = max(widths)
    label = (said(GROW, features=" + ".join(added), count=neurons) if added and "hidden_layers" in changes
             else said(WIDEN, count=neurons) if not added else said(ADD_FEATURES, features=" + ".join(added)))
    return configure(label, **changes)


def regularize(config: ExperimentConfig) -> Action | None:
    """L2 when there is no penalty yet, else the same penalty stronger."""
    if config.regularization == "none":
        return configure(said(ADD_L2, rate=L2_RATE), regularization="l2", regularization_rate=L2_RATE)
    stronger = min(MAX_REGULARIZATION_RATE, float(f"{max(config.regularization_rate, 1e-4) * REGULARIZATION_STEP:.3g}"))
    if stronger <= config.regularization_rate:
        return None
    return configure(said(STRONGER, rate=stronger), regularization_rate=stronger)


def use(**changes: str) -> Action:
    """A button that switches one choice (activation or initialisation)."""
    (value,) = changes.values()
    return {"label": words([said(USE[value])]), "said": [said(USE[value])], "changes": changes, "reset": False}
