"""app.training.session: the status machine, stepping and its counters, configuration, custom data and divergence."""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.data.datasets import DataError, Problem
from app.errors import InputError
from app.training.config import ConfigError
from app.training.session import TrainingSession
from app.training.status import TRANSITIONS, SessionError, Status

N_TRAIN = 250  # default: 500 points, half for training
STEPS_PER_EPOCH = 25  # ceil(250 / batch 10)
# Plane targets through relu layers fed x1² (up to 36) at learning rate 10: the weights pass 1e6 within 8 steps.
DIVERGING = {"dataset": "plane", "learning_rate": 10.0, "activation": "relu",
             "features": ["x1", "x2", "x1_sq", "x2_sq"]}

Maker = Callable[..., TrainingSession]


def state_of(session: TrainingSession) -> tuple[Any, ...]:
    """Everything a refused command must leave as it was."""
    return (session.status, session.message, session.steps, session.epochs, session.examples, session.cursor,
            session.config, session.mlp.params.tobytes())


def diverged(make_session: Maker) -> TrainingSession:
    session = make_session(**DIVERGING)
    session.step("batch", 20)
    assert session.status == Status.DIVERGED
    return session


# --- status machine ----------------------------------------------------------------------------------


def test_a_new_session_is_idle_with_zero_counters(make_session: Maker) -> None:
    session = make_session()
    assert (session.status, session.message) == (Status.IDLE, "")
    assert (session.steps, session.epochs, session.examples, session.cursor) == (0, 0, 0, 0)
    assert repr(session) == "TrainingSession(circle, MLP(2→4→2→1, tanh, tanh, tanh), idle, step 0)"


def test_legal_transitions_start_pause_step_and_reset(make_session: Maker) -> None:
    session = make_session()
    session.start()
    assert session.status == Status.RUNNING
    session.pause()
    assert session.status == Status.PAUSED
    session.step()
    assert session.status == Status.PAUSED
    session.start()
    session.reset()
    assert session.status == Status.IDLE
    session.step()
    assert session.status == Status.PAUSED and session.steps == 1


def test_every_status_may_go_back_to_idle_and_diverged_only_to_idle() -> None:
    assert all(Status.IDLE in TRANSITIONS[s] for s in Status if s != Status.IDLE)
    assert TRANSITIONS[Status.DIVERGED] == frozenset({Status.IDLE})


ILLEGAL = [
    pytest.param([], lambda s: s.pause(), id="pause-when-idle"),
    pytest.param([lambda s: s.start()], lambda s: s.start(), id="start-twice"),
    pytest.param([lambda s: s.step()], lambda s: s.pause(), id="pause-when-paused"),
    pytest.param([lambda s: s.start()], lambda s: s.step(), id="step-while-running"),
    pytest.param([lambda s: s.start()], lambda s: s.step("epoch"), id="step-epoch-while-running"),
]


@pytest.mark.parametrize(("setup", "command"), ILLEGAL)
def test_illegal_commands_raise_on_status_and_change_nothing(make_session: Maker, setup: list[Any],
                                                             command: Callable[[TrainingSession], None]) -> None:
    session = make_session()
    for action in setup:
        action(session)
    before = state_of(session)
    with pytest.raises(SessionError) as refused:
        command(session)
    assert refused.value.field == "status"
    assert state_of(session) == before


@pytest.mark.parametrize(
    "command",
    [lambda s: s.start(), lambda s: s.step(), lambda s: s.pause(), lambda s: s.train(1),
     lambda s: s.set_parameter(0, 0, 0.5)],
    ids=["start", "step", "pause", "train", "set_parameter"],
)
def test_a_diverged_run_refuses_everything_but_reset(make_session: Maker,
                                                     command: Callable[[TrainingSession], None]) -> None:
    session = diverged(make_session)
    before = state_of(session)
    with pytest.raises(SessionError) as refused:
        command(session)
    assert refused.value.field == "status"
    assert state_of(session) == before


# --- stepping and counters ---------------------------------------------------------------------------


def test_stepping_batches_counts_steps_examples_and_the_cursor(make_session: Maker) -> None:
    session = make_session()
    assert session.step("batch", 3) == 3
    assert (session.steps, session.epochs, session.examples, session.cursor) == (3, 0, 30, 30)


def test_one_epoch_is_ceil_of_n_train_over_batch_steps(make_session: Maker) -> None:
    session = make_session(batch_size=7)
    assert session.step("epoch") == math.ceil(N_TRAIN / 7) == 36
    assert (session.epochs, session.examples, session.cursor, session.order) == (1, N_TRAIN, 0, None)


def test_step_epoch_mid_epoch_finishes_the_current_epoch(make_session: Maker) -> None:
    session = make_session()
    session.step("batch", 3)
    assert session.step("epoch") == STEPS_PER_EPOCH - 3
    assert (session.steps, session.epochs, session.examples) == (STEPS_PER_EPOCH, 1, N_TRAIN)
    assert session.step("epoch", 2) == 2 * STEPS_PER_EPOCH
    assert (session.epochs, session.examples) == (3, 3 * N_TRAIN)


def test_an_epoch_uses_every_training_point_once_in_a_shuffled_order(make_session: Maker) -> None:
    session = make_session()
    session.step()
    assert session.order is not None
    assert sorted(session.order) == list(range(N_TRAIN)) and list(session.order) != list(range(N_TRAIN))
    np.testing.assert_array_equal(np.sort(session.epoch_inputs, axis=0), np.sort(session.data.train_inputs, axis=0))


def test_a_batch_larger_than_the_training_set_is_capped_to_it(make_session: Maker) -> None:
    session = make_session(batch_size=1000)
    assert session.batch_rows == N_TRAIN
    assert session.step("epoch") == 1 and session.examples == N_TRAIN


@pytest.mark.parametrize(("unit", "count", "field"), [("sample", 1, "unit"), ("batch", 0, "count"),
                                                      ("batch", -2, "count"), ("epoch", 1.5, "count"),
                                                      ("batch", True, "count")])
def test_step_refuses_bad_units_and_counts(make_session: Maker, unit: str, count: Any, field: str) -> None:
    session = make_session()
    with pytest.raises(SessionError) as refused:
        session.step(unit, count)
    assert refused.value.field == field and session.steps == 0 and session.status == Status.IDLE


# --- reset, new weights, new data --------------------------------------------------------------------


def test_reset_restores_the_same_initial_weights_and_the_same_run(make_session: Maker) -> None:
    session = make_session()
    initial = session.mlp.params.copy()
    session.step("batch", 40)
    after_40 = session.mlp.params.copy()
    session.reset()
    assert np.array_equal(session.mlp.params, initial)
    assert (session.status, session.steps, session.epochs, session.examples, session.cursor) == (
        Status.IDLE, 0, 0, 0, 0)
    session.step("batch", 40)
    assert np.array_equal(session.mlp.params, after_40)


def test_new_weights_changes_the_seed_and_the_weights(make_session: Maker) -> None:
    session = make_session()
    initial, seed = session.mlp.params.copy(), session.config.seed
    session.step()
    session.new_weights()
    assert session.config.seed != seed and not np.array_equal(session.mlp.params, initial)
    assert session.status == Status.IDLE and session.steps == 0
    session.new_weights(5)
    assert session.config.seed == 5
    assert np.array_equal(session.mlp.params, make_session(seed=5).mlp.params)


@pytest.mark.parametrize("seed", [-1, 2**31, True])
def test_new_weights_refuses_a_bad_seed_and_keeps_the_config(make_session: Maker, seed: Any) -> None:
    session = make_session()
    with pytest.raises(InputError) as refused:
        session.new_weights(seed)
    assert refused.value.field == "seed"
    assert session.config.seed == 0


def test_regenerate_data_changes_the_data_seed_and_the_points(make_session: Maker) -> None:
    session = make_session()
    points = session.data.dataset.points.copy()
    session.regenerate_data()
    assert session.config.data_seed != 0 and not np.array_equal(session.data.dataset.points, points)
    session.regenerate_data(3)
    assert np.array_equal(session.data.dataset.points, make_session(data_seed=3).data.dataset.points)
    with pytest.raises(InputError):
        session.regenerate_data(-1)
    assert session.config.data_seed == 3


# --- configure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"learning_rate": 0.1}, {"batch_size": 3}, {"optimizer": "adam"}, {"regularization": "l2",
                                                                        "regularization_rate": 0.01},
     {"cost": "bce"}],
    ids=["learning_rate", "batch_size", "optimizer", "regularization", "cost"],
)
def test_training_settings_apply_with_weights_counters_and_status_kept(make_session: Maker,
                                                                       changes: dict[str, Any]) -> None:
    session = make_session()
    session.step("batch", 5)
    session.start()
    params, counters = session.mlp.params.copy(), (session.steps, session.examples, session.cursor)
    assert session.configure(changes) == frozenset(changes)
    assert np.array_equal(session.mlp.params, params)
    assert (session.steps, session.examples, session.cursor) == counters and session.status == Status.RUNNING
    trainer = session.trainer
    assert (trainer.learning_rate, trainer.optimizer.name, trainer.loss, trainer.regularization,
            trainer.regularization_rate) == (session.config.learning_rate, session.config.optimizer,
                                             session.config.cost, session.config.regularization,
                                             session.config.regularization_rate)


def test_a_new_learning_rate_is_used_by_the_next_step(make_session: Maker) -> None:
    session, twin = make_session(), make_session(learning_rate=0.3)
    session.configure({"learning_rate": 0.3})
    session.step("batch", 10)
    twin.step("batch", 10)
    assert np.array_equal(session.mlp.params, twin.mlp.params)


@pytest.mark.parametrize(
    ("changes", "sizes"),
    [({"features": ["x1", "x2", "x1_sq"]}, (3, 4, 2, 1)), ({"hidden_layers": [3]}, (2, 3, 1)),
     ({"dataset": "blobs", "classes": 4}, (2, 4, 2, 4)), ({"activation": "relu"}, (2, 4, 2, 1)),
     ({"seed": 9}, (2, 4, 2, 1))],
    ids=["features", "hidden_layers", "dataset", "activation", "seed"],
)
def test_data_and_network_settings_rebuild_and_return_to_idle(make_session: Maker, changes: dict[str, Any],
                                                              sizes: tuple[int, ...]) -> None:
    session = make_session()
    session.step("batch", 5)
    session.start()
    session.configure(changes)
    assert session.status == Status.IDLE and (session.steps, session.examples, session.cursor) == (0, 0, 0)
    assert session.mlp.sizes == sizes
    assert np.array_equal(session.mlp.params, make_session(**changes).mlp.params)


def test_configure_with_no_real_change_changes_nothing(make_session: Maker) -> None:
    session = make_session()
    session.step()
    before = state_of(session)
    assert session.configure({"learning_rate": 0.03, "features": ["x2", "x1"]}) == frozenset()
    assert state_of(session) == before


def test_a_refused_configure_applies_none_of_its_changes(make_session: Maker) -> None:
    session = make_session()
    session.step("batch", 2)
    before = state_of(session)
    with pytest.raises(ConfigError) as refused:
        session.configure({"learning_rate": 0.5, "hidden_layers": [3], "batch_size": 0})
    assert refused.value.field == "batch_size"
    assert state_of(session) == before and session.trainer.learning_rate == 0.03


# --- editing parameters ------------------------------------------------------------------------------


def test_set_parameter_edits_one_weight_or_one_bias(make_session: Maker) -> None:
    session = make_session()
    before = session.mlp.params.copy()
    session.set_parameter(1, 0, 2.5, source=3)
    session.set_parameter(2, 0, -1.25)
    assert session.mlp.weights[1][3, 0] == 2.5 and session.mlp.biases[2][0] == -1.25
    assert np.count_nonzero(session.mlp.params != before) == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [((3, 0, 0.5), "layer"), ((-1, 0, 0.5), "layer"), ((0, 4, 0.5), "target"), ((2, 1, 0.5), "target"),
     ((0, 0, 0.5, 2), "source"), ((0, 0, 0.5, -1), "source"), ((0, 0, 101.0), "value"),
     ((0, 0, math.nan), "value"), ((0, 0, math.inf), "value"), ((0, 0, "1"), "value"), ((0.0, 0, 0.5), "layer")],
)
def test_set_parameter_refuses_what_is_not_in_the_network(make_session: Maker, args: tuple[Any, ...],
                                                          field: str) -> None:
    session = make_session()
    before = state_of(session)
    with pytest.raises(SessionError) as refused:
        session.set_parameter(*args)
    assert refused.value.field == field and state_of(session) == before


@pytest.mark.parametrize(("args", "field"), [((True, 0, 0.5), "layer"), ((0, 0, True), "value")])
def test_set_parameter_refuses_booleans_like_the_config_does(make_session: Maker, args: tuple[Any, ...],
                                                             field: str) -> None:
    session = make_session()
    with pytest.raises(SessionError) as refused:
        session.set_parameter(*args)
    assert refused.value.field == field


# --- custom data -------------------------------------------------------------------------------------

BINARY_ROWS = [[-1.0, -1.0, 0], [1.0, 1.0, 1], [-2.0, 0.5, 0], [2.0, -0.5, 1], [0.0, 3.0, 1]]
MULTICLASS_ROWS = [[-1.0, 0.0, 0], [1.0, 0.0, 1], [0.0, 1.0, 2], [0.0, -1.0, 3], [2.0, 2.0, 1]]
REGRESSION_ROWS = [[-1.0, 0.0, -0.5], [1.0, 0.0, 0.5], [0.0, 1.0, 0.25], [0.0, -1.0, 1.0]]


@pytest.mark.parametrize(
    ("rows", "problem", "output", "cost", "width"),
    [(BINARY_ROWS, "binary", "tanh", "mse", 1), (MULTICLASS_ROWS, "multiclass", "softmax", "cce", 4),
     (REGRESSION_ROWS, "regression", "linear", "mse", 1)],
)
def test_custom_data_replaces_the_points_and_picks_the_problems_output(
    make_session: Maker, rows: list[list[float]], problem: str, output: str, cost: str, width: int
) -> None:
    session = make_session(dataset="blobs") if problem == "binary" else make_session()
    session.step()
    session.set_custom_data(rows, problem)
    assert session.config.dataset == "custom" and session.problem == Problem(problem)
    assert (session.config.output_activation, session.config.cost, session.mlp.sizes[-1]) == (output, cost, width)
    np.testing.assert_array_equal(session.data.dataset.points, np.array(rows)[:, :2])
    assert session.status == Status.IDLE and session.steps == 0
    session.step("epoch")
    assert session.examples == len(session.data.train_index)


def test_custom_data_can_be_left_for_a_generated_dataset(make_session: Maker) -> None:
    session = make_session()
    session.set_custom_data(REGRESSION_ROWS, "regression")
    session.configure({"dataset": "circle"})
    assert session.problem == Problem.BINARY and len(session.data.dataset.labels) == 500
    assert (session.config.output_activation, session.config.cost) == ("tanh", "mse")


@pytest.mark.parametrize(
    ("rows", "problem", "field"),
    [(BINARY_ROWS[:3], "binary", "rows"), ([[0, 0, 0]] * 5, "binary", "rows"),
     ([[9.0, 0.0, 1]] + BINARY_ROWS, "binary", "rows"), ([[0.0, 0.0, 2]] + BINARY_ROWS, "binary", "rows"),
     ([[0.0, 0.0, 3.0]] + REGRESSION_ROWS, "regression", "rows"), (BINARY_ROWS, "ranking", "problem"),
     ([[0.0, 0.0, 9]] + MULTICLASS_ROWS, "multiclass", "classes"), ("abc", "binary", "rows")],
)
def test_bad_custom_data_is_refused_and_the_session_kept(make_session: Maker, rows: Any, problem: str,
                                                         field: str) -> None:
    session = make_session()
    session.step()
    before = state_of(session)
    with pytest.raises(DataError) as refused:
        session.set_custom_data(rows, problem)
    assert refused.value.field == field
    assert state_of(session) == before and session.custom_data is None


# --- divergence --------------------------------------------------------------------------------------


def test_divergence_stops_the_run_and_keeps_the_last_good_weights(make_session: Maker) -> None:
    session = make_session(**DIVERGING)
    session.step("batch", 3)
    good = session.mlp.params.copy()
    assert session.step("batch", 20) == 0
    assert session.status == Status.DIVERGED and session.steps == 3
    assert np.array_equal(session.mlp.params, good) and np.all(np.isfinite(session.mlp.params))
    assert "learning rate (10)" in session.message and "too high" in session.message


def test_divergence_rolls_back_the_position_in_the_epoch_with_the_counters(make_session: Maker) -> None:
    session = make_session(**DIVERGING)
    session.step("batch", 3)
    session.step("batch", 20)
    assert session.status == Status.DIVERGED
    # the counters went back to step 3; the epoch position must agree with them
    assert session.examples == session.epochs * N_TRAIN + session.cursor


def test_a_diverged_snapshot_holds_only_finite_numbers(make_session: Maker) -> None:
    snapshot = diverged(make_session).snapshot(grid_size=16, thumb_size=8, selected=(1, 0))
    assert snapshot.status == "diverged" and "learning rate" in snapshot.message
    arrays = [*snapshot.weights, *snapshot.biases, *snapshot.weight_grads, *snapshot.bias_grads,
              *snapshot.neuron_maps, snapshot.output_map, snapshot.selected_map]
    assert all(np.all(np.isfinite(a)) for a in arrays)
    assert all(v is None or math.isfinite(v) for part in (snapshot.train, snapshot.test)
               for v in (part.cost, part.rmse, part.r2))


def test_reset_recovers_from_divergence(make_session: Maker) -> None:
    session = diverged(make_session)
    session.reset()
    assert (session.status, session.message, session.steps) == (Status.IDLE, "", 0)
    assert np.array_equal(session.mlp.params, make_session(**DIVERGING).mlp.params)
    session.configure({"learning_rate": 0.001})
    session.step("batch", 20)
    assert session.status == Status.PAUSED and session.steps == 20


# --- determinism -------------------------------------------------------------------------------------


def test_same_config_gives_identical_weights_after_1000_steps(make_session: Maker) -> None:
    first, second = make_session(optimizer="adam"), make_session(optimizer="adam")
    first.train(1000)
    second.train(600)
    second.train(400)
    assert np.array_equal(first.mlp.params, second.mlp.params)


def test_another_seed_gives_other_weights_after_1000_steps(make_session: Maker) -> None:
    first, other = make_session(), make_session(seed=1)
    first.train(1000)
    other.train(1000)
    assert not np.allclose(first.mlp.params, other.mlp.params)
