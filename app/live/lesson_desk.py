"""A runner's lesson: the lesson commands, the checks a step puts on other commands, and the ``lesson`` message.

The player itself (app/lessons/player.py) is synchronous; this module only turns commands into calls on
it and its state into JSON. The state is sent again only when it changed, so a goal's progress reaches
the page once per epoch at most, not once per frame.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from app.errors import InputError
from app.i18n import DEFAULT_LANGUAGE, refusal, translate
from app.lessons.player import LessonPlayer
from app.live.lessons import lesson_library
from app.live.protocol import (
    AnswerAsk,
    Command,
    Configure,
    GoToStep,
    LeaveLesson,
    ListLessons,
    Play,
    SetPace,
    ShowHint,
    SlowStep,
    StartLesson,
    Step,
)
from app.live.settings import Settings
from app.training.session import TrainingSession

LOG = logging.getLogger("neuroplay.lessons")
NO_LESSON = refusal("lesson", "error.lesson.none_open")
LESSON_LOST = "lessons.lost"
UNREADABLE = "lessons.lost_unreadable"  # why, when the kept state is not even a lesson's
LESSON_COMMANDS = ("list_lessons", "start_lesson", "go_to_step", "answer", "show_hint", "leave_lesson", "set_pace")


class LessonDesk:
    """The lesson open in one session (or none) and what the page was last told about it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.player: LessonPlayer | None = None
        self.sent = self.message()  # the last `lesson` message, so an unchanged state is not sent again
        self.sent_progress = self.progress_message()  # the last `lesson_progress` message, likewise
        self.observed: tuple[int, int, str] | None = None  # (steps, epochs, status) last measured
        self.lost: str | None = None  # the `notice` that a kept lesson is gone, until the page is told
        self.class_goals: dict[int, dict[str, int]] | None = None  # a class's goal results by step, while presenting

    def kept(self) -> dict[str, Any] | None:
        """The open lesson's state for the store (beside the run), or None."""
        return None if self.player is None else self.player.kept()

    def restore(self, kept: dict[str, Any], session: TrainingSession) -> None:
        """Open again the lesson a store kept with this run, at its step, answer and hints, without setting
        the run up again; if it cannot be (the lesson's file is gone or changed), ``lost`` tells the page why."""
        try:
            library = lesson_library(self.settings)
            lesson = library.find(str(kept.get("id")), str(kept.get("language", "en")))
            if lesson is None:
                raise refusal("lesson", "error.lesson.gone", name=repr(kept.get("id")))
            player = LessonPlayer.restored(lesson, library.glossary_in(lesson.language), kept)
        except (InputError, TypeError, ValueError, IndexError) as error:
            keyed = isinstance(error, InputError) and error.key is not None
            said: dict[str, Any] = ({"key": error.key, "args": error.params} if isinstance(error, InputError) and keyed
                                    else {"key": UNREADABLE, "args": {}})
            reason = error.message if isinstance(error, InputError) else translate(DEFAULT_LANGUAGE, UNREADABLE)
            LOG.warning("a kept lesson could not be opened again: %s", reason)
            self.player = None
            self.lost = json.dumps({"type": "notice", "topic": "lesson_lost",
                                    "message": translate(DEFAULT_LANGUAGE, LESSON_LOST, reason=reason),
                                    "key": LESSON_LOST, "args": {"reason": said}})
            return
        self.player, self.observed = player, None
        self.observe(session)

    def check(self, command: Command) -> None:
        """Refuse what the current step does not allow: a locked setting, training before the question."""
        if self.player is None:
            return
        if isinstance(command, Configure):
            self.player.check_changes(command.changes)
        elif isinstance(command, Play | Step | SlowStep):
            self.player.check_training()

    def apply(self, command: Command, session: TrainingSession) -> bool:
        """Carry out a lesson command; returns whether the session was rebuilt (a step started)."""
        match command:
            case ListLessons():
                return False
            case StartLesson(lesson=lesson_id, step=step, language=language, pace=pace):
                library = lesson_library(self.settings)
                language = language or DEFAULT_LANGUAGE
                lesson = library.find(lesson_id, language)
                if lesson is None:
                    raise refusal("lesson", "error.lesson.unknown", name=repr(lesson_id))
                player = LessonPlayer(lesson, library.glossary_in(lesson.language), language)
                player.set_pace(pace, is_bound=True)
                player.go_to(step, session)
                self.player = player
                return True
            case GoToStep(step=step):
                self._player().go_to(step, session)
                return True
            case AnswerAsk(choice=choice):
                self._player().choose(choice)
            case ShowHint():
                self._player().show_hint()
            case LeaveLesson():
                self.player = None
            case SetPace(pace=pace):
                self._player().set_pace(pace)
        return False

    def _player(self) -> LessonPlayer:
        if self.player is None:
            raise NO_LESSON
        return self.player

    def observe(self, session: TrainingSession, is_forced: bool = False) -> None:
        """Measure the session for the step's goal when it trained, reset or changed status since last time
        (or, ``is_forced``, after any command: a weight typed in by hand changes no counter)."""
        if self.player is None:
            return
        now = (session.steps, session.epochs, session.status.value)
        if now != self.observed or is_forced:
            self.observed = now
            self.player.observe(session)

    def lessons_message(self, language: str = "en") -> str:
        """The ``lessons`` message: every lesson's outline, in ``language`` where the lesson has it."""
        return json.dumps({"type": "lessons", "lessons": lesson_library(self.settings).outlines(language)})

    def message(self) -> str:
        """The ``lesson`` message: the open lesson's state, or null."""
        state: dict[str, Any] | None = None if self.player is None else self.player.state()
        results = None
        if self.player is not None and self.class_goals is not None:
            step = self.player.step
            results = {"step": step, **self.class_goals.get(step, {"working": 0, "met": 0, "failed": 0})}
        return json.dumps({"type": "lesson", "lesson": state, "class_results": results})

    def progress_message(self) -> str:
        """The ``lesson_progress`` message: the goal's live progress, or null."""
        progress = None if self.player is None else self.player.progress()
        return json.dumps({"type": "lesson_progress", "goal": progress})

    def changed_messages(self) -> list[str]:
        """The ``lesson`` and ``lesson_progress`` messages that differ from the last ones sent."""
        changed = []
        message, progress = self.message(), self.progress_message()
        if message != self.sent:
            self.sent = message
            changed.append(message)
        if progress != self.sent_progress:
            self.sent_progress = progress
            changed.append(progress)
        return changed


def fork_start(kept: dict[str, Any], language: str) -> StartLesson:
    """The command that starts a student's copy of a class run at the presenter's lesson step, from the
    step's setup (fresh weights from the lesson's seed, epoch 0), bound by the class's pace, in the student's
    language: the step as everyone who opens it sees it, not the class run as it is now. A presenter on a
    step outside the pace it announced puts the copy on the nearest step within it."""
    pace = kept.get("pace")
    bounds = None if pace is None else (int(pace[0]), int(pace[1]))
    step = int(kept.get("step", 0))
    if bounds is not None:
        step = min(max(step, bounds[0]), bounds[1])
    return StartLesson(type="start_lesson", lesson=str(kept.get("id")), step=step, language=language, pace=bounds)
