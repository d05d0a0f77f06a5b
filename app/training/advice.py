"""What the live diagnosis says: each finding's words, and the one change its button applies.

Imports the standard library and the training layer's configuration only. Every
user-facing sentence of the diagnosis is a named template here (ready to move
into a message catalogue), filled in by ``app.training.diagnosis`` with the
numbers of the evidence. An action is what the page's button sends: a
``configure`` command's ``changes`` and, when the weights themselves are
spoilt (dead or saturated neurons, weights thrown far by large steps), a
``reset`` after it, so the run starts again from its first weights.
"""

from __future__ import annotations

from typing import Any

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
DIVERGED = ("The run blew up", "The weights stopped being finite numbers at learning rate {rate:g}.",
            "Each step overshoots: lower the learning rate and start again.")
DIVERGING_COST = "The training cost rose from {first:.3g} to {last:.3g} in {epochs} epochs (its best was {best:.3g})."
DIVERGING_WEIGHT = "The largest weight grew from {first:.3g} to {last:.3g} in {epochs} epochs."
DIVERGING = ("About to diverge", "Each step overshoots: the learning rate {rate:g} is too high for this network.")
RATE_TOO_HIGH = ("The learning rate is too high",
                 "The largest weight grew from {start:.3g} to {now:.3g} (×{growth:.2g}) by epoch {epoch}, and the "
                 "training {measure} is only {quality:.0%}{symptoms}: steps this large throw the weights where "
                 "they stop learning.",
                 "Lower the learning rate and start again from the first weights.")
SYMPTOM_DEAD = "{count} of {total} ReLU neurons output 0 for every point"
SYMPTOM_SATURATED = "{count} of {total} neurons are saturated"
SYMPTOM_FLAT = "the cost has not moved for {epochs} epochs"
PLATEAU = "Stuck on a plateau"
PLATEAU_EVIDENCE = ("The training cost has stayed near {cost:.3g} for {epochs} epochs, with the training {measure} "
                    "at {quality:.0%}.")
TOO_SLOW = (" Since the start the weights moved by only {moved:.1%} of their size.",
            "Steps are too small to leave the flat stretch: raise the learning rate.")
TOO_SMALL = (" The weights keep moving (by {moved:.0%} of their size since the start), yet the cost does not "
             "fall: the network has too few neurons or input features to draw this pattern.",
             "Give it more to work with: more input features and more neurons per layer.")
OVERFITTING = ("Overfitting",
               "Since epoch {epoch} the test cost rose from {best:.3g} to {last:.3g} (the last epochs' mean) while the "
               "training cost fell from {train_best:.3g} to {train_last:.3g}: the network is learning these points, "
               "not the pattern.",
               "Penalise large weights (regularisation), or use more points (or more of them for training).")
DEAD = ("Dead ReLU neurons",
        "Neuron{s} {names} output 0 for all {points} training points, so no gradient reaches their weights and "
        "they never learn again.",
        "Use leaky ReLU (its slope never reaches 0), a lower learning rate, or new weights.")
SATURATED = ("Saturated neurons",
             "Neuron{s} {names} have |z| beyond {limit:g} for at least {share:.0%} of the training points, where their "
             "slope f′(z) is almost 0: gradients barely pass through them.",
             "Start from smaller weights (Xavier initialisation) or lower the learning rate.")
IDENTICAL = ("Neurons that are copies of each other",
             "Every neuron of layer {layers} gives the same output up to sign and scale (correlation beyond ± "
             "{limit:g} over the training points): the layer works like one neuron. The initialisation draws "
             "every weight from the same range whatever the layer's width.",
             "Start from weights scaled to the layer (Xavier) so neurons begin different.")
VANISHING = ("Vanishing gradients",
             "Over the training points the first layer's weights get a mean |dC/dw| of {first:.2g}, {ratio:.2g} "
             "times smaller than the last layer's ({last:.2g}): through {depth} {activation} layers the early ones "
             "hardly learn.",
             "Use ReLU: its slope is 1 wherever it is active, so the gradient reaches the first layers.")
VANISHING_DEEP = "Use fewer hidden layers: each one shrinks the gradient on its way back."  # for ReLU-like nets

LOWER_RATE = "Lower the learning rate to {rate:g} and start again"
RAISE_RATE = "Raise the learning rate to {rate:g}"
USE = {"leaky_relu": "Use leaky ReLU", "relu": "Use ReLU", "xavier": "Use Xavier initialisation"}
ADD_L2 = "Add L2 regularisation (rate {rate:g})"
STRONGER = "Raise the regularisation rate to {rate:g}"
GROW = "Add {features} and {neurons} neurons per layer"
WIDEN = "Use {neurons} neurons per layer"
ADD_LAYER = "Add a hidden layer of {neurons} neurons"


def finding(kind: str, title: str, evidence: str, suggestion: str, action: Action | None = None,
            neurons: list[list[int]] | None = None) -> Finding:
    """One finding as the frame carries it (docs/protocol.md, ``frame.diagnoses``)."""
    return {"kind": kind, "title": title, "evidence": evidence, "suggestion": suggestion,
            "action": action, "neurons": neurons or []}


def configure(label: str, *, reset: bool = False, **changes: Any) -> Action:
    """A button: a ``configure`` command's changes, and a ``reset`` after it when ``reset``."""
    return {"label": label, "changes": changes, "reset": reset}


def _rate(value: float) -> float:
    """A learning rate rounded to 3 significant digits within the engine's limits."""
    return min(MAX_LEARNING_RATE, max(MIN_LEARNING_RATE, float(f"{value:.3g}")))


def lower_rate(rate: float) -> Action | None:
    """A tenfold lower rate and a fresh start (the weights the high rate threw away are no use)."""
    lower = _rate(rate / RATE_STEP)
    return configure(LOWER_RATE.format(rate=lower), reset=True, learning_rate=lower) if lower < rate else None


def raise_rate(rate: float) -> Action | None:
    """A tenfold higher rate, the weights kept."""
    higher = _rate(rate * RATE_STEP)
    return configure(RAISE_RATE.format(rate=higher), learning_rate=higher) if higher > rate else None


def grow(config: ExperimentConfig) -> Action | None:
    """More input features (the first group not all in use) and wider hidden layers; a network with no
    hidden layer (one neuron, one straight line) gets one hidden layer and nothing else."""
    if not config.hidden_layers:
        return configure(ADD_LAYER.format(neurons=WIDER_NEURONS), hidden_layers=[WIDER_NEURONS])
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
    label = (GROW.format(features=" and ".join(added), neurons=neurons) if added and "hidden_layers" in changes
             else WIDEN.format(neurons=neurons) if not added else f"Add {' and '.join(added)}")
    return configure(label, **changes)


def regularize(config: ExperimentConfig) -> Action | None:
    """L2 when there is no penalty yet, else the same penalty stronger."""
    if config.regularization == "none":
        return configure(ADD_L2.format(rate=L2_RATE), regularization="l2", regularization_rate=L2_RATE)
    stronger = min(MAX_REGULARIZATION_RATE, float(f"{max(config.regularization_rate, 1e-4) * REGULARIZATION_STEP:.3g}"))
    if stronger <= config.regularization_rate:
        return None
    return configure(STRONGER.format(rate=stronger), regularization_rate=stronger)


def use(**changes: str) -> Action:
    """A button that switches one choice (activation or initialisation)."""
    (value,) = changes.values()
    return {"label": USE[value], "changes": changes, "reset": False}
