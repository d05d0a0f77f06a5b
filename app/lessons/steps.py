"""One step's machine block, checked: setup, lock, hide, ask, goal, hints, explain, solution.

Imports ``app.training`` and the lesson modules. ``setup`` and ``solution`` are checked against the
session configuration itself (``app/training/config.py``) and by building the step's network, so a
lesson can only ask for what the page can do.
"""

from __future__ import annotations

from typing import Any

from app.errors import InputError
from app.lessons.goals import GoalError, parse_goal
from app.lessons.markdown import raw_html_line, render
from app.lessons.model import Ask, LessonError, Limits, Step
from app.lessons.setup import EDITS, new_session, step_config
from app.training.config import FIELDS

STEP_KEYS = ("setup", "lock", "hide", "ask", "goal", "hints", "explain", "solution")
CONTROLS = (*FIELDS, "custom_data")  # what lock and hide may name: the settings' controls, the CSV upload
MAX_CHOICES = 6  # choices in one question
MAX_HINTS = 5  # hints in one step


def read_step(data: object, key_lines: dict[str, int], title: str, head: int, html: str, file: str,
              seed: int, limits: Limits) -> Step:
    """Check a step's YAML block (already safe-loaded) and build the Step; raises LessonError."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LessonError(file, head + 2, "step", f"must be a mapping with keys from {', '.join(STEP_KEYS)}")

    def fail(key: str, message: str, field: str | None = None) -> LessonError:
        return LessonError(file, key_lines.get(key, head + 2), field or key, message)

    for key in data:
        if key not in STEP_KEYS:
            raise fail(str(key), f"is not a step field; known: {', '.join(STEP_KEYS)}")
    setup = _changes(data.get("setup", {}), "setup", seed, {}, fail)
    solution = _changes(data.get("solution", {}), "solution", seed, setup, fail)
    goal = None
    if "goal" in data:
        try:
            goal = parse_goal(data["goal"])
        except GoalError as error:
            raise fail("goal", error.message, error.field) from None
    if goal is not None and not solution:
        raise fail("goal", "a step with a goal needs a solution: the settings that meet it", "solution")

    def text(value: object, field: str, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(key, f"must be a non-empty text, got {value!r}", field)
        if len(value) > limits.max_text_chars:
            raise fail(key, f"must be at most {limits.max_text_chars} characters, got {len(value)}", field)
        if raw_html_line(value) is not None:
            raise fail(key, "contains raw HTML, which lessons may not use; write Markdown", field)
        return value

    hints = data.get("hints", [])
    if not isinstance(hints, list) or len(hints) > MAX_HINTS:
        raise fail("hints", f"must be a list of at most {MAX_HINTS} texts")
    return Step(
        title=title, line=head, html=html, setup=setup,
        lock=_controls(data.get("lock", []), "lock", fail), hide=_controls(data.get("hide", []), "hide", fail),
        ask=_ask(data.get("ask"), text, fail), goal=goal,
        hints_html=tuple(render(text(h, f"hints[{n}]", "hints")) for n, h in enumerate(hints)),
        explain_html=render(text(data["explain"], "explain", "explain")) if "explain" in data else "",
        solution=solution,
    )


def _changes(value: object, key: str, seed: int, base: dict[str, Any], fail: Any) -> dict[str, Any]:
    """A setup or solution mapping checked by building the network it describes (on top of ``base``)."""
    if not isinstance(value, dict):
        raise fail(key, "must be a mapping of settings, like {dataset: xor, hidden_layers: [2]}")
    for name in value:
        if name not in FIELDS and name != EDITS:
            raise fail(key, f"is not a setting; known: {', '.join((*FIELDS, EDITS))}", f"{key}.{name}")
    merged = {**base, **value}
    try:
        step_config(seed, merged)
        if EDITS in value:
            new_session(seed, merged)
    except InputError as error:
        raise fail(key, error.message, f"{key}.{error.field}") from None
    return dict(value)


def _controls(value: object, key: str, fail: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"must be a list of control names from {', '.join(CONTROLS)}")
    for name in value:
        if name not in CONTROLS:
            raise fail(key, f"names no control: {name!r}; known: {', '.join(CONTROLS)}")
    return tuple(value)


def _ask(value: object, text: Any, fail: Any) -> Ask | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"question", "choices", "answer"}:
        raise fail("ask", "must be {question, choices: [..], answer (optional: the right choice)}")
    question = text(value.get("question"), "ask.question", "ask")
    choices = value.get("choices")
    if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
        raise fail("ask", f"must list 2 to {MAX_CHOICES} choices", "ask.choices")
    names = tuple(text(_word(c), f"ask.choices[{n}]", "ask") for n, c in enumerate(choices))
    answer = value.get("answer")
    if answer is not None and _word(answer) not in names:
        raise fail("ask", f"must be one of the choices, got {answer!r}", "ask.answer")
    return Ask(question, names, None if answer is None else names.index(_word(answer)))


def _word(value: object) -> str:
    """A choice as text; YAML reads a bare yes/no as true/false, which the learner reads as yes/no."""
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)
