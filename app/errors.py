"""The one error type for refused input: it names the field and says what is allowed.

Imports the standard library only. The web layer turns an ``InputError``
into an ``error`` message with ``field`` and ``message``; the run goes on.
"""

from __future__ import annotations


class InputError(ValueError):
    """A value or command was refused; ``field`` names it, ``message`` says what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
