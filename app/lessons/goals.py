"""A step's goal: a closed, declarative vocabulary of conditions on a run's own figures.

Imports the standard library and ``app.lessons.measurements`` only. A goal is a mapping such as
``{test_accuracy: ">= 0.9", layers: "<= 1", within_epochs: 500, hold_epochs: 5}``: every condition
must hold at once, for ``hold_epochs`` epochs in a row, by epoch ``within_epochs`` (a budget, so
waiting never wins). ``GoalTracker`` is fed one ``Measurements`` per observation and says how far
the run is; a met goal stays met until the step is left.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.lessons.measurements import Measurements

# name → (label, how a value is shown, what it reads); "percent" figures are fractions shown as %.
METRICS: dict[str, tuple[str, str, Callable[[Measurements], float | None]]] = {
    "train_cost": ("training cost", "number", lambda m: m.train_cost),
    "test_cost": ("test cost", "number", lambda m: m.test_cost),
    "train_accuracy": ("training accuracy", "percent", lambda m: m.train_accuracy),
    "test_accuracy": ("test accuracy", "percent", lambda m: m.test_accuracy),
    "train_r2": ("training R²", "number", lambda m: m.train_r2),
    "test_r2": ("test R²", "number", lambda m: m.test_r2),
    "gap": ("test − training cost", "number", lambda m: m.gap),
    "params": ("parameters", "count", lambda m: m.params),
    "layers": ("hidden layers", "count", lambda m: m.layers),
    "epochs": ("epochs", "count", lambda m: m.epoch),
    "dead_relu": ("dead ReLUs", "percent", lambda m: m.dead_relu),
    "diverged": ("diverged", "flag", lambda m: float(m.is_diverged)),
}
WEIGHT = "weight"  # {layer, target, source (absent: the bias), value: "op number"}
BUDGET, HOLD = "within_epochs", "hold_epochs"
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq,
}
CONDITION = re.compile(r"\s*(>=|<=|==|>|<)\s*([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?)\s*")
MAX_BUDGET_EPOCHS = 100_000  # a budget longer than this is no budget


class GoalError(ValueError):
    """A goal that cannot be read; ``field`` names the key (``goal.test_accuracy``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Condition:
    """One figure compared with a target; ``weight`` is (layer, target, source or None) for a weight goal."""

    metric: str
    op: str
    target: float
    weight: tuple[int, int, int | None] | None = None

    def value(self, m: Measurements) -> float | None:
        """The figure this condition reads from an observation (None: not measurable, so not met)."""
        if self.weight is not None:
            layer, target, source = self.weight
            if layer >= len(m.weights) or target >= m.weights[layer].shape[1]:
                return None
            if source is None:
                return float(m.biases[layer][target])
            return float(m.weights[layer][source, target]) if source < m.weights[layer].shape[0] else None
        value = METRICS[self.metric][2](m)
        return None if value is None or not math.isfinite(value) else float(value)

    def holds(self, m: Measurements) -> bool:
        """Whether the observation meets this condition."""
        value = self.value(m)
        return value is not None and OPERATORS[self.op](value, self.target)


@dataclass(frozen=True)
class Goal:
    """All conditions at once, held ``hold_epochs`` epochs in a row, reached by epoch ``within_epochs``."""

    conditions: tuple[Condition, ...]
    within_epochs: int
    hold_epochs: int = 0


def _comparison(field: str, text: object) -> tuple[str, float]:
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise GoalError(field, f"must be an operator and a number like \">= 0.9\", got {text!r}")
    match = CONDITION.fullmatch(str(text) if isinstance(text, str) else f"== {text}")
    if match is None or not math.isfinite(float(match.group(2))):
        raise GoalError(field, f"must be an operator ({' '.join(OPERATORS)}) and a number like \">= 0.9\", "
                               f"got {text!r}")
    return match.group(1), float(match.group(2))


def _index(field: str, value: object, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise GoalError(field, f"must be a whole number of at least 0, got {value!r}")
    return value


def _count(field: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= MAX_BUDGET_EPOCHS:
        raise GoalError(field, f"must be a whole number from {least} to {MAX_BUDGET_EPOCHS}, got {value!r}")
    return value


def parse_goal(data: object) -> Goal:
    """A Goal from a step's ``goal`` mapping; raises GoalError naming the key and what is allowed."""
    if not isinstance(data, Mapping):
        raise GoalError("goal", "must be a mapping of figures to conditions, like {test_accuracy: \">= 0.9\"}")
    if BUDGET not in data:
        raise GoalError(f"goal.{BUDGET}", "is required: a goal needs a budget of epochs, so waiting never wins")
    conditions: list[Condition] = []
    for key, value in data.items():
        field = f"goal.{key}"
        if key in (BUDGET, HOLD):
            continue
        if key == "diverged":
            if not isinstance(value, bool):
                raise GoalError(field, f"must be true or false, got {value!r}")
            conditions.append(Condition("diverged", "==", float(value)))
        elif key == WEIGHT:
            conditions.append(_weight_condition(field, value))
        elif key in METRICS:
            conditions.append(Condition(str(key), *_comparison(field, value)))
        else:
            known = ", ".join([*METRICS, WEIGHT, BUDGET, HOLD])
            raise GoalError(field, f"is not a goal figure; known: {known}")
    if not conditions:
        raise GoalError("goal", "names no figure to reach")
    within = _count(f"goal.{BUDGET}", data[BUDGET], 1)
    hold = _count(f"goal.{HOLD}", data.get(HOLD, 0), 0)
    return Goal(tuple(conditions), within, hold)


def _weight_condition(field: str, value: object) -> Condition:
    if not isinstance(value, Mapping) or set(value) - {"layer", "target", "source", "value"} or "value" not in value:
        raise GoalError(field, "must be {layer, target, source (leave out for the bias), value: \">= 1\"}")
    layer = _index(f"{field}.layer", value.get("layer"))
    target = _index(f"{field}.target", value.get("target"))
    source = _index(f"{field}.source", value.get("source"), optional=True)
    assert layer is not None and target is not None  # not optional
    return Condition(WEIGHT, *_comparison(f"{field}.value", value["value"]), weight=(layer, target, source))


def show(condition: Condition, value: float | None) -> str:
    """A figure as the page shows it: '84 %', '0.213', '17', 'yes'."""
    if value is None:
        return "—"
    kind = "number" if condition.weight is not None else METRICS[condition.metric][1]
    if kind == "percent":
        return f"{round(value * 100)} %"
    if kind == "count":
        return str(round(value))
    if kind == "flag":
        return "yes" if value else "no"
    return f"{value:.3g}"


def label(condition: Condition) -> str:
    """What a condition is about: 'test accuracy', 'weight 0:1→0'."""
    if condition.weight is None:
        return METRICS[condition.metric][0]
    layer, target, source = condition.weight
    return f"bias of neuron {target} in layer {layer + 1}" if source is None \
        else f"weight {source}→{target} of layer {layer + 1}"


SHOWN_OPERATORS = {"<=": "≤", "<": "<", "==": "="}  # how a goal that is not "at least" reads


def condition_text(condition: Condition, value: float | None) -> str:
    """'test accuracy 84 % of 90 %' for an at-least goal; 'parameters 105, wanted ≤ 20' otherwise."""
    if condition.op in (">=", ">"):
        return f"{label(condition)} {show(condition, value)} of {show(condition, condition.target)}"
    wanted = SHOWN_OPERATORS[condition.op]
    if condition.weight is None and METRICS[condition.metric][1] == "flag":
        return f"{label(condition)}: {show(condition, value)}, wanted {show(condition, condition.target)}"
    return f"{label(condition)} {show(condition, value)}, wanted {wanted} {show(condition, condition.target)}"


class GoalTracker:
    """Follows one step's goal through a run's observations; reset when the run starts again."""

    def __init__(self, goal: Goal) -> None:
        self.goal = goal
        self.is_met = False
        self.met_epoch: int | None = None
        self.streak_from: int | None = None  # the first epoch of the current run of observations that hold
        self.last: Measurements | None = None

    def observe(self, m: Measurements) -> bool:
        """Take one observation; returns whether the goal is met (it stays met once it is)."""
        if self.last is not None and m.epoch < self.last.epoch:  # a reset or a rewind: a new attempt
            self.streak_from = None
        self.last = m
        if self.is_met:
            return True
        if m.epoch <= self.goal.within_epochs and all(c.holds(m) for c in self.goal.conditions):
            self.streak_from = m.epoch if self.streak_from is None else self.streak_from
            if m.epoch - self.streak_from >= self.goal.hold_epochs:
                self.is_met, self.met_epoch = True, m.epoch
        else:
            self.streak_from = None
        return self.is_met

    @property
    def is_out_of_budget(self) -> bool:
        """Whether the run used its budget of epochs without meeting the goal."""
        return not self.is_met and self.last is not None and self.last.epoch > self.goal.within_epochs

    def progress(self) -> dict[str, Any]:
        """JSON-ready: each condition's value and target, the epochs used and held, and a one-line text."""
        m = self.last
        items: list[dict[str, Any]] = []
        for c in self.goal.conditions:
            value = None if m is None else c.value(m)
            items.append({"metric": c.metric, "label": label(c), "op": c.op, "target": c.target, "value": value,
                          "is_met": m is not None and c.holds(m),
                          "text": condition_text(c, value)})
        epoch = 0 if m is None else m.epoch
        held = 0 if self.streak_from is None else epoch - self.streak_from
        parts = [item["text"] for item in items] + [f"{min(epoch, self.goal.within_epochs)} of "
                                                    f"{self.goal.within_epochs} epochs"]
        if self.goal.hold_epochs:
            parts.append(f"held {min(held, self.goal.hold_epochs)} of {self.goal.hold_epochs} epochs")
        return {"conditions": items, "epoch": epoch, "within_epochs": self.goal.within_epochs,
                "held_epochs": held, "hold_epochs": self.goal.hold_epochs, "is_met": self.is_met,
                "met_epoch": self.met_epoch, "is_out_of_budget": self.is_out_of_budget, "text": ", ".join(parts)}
