"""The shipped lessons: all read without error, cover the course, and every goal is honest.

Honest: for every step with a goal, its setup alone does not meet the goal within its budget and its
hidden solution does (seeded, so the same every run).
"""

import pytest

from app.lessons.honesty import check_step
from app.lessons.library import SHIPPED_DIR, load_library
from app.lessons.model import Limits

LIBRARY = load_library(None, Limits())
GOAL_STEPS = [(lesson, step) for lesson in LIBRARY.lessons.values() for step in lesson.steps if step.goal]


def test_every_shipped_lesson_reads() -> None:
    assert LIBRARY.errors == []
    assert len(LIBRARY.lessons) >= 10
    assert len(LIBRARY.lessons) == len(list(SHIPPED_DIR.glob("*.md")))
    assert LIBRARY.outlines()[0]["id"] == "neuron"  # the first lesson a newcomer sees


@pytest.mark.parametrize(("lesson", "step"), GOAL_STEPS, ids=[f"{lesson.id}:{step.title}" for lesson, step
                                                               in GOAL_STEPS])
def test_every_goal_is_honest(lesson: object, step: object) -> None:
    assert check_step(lesson, step) == []  # type: ignore[arg-type]


def test_the_check_catches_a_goal_that_checks_nothing_and_a_wrong_solution() -> None:
    lesson = LIBRARY.lessons[("hidden-layer", "en")]
    step = lesson.steps[0]
    lazy = type(step)(**{**step.__dict__, "setup": {**step.setup, **step.solution}})
    assert "the setup alone meets it" in check_step(lesson, lazy)[0]
    wrong = type(step)(**{**step.__dict__, "solution": {"learning_rate": 0.1}})
    assert "solution: does not meet the goal" in check_step(lesson, wrong)[0]


def test_every_concept_of_a_shipped_lesson_has_a_short_definition() -> None:
    missing = [(lesson.id, concept) for lesson in LIBRARY.lessons.values() for concept in lesson.concepts
               if concept.lower() not in LIBRARY.glossary]
    assert missing == []
