"""A run outlives its socket: resume, expiry, takeover, the grace, and which detached session goes first."""

from __future__ import annotations

import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened, wait_for


def health(client: TestClient) -> dict[str, int]:
    return dict(client.get("/healthz").json())


def train_then_leave(client: TestClient, epochs: int = 3) -> tuple[str, dict[str, object]]:
    """Train a new session by hand for some epochs, then close its socket; returns its id and last frame."""
    with opened(client) as talk:
        talk.send({"type": "set_speed", "unit": "epoch", "count": 1})
        for _ in range(epochs):
            talk.send({"type": "step", "unit": "epoch", "count": 1})
        frame = talk.frame(lambda f: f["epoch"] == epochs)
        return talk.hello["session_id"], frame  # type: ignore[attr-defined]


@pytest.mark.parametrize("workers", [0, 1], ids=["in-process", "worker-process"])
def test_a_resumed_run_has_its_weights_counters_and_history(workers: int) -> None:
    with TestClient(create_app(Settings(workers=workers))) as client:
        session_id, before = train_then_leave(client)
        wait_for(lambda: health(client), lambda h: h["detached"] == 1)
        with opened(client, f"/ws?session={session_id}") as talk:
            assert (talk.hello["resume"], talk.hello["session_id"]) == ("resumed", session_id)  # type: ignore[attr-defined]
            assert talk.until_type("session")["status"] == "paused"
            history = talk.until_type("history")
            after = talk.frame()
            assert (after["step"], after["epoch"]) == (before["step"], before["epoch"])
            assert np.array_equal(after["arrays"]["weights"], before["arrays"]["weights"])  # type: ignore[index]
            assert history["length"] >= 1 and history["arrays"]["epoch"][-1] == 3
            assert history["arrays"]["train_cost"][-1] == pytest.approx(before["train"]["cost"], rel=1e-6)  # type: ignore[index]
            talk.send({"type": "step", "unit": "epoch", "count": 1})
            assert talk.frame(lambda f: f["epoch"] == 4)["status"] == "paused"
        assert health(client)["sessions"] == 1


def test_an_expired_id_gets_a_new_run_and_says_so() -> None:
    with TestClient(create_app(Settings(detached_ttl_s=0.2))) as client:
        session_id, _ = train_then_leave(client, epochs=1)
        wait_for(lambda: health(client), lambda h: h["sessions"] == 0)
        with opened(client, f"/ws?session={session_id}") as talk:
            assert talk.hello["resume"] == "expired"  # type: ignore[attr-defined]
            assert talk.hello["session_id"] != session_id  # type: ignore[attr-defined]
            assert talk.frame()["step"] == 0
        with opened(client, "/ws?session=not-a-real-id") as talk:
            assert talk.hello["resume"] == "expired"  # type: ignore[attr-defined]


def test_a_second_socket_takes_the_run_over_and_the_first_is_told() -> None:
    with TestClient(create_app(Settings())) as client:
        with opened(client) as first:
            first.frame()
            session_id = first.hello["session_id"]  # type: ignore[attr-defined]
            with opened(client, f"/ws?session={session_id}") as second:
                assert second.hello["resume"] == "resumed"  # type: ignore[attr-defined]
                error = first.error()
                assert error["field"] == "session" and "another tab" in error["message"]
                assert first.until_type("close")["code"] == 4001
                second.send({"type": "step"})
                assert second.frame(lambda f: f["step"] == 1)["status"] == "paused"
                assert health(client) == {**health(client), "sessions": 1, "detached": 0}


def test_a_full_server_frees_the_oldest_detached_session_never_a_live_one() -> None:
    with TestClient(create_app(Settings(max_sessions=2))) as client:
        oldest, _ = train_then_leave(client, epochs=1)
        newer, _ = train_then_leave(client, epochs=2)
        with opened(client) as talk:  # the server is full of detached sessions: the oldest makes room
            assert talk.hello["resume"] == "new"  # type: ignore[attr-defined]
            registry = client.app.state.registry  # type: ignore[attr-defined]
            assert oldest not in registry.entries and newer in registry.entries
            with opened(client, f"/ws?session={newer}") as again:
                assert again.hello["resume"] == "resumed"  # type: ignore[attr-defined]
                with client.websocket_connect("/ws") as refused:  # both sessions have sockets now
                    error = Conversation(refused).error()
                    assert error["field"] == "sessions" and "full" in error["message"]


def test_a_detached_run_trains_through_the_grace_then_pauses() -> None:
    with TestClient(create_app(Settings(detached_grace_s=0.3))) as client:
        with opened(client) as talk:
            session_id = talk.hello["session_id"]  # type: ignore[attr-defined]
            talk.send({"type": "play"})
            running_at = talk.frame(lambda f: f["status"] == "running" and f["epoch"] >= 1)["epoch"]
        runner = client.app.state.registry.get(session_id)  # type: ignore[attr-defined]
        wait_for(lambda: runner.session.status.value, lambda status: status == "paused")
        assert runner.session.epochs > running_at  # it went on training while nobody watched
        with opened(client, f"/ws?session={session_id}") as talk:
            assert talk.hello["paused_while_away"] is True  # type: ignore[attr-defined]
            assert talk.until_type("session")["status"] == "paused"


def test_a_blip_shorter_than_the_grace_keeps_the_run_running() -> None:
    with TestClient(create_app(Settings())) as client:
        with opened(client) as talk:
            session_id = talk.hello["session_id"]  # type: ignore[attr-defined]
            talk.send({"type": "play"})
            talk.frame(lambda f: f["status"] == "running")
        with opened(client, f"/ws?session={session_id}") as talk:
            assert talk.hello["paused_while_away"] is False  # type: ignore[attr-defined]
            assert talk.until_type("session")["status"] == "running"
            first = talk.frame()["epoch"]
            assert talk.frame(lambda f: f["epoch"] > first)["status"] == "running"


def test_a_detached_session_makes_frames_only_for_its_history(client: TestClient) -> None:
    def frames_in(seconds: float, runner: object) -> int:  # a measuring window; only the ratio is asserted
        first = runner.seq  # type: ignore[attr-defined]
        time.sleep(seconds)
        return int(runner.seq) - first  # type: ignore[attr-defined]

    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        runner = client.app.state.registry.get(talk.until_type("hello")["session_id"])  # type: ignore[attr-defined]
        talk.send({"type": "play"})
        talk.frame(lambda f: f["step"] > 0)
        watched = frames_in(1.0, runner)
    wait_for(lambda: client.get("/healthz").json()["detached"], lambda n: n == 1)
    steps = runner.session.steps
    unwatched = frames_in(1.0, runner)
    assert unwatched < 0.25 * watched, (watched, unwatched)  # 2 a second instead of up to 60
    assert int(runner.session.history.steps[-1]) > steps  # it still trains, and the cost curve still grows
