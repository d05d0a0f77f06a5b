"""Snapshots without the neuron maps or the output: what is computed is exactly what a whole snapshot has,
the grids' shared feature rows are exactly the ones each evaluator computed before, and skipping leaves no
trace in later snapshots."""

import numpy as np
import pytest

from app.data.split import inputs_with_ones
from app.training.boundary import Evaluator, grid_features, grid_features32, grid_points
from app.training.snapshot import output_map

GRID, THUMB = 12, 5
CASES = [{"dataset": "spiral", "hidden_layers": [8] * 6, "features": ["x1", "x2", "sin_x1"]},
         {"dataset": "blobs", "classes": 4}, {"dataset": "multi_gauss"}]


def same(a, b) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def test_grid_features_are_the_rows_each_evaluator_computed_and_are_shared_read_only() -> None:
    features = ("x1", "x2", "x1_x2", "sin_x2")
    old = inputs_with_ones(grid_points(GRID, 6.0), features)  # what Evaluator built for itself before
    assert same(grid_features(GRID, 6.0, features), old)
    assert same(grid_features32(GRID, 6.0, features), old[:, :-1].astype(np.float32))
    assert grid_features(GRID, 6.0, features) is grid_features(GRID, 6.0, features)
    with pytest.raises(ValueError, match="read-only"):
        grid_features32(GRID, 6.0, features)[0, 0] = 1.0


@pytest.mark.parametrize("changes", CASES)
def test_parts_equal_a_whole_snapshot_bit_for_bit(make_session, changes) -> None:
    session = make_session(**changes)
    session.step("batch", 40)
    whole = session.snapshot(GRID, THUMB, selected=(1, 2))
    for with_maps, with_output in ((False, True), (True, False), (False, False)):
        part = session.snapshot(GRID, THUMB, selected=(1, 2), with_maps=with_maps, with_output=with_output)
        assert (part.neuron_maps is None) != with_maps and (part.output_map is None) != with_output
        assert (part.selected_map is None) != with_output
        if with_maps:
            assert all(same(a, b) for a, b in zip(part.neuron_maps, whole.neuron_maps, strict=True))
        if with_output:
            assert same(part.output_map, whole.output_map) and same(part.selected_map, whole.selected_map)
        for mine, theirs in ((part.train, whole.train), (part.test, whole.test)):
            assert (mine.cost, mine.accuracy, mine.rmse, mine.r2) == (theirs.cost, theirs.accuracy, theirs.rmse,
                                                                      theirs.r2)
            assert (mine.confusion is None and theirs.confusion is None) or same(mine.confusion, theirs.confusion)
        assert part.penalty == whole.penalty
        assert all(same(a, b) for a, b in zip(part.weights + part.weight_grads, whole.weights + whole.weight_grads,
                                              strict=True))


@pytest.mark.parametrize("changes", CASES)
def test_skipped_parts_leave_no_trace_in_later_snapshots(make_session, changes) -> None:
    """Skip maps and output for a while of training; the next whole snapshot equals a fresh evaluator's."""
    session = make_session(**changes)
    session.step("batch", 5)
    session.snapshot(GRID, THUMB, selected=(2, 1))
    for _ in range(3):
        session.step("batch", 7)
        session.snapshot(GRID, THUMB, selected=(2, 1), with_maps=False, with_output=False)
    later = session.snapshot(GRID, THUMB, selected=(2, 1))
    fresh = Evaluator(session.mlp.sizes, session.mlp.activations, session.config.features, session.data,
                      GRID, THUMB, session.extent)
    fresh.run(session.mlp.params, (2, 1))
    assert all(same(later.neuron_maps[l], fresh.thumb_maps(l)) for l in range(len(session.mlp.sizes)))
    assert same(later.selected_map, fresh.selected_map)
    problem = session.data.dataset.problem
    assert same(later.output_map, output_map(problem, session.mlp.output_activation, fresh.grid_output))
