"""app.data.split: network inputs with a ones column, targets in the output's range, split by index."""

import numpy as np
import pytest

from app.data.datasets import generate, split
from app.data.split import inputs_with_ones, output_width, prepare


def test_inputs_are_the_features_then_a_column_of_ones() -> None:
    points = np.array([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_array_equal(inputs_with_ones(points, ("x1", "x2_sq", "x1_x2")),
                                  [[1.0, 4.0, -2.0, 1.0], [3.0, 0.25, 1.5, 1.0]])


@pytest.mark.parametrize(("name", "classes", "width"), [("circle", 3, 1), ("blobs", 5, 5), ("plane", 3, 1)])
def test_output_width_is_one_except_for_multiclass(name: str, classes: int, width: int) -> None:
    assert output_width(generate(name, 60, 0.0, 0, classes)) == width


@pytest.mark.parametrize(("name", "output"), [("circle", "tanh"), ("moons", "sigmoid"), ("blobs", "softmax"),
                                              ("plane", "linear")])
def test_prepare_splits_rows_by_index_and_encodes_targets(name: str, output: str) -> None:
    dataset = generate(name, 80, 0.1, 2, 4)
    train_index, test_index = split(80, 0.7, 2)
    data = prepare(dataset, train_index, test_index, ("x1", "x2", "sin_x2"), output)
    assert data.train_inputs.shape == (56, 4) and data.test_inputs.shape == (24, 4)
    np.testing.assert_array_equal(data.test_inputs[:, :2], dataset.points[test_index])
    np.testing.assert_array_equal(data.train_inputs[:, 2], np.sin(dataset.points[train_index, 1]))
    assert np.all(data.train_inputs[:, -1] == 1.0)
    np.testing.assert_array_equal(data.train_labels, dataset.labels[train_index])
    targets = data.test_targets
    if output == "softmax":
        np.testing.assert_array_equal(targets.argmax(axis=1), data.test_labels)
        assert targets.shape == (24, 4) and np.all(targets.sum(axis=1) == 1)
    elif output == "tanh":
        np.testing.assert_array_equal(targets[:, 0], 2.0 * data.test_labels - 1.0)
    else:
        np.testing.assert_array_equal(targets[:, 0], data.test_labels)
