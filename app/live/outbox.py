"""What one subscriber of a session is sent: messages in order, frames newest-only.

An ``Outbox`` sits between a session's runner and one websocket (or, in a
worker process, the pipe to the web process). Messages that must arrive
(session, dataset, error) queue in order; frames replace each other, so a
slow reader gets fewer frames, never a growing backlog.

A class's follower gets the room's messages through ``put_latest``: a state
message (session, history, slow_step, …) replaces an unsent one of its kind,
so a slow follower is owed the newest of each kind only. An outbox with a
byte budget that still holds more than it lets the reader go (``is_let_go``):
what was queued is dropped and the sender closes the socket.
"""

from __future__ import annotations

import asyncio
from collections import deque

MAX_QUEUED_MESSAGES = 256  # JSON messages waiting for one slow client before it is dropped
CLOSE_TOO_SLOW = 4408  # websocket close code: the client took no message for too long, or let too much pile up


class Outbox:
    """One subscriber's outgoing messages: JSON messages in order, frames newest-only."""

    def __init__(self, max_bytes: int | None = None) -> None:
        self.messages: deque[str | bytes] = deque()
        self.frame: bytes | None = None
        self.ready = asyncio.Event()
        self.close_code: int | None = None  # set by close(): the sender sends what is queued, then closes
        self.max_bytes = max_bytes  # queued bytes beyond which the reader is let go; None: no budget
        self.queued_bytes = 0  # of the messages waiting (frames not counted: one at most)
        self.kinds: dict[str, str | bytes] = {}  # kind → the unsent message of that kind, from put_latest
        self.is_let_go = False  # it let more than max_bytes pile up: nothing more is queued

    def put(self, message: str | bytes) -> None:
        """Queue a message that must arrive (session, dataset, error)."""
        if self.is_let_go:
            return
        self.messages.append(message)
        self._count(len(message))
        self.ready.set()
        self._check_budget()

    def put_latest(self, kind: str, message: str | bytes) -> None:
        """Queue the newest message of ``kind``: an unsent older one of that kind is dropped."""
        older = self.kinds.pop(kind, None)
        if older is not None:
            for index, queued in enumerate(self.messages):
                if queued is older:
                    del self.messages[index]
                    self._count(-len(older))
                    break
        if not self.is_let_go:
            self.kinds[kind] = message
        self.put(message)

    @property
    def is_overflowing(self) -> bool:
        """Whether more messages wait than a reader that keeps up would leave (now, not ever since)."""
        return len(self.messages) > MAX_QUEUED_MESSAGES or (
            self.max_bytes is not None and self.queued_bytes > self.max_bytes)

    def _check_budget(self) -> None:
        if self.max_bytes is not None and self.queued_bytes > self.max_bytes:
            self.messages.clear()
            self.kinds.clear()
            self._count(-self.queued_bytes)
            self.is_let_go = True
            self.close(CLOSE_TOO_SLOW)

    def _count(self, delta: int) -> None:
        """Add ``delta`` bytes to the queued total."""
        self.queued_bytes += delta

    def put_frame(self, frame: bytes) -> None:
        """Offer a frame; an unsent older one is dropped."""
        self.frame = frame
        self.ready.set()

    def close(self, code: int, last_message: str | None = None) -> None:
        """Ask the sender to send what is queued (and ``last_message``), then close with ``code``."""
        if last_message is not None:
            self.messages.append(last_message)
            self._count(len(last_message))
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
        self.kinds.clear()
        self._count(-self.queued_bytes)
        if self.frame is not None:
            batch.append(self.frame)
            self.frame = None
        return batch
