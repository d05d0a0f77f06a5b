"""Does a goal check anything? Run a step's setup, and its solution, for the goal's budget.

Imports the lesson modules and ``app.training``. A goal is honest when the step's setup alone does
not meet it within its budget and the hidden ``solution`` does: a goal nothing can fail checks nothing.
Training goes one epoch at a time with the goal observed after each, as the page's default speed does.
"""

from __future__ import annotations

from typing import Any

from app.lessons.goals import GoalTracker
from app.lessons.measurements import measure_session
from app.lessons.model import Lesson, Step
from app.lessons.setup import new_session
from app.training.status import Status


def attempt(seed: int, changes: dict[str, Any], step: Step) -> GoalTracker:
    """Train a fresh session with these settings epoch by epoch until the goal is met or its budget is spent."""
    assert step.goal is not None
    session = new_session(seed, changes)
    tracker = GoalTracker(step.goal)
    tracker.observe(measure_session(session))
    while not tracker.is_met and session.epochs <= step.goal.within_epochs:
        if session.status == Status.DIVERGED:
            break
        if session.status == Status.IDLE:
            session.start()
        session.train(session.batches_for("epoch", 1))
        tracker.observe(measure_session(session))
    return tracker


def check_step(lesson: Lesson, step: Step) -> list[str]:
    """What is dishonest about one step's goal (empty: honest, or no goal)."""
    if step.goal is None:
        return []
    problems = []
    if attempt(lesson.seed, step.setup, step).is_met:
        problems.append(f"{lesson.file}:{step.line}: goal: the setup alone meets it; it checks nothing")
    solved = attempt(lesson.seed, {**step.setup, **step.solution}, step)
    if not solved.is_met:
        problems.append(f"{lesson.file}:{step.line}: solution: does not meet the goal within its budget "
                        f"({solved.progress()['text']})")
    return problems
