"""Classrooms over the real app: present, follow, read-only followers, codes, fork, end, the presenter away."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import numpy as np
import pytest
import segno
from fastapi.testclient import TestClient

from app.i18n import translate
from app.live.classroom.broker import LocalBroker
from app.live.protocol import COMMAND_TYPES, FOLLOWER_COMMANDS, JOIN_CODE_ALPHABET
from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened, wait_for

FOLLOWER_SETTINGS = {"follower_grid_size": 32, "follower_thumb_budget_bytes": 1024}


class Recording(Conversation):
    """A conversation that keeps every raw message, to search them for what must never be sent."""

    def __init__(self, websocket: Any) -> None:
        super().__init__(websocket)
        self.raw: list[str | bytes] = []

    def receive(self) -> dict[str, Any]:
        message = self.websocket.receive()
        raw = message.get("text") if message.get("text") is not None else message.get("bytes")
        if raw is not None:
            self.raw.append(raw)
        if message["type"] == "websocket.close":
            return {"type": "close", "code": message.get("code")}
        return super().decode(message)


def talking(client: TestClient, path: str = "/ws") -> AbstractContextManager[Recording]:
    """A recording socket past its hello."""
    return opened(client, path, Recording)


def present(talk: Conversation) -> tuple[str, str]:
    """Press Present; returns the join code and the presenter secret."""
    talk.send({"type": "present"})
    presenting = talk.until_type("presenting")
    room = talk.until_type("room")
    assert room["code"] == presenting["code"] and room["is_open"] is True
    return presenting["code"], presenting["secret"]


@pytest.fixture(params=["local", "redis"])
def broker_kind(request: pytest.FixtureRequest) -> str:
    """Every classroom test runs with the in-process broker and with the Redis one, so they cannot drift."""
    return str(request.param)


@contextmanager
def class_app(request: pytest.FixtureRequest, broker_kind: str, settings: dict[str, Any]) -> Iterator[TestClient]:
    """The app with these settings: in-process runs, or (a fixture param of 1) one worker process; the local
    broker, or a real redis-server (``broker_kind``), waited for until connected."""
    workers = getattr(request, "param", 0)
    redis_url = request.getfixturevalue("redis_server").url if broker_kind == "redis" else ""
    with TestClient(create_app(Settings(workers=workers, redis_url=redis_url, **settings))) as client:
        if broker_kind == "redis":
            wait_for(lambda: client.get("/healthz").json()["broker"], lambda state: state == "connected")
        yield client


@pytest.fixture
def classroom(request: pytest.FixtureRequest, broker_kind: str) -> Iterator[TestClient]:
    with class_app(request, broker_kind, FOLLOWER_SETTINGS) as client:
        yield client


@pytest.mark.parametrize("classroom", [0, 1], ids=["in-process", "worker-process"], indirect=True)
def test_a_follower_sees_the_presenters_run_live(classroom: TestClient, request: pytest.FixtureRequest) -> None:
    workers = request.node.callspec.params["classroom"]
    with talking(classroom) as presenter:
        presenter.frame()
        code, secret = present(presenter)
        assert re.fullmatch(f"[{JOIN_CODE_ALPHABET}]{{6}}", code) and len(secret) >= 24
        with talking(classroom, f"/ws?room={code.lower()}") as follower:
            hello = follower.hello  # type: ignore[attr-defined]
            assert (hello["role"], hello["session_id"], hello["room"]["code"]) == ("follower", None, code)
            runner = classroom.app.state.registry.get(presenter.hello["session_id"])  # type: ignore[attr-defined]
            assert follower.until_type("session")["config"] == (runner.session.config.to_dict() if workers == 0
                                                                  else follower.hello["defaults"])  # type: ignore[attr-defined]
            assert follower.until_type("dataset")["n_train"] == 250
            assert follower.until_type("history")["length"] == 0
            first = follower.frame()
            assert first["grid_size"] == 32 and first["arrays"]["output"].size == 32 * 32
            assert presenter.until(lambda m: m["type"] == "room" and m["followers"] == 1)["presenter"] == "connected"
            presenter.send({"type": "play"})
            trained = follower.frame(lambda f: f["epoch"] >= 3)
            assert trained["status"] == "running" and trained["train"]["cost"] < first["train"]["cost"]
            presenter.send({"type": "highlight", "layer": 1, "index": 2})
            assert follower.until(lambda m: m["type"] == "session" and m["highlight"] == [1, 2])
        assert presenter.until(lambda m: m["type"] == "room" and m["followers"] == 0)


def test_the_follower_greeting_is_the_room_as_it_is_now(classroom: TestClient) -> None:
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        for _ in range(3):
            presenter.send({"type": "step", "unit": "epoch", "count": 1})
        step = presenter.frame(lambda f: f["epoch"] == 3)["step"]
        presenter.send({"type": "configure", "changes": {"learning_rate": 0.1}})
        presenter.until(lambda m: m["type"] == "session" and m["changed"] == ["learning_rate"])
        with talking(classroom, f"/ws?room={code}") as late:
            session = late.until_type("session")
            assert session["config"]["learning_rate"] == 0.1 and session["status"] == "paused"
            assert late.frame(lambda f: f["step"] == step)["epoch"] == 3  # the newest, once it is due


def test_a_follower_cannot_change_the_run_whatever_it_sends(classroom: TestClient) -> None:
    commands = {"configure": {"changes": {"learning_rate": 1}}, "step": {"unit": "batch", "count": 1},
                "set_speed": {"unit": "batch", "count": 5}, "select_neuron": {"layer": 1, "index": 0},
                "select_sample": {"part": "train", "index": 0}, "highlight": {"layer": 1, "index": 0},
                "edit_weight": {"layer": 0, "target": 0, "value": 1.0},
                "set_data": {"problem": "binary", "rows": [[0, 0, 0], [1, 1, 1], [2, 2, 0], [3, 3, 1]]},
                "rewind": {"epoch": 0}, "unpin": {"pin": 1}, "start_lesson": {"lesson": "neuron"},
                "go_to_step": {"step": 0}, "answer": {"choice": 0}, "set_pace": {"pace": None},
                "watch_class": {"on": True}, "spotlight": {"student": None}, "compare": {"students": ["s1", "s2"]},
                "pace": {"action": "lock"}}
    with talking(classroom) as presenter:
        presenter.frame()
        code, _ = present(presenter)
        with talking(classroom, f"/ws?room={code}") as follower:
            follower.frame()
            for kind in COMMAND_TYPES:
                if kind in FOLLOWER_COMMANDS:  # fork, its socket's language, and a student's own name and hand
                    continue
                follower.send({"type": kind, **commands.get(kind, {}), "id": kind})
                error = follower.error()
                assert (error["field"], error["id"]) == ("role", kind), kind
            runner = classroom.app.state.registry.get(presenter.hello["session_id"])  # type: ignore[attr-defined]
            assert (runner.session.steps, runner.session.config.learning_rate) == (0, 0.03)
            assert runner.selected_neuron is None and runner.highlight is None


def refused(client: TestClient, path: str) -> tuple[dict[str, Any], int]:
    """The error a socket gets before the server closes it, and the close code."""
    with client.websocket_connect(path) as websocket:
        talk = Recording(websocket)
        return talk.error(), talk.until_type("close")["code"]


def test_a_wrong_code_is_refused_with_4404_and_then_rate_limited_with_4429() -> None:
    with TestClient(create_app(Settings(max_join_failures_per_minute=3))) as client:
        for attempt in ("ZZZZZZ", "22222", "not a code"):
            error, code = refused(client, f"/ws?room={attempt}")
            assert (error["field"], code) == ("room", 4404), attempt
        error, code = refused(client, "/ws?room=ABCDEF")
        assert (error["field"], code) == ("rate", 4429) and "a minute" in error["message"]


def test_the_presenter_secret_and_session_id_never_reach_a_follower(classroom: TestClient) -> None:
    with talking(classroom) as presenter:
        code, secret = present(presenter)
        session_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
        with talking(classroom, f"/ws?room={code}") as follower:
            presenter.send({"type": "play"})
            follower.frame(lambda f: f["epoch"] >= 2)
            presenter.send({"type": "select_sample", "part": "train", "index": 3})
            follower.frame(lambda f: f["trace"] is not None)
            follower.send({"type": "fork"})
            forked = follower.until_type("forked")
            presenter.send({"type": "end_class"})
            follower.until(lambda m: m["type"] == "room" and not m["is_open"])
        for raw in follower.raw:
            data = raw.encode() if isinstance(raw, str) else raw
            assert secret.encode() not in data and session_id.encode() not in data
        assert forked["session_id"] != session_id


@pytest.mark.parametrize("classroom", [0, 1], ids=["in-process", "worker-process"], indirect=True)
def test_a_fork_starts_from_the_class_and_trains_on_its_own(classroom: TestClient) -> None:
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "configure", "changes": {"optimizer": "adam"}})
        for _ in range(4):
            presenter.send({"type": "step", "unit": "epoch", "count": 1})
        at_class = presenter.frame(lambda f: f["epoch"] == 4)
        with talking(classroom, f"/ws?room={code}") as follower:
            follower.send({"type": "fork"})
            fork_id = follower.until_type("forked")["session_id"]
        with talking(classroom, f"/ws?session={fork_id}") as fork:
            assert (fork.hello["role"], fork.hello["resume"]) == ("owner", "resumed")  # type: ignore[attr-defined]
            assert fork.until_type("session")["config"]["optimizer"] == "adam"
            assert fork.until_type("history")["arrays"]["epoch"][-1] == 4
            start = fork.frame()
            assert start["step"] == at_class["step"]
            assert np.array_equal(start["arrays"]["weights"], at_class["arrays"]["weights"])
            fork.send({"type": "step", "unit": "epoch", "count": 2})
            assert fork.frame(lambda f: f["epoch"] == 6)["status"] == "paused"
        class_run = classroom.get(f"/api/sessions/{presenter.hello['session_id']}/export").json()  # type: ignore[attr-defined]
        assert class_run["counters"]["epoch"] == 4  # the fork trained on its own


def test_end_class_tells_the_followers_and_a_fork_is_kept(classroom: TestClient) -> None:
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        with talking(classroom, f"/ws?room={code}") as follower:
            follower.send({"type": "fork"})
            fork_id = follower.until_type("forked")["session_id"]
            presenter.send({"type": "end_class"})
            ended = follower.until(lambda m: m["type"] == "room" and not m["is_open"])
            assert ended["code"] == code
            follower.send({"type": "fork"})
            assert follower.error()["field"] == "room"
        assert classroom.app.state.registry.get(fork_id) is not None  # type: ignore[attr-defined]
        with classroom.websocket_connect(f"/ws?room={code}") as late:
            assert json.loads(late.receive_text())["field"] == "room"
        presenter.send({"type": "end_class"})
        assert presenter.error()["field"] == "room"
        assert present(presenter)[0] != code  # a new class gets a new code


def test_followers_see_the_presenter_reconnect_and_the_class_go_on(classroom: TestClient) -> None:
    with talking(classroom) as presenter:
        code, secret = present(presenter)
        session_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
        presenter.send({"type": "play"})
        with talking(classroom, f"/ws?room={code}") as follower:
            follower.frame(lambda f: f["epoch"] >= 1)
            presenter.websocket.close()
            away = follower.until(lambda m: m["type"] == "room" and m["presenter"] == "reconnecting")
            assert away["is_open"] is True
            epoch = follower.frame()["epoch"]
            assert follower.frame(lambda f: f["epoch"] > epoch)["status"] == "running"  # the run went on
            with talking(classroom, f"/ws?session={session_id}") as back:
                assert back.hello["room"]["code"] == code  # type: ignore[attr-defined]
                assert back.until_type("presenting") == {"type": "presenting", "code": code, "secret": None}
                follower.until(lambda m: m["type"] == "room" and m["presenter"] == "connected")
                assert back.until(lambda m: m["type"] == "room")["followers"] == 1


def test_the_secret_moves_the_class_to_another_run_of_the_presenter(classroom: TestClient) -> None:
    with talking(classroom) as lost, talking(classroom) as fresh:
        code, secret = present(lost)
        with talking(classroom, f"/ws?room={code}") as follower:
            follower.frame()
            fresh.send({"type": "present", "code": code, "secret": "wrong"})
            assert fresh.error()["field"] == "secret"
            fresh.send({"type": "present", "code": "QQQQQQ", "secret": secret})
            assert fresh.error()["field"] == "secret"
            fresh.send({"type": "configure", "changes": {"dataset": "xor"}})
            fresh.send({"type": "present", "code": code, "secret": secret})
            assert fresh.until_type("presenting") == {"type": "presenting", "code": code, "secret": None}
            assert follower.until(lambda m: m["type"] == "session")["config"]["dataset"] == "xor"
            fresh.send({"type": "step"})
            assert follower.frame(lambda f: f["step"] == 1)["status"] == "paused"
        rooms = classroom.app.state.rooms  # type: ignore[attr-defined]
        assert rooms.room_of(lost.hello["session_id"]) is None  # type: ignore[attr-defined]
        lost.send({"type": "end_class"})
        assert lost.error()["field"] == "room"


def test_room_limits_are_enforced() -> None:
    with TestClient(create_app(Settings(max_rooms=1, max_followers_per_room=1))) as client:
        with talking(client) as first, talking(client) as second:
            code, _ = present(first)
            second.send({"type": "present"})
            assert second.error()["field"] == "rooms"
            with talking(client, f"/ws?room={code}"):
                with client.websocket_connect(f"/ws?room={code}") as extra:
                    talk = Recording(extra)
                    assert talk.error()["field"] == "followers"
                    assert talk.until_type("close")["code"] == 4404
            first.send({"type": "fork"})
            assert first.error()["field"] == "role"


def test_the_join_page_and_the_qr_code(classroom: TestClient) -> None:
    with talking(classroom) as presenter:
        code, _ = present(presenter)
        page = classroom.get(f"/join/{code.lower()}")
        assert page.status_code == 200 and f'data-room="{code}"' in page.text
        qr = classroom.get(f"/api/rooms/{code}/qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
        assert qr.text.lstrip().startswith("<svg") and "<path" in qr.text
        # The light margin is 4 modules on every side (ISO/IEC 18004's quiet zone), not segno's 2 by default.
        modules = segno.make(f"http://testserver/join/{code}", error="m").symbol_size(border=0)[0]
        match = re.search(r'width="(\d+)"', qr.text)
        assert match is not None
        width = int(match.group(1))
        assert width == (modules + 2 * 4) * 8
        presenter.send({"type": "present"})  # again: the same class, announced again, no new secret
        assert presenter.until_type("presenting") == {"type": "presenting", "code": code, "secret": None}
        room = presenter.until(lambda m: m["type"] == "room")
        assert room["join_url"] == f"http://testserver/join/{code}" and room["qr_path"] == f"/api/rooms/{code}/qr.svg"
    assert classroom.get("/join/l0l").status_code == 404
    missing = classroom.get("/api/rooms/QQQQQQ/qr.svg")
    assert missing.status_code == 404 and missing.json()["field"] == "room"


def test_the_join_link_uses_the_public_url_when_set() -> None:
    with TestClient(create_app(Settings(public_url="http://192.168.1.20:8000/"))) as client, talking(client) as talk:
        code, _ = present(talk)
        talk.send({"type": "present"})
        assert talk.until_type("room")["join_url"] == f"http://192.168.1.20:8000/join/{code}"


@pytest.fixture
def short_lived(broker_kind: str, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A classroom whose detached sessions are freed after 1 s (so their classes close) and kept 1 s more."""
    redis_url = request.getfixturevalue("redis_server").url if broker_kind == "redis" else ""
    settings = Settings(redis_url=redis_url, detached_ttl_s=1.0, detached_grace_s=0.0, **FOLLOWER_SETTINGS)
    with TestClient(create_app(settings)) as client:
        if broker_kind == "redis":
            wait_for(lambda: client.get("/healthz").json()["broker"], lambda state: state == "connected")
        yield client


def test_a_class_whose_run_expired_reopens_with_its_code_and_secret(short_lived: TestClient) -> None:
    registry = short_lived.app.state.registry  # type: ignore[attr-defined]
    with talking(short_lived) as presenter:
        code, secret = present(presenter)
        session_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
        with talking(short_lived, f"/ws?room={code}") as follower:
            presenter.websocket.close()
            follower.until(lambda m: m["type"] == "room" and not m["is_open"])  # the run expired: the class closed
    assert registry.get(session_id) is None
    with talking(short_lived) as fresh:
        fresh.send({"type": "present", "code": code, "secret": "wrong"})
        assert fresh.error()["field"] == "secret"
        fresh.send({"type": "present", "code": code, "secret": secret})
        assert fresh.until_type("presenting") == {"type": "presenting", "code": code, "secret": None}
        assert fresh.until(lambda m: m["type"] == "room")["is_open"] is True
        with talking(short_lived, f"/ws?room={code}") as follower:
            assert follower.hello["room"]["is_open"] is True  # type: ignore[attr-defined]
            follower.frame()


def test_a_closed_class_record_is_forgotten_after_the_ttl() -> None:
    async def scenario() -> None:
        broker = LocalBroker()
        assert await broker.claim("KEPTAA", {"is_open": True, "owner": "local"})
        await broker.update("KEPTAA", {"is_open": False})
        await broker.retire("KEPTAA", 0.2)
        assert (await broker.record("KEPTAA") or {}).get("is_open") is False  # kept: it may be reopened
        assert not await broker.claim("KEPTAA", {"is_open": True})  # nor is its code given to another class
        await asyncio.sleep(0.3)
        assert await broker.record("KEPTAA") is None and not broker.records
        assert await broker.claim("KEPTAA", {"is_open": True})

    asyncio.run(scenario())


def test_a_presenter_whose_class_was_moved_is_told(classroom: TestClient) -> None:
    with talking(classroom) as first, talking(classroom) as second:
        code, secret = present(first)
        second.send({"type": "present", "code": code, "secret": secret})
        second.until_type("presenting")
        moved = first.until(lambda m: m["type"] == "notice")
        assert (moved["topic"], moved["code"]) == ("class_moved", code) and code in moved["message"]
        assert (moved["key"], moved["args"]) == ("class.notice.class_moved", {"code": code})
        assert translate("de", moved["key"], **moved["args"]).startswith(f"Klasse {code} zeigt")
        second.send({"type": "end_class"})
        assert second.until(lambda m: m["type"] == "room" and not m["is_open"])["code"] == code
