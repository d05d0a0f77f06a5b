"""app.boundary: grid orientation, and the float32 evaluator against MLP.forward on grids and data."""

import numpy as np
import pytest

from app.boundary import Evaluator, grid_points
from app.features import feature_matrix
from app.session import TrainingSession

GRID, THUMB = 12, 6
FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1"]


@pytest.fixture
def session(make_session) -> TrainingSession:
    """A network with several features, mixed activations and trained (non-trivial) weights."""
    session = make_session(features=FEATURES, hidden_layers=[5, 3], layer_activations=["relu", "sigmoid"])
    session.train(50)
    return session


def evaluator_of(session: TrainingSession) -> Evaluator:
    mlp = session.mlp
    evaluator = Evaluator(mlp.sizes, mlp.activations, session.config.features, session.data, GRID, THUMB,
                          session.extent)
    evaluator.run(mlp.params)
    return evaluator


def test_grid_rows_run_top_to_bottom_and_columns_left_to_right_at_cell_centres() -> None:
    image = grid_points(4, 6.0).reshape(4, 4, 2)  # cells 3 wide, centres at -4.5, -1.5, 1.5, 4.5
    np.testing.assert_allclose(image[0, 0], [-4.5, 4.5])  # top left: x1 smallest, x2 largest
    np.testing.assert_allclose(image[0, 3], [4.5, 4.5])
    np.testing.assert_allclose(image[3, 0], [-4.5, -4.5])
    np.testing.assert_allclose(image[:, :, 0], np.tile([-4.5, -1.5, 1.5, 4.5], (4, 1)))
    np.testing.assert_allclose(image[:, :, 1], np.tile([[4.5], [1.5], [-1.5], [-4.5]], (1, 4)))


def test_grid_outputs_equal_mlp_forward_to_float32_precision(session: TrainingSession) -> None:
    evaluator = evaluator_of(session)
    for size, rows in [(GRID, evaluator.main_rows), (THUMB, evaluator.thumb_rows)]:
        trace = session.mlp.forward(feature_matrix(grid_points(size, session.extent), session.config.features))
        Z, A = evaluator.outputs(rows)
        assert Z.dtype == np.float32 and A.shape == (size * size, 1)
        np.testing.assert_allclose(Z, trace.Z[-1], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(A, trace.output, rtol=1e-4, atol=1e-5)
        for layer in range(len(session.mlp.sizes)):
            np.testing.assert_allclose(evaluator.layer_map(layer, rows), trace.A[layer].T, rtol=1e-4, atol=1e-4)


def test_data_outputs_equal_mlp_forward_on_train_and_test_rows(session: TrainingSession) -> None:
    evaluator = evaluator_of(session)
    for inputs, rows, targets in [(session.data.train_inputs, evaluator.train_rows, evaluator.train_targets),
                                  (session.data.test_inputs, evaluator.test_rows, evaluator.test_targets)]:
        expected = session.mlp.forward(inputs[:, :-1]).output
        np.testing.assert_allclose(evaluator.outputs(rows)[1], expected, rtol=1e-4, atol=1e-5)
        assert targets.shape == expected.shape


def test_run_follows_new_parameters(session: TrainingSession) -> None:
    evaluator = evaluator_of(session)
    before = evaluator.outputs(evaluator.main_rows)[1].copy()
    session.mlp.biases[-1][0] += 0.5
    evaluator.run(session.mlp.params)
    assert not np.allclose(evaluator.outputs(evaluator.main_rows)[1], before)


@pytest.mark.parametrize("layer", [0, 1, 2, 3])
def test_layer_map_is_a_copy_that_the_next_run_does_not_change(session: TrainingSession, layer: int) -> None:
    evaluator = evaluator_of(session)
    kept = evaluator.layer_map(layer, evaluator.thumb_rows)
    before = kept.copy()
    session.mlp.params[...] *= -1.0
    evaluator.run(session.mlp.params)
    np.testing.assert_array_equal(kept, before)
