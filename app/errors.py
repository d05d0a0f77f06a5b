"""The one error type for refused input: it names the field and says what is allowed.

Imports the standard library only. The web layer turns an ``InputError``
into an ``error`` message with ``field`` and ``message``; the run goes on.
An error built from a message catalogue (``app.i18n.refusal``) also carries
the catalogue's ``key`` and its ``args``, so it can be shown in any language
and scripts can match on the key.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """A value or command was refused; ``field`` names it, ``message`` says what is allowed (in English)."""

    def __init__(self, field: str, message: str, key: str | None = None, args: dict[str, Any] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.key = key  # the catalogue key of the message (locales/en.json), or None for a text of its own
        self.params = dict(args or {})  # the key's arguments (``args`` on the wire): numbers and plain texts

    def __reduce__(self) -> tuple[Any, ...]:
        """Crosses a process boundary (the training workers) with its key and arguments."""
        return (type(self), (self.field, self.message, self.key, self.params))
