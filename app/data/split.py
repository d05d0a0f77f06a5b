"""The points a session trains and tests on, turned into network inputs and targets.

Imports numpy, the standard library and the engine only: no web code.

``DataSplit`` holds, for the training and the test part, the input matrix
with a trailing column of ones (the layout ``app.nn.mlp`` feeds to a layer
block) and the target matrix in the output activation's range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.data.datasets import Dataset, Problem
from app.data.features import feature_matrix
from app.nn.losses import encode_targets

Array = np.ndarray


@dataclass(frozen=True)
class DataSplit:
    """A dataset split for training.

    train_inputs: (n_train, d_0 + 1), test_inputs: (n_test, d_0 + 1), last column ones
    train_targets: (n_train, d_L), test_targets: (n_test, d_L)
    train_labels: (n_train,), test_labels: (n_test,) class indices or regression targets
    """

    dataset: Dataset
    train_index: Array
    test_index: Array
    train_inputs: Array
    test_inputs: Array
    train_targets: Array
    test_targets: Array

    @property
    def train_labels(self) -> Array:
        """Class index or target of each training point: (n_train,)."""
        return self.dataset.labels[self.train_index]

    @property
    def test_labels(self) -> Array:
        """Class index or target of each test point: (n_test,)."""
        return self.dataset.labels[self.test_index]


def output_width(dataset: Dataset) -> int:
    """Number of output neurons the dataset's problem needs."""
    return dataset.n_classes if dataset.problem == Problem.MULTICLASS else 1


def inputs_with_ones(points: Array, features: tuple[str, ...]) -> Array:
    """Feature matrix of points: (n, 2) with a ones column appended: (n, len(features) + 1)."""
    out = np.ones((points.shape[0], len(features) + 1))
    feature_matrix(points, features, out=out)
    return out


def prepare(
    dataset: Dataset,
    train_index: Array,
    test_index: Array,
    features: tuple[str, ...],
    output_activation: str,
) -> DataSplit:
    """Compute inputs and targets of both parts of a dataset."""
    inputs = inputs_with_ones(dataset.points, features)
    targets = encode_targets(dataset.labels, output_activation, output_width(dataset))
    return DataSplit(
        dataset=dataset,
        train_index=train_index,
        test_index=test_index,
        train_inputs=inputs[train_index],
        test_inputs=inputs[test_index],
        train_targets=targets[train_index],
        test_targets=targets[test_index],
    )
