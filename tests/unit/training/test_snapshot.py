"""app.training.snapshot: what one frame holds, per problem type: shapes, finiteness, metrics, copies, repr."""

import math
import re

import numpy as np
import pytest

from app.data.datasets import Problem
from app.data.features import feature_matrix
from app.training.boundary import ACTIVATION_RANGES, grid_points
from app.training.status import SessionError, Status

GRID, THUMB = 10, 4


def all_arrays(snapshot) -> list[np.ndarray]:
    arrays = [*snapshot.weights, *snapshot.biases, *snapshot.weight_grads, *snapshot.bias_grads,
              *snapshot.neuron_maps, snapshot.output_map]
    return arrays + ([] if snapshot.selected_map is None else [snapshot.selected_map])


def grid_forward(session, size: int = GRID):
    return session.mlp.forward(feature_matrix(grid_points(size, session.extent), session.config.features))


@pytest.mark.parametrize(
    ("changes", "problem", "output_shape"),
    [({}, Problem.BINARY, (GRID * GRID,)), ({"dataset": "blobs", "classes": 5}, Problem.MULTICLASS,
                                            (GRID * GRID, 5)),
     ({"dataset": "multi_gauss"}, Problem.REGRESSION, (GRID * GRID,))],
)
def test_shapes_and_finiteness_per_problem(make_session, changes, problem, output_shape) -> None:
    session = make_session(**changes)
    session.step("batch", 30)
    snapshot = session.snapshot(GRID, THUMB, selected=(1, 3))
    assert snapshot.problem == problem and snapshot.sizes == session.mlp.sizes
    assert snapshot.output_map.shape == output_shape and snapshot.output_map.dtype == np.float32
    assert [m.shape for m in snapshot.neuron_maps] == [(d, THUMB * THUMB) for d in session.mlp.sizes]
    assert all(m.dtype == np.float32 for m in snapshot.neuron_maps)
    assert snapshot.selected_map is not None and snapshot.selected_map.shape == (GRID * GRID,)
    assert [W.shape for W in snapshot.weight_grads] == [W.shape for W in session.mlp.weights]
    assert all(np.all(np.isfinite(a)) for a in all_arrays(snapshot))
    assert (snapshot.step, snapshot.epoch, snapshot.examples, snapshot.status) == (30, 1, 300, "paused")


def test_classification_metrics_hold_accuracy_and_a_confusion_matrix(make_session) -> None:
    session = make_session(dataset="blobs", classes=4)
    session.step("epoch", 4)
    snapshot = session.snapshot(GRID, THUMB)
    for part, n in [(snapshot.train, len(session.data.train_index)), (snapshot.test, len(session.data.test_index))]:
        assert part.confusion is not None and part.confusion.shape == (4, 4) and part.confusion.sum() == n
        assert part.accuracy == pytest.approx(np.trace(part.confusion) / n)
        assert part.cost is not None and part.cost > 0 and part.rmse is None and part.r2 is None


def test_regression_metrics_hold_rmse_and_r2(make_session) -> None:
    session = make_session(dataset="plane")
    session.step("epoch", 4)
    for part in (session.snapshot(GRID, THUMB).train, session.snapshot(GRID, THUMB).test):
        assert part.cost is not None and part.rmse is not None and part.r2 is not None
        assert part.rmse == pytest.approx(math.sqrt(2 * part.cost), rel=1e-4)  # mse cost is half the mean square
        assert part.accuracy is None and part.confusion is None


@pytest.mark.parametrize("output", ["tanh", "sigmoid"])
def test_binary_output_map_is_two_p_minus_one_over_the_main_grid(make_session, output: str) -> None:
    session = make_session(output_activation=output)
    session.step("batch", 20)
    A = grid_forward(session).output[:, 0]
    expected = A if output == "tanh" else 2 * A - 1
    np.testing.assert_allclose(session.snapshot(GRID, THUMB).output_map, expected, rtol=1e-4, atol=1e-5)


def test_multiclass_output_map_holds_class_probabilities(make_session) -> None:
    session = make_session(dataset="blobs", classes=3)
    output_map = session.snapshot(GRID, THUMB).output_map
    np.testing.assert_allclose(output_map.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(output_map, grid_forward(session).output, rtol=1e-4, atol=1e-6)


def test_selected_and_neuron_maps_show_that_neurons_output(make_session) -> None:
    session = make_session()
    session.step("batch", 20)
    snapshot = session.snapshot(GRID, THUMB, selected=(2, 1))
    np.testing.assert_allclose(snapshot.selected_map, grid_forward(session).A[2][:, 1], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(snapshot.neuron_maps[1], grid_forward(session, THUMB).A[1].T, rtol=1e-4, atol=1e-5)
    assert session.snapshot(GRID, THUMB).selected_map is None


def test_gradients_and_penalty_are_the_last_steps(make_session) -> None:
    session = make_session(regularization="l1", regularization_rate=0.1)
    session.step("batch", 5)
    snapshot = session.snapshot(GRID, THUMB)
    blocks = session.trainer.grad_blocks
    assert all(np.array_equal(g, b[:-1]) for g, b in zip(snapshot.weight_grads, blocks, strict=True))
    assert all(np.array_equal(g, b[-1]) for g, b in zip(snapshot.bias_grads, blocks, strict=True))
    assert snapshot.penalty == pytest.approx(0.1 * sum(np.abs(W).sum() for W in session.mlp.weights))


def test_map_ranges_give_each_neurons_map_a_range_that_covers_it(make_session) -> None:
    session = make_session(features=["x1", "x2", "x1_sq"], hidden_layers=[3], layer_activations=["sigmoid"])
    snapshot = session.snapshot(GRID, THUMB)
    assert [len(ranges) for ranges in snapshot.map_ranges] == [3, 3, 1]
    for values, (low, high) in zip(snapshot.neuron_maps[0], snapshot.map_ranges[0], strict=True):
        assert low <= values.min() and values.max() <= high  # an input: its own range on the plane
    assert snapshot.map_ranges[0][2][1] > 20  # x1² spans up to ~29, not x1's ±5.4
    assert snapshot.map_ranges[1:] == [[ACTIVATION_RANGES["sigmoid"]] * 3, [ACTIVATION_RANGES["tanh"]]]


def test_a_snapshot_is_a_copy_the_session_can_train_past(make_session) -> None:
    session = make_session()
    session.step()
    snapshot = session.snapshot(GRID, THUMB)
    kept = [a.copy() for a in all_arrays(snapshot)]
    session.step("batch", 10)
    session.snapshot(GRID, THUMB)
    assert all(np.array_equal(a, b) for a, b in zip(all_arrays(snapshot), kept, strict=True))


@pytest.mark.parametrize("selected", [(4, 0), (1, 4), (-1, 0), (0, 2)])
def test_selecting_a_neuron_that_does_not_exist_is_refused(make_session, selected: tuple[int, int]) -> None:
    with pytest.raises(SessionError) as refused:
        make_session().snapshot(GRID, THUMB, selected=selected)
    assert refused.value.field == "neuron"


def test_repr_reads_as_a_sentence(make_session) -> None:
    session = make_session()
    session.step("batch", 30)
    text = repr(session.snapshot(GRID, THUMB))
    assert re.fullmatch(r"Snapshot\(paused, step 30, epoch 1, 2→4→2→1, train cost 0\.\d{4}\)", text), text


def edited_to_the_limit(make_session):
    """Six linear hidden layers of 16 with every weight typed in at the allowed maximum: the float32
    display pass overflows (outputs near 1e22, squared errors past 3e38), float64 does not."""
    session = make_session(dataset="plane", output_activation="linear", activation="linear",
                           hidden_layers=[16] * 6)
    for W in session.mlp.weights:
        W[...] = 100.0  # the most session.set_parameter allows, for every weight at once
    return session


def test_a_never_trained_run_is_not_called_diverged_when_float32_overflows(make_session) -> None:
    session = edited_to_the_limit(make_session)
    snapshot = session.snapshot(GRID, THUMB)
    assert snapshot.status == "idle" and session.status == Status.IDLE and "learning rate" not in session.message
    exact = session.mlp.cost(session.data.train_inputs[:, :-1], session.data.train_targets, "mse")
    assert snapshot.train.cost == pytest.approx(exact) and math.isfinite(exact) and exact > 1e38
    assert all(np.all(np.isfinite(a)) for a in all_arrays(snapshot))


def test_a_trained_run_whose_display_overflows_is_not_called_diverged(make_session) -> None:
    session = edited_to_the_limit(make_session)
    session.configure({"learning_rate": 1e-5})
    session.mlp.params[...] = 0.01
    session.step()
    for W in session.mlp.weights:
        W[...] = 100.0
    snapshot = session.snapshot(GRID, THUMB)
    assert snapshot.status == "paused" and snapshot.train.cost is not None and snapshot.train.cost > 1e38
