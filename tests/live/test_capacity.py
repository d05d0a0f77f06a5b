"""No one client can end a class or hold every room, slot or core: eviction order, per-address caps, the grace."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened, wait_for
from tests.live.test_resume import health, train_then_leave
from tests.live.test_rooms import present

FORK_SPAM = 20  # forks one follower sends in a row
IDLE_S = 0.05  # idle_session_s in the test of unused pages


def refusal(client: TestClient, path: str = "/ws") -> tuple[dict[str, object], object]:
    """The error and close code a refused socket gets."""
    with client.websocket_connect(path) as websocket:
        talk = Conversation(websocket)
        return talk.error(), talk.until_type("close")["code"]


def test_a_follower_spamming_fork_cannot_end_the_class_or_free_other_runs() -> None:
    with TestClient(create_app(Settings(max_sessions=4))) as client:
        registry = client.app.state.registry  # type: ignore[attr-defined]
        learner, _ = train_then_leave(client, epochs=1)
        with opened(client) as presenter:
            code, _ = present(presenter)
            presenter_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
            with opened(client, f"/ws?room={code}") as follower:
                follower.frame()
                presenter.websocket.close()  # the presenter reloads: its run is detached for a moment
                follower.until(lambda m: m["type"] == "room" and m["presenter"] == "reconnecting")
                answers = []
                for _ in range(FORK_SPAM):
                    follower.send({"type": "fork"})
                    answers.append(follower.until(lambda m: m["type"] in ("forked", "error")))
                assert [answer["type"] for answer in answers] == ["forked"] * FORK_SPAM
                forks = {answer["session_id"] for answer in answers}
                assert len(forks) == FORK_SPAM and sum(fork in registry.entries for fork in forks) == 1
                assert learner in registry.entries and presenter_id in registry.entries
                with opened(client, f"/ws?session={presenter_id}") as back:
                    assert back.hello["room"]["is_open"] is True  # type: ignore[attr-defined]
                    follower.until(lambda m: m["type"] == "room" and m["presenter"] == "connected")


def test_a_second_fork_is_refused_while_the_first_is_open_in_a_page() -> None:
    with TestClient(create_app(Settings())) as client, opened(client) as presenter:
        code, _ = present(presenter)
        with opened(client, f"/ws?room={code}") as follower:
            follower.send({"type": "fork"})
            fork_id = follower.until_type("forked")["session_id"]
            with opened(client, f"/ws?session={fork_id}"):
                follower.send({"type": "fork"})
                error = follower.until(lambda m: m["type"] in ("forked", "error"))
                assert (error["type"], error["field"], error["command"]) == ("error", "fork", "fork")
                assert (error["field"], error["command"]) == ("fork", "fork") and "one copy" in error["message"]
            wait_for(lambda: health(client), lambda h: h["detached"] == 1)
            follower.send({"type": "fork"})  # its page closed: the copy is replaced
            assert follower.until_type("forked")["session_id"] != fork_id


def test_a_full_server_never_frees_a_presented_run() -> None:
    with TestClient(create_app(Settings(max_sessions=2))) as client:
        with opened(client) as presenter:
            present(presenter)
            presenter_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
        learner, _ = train_then_leave(client, epochs=1)  # newer than the presenter's detached run
        with opened(client) as newcomer:
            assert newcomer.hello["resume"] == "new"  # type: ignore[attr-defined]
            registry = client.app.state.registry  # type: ignore[attr-defined]
            assert presenter_id in registry.entries and learner not in registry.entries
            error, close_code = refusal(client)  # a presented run and a live one: nothing to free
            assert error["field"] == "sessions" and close_code == 1013


def test_one_address_holds_at_most_its_share_of_sessions_forks_and_rooms() -> None:
    settings = Settings(max_sessions_per_client=4, max_forks_per_client=1, max_rooms_per_client=1)
    with TestClient(create_app(settings)) as client, opened(client) as presenter, opened(client) as other:
        code, _ = present(presenter)
        other.send({"type": "present"})
        error = other.error()
        assert error["field"] == "rooms" and "1 classes" in error["message"]
        with opened(client, f"/ws?room={code}") as first, opened(client, f"/ws?room={code}") as second:
            first.send({"type": "fork"})
            first.until_type("forked")
            second.send({"type": "fork"})
            error = second.error()
            assert error["field"] == "sessions" and "1 copies" in error["message"]
        with opened(client) as fourth:
            assert fourth.hello["resume"] == "new"  # type: ignore[attr-defined]
            error, close_code = refusal(client)  # three sockets and a fork: the address's four sessions
            assert error["field"] == "sessions" and "4 runs" in error["message"] and close_code == 1013


@pytest.mark.parametrize("limit", [{"max_rooms": 1}, {"max_rooms_per_client": 1}], ids=["server", "address"])
def test_a_class_whose_presenter_is_gone_makes_way_for_a_new_teacher(limit: dict[str, int]) -> None:
    """At the server's limit of classes, or at one address's share, a class whose presenter is gone ends."""
    with TestClient(create_app(Settings(**limit, room_reclaim_s=0.1))) as client:  # type: ignore[arg-type]
        with opened(client) as absent:
            code, _ = present(absent)
        with opened(client, f"/ws?room={code}") as follower, opened(client) as teacher:
            follower.until(lambda m: m["type"] == "room" and m["presenter"] == "reconnecting")

            def try_present() -> dict[str, object]:
                teacher.send({"type": "present"})
                return teacher.until(lambda m: m["type"] in ("presenting", "error"))

            assert wait_for(try_present, lambda answer: answer["type"] == "presenting")["code"] != code
            assert follower.until(lambda m: m["type"] == "room" and not m["is_open"])["code"] == code


def test_a_class_whose_presenter_is_reloading_is_not_taken() -> None:
    with TestClient(create_app(Settings(max_rooms=1))) as client:
        with opened(client) as presenter:
            code, _ = present(presenter)
            session_id = presenter.hello["session_id"]  # type: ignore[attr-defined]
        wait_for(lambda: health(client), lambda h: h["detached"] == 1)
        with opened(client) as teacher:
            teacher.send({"type": "present"})
            assert teacher.error()["field"] == "rooms"
        with opened(client, f"/ws?session={session_id}") as back:
            assert back.hello["room"]["code"] == code and back.hello["room"]["is_open"]  # type: ignore[attr-defined]


def test_pages_left_unused_are_freed_for_a_newcomer_and_told_so() -> None:
    with TestClient(create_app(Settings(max_sessions=2, idle_session_s=IDLE_S))) as client:
        with opened(client) as used, opened(client) as idle:
            used.send({"type": "step"})
            used.frame(lambda f: f["step"] == 1)
            time.sleep(IDLE_S * 4)  # the unused page is older than idle_session_s (only ever older: no race)
            with opened(client) as newcomer:
                assert newcomer.hello["resume"] == "new"  # type: ignore[attr-defined]
                error = idle.error()
                assert error["field"] == "session" and "unused" in error["message"]
                assert idle.until_type("close")["code"] == 4410
                newcomer.send({"type": "step"})
                newcomer.frame(lambda f: f["step"] == 1)
                error, close_code = refusal(client)  # two pages in use: neither is freed
                assert error["field"] == "sessions" and close_code == 1013
            used.send({"type": "step"})
            assert used.frame(lambda f: f["step"] == 2)["status"] == "paused"


DETACHED_RUNS = 4  # fast runs left without a socket beside one learner
DETACHED_SPEED = {"type": "set_speed", "unit": "epoch", "count": 10}


def test_runs_left_without_a_socket_stop_training_however_often_they_are_resumed() -> None:
    with TestClient(create_app(Settings())) as client:  # the default 30 s grace
        registry = client.app.state.registry  # type: ignore[attr-defined]
        detached = []
        for _ in range(DETACHED_RUNS):
            with opened(client) as talk:
                talk.send(DETACHED_SPEED)
                talk.send({"type": "play"})
                talk.frame(lambda f: f["status"] == "running")
                detached.append(talk.hello["session_id"])  # type: ignore[attr-defined]
        for _ in range(2):  # resumed again and again, each time for a moment
            for session_id in detached:
                with opened(client, f"/ws?session={session_id}") as talk:
                    talk.send({"type": "play"})
                    talk.until(lambda m: m["type"] == "session" and m["status"] == "running")
            wait_for(lambda: [registry.get(s).session.status.value for s in detached],
                     lambda statuses: set(statuses) == {"paused"})
        steps_before = [registry.get(session_id).session.steps for session_id in detached]
        with opened(client) as learner:
            learner.send({"type": "play"})
            learner.frame(lambda f: f["epoch"] >= 5)
        assert [registry.get(session_id).session.steps for session_id in detached] == steps_before


def test_an_address_at_its_share_gets_new_runs_by_freeing_its_own_closed_tabs() -> None:
    """A class behind one school address: tabs closed (detached) make way for new ones, oldest first."""
    settings = Settings(max_sessions_per_client=3)
    with TestClient(create_app(settings)) as client:
        closed = []
        for _ in range(3):
            with opened(client) as tab:
                closed.append(tab.hello["session_id"])  # type: ignore[attr-defined]
        wait_for(lambda: health(client), lambda h: h["detached"] == 3)
        with opened(client) as new:
            assert new.hello["resume"] == "new"  # type: ignore[attr-defined]
            registry = client.app.state.registry  # type: ignore[attr-defined]
            assert registry.get(closed[0]) is None  # the oldest closed tab went
            assert registry.get(closed[1]) is not None and registry.get(closed[2]) is not None
            with opened(client) as held, opened(client) as again:  # two more: the other closed tabs go
                assert held.hello["resume"] == again.hello["resume"] == "new"  # type: ignore[attr-defined]
                error, close_code = refusal(client)  # three open pages: nothing of its own can go
                assert error["field"] == "sessions" and close_code == 1013
