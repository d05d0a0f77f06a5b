"""A worker process that dies frees its runs: reloads get a working run, classes are told, /healthz counts it."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import anyio
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened, wait_for
from tests.live.test_rooms import present

CLOSE_WAIT_S = 15.0  # the longest wait for the close of a dead run's socket: a missing close fails, never hangs


def close_code(talk: Conversation) -> Any:
    """The code the server closes this socket with, skipping what comes before; fails after CLOSE_WAIT_S."""
    deadline = time.monotonic() + CLOSE_WAIT_S

    async def receive() -> Any:
        with anyio.fail_after(max(0.0, deadline - time.monotonic())):
            return await talk.websocket._send_rx.receive()

    while (message := Conversation.decode(talk.websocket.portal.call(receive)))["type"] != "close":
        pass
    return message["code"]


def test_a_killed_worker_frees_its_presented_run_and_tells_everyone() -> None:
    settings = Settings(workers=2, max_worker_restarts=0, allowed_hosts=("testserver",))  # not replaced
    with TestClient(create_app(settings)) as client, opened(client) as presenter:
        code, _ = present(presenter)
        session_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
        with opened(client, f"/ws?room={code}") as follower:
            follower.frame()
            worker = client.app.state.registry.get(session_id).worker  # type: ignore[attr-defined]
            os.kill(worker.process.pid, signal.SIGKILL)
            health = wait_for(lambda: client.get("/healthz"), lambda response: response.json()["workers"] == 1)
            assert health.status_code == 200
            assert health.json()["status"] == "degraded" and health.json()["workers_expected"] == 2
            ended = follower.until(lambda m: m["type"] == "room" and not m["is_open"])
            assert (ended["code"], ended["presenter"]) == (code, "lost")
            assert close_code(presenter) == 1012  # the page reconnects by itself
        with client.websocket_connect(f"/ws?room={code}") as late:  # nobody joins a dead run
            talk = Conversation(late)
            assert talk.error()["field"] == "room"
            assert talk.until_type("close")["code"] == 4404
        assert client.app.state.registry.get(session_id) is None  # type: ignore[attr-defined]
        with opened(client, f"/ws?session={session_id}") as reload:
            assert reload.hello["resume"] == "lost"  # type: ignore[attr-defined]
            assert reload.hello["session_id"] != session_id  # type: ignore[attr-defined]
            reload.send({"type": "step"})
            assert reload.frame(lambda f: f["step"] == 1)["status"] == "paused"
            reload.send({"type": "present"})
            assert reload.until_type("presenting")["code"] != code


def test_a_replaced_worker_leaves_health_ok_and_its_sessions_gone() -> None:
    settings = Settings(workers=1, allowed_hosts=("testserver",))
    with TestClient(create_app(settings)) as client:
        with opened(client) as owner:
            session_id = owner.hello["session_id"]  # type: ignore[attr-defined]
            pool = client.app.state.registry.pool  # type: ignore[attr-defined]
            dead = pool.workers[0]
            os.kill(dead.process.pid, signal.SIGKILL)
            assert close_code(owner) == 1012
        wait_for(lambda: pool.workers[0], lambda worker: worker is not dead and worker.is_running)
        health = client.get("/healthz").json()
        assert (health["status"], health["workers"], health["workers_expected"]) == ("ok", 1, 1)
        assert health["sessions"] == 0
        with opened(client, f"/ws?session={session_id}") as reload:
            assert reload.hello["resume"] == "lost"  # type: ignore[attr-defined]
