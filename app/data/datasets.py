"""Seeded 2-D datasets on the plane [-EXTENT, EXTENT]², plus user-supplied data and train/test splits.

Imports numpy, the standard library and the catalogues (``app.i18n``): no web code, no pydantic.

Every generator is ``(n, noise, rng) -> Dataset``, registered in ``DATASETS``
(multi-class ones also take the class count). Points come out grouped by
class; ``split`` does the shuffling. For classification, noise moves the
points but labels are decided by the clean point, so noise makes classes
overlap. For regression, the point is clean and noise moves the point the
target is computed from.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.errors import InputError
from app.i18n import Said, refused, said

EXTENT = 6.0  # the input plane is [-EXTENT, EXTENT]², TensorFlow Playground's range
MIN_POINTS, MAX_POINTS = 50, 2000  # generated dataset size range
MIN_CLASSES, MAX_CLASSES = 3, 6  # class count range of multi-class datasets
MAX_NOISE = 0.5  # noise is a fraction 0..MAX_NOISE (the UI shows 0..50 %)
MAX_SEED = 2**31 - 1  # seeds are 0..MAX_SEED, a range every client can represent
MIN_TRAIN_FRACTION, MAX_TRAIN_FRACTION = 0.1, 0.9  # share of points used for training
MIN_SPLIT_POINTS = 2  # a split gives each side at least one point
MAX_TARGET = 1.0  # regression targets lie in [-MAX_TARGET, MAX_TARGET]

CIRCLE_INNER_RADIUS = 2.5  # class 1 lies within this radius of the origin
CIRCLE_RING = (3.5, 5.0)  # class 0 lies in this ring (inner, outer radius)
XOR_REACH = 5.0  # xor coordinates have magnitude XOR_GAP..XOR_GAP + XOR_REACH
XOR_GAP = 0.3  # empty margin along both axes so quadrants are unambiguous
GAUSS_CENTRE = 2.0  # class 1 is centred at (2, 2), class 0 at (-2, -2)
GAUSS_VARIANCE = (0.5, 4.0)  # per-axis cluster variance at noise 0 and at MAX_NOISE
SPIRAL_RADIUS = 5.0  # an arm ends at this distance from the origin
SPIRAL_TURNS = 1.75  # turns an arm makes from the centre to SPIRAL_RADIUS
MOON_RADIUS = 3.0  # radius of both half-moon arcs
MOON_CENTRES = ((-1.5, -0.75), (1.5, 0.75))  # arc centres: class 0 is the upper arc, class 1 the lower
BLOB_RADIUS = 3.5  # blob centres sit evenly spaced on a circle of this radius
# multi_gauss bumps (x1, x2, sign): a checkerboard of corners plus a raised centre
BUMPS = ((-3.0, 3.0, 1.0), (3.0, 3.0, -1.0), (-3.0, -3.0, -1.0), (3.0, -3.0, 1.0), (0.0, 0.0, 1.0))
BUMP_WIDTH = 1.5  # standard deviation of each multi_gauss bump

# How far noise = 1 would move a point along each axis (uniform jitter); MAX_NOISE moves half as far.
CIRCLE_JITTER = CIRCLE_RING[1]  # the circle's outer radius, as in TensorFlow Playground
XOR_JITTER = XOR_REACH  # the quadrant size
SPIRAL_JITTER = 1.0  # the arms are about 2 apart at the rim, so this keeps them traceable at 50 %
MOON_JITTER = 2.0  # two thirds of the moon radius
REGRESSION_JITTER = EXTENT  # the plane's half width


class Problem(enum.StrEnum):
    """What the labels mean: a class index (binary, multiclass) or a real target (regression)."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points with labels; both arrays are read-only.

    points: (n, 2) float64, every coordinate within [-EXTENT, EXTENT].
    labels: (n,) int64 class index 0..n_classes-1, or (n,) float64 target in [-1, 1] for regression.
    n_classes: 2 for binary, MIN_CLASSES..MAX_CLASSES for multiclass, 0 for regression.
    """

    points: np.ndarray
    labels: np.ndarray
    problem: Problem
    n_classes: int


@dataclass(frozen=True)
class DatasetSpec:
    """A registered dataset: how it is named, shown and generated."""

    name: str  # key used in the UI, on the wire and in configs
    label: str  # human label, e.g. "Two moons"
    problem: Problem
    description: str  # one short sentence for a tooltip
    generate: Callable[[int, float, np.random.Generator, int], Dataset]  # (n, noise, rng, classes)


class DataError(InputError):
    """Invalid dataset arguments or user data; ``field`` names the offending input."""


def make_dataset(points: np.ndarray, labels: np.ndarray, problem: Problem, n_classes: int) -> Dataset:
    """A read-only Dataset from points (n, 2), clipped to the plane, and labels (n,)."""
    points = np.clip(points, -EXTENT, EXTENT).astype(np.float64)
    labels = labels.astype(np.float64 if problem is Problem.REGRESSION else np.int64)
    points.setflags(write=False)
    labels.setflags(write=False)
    return Dataset(points, labels, problem, n_classes)


def _class_sizes(n: int, k: int) -> np.ndarray:
    """(k,) int64 sizes summing to n that differ by at most 1."""
    return n // k + (np.arange(k) < n % k).astype(np.int64)


def _jitter(points: np.ndarray, noise: float, scale: float, rng: np.random.Generator) -> np.ndarray:
    """points (n, 2) moved by uniform noise of up to scale * noise along each axis."""
    return points + rng.uniform(-scale, scale, size=points.shape) * noise


def _polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """(n,), (n,) -> (n, 2) cartesian points."""
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _circle(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    n_inner = n // 2
    radius = np.concatenate(
        [rng.uniform(0.0, CIRCLE_INNER_RADIUS, n_inner), rng.uniform(*CIRCLE_RING, n - n_inner)]
    )
    points = _polar(radius, rng.uniform(0.0, 2 * np.pi, n))
    labels = (radius <= CIRCLE_INNER_RADIUS).astype(np.int64)
    return make_dataset(_jitter(points, noise, CIRCLE_JITTER, rng), labels, Problem.BINARY, 2)


def _xor(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    labels = np.repeat([1, 0], _class_sizes(n, 2))
    magnitude = rng.uniform(XOR_GAP, XOR_GAP + XOR_REACH, size=(n, 2))
    sign_x1 = rng.choice([-1.0, 1.0], n)
    # class 1 has x1 and x2 of the same sign (quadrants I and III)
    points = magnitude * np.column_stack([sign_x1, np.where(labels == 1, sign_x1, -sign_x1)])
    return make_dataset(_jitter(points, noise, XOR_JITTER, rng), labels, Problem.BINARY, 2)


def _gaussian_clusters(n: int, noise: float, rng: np.random.Generator, centres: np.ndarray) -> Dataset:
    """centres (k, 2) -> balanced clusters labelled 0..k-1, whose variance grows linearly with noise."""
    low, high = GAUSS_VARIANCE
    deviation = math.sqrt(low + (high - low) * noise / MAX_NOISE)
    labels = np.repeat(np.arange(len(centres)), _class_sizes(n, len(centres)))
    points = centres[labels] + rng.normal(0.0, deviation, size=(n, 2))
    problem = Problem.BINARY if len(centres) == 2 else Problem.MULTICLASS
    return make_dataset(points, labels, problem, len(centres))


def _gauss(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    return _gaussian_clusters(n, noise, rng, np.array([[-GAUSS_CENTRE] * 2, [GAUSS_CENTRE] * 2]))


def _blobs(n: int, noise: float, rng: np.random.Generator, classes: int) -> Dataset:
    angles = 2 * np.pi * np.arange(classes) / classes
    return _gaussian_clusters(n, noise, rng, _polar(np.full(classes, BLOB_RADIUS), angles))


def _spiral_arms(n: int, noise: float, rng: np.random.Generator, classes: int) -> Dataset:
    """Arm j starts at the origin at angle 2πj/classes and turns anticlockwise as it grows."""
    labels = np.repeat(np.arange(classes), _class_sizes(n, classes))
    along = rng.uniform(0.0, 1.0, n)  # position along the arm, 0 at the centre, 1 at the rim
    angle = 2 * np.pi * (SPIRAL_TURNS * along + labels / classes)
    points = _polar(SPIRAL_RADIUS * along, angle)
    problem = Problem.BINARY if classes == 2 else Problem.MULTICLASS
    return make_dataset(_jitter(points, noise, SPIRAL_JITTER, rng), labels, problem, classes)


def _spiral(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    return _spiral_arms(n, noise, rng, 2)


def _moons(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    labels = np.repeat([0, 1], _class_sizes(n, 2))
    angle = rng.uniform(0.0, np.pi, n) + np.pi * labels  # upper half-arc for class 0, lower for class 1
    points = np.array(MOON_CENTRES)[labels] + _polar(np.full(n, MOON_RADIUS), angle)
    return make_dataset(_jitter(points, noise, MOON_JITTER, rng), labels, Problem.BINARY, 2)


def _regression(
    n: int, noise: float, rng: np.random.Generator, target: Callable[[np.ndarray], np.ndarray]
) -> Dataset:
    """Uniform points (n, 2); target (n, 2) -> (n,) is evaluated at the jittered points and clipped."""
    points = rng.uniform(-EXTENT, EXTENT, size=(n, 2))
    targets = np.clip(target(_jitter(points, noise, REGRESSION_JITTER, rng)), -MAX_TARGET, MAX_TARGET)
    return make_dataset(points, targets, Problem.REGRESSION, 0)


def _plane(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    return _regression(n, noise, rng, lambda points: points.sum(axis=1) / (2 * EXTENT))


def _bumps(points: np.ndarray) -> np.ndarray:
    """points (n, 2) -> (n,) sum of the signed gaussian BUMPS."""
    total = np.zeros(len(points))
    for x1, x2, sign in BUMPS:
        squared_distance = (points[:, 0] - x1) ** 2 + (points[:, 1] - x2) ** 2
        total += sign * np.exp(-squared_distance / (2 * BUMP_WIDTH**2))
    return total


def _multi_gauss(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    return _regression(n, noise, rng, _bumps)


def _classless(
    generator: Callable[[int, float, np.random.Generator], Dataset],
) -> Callable[[int, float, np.random.Generator, int], Dataset]:
    """Adapts a generator with a fixed class count to the registry signature, which passes one."""
    return lambda n, noise, rng, classes: generator(n, noise, rng)


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec("circle", "Circle", Problem.BINARY, "A disc inside a ring.", _classless(_circle)),
        DatasetSpec("xor", "Exclusive or", Problem.BINARY, "Opposite quadrants match.", _classless(_xor)),
        DatasetSpec("gauss", "Two gaussians", Problem.BINARY, "Two round clusters.", _classless(_gauss)),
        DatasetSpec("spiral", "Spiral", Problem.BINARY, "Two interleaved spiral arms.", _classless(_spiral)),
        DatasetSpec("moons", "Two moons", Problem.BINARY, "Two interlocking half-moons.", _classless(_moons)),
        DatasetSpec("blobs", "Blobs", Problem.MULTICLASS, "Round clusters around a circle.", _blobs),
        DatasetSpec("spiral_arms", "Spiral arms", Problem.MULTICLASS, "One arm per class.", _spiral_arms),
        DatasetSpec("plane", "Plane", Problem.REGRESSION, "A tilted plane.", _classless(_plane)),
        DatasetSpec("multi_gauss", "Bumps", Problem.REGRESSION, "Hills and dips.", _classless(_multi_gauss)),
    ]
}


MAX_SHOWN_DIGITS = 15  # a longer integer is shown by its digit count, not digit by digit
MAX_SHOWN_CHARS = 40  # a longer string is cut to this many characters in a message


def show_value(value: object) -> str | Said:
    """A short rendering of a user value for a refusal's ``got``: 7, 50.0, nan, 'abc' as typed, or words.

    A number or a string is shown as typed (a long string cut); anything else is described in
    words of the catalogue (``error.got.*``: a list of 3 entries, an object, an integer of 401
    digits, null), as a ``{key, args}`` argument worded in the language the refusal is shown in.
    Never converts a huge integer to float (which raises OverflowError), and never shows
    numpy's own text: numpy scalars are shown as the plain numbers they hold.
    """
    if value is None:
        return said("error.got.null")
    if isinstance(value, bool):
        return said("error.got.true" if value else "error.got.false")
    if isinstance(value, numbers.Integral):
        digits = str(abs(int(value)))
        if len(digits) > MAX_SHOWN_DIGITS:
            return said("error.got.negative_integer" if int(value) < 0 else "error.got.integer", count=len(digits))
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return repr(value[:MAX_SHOWN_CHARS]) + ("…" if len(value) > MAX_SHOWN_CHARS else "")
    if isinstance(value, list | tuple):
        return said("error.got.list", count=len(value))
    if isinstance(value, dict):
        return said("error.got.object")
    return said("error.got.kind", kind=type(value).__name__)


def in_range(value: numbers.Real | float, low: float, high: float) -> bool:
    """low <= value <= high, exactly, for any int however large (no float conversion) and NaN-safe."""
    if isinstance(value, numbers.Integral):
        return low <= int(value) <= high  # int vs float comparison is exact in Python
    as_float = float(value)
    return math.isfinite(as_float) and low <= as_float <= high


def check_range(field: str, value: object, low: float, high: float, *, is_integer: bool) -> None:
    """Raise DataError unless value is a number (an integer if is_integer) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral if is_integer else numbers.Real):
        raise refused(DataError, field, "error.data.integer_between" if is_integer else "error.data.number_between",
                      min=low, max=high, got=show_value(value))
    if not in_range(value, low, high):
        raise refused(DataError, field, "error.data.between", min=low, max=high, got=show_value(value))


def generate(name: str, n: int, noise: float, seed: int, classes: int = MIN_CLASSES) -> Dataset:
    """The dataset ``name`` with n points (n, 2); the same arguments give bit-identical arrays.

    ``classes`` is used (and checked) only by multiclass datasets. Raises DataError on bad arguments.
    """
    if not isinstance(name, str) or name not in DATASETS:
        raise refused(DataError, "dataset", "error.data.unknown_dataset", name=repr(name), allowed=", ".join(DATASETS))
    check_range("points", n, MIN_POINTS, MAX_POINTS, is_integer=True)
    check_range("noise", noise, 0, MAX_NOISE, is_integer=False)
    spec = DATASETS[name]
    if spec.problem is Problem.MULTICLASS:
        check_range("classes", classes, MIN_CLASSES, MAX_CLASSES, is_integer=True)
    check_range("seed", seed, 0, MAX_SEED, is_integer=True)
    n_classes = int(classes) if spec.problem is Problem.MULTICLASS else 0  # the others ignore it
    return spec.generate(int(n), float(noise), np.random.default_rng(int(seed)), n_classes)


def split(n: int, train_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic (train_indices (n_train,), test_indices (n - n_train,)) int64, a shuffled partition of
    range(n). n_train = round(n * train_fraction), kept within 1..n-1 so neither side is empty."""
    check_range("points", n, MIN_SPLIT_POINTS, MAX_POINTS, is_integer=True)
    is_number = isinstance(train_fraction, numbers.Real) and not isinstance(train_fraction, bool)
    if not is_number or not MIN_TRAIN_FRACTION <= train_fraction <= MAX_TRAIN_FRACTION:
        shown = f"{float(train_fraction) * 100:g} %" if is_number else show_value(train_fraction)
        raise refused(DataError, "train_percent", "error.data.train_percent", min=round(MIN_TRAIN_FRACTION * 100),
                      max=round(MAX_TRAIN_FRACTION * 100), got=shown)
    check_range("seed", seed, 0, MAX_SEED, is_integer=True)
    order = np.random.default_rng(int(seed)).permutation(int(n)).astype(np.int64)
    n_train = min(max(round(n * train_fraction), 1), n - 1)
    return order[:n_train], order[n_train:]
