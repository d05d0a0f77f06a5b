"""app.training.evaluation: cost, accuracy, confusion, RMSE and R² against values worked out by hand."""

import math

import numpy as np
import pytest

from app.training.evaluation import finite_or_none, measure, predicted_classes


def column(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64).reshape(-1, 1)


def test_binary_sigmoid_accuracy_and_confusion() -> None:
    A = column(0.9, 0.2, 0.6, 0.4, 0.7)
    labels = np.array([1, 0, 0, 1, 1])
    Z = np.log(A / (1 - A))  # the logits of A
    metrics = measure(Z, A, labels.reshape(-1, 1).astype(float), labels, "bce", "sigmoid", 2)
    # predicted 1, 0, 1, 0, 1: rows are the true class, columns the predicted one
    np.testing.assert_array_equal(metrics.confusion, [[1, 1], [1, 2]])
    assert metrics.accuracy == pytest.approx(3 / 5)
    expected_cost = -np.mean(np.log([0.9, 0.8, 0.4, 0.4, 0.7]))
    assert metrics.cost == pytest.approx(expected_cost, rel=1e-12)
    assert metrics.rmse is None and metrics.r2 is None


def test_binary_tanh_splits_at_zero() -> None:
    A = column(0.1, -0.1, 0.99, -0.5)
    labels = np.array([1, 1, 0, 0])
    metrics = measure(np.arctanh(A), A, 2.0 * labels.reshape(-1, 1) - 1.0, labels, "mse", "tanh", 2)
    np.testing.assert_array_equal(metrics.confusion, [[1, 1], [1, 1]])
    assert metrics.accuracy == 0.5
    assert metrics.cost == pytest.approx(0.5 * np.mean([0.81, 1.21, 1.99**2, 0.25]), rel=1e-12)


def test_multiclass_takes_the_largest_output() -> None:
    A = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3], [0.5, 0.1, 0.4]])
    labels = np.array([0, 2, 2, 0])
    metrics = measure(np.log(A), A, np.eye(3)[labels], labels, "cce", "softmax", 3)
    np.testing.assert_array_equal(metrics.confusion, [[2, 0, 0], [0, 0, 0], [0, 1, 1]])
    assert metrics.accuracy == 0.75
    assert metrics.cost == pytest.approx(-np.mean(np.log([0.7, 0.6, 0.3, 0.5])), rel=1e-12)


def test_regression_rmse_and_r2() -> None:
    labels = np.array([0.0, 0.5, -0.5, 1.0])
    A = column(0.1, 0.4, -0.5, 0.8)
    metrics = measure(A, A, labels.reshape(-1, 1), labels, "mse", "linear", 0)
    # errors 0.1, -0.1, 0, -0.2: squared sum 0.06; labels' mean 0.25, squared spread 1.25
    assert metrics.rmse == pytest.approx(math.sqrt(0.06 / 4), rel=1e-12)
    assert metrics.r2 == pytest.approx(1 - 0.06 / 1.25, rel=1e-12)
    assert metrics.cost == pytest.approx(0.5 * 0.06 / 4, rel=1e-12)
    assert metrics.accuracy is None and metrics.confusion is None


def test_r2_of_constant_targets_is_none() -> None:
    labels = np.full(3, 0.5)
    metrics = measure(column(0.1, 0.2, 0.3), column(0.1, 0.2, 0.3), labels.reshape(-1, 1), labels, "mse",
                      "linear", 0)
    assert metrics.r2 is None and metrics.rmse is not None


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_output_gives_none_not_nan(bad: float) -> None:
    labels = np.array([0.0, 0.5])
    A = column(bad, 0.5)
    metrics = measure(A, A, labels.reshape(-1, 1), labels, "mse", "linear", 0)
    assert (metrics.cost, metrics.rmse, metrics.r2) == (None, None, None)


def test_a_non_finite_classification_cost_is_none_but_accuracy_is_counted() -> None:
    A = column(1.0, 0.0)
    labels = np.array([0, 0])
    metrics = measure(np.array([[math.inf], [-math.inf]]), A, column(0.0, 0.0), labels, "bce", "sigmoid", 2)
    assert metrics.cost is None and metrics.accuracy == 0.5


def test_an_empty_part_has_no_figures() -> None:
    empty = np.zeros((0, 1))
    metrics = measure(empty, empty, empty, np.zeros(0), "mse", "tanh", 2)
    assert (metrics.cost, metrics.accuracy, metrics.confusion) == (None, None, None)


def test_helpers() -> None:
    assert finite_or_none(1.5) == 1.5 and finite_or_none(math.nan) is None and finite_or_none(-math.inf) is None
    np.testing.assert_array_equal(predicted_classes(column(0.5, 0.51), "sigmoid"), [0, 1])
    np.testing.assert_array_equal(predicted_classes(np.array([[0.1, 0.9], [0.8, 0.2]]), "softmax"), [1, 0])
