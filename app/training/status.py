"""Status: where a run is, as an explicit state machine, and the error a refused command raises.

Imports the standard library and ``app.errors`` only. ``TRANSITIONS`` lists every allowed
move; ``check_transition`` refuses any other with a ``SessionError`` naming both states.
"""

from __future__ import annotations

import enum

from app.errors import InputError
from app.i18n import refused


class Status(enum.StrEnum):
    """Where a run is: fresh, training, stopped, or stopped because it blew up."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    DIVERGED = "diverged"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.IDLE: frozenset({Status.RUNNING, Status.PAUSED, Status.DIVERGED}),
    Status.RUNNING: frozenset({Status.PAUSED, Status.DIVERGED, Status.IDLE}),
    Status.PAUSED: frozenset({Status.RUNNING, Status.DIVERGED, Status.IDLE}),
    Status.DIVERGED: frozenset({Status.IDLE}),
}


class SessionError(InputError):
    """A command refused in the session's current state; ``field`` names what to change."""


def check_transition(current: Status, new: Status) -> None:
    """Raise SessionError unless a run may go from ``current`` to ``new`` (staying put is always allowed)."""
    if new != current and new not in TRANSITIONS[current]:
        raise refused(SessionError, "status", "error.session.transition", current=str(current), new=str(new))
