"""A run's pace: the frames and epochs per second it achieved against what it asked for.

The runner tells a ``Pace`` of every frame it delivers to its owner and, for every frame's
training, how many epochs the frame asked for (its speed) and how many it trained. Over the last
``WINDOW_S`` seconds of training (at least the last MIN_RECORDS frames) that gives the achieved
frames and epochs per second and what the run asked: ``max_fps`` frames, each with its asked epochs.
``ratio`` is the worse of the two achieved/asked ratios (1.0 when the server keeps up, or when the
run is not training: the runner clears its pace when it stops), what a page needs to say "busy
server: 18 frames a second". It also keeps when the last frame's training began, for the frame slots
a late frame's training stands for (``slots_since``; catching up: app/live/frame_training.py). Times
are the event loop's clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

WINDOW_S = 2.0  # the span the figures are measured over
MIN_RECORDS = 3  # frames' training records kept even when older than the window: a server so busy that
# frames come seconds apart is measured over its last frames, never called idle for want of data
SLOT_ROUNDING = 1e-9  # keeps 2.9999… frame slots from rounding down to 2


@dataclass(frozen=True)
class PaceFigures:
    """Achieved and asked frames and epochs per second over the window."""

    fps: float
    asked_fps: float
    epochs_per_second: float
    asked_epochs_per_second: float

    def keeps_epochs(self, share: float) -> bool:
        """Whether the epochs a second trained are at least ``share`` of those asked (False before any is asked)."""
        return self.asked_epochs_per_second > 0.0 and self.epochs_per_second >= share * self.asked_epochs_per_second

    @property
    def ratio(self) -> float:
        """The worse of achieved/asked frames and epochs per second, at most 1.0."""
        ratios = [1.0]
        if self.asked_fps > 0.0:
            ratios.append(self.fps / self.asked_fps)
        if self.asked_epochs_per_second > 0.0:
            ratios.append(self.epochs_per_second / self.asked_epochs_per_second)
        return min(ratios)


class Pace:
    """Frames and training of one run over the last WINDOW_S seconds."""

    def __init__(self) -> None:
        self.frames: deque[float] = deque()  # when each frame was delivered
        self.training: deque[tuple[float, float, float]] = deque()  # (when, epochs asked, epochs trained)
        self.began_at: float | None = None  # when the last frame's training began

    def clear(self) -> None:
        """Training stopped: the next figures start afresh."""
        self.frames.clear()
        self.training.clear()
        self.began_at = None

    def frame(self, now: float) -> None:
        """A frame went to the owner."""
        self.frames.append(now)
        self._forget(now)

    def trained(self, now: float, asked_epochs: float, trained_epochs: float) -> None:
        """A frame's training: it asked for ``asked_epochs`` and got ``trained_epochs``."""
        self.training.append((now, asked_epochs, trained_epochs))
        self._forget(now)

    def _forget(self, now: float) -> None:
        while len(self.training) > MIN_RECORDS and now - self.training[0][0] > WINDOW_S:
            self.training.popleft()
        oldest = self.training[0][0] if self.training else now
        while self.frames and self.frames[0] < oldest:
            self.frames.popleft()

    def slots_since(self, now: float, interval_s: float, most: int) -> int:
        """A frame's training begins: the frame slots of ``interval_s`` since the last one began (a late frame's
        training may make up for the frames the server could not send), from 1 (on time, or the first frame
        since the run started) to ``most``. A part of a slot left over counts towards the next frame's, so
        frames 3.75 slots apart stand for 3, 4, 4, 4, … slots: the whole pace asked, not 3 in 3.75."""
        last = self.began_at
        if last is None:
            self.began_at = now
            return 1
        elapsed = int((now - last) / interval_s + SLOT_ROUNDING)
        slots = max(1, min(most, elapsed))
        is_left_over = 1 <= elapsed <= most  # not early, and not so late that the slots beyond ``most`` are dropped
        self.began_at = last + slots * interval_s if is_left_over else now
        return slots

    def figures(self, now: float, max_fps: float) -> PaceFigures:
        """The figures from the oldest training record kept to now: frames since, epochs trained by the
        later records, epochs asked per frame on average; all zero (ratio 1.0) before two records."""
        self._forget(now)
        if len(self.training) < 2 or now <= self.training[0][0]:
            return PaceFigures(0.0, 0.0, 0.0, 0.0)
        since = self.training[0][0]
        span = now - since
        frames = sum(1 for at in self.frames if at > since)
        asked_per_frame = sum(asked for _, asked, _ in self.training) / len(self.training)
        trained = sum(done for at, _, done in self.training if at > since)
        return PaceFigures(frames / span, float(max_fps), trained / span, asked_per_frame * max_fps)
