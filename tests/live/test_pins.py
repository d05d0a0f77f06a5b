"""Pinned runs over the socket: pin, unpin, at most four, and through export and import."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.live.conftest import Conversation


def trained(conversation: Conversation, epochs: int = 2) -> None:
    """Train a new run epoch by epoch, a frame each, so the curve has a point per epoch."""
    for epoch in range(1, epochs + 1):
        conversation.send({"type": "step", "unit": "epoch", "count": 1})
        conversation.frame(lambda f, epoch=epoch: f["epoch"] == epoch)


def test_pinning_keeps_the_runs_settings_and_curve_across_a_new_run(conversation: Conversation) -> None:
    conversation.send({"type": "pin", "id": "early"})
    error = conversation.error()
    assert (error["field"], error["id"]) == ("pins", "early") and "train it first" in error["message"]
    for _ in range(3):
        conversation.send({"type": "step", "unit": "batch", "count": 5})
        conversation.frame(lambda f: f["step"] % 5 == 0 and f["step"] > 0)
    conversation.send({"type": "pin"})
    pins = conversation.until_type("pins")["pins"]
    assert [pin["id"] for pin in pins] == [1] and pins[0]["config"]["activation"] == "tanh"
    assert pins[0]["step"][-1] == 15 and len(pins[0]["train_cost"]) == len(pins[0]["step"]) >= 2
    conversation.send({"type": "configure", "changes": {"activation": "relu"}})  # a new run
    conversation.until(lambda m: m["type"] == "session" and m["config"]["activation"] == "relu")
    trained(conversation)
    conversation.send({"type": "pin"})
    pins = conversation.until_type("pins")["pins"]
    assert [(pin["id"], pin["config"]["activation"]) for pin in pins] == [(1, "tanh"), (2, "relu")]
    conversation.send({"type": "unpin", "pin": 1})
    assert [pin["id"] for pin in conversation.until_type("pins")["pins"]] == [2]
    conversation.send({"type": "unpin", "pin": 1, "id": 3})
    error = conversation.error()
    assert (error["field"], error["id"]) == ("pin", 3) and "2" in error["message"]


def test_at_most_four_runs_are_pinned(conversation: Conversation) -> None:
    trained(conversation)
    for count in range(1, 5):
        conversation.send({"type": "pin"})
        assert len(conversation.until_type("pins")["pins"]) == count
    conversation.send({"type": "pin", "id": 5})
    error = conversation.error()
    assert (error["field"], error["id"]) == ("pins", 5)
    assert error["message"] == "at most 4 runs can be pinned; unpin one first"


def test_pins_go_into_the_export_and_come_back_with_an_import(client: TestClient, conversation: Conversation) -> None:
    trained(conversation)
    conversation.send({"type": "pin"})
    pinned = conversation.until_type("pins")["pins"]
    session_id = conversation.hello["session_id"]  # type: ignore[attr-defined]
    document = client.get(f"/api/sessions/{session_id}/export").json()
    assert document["pins"] == pinned
    with client.websocket_connect("/ws") as other:
        talk = Conversation(other)
        other_id = talk.until_type("hello")["session_id"]
        assert talk.until_type("pins")["pins"] == []
        response = client.post(f"/api/sessions/{other_id}/import", json=document)
        assert response.status_code == 200, response.text
        assert talk.until_type("pins")["pins"] == pinned
        talk.send({"type": "pin"})  # ids go on after the imported ones
        assert [pin["id"] for pin in talk.until_type("pins")["pins"]] == [1, 2]
    document["pins"][0]["train_cost"] = ["low"] * len(document["pins"][0]["step"])
    refused = client.post(f"/api/sessions/{session_id}/import", json=document)
    assert refused.status_code == 422 and refused.json()["field"] == "pins[0].train_cost"
