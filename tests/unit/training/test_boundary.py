"""app.training.boundary: grid orientation, and the float32 evaluator against MLP.forward on grids and data."""

import numpy as np
import pytest

from app.data.features import feature_matrix
from app.training.boundary import Evaluator, grid_points
from app.training.session import TrainingSession

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
    grid = session.mlp.forward(feature_matrix(grid_points(GRID, session.extent), session.config.features))
    assert evaluator.grid_output.dtype == np.float32 and evaluator.grid_output.shape == (GRID * GRID, 1)
    np.testing.assert_allclose(evaluator.grid_output, grid.output, rtol=1e-4, atol=1e-5)
    thumbs = session.mlp.forward(feature_matrix(grid_points(THUMB, session.extent), session.config.features))
    for layer in range(len(session.mlp.sizes)):
        np.testing.assert_allclose(evaluator.thumb_maps(layer), thumbs.A[layer].T, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("selected", [(0, 2), (1, 4), (2, 0), (3, 0)])
def test_the_selected_neuron_is_mapped_over_the_big_grid(session: TrainingSession, selected: tuple[int, int]) -> None:
    evaluator = evaluator_of(session)
    evaluator.run(session.mlp.params, selected)
    grid = session.mlp.forward(feature_matrix(grid_points(GRID, session.extent), session.config.features))
    layer, index = selected
    assert evaluator.selected_map is not None
    np.testing.assert_allclose(evaluator.selected_map, grid.A[layer][:, index], rtol=1e-4, atol=1e-4)
    evaluator.run(session.mlp.params)
    assert evaluator.selected_map is None


def test_grids_larger_than_a_chunk_are_streamed_whole(session: TrainingSession) -> None:
    mlp = session.mlp
    size = 40  # 1600 cells: several chunks, the last one partial
    evaluator = Evaluator(mlp.sizes, mlp.activations, session.config.features, session.data, size, THUMB,
                          session.extent)
    evaluator.run(mlp.params, (2, 1))
    grid = mlp.forward(feature_matrix(grid_points(size, session.extent), session.config.features))
    np.testing.assert_allclose(evaluator.grid_output, grid.output, rtol=1e-4, atol=1e-5)
    assert evaluator.selected_map is not None
    np.testing.assert_allclose(evaluator.selected_map, grid.A[2][:, 1], rtol=1e-4, atol=1e-4)


def test_data_outputs_equal_mlp_forward_on_train_and_test_rows(session: TrainingSession) -> None:
    evaluator = evaluator_of(session)
    for inputs, (Z, A), targets in [(session.data.train_inputs, evaluator.train_outputs(), evaluator.train_targets),
                                    (session.data.test_inputs, evaluator.test_outputs(), evaluator.test_targets)]:
        expected = session.mlp.forward(inputs[:, :-1])
        np.testing.assert_allclose(A, expected.output, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(Z, expected.Z[-1], rtol=1e-4, atol=1e-4)
        assert targets.shape == expected.output.shape


def test_run_follows_new_parameters(session: TrainingSession) -> None:
    evaluator = evaluator_of(session)
    before = evaluator.grid_output.copy()
    session.mlp.biases[-1][0] += 0.5
    evaluator.run(session.mlp.params)
    assert not np.allclose(evaluator.grid_output, before)


@pytest.mark.parametrize("layer", [0, 1, 2, 3])
def test_thumb_maps_are_copies_that_the_next_run_does_not_change(session: TrainingSession, layer: int) -> None:
    evaluator = evaluator_of(session)
    kept = evaluator.thumb_maps(layer)
    before = kept.copy()
    session.mlp.params[...] *= -1.0
    evaluator.run(session.mlp.params)
    np.testing.assert_array_equal(kept, before)
