"""What one subscriber of a session is sent: messages in order, frames newest-only.

An ``Outbox`` sits between a session's runner and one websocket (or, in a
worker process, the pipe to the web process). Messages that must arrive
(session, dataset, error) queue in order; frames replace each other, so a
slow reader gets fewer frames, never a growing backlog.
"""

from __future__ import annotations

import asyncio
from collections import deque

MAX_QUEUED_MESSAGES = 256  # JSON messages waiting for one slow client before it is dropped


class Outbox:
    """One subscriber's outgoing messages: JSON messages in order, frames newest-only."""

    def __init__(self) -> None:
        self.messages: deque[str | bytes] = deque()
        self.frame: bytes | None = None
        self.ready = asyncio.Event()
        self.close_code: int | None = None  # set by close(): the sender sends what is queued, then closes

    def put(self, message: str | bytes) -> None:
        """Queue a message that must arrive (session, dataset, error)."""
        self.messages.append(message)
        self.ready.set()

    @property
    def is_overflowing(self) -> bool:
        """Whether more messages wait than a reader that keeps up would leave (now, not ever since)."""
        return len(self.messages) > MAX_QUEUED_MESSAGES

    def put_frame(self, frame: bytes) -> None:
        """Offer a frame; an unsent older one is dropped."""
        self.frame = frame
        self.ready.set()

    def close(self, code: int, last_message: str | None = None) -> None:
        """Ask the sender to send what is queued (and ``last_message``), then close with ``code``."""
        if last_message is not None:
            self.messages.append(last_message)
        self.close_code = code
        self.ready.set()

    def keep(self, message: str | bytes) -> None:
        """A message that a class's late joiners should find (a renewed history); a socket ignores it."""

    async def take(self) -> list[str | bytes]:
        """Wait for something to send; returns queued messages then the newest frame."""
        await self.ready.wait()
        self.ready.clear()
        batch: list[str | bytes] = list(self.messages)
        self.messages.clear()
        if self.frame is not None:
            batch.append(self.frame)
            self.frame = None
        return batch
