"""Placement: which replica holds each session, so a resume that reaches another one is told so.

A session lives in the process that created it. With several replicas, its id is recorded in
the broker with the replica's name (``Broker.place_session``) while it lives; a ``/ws?session=ID``
that arrives at a replica that does not hold it, for an id that another replica holds, is
answered with an ``error`` (field ``session``) and close code 4409 instead of a new run
(docs/protocol.md, "Runs that outlive their socket"). In one process nothing is recorded.
"""

from __future__ import annotations

from app.i18n import refusal
from app.live.broker import Broker
from app.live.registry import Registry

ELSEWHERE = refusal("session", "error.elsewhere")


class Placement:
    """Records the sessions of this replica in the broker, and forgets them when they are freed."""

    def __init__(self, broker: Broker, registry: Registry) -> None:
        self.broker = broker
        self.registry = registry
        registry.listeners.append(self)

    async def place(self, session_id: str) -> None:
        """This replica holds the session (new, resumed or forked); renewed with the broker's refreshes."""
        await self.broker.place_session(session_id)

    async def is_elsewhere(self, session_id: str | None) -> bool:
        """True if another replica holds the session with this id (this one does not)."""
        if not session_id or self.registry.get(session_id) is not None:
            return False
        replica = await self.broker.session_replica(session_id)
        return replica is not None and replica != self.broker.replica

    def on_detached(self, session_id: str) -> None:
        """Still here: nothing changes."""

    def on_attached(self, session_id: str) -> None:
        """Still here: nothing changes."""

    def on_lost(self, session_id: str) -> None:
        """Forgotten when it is freed, just after."""

    def on_freed(self, session_id: str) -> None:
        self.registry.spawn(self.broker.forget_session(session_id))
