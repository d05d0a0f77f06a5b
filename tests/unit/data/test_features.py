"""app.data.features: each formula against numpy, column order, the out= buffer and name validation."""

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.data.features import FEATURES, FeatureError, check_features, feature_matrix

POINTS = np.random.default_rng(0).uniform(-6.0, 6.0, size=(64, 2))  # (n, 2) raw coordinates

# Each feature written out independently of the module, as a function of points (n, 2).
ORACLES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1_sq": lambda p: np.square(p[:, 0]),
    "x2_sq": lambda p: np.square(p[:, 1]),
    "x1_x2": lambda p: np.prod(p, axis=1),
    "sin_x1": lambda p: np.sin(p[:, 0]),
    "sin_x2": lambda p: np.sin(p[:, 1]),
    "cos_x1": lambda p: np.cos(p[:, 0]),
    "cos_x2": lambda p: np.cos(p[:, 1]),
}


def test_features_are_registered_in_order_with_their_labels() -> None:
    labels = {name: feature.label for name, feature in FEATURES.items()}
    assert labels == {
        "x1": "X₁",
        "x2": "X₂",
        "x1_sq": "X₁²",
        "x2_sq": "X₂²",
        "x1_x2": "X₁X₂",
        "sin_x1": "sin(X₁)",
        "sin_x2": "sin(X₂)",
        "cos_x1": "cos(X₁)",
        "cos_x2": "cos(X₂)",
    }
    assert list(FEATURES) == list(labels)
    assert all(feature.name == name for name, feature in FEATURES.items())


@pytest.mark.parametrize("name", list(FEATURES))
def test_each_feature_matches_a_direct_numpy_computation(name: str) -> None:
    before = POINTS.copy()
    values = FEATURES[name].compute(POINTS[:, 0], POINTS[:, 1])
    assert values.shape == (len(POINTS),) and values.dtype == np.float64
    np.testing.assert_allclose(values, ORACLES[name](POINTS), rtol=1e-15)
    values[:] = 0.0  # a result never aliases the input
    np.testing.assert_array_equal(POINTS, before)


def test_feature_matrix_columns_follow_the_order_of_names() -> None:
    names = ["cos_x2", "x1", "x1_x2"]
    matrix = feature_matrix(POINTS, names)
    assert matrix.shape == (len(POINTS), 3) and matrix.dtype == np.float64
    np.testing.assert_allclose(matrix, np.column_stack([ORACLES[name](POINTS) for name in names]))


def test_feature_matrix_uses_raw_coordinates() -> None:
    matrix = feature_matrix(np.array([[6.0, -6.0]]), ["x1", "x2_sq"])
    np.testing.assert_array_equal(matrix, [[6.0, 36.0]])


def test_feature_matrix_fills_the_leading_columns_of_out_and_keeps_the_rest() -> None:
    names = ["x1", "x2", "sin_x1"]
    out = np.ones((len(POINTS), len(names) + 1))  # last column: the bias ones
    view = feature_matrix(POINTS, names, out=out)
    assert view.shape == (len(POINTS), len(names)) and np.shares_memory(view, out)
    np.testing.assert_array_equal(out[:, : len(names)], feature_matrix(POINTS, names))
    np.testing.assert_array_equal(out[:, -1], 1.0)


@pytest.mark.parametrize(
    "out",
    [
        np.zeros((len(POINTS) + 1, 3)),
        np.zeros((len(POINTS), 1)),
        np.zeros((len(POINTS), 3), dtype=np.float32),
        np.zeros(len(POINTS)),
    ],
)
def test_feature_matrix_rejects_an_out_buffer_of_the_wrong_shape_or_dtype(out: np.ndarray) -> None:
    with pytest.raises(ValueError, match="out must be float64 with shape"):
        feature_matrix(POINTS, ["x1", "x2"], out=out)


@pytest.mark.parametrize("points", [np.zeros((5, 3)), np.zeros(5)])
def test_feature_matrix_rejects_points_that_are_not_n_by_2(points: np.ndarray) -> None:
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        feature_matrix(points, ["x1"])


def test_check_features_returns_names_in_registry_order() -> None:
    assert check_features(["cos_x1", "x2", "x1"]) == ("x1", "x2", "cos_x1")
    assert check_features(list(reversed(FEATURES))) == tuple(FEATURES)


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        ([], "choose at least one feature of x1, x2, x1_sq"),
        (["x1", "x3"], "unknown feature 'x3'; choose from x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2"),
        (["x1", 1], "unknown feature 1"),
        (["x2", "x1", "x2"], "x2 chosen more than once"),
        ("x1", "must be a list of feature names"),
        (None, "must be a list of feature names"),
    ],
)
def test_bad_feature_selections_raise_feature_error(names: Any, fragment: str) -> None:
    for check in (check_features, lambda chosen: feature_matrix(POINTS, chosen)):
        with pytest.raises(FeatureError) as caught:
            check(names)
        assert caught.value.field == "features" and fragment in caught.value.message
        assert isinstance(caught.value, ValueError)
        assert str(caught.value) == f"features: {caught.value.message}"


def test_features_module_imports_neither_datasets_nor_web_code() -> None:
    code = "import json, sys, app.data.features; print(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    loaded = set(json.loads(completed.stdout))
    assert "app.data.datasets" not in loaded
    assert not {name.split(".")[0] for name in loaded} & {"fastapi", "starlette", "pydantic"}
