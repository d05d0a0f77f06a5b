"""Is a translated lesson the same lesson? Its machine blocks must equal the original's; only texts differ.

Imports the lesson model only. A translation (``NAME.de.md``) shares everything a test or a goal relies on
with the lesson in the default language (``NAME.md``): the seed, the concepts, the number of steps and, per
step, setup, lock, hide, goal, solution, the question's right answer and its number of choices, the
number of hints and whether there is an explanation. So the honesty of the original's goals holds for
every translation, and a class's learners in different languages train the same runs.
"""

from __future__ import annotations

from app.lessons.model import Lesson, LessonError, Step

LESSON_FIELDS = ("id", "seed", "minutes", "concepts")  # front matter a translation keeps as it is


def _step_shape(step: Step) -> dict[str, object]:
    """Everything of a step but its words."""
    ask = step.ask
    return {"setup": step.setup, "lock": step.lock, "hide": step.hide, "goal": step.goal,
            "solution": step.solution, "hints": len(step.hints_html), "explain": bool(step.explain_html),
            "ask": None if ask is None else {"choices": len(ask.choices), "answer": ask.answer}}


def translation_error(original: Lesson, translation: Lesson) -> LessonError | None:
    """The first way ``translation`` differs from ``original`` beyond its texts (file, line, field), or None."""
    file = translation.file
    for name in LESSON_FIELDS:
        if getattr(original, name) != getattr(translation, name):
            return LessonError(file, 2, name, f"must be as in {original.file} ({getattr(original, name)!r}), "
                                              f"got {getattr(translation, name)!r}")
    if len(original.steps) != len(translation.steps):
        return LessonError(file, 1, "steps", f"must be {len(original.steps)} steps as in {original.file}, "
                                             f"got {len(translation.steps)}")
    for number, (mine, theirs) in enumerate(zip(original.steps, translation.steps, strict=True), start=1):
        want, got = _step_shape(mine), _step_shape(theirs)
        for key in want:
            if want[key] != got[key]:
                return LessonError(file, theirs.line, f"step {number} {key}",
                                   f"must be as in {original.file} (a translation changes only texts): "
                                   f"{want[key]!r}, got {got[key]!r}")
    return None
