"""The teacher's class view over the real app: students, tiles, spotlight, compare, pacing, privacy, lessons."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.i18n import translate
from app.live.server import create_app
from app.live.settings import Settings
from app.training.evaluation import predicted_classes
from tests.live.conftest import Conversation, wait_for
from tests.live.test_rooms import (  # noqa: F401
    FOLLOWER_SETTINGS,
    Recording,
    broker_kind,
    class_app,
    present,
    talking,
)

TEACHER = {"watch_class": {"on": True}, "spotlight": {"student": "s1"}, "compare": {"students": ["s1", "s2"]},
           "pace": {"action": "pause_all"}}
CLASS_SETTINGS = {**FOLLOWER_SETTINGS, "class_view_interval_s": 0.2}


@pytest.fixture
def school(request: pytest.FixtureRequest, broker_kind: str) -> Iterator[TestClient]:  # noqa: F811
    """The app with a fast class view; in-process runs, or (param 1) one worker process."""
    with class_app(request, broker_kind, CLASS_SETTINGS) as client:
        yield client


class Mosaic:
    """The presenter page's picture of its class, merged from ``class`` messages as the page merges them."""

    def __init__(self) -> None:
        self.tiles: dict[str, dict[str, Any]] = {}
        self.thumbs: dict[str, np.ndarray] = {}
        self.last: dict[str, Any] = {}

    def merge(self, message: dict[str, Any]) -> Mosaic:
        if message["full"]:
            self.tiles, self.thumbs = {}, {}
        for delta in message["tiles"]:
            self.tiles[delta["student"]] = {**self.tiles.get(delta["student"], {}), **delta}
        thumbs = message["arrays"]["thumbs"].reshape(-1, 128)
        for student, packed in zip(message["thumb_students"], thumbs, strict=True):
            self.thumbs[student] = packed
        self.tiles = {student: self.tiles[student] for student in message["order"]}
        self.last = message
        return self


def mosaic_until(presenter: Conversation, mosaic: Mosaic, predicate: Any) -> Mosaic:
    """Merge class messages until the mosaic satisfies ``predicate``."""
    return presenter.until(lambda m: m["type"] == "class" and predicate(mosaic.merge(m))) and mosaic  # type: ignore[return-value]


def fork(classroom: TestClient, follower: Conversation) -> str:
    follower.send({"type": "fork"})
    return str(follower.until_type("forked")["session_id"])


def test_students_get_ids_and_aliases_that_a_fork_and_its_return_keep(school: TestClient) -> None:
    with talking(school) as presenter:
        code, _ = present(presenter)
        with talking(school, f"/ws?room={code}") as first, talking(school, f"/ws?room={code}") as second:
            one, two = first.until_type("class_state"), second.until_type("class_state")
            assert (one["student"], two["student"]) == ("s1", "s2")
            assert one["alias"] != two["alias"] and len(one["alias"].split()) == 2
            assert (one["is_paused"], one["is_locked"], one["hand"], one["name"]) == (False, False, False, None)
            fork_id = fork(school, first)
        with talking(school, f"/ws?session={fork_id}") as copy:
            assert copy.until_type("class_state")["student"] == "s1"  # the same student, forked
        presenter.send({"type": "watch_class", "on": True})
        mosaic = Mosaic()
        with talking(school, f"/ws?room={code}&fork={fork_id}") as back:
            assert back.until_type("class_state")["alias"] == one["alias"]  # back to class: still s1
            mosaic_until(presenter, mosaic, lambda m: m.tiles.get("s1", {}).get("mode") == "following")
            back.websocket.close()
        with talking(school, f"/ws?session={fork_id}") as again:  # "Back to my copy": forked again
            assert again.until_type("class_state")["student"] == "s1"
            mosaic_until(presenter, mosaic, lambda m: m.tiles.get("s1", {}).get("mode") == "forked")
        with talking(school, f"/ws?room={code}") as newcomer:
            assert newcomer.until_type("class_state")["student"] == "s3"


def test_a_stale_unknown_or_other_rooms_fork_id_makes_a_new_student(school: TestClient) -> None:
    with talking(school) as presenter, talking(school) as elsewhere:
        code, _ = present(presenter)
        other_code, _ = present(elsewhere)
        with talking(school, f"/ws?room={code}") as follower, talking(school, f"/ws?room={other_code}") as there:
            me = follower.until_type("class_state")
            assert there.until_type("class_state")["student"] == "s1"
            replaced = fork(school, follower)
            current = fork(school, follower)  # replaces the copy no page opened: its id is stale now
            assert current != replaced
            for path, expected in ((f"/ws?room={code}&fork={replaced}", "s2"),
                                   (f"/ws?room={code}&fork=no-such-fork", "s3"),
                                   (f"/ws?room={code}&fork={'x' * 500}", "s4"),
                                   (f"/ws?room={other_code}&fork={current}", "s2")):  # another room's copy
                with talking(school, path) as stranger:
                    state = stranger.until_type("class_state")
                    assert (state["student"], state["name"]) == (expected, None), path
                    assert state["alias"] != me["alias"], path
        with talking(school, f"/ws?room={code}&fork={current}") as back:  # the current copy's id: still the student
            assert back.until_type("class_state")["alias"] == me["alias"]


@pytest.mark.parametrize("school", [0, 1], ids=["in-process", "worker-process"], indirect=True)
def test_the_teacher_sees_a_tile_per_student_with_the_forks_own_numbers(school: TestClient,
                                                                        request: pytest.FixtureRequest) -> None:
    with talking(school) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "watch_class", "on": True})
        mosaic = Mosaic()
        with talking(school, f"/ws?room={code}") as follower, talking(school, f"/ws?room={code}") as watcher:
            follower.send({"type": "set_name", "name": "  Ana  "})
            fork_id = fork(school, follower)
            with talking(school, f"/ws?session={fork_id}") as copy:
                copy.send({"type": "configure", "changes": {"hidden_layers": [3]}})
                copy.send({"type": "step", "unit": "epoch", "count": 7})
                copy.frame(lambda f: f["epoch"] == 7)
                done = mosaic_until(presenter, mosaic, lambda m: m.tiles.get("s1", {}).get("epoch") == 7
                                    and "s2" in m.tiles)
                tile, other = done.tiles["s1"], done.tiles["s2"]
                assert (tile["mode"], tile["name"], tile["status"], tile["shape"]) == ("forked", "Ana", "paused",
                                                                                        [2, 3, 1])
                assert (other["mode"], other["epoch"], other["name"]) == ("following", None, None)
                export = school.get(f"/api/sessions/{fork_id}/export").json()
                expect_numbers(school, fork_id, tile, export, request.node.callspec.params["school"])
                assert done.thumbs["s1"].shape == (128,) and "s2" not in done.thumbs
                aggregate = done.last["aggregate"]
                assert (aggregate["students"], aggregate["forked"], aggregate["following"]) == (2, 1, 1)
                assert sum(aggregate["accuracy_histogram"]["counts"]) == 1
                follower.send({"type": "raise_hand", "raised": True})
                assert mosaic_until(presenter, mosaic, lambda m: m.tiles["s1"]["hand"])
                assert mosaic.last["aggregate"]["hands"] == 1
            del watcher


def expect_numbers(client: TestClient, fork_id: str, tile: dict[str, Any], export: dict[str, Any],
                   workers: int) -> None:
    """A tile's parameter count and test accuracy against the fork's own session, computed here."""
    sizes = tile["shape"]
    assert tile["params"] == sum(len(np.ravel(w)) for w in export["weights"]) + sum(
        len(np.ravel(b)) for b in export["biases"])
    assert tile["params"] == sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))
    if workers:  # the session lives in the worker: its export's counters are what the test can read
        assert export["counters"]["epoch"] == tile["epoch"]
        return
    session = client.app.state.registry.get(fork_id).session  # type: ignore[attr-defined]
    outputs = session.mlp.forward(session.data.test_inputs[:, :-1]).output  # the last column is the ones
    accuracy = float(np.mean(predicted_classes(outputs, session.mlp.output_activation) == session.data.test_labels))
    assert tile["test_accuracy"] == pytest.approx(accuracy, abs=5e-5)  # sent to 4 decimals
    assert tile["epoch"] == session.epochs


def test_spotlight_compare_and_back(school: TestClient) -> None:
    with talking(school) as presenter:
        code, _ = present(presenter)
        with talking(school, f"/ws?room={code}") as a, talking(school, f"/ws?room={code}") as b, \
                talking(school, f"/ws?room={code}") as projector:
            alias = b.until_type("class_state")["alias"]
            ids = [fork(school, a), fork(school, b)]
            with talking(school, f"/ws?session={ids[0]}") as copy_a, talking(school, f"/ws?session={ids[1]}") as copy_b:
                for copy, count in ((copy_a, 3), (copy_b, 5)):
                    copy.send({"type": "step", "unit": "epoch", "count": count})
                    copy.frame(lambda f, n=count: f["epoch"] == n)
                presenter.send({"type": "watch_class", "on": True})
                mosaic = mosaic_until(presenter, Mosaic(), lambda m: m.tiles.get("s1", {}).get("epoch") == 3
                                      and m.tiles.get("s2", {}).get("epoch") == 5 and "s3" in m.tiles)
                for wrong in ("s3", "s99"):  # following, unknown
                    presenter.send({"type": "spotlight", "student": wrong})
                    assert presenter.error()["field"] == "student"
                presenter.send({"type": "spotlight", "student": "s2"})
                room = projector.until(lambda m: m["type"] == "room" and m["spotlight"] is not None)
                assert room["spotlight"] == {"alias": alias}
                assert projector.frame(lambda f: f["epoch"] == 5)["status"] == "paused"  # s2's run, live
                copy_b.send({"type": "step", "unit": "epoch", "count": 1})  # its owner still drives it
                projector.frame(lambda f: f["epoch"] == 6)
                assert mosaic_until(presenter, mosaic, lambda m: m.last["spotlight"] == "s2")
                presenter.send({"type": "compare", "students": ["s1", "s2"]})
                compared = presenter.until_type("comparison")
                assert [(r["student"], r["epoch"]) for r in compared["runs"]] == [("s1", 3), ("s2", 6)]
                assert compared["runs"][1]["alias"] == alias
                arrays = compared["arrays"]
                assert arrays["boundaries"].shape == (2 * 32 * 32,) and arrays["curves"].shape == (200,)
                assert np.isfinite(arrays["curves"]).all()
                curves, lengths = arrays["curves"].reshape(2, 100), arrays["curve_lengths"]
                for curve, length, run in zip(curves, lengths, compared["runs"], strict=True):
                    assert 1 <= length <= 100 and (curve[length - 1:] == curve[-1]).all()  # padded with its last
                    assert curve[-1] == pytest.approx(run["test_cost"], rel=1e-3)  # the run's cost now
                for students in (["s1"], ["s1", "s1"], ["s1", "s3"], ["s1", "s2", "s3", "s4", "s5"], ["x", "s1"]):
                    presenter.send({"type": "compare", "students": students})
                    assert presenter.error()["field"].startswith("students"), students
                presenter.send({"type": "spotlight", "student": None})
                back_home(projector.until)


def back_home(until: Any) -> None:
    """Wait (with ``until``) for the room without a spotlight and a frame of the presenter's own, untrained run,
    in either order (an idle run sends the class one frame)."""
    seen: set[str] = set()

    def home(m: dict[str, Any]) -> bool:
        if m["type"] == "room" and m["spotlight"] is None:
            seen.add("room")
        if m["type"] == "frame" and m["epoch"] == 0:
            seen.add("frame")
        return seen == {"room", "frame"}

    until(home)


def test_pacing_pauses_locks_pushes_and_brings_back(school: TestClient) -> None:
    with talking(school) as presenter:
        code, _ = present(presenter)
        with talking(school, f"/ws?room={code}") as follower, talking(school, f"/ws?room={code}") as late:
            fork_id = fork(school, follower)
            with talking(school, f"/ws?session={fork_id}") as copy:
                copy.send({"type": "play"})
                copy.until(lambda m: m["type"] == "session" and m["status"] == "running")
                presenter.send({"type": "pace", "action": "pause_all"})
                told = copy.until_type("notice")
                assert (told["topic"], told["key"], told["args"]) == ("class_paused", "class.notice.class_paused", {})
                assert told["message"] == translate("en", told["key"])
                copy.until(lambda m: m["type"] == "session" and m["status"] == "paused")
                assert copy.until_type("class_state")["is_paused"] is True
                for command in ({"type": "play"}, {"type": "step", "unit": "batch", "count": 1}):
                    copy.send(command)
                    assert copy.error()["field"] == "class"
                presenter.send({"type": "pace", "action": "resume_all"})
                assert copy.until_type("notice")["topic"] == "class_resumed"
                presenter.send({"type": "pace", "action": "lock"})
                assert copy.until_type("notice")["topic"] == "class_locked"
                copy.send({"type": "configure", "changes": {"learning_rate": 0.1}})
                assert copy.error()["field"] == "class"
                late.send({"type": "fork"})
                assert late.error()["field"] == "class"
                copy.send({"type": "select_neuron", "layer": 1, "index": 0})  # looking is still allowed
                copy.until(lambda m: m["type"] == "session" and m["selected_neuron"] == [1, 0])
                presenter.send({"type": "pace", "action": "unlock"})
                assert copy.until_type("notice")["topic"] == "class_unlocked"
                presenter.send({"type": "configure", "changes": {"learning_rate": 0.3, "hidden_layers": [5, 2]}})
                presenter.send({"type": "pace", "action": "push"})
                assert copy.until_type("notice")["topic"] == "class_pushed"
                pushed = copy.until(lambda m: m["type"] == "session" and m["config"]["learning_rate"] == 0.3)
                assert pushed["sizes"] == [2, 5, 2, 1]
                presenter.send({"type": "pace", "action": "bring_back"})
                assert copy.until_type("notice")["topic"] == "back_to_class"
                follower.until(lambda m: m["type"] == "notice" and m["topic"] == "back_to_class")  # its page too
                copy.send({"type": "play"})  # resumed and unlocked: the copy is its own again
                copy.until(lambda m: m["type"] == "session" and m["status"] == "running")
                presenter.send({"type": "pace", "action": "sleep"})
                assert presenter.error()["field"] == "action"


def test_ending_the_class_frees_its_paused_and_locked_copies(school: TestClient) -> None:
    """A class that ends leaves no copy paused or locked by it: the copy is its student's own again."""
    with talking(school) as presenter:
        code, _ = present(presenter)
        with talking(school, f"/ws?room={code}") as follower:
            fork_id = fork(school, follower)
            with talking(school, f"/ws?session={fork_id}") as copy:
                presenter.send({"type": "pace", "action": "pause_all"})
                copy.until(lambda m: m["type"] == "class_state" and m["is_paused"])
                presenter.send({"type": "pace", "action": "lock"})
                assert copy.until(lambda m: m["type"] == "class_state" and m["is_locked"])["is_paused"] is True
                copy.send({"type": "play"})
                assert copy.error()["field"] == "class"
                presenter.send({"type": "end_class"})
                freed = copy.until(lambda m: m["type"] == "class_state" and not m["is_paused"])
                assert freed["is_locked"] is False
                copy.send({"type": "play"})
                copy.until(lambda m: m["type"] == "session" and m["status"] == "running")


def test_teacher_commands_from_anyone_else_get_role_and_change_nothing(school: TestClient) -> None:
    with talking(school) as presenter, talking(school) as stranger:
        code, _ = present(presenter)
        with talking(school, f"/ws?room={code}") as follower:
            fork_id = fork(school, follower)
            with talking(school, f"/ws?session={fork_id}") as copy:
                copy.send({"type": "play"})
                copy.until(lambda m: m["type"] == "session" and m["status"] == "running")
                for talk in (follower, copy, stranger):
                    for kind, fields in TEACHER.items():
                        talk.send({"type": kind, **fields, "id": kind})
                        error = talk.error()
                        assert (error["field"], error["id"]) == ("role", kind), kind
                    assert not any(isinstance(raw, bytes) and b'"type":"class' in raw for raw in talk.raw)
                stranger.send({"type": "set_name", "name": "Eve"})
                assert stranger.error()["field"] == "role"
                presenter.send({"type": "watch_class", "on": True})
                state = presenter.until_type("class")
                assert (state["is_paused"], state["is_locked"], state["spotlight"]) == (False, False, None)
                copy.send({"type": "pause"})
                assert copy.until(lambda m: m["type"] == "session" and m["status"] == "paused")  # it ran until now


def test_no_student_receives_another_students_session_id_or_name(school: TestClient) -> None:
    names = ["Ana", "Bruno Díaz", "Chen"]
    with talking(school) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "watch_class", "on": True})
        with talking(school, f"/ws?room={code}") as a, talking(school, f"/ws?room={code}") as b, \
                talking(school, f"/ws?room={code}") as c:
            students: list[Recording] = [a, b, c]
            for student, name in zip(students, names, strict=True):
                student.send({"type": "set_name", "name": name})
                student.until(lambda m, n=name: m["type"] == "class_state" and m["name"] == n)
            ids = [fork(school, a), fork(school, b)]
            with talking(school, f"/ws?session={ids[0]}") as copy_a, talking(school, f"/ws?session={ids[1]}") as copy_b:
                copy_a.send({"type": "raise_hand", "raised": True})
                copy_a.until(lambda m: m["type"] == "class_state" and m["hand"] is True)
                for copy in (copy_a, copy_b):
                    copy.send({"type": "step", "unit": "epoch", "count": 2})
                    copy.frame(lambda f: f["epoch"] == 2)
                mosaic = mosaic_until(presenter, Mosaic(), lambda m: m.tiles.get("s2", {}).get("epoch") == 2
                                      and m.tiles.get("s1", {}).get("hand") is True and len(m.tiles) == 3)
                assert [t["name"] for t in mosaic.tiles.values()] == names  # the teacher sees them
                presenter.send({"type": "spotlight", "student": "s1"})
                c.frame(lambda f: f["epoch"] == 2)
                presenter.send({"type": "compare", "students": ["s1", "s2"]})
                presenter.until_type("comparison")
                presenter.send({"type": "pace", "action": "pause_all"})
                for talk in (a, b, c, copy_a, copy_b):
                    talk.until(lambda m: m["type"] == "notice" and m["topic"] == "class_paused")
                sockets = {0: (a, copy_a), 1: (b, copy_b), 2: (c,)}
                for me, mine in sockets.items():
                    received = b"".join(raw.encode() if isinstance(raw, str) else raw for talk in mine
                                        for raw in talk.raw)
                    for other in set(sockets) - {me}:
                        assert names[other].encode() not in received, (me, other)
                        assert other != 1 or b"Bruno D\\u00edaz" not in received
                        if other < 2:
                            assert ids[other].encode() not in received, (me, other)


@pytest.mark.parametrize("school", [0, 1], ids=["in-process", "worker-process"], indirect=True)
def test_a_fork_carries_the_presenters_lesson_and_its_goal_reaches_the_teacher(school: TestClient) -> None:
    with talking(school) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "start_lesson", "lesson": "neuron", "step": 1})
        presenter.until(lambda m: m["type"] == "lesson" and m["lesson"]["step"] == 1)
        with talking(school, f"/ws?room={code}") as follower:
            fork_id = fork(school, follower)
            with talking(school, f"/ws?session={fork_id}") as copy:
                state = copy.until(lambda m: m["type"] == "lesson" and m["lesson"] is not None)["lesson"]
                assert (state["id"], state["step"]) == ("neuron", 1)
                result = presenter.until(lambda m: m["type"] == "lesson" and m["class_results"] is not None
                                         and m["class_results"]["working"] == 1)
                assert result["class_results"] == {"step": 1, "working": 1, "met": 0, "failed": 0}
                for source in (0, 1):
                    copy.send({"type": "edit_weight", "layer": 0, "source": source, "target": 0, "value": 1.0})
                copy.send({"type": "step", "unit": "epoch", "count": 1})
                copy.until(lambda m: m["type"] == "lesson" and m["lesson"]["can_advance"])
                met = presenter.until(lambda m: m["type"] == "lesson" and (m["class_results"] or {}).get("met"))
                assert met["class_results"] == {"step": 1, "working": 0, "met": 1, "failed": 0}
                presenter.send({"type": "watch_class", "on": True})
                mosaic = mosaic_until(presenter, Mosaic(), lambda m: m.tiles.get("s1", {}).get("goal") == "met")
                assert mosaic.tiles["s1"]["lesson_step"] == 1 and mosaic.last["aggregate"]["goal_met"] == 1


@pytest.mark.parametrize(("command", "field"), [
    ({"type": "set_name", "name": "x" * 25}, "name"),
    ({"type": "set_name", "name": "Ana\u0007"}, "name"),
    ({"type": "set_name", "name": 7}, "name"),
    ({"type": "raise_hand", "raised": "yes"}, "raised"),
    ({"type": "watch_class", "on": 1}, "on"),
    ({"type": "spotlight", "student": "S1"}, "student"),
    ({"type": "spotlight"}, "student"),
    ({"type": "compare", "students": ["s1"]}, "students"),
    ({"type": "compare", "students": "s1,s2"}, "students"),
    ({"type": "pace", "action": "pause"}, "action"),
])
def test_class_commands_are_validated_in_one_line(command: dict[str, Any], field: str) -> None:
    with TestClient(create_app(Settings(**CLASS_SETTINGS))) as client, talking(client) as presenter:
        code, _ = present(presenter)
        with talking(client, f"/ws?room={code}") as follower:
            talk = follower if command["type"] in ("set_name", "raise_hand") else presenter
            talk.send(command)
            error = talk.error()
            assert error["field"].split(".")[0] == field and "\n" not in error["message"], error
            again = {"type": "raise_hand", "raised": True} if talk is follower else {"type": "watch_class", "on": True}
            talk.send(again)
            assert talk.until_type("class_state" if talk is follower else "class")  # the socket goes on


def test_forks_make_tiles_only_while_the_teacher_watches_or_counts_a_lesson(school: TestClient) -> None:
    registry = school.app.state.registry  # type: ignore[attr-defined]
    with talking(school) as presenter:
        code, _ = present(presenter)
        with talking(school, f"/ws?room={code}") as follower:
            fork_id = fork(school, follower)
            runner = registry.get(fork_id)
            assert runner.tiler.sink is None  # nobody looks: no tile is made
            presenter.send({"type": "watch_class", "on": True})
            wait_for(lambda: runner.tiler.sink, lambda sink: sink is not None)
            presenter.send({"type": "watch_class", "on": False})
            wait_for(lambda: runner.tiler.sink, lambda sink: sink is None)
            presenter.send({"type": "start_lesson", "lesson": "neuron"})
            wait_for(lambda: runner.tiler.sink, lambda sink: sink is not None)  # the lesson's goals are counted
            with talking(school, f"/ws?room={code}") as late:
                late_fork = registry.get(fork(school, late))
                wait_for(lambda: late_fork.tiler.sink, lambda sink: sink is not None)  # joined later, told too
            presenter.send({"type": "leave_lesson"})
            wait_for(lambda: runner.tiler.sink, lambda sink: sink is None)


def test_a_student_whose_page_is_hidden_keeps_training_and_keeps_a_tile(school: TestClient) -> None:
    """A hidden page's frames leave the output out; the teacher's tile and comparison then take the boundary
    from the copy's newest frame that had it, and the copy trains on (it used to be paused as a fault)."""
    with talking(school) as presenter:
        code, _ = present(presenter)
        presenter.send({"type": "watch_class", "on": True})
        mosaic = Mosaic()
        with talking(school, f"/ws?room={code}") as follower, talking(school, f"/ws?room={code}") as other:
            fork_ids = [fork(school, follower), fork(school, other)]
            with talking(school, f"/ws?session={fork_ids[0]}") as copy, \
                    talking(school, f"/ws?session={fork_ids[1]}") as second:
                copy.send({"type": "step", "unit": "epoch", "count": 2})
                copy.frame(lambda f: f["epoch"] == 2 and "output" in f["arrays"])
                seen = mosaic_until(presenter, mosaic, lambda m: m.tiles.get("s1", {}).get("epoch") == 2)
                visible_thumb = seen.thumbs["s1"].copy()
                copy.send({"type": "view", "visible": False, "maps": False})  # the tab goes to the background
                copy.send({"type": "play"})
                hidden = copy.until(lambda m: no_error(m) and m["type"] == "frame" and m["epoch"] > 5)
                assert "output" not in hidden["arrays"]
                running = mosaic_until(presenter, mosaic, lambda m: m.tiles["s1"].get("epoch", 0) > 5)
                assert running.tiles["s1"]["status"] == "running"
                assert (running.thumbs["s1"] == visible_thumb).all()  # the last boundary the page had
                presenter.send({"type": "compare", "students": ["s1", "s2"]})
                compared = presenter.until_type("comparison")
                assert compared["runs"][0]["epoch"] > 5
                assert compared["arrays"]["boundaries"][: 32 * 32].any()  # a boundary, not a blank card
                copy.send({"type": "pause"})
                assert copy.until(lambda m: no_error(m) and m["type"] == "session" and m["status"] == "paused")
                del second


def no_error(message: dict[str, Any]) -> bool:
    assert message["type"] != "error", message
    return True
