"""app.training.group: sessions trained together equal the same sessions trained alone, bit for bit."""

from typing import Any

import numpy as np
import pytest

from app.training.config import config_from_dict
from app.training.group import group_key, train_together
from app.training.persistence import export, restore
from app.training.session import TrainingSession
from app.training.slow_step import slow_step
from app.training.status import SessionError, Status

OUTPUTS = {"bce": ("sigmoid", "tanh"), "mse": ("sigmoid", "tanh", "softmax", "linear"), "cce": ("softmax",)}


def session(seed: int, **changes: Any) -> TrainingSession:
    settings: dict[str, Any] = {"points": 60, "seed": seed, "data_seed": seed % 3, "noise": 10 * seed % 50,
                                "learning_rate": 0.03 + 0.01 * seed, **changes}
    return TrainingSession(config_from_dict(settings))


def assert_same(together: TrainingSession, alone: TrainingSession) -> None:
    assert np.array_equal(together.mlp.params, alone.mlp.params)
    assert np.array_equal(together.trainer.grads, alone.trainer.grads)
    optimizer = alone.trainer.optimizer
    assert together.trainer.optimizer.t == optimizer.t
    for name in optimizer.state_names:
        assert np.array_equal(getattr(together.trainer.optimizer, name), getattr(optimizer, name))
    assert together.shuffle_rng.bit_generator.state == alone.shuffle_rng.bit_generator.state
    assert (together.order is None) == (alone.order is None)
    if alone.order is not None:
        assert np.array_equal(together.order, alone.order)
    counters = ("cursor", "steps", "epochs", "examples", "status", "message")
    assert [getattr(together, n) for n in counters] == [getattr(alone, n) for n in counters]
    assert together.checkpoints.epochs == alone.checkpoints.epochs
    for epoch in alone.checkpoints.epochs:
        mine, theirs = together.checkpoints._kept[epoch], alone.checkpoints._kept[epoch]
        assert np.array_equal(mine.params, theirs.params) and np.array_equal(mine.grads, theirs.grads)
        assert mine.rng_state == theirs.rng_state and mine.steps == theirs.steps


def train_both(together: list[TrainingSession], alone: list[TrainingSession], counts: list[int]) -> None:
    taken = train_together(together, counts)
    assert taken == [member.train(n) for member, n in zip(alone, counts, strict=True)]
    for a, b in zip(together, alone, strict=True):
        assert_same(a, b)


COMBINATIONS = [(hidden, output, cost, optimizer, regularization)
                for hidden in ("linear", "relu", "leaky_relu", "tanh", "sigmoid")
                for cost, outputs in OUTPUTS.items() for output in outputs
                for optimizer in ("sgd", "momentum", "adam") for regularization in ("none", "l1", "l2")]


@pytest.mark.parametrize(("hidden", "output", "cost", "optimizer", "regularization"), COMBINATIONS)
def test_together_equals_alone_for_every_combination(hidden: str, output: str, cost: str, optimizer: str,
                                                     regularization: str) -> None:
    dataset = {"softmax": {"dataset": "spiral_arms", "classes": 3}, "linear": {"dataset": "plane"}}.get(
        output, {"dataset": "spiral"})
    changes = {**dataset, "activation": hidden, "output_activation": output, "cost": cost, "optimizer": optimizer,
               "regularization": regularization, "regularization_rate": 0.001 if regularization != "none" else 0.0,
               "batch_size": 7}
    together = [session(seed, **changes) for seed in range(3)]
    alone = [session(seed, **changes) for seed in range(3)]
    train_both(together, alone, [9, 9, 9])  # 30 training points, 7 a batch: epochs end within, short batches
    train_both(together, alone, [1, 12, 5])  # members at different cursors, asking different counts
    for a, b in zip(together, alone, strict=True):
        a.snapshot(16, 4)
        b.snapshot(16, 4)
        assert a.history.to_dict() == b.history.to_dict()


def pairs(count: int, **changes: Any) -> tuple[list[TrainingSession], list[TrainingSession]]:
    return [session(seed, **changes) for seed in range(count)], [session(seed, **changes) for seed in range(count)]


def test_join_leave_and_a_learning_rate_change_stay_exact() -> None:
    together, alone = pairs(4, batch_size=8)
    train_both(together[:2], alone[:2], [5, 5])
    train_both(together[:3], alone[:3], [4, 9, 1])  # the third joins at step 0, mid-epoch for the others
    for a, b in zip(together, alone, strict=True):
        a.configure({"learning_rate": 0.2})
        b.configure({"learning_rate": 0.2})
    train_both([together[0], together[2], together[3]], [alone[0], alone[2], alone[3]], [6, 6, 6])  # one left


def test_a_member_whose_shape_changes_moves_groups_without_a_jump() -> None:
    together, alone = pairs(3, batch_size=8)
    adam_together, adam_alone = pairs(2, batch_size=8, optimizer="adam")
    train_both(together, alone, [7, 7, 7])
    for changes in ({"optimizer": "adam"}, {"batch_size": 5}, {"regularization": "l2", "regularization_rate": 0.01}):
        together[1].configure(changes)
        alone[1].configure(changes)
        for a, b in zip(adam_together, adam_alone, strict=True):
            a.configure(changes)
            b.configure(changes)
        assert group_key(together[1]) != group_key(together[0])
        assert group_key(together[1]) == group_key(adam_together[0])
        train_both([together[0], together[2]], [alone[0], alone[2]], [3, 3])
        train_both([*adam_together, together[1]], [*adam_alone, alone[1]], [4, 4, 4])  # weights kept: no jump


def test_rewind_edit_hand_and_slow_steps_between_calls_stay_exact() -> None:
    together, alone = pairs(3, batch_size=8)
    train_both(together, alone, [20, 20, 20])
    for group in (together, alone):
        group[0].rewind(2)
        group[1].set_parameter(0, 1, 0.5, source=0)
        group[2].step("batch", 1)
        slow_step(group[2])
    train_both(together, alone, [10, 3, 8])


def test_export_and_import_of_one_member_stay_exact() -> None:
    together, alone = pairs(3, batch_size=8)
    train_both(together, alone, [9, 9, 9])
    together[1] = restore(export(together[1]))
    alone[1] = restore(export(alone[1]))
    train_both(together, alone, [9, 9, 9])


def test_one_member_diverges_alone_and_its_neighbours_train_on() -> None:
    together, alone = pairs(3, batch_size=8, activation="relu", output_activation="linear", dataset="plane")
    for group in (together, alone):
        group[1].configure({"learning_rate": 10.0})
        for target in range(4):
            group[1].set_parameter(0, target, 100.0, source=0)
        for member in group:
            member.start()
    train_both(together, alone, [40, 40, 40])
    assert together[1].status == Status.DIVERGED and together[0].status == Status.RUNNING
    assert together[0].steps == 40 and together[1].steps == 0
    with pytest.raises(SessionError):
        train_together(together, [1, 1, 1])


def test_refusals_change_nothing() -> None:
    together, _ = pairs(2, batch_size=8)
    other = session(5, batch_size=9)
    before = [member.mlp.params.copy() for member in together]
    with pytest.raises(ValueError, match="different groups"):
        train_together([*together, other], [1, 1, 1])
    with pytest.raises(ValueError, match="at least 1"):
        train_together(together, [1, 0])
    with pytest.raises(ValueError, match="one count"):
        train_together(together, [1])
    assert all(np.array_equal(a, b.mlp.params) for a, b in zip(before, together, strict=True))
    assert [member.steps for member in together] == [0, 0]
