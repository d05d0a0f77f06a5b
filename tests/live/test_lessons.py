"""Lessons over the socket: list, start, the ask gating Play, locks, hints, a goal met, Next, resume, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.lessons.library import SHIPPED_DIR
from app.lessons.setup import new_session
from app.live.lessons import lesson_library
from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened
from tests.live.test_rooms import broker_kind, classroom, present, talking  # noqa: F401  (fixtures)


def lesson(talk: Conversation) -> dict[str, Any]:
    return talk.until_type("lesson")["lesson"]  # type: ignore[no-any-return]


def test_list_and_start_a_lesson_at_its_first_step(conversation: Conversation) -> None:
    conversation.send({"type": "list_lessons"})
    listed = conversation.until_type("lessons")["lessons"]
    assert listed[0]["id"] == "neuron" and len(listed) >= 10 and listed[0]["steps"][0] == "One neuron, two clouds"
    conversation.send({"type": "start_lesson", "lesson": "neuron"})
    session = conversation.until(lambda m: m["type"] == "session" and m["config"]["dataset"] == "gauss")
    assert session["config"]["hidden_layers"] == [] and session["config"]["seed"] == 7
    state = lesson(conversation)
    assert (state["id"], state["step"], state["can_advance"]) == ("neuron", 0, True)
    assert state["ask"]["choices"][0] == "a straight line" and state["ask"]["answer"] is None
    assert "<strong>Play</strong>" in state["html"]


def test_play_waits_for_the_answer_and_a_locked_setting_stays(conversation: Conversation) -> None:
    conversation.send({"type": "start_lesson", "lesson": "neuron"})
    lesson(conversation)
    conversation.send({"type": "play"})
    assert conversation.error()["field"] == "answer"
    conversation.send({"type": "configure", "changes": {"dataset": "xor"}})
    error = conversation.error()
    assert error["field"] == "dataset" and "fixed in this lesson step" in error["message"]
    conversation.send({"type": "answer", "choice": 5})
    assert conversation.error()["field"] == "choice"
    conversation.send({"type": "answer", "choice": 0})
    assert lesson(conversation)["ask"]["chosen"] == 0
    conversation.send({"type": "step", "unit": "epoch", "count": 1})
    state = conversation.until(lambda m: m["type"] == "lesson" and m["lesson"]["ask"]["answer"] is not None)
    assert state["lesson"]["ask"]["answer"] == 0 and "straight line" in state["lesson"]["explain"]


def test_a_goal_met_by_editing_weights_enables_next(conversation: Conversation) -> None:
    conversation.send({"type": "start_lesson", "lesson": "neuron", "step": 1})
    state = lesson(conversation)
    assert state["step"] == 1 and state["has_goal"] and not state["can_advance"]
    progress = conversation.until_type("lesson_progress")["goal"]
    assert progress["text"] == "test accuracy 0 % of 90 %, 0 of 5 epochs" and not progress["is_met"]
    conversation.send({"type": "show_hint"})
    assert len(lesson(conversation)["hints"]) == 1
    for source in (0, 1):
        conversation.send({"type": "edit_weight", "layer": 0, "source": source, "target": 0, "value": 1.0})
    conversation.send({"type": "step", "unit": "epoch", "count": 1})
    state = conversation.until(lambda m: m["type"] == "lesson" and m["lesson"]["can_advance"])["lesson"]
    assert state["done"] == [1] and "sign" in state["explain"]
    conversation.send({"type": "go_to_step", "step": 2})
    assert lesson(conversation)["step"] == 2


def test_a_reload_resumes_the_lesson_at_its_step(client: TestClient) -> None:
    with opened(client) as talk:
        talk.send({"type": "start_lesson", "lesson": "hidden-layer", "step": 1})
        assert lesson(talk)["step"] == 1
        session_id = talk.hello["session_id"]  # type: ignore[attr-defined]
    with opened(client, f"/ws?session={session_id}") as again:
        assert again.hello["resume"] == "resumed"  # type: ignore[attr-defined]
        state = lesson(again)
        assert (state["id"], state["step"]) == ("hidden-layer", 1)


def test_lesson_commands_are_validated(conversation: Conversation) -> None:
    conversation.send({"type": "start_lesson", "lesson": "nope"})
    assert conversation.error()["field"] == "lesson"
    conversation.send({"type": "go_to_step", "step": 0})
    assert conversation.error()["message"] == "no lesson is open; start one first"
    conversation.send({"type": "start_lesson", "lesson": "neuron", "step": 99})
    assert conversation.error()["field"] == "step"
    conversation.send({"type": "start_lesson", "lesson": "x" * 65})
    assert conversation.error()["field"] == "lesson"
    conversation.send({"type": "start_lesson", "lesson": "neuron"})
    lesson(conversation)
    conversation.send({"type": "go_to_step", "step": -1})
    assert conversation.error()["field"] == "step"
    conversation.send({"type": "show_hint"})
    assert conversation.error()["field"] == "hint"
    conversation.send({"type": "leave_lesson"})
    assert lesson(conversation) is None
    conversation.send({"type": "play"})  # no lesson: no question to answer first
    conversation.until(lambda m: m["type"] == "session" and m["status"] == "running")


def test_a_class_follows_the_presenters_lesson_step_by_step(classroom: TestClient) -> None:  # noqa: F811
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "start_lesson", "lesson": "hidden-layer"})
        assert lesson(presenter)["step"] == 0
        with talking(classroom, f"/ws?room={code}") as late, talking(classroom, f"/ws?room={code}") as other:
            assert lesson(late)["step"] == 0  # a late joiner is greeted with the step
            assert lesson(other)["id"] == "hidden-layer"
            presenter.send({"type": "go_to_step", "step": 1})
            for follower in (late, other):
                state = follower.until(lambda m: m["type"] == "lesson" and m["lesson"]["step"] == 1)["lesson"]
                assert state["steps"][1] == "Look inside"
            late.send({"type": "go_to_step", "step": 0})  # teacher-paced: a follower cannot move the class
            assert late.error()["field"] == "role"


def test_a_teachers_folder_adds_lessons_and_a_language_picks_its_file(tmp_path: Path) -> None:
    shipped = (SHIPPED_DIR / "02-hidden-layer.md").read_text(encoding="utf-8")
    (tmp_path / "mine.md").write_text(shipped.replace("id: hidden-layer", "id: mine"), encoding="utf-8")
    (tmp_path / "mine.de.md").write_text(shipped.replace("id: hidden-layer", "id: mine")
                                         .replace("## One neuron", "## Ein Neuron"), encoding="utf-8")
    (tmp_path / "broken.md").write_text("no front matter\n", encoding="utf-8")
    with TestClient(create_app(Settings(workers=0, lessons_dir=str(tmp_path)))) as client, opened(client) as talk:
        talk.send({"type": "list_lessons"})
        ids = [entry["id"] for entry in talk.until_type("lessons")["lessons"]]
        assert ids[-1] == "mine" and ids[0] == "neuron"
        talk.send({"type": "start_lesson", "lesson": "mine", "language": "de"})
        state = lesson(talk)
        assert (state["language"], state["steps"][0]) == ("de", "Ein Neuron")
        assert state["concepts"][0]["term"] == "verborgene Schicht"  # the shipped glossary.de.yaml's term
        assert state["concepts"][0]["definition"].startswith("Eine Schicht von Neuronen zwischen")
        talk.send({"type": "start_lesson", "lesson": "mine", "language": "fr"})  # none in French: English
        state = lesson(talk)
        assert (state["language"], state["requested_language"]) == ("en", "fr")
        assert state["concepts"][0] == {"term": "hidden layer", "definition": state["concepts"][0]["definition"]}
        assert state["concepts"][0]["definition"].startswith("A layer of neurons between")
        talk.send({"type": "start_lesson", "lesson": "mine", "language": "french"})
        assert talk.error()["field"] == "language"


def test_lessons_work_in_a_worker_process() -> None:
    with TestClient(create_app(Settings(workers=1))) as client, opened(client) as talk:
        talk.send({"type": "start_lesson", "lesson": "neuron", "step": 1})
        assert lesson(talk)["step"] == 1
        assert talk.until_type("lesson_progress")["goal"]["text"] == "test accuracy 0 % of 90 %, 0 of 5 epochs"
        talk.send({"type": "configure", "changes": {"learning_rate": 0.1}})
        assert talk.error()["field"] == "learning_rate"


def test_an_import_closes_the_lesson(client: TestClient) -> None:
    with opened(client) as talk:
        talk.send({"type": "step", "unit": "epoch", "count": 1})
        talk.frame(lambda f: f["epoch"] == 1)
        session_id = talk.hello["session_id"]  # type: ignore[attr-defined]
        document = client.get(f"/api/sessions/{session_id}/export").json()
        talk.send({"type": "start_lesson", "lesson": "neuron"})
        assert lesson(talk)["id"] == "neuron"
        response = client.post(f"/api/sessions/{session_id}/import", json=document)
        assert response.status_code == 200, response.text
        assert lesson(talk) is None


def test_student_paced_a_copy_moves_within_the_range_the_teacher_set(classroom: TestClient) -> None:  # noqa: F811
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "start_lesson", "lesson": "neuron"})
        lesson(presenter)
        presenter.send({"type": "set_pace", "pace": [0, 3]})
        assert presenter.error()["field"] == "pace"
        presenter.send({"type": "set_pace", "pace": [0, 1]})
        with talking(classroom, f"/ws?room={code}") as follower:
            assert follower.until(lambda m: m["type"] == "lesson" and m["lesson"]["pace"] == [0, 1])
        presenter.send({"type": "go_to_step", "step": 2})  # the teacher is not bound by the pace
        presenter.until(lambda m: m["type"] == "lesson" and m["lesson"]["step"] == 2)
    with opened(classroom) as copy:  # a student's copy, started as the page starts it after a fork
        copy.send({"type": "start_lesson", "lesson": "neuron", "step": 1, "pace": [0, 1]})
        assert lesson(copy)["pace"] == [0, 1]
        copy.send({"type": "go_to_step", "step": 0})
        copy.until(lambda m: m["type"] == "lesson" and m["lesson"]["step"] == 0)
        copy.send({"type": "go_to_step", "step": 2})
        assert copy.error()["message"] == "this class moves within steps 1 to 2"
        copy.send({"type": "start_lesson", "lesson": "neuron", "step": 2, "pace": [0, 1]})
        assert copy.error()["field"] == "step"
        copy.send({"type": "set_pace", "pace": None})  # a student's own copy: its pace is its own to lift
        copy.send({"type": "go_to_step", "step": 2})
        copy.until(lambda m: m["type"] == "lesson" and m["lesson"]["step"] == 2)


def test_an_unknown_type_names_the_closest_commands_in_one_short_line(conversation: Conversation) -> None:
    conversation.send({"type": "start_lessen"})
    error = conversation.error()
    assert error["field"] == "type" and "closest: start_lesson" in error["message"]
    assert len(error["message"]) < 300 and "\n" not in error["message"]


@pytest.mark.parametrize("classroom", [0, 1], ids=["in-process", "worker-process"], indirect=True)
def test_try_it_myself_starts_the_presenters_step_from_its_setup(classroom: TestClient) -> None:  # noqa: F811
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "start_lesson", "lesson": "neuron", "step": 1})
        lesson(presenter)
        presenter.send({"type": "edit_weight", "layer": 0, "source": 0, "target": 0, "value": 2.5})
        presenter.send({"type": "step", "unit": "epoch", "count": 3})
        presenter.frame(lambda f: f["epoch"] == 3)
        presenter.send({"type": "set_pace", "pace": [0, 1]})
        presenter.until(lambda m: m["type"] == "lesson" and m["lesson"]["pace"] == [0, 1])
        with talking(classroom, f"/ws?room={code}&lang=de") as follower:
            follower.send({"type": "fork"})
            fork_id = follower.until_type("forked")["session_id"]
        document = classroom.get(f"/api/sessions/{fork_id}/export").json()
        with talking(classroom, f"/ws?session={fork_id}") as fork:
            state = lesson(fork)
            assert (state["id"], state["step"], state["pace"]) == ("neuron", 1, [0, 1])
            assert state["language"] == "de" and state["lock"] == ["dataset", "hidden_layers", "learning_rate"]
            assert fork.frame()["epoch"] == 0
            fork.send({"type": "go_to_step", "step": 2})  # the class's pace binds the copy
            assert fork.error()["field"] == "step"
    step = lesson_library(Settings()).find("neuron")
    assert step is not None
    setup = new_session(step.seed, step.steps[1].setup)
    assert document["config"] == setup.config.to_dict()
    assert document["counters"] == {"step": 0, "epoch": 0, "examples": 0}
    for got, expected in zip(document["weights"] + document["biases"], setup.mlp.weights + setup.mlp.biases,
                             strict=True):
        assert np.array_equal(np.asarray(got), expected)
    assert document["weights"][0][0][0] == -1  # the step's hand-set weight, not the presenter's edit
