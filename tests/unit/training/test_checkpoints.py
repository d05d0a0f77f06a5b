"""Checkpoints: every recent epoch, geometric thinning further back, bounded count and bytes, rewinding."""

from __future__ import annotations

import numpy as np
import pytest

from app.training.checkpoints import DENSE_EPOCHS, Checkpoints, size_of, spacing
from app.training.config import config_from_dict
from app.training.session import TrainingSession
from app.training.status import SessionError, Status


def small_session(**changes: object) -> TrainingSession:
    """A run whose epoch is one step (batch = training set), so thousands of epochs are cheap."""
    return TrainingSession(config_from_dict({"points": 50, "batch_size": 25, **changes}))


def test_spacing_is_one_for_recent_epochs_then_doubles_with_age() -> None:
    assert [spacing(age) for age in (0, 1, DENSE_EPOCHS)] == [1, 1, 1]
    assert spacing(DENSE_EPOCHS + 1) == spacing(2 * DENSE_EPOCHS) == 2
    assert spacing(2 * DENSE_EPOCHS + 1) == 4 and spacing(4 * DENSE_EPOCHS + 1) == 8
    ages = range(1, 10_000)
    assert all(spacing(a) <= spacing(a + 1) and spacing(a) & (spacing(a) - 1) == 0 for a in ages)


def test_recent_epochs_are_all_kept_and_older_ones_thin_geometrically() -> None:
    session = small_session()
    session.train(500)
    kept = session.checkpoints.epochs
    assert session.epochs == 500 and kept[-1] == 500 and kept[0] == 0
    assert kept[-DENSE_EPOCHS - 1 :] == list(range(500 - DENSE_EPOCHS, 501))
    for epoch in kept:
        assert epoch % spacing(500 - epoch) == 0
    gaps = np.diff(kept)
    assert np.all(np.diff(gaps) <= 0)  # never closer together further back
    assert len(kept) < 80


def test_the_count_and_the_bytes_stay_bounded_over_a_long_run() -> None:
    session = small_session()
    one = size_of(session.checkpoints.nearest(0))
    session.checkpoints = Checkpoints(max_count=30, max_bytes=25 * one)
    session.checkpoints.record(session)
    for _ in range(40):
        session.train(100)
        assert len(session.checkpoints) <= 25 and session.checkpoints.bytes <= 25 * one
    kept = session.checkpoints.epochs
    assert kept[-3:] == [3998, 3999, 4000] and session.checkpoints.window < 20
    assert session.checkpoints.bytes == sum(size_of(session.checkpoints.nearest(e)) for e in kept)
    assert kept[0] == 0 and kept[1] <= 2048  # the far past is still reachable, sparsely
    assert np.all(np.diff(np.diff(kept)[1:]) <= 0)


def test_a_rewind_restores_the_exact_state_of_that_epoch_and_going_on_is_deterministic() -> None:
    session = small_session(optimizer="momentum")
    session.train(7)
    params, steps = session.mlp.params.copy(), session.steps
    session.train(5)
    session.snapshot()
    session.rewind(7)
    assert session.status == Status.PAUSED and session.steps == steps and session.epochs == 7
    np.testing.assert_array_equal(session.mlp.params, params)
    session.rewind(11)  # forward again, along the same branch
    assert session.epochs == 11
    session.rewind(7)
    session.train(5)
    again = session.mlp.params.copy()
    other = small_session(optimizer="momentum")
    other.train(12)
    np.testing.assert_array_equal(again, other.mlp.params)
    assert session.checkpoints.epochs == list(range(13))


def test_training_after_a_rewind_drops_the_later_checkpoints_and_a_rewind_cuts_the_curve() -> None:
    session = small_session()
    for _ in range(6):
        session.train(1)
        session.snapshot()
    session.rewind(2)
    assert session.history.steps.tolist() == [1, 2] and session.checkpoints.latest == 6
    session.train(1)
    assert session.checkpoints.epochs == [0, 1, 2, 3]
    with pytest.raises(SessionError) as refused:
        session.rewind(4)
    assert refused.value.field == "epoch"


def test_a_rewind_after_a_change_of_optimiser_starts_its_state_fresh() -> None:
    session = small_session(optimizer="adam")
    session.train(3)
    session.configure({"optimizer": "momentum"})
    session.rewind(1)
    assert session.trainer.optimizer.name == "momentum" and session.trainer.optimizer.t == 0
    session.train(1)
    assert np.all(np.isfinite(session.mlp.params))


def test_thinning_one_epoch_later_keeps_exactly_what_a_full_thinning_keeps() -> None:
    """The incremental thinning (only the epochs whose spacing grew) against a scan of every kept epoch."""
    from app.training import checkpoints as module

    class FullScan(module.Checkpoints):
        def _grown(self, newest: int) -> list[int]:
            return list(self._kept)

    for max_count, max_bytes in ((module.MAX_CHECKPOINTS, module.MAX_BYTES), (12, module.MAX_BYTES), (100, 40_000)):
        quick, full = TrainingSession(), TrainingSession()
        quick.checkpoints = module.Checkpoints(max_count, max_bytes)
        full.checkpoints = FullScan(max_count, max_bytes)
        for session in (quick, full):
            session.checkpoints.record(session)
        for round_ in range(3):
            for session in (quick, full):
                session.train(session.batches_for("epoch", 300 if round_ < 2 else 60))
                if round_ == 0:
                    session.rewind(150)  # a branch: the next thinning scans everything again
            assert quick.checkpoints.epochs == full.checkpoints.epochs
            assert quick.checkpoints.window == full.checkpoints.window
            assert quick.checkpoints.bytes == full.checkpoints.bytes
