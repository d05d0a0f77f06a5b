"""Points a user supplies (drawn or uploaded as CSV), validated into a ``Dataset``.

Imports numpy, the standard library and the engine only: no web code.
Every refusal is a ``DataError`` whose message names the first bad row, counted from 1 as a
person counts the rows of a file. Binary labels may be 0 and 1 or, as TensorFlow Playground
writes them, -1 and +1 (-1 is class 0).
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.data.datasets import (
    EXTENT,
    MAX_CLASSES,
    MAX_POINTS,
    MAX_TARGET,
    MIN_CLASSES,
    DataError,
    Dataset,
    Problem,
    check_range,
    in_range,
    make_dataset,
    show_value,
)
from app.i18n import refused

MIN_USER_POINTS = 4  # user-supplied data: MIN_USER_POINTS..MAX_POINTS rows
CLASS_COLUMNS = ("x1", "x2", "label")  # what a user-supplied row holds for classification
TARGET_COLUMNS = ("x1", "x2", "target")  # what a user-supplied row holds for regression
ROWS_FIELD = "rows"  # the field that holds the rows, in the set_data command and in an export's data
FLOAT_MAX = sys.float_info.max  # a value a float64 cannot hold is refused before any conversion
SIGNED_LABELS = (-1.0, 1.0)  # TensorFlow Playground's binary labels: -1 is class 0, +1 class 1


def _row_values(index: int, row: object, columns: tuple[str, ...]) -> tuple[float, float, float]:
    """One user row -> (x1, x2, label); rejects rows that are not exactly len(columns) finite numbers.
    ``index`` counts from 1."""
    if isinstance(row, np.ndarray):
        row = row.tolist()
    if isinstance(row, str | bytes) or not isinstance(row, Sequence):
        raise refused(DataError, ROWS_FIELD, "error.data.row_shape", row=index, got=show_value(row),
                      columns=", ".join(columns))
    if len(row) != len(columns):
        raise refused(DataError, ROWS_FIELD, "error.data.row_length", row=index, count=len(row),
                      columns=", ".join(columns))
    for name, value in zip(columns, row, strict=True):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not in_range(value, -FLOAT_MAX, FLOAT_MAX):
            raise refused(DataError, ROWS_FIELD, "error.data.row_not_finite", row=index, name=name,
                          value=show_value(value))
    return float(row[0]), float(row[1]), float(row[2])


def _reject_rows(is_bad: np.ndarray, name: str, values: np.ndarray, reason: str, **args: Any) -> None:
    """Raises DataError(ROWS_FIELD) naming the first row (from 1) where is_bad (n,) holds; values (n,).
    ``reason`` is the catalogue key of what is wrong with it, ``args`` its arguments."""
    if is_bad.any():
        index = int(np.argmax(is_bad))
        raise refused(DataError, ROWS_FIELD, "error.data.row_value", row=index + 1, name=name,
                      value=float(values[index]), reason={"key": reason, "args": args})


def _binary_labels(labels: np.ndarray) -> np.ndarray:
    """(n,) labels as 0/1: -1/+1 labels (with at least one -1 and nothing else) become 0/1."""
    if np.isin(labels, SIGNED_LABELS).all() and (labels == -1.0).any():
        return np.where(labels < 0, 0.0, 1.0)
    return labels


def _class_count(labels: np.ndarray, problem: Problem, classes: int | None) -> int:
    """Checks (n,) float64 class labels and returns the class count."""
    is_binary = problem is Problem.BINARY
    allowed = "error.data.not_binary_class" if is_binary else "error.data.not_class_index"
    _reject_rows((labels != np.round(labels)) | (labels < 0), "label", labels, allowed)
    if problem is Problem.BINARY:
        n_classes = 2
    elif classes is None:
        n_classes = int(labels.max()) + 1
        if not MIN_CLASSES <= n_classes <= MAX_CLASSES:
            raise refused(DataError, "classes", "error.data.classes", min=MIN_CLASSES, max=MAX_CLASSES, got=n_classes)
    else:
        check_range("classes", classes, MIN_CLASSES, MAX_CLASSES, is_integer=True)
        n_classes = int(classes)
    _reject_rows(labels >= n_classes, "label", labels, "error.data.outside", last=n_classes - 1)
    if len(np.unique(labels)) < 2:
        raise refused(DataError, ROWS_FIELD, "error.data.two_classes", label=float(labels[0]))
    return n_classes


def from_rows(rows: Sequence[Sequence[float]], problem: Problem | str, classes: int | None = None) -> Dataset:
    """User-supplied data: rows (n, 3) of x1, x2, label_or_target -> Dataset with points (n, 2).

    Binary labels are 0 or 1, or -1 and 1 (TensorFlow Playground's; -1 is class 0); multiclass
    labels are 0..classes-1 with classes in MIN_CLASSES..MAX_CLASSES
    (default: 1 + the largest label); classification needs at least two distinct labels. Regression
    targets lie in [-1, 1]. ``classes`` is ignored unless the problem is multiclass. Raises DataError.
    """
    if problem not in tuple(Problem):
        raise refused(DataError, "problem", "error.one_of", allowed=", ".join(Problem), got=repr(problem))
    problem = Problem(problem)
    columns = TARGET_COLUMNS if problem is Problem.REGRESSION else CLASS_COLUMNS
    if isinstance(rows, np.ndarray):
        rows = rows.tolist()
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise refused(DataError, ROWS_FIELD, "error.data.rows_list", columns=", ".join(columns), got=show_value(rows))
    if not MIN_USER_POINTS <= len(rows) <= MAX_POINTS:
        raise refused(DataError, ROWS_FIELD, "error.data.rows_count", min=MIN_USER_POINTS, max=MAX_POINTS,
                      got=len(rows))
    table = np.array([_row_values(index, row, columns) for index, row in enumerate(rows, start=1)], dtype=np.float64)
    for column, name in enumerate(columns[:2]):
        _reject_rows(np.abs(table[:, column]) > EXTENT, name, table[:, column], "error.data.outside_extent",
                     limit=EXTENT)
    points, labels = table[:, :2], table[:, 2]  # (n, 2), (n,)
    if problem is Problem.REGRESSION:
        _reject_rows(np.abs(labels) > MAX_TARGET, columns[2], labels, "error.data.outside_extent", limit=MAX_TARGET)
        return make_dataset(points, labels, problem, 0)
    if problem is Problem.BINARY:
        labels = _binary_labels(labels)
    return make_dataset(points, labels, problem, _class_count(labels, problem, classes))
