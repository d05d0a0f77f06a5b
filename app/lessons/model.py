"""What a lesson is once read: a lesson, its steps, its question, and the error a broken file gets.

Imports the standard library and ``app.lessons.goals`` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.lessons.goals import Goal


class LessonError(ValueError):
    """A broken lesson file, in one line: ``file:line: field: message``."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        super().__init__(f"{file}:{line}: {field}: {message}")
        self.file, self.line, self.field, self.message = file, line, field, message


@dataclass(frozen=True)
class Limits:
    """How big a lesson may be (the server's settings pass their own)."""

    max_file_bytes: int = 64 * 1024  # one lesson file
    max_steps: int = 20  # steps in one lesson
    max_text_chars: int = 4000  # one step's text, or one hint, question or explanation
    max_files: int = 200  # lesson files read from one folder


@dataclass(frozen=True)
class Ask:
    """A question answered before Play: ``answer`` is the index of the right choice, or None for a guess."""

    question: str
    choices: tuple[str, ...]
    answer: int | None = None


@dataclass(frozen=True)
class Step:
    """One screen of a lesson: the settings it starts from, what the learner may change, and what to reach.

    ``setup`` and ``solution`` are config changes (``edits`` lists hand-set weights); ``html``,
    ``hints_html`` and ``explain_html`` are rendered Markdown, raw HTML refused.
    """

    title: str
    line: int
    html: str
    setup: dict[str, Any] = field(default_factory=dict)
    lock: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    ask: Ask | None = None
    goal: Goal | None = None
    hints_html: tuple[str, ...] = ()
    explain_html: str = ""
    solution: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    """A lesson file, read and checked: front matter, then one ``Step`` per ``##`` section."""

    id: str
    title: str
    minutes: int
    seed: int
    summary: str
    concepts: tuple[str, ...]
    language: str
    file: str
    intro_html: str
    steps: tuple[Step, ...]

    def outline(self) -> dict[str, Any]:
        """JSON-ready: what the lesson list shows."""
        return {"id": self.id, "title": self.title, "minutes": self.minutes, "summary": self.summary,
                "concepts": list(self.concepts), "language": self.language,
                "steps": [step.title for step in self.steps]}
