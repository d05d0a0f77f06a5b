"""Pins: earlier runs' cost curves kept beside the current run, to compare them on one chart.

Imports numpy, the standard library and the training layer's own modules only. Pinning copies
the current run's settings and its training and test cost curve (thinned to at most
``PIN_POINTS`` points, enough for a chart a few hundred pixels wide); at most ``MAX_PINS`` are
kept. Pins belong to the session, not to one run: a reset or new settings keep them, an export
carries them and an import restores them. The page labels each pin by the settings that differ
from the current ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.data.datasets import show_value
from app.errors import InputError
from app.i18n import refusal
from app.training.config import FIELDS, coerce
from app.training.history import History

MAX_PINS = 4  # pinned runs at most; the chart stays readable
PIN_POINTS = 200  # points of a pinned curve at most
MAX_PIN_ID = 2**31 - 1  # pin ids are positive 31-bit integers


@dataclass(frozen=True)
class Pin:
    """One pinned run: its id, its settings (JSON-ready) and its curve (rising steps, None for unknown)."""

    id: int
    config: dict[str, Any]
    step: list[int]
    epoch: list[int]
    train_cost: list[float | None]
    test_cost: list[float | None]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "config": self.config, "step": self.step, "epoch": self.epoch,
                "train_cost": self.train_cost, "test_cost": self.test_cost}


def _known(values: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else v for v in values.tolist()]


class Pins:
    """The pinned runs of a session, oldest first."""

    def __init__(self) -> None:
        self.items: list[Pin] = []
        self.next_id = 1

    def __len__(self) -> int:
        return len(self.items)

    def pin(self, config: Mapping[str, Any], history: History) -> Pin:
        """Pin a run with these settings (``ExperimentConfig.to_dict()``) and this history."""
        if len(self.items) >= MAX_PINS:
            raise refusal("pins", "error.pins.full", max=MAX_PINS)
        if len(history) < 2:
            raise refusal("pins", "error.pins.empty")
        keep = np.unique(np.linspace(0, len(history) - 1, min(len(history), PIN_POINTS)).round().astype(int))
        pin = Pin(self.next_id, dict(config), history.steps[keep].tolist(), history.epochs[keep].tolist(),
                  _known(history.figures["train_cost"][keep]), _known(history.figures["test_cost"][keep]))
        self.items.append(pin)
        self.next_id += 1
        return pin

    def unpin(self, pin_id: int) -> None:
        """Forget one pinned run; raises InputError("pin") if there is none with that id."""
        ids = [pin.id for pin in self.items]
        if pin_id not in ids:
            if not ids:
                raise refusal("pin", "error.pins.none_pinned", got=show_value(pin_id))
            raise refusal("pin", "error.pins.id", ids=", ".join(map(str, ids)), got=show_value(pin_id))
        self.items = [pin for pin in self.items if pin.id != pin_id]

    def to_list(self) -> list[dict[str, Any]]:
        """JSON-ready, for the ``pins`` message and the export."""
        return [pin.to_dict() for pin in self.items]

    @classmethod
    def from_list(cls, data: Any) -> Pins:
        """Pins read back from ``to_list``; raises InputError naming the first bad field (``pins[1].step``)."""
        pins = cls()
        if not isinstance(data, list) or len(data) > MAX_PINS:
            raise refusal("pins", "error.pins.list", max=MAX_PINS)
        for index, item in enumerate(data):
            pins.items.append(_pin(item, f"pins[{index}]"))
        ids = [pin.id for pin in pins.items]
        if len(set(ids)) != len(ids):
            raise refusal("pins", "error.pins.unique")
        pins.next_id = max(ids, default=0) + 1
        return pins


def _pin(item: Any, path: str) -> Pin:
    if not isinstance(item, Mapping):
        raise refusal(path, "error.file.object")
    pin_id = item.get("id")
    if type(pin_id) is not int or not 1 <= pin_id <= MAX_PIN_ID:
        raise refusal(f"{path}.id", "error.pins.id_range", max=MAX_PIN_ID, got=show_value(pin_id))
    config = item.get("config")
    if not isinstance(config, Mapping) or set(config) != set(FIELDS):
        raise refusal(f"{path}.config", "error.pins.config")
    checked: dict[str, Any] = {}
    for name in FIELDS:
        try:
            value = coerce(name, config[name])
        except InputError as error:
            raise InputError(f"{path}.config.{error.field}", error.message, error.key, error.params) from None
        checked[name] = list(value) if isinstance(value, tuple) else value
    steps, epochs = item.get("step"), item.get("epoch")
    for name, values in (("step", steps), ("epoch", epochs)):
        if not isinstance(values, list) or not 2 <= len(values) <= PIN_POINTS \
                or not all(type(v) is int and 0 <= v < 2**53 for v in values):
            raise refusal(f"{path}.{name}", "error.pins.points", max=PIN_POINTS)
    assert isinstance(steps, list) and isinstance(epochs, list)
    if len(epochs) != len(steps) or any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
        raise refusal(f"{path}.step", "error.pins.rise")
    costs = []
    for name in ("train_cost", "test_cost"):
        values = item.get(name)
        if not isinstance(values, list) or len(values) != len(steps) or not all(
                v is None or (type(v) in (int, float) and math.isfinite(v)) for v in values):
            raise refusal(f"{path}.{name}", "error.file.figures", count=len(steps))
        costs.append([None if v is None else float(v) for v in values])
    return Pin(pin_id, checked, list(steps), list(epochs), costs[0], costs[1])
