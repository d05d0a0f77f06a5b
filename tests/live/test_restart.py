"""A real server restarted mid-class: its runs and its class come back, with SQLite and with Redis.

Each test starts ``python -m app serve`` (one worker process, so the run lives in a worker) in a
process group of its own, presents a training run to a class, stops the whole group with SIGTERM
or SIGKILL, starts it again on the same port and store, and reloads the presenter's and the
followers' pages. SIGTERM keeps everything (the shutdown saves last); SIGKILL keeps the latest
periodic save, so at most a few save intervals of epochs are lost.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.live.conftest import decode_binary, strict_json
from tests.live.test_class_view import Mosaic
from tests.servers import RedisServer, RestartableServer, get_json

WAIT_S = 30.0  # a failure bound for any one wait on a loaded machine, not a timing claim
SAVE_INTERVAL_S = 1.0  # how often the server under test stores a changed run
LOST_INTERVALS = 3  # kill -9 may lose what was trained since the last save: a few intervals at most, with slack


class Tab:
    """One page's socket: messages decoded, JSON or binary; closed when the test ends (``tabs``)."""

    def __init__(self, url: str, tabs: ExitStack) -> None:
        self.socket: ClientConnection = tabs.enter_context(connect(url, open_timeout=WAIT_S, max_size=None))
        self.hello = self.until(lambda m: m["type"] in ("hello", "error"))

    def send(self, command: dict[str, Any]) -> None:
        self.socket.send(json.dumps(command))

    def until(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            message = self.socket.recv(timeout=WAIT_S)
            decoded = strict_json(message) if isinstance(message, str) else decode_binary(message)
            if predicate(decoded):
                return dict(decoded)
        raise AssertionError(f"no matching message in {WAIT_S:g} s")

    def frame(self, predicate: Callable[[dict[str, Any]], bool] = lambda m: True) -> dict[str, Any]:
        return self.until(lambda m: m["type"] == "frame" and predicate(m))

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def tabs() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(params=["sqlite", "redis"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RestartableServer]:
    if request.param == "sqlite":
        env = {"NEUROPLAY_DATA_DIR": str(tmp_path / "data")}
    else:
        redis: RedisServer = request.getfixturevalue("redis_server")
        env = {"NEUROPLAY_REDIS_URL": redis.url, "NEUROPLAY_REPLICA_NAME": f"restart-{tmp_path.name}"}
    running = RestartableServer(env, tmp_path / "server.log", save_interval_s=SAVE_INTERVAL_S)
    running.start()
    yield running
    if running.process is not None:
        running.stop(signal.SIGKILL)


def export(server: RestartableServer, session_id: str) -> dict[str, Any]:
    return get_json(f"{server.http}/api/sessions/{session_id}/export")


def present_a_running_class(server: RestartableServer, tabs: ExitStack) -> tuple[Tab, str, str]:
    """A presenter training and presenting: (its tab, the class code, the secret); one follower sees it."""
    presenter = Tab(server.ws, tabs)
    presenter.send({"type": "play"})
    presenter.frame(lambda m: m["epoch"] >= 5)
    presenter.send({"type": "present"})
    presenting = presenter.until(lambda m: m["type"] == "presenting")
    follower = Tab(f"{server.ws}?room={presenting['code']}", tabs)
    follower.frame()
    follower.close()
    return presenter, presenting["code"], presenting["secret"]


def test_after_sigterm_the_run_and_the_class_come_back_exactly(server: RestartableServer, tabs: ExitStack) -> None:
    presenter, code, secret = present_a_running_class(server, tabs)
    session_id = presenter.hello["session_id"]
    presenter.send({"type": "pause"})
    presenter.until(lambda m: m["type"] == "session" and m["status"] == "paused")
    presenter.frame()  # the paused run's frame, which records its last history point
    before = export(server, session_id)
    assert before["counters"]["epoch"] >= 5
    presenter.close()

    assert server.stop(signal.SIGTERM) == 0
    server.start()

    follower = Tab(f"{server.ws}?room={code}", tabs)  # the class code works before the presenter is back
    assert follower.hello["type"] == "hello" and follower.hello["room"]["presenter"] == "reconnecting"
    back = Tab(f"{server.ws}?session={session_id}", tabs)
    assert back.hello["resume"] == "resumed" and back.hello["session_id"] == session_id
    assert back.hello["room"]["code"] == code
    assert back.until(lambda m: m["type"] == "presenting")["code"] == code
    history = back.until(lambda m: m["type"] == "history")
    assert history["arrays"]["step"].tolist() == before["history"]["step"]  # the cost chart comes back
    assert export(server, session_id) == before  # weights, optimiser, counters, epoch order, generator, history

    back.send({"type": "play"})
    follower.frame(lambda m: m["epoch"] > before["counters"]["epoch"])  # the class sees the run go on
    other = Tab(server.ws, tabs)  # the secret still opens the class, as a presenter's new run would
    other.send({"type": "present", "code": code, "secret": secret})
    assert other.until(lambda m: m["type"] in ("presenting", "error")) == {"type": "presenting", "code": code,
                                                                            "secret": None}


def test_after_kill_9_the_last_periodic_save_comes_back(server: RestartableServer, tabs: ExitStack) -> None:
    presenter, code, _ = present_a_running_class(server, tabs)
    session_id = presenter.hello["session_id"]
    first = presenter.frame()
    started, first_epoch = time.monotonic(), first["epoch"]
    last = presenter.frame(lambda m: time.monotonic() - started >= 3 * SAVE_INTERVAL_S)  # a few saves happen
    rate = (last["epoch"] - first_epoch) / (time.monotonic() - started)  # epochs per second, as trained here
    assert rate > 0
    server.stop(signal.SIGKILL)
    killed_at = last["epoch"]

    server.start()
    back = Tab(f"{server.ws}?session={session_id}", tabs)
    assert back.hello["resume"] == "resumed" and back.hello["paused_while_away"] is True
    restored = back.frame()["epoch"]
    allowed = rate * LOST_INTERVALS * SAVE_INTERVAL_S + 10  # epochs of a few save intervals, with slack
    sys.stdout.write(f"\nkill -9 at epoch {killed_at}, back at {restored}: {killed_at - restored} epochs lost "
                     f"({(killed_at - restored) / rate:.1f} s at {rate:.0f} epochs/s)\n")  # shown with pytest -s
    assert first_epoch <= restored and killed_at - restored <= allowed, (killed_at, restored, allowed)
    kept = export(server, session_id)
    assert kept["counters"]["epoch"] == restored and kept["history"]["epoch"][-1] <= restored
    assert len(kept["history"]["step"]) > 1  # the cost chart comes back, not only the weights
    follower = Tab(f"{server.ws}?room={code}", tabs)
    assert follower.hello["room"]["code"] == code
    back.send({"type": "play"})
    follower.frame(lambda m: m["epoch"] > restored)


def test_after_sigterm_the_open_lesson_comes_back_at_its_step(server: RestartableServer, tabs: ExitStack) -> None:
    page = Tab(server.ws, tabs)
    session_id = page.hello["session_id"]
    page.send({"type": "start_lesson", "lesson": "neuron", "step": 1})
    page.send({"type": "show_hint"})
    before = page.until(lambda m: m["type"] == "lesson" and m["lesson"]["step"] == 1 and m["lesson"]["hints"])
    page.close()

    assert server.stop(signal.SIGTERM) == 0
    server.start()

    back = Tab(f"{server.ws}?session={session_id}", tabs)
    assert back.hello["resume"] == "resumed"
    assert back.until(lambda m: m["type"] == "lesson") == before  # the step, its hint and its goal, in the worker


def test_after_sigterm_a_forks_student_comes_back_with_its_id_and_alias(server: RestartableServer,
                                                                        tabs: ExitStack) -> None:
    presenter, code, _ = present_a_running_class(server, tabs)  # its follower was the class's first student
    follower = Tab(f"{server.ws}?room={code}", tabs)
    student = follower.until(lambda m: m["type"] == "class_state")
    follower.send({"type": "fork"})
    fork_id = follower.until(lambda m: m["type"] == "forked")["session_id"]
    follower.close()
    copy = Tab(f"{server.ws}?session={fork_id}", tabs)
    assert copy.until(lambda m: m["type"] == "class_state")["alias"] == student["alias"]
    copy.send({"type": "set_name", "name": "Ana"})
    epochs = copy.frame()["epoch"] + 3  # the copy starts where the class run was
    copy.send({"type": "step", "unit": "epoch", "count": 3})
    copy.frame(lambda m: m["epoch"] == epochs)
    copy.close()
    presenter.close()

    assert server.stop(signal.SIGTERM) == 0
    server.start()

    newcomer = Tab(f"{server.ws}?room={code}", tabs)  # before the fork is back: a new number, not a kept one's
    assert newcomer.until(lambda m: m["type"] == "class_state")["student"] == "s3"
    teacher = Tab(f"{server.ws}?session={presenter.hello['session_id']}", tabs)
    teacher.send({"type": "watch_class", "on": True})
    back = Tab(f"{server.ws}?session={fork_id}", tabs)
    assert back.hello["resume"] == "resumed"
    state = back.until(lambda m: m["type"] == "class_state")
    assert (state["student"], state["alias"], state["name"]) == (student["student"], student["alias"], "Ana")
    mosaic = Mosaic()
    teacher.until(lambda m: m["type"] == "class" and mosaic.merge(m).tiles.get(student["student"], {}).get("epoch")
                  == epochs)
    tile = mosaic.tiles[student["student"]]
    assert (tile["alias"], tile["name"], tile["mode"]) == (student["alias"], "Ana", "forked")
    assert mosaic.last["aggregate"]["students"] == 2  # the newcomer and the revived fork, not a third tile
    back.close()

    home = Tab(f"{server.ws}?room={code}&fork={fork_id}", tabs)  # "Back to class" keeps the student
    assert home.until(lambda m: m["type"] == "class_state")["alias"] == student["alias"]
    teacher.until(lambda m: m["type"] == "class" and mosaic.merge(m).tiles[student["student"]]["mode"] == "following")
