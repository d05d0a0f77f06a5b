"""app.data.datasets: seeded generators, their geometry at noise 0, train/test splits and input validation."""

import json
import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from app.data.datasets import (
    BLOB_RADIUS,
    BUMPS,
    CIRCLE_INNER_RADIUS,
    CIRCLE_RING,
    DATASETS,
    EXTENT,
    GAUSS_CENTRE,
    MAX_CLASSES,
    MAX_POINTS,
    MIN_CLASSES,
    MOON_CENTRES,
    MOON_RADIUS,
    SPIRAL_RADIUS,
    SPIRAL_TURNS,
    XOR_GAP,
    DataError,
    Dataset,
    Problem,
    generate,
    split,
)
from app.data.user_data import from_rows

NAMES = list(DATASETS)
CLASSIFICATION = [name for name, spec in DATASETS.items() if spec.problem is not Problem.REGRESSION]
MULTICLASS = [name for name, spec in DATASETS.items() if spec.problem is Problem.MULTICLASS]
CLASS_COUNTS = range(MIN_CLASSES, MAX_CLASSES + 1)
LARGE = 2000  # points used where statistics need to settle


def class_sizes(dataset: Dataset) -> np.ndarray:
    return np.bincount(dataset.labels, minlength=dataset.n_classes)


# --- registry ------------------------------------------------------------------------------------------


def test_registry_lists_the_datasets_in_order_with_their_problem() -> None:
    binary, multiclass, regression = (
        ["circle", "xor", "gauss", "spiral", "moons"],
        ["blobs", "spiral_arms"],
        ["plane", "multi_gauss"],
    )
    assert NAMES == binary + multiclass + regression
    for names, problem in [(binary, "binary"), (multiclass, "multiclass"), (regression, "regression")]:
        assert all(DATASETS[name].problem == problem for name in names)
    for name, spec in DATASETS.items():
        assert spec.name == name and spec.label and spec.description


# --- determinism, shapes, ranges -----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_identical_arrays_and_another_seed_does_not(name: str) -> None:
    first, again = generate(name, 300, 0.2, 11, 4), generate(name, 300, 0.2, 11, 4)
    other = generate(name, 300, 0.2, 12, 4)
    assert np.array_equal(first.points, again.points) and np.array_equal(first.labels, again.labels)
    assert not np.array_equal(first.points, other.points)


@pytest.mark.parametrize("noise", [0.0, 0.5])
@pytest.mark.parametrize("n", [50, 2000])
@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtypes_and_every_coordinate_within_extent(name: str, n: int, noise: float) -> None:
    dataset = generate(name, n, noise, 5, MAX_CLASSES)
    spec = DATASETS[name]
    assert dataset.problem is spec.problem
    assert dataset.points.shape == (n, 2) and dataset.points.dtype == np.float64
    assert dataset.labels.shape == (n,)
    assert np.all(np.isfinite(dataset.points)) and np.all(np.abs(dataset.points) <= EXTENT)
    if spec.problem is Problem.REGRESSION:
        assert dataset.labels.dtype == np.float64 and dataset.n_classes == 0
        assert np.all(np.abs(dataset.labels) <= 1.0)
    else:
        assert dataset.labels.dtype == np.int64
        assert dataset.n_classes == (2 if spec.problem is Problem.BINARY else MAX_CLASSES)


def test_arrays_are_read_only() -> None:
    dataset = generate("circle", 50, 0.0, 0)
    with pytest.raises(ValueError):
        dataset.points[0, 0] = 1.0


def test_numpy_scalars_are_accepted_like_python_numbers() -> None:
    plain = generate("moons", 100, 0.25, 3)
    scalars = generate("moons", np.int64(100), np.float64(0.25), np.int32(3))  # type: ignore[arg-type]
    assert np.array_equal(plain.points, scalars.points)


def test_class_count_is_ignored_by_fixed_class_datasets() -> None:
    assert np.array_equal(generate("xor", 60, 0.1, 2, 99).points, generate("xor", 60, 0.1, 2).points)


# --- balance -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [50, 51, 1999])
@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classes_are_balanced_within_one_point(name: str, n: int) -> None:
    sizes = class_sizes(generate(name, n, 0.3, 1, MAX_CLASSES - 1))
    assert sizes.sum() == n and sizes.max() - sizes.min() <= 1


@pytest.mark.parametrize("classes", CLASS_COUNTS)
@pytest.mark.parametrize("name", MULTICLASS)
def test_multiclass_datasets_have_exactly_k_balanced_labels(name: str, classes: int) -> None:
    dataset = generate(name, 101, 0.0, 4, classes)
    assert dataset.n_classes == classes
    assert np.array_equal(np.unique(dataset.labels), np.arange(classes))
    assert np.ptp(class_sizes(dataset)) <= 1


# --- geometry at noise 0 -------------------------------------------------------------------------------


def test_circle_inner_disc_is_class_1_and_outer_ring_class_0() -> None:
    dataset = generate("circle", LARGE, 0.0, 0)
    radius = np.hypot(dataset.points[:, 0], dataset.points[:, 1])
    assert np.all(radius[dataset.labels == 1] <= CIRCLE_INNER_RADIUS)
    outer = radius[dataset.labels == 0]
    assert np.all((outer >= CIRCLE_RING[0]) & (outer <= CIRCLE_RING[1]))


def test_xor_labels_match_the_sign_of_x1_times_x2_and_leave_a_gap_at_the_axes() -> None:
    dataset = generate("xor", LARGE, 0.0, 0)
    product = dataset.points[:, 0] * dataset.points[:, 1]
    assert np.array_equal(dataset.labels, (product > 0).astype(np.int64))
    assert np.all(np.abs(dataset.points) >= XOR_GAP)


def test_gauss_class_1_is_centred_at_plus_two_and_class_0_at_minus_two() -> None:
    dataset = generate("gauss", LARGE, 0.0, 0)
    for label, sign in [(1, 1.0), (0, -1.0)]:
        centre = dataset.points[dataset.labels == label].mean(axis=0)
        np.testing.assert_allclose(centre, [sign * GAUSS_CENTRE] * 2, atol=0.15)


def test_gauss_noise_widens_the_clusters() -> None:
    narrow, wide = generate("gauss", LARGE, 0.0, 0), generate("gauss", LARGE, 0.5, 0)
    assert wide.points[wide.labels == 1].std() > 1.5 * narrow.points[narrow.labels == 1].std()


@pytest.mark.parametrize(("name", "classes"), [("spiral", 2)] + [("spiral_arms", k) for k in CLASS_COUNTS])
def test_spiral_arm_j_sits_at_the_angle_of_its_phase(name: str, classes: int) -> None:
    dataset = generate(name, 600, 0.0, 9, classes)
    x1, x2 = dataset.points[:, 0], dataset.points[:, 1]
    along = np.hypot(x1, x2) / SPIRAL_RADIUS
    expected = 2 * np.pi * (SPIRAL_TURNS * along + dataset.labels / classes)
    difference = np.arctan2(x2, x1) - expected
    np.testing.assert_allclose(np.angle(np.exp(1j * difference)), 0.0, atol=1e-9)
    assert np.all(along <= 1.0)


def test_moons_are_an_upper_arc_for_class_0_and_a_lower_arc_for_class_1() -> None:
    dataset = generate("moons", LARGE, 0.0, 0)
    for label, centre, side in [(0, MOON_CENTRES[0], 1.0), (1, MOON_CENTRES[1], -1.0)]:
        offset = dataset.points[dataset.labels == label] - np.array(centre)
        np.testing.assert_allclose(np.hypot(offset[:, 0], offset[:, 1]), MOON_RADIUS)
        assert np.all(side * offset[:, 1] >= -1e-12)
    upper, lower = (dataset.points[dataset.labels == label] for label in (0, 1))
    assert upper[:, 1].mean() > lower[:, 1].mean() and upper[:, 0].mean() < lower[:, 0].mean()


@pytest.mark.parametrize("classes", CLASS_COUNTS)
def test_blob_j_is_centred_on_the_circle_at_angle_2_pi_j_over_k(classes: int) -> None:
    dataset = generate("blobs", LARGE, 0.0, 0, classes)
    for label in range(classes):
        angle = 2 * np.pi * label / classes
        centre = dataset.points[dataset.labels == label].mean(axis=0)
        np.testing.assert_allclose(centre, BLOB_RADIUS * np.array([np.cos(angle), np.sin(angle)]), atol=0.2)


def test_plane_target_is_x1_plus_x2_scaled_into_minus_one_one() -> None:
    dataset = generate("plane", LARGE, 0.0, 0)
    total = dataset.points.sum(axis=1)
    np.testing.assert_allclose(dataset.labels, total / (2 * EXTENT))
    assert np.all(np.diff(dataset.labels[np.argsort(total)]) >= 0)


def test_multi_gauss_target_near_each_bump_has_the_bump_sign() -> None:
    dataset = generate("multi_gauss", LARGE, 0.0, 0)
    for x1, x2, sign in BUMPS:
        nearest = np.argmin(np.hypot(dataset.points[:, 0] - x1, dataset.points[:, 1] - x2))
        assert np.sign(dataset.labels[nearest]) == sign


@pytest.mark.parametrize("name", NAMES)
def test_noise_moves_points_for_classification_and_targets_for_regression(name: str) -> None:
    clean, noisy = generate(name, 200, 0.0, 3, 4), generate(name, 200, 0.3, 3, 4)
    if DATASETS[name].problem is Problem.REGRESSION:
        assert np.array_equal(clean.points, noisy.points) and not np.array_equal(clean.labels, noisy.labels)
    else:
        assert not np.array_equal(clean.points, noisy.points) and np.array_equal(clean.labels, noisy.labels)


# --- split ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "fraction"), [(100, 0.5), (2000, 0.9), (57, 0.1), (50, 0.33)])
def test_split_is_a_shuffled_partition_with_the_requested_fraction(n: int, fraction: float) -> None:
    train, test = split(n, fraction, 4)
    assert train.dtype == np.int64 and test.dtype == np.int64
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(n))
    assert len(train) == round(n * fraction)
    assert not np.array_equal(train, np.sort(train))


def test_split_is_deterministic_per_seed() -> None:
    first, again, other = split(200, 0.5, 1), split(200, 0.5, 1), split(200, 0.5, 2)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("fraction", [0.1, 0.9])
def test_split_keeps_at_least_one_point_on_each_side(fraction: float) -> None:
    train, test = split(2, fraction, 0)
    assert len(train) == 1 and len(test) == 1


# --- validation ----------------------------------------------------------------------------------------

GENERATE_DEFAULTS: dict[str, Any] = {"name": "circle", "n": 100, "noise": 0.1, "seed": 0, "classes": 3}


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"name": "nope"}, "dataset", "choose one of circle, xor, gauss, spiral, moons, blobs"),
        ({"name": None}, "dataset", "choose one of circle"),
        ({"n": 7}, "points", "must be between 50 and 2000, got 7"),
        ({"n": 2001}, "points", "must be between 50 and 2000, got 2001"),
        ({"n": 100.0}, "points", "must be an integer between 50 and 2000, got 100.0"),
        ({"n": True}, "points", "must be an integer between 50 and 2000"),
        ({"noise": -0.01}, "noise", "must be between 0 and 0.5, got -0.01"),
        ({"noise": 0.51}, "noise", "must be between 0 and 0.5"),
        ({"noise": math.nan}, "noise", "must be between 0 and 0.5, got nan"),
        ({"noise": "0.1"}, "noise", "must be a number between 0 and 0.5"),
        ({"name": "blobs", "classes": 2}, "classes", "must be between 3 and 6, got 2"),
        ({"name": "spiral_arms", "classes": 7}, "classes", "must be between 3 and 6, got 7"),
        ({"name": "blobs", "classes": 3.5}, "classes", "must be an integer between 3 and 6"),
        ({"seed": -1}, "seed", "must be between 0 and 2147483647, got -1"),
        ({"seed": 2**31}, "seed", "must be between 0 and 2147483647"),
        ({"seed": 1.5}, "seed", "must be an integer between 0 and 2147483647"),
    ],
)
def test_generate_rejects_bad_arguments_naming_the_field(
    changes: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(DataError) as caught:
        generate(**{**GENERATE_DEFAULTS, **changes})
    assert caught.value.field == field and fragment in caught.value.message
    assert str(caught.value) == f"{field}: {caught.value.message}"


@pytest.mark.parametrize(
    ("n", "fraction", "seed", "field", "fragment"),
    [
        (100, 0.05, 0, "train_percent", "must be between 10 % and 90 %, got 5 %"),
        (100, 0.95, 0, "train_percent", "must be between 10 % and 90 %"),
        (100, math.nan, 0, "train_percent", "must be between 10 % and 90 %"),
        (100, "half", 0, "train_percent", "must be between 10 % and 90 %, got 'half'"),
        (1, 0.5, 0, "points", "must be between 2 and 2000, got 1"),
        (10.0, 0.5, 0, "points", "must be an integer between 2 and 2000"),
        (100, 0.5, -3, "seed", "must be between 0 and 2147483647"),
    ],
)
def test_split_rejects_bad_arguments_naming_the_field(
    n: Any, fraction: Any, seed: int, field: str, fragment: str
) -> None:
    with pytest.raises(DataError) as caught:
        split(n, fraction, seed)
    assert caught.value.field == field and fragment in caught.value.message


# --- user-supplied rows --------------------------------------------------------------------------------

ROWS: list[list[Any]] = [[-6, -6, 0], [6, 6, 1], [0.5, -0.5, 1], [1, 2, 0]]


def test_from_rows_builds_a_binary_dataset() -> None:
    dataset = from_rows(ROWS, "binary")
    assert dataset.problem is Problem.BINARY and dataset.n_classes == 2
    assert dataset.points.dtype == np.float64 and dataset.labels.dtype == np.int64
    np.testing.assert_array_equal(dataset.points, np.array(ROWS, dtype=float)[:, :2])
    np.testing.assert_array_equal(dataset.labels, [0, 1, 1, 0])


def test_from_rows_accepts_integral_floats_tuples_arrays_and_the_enum() -> None:
    as_floats = [tuple(float(value) for value in row) for row in ROWS]
    for rows in (as_floats, np.array(ROWS, dtype=float)):
        dataset = from_rows(rows, Problem.BINARY)  # type: ignore[arg-type]
        np.testing.assert_array_equal(dataset.labels, [0, 1, 1, 0])


def test_from_rows_reads_tf_playgrounds_minus_one_plus_one_binary_labels() -> None:
    rows = [[0, 0, -1], [1, 1, 1], [2, 2, 1], [3, 3, -1]]
    np.testing.assert_array_equal(from_rows(rows, "binary").labels, [0, 1, 1, 0])
    np.testing.assert_array_equal(from_rows([[0, 0, 1.0], [1, 1, 0]] * 2, "binary").labels, [1, 0, 1, 0])
    with pytest.raises(DataError, match="row 1: label = -1 is not a class 0 or 1"):
        from_rows([[0, 0, -1], [1, 1, 0], [2, 2, 1], [3, 3, 1]], "binary")  # −1 with 0: which is which?
    with pytest.raises(DataError, match="at least two classes"):
        from_rows([[0, 0, -1]] * 4, "binary")


def test_from_rows_multiclass_defaults_to_one_plus_the_largest_label() -> None:
    rows = [*ROWS, [0, 0, 3]]
    assert from_rows(rows, "multiclass").n_classes == 4
    assert from_rows(rows, "multiclass", 6).n_classes == 6


def test_from_rows_regression_keeps_float_targets() -> None:
    rows = [[0, 0, -1.0], [1, 1, 0.25], [2, 2, 1.0], [3, 3, 0.0]]
    dataset = from_rows(rows, "regression")
    assert dataset.n_classes == 0 and dataset.labels.dtype == np.float64
    np.testing.assert_array_equal(dataset.labels, [-1.0, 0.25, 1.0, 0.0])


@pytest.mark.parametrize(
    ("rows", "problem", "classes", "field", "fragment"),
    [
        (ROWS[:3], "binary", None, "rows", "must have between 4 and 2000 rows, got 3"),
        ([[0, 0, 0], [1, 1, 1]] * (MAX_POINTS // 2 + 1), "binary", None, "rows", "got 2002"),
        ("abcd", "binary", None, "rows", "must be a list of rows x1, x2, label"),
        (17, "binary", None, "rows", "must be a list of rows"),
        ([*ROWS, [1, 2]], "binary", None, "rows", "row 5 has 2 values; each row is x1, x2, label"),
        ([*ROWS, [1, 2, 0, 1]], "binary", None, "rows", "row 5 has 4 values"),
        ([*ROWS, "xyz"], "binary", None, "rows", "row 5 is 'xyz'; each row is x1, x2, label"),
        ([*ROWS, [7.5, 0, 0]], "binary", None, "rows", "row 5: x1 = 7.5 is outside [-6, 6]"),
        ([*ROWS, [0, -6.01, 0]], "binary", None, "rows", "row 5: x2 = -6.01 is outside [-6, 6]"),
        ([*ROWS, [math.nan, 0, 0]], "binary", None, "rows", "row 5: x1 = nan is not a finite number"),
        ([*ROWS, [0, math.inf, 0]], "binary", None, "rows", "row 5: x2 = inf is not a finite number"),
        ([*ROWS, [0, "1", 0]], "binary", None, "rows", "row 5: x2 = '1' is not a finite number"),
        ([*ROWS, [True, 0, 0]], "binary", None, "rows", "row 5: x1 = true is not a finite number"),
        ([*ROWS, [0, 0, None]], "binary", None, "rows", "row 5: label = null is not a finite number"),
        ([*ROWS, [0, 0, 2]], "binary", None, "rows", "row 5: label = 2 is outside 0..1"),
        ([*ROWS, [0, 0, -1]], "binary", None, "rows", "row 5: label = -1 is not a class 0 or 1 (or -1 or +1)"),
        ([*ROWS, [0, 0, 0.5]], "binary", None, "rows", "row 5: label = 0.5 is not a class 0 or 1"),
        ([[0, 0, -1], [1, 1, 1], [2, 2, 1], [3, 3, 2]], "binary", None, "rows", "row 1: label = -1 is not a class"),
        ([[0, 0, 1], [1, 1, -1], [2, 2, 0], [3, 3, 1]], "binary", None, "rows", "row 2: label = -1 is not a class"),
        ([[0, 0, -1]] * 4, "multiclass", None, "rows", "row 1: label = -1 is not a class index"),
        ([[0, 0, 1]] * 4, "binary", None, "rows", "needs at least two classes, got only class 1"),
        (ROWS, "multiclass", None, "classes", "must be between 3 and 6, got 2 (1 + the largest label)"),
        ([*ROWS, [0, 0, 6]], "multiclass", None, "classes", "must be between 3 and 6, got 7"),
        (ROWS, "multiclass", 7, "classes", "must be between 3 and 6, got 7"),
        (ROWS, "multiclass", 3.0, "classes", "must be an integer between 3 and 6"),
        ([*ROWS, [0, 0, 3]], "multiclass", 3, "rows", "row 5: label = 3 is outside 0..2"),
        ([*ROWS, [0, 0, 2.5]], "multiclass", None, "rows", "row 5: label = 2.5 is not a class index"),
        ([*ROWS, [0, 0, 1.5]], "regression", None, "rows", "row 5: target = 1.5 is outside [-1, 1]"),
        ([*ROWS, [0, 0, -1.01]], "regression", None, "rows", "row 5: target = -1.01 is outside [-1, 1]"),
        ([*ROWS, [0, 0, math.inf]], "regression", None, "rows", "row 5: target = inf is not a finite"),
        ([*ROWS, [0, 0]], "regression", None, "rows", "row 5 has 2 values; each row is x1, x2, target"),
        (ROWS, "nope", None, "problem", "must be one of binary, multiclass, regression, got 'nope'"),
        (ROWS, None, None, "problem", "must be one of binary, multiclass, regression"),
    ],
)
def test_from_rows_rejects_bad_data_naming_the_field(
    rows: Any, problem: Any, classes: Any, field: str, fragment: str
) -> None:
    with pytest.raises(DataError) as caught:
        from_rows(rows, problem, classes)
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_datasets_module_imports_no_web_code() -> None:
    code = "import json, sys, app.data.datasets; print(json.dumps(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert not {name.split(".")[0] for name in json.loads(loaded)} & {"fastapi", "starlette", "pydantic"}


HUGE = 10**400  # float() of it raises OverflowError


@pytest.mark.parametrize(
    ("call", "field"),
    [(lambda: generate("circle", HUGE, 0.0, 0), "points"), (lambda: generate("circle", 100, HUGE, 0), "noise"),
     (lambda: generate("blobs", 100, 0.0, 0, HUGE), "classes"), (lambda: generate("circle", 100, 0.0, -HUGE), "seed"),
     (lambda: from_rows(ROWS, "multiclass", HUGE), "classes"),
     (lambda: from_rows([*ROWS, [HUGE, 0, 0]], "binary"), "rows"),
     (lambda: from_rows([*ROWS, [0, 0, HUGE]], "regression"), "rows")],
    ids=["points", "noise", "classes", "seed", "user-classes", "user-coordinate", "user-target"],
)
def test_an_integer_too_large_for_a_float_is_refused_naming_the_field(call: Any, field: str) -> None:
    with pytest.raises(DataError) as refused:
        call()
    assert refused.value.field == field and "integer of 401 digits" in refused.value.message
