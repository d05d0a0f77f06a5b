"""Students of a room: their per-room ids, the aliases the server gives them, display names, hands.

Every follower socket and every fork of a room is a student. The id (``"s7"``) is the room's
counter (kept by the broker, so replicas never hand out the same one); the alias ("Blue Fox")
follows from the number, unique in the room for the first ``len(COLOURS) * len(ANIMALS)`` students
and numbered beyond. Neither is a session id, and no student is ever sent another's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from app.i18n import DEFAULT_LANGUAGE, refusal, translate

COLOURS = ("Blue", "Red", "Green", "Gold", "Silver", "Amber", "Coral", "Teal", "Violet", "Olive", "Ruby",
           "Jade", "Indigo", "Copper", "Ivory", "Plum")
ANIMALS = ("Fox", "Owl", "Otter", "Lynx", "Heron", "Panda", "Koala", "Bison", "Crane", "Gecko", "Hare", "Ibis",
           "Moose", "Newt", "Orca", "Puffin", "Quail", "Raven", "Seal", "Tapir", "Wren", "Yak", "Zebra", "Badger")
ALIAS_STRIDE = 7  # walks the colour × animal table so that neighbours differ in both words (coprime to its size)
CLASS_PAUSED = refusal("class", "error.class.paused")
CLASS_LOCKED = refusal("class", "error.class.locked")
# A pacing action → the topic of the notice its students get (its words: the catalogue's class.notice.TOPIC).
NOTICES = {"pause_all": "class_paused", "resume_all": "class_resumed", "push": "class_pushed", "lock": "class_locked",
           "unlock": "class_unlocked", "bring_back": "back_to_class"}


def class_channel(code: str) -> str:
    """The broker channel that carries a room's students to its teacher: presence, tiles, run cards."""
    return f"{code}.class"


def pace_channel(code: str) -> str:
    """The broker channel that carries a room's teacher to its students: pacing, spotlight, compare."""
    return f"{code}.pace"


def alias(number: int) -> str:
    """The alias of the room's ``number``-th student (from 1): two words, unique in the room."""
    size = len(COLOURS) * len(ANIMALS)
    index = (number - 1) % size * ALIAS_STRIDE % size
    words = f"{COLOURS[index % len(COLOURS)]} {ANIMALS[index // len(COLOURS)]}"
    return words if number <= size else f"{words} {math.ceil(number / size)}"


def clean_name(name: str, limit: int) -> str | None:
    """A display name as kept: trimmed, None for ""; InputError("name") unless 1–``limit`` printable characters."""
    trimmed = name.strip()
    if not trimmed:
        return None
    if len(trimmed) > limit:
        raise refusal("name", "error.class.name_length", max=limit, got=len(trimmed))
    if not all(c.isprintable() for c in trimmed):
        raise refusal("name", "error.class.name_chars")
    return trimmed


@dataclass
class Student:
    """One student of one room, as the replica that serves its socket or its fork knows it."""

    code: str
    student: str  # "s7"
    alias: str
    name: str | None = None
    hand: bool = False
    fork: str | None = None  # the session id of its fork (never sent to anyone but the fork's own page)
    mode: str = "following"  # or "forked"

    def presence(self) -> dict[str, Any]:
        """What the teacher's class view learns of this student (through the broker)."""
        return {"type": "student", "student": self.student, "alias": self.alias, "name": self.name,
                "hand": self.hand, "mode": self.mode}

    def state_message(self, state: dict[str, Any]) -> str:
        """The ``class_state`` message for this student's own sockets: its own id, alias, name and hand only."""
        return json.dumps({"type": "class_state", "code": self.code, "student": self.student, "alias": self.alias,
                           "is_paused": bool(state.get("is_paused")), "is_locked": bool(state.get("is_locked")),
                           "hand": self.hand, "name": self.name})


def notice(action: str) -> str:
    """The ``notice`` a student gets when the teacher paces the class."""
    topic = NOTICES[action]
    key = f"class.notice.{topic}"
    text = translate(DEFAULT_LANGUAGE, key)
    return json.dumps({"type": "notice", "topic": topic, "text": text, "message": text, "key": key, "args": {}})
