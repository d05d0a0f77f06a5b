"""Lessons in a language over the socket: the German file when there is one, else English saying so."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.lessons.library import SHIPPED_DIR
from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened
from tests.live.test_rooms import classroom, present, talking  # noqa: F401  (classroom is a fixture)

LANGUAGE_ERROR = "must be a language code of two lower-case letters (ISO 639-1, such as en, de or es), got "


def test_a_lesson_starts_in_german_with_its_terms_in_german(conversation: Conversation) -> None:
    conversation.send({"type": "start_lesson", "lesson": "neuron", "language": "de"})
    state = conversation.until_type("lesson")["lesson"]
    assert (state["language"], state["requested_language"], state["title"]) == ("de", "de", "Ein Neuron")
    assert state["steps"][1] == "Ändere ein Gewicht" and "<strong>Start</strong>" in state["html"]
    assert state["ask"]["choices"] == ["eine gerade Linie", "ein Kreis", "jede Form, die es will"]
    assert state["concepts"][1]["term"] == "Gewicht" and state["concepts"][1]["definition"].startswith("Eine Zahl")
    conversation.send({"type": "answer", "choice": 0})
    conversation.send({"type": "step", "unit": "epoch", "count": 1})
    done = conversation.until(lambda m: m["type"] == "lesson" and m["lesson"]["ask"]["answer"] is not None)
    assert done["lesson"]["ask"]["answer"] == 0 and "geraden Linie null" in done["lesson"]["explain"]


def test_a_lesson_without_the_language_comes_in_english_and_says_what_was_asked(tmp_path: Path) -> None:
    english = (SHIPPED_DIR / "02-hidden-layer.md").read_text(encoding="utf-8")
    (tmp_path / "only-english.md").write_text(english.replace("id: hidden-layer", "id: only-english"),
                                              encoding="utf-8")
    with TestClient(create_app(Settings(workers=0, lessons_dir=str(tmp_path)))) as client, opened(client) as talk:
        talk.send({"type": "list_lessons", "language": "es"})
        listed = {entry["id"]: entry for entry in talk.until_type("lessons")["lessons"]}
        assert (listed["neuron"]["title"], listed["neuron"]["language"]) == ("Una neurona", "es")
        assert listed["neuron"]["languages"] == ["de", "en", "es"]
        assert (listed["only-english"]["language"], listed["only-english"]["languages"]) == ("en", ["en"])
        talk.send({"type": "start_lesson", "lesson": "only-english", "language": "de"})
        state = talk.until_type("lesson")["lesson"]
        assert (state["language"], state["requested_language"]) == ("en", "de")
        assert state["steps"][0] == "One neuron"
        assert state["concepts"][0]["term"] == "hidden layer"  # the terms in the words of the text they explain
        talk.send({"type": "start_lesson", "lesson": "hidden-layer", "language": "de"})
        state = talk.until(lambda m: m["type"] == "lesson" and m["lesson"]["id"] == "hidden-layer")["lesson"]
        assert (state["language"], state["requested_language"]) == ("de", "de")


def test_a_language_is_two_lower_case_letters_and_the_run_survives_a_wrong_one(conversation: Conversation) -> None:
    null = {"key": "error.got.null", "args": {}}  # null is described in the catalogue's words
    for command, value, shown, got in (("start_lesson", "DE", "'DE'", "'DE'"),
                                       ("start_lesson", "deutsch", "'deutsch'", "'deutsch'"),
                                       ("list_lessons", 49, "49", "49"), ("start_lesson", None, "null", null)):
        message = {"type": command, "language": value, **({"lesson": "neuron"} if command == "start_lesson" else {})}
        conversation.send(message)
        error = conversation.error()
        assert (error["field"], error["message"]) == ("language", LANGUAGE_ERROR + shown)
        assert (error["key"], error["args"]) == ("error.language_code", {"got": got})
    conversation.send({"type": "list_lessons"})  # the connection is still open; English by default
    assert conversation.until_type("lessons")["lessons"][0]["title"] == "A neuron"


@pytest.mark.parametrize("broker_kind", ["local"])  # the broker's part is tested in tests/live/test_lessons.py
def test_a_class_reads_the_presenters_lesson_and_a_students_copy_opens_in_their_own_language(
        classroom: TestClient) -> None:  # noqa: F811
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "start_lesson", "lesson": "hidden-layer", "step": 0, "language": "de"})
        assert presenter.until_type("lesson")["lesson"]["language"] == "de"
        with talking(classroom, f"/ws?room={code}") as follower:
            state = follower.until_type("lesson")["lesson"]  # the presenter's words, in the lesson's language
            assert (state["language"], state["steps"][0]) == ("de", "Ein Neuron")
    with opened(classroom) as copy:  # the student's "Try it myself", started from a Spanish page
        copy.send({"type": "start_lesson", "lesson": "hidden-layer", "step": 0, "language": "es", "pace": [0, 1]})
        session = copy.until(lambda m: m["type"] == "session" and m["config"]["dataset"] == "xor")
        state = copy.until_type("lesson")["lesson"]
        assert (state["language"], state["steps"][0]) == ("es", "Una neurona")
        assert session["config"]["hidden_layers"] == [] and session["config"]["learning_rate"] == 0.1  # same setup


def test_the_pages_glossary_in_german_keeps_the_english_ids() -> None:
    from app.live.lessons import glossary

    english, german = glossary(Settings()), glossary(Settings(), "de")
    assert list(german) == list(english)  # the page marks its terms by these ids in every language
    assert german["weight"]["term"] == "Gewicht" and german["weight"]["definition"].startswith("Eine Zahl")
    assert german["bce"] == german["cross-entropy"] and german["bce"]["term"] == "Kreuzentropie"  # an option name
    assert glossary(Settings(), "fr") == english


def test_lesson_commands_without_a_language_follow_the_socket_s_language(client: TestClient) -> None:
    with opened(client, "/ws?lang=de") as talk:
        assert talk.hello["glossary"]["weight"]["term"] == "Gewicht"  # type: ignore[attr-defined]
        talk.send({"type": "list_lessons"})
        assert talk.until_type("lessons")["lessons"][0]["title"] == "Ein Neuron"
        talk.send({"type": "start_lesson", "lesson": "neuron"})
        state = talk.until_type("lesson")["lesson"]
        assert (state["language"], state["requested_language"], state["title"]) == ("de", "de", "Ein Neuron")
        talk.send({"type": "set_language", "language": "es"})
        talk.until_type("language")
        talk.send({"type": "list_lessons"})
        assert talk.until_type("lessons")["lessons"][0]["title"] == "Una neurona"
        talk.send({"type": "start_lesson", "lesson": "neuron", "language": "en"})  # a named language wins
        state = talk.until(lambda m: m["type"] == "lesson" and m["lesson"]["language"] == "en")["lesson"]
        assert state["title"] == "A neuron"
    with opened(client) as talk:  # no language on the address: English
        assert talk.hello["glossary"]["weight"]["term"] == "weight"  # type: ignore[attr-defined]
        talk.send({"type": "list_lessons"})
        assert talk.until_type("lessons")["lessons"][0]["title"] == "A neuron"
