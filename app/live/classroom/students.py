"""Students of a room: their per-room ids, the aliases the server gives them, display names, hands.

Every follower socket and every fork of a room is a student. The id (``"s7"``) is the room's
counter (kept by the broker, so replicas never hand out the same one); the alias ("Blue Fox")
follows from the number, unique in the room for the first ``len(COLOURS) * len(ANIMALS)`` students
and numbered beyond. Neither is a session id, and no student is ever sent another's.

A fork's student is also kept as a plain ``record`` (code, id, alias, name, mode) by the fork's session
id, in the broker and in the store beside the kept run, so that a fork revived after a restart, or a
"back to class" socket that reaches another replica, finds its student again (``from_record``).
"""

from __future__ import annotations

import json
import math
import re
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
MODES = ("following", "forked")  # a student watches the class run, or trains its own fork
FORK_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a session id's form (registry.SESSION_ID_BYTES, URL-safe base64)
STUDENT_ID = re.compile(r"s[1-9][0-9]{0,8}")  # the form of a student id in a kept record
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

    @property
    def number(self) -> int:
        """The room's counter when this student was made ("s7" → 7)."""
        return int(self.student[1:])

    def record(self) -> dict[str, Any]:
        """What is kept of this student by its fork's id (the broker, the store): never sent to a page."""
        return {"code": self.code, "student": self.student, "alias": self.alias, "name": self.name,
                "mode": self.mode}

    @classmethod
    def from_record(cls, record: Any, code: str | None, fork: str) -> Student | None:
        """The student of fork ``fork`` from its kept ``record``; None if the record is not one ``record``
        made, or is of another room than ``code`` (None: any room)."""
        if not isinstance(record, dict):
            return None
        name, alias_, student = record.get("name"), record.get("alias"), record.get("student")
        if (not isinstance(record.get("code"), str) or (code is not None and record["code"] != code)
                or not isinstance(student, str) or not STUDENT_ID.fullmatch(student)
                or not isinstance(alias_, str) or not (name is None or isinstance(name, str))
                or record.get("mode") not in MODES):
            return None
        return cls(record["code"], student, alias_, name, fork=fork, mode=str(record["mode"]))

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
