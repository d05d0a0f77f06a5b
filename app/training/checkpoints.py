"""Checkpoints: a run's past, kept at epoch ends in bounded memory, to rewind it to an earlier epoch.

Imports numpy, the standard library and the training layer's own modules only. A session records a
``Checkpoint`` (``app.training.checkpoint``) each time an epoch ends. The newest ``DENSE_EPOCHS``
epochs are all kept; further back the spacing doubles with age: a checkpoint ``age`` epochs old is
kept only if its epoch is a multiple of ``spacing(age)``, a power of two that grows with the age,
so a checkpoint once dropped would never be kept again and each doubling of age keeps about
``DENSE_EPOCHS / 2`` of them: about ``DENSE_EPOCHS × (1 + log2(epochs / DENSE_EPOCHS) / 2)`` in
all. Past ``max_count`` checkpoints or ``max_bytes`` the dense window is halved (and so every band's
share), which keeps the same shape at half the resolution; epoch 0 and the newest always stay.
``rewind`` puts the nearest kept checkpoint at or before an epoch back into the session; the later
ones stay (the scrubber can move forward again) until training resumes, which starts a new branch
from there and drops them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from app.training.checkpoint import Checkpoint, Trainable, capture, restore

DENSE_EPOCHS = 20  # every one of the newest epochs is kept
MAX_CHECKPOINTS = 100  # checkpoints kept at most per run (thinning alone keeps ~70 over 1,000 epochs)
MAX_BYTES = 8 * 1024 * 1024  # their arrays' bytes at most per run (the largest network's take ~70 KiB each)


def spacing(age: int, window: int = DENSE_EPOCHS) -> int:
    """Epochs between kept checkpoints ``age`` epochs back: 1 within ``window``, then 2, 4, 8, …"""
    if age <= window:
        return 1
    return 1 << ((age - 1) // window).bit_length()


def size_of(checkpoint: Checkpoint) -> int:
    """Bytes of a checkpoint's arrays (what dominates its memory)."""
    arrays = [checkpoint.params, checkpoint.grads, *checkpoint.optimizer_state.values()]
    if checkpoint.order is not None:
        arrays.append(checkpoint.order)
    return sum(int(a.nbytes) for a in arrays)


class Checkpoints:
    """A run's checkpoints by epoch, oldest first (``epochs``), within ``max_count`` and ``max_bytes``."""

    def __init__(self, max_count: int = MAX_CHECKPOINTS, max_bytes: int = MAX_BYTES) -> None:
        if max_count < 2:
            raise ValueError("max_count must be at least 2 (epoch 0 and the newest)")
        self.max_count, self.max_bytes = max_count, max_bytes
        self._kept: dict[int, Checkpoint] = {}  # epoch → checkpoint, in rising epoch order
        self.window = DENSE_EPOCHS  # epochs kept densely; halved whenever the bounds are reached
        self._thinned = (-1, 0)  # (newest epoch, window) of the last thinning: the next one may look at fewer
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    def __repr__(self) -> str:
        return f"Checkpoints({len(self)} kept, epochs {self.epochs[:1]}…{self.epochs[-1:]}, {self.bytes} bytes)"

    @property
    def epochs(self) -> list[int]:
        """The epochs kept, rising."""
        return list(self._kept)

    @property
    def first(self) -> int:
        """The oldest epoch kept: 0, or the epoch an imported run was at."""
        return next(iter(self._kept), 0)

    @property
    def latest(self) -> int:
        """The newest epoch kept (0 when none is)."""
        return next(reversed(self._kept), 0)

    def record(self, session: Trainable) -> None:
        """Keep the session's state at the end of its current epoch, then thin older checkpoints."""
        epoch = session.epochs
        self.branch(epoch)
        if epoch in self._kept:
            return
        checkpoint = capture(session)
        self._kept[epoch] = checkpoint
        self.bytes += size_of(checkpoint)
        self._thin(epoch)

    def branch(self, epoch: int) -> None:
        """Training goes on from ``epoch``: drop the checkpoints of a future that was rewound away."""
        while self._kept and self.latest > epoch:
            self._drop(self.latest)

    def nearest(self, epoch: int) -> Checkpoint:
        """The newest checkpoint at or before ``epoch`` (at least ``first``)."""
        return self._kept[max((e for e in self._kept if e <= epoch), default=self.first)]

    def rewind(self, session: Trainable, epoch: int) -> Checkpoint:
        """Put the nearest checkpoint at or before ``epoch`` back into the session; returns it."""
        checkpoint = self.nearest(epoch)
        optimizer = session.trainer.optimizer
        if set(checkpoint.optimizer_state) != set(optimizer.state_names):
            # The optimiser was changed since: it keeps starting fresh, as a change of optimiser does.
            fresh = {name: np.zeros_like(checkpoint.params) for name in optimizer.state_names}
            checkpoint = replace(checkpoint, optimizer_state=fresh, optimizer_steps=0)
        restore(session, checkpoint)
        return checkpoint

    def summary(self) -> dict[str, Any]:
        """What the scrubber shows: the epochs kept, their bytes and the bound."""
        return {"epochs": self.epochs, "bytes": self.bytes, "max_bytes": self.max_bytes}

    def _drop(self, epoch: int) -> None:
        self.bytes -= size_of(self._kept.pop(epoch))

    def _thin(self, newest: int) -> None:
        # Every kept epoch passed the last thinning. One epoch later with the same window, only the
        # epochs whose spacing grew can fail now: ages window·2^j + 1 (spacing doubles there).
        is_next = self._thinned == (newest - 1, self.window)
        while True:
            candidates = self._grown(newest) if is_next else list(self._kept)
            for epoch in [e for e in candidates if e in self._kept and e % spacing(newest - e, self.window)]:
                self._drop(epoch)
            is_next = False
            self._thinned = (newest, self.window)
            if len(self._kept) <= self.max_count and (self.bytes <= self.max_bytes or len(self._kept) <= 2):
                return
            if self.window == 1:  # only epoch 0 and the newest are sure to stay
                self._drop(self.epochs[1])
            else:
                self.window //= 2

    def _grown(self, newest: int) -> list[int]:
        """The epochs whose spacing is larger at ``newest`` than it was one epoch before."""
        epochs, age = [], self.window + 1
        while age <= newest:
            epochs.append(newest - age)
            age = 2 * (age - 1) + 1
        return epochs
