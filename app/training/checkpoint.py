"""Checkpoint: a copy of everything one training call changes, to roll a run back to it.

Imports numpy, the standard library, ``app.nn`` and ``app.data`` only. A checkpoint is taken from, and put back
into, anything shaped like a training session (``Trainable``): the weights, the
optimiser's state and step count, the last step's gradients (which the page shows),
the shuffling generator, this epoch's point order and cursor, and the step, epoch and
example counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from app.data.split import DataSplit
from app.nn.mlp import MLP
from app.nn.trainer import Trainer

Array = np.ndarray


class Trainable(Protocol):
    """What a checkpoint reads and writes: the parts of a ``TrainingSession`` that ``train`` changes."""

    mlp: MLP
    trainer: Trainer
    shuffle_rng: np.random.Generator
    data: DataSplit
    epoch_inputs: Array
    epoch_targets: Array
    order: Array | None
    cursor: int
    steps: int
    epochs: int
    examples: int


@dataclass(frozen=True)
class Checkpoint:
    """A session's training state at one moment.

    params: (P,) float64, every weight and bias; grads: (P,) float64, the last step's gradients;
    optimizer_state: name → (P,) float64; order: (n_train,) int or None between epochs.
    """

    params: Array
    grads: Array
    optimizer_state: dict[str, Array]
    optimizer_steps: int
    rng_state: dict[str, Any]
    order: Array | None
    cursor: int
    steps: int
    epochs: int
    examples: int


def capture(session: Trainable) -> Checkpoint:
    """Copy everything ``train`` changes."""
    optimizer = session.trainer.optimizer
    return Checkpoint(
        params=session.mlp.params.copy(),
        grads=session.trainer.grads.copy(),
        optimizer_state={name: getattr(optimizer, name).copy() for name in optimizer.state_names},
        optimizer_steps=optimizer.t,
        rng_state=dict(session.shuffle_rng.bit_generator.state),
        order=session.order,
        cursor=session.cursor,
        steps=session.steps,
        epochs=session.epochs,
        examples=session.examples,
    )


def restore(session: Trainable, checkpoint: Checkpoint) -> None:
    """Put the session back as it was when ``checkpoint`` was captured."""
    session.mlp.params[...] = checkpoint.params
    session.trainer.grads[...] = checkpoint.grads  # in place: the trainer's grad_blocks view this array
    optimizer = session.trainer.optimizer
    for name, values in checkpoint.optimizer_state.items():
        getattr(optimizer, name)[...] = values
    optimizer.t = checkpoint.optimizer_steps
    session.shuffle_rng.bit_generator.state = checkpoint.rng_state
    if checkpoint.order is not None and checkpoint.order is not session.order:
        np.take(session.data.train_inputs, checkpoint.order, axis=0, out=session.epoch_inputs)
        np.take(session.data.train_targets, checkpoint.order, axis=0, out=session.epoch_targets)
    session.order, session.cursor = checkpoint.order, checkpoint.cursor
    session.steps, session.epochs = checkpoint.steps, checkpoint.epochs
    session.examples = checkpoint.examples
