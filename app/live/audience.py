"""Audience: who watches a runner's frames at one resolution and pace.

A runner has one audience for its owner's page and, while it presents a class, one for all
the class's followers. Each audience gets its own frame, encoded once and handed as the
same bytes to every outbox it has: the owner's at up to ``max_fps`` with the full grid, the
followers' with a smaller grid, coarser neuron maps and a pace that keeps each follower's
stream within ``bytes_per_second``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.live.outbox import Outbox
from app.live.settings import Settings

# Nobody watches a detached session, but its cost history (recorded by each snapshot) should
# keep growing for the page that comes back: so one snapshot this often, and no frames besides.
UNWATCHED_INTERVAL_S = 0.5


@dataclass
class Audience:
    """One kind of watcher: frame size, pace, and the outboxes that get the same frame bytes."""

    name: str  # "owner" or "followers"
    grid_size: int  # cells per side of the output view
    thumb_budget_bytes: int  # bytes per frame for every neuron's map together
    min_thumb_size: int  # neuron maps never coarser than this many cells per side
    max_thumb_size: int  # nor finer
    max_fps: int  # frames per second at most
    bytes_per_second: int | None = None  # the stream's budget; None: only max_fps limits it
    is_compact: bool = False  # weights travel as float16: enough to read, half the bytes
    outboxes: set[Outbox] = field(default_factory=set)
    last_frame: bytes | None = None
    next_frame_at: float = 0.0  # event-loop time the next frame is due
    is_dirty: bool = True  # the model changed since this audience's last frame

    @classmethod
    def owner(cls, settings: Settings) -> Audience:
        return cls("owner", settings.grid_size, settings.thumb_budget_bytes, settings.min_thumb_size,
                   settings.max_thumb_size, settings.max_fps)

    @classmethod
    def followers(cls, settings: Settings) -> Audience:
        return cls("followers", settings.follower_grid_size, settings.follower_thumb_budget_bytes,
                   min(4, settings.min_thumb_size), settings.max_thumb_size, settings.follower_max_fps,
                   settings.follower_bytes_per_second, is_compact=True)

    def thumb_size(self, sizes: tuple[int, ...]) -> int:
        """Neuron-map resolution: as fine as the byte budget allows for this many neurons."""
        fitting = math.isqrt(self.thumb_budget_bytes // sum(sizes))
        return max(self.min_thumb_size, min(self.max_thumb_size, fitting))

    @property
    def interval_s(self) -> float:
        """Seconds between frames: 1 / max_fps, or longer when the last frame was big for the budget,
        or UNWATCHED_INTERVAL_S while no outbox watches."""
        if not self.outboxes:
            return UNWATCHED_INTERVAL_S
        interval = 1.0 / self.max_fps
        if self.bytes_per_second and self.last_frame is not None:
            interval = max(interval, len(self.last_frame) / self.bytes_per_second)
        return interval

    def is_due(self, now: float) -> bool:
        return self.is_dirty and now >= self.next_frame_at

    def deliver(self, frame: bytes, now: float) -> None:
        """Hand one frame to every outbox; the next is due one interval after this one was
        (a steady cadence), unless this one was so late that catching up would be a burst."""
        self.last_frame = frame
        self.is_dirty = False
        self.next_frame_at = max(self.next_frame_at + self.interval_s, now)
        for outbox in self.outboxes:
            outbox.put_frame(frame)

    def watch(self, outbox: Outbox) -> None:
        """Add an outbox; a fresh frame is due now (the pace may have been the unwatched one)."""
        self.outboxes.add(outbox)
        self.next_frame_at, self.is_dirty = 0.0, True

    def broadcast(self, message: str | bytes) -> None:
        """Hand a message to every outbox; within a byte budget, the next frame waits for its bytes too."""
        if self.bytes_per_second and self.outboxes:
            self.next_frame_at += len(message) / self.bytes_per_second
        for outbox in self.outboxes:
            outbox.put(message)
