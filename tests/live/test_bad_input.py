"""Every kind of bad message gets an error naming the field; the socket and the run survive."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.live.outbox import MAX_QUEUED_MESSAGES, Outbox
from app.live.runner import Runner
from app.live.server import create_app
from app.live.settings import Settings
from app.training.session import TrainingSession
from tests.live.conftest import Conversation, wait_for

BAD_MESSAGES = [
    ("not json at all", "message", "JSON object"),
    ("[1, 2, 3]", "message", "JSON object"),
    ('"play"', "message", "JSON object"),
    ('{"no_type": 1}', "type", "must be one of"),
    ('{"type": "fly"}', "type", "must be one of"),
    ('{"type": "step", "count": "3"}', "count", "integer"),
    ('{"type": "step", "count": 0}', "count", "greater than or equal to 1"),
    ('{"type": "step", "count": 1000000}', "count", "from 1 to 100"),
    ('{"type": "step", "unit": "year"}', "unit", "'batch', 'epoch'"),
    ('{"type": "step", "extra": true}', "extra", "not a field"),
    ('{"type": "set_speed", "unit": "epoch"}', "count", "required"),
    ('{"type": "configure", "changes": {}}', "changes", "at least 1"),
    ('{"type": "configure", "changes": {"learning_rate": 50}}', "learning_rate", "from 0.00001 to 10"),
    ('{"type": "configure", "changes": {"learning_rate": true}}', "learning_rate", "number"),
    ('{"type": "configure", "changes": {"hidden_layers": [4, 17]}}', "hidden_layers", "from 1 to 16"),
    ('{"type": "configure", "changes": {"hidden_layers": [1,1,1,1,1,1,1,1,1]}}', "hidden_layers", "0 to 8"),
    ('{"type": "configure", "changes": {"features": []}}', "features", "1 to 9"),
    ('{"type": "configure", "changes": {"points": 20000}}', "points", "from 50 to 2000"),
    ('{"type": "configure", "changes": {"noise": 51}}', "noise", "from 0 to 50"),
    ('{"type": "configure", "changes": {"warp": 9}}', "warp", "unknown setting"),
    ('{"type": "configure", "changes": {"cost": "cce"}}', "cost", "binary problem"),
    ('{"type": "edit_weight", "layer": 0, "target": 0, "value": "big"}', "value", "number"),
    ('{"type": "select_neuron", "layer": -1, "index": 0}', "layer", "greater than or equal to 0"),
    ('{"type": "set_data", "problem": "binary", "rows": [[1, 2]]}', "rows.0.2", "required"),
    ('{"type": "configure", "changes": {"noise": 1%s}}' % ("0" * 400), "noise", "from 0 to 50"),
    ('{"type": "configure", "changes": {"learning_rate": -1%s}}' % ("0" * 400), "learning_rate", "from 0.00001"),
    ('{"type": "configure", "changes": {"hidden_layers": [4, 1%s]}}' % ("0" * 400), "hidden_layers", "from 1 to 16"),
    ('{"type": "set_data", "problem": "multiclass", "rows": [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 0]], '
     '"classes": 1%s}' % ("0" * 400), "classes", "between 3 and 6"),
    ('{"type": "select_neuron", "layer": 1%s, "index": 0}' % ("0" * 400), "layer", "integer of 401 digits"),
    ("[" * 1000 + "]" * 1000, "message", "at most 32 levels deep"),
    ('{"type": "play", "id": ' + "[" * 1000 + "]" * 1000 + "}", "message", "at most 32 levels deep"),
    ('{"type": "configure", "changes": {"noise": ' + "[" * 500 + "]" * 500 + "}}", "message", "32 levels deep"),
]


@pytest.mark.parametrize(("text", "field", "words"), BAD_MESSAGES)
def test_bad_message_gets_an_error_and_the_run_survives(
    conversation: Conversation, text: str, field: str, words: str
) -> None:
    conversation.send({"type": "play"})
    conversation.until_type("session")
    conversation.send(text)
    error = conversation.error()
    assert error["field"] == field
    assert words in error["message"]
    before = conversation.frame()["step"]
    assert conversation.frame(lambda f: f["step"] > before)["status"] == "running"
    conversation.send({"type": "pause"})
    assert conversation.until_type("session")["status"] == "paused"


def test_error_names_the_command_and_echoes_its_id(conversation: Conversation) -> None:
    conversation.send({"type": "configure", "changes": {"noise": -1}, "id": "c-9"})
    error = conversation.error()
    assert (error["command"], error["id"], error["field"]) == ("configure", "c-9", "noise")


def test_an_oversized_message_is_refused_by_the_app(conversation: Conversation, settings: Settings) -> None:
    conversation.send(json.dumps({"type": "play", "id": "x" * (settings.max_message_bytes + 10)}))
    error = conversation.error()
    assert error["field"] == "message" and str(settings.max_message_bytes) in error["message"]
    conversation.send({"type": "step"})
    assert conversation.frame(lambda f: f["step"] == 1)["step"] == 1


def test_binary_commands_are_refused(conversation: Conversation) -> None:
    conversation.websocket.send_bytes(b"\x00\x01")
    assert conversation.error()["message"] == "must be JSON text, not binary"


def test_a_flood_of_commands_is_rate_limited(client: TestClient) -> None:
    app_settings = Settings(max_commands_per_second=5)
    with TestClient(create_app(app_settings)) as flooded, flooded.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        for _ in range(12):
            talk.send({"type": "select_neuron", "layer": None, "index": None})
        error = talk.error()
        assert error["field"] == "rate" and "5 commands per second" in error["message"]


def test_a_foreign_origin_cannot_open_the_socket(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(
        "/ws", headers={"origin": "http://evil.example"}
    ) as websocket:
        websocket.receive_text()
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as websocket:
        assert json.loads(websocket.receive_text())["type"] == "hello"


def test_a_full_server_says_so() -> None:
    with TestClient(create_app(Settings(max_sessions=1))) as full, full.websocket_connect("/ws") as first:
        assert json.loads(first.receive_text())["type"] == "hello"
        with full.websocket_connect("/ws") as second:
            error = json.loads(second.receive_text())
            assert error["field"] == "sessions" and "full" in error["message"]


def test_the_session_outlives_its_socket_until_the_detached_ttl() -> None:
    with TestClient(create_app(Settings(detached_ttl_s=0.3))) as short:
        with short.websocket_connect("/ws") as websocket:
            websocket.receive_text()
            assert short.get("/healthz").json()["sessions"] == 1
        health = wait_for(lambda: short.get("/healthz").json(), lambda h: h["detached"] == 1)
        assert health["sessions"] == 1
        assert wait_for(lambda: short.get("/healthz").json(), lambda h: h["sessions"] == 0)["detached"] == 0


def test_a_fault_in_a_command_is_answered_and_the_socket_stays(conversation: Conversation,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: TrainingSession) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(TrainingSession, "reset", broken)
    conversation.send({"type": "reset", "id": 3})
    error = conversation.error()
    assert (error["field"], error["id"], error["command"]) == ("server", 3, "reset")
    conversation.send({"type": "step"})
    assert conversation.frame(lambda f: f["step"] == 1)["status"] == "paused"


def test_the_session_is_freed_even_when_starting_it_fails(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Runner) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Runner, "start", broken)
    with pytest.raises(RuntimeError), client.websocket_connect("/ws") as websocket:
        websocket.receive_text()
    assert client.app.state.registry.runners == {}  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["text", "binary"])
def test_a_burst_of_a_thousand_commands_leaves_a_reading_client_connected(client: TestClient, kind: str) -> None:
    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.frame()
        for _ in range(1000):
            if kind == "text":
                talk.send({"type": "select_neuron", "layer": None, "index": None})
            else:
                websocket.send_bytes(b"\x00\x01")
        time.sleep(0.1)  # a few tokens come back to the bucket (60 a second)
        talk.send({"type": "configure", "changes": {"learning_rate": 0.1}, "id": 77})
        rate_errors = 0
        for _ in range(2000):  # a bound on the messages read, not a claim about them
            message = talk.receive()
            assert message["type"] != "close", "a client that reads every reply is never closed"
            if message["type"] == "session" and message["changed"] == ["learning_rate"]:
                break
            rate_errors += message["type"] == "error" and message["field"] == "rate"
        assert 1 <= rate_errors <= 2  # one per second at most; the rest were dropped unanswered
        talk.send({"type": "step"})
        assert talk.frame(lambda f: f["step"] == 1)["status"] == "paused"


def test_the_overflow_flag_is_cleared_when_the_queue_drains() -> None:
    outbox = Outbox()
    for _ in range(MAX_QUEUED_MESSAGES + 1):
        outbox.put("{}")
    assert outbox.is_overflowing
    assert len(asyncio.run(outbox.take())) == MAX_QUEUED_MESSAGES + 1
    assert not outbox.is_overflowing
