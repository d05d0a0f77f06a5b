"""Sessions in worker processes behave exactly like sessions in the web process."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.errors import InputError
from app.live.outbox import Outbox
from app.live.protocol import SERVER_FAULT
from app.live.server import create_app
from app.live.settings import Settings
from app.live.worker_process import _answer
from app.live.workers import NO_ANSWER, Worker, WorkerPool
from tests.live.conftest import Conversation, wait_for


@pytest.fixture(scope="module")
def pooled() -> Iterator[TestClient]:
    """One app with two worker processes, shared by this module's tests (spawning costs ~1 s).

    Sessions are kept for a second after their socket closes, so each test soon starts on an empty server.
    """
    with TestClient(create_app(Settings(workers=2, detached_ttl_s=1.0, allowed_hosts=("testserver",)))) as client:
        yield client


def test_a_worker_session_trains_and_streams(pooled: TestClient) -> None:
    with pooled.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        assert talk.until_type("hello")["protocol_version"] == 2
        assert talk.until_type("session")["status"] == "idle"
        assert talk.until_type("dataset")["n_train"] == 250
        talk.send({"type": "play"})
        assert talk.until_type("session")["status"] == "running"
        assert talk.frame(lambda f: f["epoch"] >= 3)["train"]["cost"] is not None
        talk.send({"type": "pause"})
        assert talk.until_type("session")["status"] == "paused"


def test_worker_errors_come_back_with_field_and_id(pooled: TestClient) -> None:
    with pooled.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.frame()
        talk.send({"type": "configure", "changes": {"learning_rate": 99}, "id": 4})
        error = talk.error()
        assert (error["field"], error["id"], error["command"]) == ("learning_rate", 4, "configure")
        talk.send({"type": "step"})
        assert talk.frame(lambda f: f["step"] == 1)["status"] == "paused"


def test_export_and_import_reach_the_worker_that_owns_the_session(pooled: TestClient) -> None:
    with pooled.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        session_id = talk.until_type("hello")["session_id"]
        talk.send({"type": "step", "unit": "epoch", "count": 2})
        trained = talk.frame(lambda f: f["epoch"] == 2)
        document = pooled.get(f"/api/sessions/{session_id}/export").json()
        assert document["counters"]["step"] == 50
        talk.send({"type": "reset"})
        talk.frame(lambda f: f["step"] == 0)
        summary = pooled.post(f"/api/sessions/{session_id}/import", content=json.dumps(document)).json()
        assert summary["step"] == 50
        restored = talk.frame(lambda f: f["step"] == 50)
        assert np.array_equal(restored["arrays"]["weights"], trained["arrays"]["weights"])
        bad = pooled.post(f"/api/sessions/{session_id}/import", content=json.dumps({**document, "version": 7}))
        assert bad.status_code == 422 and bad.json()["field"] == "version"


def test_sessions_spread_over_the_workers_and_are_freed(pooled: TestClient) -> None:
    sessions = lambda: pooled.get("/healthz").json()["sessions"]  # noqa: E731
    wait_for(sessions, lambda n: n == 0)  # the earlier tests' sessions have expired
    with pooled.websocket_connect("/ws") as first, pooled.websocket_connect("/ws") as second:
        first.receive_text()
        second.receive_text()
        assert sessions() == 2
        workers = pooled.app.state.registry.pool.workers  # type: ignore[attr-defined]
        assert sorted(len(w.runners) for w in workers) == [1, 1]
    assert wait_for(sessions, lambda n: n == 0) == 0


def test_a_worker_that_dies_is_reported_and_replaced() -> None:
    settings = Settings(workers=1, allowed_hosts=("testserver",))
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.frame()
        pool = client.app.state.registry.pool  # type: ignore[attr-defined]
        dead = pool.workers[0]
        os.kill(dead.process.pid, signal.SIGKILL)
        error = talk.error()
        assert error["field"] == "server" and "reload" in error["message"]
        assert talk.until_type("close")["code"] == 1012  # its run is freed: the page reconnects to a new one
        with client.websocket_connect("/ws") as fresh:
            again = Conversation(fresh)
            again.send({"type": "step"})
            assert again.frame(lambda f: f["step"] == 1)["status"] == "paused"
        assert pool.workers[0] is not dead and pool.workers[0].is_alive
        metrics = client.app.state.metrics  # type: ignore[attr-defined]
        assert metrics.registry.get_sample_value("neuroplay_worker_restarts_total") == 1


HUGE = "1" + "0" * 400  # a JSON integer no float can hold


def test_a_huge_integer_is_answered_by_the_worker_and_the_socket_stays(pooled: TestClient) -> None:
    with pooled.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.frame()
        for change in (f'{{"noise": {HUGE}}}', f'{{"hidden_layers": [{HUGE}]}}'):
            talk.send(f'{{"type": "configure", "changes": {change}, "id": 5}}')
            error = talk.error()
            assert (error["field"], error["id"]) in {("noise", 5), ("hidden_layers", 5)}
        talk.send({"type": "step"})
        assert talk.frame(lambda f: f["step"] == 1)["status"] == "paused"
    wait_for(lambda: pooled.get("/healthz").json()["sessions"], lambda n: n == 0)  # freed after the detached TTL


def test_an_import_with_a_huge_integer_is_answered_and_leaves_nothing_pending(pooled: TestClient) -> None:
    with pooled.websocket_connect("/ws") as websocket:
        session_id = Conversation(websocket).until_type("hello")["session_id"]
        document = pooled.get(f"/api/sessions/{session_id}/export").json()
        document["epoch"]["order"] = "ORDER"
        body = json.dumps(document).replace('"ORDER"', f"[{2**63}]")
        response = pooled.post(f"/api/sessions/{session_id}/import", content=body)
        assert (response.status_code, response.json()["field"]) == (422, "epoch.order")
        document["epoch"]["order"] = None
        body = json.dumps(document).replace('"step": 0', f'"step": {HUGE}')
        response = pooled.post(f"/api/sessions/{session_id}/import", content=body)
        assert (response.status_code, response.json()["field"]) == (422, "counters.step")
        workers = pooled.app.state.registry.pool.workers  # type: ignore[attr-defined]
        assert all(not worker.pending for worker in workers)


class Failing:
    """A runner whose every request raises something other than InputError."""

    async def execute(self, command: object) -> None:
        raise OverflowError("a bug")

    async def export(self) -> None:
        raise RecursionError("a bug")


class Pipe:
    def __init__(self) -> None:
        self.sent: list[tuple[object, ...]] = []

    def send(self, message: tuple[object, ...]) -> None:
        self.sent.append(message)


@pytest.mark.parametrize(("kind", "payload"), [("command", {"type": "play"}), ("export", None)])
def test_a_worker_answers_a_request_that_fails_unexpectedly(kind: str, payload: object,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    pipe = Pipe()
    asyncio.run(_answer(Failing(), pipe, kind, "session-1", 7, payload))  # type: ignore[arg-type]
    assert pipe.sent == [("reply", 7, ("server", SERVER_FAULT.message), None)]
    assert "request failed" in caplog.text and "a bug" in caplog.text  # logged with its traceback


def test_a_request_the_worker_never_answers_times_out_and_is_forgotten() -> None:
    async def ask() -> Worker:
        settings = Settings(workers=1, request_timeout_s=0.05)
        worker = Worker(settings, multiprocessing.get_context("spawn"), lambda _: None)
        worker.loop, worker.is_alive = asyncio.get_running_loop(), True
        worker.send = lambda message: None  # type: ignore[method-assign]  # a worker that never replies
        with pytest.raises(InputError) as refused:
            await worker.request("command", "session-1", {"type": "play"})
        assert (refused.value.field, refused.value.message) == (NO_ANSWER.field, NO_ANSWER.message)
        return worker

    worker = asyncio.run(ask())
    assert worker.pending == {}
    worker.connection.close()
    worker.child.close()


def test_a_resumed_worker_session_gets_its_history_to_date(pooled: TestClient) -> None:
    with pooled.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        session_id = talk.until_type("hello")["session_id"]
        for epoch in (1, 2, 3):
            talk.send({"type": "step", "unit": "epoch", "count": 1})
            talk.frame(lambda f, epoch=epoch: f["epoch"] == epoch)
    with pooled.websocket_connect(f"/ws?session={session_id}") as websocket:
        talk = Conversation(websocket)
        assert talk.until_type("hello")["resume"] == "resumed"
        # The answer to a later command comes after everything the resume sent.
        talk.send({"type": "set_speed", "unit": "epoch", "count": 2})
        histories = []
        while (message := talk.receive())["type"] != "session" or message["speed"]["count"] != 2:
            if message["type"] == "history":
                histories.append(list(message["arrays"]["epoch"]))
        # one point per frame after training: a busy machine may draw frames inside an epoch as well
        assert histories and sorted(set(histories[-1])) == [1, 2, 3] and histories[-1] == sorted(histories[-1])


def test_with_no_worker_left_health_says_so_and_sockets_are_refused_without_a_leak() -> None:
    settings = Settings(workers=1, max_worker_restarts=1, allowed_hosts=("testserver",))
    with TestClient(create_app(settings)) as client:
        registry = client.app.state.registry  # type: ignore[attr-defined]
        pool = registry.pool
        assert client.get("/healthz").json()["status"] == "ok"
        first = pool.workers[0]
        os.kill(first.process.pid, signal.SIGKILL)
        second = wait_for(lambda: pool.workers[0], lambda worker: worker is not first and worker.is_running)
        os.kill(second.process.pid, signal.SIGKILL)  # past the limit: not replaced
        health = wait_for(lambda: client.get("/healthz"), lambda response: response.status_code == 503)
        assert health.json()["status"] == "no training processes"
        before = dict(registry.entries)
        for _ in range(3):
            with client.websocket_connect("/ws") as websocket:
                talk = Conversation(websocket)
                assert talk.error()["field"] == "server"
                assert talk.receive() == {"type": "close", "code": 1013}
        assert registry.entries == before and all(not worker.runners for worker in pool.workers)


def killed_unnoticed(worker: Worker) -> None:
    """SIGKILL a worker and wait for its exit without running the event loop: its reader's news waits."""
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.join(10)
    assert worker.is_alive  # the flag the reader thread clears has not caught up


def test_a_new_session_never_lands_on_a_worker_that_just_died() -> None:
    async def scenario() -> tuple[Worker, list[Worker]]:
        pool = WorkerPool(Settings(workers=2))
        await pool.start()
        try:
            killed_unnoticed(pool.workers[0])
            return pool.workers[1], [pool.create_runner(f"session-{n}").worker for n in range(3)]  # type: ignore[attr-defined]
        finally:
            await pool.stop()

    living, chosen = asyncio.run(scenario())
    assert all(worker is living for worker in chosen)


@pytest.mark.parametrize("is_noticed", [False, True])
def test_a_subscriber_is_told_when_the_worker_died_before_greeting(is_noticed: bool) -> None:
    async def scenario() -> list[str | bytes]:
        pool = WorkerPool(Settings(workers=1))
        await pool.start()
        try:
            runner = pool.create_runner("session-1")
            runner.start()
            killed_unnoticed(pool.workers[0])
            for _ in range(1000 if is_noticed else 0):  # let the reader's news land (the pool replaces it)
                if not runner.worker.is_alive:  # type: ignore[attr-defined]
                    break
                await asyncio.sleep(0.01)
            outbox = Outbox()
            runner.subscribe(outbox)
            return await asyncio.wait_for(outbox.take(), 10)
        finally:
            await pool.stop()

    error = json.loads(asyncio.run(scenario())[0])
    assert (error["type"], error["field"]) == ("error", "server")


def test_a_worker_session_leaves_out_what_the_page_does_not_show(pooled: TestClient) -> None:
    """The `view` command reaches the runner in the worker; frames without maps in between, and none hidden."""
    with pooled.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.until_type("hello")
        assert "neuron_maps" in talk.frame()["arrays"]
        talk.send({"type": "play"})
        # a frame may come before the first tick trained: wait for one of a trained run that leaves the maps out
        talk.frame(lambda f: "neuron_maps" not in f["arrays"] and f["epoch"] >= 1)
        talk.send({"type": "view", "visible": False, "maps": True})
        hidden = talk.frame(lambda f: "output" not in f["arrays"])
        assert "neuron_maps" not in hidden["arrays"]
        talk.send({"type": "view", "visible": True, "maps": True})
        shown = talk.frame(lambda f: "output" in f["arrays"])
        assert "neuron_maps" in shown["arrays"]


def test_a_page_greeted_by_a_worker_gets_a_whole_first_frame_whatever_came_before() -> None:
    """A worker session that made frames without maps before its page's greeting (commands while nobody
    watched) still gives the new page a first frame with the neuron maps, as an in-process session does."""
    from app.live.worker_process import worker_main
    from tests.live.conftest import decode_binary

    ours, theirs = multiprocessing.Pipe()
    worker = multiprocessing.get_context("spawn").Process(target=worker_main,
                                                          args=(Settings().model_dump_json(), theirs), daemon=True)
    worker.start()
    received: list[tuple[object, ...]] = []
    unread: list[tuple[object, ...]] = []

    def until(kind: str) -> object:
        while True:
            if not unread:
                assert ours.poll(60), f"no {kind} from the worker"
                batch = ours.recv()
                assert batch[0] == "batch"  # what the worker sent in one turn of its loop
                unread.extend(batch[1])
            message = unread.pop(0)
            received.append(message)
            if message[0] == kind:
                return message[-1]

    try:
        ours.send(("open", "s1"))
        for request in range(3):  # each step trains, and its frame (the 2nd and later) leaves the maps out
            ours.send(("command", "s1", request, {"type": "step", "unit": "epoch", "count": 1}))
            until("reply")
        ours.poll(1.0)  # (nothing comes: nobody watches) the worker's pump makes the steps' frames meanwhile
        ours.send(("greet", "s1"))
        until("greet_done")
        greeted = [m[2] for m in received if m[0] == "greet_frame"]
        first = decode_binary(greeted[0] if greeted else until("frame"))  # type: ignore[arg-type]
        assert "neuron_maps" in first["arrays"] and "output" in first["arrays"]
    finally:
        ours.send(("stop", ""))
        worker.join(30)
        ours.close()


def test_a_worker_writes_what_one_turn_of_its_loop_sends_as_one_batch_in_order() -> None:
    from app.live.worker_process import BatchedPipe

    class Written:
        def __init__(self) -> None:
            self.sent: list[object] = []

        def send(self, message: object) -> None:
            self.sent.append(message)

    written = Written()

    async def turns() -> None:
        pipe = BatchedPipe(written)  # type: ignore[arg-type]
        for n in range(3):
            pipe.send(("frame", f"s{n}", b"%d" % n))
        assert written.sent == []  # nothing is written in the turn that sends
        await asyncio.sleep(0)
        pipe.send(("reply", 7, None, "ok"))
        await asyncio.sleep(0)
        pipe.send(("message", "s0", "last"))
        pipe.flush()  # as the worker stops
        await asyncio.sleep(0)  # the flush already scheduled finds nothing to write

    asyncio.run(turns())
    assert written.sent == [
        ("batch", [("frame", "s0", b"0"), ("frame", "s1", b"1"), ("frame", "s2", b"2")]),
        ("batch", [("reply", 7, None, "ok")]),
        ("batch", [("message", "s0", "last")]),
    ]
