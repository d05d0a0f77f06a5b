"""app.training.checkpoint: a rolled-back training call leaves no trace, the shown gradients included."""

import numpy as np

from app.training.status import Status

# A regression run that plain gradient steps at learning rate 10 blow up within a few batches.
DIVERGING = {"dataset": "plane", "output_activation": "linear", "activation": "relu",
             "hidden_layers": [16, 16, 16], "learning_rate": 0.03}


def test_a_divergence_rollback_restores_the_gradients_of_the_last_good_step(make_session) -> None:
    session = make_session(**DIVERGING)
    session.step("batch", 3)
    good_params, good_grads = session.mlp.params.copy(), session.trainer.grads.copy()
    assert np.any(good_grads != 0)
    session.configure({"learning_rate": 10.0})
    assert session.train(20) == 0 and session.status == Status.DIVERGED
    assert np.array_equal(session.mlp.params, good_params)
    assert np.array_equal(session.trainer.grads, good_grads)
    shown = session.snapshot(8, 4)
    flat_shown = np.concatenate([np.vstack([W, b]).ravel() for W, b in zip(shown.weight_grads, shown.bias_grads,
                                                                             strict=True)])
    assert np.array_equal(flat_shown, good_grads)
