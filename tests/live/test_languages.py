"""The page and the socket speak the learner's language: Accept-Language, ``?lang=``, ``set_language``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.i18n import catalogue_tree, translate
from tests.live.conftest import Conversation, opened


def embedded(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="catalogue">(.*?)</script>', html, re.DOTALL)
    assert found, "the page carries no catalogue"
    return dict(json.loads(found.group(1)))


def test_the_page_speaks_the_accept_language_and_embeds_that_catalogue(client: TestClient) -> None:
    german = client.get("/", headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}).text
    assert '<html lang="de">' in german
    assert f"<title>{translate('de', 'page.title')}</title>" in german
    assert embedded(german) == catalogue_tree("de")
    assert 'data-language="de"' in german
    english = client.get("/", headers={"Accept-Language": "fr-FR"}).text
    assert '<html lang="en">' in english and embedded(english) == catalogue_tree("en")
    spanish = client.get("/join/K7WQ3M", headers={"Accept-Language": "es"}).text
    assert '<html lang="es">' in spanish and "Diagnóstico" in spanish


def test_the_embedded_catalogue_cannot_end_its_script_element() -> None:
    from app.live.languages import SCRIPT_SAFE

    assert json.dumps("</script><b>&").translate(SCRIPT_SAFE) == '"\\u003c/script\\u003e\\u003cb\\u003e\\u0026"'


def test_another_catalogue_is_served_for_the_picker(client: TestClient) -> None:
    response = client.get("/api/locales/es")
    assert response.status_code == 200 and response.json() == catalogue_tree("es")
    for wrong in ("fr", "DE", "de-AT", "xx"):
        refused = client.get(f"/api/locales/{wrong}")
        assert refused.status_code == 404
        assert refused.json() == {"field": "language", "message": "must be one of en, de, es",
                                  "key": "error.http.language", "args": {"allowed": "en, de, es"}}


def test_the_hello_speaks_the_language_of_the_socket_s_address(client: TestClient) -> None:
    with opened(client, "/ws?lang=de") as conversation:
        hello = conversation.hello  # type: ignore[attr-defined]
        assert hello["language"] == "de"
        assert hello["fields"]["learning_rate"]["label"] == "Lernrate"
        assert hello["fields"]["learning_rate"]["key"] == "field.learning_rate"
        assert [s["label"] for s in hello["options"]["speed"]][:2] == ["1 Batch / Bild", "5 Batches / Bild"]
    with opened(client, "/ws?lang=klingon") as conversation:
        assert conversation.hello["language"] == "en"  # type: ignore[attr-defined]


def test_set_language_changes_the_server_s_words_and_keeps_the_run(conversation: Conversation) -> None:
    conversation.send({"type": "play"})
    conversation.frame()
    conversation.send({"type": "set_language", "language": "es"})
    said = conversation.until_type("language")
    assert said["language"] == "es"
    assert said["fields"]["learning_rate"]["label"] == "Tasa de aprendizaje"
    assert said["options"]["regularization"][0]["label"] == "Ninguna"
    english = conversation.hello["glossary"]["learning rate"]  # type: ignore[attr-defined]
    spanish = said["glossary"]["learning rate"]  # the ids stay the English ones, the words are Spanish
    assert english["term"] == "learning rate" and spanish["term"] == "tasa de aprendizaje"
    assert said["glossary"].keys() == conversation.hello["glossary"].keys()  # type: ignore[attr-defined]
    conversation.send({"type": "step", "count": 0})
    error = conversation.error()
    assert error["field"] == "count"  # the field keeps its name in every language
    conversation.send({"type": "set_language", "language": "fr"})
    error = conversation.error()
    assert error["field"] == "language" and "'en', 'de', 'es'" in error["message"]
    step = conversation.frame()["step"]
    assert conversation.frame(lambda frame: frame["step"] > step)["step"] > step  # the run goes on


def test_an_error_carries_its_key_and_args_and_its_text_in_the_socket_s_language(client: TestClient) -> None:
    with opened(client, "/ws?lang=de") as conversation:
        conversation.send("not json")
        error = conversation.error()
        assert error["field"] == "message"
        assert error["key"] == "error.not_json"
        assert error["args"] == {"example": '{"type": "play"}'}
        assert error["message"] == translate("de", "error.not_json", **error["args"]) == \
            'muss ein JSON-Objekt sein, etwa {"type": "play"}'


def test_a_value_described_in_words_is_worded_in_the_socket_s_language(client: TestClient) -> None:
    with opened(client, "/ws?lang=de") as conversation:
        conversation.send({"type": "configure", "changes": {"learning_rate": [0.1, 0.2, 0.3]}, "id": 4})
        error = conversation.error()
        assert (error["field"], error["key"], error["id"]) == ("learning_rate", "error.config.number_range", 4)
        assert error["args"]["got"] == {"key": "error.got.list", "args": {"count": 3}}  # words, not English text
        assert error["message"] == "muss eine Zahl von 0,00001 bis 10 sein, nicht eine Liste mit 3 Einträgen"
        assert error["message"] == translate("de", error["key"], **error["args"])  # as the page words it
        conversation.send({"type": "configure", "changes": {"seed": {"a": 1}}})
        assert conversation.error()["message"].endswith("nicht ein Objekt")
        conversation.send({"type": "set_language", "language": "es"})
        conversation.until_type("language")
        conversation.send({"type": "configure", "changes": {"seed": None}})
        assert conversation.error()["message"].endswith("no null (sin valor)")
        conversation.send({"type": "configure", "changes": {"learning_rate": 0.5}})  # the run takes a good value
        assert conversation.until_type("session")["changed"] == ["learning_rate"]


def test_an_http_refusal_speaks_the_request_s_language(client: TestClient) -> None:
    refused = client.post("/api/sessions/nobody/import", content=b"{}", headers={"Accept-Language": "es-ES"})
    assert refused.status_code == 404
    assert refused.json() == {"field": "session_id", "message": "ninguna sesión activa tiene este id",
                              "key": "error.http.no_session", "args": None}


# A broken experiment file: (change to a fresh export, field, key, English text, German text).
BROKEN_FILES = [
    (lambda document: document.__setitem__("pins", [{"id": 0}]), "pins[0].id", "error.pins.id_range",
     "must be a whole number from 1 to 2147483647, got 0", "muss eine ganze Zahl von 1 bis 2147483647 sein, nicht 0"),
    (lambda document: document["epoch"].__setitem__("cursor", 3), "epoch.cursor", "error.file.cursor_between",
     "must be 0 between epochs (epoch.order is null)", "muss zwischen zwei Epochen 0 sein (epoch.order ist null)"),
    (lambda document: document["counters"].__setitem__("epoch", 1), "counters.epoch", "error.file.count_because",
     "must be a whole number from 0 to 0 (an epoch takes at least one step), got 1",
     "muss eine ganze Zahl von 0 bis 0 sein (eine Epoche dauert mindestens einen Schritt), nicht 1"),
    (lambda document: document.__setitem__("data", []), "data", "error.file.kind",
     "must be an object, got a list of 0 entries", "muss ein Objekt sein, nicht eine Liste mit 0 Einträgen"),
]


@pytest.mark.parametrize(("change", "field", "key", "english", "german"), BROKEN_FILES,
                         ids=["pin-id", "cursor-between-epochs", "epoch-count", "data-list"])
def test_a_broken_experiment_file_is_refused_in_the_request_s_language(
        client: TestClient, change: Callable[[dict[str, Any]], None], field: str, key: str, english: str,
        german: str) -> None:
    with opened(client) as conversation:
        session_id = conversation.hello["session_id"]  # type: ignore[attr-defined]
        document = client.get(f"/api/sessions/{session_id}/export").json()
        assert document["epoch"] == {"order": None, "cursor": 0} and document["counters"]["step"] == 0
        change(document)
        body = json.dumps(document)
        answers = {language: client.post(f"/api/sessions/{session_id}/import", content=body,
                                         headers={"Accept-Language": language}) for language in ("de-DE", "en")}
    for language, answer in answers.items():
        assert answer.status_code == 422
        refusal = answer.json()
        assert (refusal["field"], refusal["key"]) == (field, key)
        assert refusal["message"] == (german if language == "de-DE" else english)
        assert translate("de", key, **refusal["args"] or {}) == german  # the args word it as the page would
