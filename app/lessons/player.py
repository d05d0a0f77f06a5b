"""A learner's place in a lesson: the step, the answer to its question, the hints shown, the goal's progress.

Imports the lesson modules and ``app.training``; no web code. The live runner holds one ``LessonPlayer``
per session, so a reload that resumes the session resumes the step. The player checks the commands a
step restricts (Play before the question is answered, a locked setting) and measures the session for
the goal after training.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.i18n import refusal
from app.lessons.glossary import Term
from app.lessons.goals import GoalTracker
from app.lessons.measurements import measure_session
from app.lessons.model import Lesson, Step
from app.lessons.setup import start_step
from app.training.session import TrainingSession

UNANSWERED = refusal("answer", "error.lesson.unanswered")


class LessonPlayer:
    """One lesson in one session. ``step`` is 0-based; ``done`` holds the steps whose goal was met."""

    def __init__(self, lesson: Lesson, glossary: dict[str, Term] | None = None,
                 requested_language: str | None = None) -> None:
        self.lesson = lesson
        self.glossary = glossary or {}  # concept (lower case) → its term and definition in the lesson's language
        self.requested_language = requested_language or lesson.language  # differs when the lesson fell back
        self.step = 0
        self.done: set[int] = set()
        self.answer: int | None = None
        self.hints_shown = 0
        self.tracker: GoalTracker | None = None
        self.has_trained = False  # since the step started: the question's answer is shown after a run
        self.pace: tuple[int, int] | None = None  # student-paced: the steps a learner may move within
        self.is_bound = False  # whether ``pace`` binds this player (a student's copy), not only announces it

    def set_pace(self, pace: tuple[int, int] | None, is_bound: bool = False) -> None:
        """Let learners move within steps first..last (0-based), or None: the teacher moves everyone.

        The presenter announces a pace (``is_bound`` False: the teacher still goes anywhere); a student's
        copy of the class's run is bound by it."""
        if pace is not None:
            first, last = pace
            if not 0 <= first <= last < len(self.lesson.steps):
                raise refusal("pace", "error.lesson.pace", last=len(self.lesson.steps) - 1, got=str(list(pace)))
        self.pace, self.is_bound = pace, is_bound and pace is not None

    @property
    def current(self) -> Step:
        """The step the learner is on."""
        return self.lesson.steps[self.step]

    def go_to(self, step: int, session: TrainingSession) -> None:
        """Start a step (any step: Skip is always allowed) from its setup; raises InputError out of range."""
        last = len(self.lesson.steps) - 1
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= last:
            raise refusal("step", "error.lesson.step", last=last, got=repr(step))
        if self.is_bound and self.pace is not None and not self.pace[0] <= step <= self.pace[1]:
            first, last = self.pace
            raise refusal("step", "error.lesson.paced", first=first + 1, last=last + 1)
        target = self.lesson.steps[step]
        start_step(session, self.lesson.seed, target.setup)
        self.step, self.answer, self.hints_shown, self.has_trained = step, None, 0, False
        self.tracker = None if target.goal is None else GoalTracker(target.goal)
        self.observe(session)

    def choose(self, choice: int) -> None:
        """Answer the step's question (once; the first answer counts)."""
        ask = self.current.ask
        if ask is None:
            raise refusal("choice", "error.lesson.no_question")
        if isinstance(choice, bool) or not isinstance(choice, int) or not 0 <= choice < len(ask.choices):
            raise refusal("choice", "error.lesson.choice", last=len(ask.choices) - 1, got=repr(choice))
        if self.answer is None:
            self.answer = choice

    def show_hint(self) -> None:
        """Show one more hint."""
        hints = len(self.current.hints_html)
        if self.hints_shown >= hints:
            raise refusal("hint", "error.lesson.no_more_hints" if hints else "error.lesson.no_hints")
        self.hints_shown += 1

    def check_training(self) -> None:
        """Raise InputError if the step's question must be answered before training."""
        if self.current.ask is not None and self.answer is None:
            raise UNANSWERED

    def check_changes(self, names: Iterable[str]) -> None:
        """Raise InputError naming the first locked setting among ``names``."""
        for name in names:
            if name in self.current.lock:
                raise refusal(name, "error.lesson.locked")

    def observe(self, session: TrainingSession) -> bool:
        """Measure the session for the goal; returns whether the goal was met just now."""
        self.has_trained = self.has_trained or session.epochs > 0
        if self.tracker is None:
            return False
        was_met = self.tracker.is_met
        is_met = self.tracker.observe(measure_session(session))
        if is_met and not was_met:
            self.done.add(self.step)
        return is_met and not was_met

    def state(self) -> dict[str, Any]:
        """The ``lesson`` message's content: the lesson, the step with its text, and the goal's progress."""
        step, lesson = self.current, self.lesson
        ask = step.ask
        is_met = self.tracker is not None and self.tracker.is_met
        return {
            "id": lesson.id, "title": lesson.title, "language": lesson.language,
            "requested_language": self.requested_language,
            "steps": [s.title for s in lesson.steps], "step": self.step, "done": sorted(self.done),
            "concepts": [self._concept(c) for c in lesson.concepts],
            "intro": lesson.intro_html, "html": step.html, "lock": list(step.lock), "hide": list(step.hide),
            "ask": None if ask is None else {
                "question": ask.question, "choices": list(ask.choices), "chosen": self.answer,
                "answer": ask.answer if self.answer is not None and self.has_trained else None},
            "hints": list(step.hints_html[:self.hints_shown]), "hints_left": len(step.hints_html) - self.hints_shown,
            "has_goal": self.tracker is not None,
            "explain": step.explain_html if is_met or (self.tracker is None and self.has_trained) else "",
            "can_advance": self.tracker is None or is_met,
            "is_last": self.step == len(lesson.steps) - 1,
            "pace": None if self.pace is None else list(self.pace),
        }

    def _concept(self, concept: str) -> dict[str, str]:
        """A concept as the learner reads it: the term in the lesson's language (else as the lesson writes it)."""
        found = self.glossary.get(concept.lower(), Term("", ""))
        return {"term": found.term or concept, "definition": found.definition}

    def kept(self) -> dict[str, Any]:
        """What a store keeps of this player beside the run, so ``restored`` can open it again after a restart."""
        tracker = self.tracker
        return {"id": self.lesson.id, "language": self.lesson.language,
                "requested_language": self.requested_language, "step": self.step,
                "step_title": self.current.title, "done": sorted(self.done), "answer": self.answer,
                "hints_shown": self.hints_shown, "has_trained": self.has_trained,
                "pace": None if self.pace is None else list(self.pace), "is_bound": self.is_bound,
                "goal": None if tracker is None else {"is_met": tracker.is_met, "met_epoch": tracker.met_epoch,
                                                      "streak_from": tracker.streak_from}}

    @classmethod
    def restored(cls, lesson: Lesson, glossary: dict[str, Term], kept: dict[str, Any]) -> LessonPlayer:
        """The player ``kept`` describes, on the run it was kept with (which is not set up again);
        raises InputError if the lesson changed so that its step is gone or the kept state does not fit."""
        requested = kept.get("requested_language")
        player = cls(lesson, glossary, requested if isinstance(requested, str) else None)
        step = kept.get("step")
        if (isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(lesson.steps)
                or lesson.steps[step].title != kept.get("step_title")):
            raise refusal("lesson", "error.lesson.step_gone", title=repr(kept.get("step_title")))
        player.step, current = step, lesson.steps[step]
        pace = kept.get("pace")
        player.set_pace(None if pace is None else (int(pace[0]), int(pace[1])), is_bound=kept.get("is_bound") is True)
        player.done = {int(index) for index in kept.get("done", []) if 0 <= int(index) < len(lesson.steps)}
        answer, hints = kept.get("answer"), kept.get("hints_shown", 0)
        if answer is not None and (current.ask is None or not isinstance(answer, int)
                                   or not 0 <= answer < len(current.ask.choices)):
            raise refusal("lesson", "error.lesson.answer_gone")
        if not isinstance(hints, int) or not 0 <= hints <= len(current.hints_html):
            raise refusal("lesson", "error.lesson.hints_gone")
        player.answer, player.hints_shown, player.has_trained = answer, hints, kept.get("has_trained") is True
        goal = kept.get("goal")
        if current.goal is not None:
            player.tracker = GoalTracker(current.goal)
            if isinstance(goal, dict):
                player.tracker.is_met = goal.get("is_met") is True
                player.tracker.met_epoch = goal.get("met_epoch")
                player.tracker.streak_from = goal.get("streak_from")
        return player

    def progress(self) -> dict[str, Any] | None:
        """The goal's live progress (sent on its own, as it changes every epoch), or None without a goal."""
        return None if self.tracker is None else self.tracker.progress()
