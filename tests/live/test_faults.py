"""A fault while the runner builds a frame: the run is paused and kept, the owner told once, the socket stays."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.training.diagnosis import Diagnosis
from tests.live.conftest import Conversation, opened, wait_for

FAULT_TEXT = "training stopped because of a fault on the server; the run is kept: you can export it or reset it"


class Fault:
    """The diagnosis raises while ``is_on`` (a bug in what builds a frame)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.is_on = False
        observe = Diagnosis.observe

        def faulty(diagnosis: Diagnosis, *args: Any, **kwargs: Any) -> Any:
            if self.is_on:
                raise RuntimeError("injected fault in the diagnosis")
            return observe(diagnosis, *args, **kwargs)

        monkeypatch.setattr(Diagnosis, "observe", faulty)


class Keeping(Conversation):
    """A conversation that keeps every message it decoded."""

    def __init__(self, websocket: Any) -> None:
        super().__init__(websocket)
        self.seen: list[dict[str, Any]] = []

    def receive(self) -> dict[str, Any]:
        message = super().receive()
        self.seen.append(message)
        return message


def faults_counted(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("neuroplay_frame_faults_total "):
            return float(line.split()[1])
    raise AssertionError("no neuroplay_frame_faults_total in /metrics")


def test_a_fault_in_a_frame_pauses_the_run_and_tells_the_owner_once(
        client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fault = Fault(monkeypatch)
    caplog.set_level(logging.ERROR, logger="neuroplay.runner")
    with opened(client, "/ws", Keeping) as talk:
        talk.frame()
        session_id = talk.hello["session_id"]  # type: ignore[attr-defined]
        fault.is_on = True
        talk.send({"type": "play"})
        error = talk.until_type("error")
        assert (error["field"], error["key"], error["message"]) == ("server", "error.frame_fault", FAULT_TEXT)
        talk.until(lambda m: m["type"] == "session" and m["status"] == "paused")
        assert faults_counted(client) >= 1
        talk.send({"type": "step", "unit": "epoch", "count": 1})  # the fault again: counted, not told again
        wait_for(lambda: faults_counted(client), lambda count: count >= 2)
        assert client.get(f"/api/sessions/{session_id}/export").status_code == 200  # the run is kept
        talk.send({"type": "reset"})
        talk.until(lambda m: m["type"] == "history")  # the reset run's curve starts again
        fault.is_on = False
        talk.send({"type": "step", "unit": "epoch", "count": 1})
        assert talk.frame(lambda f: f["epoch"] == 1)["status"] == "paused"  # the same socket, frames again
    assert [m for m in talk.seen if m["type"] in ("error", "close")] == [error]
    logged = [r for r in caplog.records if r.name == "neuroplay.runner" and r.exc_info is not None]
    assert len(logged) == 1 and "injected fault" in str(logged[0].exc_info[1])  # type: ignore[index]
    assert faults_counted(client) >= 3
