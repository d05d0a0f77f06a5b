"""History: a run's training and test cost (and accuracy or R²) over time, in bounded memory.

Imports numpy and the standard library only. One point is recorded per snapshot that
follows training (the page draws one per frame). When ``capacity`` points are held,
neighbouring points are merged pairwise (the mean of each figure, at the later step) and
from then on every ``stride`` recordings are merged into one before they are kept, so a
long run keeps the shape of its whole curve in at most ``capacity`` points.
A missing figure (no test points, a cost that could not be computed) is NaN here and
becomes a cleared bit in ``present`` on the wire.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from app.i18n import refusal

HISTORY_POINTS = 2000  # points kept at most; a chart is a few hundred pixels wide
FIGURES = ("train_cost", "test_cost", "train_metric", "test_metric")  # the series, in wire order

Array = np.ndarray


class History:
    """Points (step, epoch, train_cost, test_cost, train_metric, test_metric), oldest first.

    steps, epochs: (n,) int64; figures[name]: (n,) float64 with NaN for unknown.
    """

    def __init__(self, capacity: int = HISTORY_POINTS) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self.capacity = capacity
        self.clear()

    def clear(self) -> None:
        """Forget every point (a new run)."""
        self.steps = np.zeros(0, dtype=np.int64)
        self.epochs = np.zeros(0, dtype=np.int64)
        self.figures = {name: np.zeros(0) for name in FIGURES}
        self.stride = 1  # recordings merged into each new point
        self._pending: list[tuple[int, int, tuple[float, ...]]] = []

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"History({len(self)} points, stride {self.stride}, last step {self.last_step})"

    @property
    def last_step(self) -> int:
        """The step of the newest recording, kept or pending (0 for an empty history)."""
        if self._pending:
            return self._pending[-1][0]
        return int(self.steps[-1]) if len(self.steps) else 0

    def record(self, step: int, epoch: int, values: tuple[float | None, ...]) -> None:
        """Add one recording; values follow FIGURES, None for unknown. A step already recorded is ignored."""
        if step <= self.last_step:
            return
        self._pending.append((step, epoch, tuple(math.nan if v is None else float(v) for v in values)))
        if len(self._pending) < self.stride:
            return
        pending, self._pending = self._pending, []
        merged = np.array([v for _, _, v in pending])
        means = _nanmean(merged, axis=0)
        self._append(pending[-1][0], pending[-1][1], means)
        if len(self.steps) >= self.capacity:
            self._halve()

    def _append(self, step: int, epoch: int, values: Array) -> None:
        self.steps = np.append(self.steps, step)
        self.epochs = np.append(self.epochs, epoch)
        for name, value in zip(FIGURES, values, strict=True):
            self.figures[name] = np.append(self.figures[name], value)

    def _halve(self) -> None:
        """Merge neighbouring points pairwise; later points are merged as many recordings each."""
        self.steps, self.epochs = self.steps[1::2].copy(), self.epochs[1::2].copy()
        for name in FIGURES:
            self.figures[name] = _nanmean(self.figures[name].reshape(-1, 2), axis=1)
        self.stride *= 2

    def truncated(self, step: int) -> History:
        """A copy that ends at ``step``: the points and pending recordings after it left out (a rewind)."""
        copy = History(self.capacity)
        keep = self.steps <= step
        copy.steps, copy.epochs = self.steps[keep].copy(), self.epochs[keep].copy()
        copy.figures = {name: values[keep].copy() for name, values in self.figures.items()}
        copy.stride = self.stride
        copy._pending = [recording for recording in self._pending if recording[0] <= step]
        return copy

    # ----- export and import -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: lists of numbers, None for unknown figures."""
        return {
            "stride": self.stride,
            "step": self.steps.tolist(),
            "epoch": self.epochs.tolist(),
            **{name: [None if math.isnan(v) else v for v in self.figures[name].tolist()] for name in FIGURES},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], max_step: int, max_epoch: int) -> History:
        """A history read back from ``to_dict``; raises InputError naming the first bad field.

        Steps must rise strictly and stay within the run's counters (max_step, max_epoch).
        """
        history = cls()
        if not isinstance(data, Mapping):
            raise refusal("history", "error.file.object")
        steps = _whole_numbers(data.get("step"), "history.step", max_step)
        epochs = _whole_numbers(data.get("epoch"), "history.epoch", max_epoch)
        if len(steps) >= history.capacity:
            raise refusal("history.step", "error.file.fewer_points", max=history.capacity)
        if len(epochs) != len(steps) or np.any(np.diff(steps) <= 0) or np.any(np.diff(epochs) < 0):
            raise refusal("history.step", "error.file.history_rise")
        stride = data.get("stride")
        if type(stride) is not int or not 1 <= stride <= 2**40 or stride & (stride - 1):
            raise refusal("history.stride", "error.file.stride")
        history.steps, history.epochs, history.stride = steps, epochs, stride
        for name in FIGURES:
            history.figures[name] = _figures(data.get(name), f"history.{name}", len(steps))
        return history


def _whole_numbers(value: Any, field: str, maximum: int) -> Array:
    if not isinstance(value, list) or not all(type(v) is int and 0 <= v <= maximum for v in value):
        raise refusal(field, "error.file.whole_numbers", max=maximum)
    return np.array(value, dtype=np.int64)


def _figures(value: Any, field: str, length: int) -> Array:
    is_numbers = isinstance(value, list) and all(
        v is None or (type(v) in (int, float) and abs(v) <= 1e300) for v in value)
    if not is_numbers or len(value) != length:
        raise refusal(field, "error.file.figures", count=length)
    return np.array([math.nan if v is None else float(v) for v in value], dtype=np.float64)


def _nanmean(values: Array, axis: int) -> Array:
    """The mean over ``axis`` of the known (non-NaN) values; NaN where none is known."""
    known = ~np.isnan(values)
    counts = known.sum(axis=axis)
    sums = np.where(known, values, 0.0).sum(axis=axis)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
