"""Rewinding a run over the socket: back to the exact state it had at an earlier epoch, paused, its
curve cut there; training on from there is the same as having paused there."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.i18n import translate
from tests.live.conftest import Conversation

STATE = ("weights", "biases", "optimizer", "counters", "epoch", "shuffle_rng")  # what a rewind restores


def export(client: TestClient, conversation: Conversation) -> dict[str, Any]:
    session_id = conversation.hello["session_id"]  # type: ignore[attr-defined]
    return dict(client.get(f"/api/sessions/{session_id}/export").json())


def epochs(conversation: Conversation, count: int, then_epoch: int) -> dict[str, Any]:
    conversation.send({"type": "step", "unit": "epoch", "count": count})
    return conversation.frame(lambda f: f["epoch"] == then_epoch)


def test_rewinding_restores_the_run_at_that_epoch_and_training_on_repeats_it(
        client: TestClient, conversation: Conversation) -> None:
    conversation.send({"type": "configure", "changes": {"optimizer": "adam"}})
    conversation.until_type("session")
    at_three = epochs(conversation, 3, 3)
    document_three = export(client, conversation)
    epochs(conversation, 2, 5)
    document_five = export(client, conversation)
    frame = epochs(conversation, 3, 8)
    assert frame["checkpoints"]["epochs"] == list(range(9))
    assert 0 < frame["checkpoints"]["bytes"] <= frame["checkpoints"]["max_bytes"]

    conversation.send({"type": "rewind", "epoch": 3})
    assert conversation.until_type("session")["status"] == "paused"
    history = conversation.until_type("history")
    assert max(history["arrays"]["step"]) == at_three["step"]  # the curve ends at the rewound step
    rewound = conversation.frame(lambda f: f["epoch"] == 3)
    assert (rewound["step"], rewound["train"]["cost"]) == (at_three["step"], at_three["train"]["cost"])
    assert rewound["checkpoints"]["epochs"][-1] == 8  # the later checkpoints stay until training goes on
    document = export(client, conversation)
    assert {key: document[key] for key in STATE} == {key: document_three[key] for key in STATE}

    branch = epochs(conversation, 2, 5)
    again = export(client, conversation)
    assert {key: again[key] for key in STATE} == {key: document_five[key] for key in STATE}
    assert branch["checkpoints"]["epochs"] == list(range(6))  # a new branch from epoch 3


def test_rewinding_while_running_pauses_and_a_future_epoch_is_refused(conversation: Conversation) -> None:
    epochs(conversation, 2, 2)
    conversation.send({"type": "rewind", "epoch": 9, "id": 1})
    error = conversation.error()
    assert (error["field"], error["id"]) == ("epoch", 1) and "from 0 to 2" in error["message"]
    conversation.send({"type": "play"})
    conversation.until(lambda m: m["type"] == "session" and m["status"] == "running")
    conversation.send({"type": "rewind", "epoch": 0})
    assert conversation.until_type("session")["status"] == "idle"  # epoch 0 is the untrained run
    assert conversation.frame(lambda f: f["step"] == 0)["epoch"] == 0


def test_training_on_from_a_rewound_epoch_says_the_later_epochs_are_discarded(conversation: Conversation) -> None:
    epochs(conversation, 4, 4)
    conversation.send({"type": "rewind", "epoch": 2})
    assert conversation.until_type("session")["status"] == "paused"
    conversation.send({"type": "step", "unit": "epoch", "count": 1})
    told = conversation.until(lambda m: m["type"] == "notice" or (m["type"] == "frame" and m["epoch"] == 3))
    assert told["type"] == "notice", "training discarded epochs 3 and 4 without a word"
    assert (told["topic"], told["epoch"], told["latest_epoch"]) == ("run_discarded", 2, 4)
    assert "epoch 2" in told["message"] and "4" in told["message"]
    assert (told["key"], told["args"]) == ("rewind.discarded", {"epoch": 2, "latest": 4})
    assert told["message"] == translate("en", told["key"], **told["args"])
    conversation.frame(lambda f: f["epoch"] == 3)
    conversation.send({"type": "slow_step"})  # nothing more is discarded: no second notice
    assert conversation.until(lambda m: m["type"] in ("notice", "slow_step"))["type"] == "slow_step"
