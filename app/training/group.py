"""Training a group of same-shape sessions together, each exactly as it would train alone.

Imports numpy, the standard library, the engine and the training layer's own modules only.

``train_together(sessions, n_batches)`` has the effect of
``[session.train(n) for session, n in zip(sessions, n_batches)]``, bit for bit, for sessions that
share a ``group_key``: the weights, last gradients, optimiser state and step count, the point
orders (each session draws its own from its own generator), the counters, the checkpoints kept at
epoch ends and the divergence roll-back. The difference is the cost: the sessions' numbers are
gathered into one ``app.nn.stack.Stack`` for the call, every step is one batched matmul per
layer and pass for all of them, and the numbers are scattered back at every epoch end (for the
checkpoint) and at the end. Between calls each session owns its numbers, so joining, leaving,
reconfiguring, rewinding, editing a weight, exporting or importing one member needs nothing
from the group: the next call gathers whatever the sessions hold then (gathering costs a copy
of each session's parameters and optimiser state per call, well under a step's cost).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from app.i18n import refused
from app.nn.stack import Signature, Stack, signature
from app.training.session import TrainingSession
from app.training.status import SessionError, Status

GroupKey = tuple[Signature, int, int]


def group_key(session: TrainingSession) -> GroupKey:
    """What sessions must share to train together: network signature, batch rows, training points."""
    return signature(session.trainer), session.batch_rows, len(session.data.train_index)


def train_together(sessions: Sequence[TrainingSession], n_batches: Sequence[int]) -> list[int]:
    """Train each session its ``n_batches`` (>= 1) together; returns the batches each took (0: it diverged).

    Raises ValueError for sessions of different group keys or a count below 1, and SessionError if
    one has diverged; then no session has changed."""
    if len(sessions) != len(n_batches) or any(n < 1 for n in n_batches):
        raise ValueError(f"need one count of at least 1 per session, got {list(n_batches)}")
    if len(sessions) == 1:
        return [sessions[0].train(n_batches[0])]
    key = group_key(sessions[0])
    for session in sessions:
        if group_key(session) != key:
            raise ValueError(f"sessions of different groups: {group_key(session)} is not {key}")
        if session.status == Status.DIVERGED:
            raise refused(SessionError, "status", "error.session.diverged")
    checkpoints = [session.begin_training() for session in sessions]
    with np.errstate(all="ignore"):  # overflow shows up as non-finite weights, checked at the end
        _train(sessions, n_batches, key[1], key[2])
    return [session.finish_training(checkpoint, n)
            for session, checkpoint, n in zip(sessions, checkpoints, n_batches, strict=True)]


def _train(sessions: Sequence[TrainingSession], n_batches: Sequence[int], rows: int, n_train: int) -> None:
    """The steps of ``train_together``, between the checkpoints: in phases where every member left trains
    the smallest count still owed, each phase one stack of exactly its members (a run asking for more,
    a fast speed, goes on in a smaller stack rather than as a subset of a big one)."""
    owed = list(n_batches)
    members = list(range(len(sessions)))
    while members:
        count = min(owed[i] for i in members)
        _train_equal([sessions[i] for i in members], count, rows, n_train)
        for i in members:
            owed[i] -= count
        members = [i for i in members if owed[i] > 0]


def _train_equal(sessions: Sequence[TrainingSession], n_batches: int, rows: int, n_train: int) -> None:
    """``n_batches`` steps for every session, stacked; members at different cursors step as subsets."""
    stack = Stack([session.trainer for session in sessions])
    count = len(sessions)
    first = sessions[0]
    inputs = np.empty((count, n_train, first.epoch_inputs.shape[1]))  # each member's epoch, in its order
    targets = np.empty((count, n_train, first.epoch_targets.shape[1]))
    ordered = np.array([session.order is not None for session in sessions])
    for i in np.flatnonzero(ordered).tolist():
        inputs[i], targets[i] = sessions[i].epoch_inputs, sessions[i].epoch_targets
    cursors = np.array([session.cursor for session in sessions])
    remaining = np.full(count, n_batches)
    steps = np.array([session.steps for session in sessions])
    examples = np.array([session.examples for session in sessions])
    written = np.zeros(count, dtype=bool)  # whose numbers are in its session already (written at an epoch's end)
    while (active := np.flatnonzero(remaining > 0)).size:
        for i in active[~ordered[active]].tolist():  # an epoch starts: a new order from the member's own generator
            sessions[i].start_epoch()
            inputs[i], targets[i] = sessions[i].epoch_inputs, sessions[i].epoch_targets
            ordered[i] = True
        at = cursors[active]
        starts = [int(at[0])] if at.min() == at.max() else [int(c) for c in np.unique(at)]
        for origin in starts:  # members at one cursor step in lockstep up to their epoch's end or their count
            members = active if len(starts) == 1 else active[at == origin]
            lockstep = min(int(remaining[members].min()), math.ceil((n_train - origin) / rows))
            index = None if members.size == count else members.tolist()
            end = origin
            for _ in range(lockstep):
                start, end = end, min(end + rows, n_train)
                if index is None:
                    stack.step(inputs[:, start:end], targets[:, start:end])
                else:
                    stack.step(inputs[members, start:end], targets[members, start:end], index)
            cursors[members] = end
            remaining[members] -= lockstep
            steps[members] += lockstep
            examples[members] += end - origin
            written[members] = end == n_train
            if end == n_train:
                for i in members.tolist():
                    _write_back(stack, sessions[i], i, steps, examples, cursors)
                    sessions[i].end_epoch()
                ordered[members] = False
                cursors[members] = 0
    for i in np.flatnonzero(~written).tolist():
        _write_back(stack, sessions[i], i, steps, examples, cursors)


def _write_back(stack: Stack, session: TrainingSession, index: int, steps: np.ndarray, examples: np.ndarray,
                cursors: np.ndarray) -> None:
    """Member ``index``'s numbers and counters into its session."""
    stack.write_back(index, session.trainer)
    session.steps, session.examples, session.cursor = int(steps[index]), int(examples[index]), int(cursors[index])
