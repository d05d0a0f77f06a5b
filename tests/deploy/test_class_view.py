"""The teacher's class view across two replicas sharing a real Redis: forks on B are tiles on A's mosaic."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from tests.deploy.conftest import Client, Cluster, present


class Mosaic:
    """The presenter page's class: ``class`` messages merged as the page merges them."""

    def __init__(self) -> None:
        self.tiles: dict[str, dict[str, Any]] = {}
        self.last: dict[str, Any] = {}

    def merge(self, message: dict[str, Any]) -> bool:
        if message["type"] != "class":
            return False
        if message["full"]:
            self.tiles = {}
        for delta in message["tiles"]:
            self.tiles[delta["student"]] = {**self.tiles.get(delta["student"], {}), **delta}
        self.tiles = {student: self.tiles[student] for student in message["order"]}
        self.last = message
        return True


async def forked(cluster_ws: str, follower: Client, epochs: int) -> tuple[str, Client]:
    """Fork on the follower's replica, open the copy there and train it ``epochs`` epochs."""
    await follower.send({"type": "fork"})
    fork_id = str((await follower.until(lambda m: m["type"] == "forked"))["session_id"])
    copy = await Client(f"{cluster_ws}?session={fork_id}").open()
    await copy.send({"type": "step", "unit": "epoch", "count": epochs})
    await copy.frame(lambda f: f["epoch"] == epochs)
    return fork_id, copy


def test_forks_on_b_are_tiles_on_as_mosaic_and_the_teacher_spotlights_compares_and_pauses(cluster: Cluster) -> None:
    async def scenario() -> None:
        presenter = await Client(cluster.a.ws).open()
        code = await present(presenter)
        await presenter.send({"type": "watch_class", "on": True})
        on_b = await Client(f"{cluster.b.ws}?room={code}").open()
        on_a = await Client(f"{cluster.a.ws}?room={code}").open()
        projector = await Client(f"{cluster.a.ws}?room={code}").open()
        alias_b = (await on_b.until(lambda m: m["type"] == "class_state"))["alias"]
        _, copy_b = await forked(cluster.b.ws, on_b, 3)
        _, copy_a = await forked(cluster.a.ws, on_a, 2)
        mosaic = Mosaic()
        await presenter.until(lambda m: mosaic.merge(m) and len(mosaic.tiles) == 3
                              and mosaic.tiles["s1"].get("epoch") == 3 and mosaic.tiles["s2"].get("epoch") == 2)
        assert (mosaic.tiles["s1"]["alias"], mosaic.tiles["s1"]["mode"]) == (alias_b, "forked")
        assert mosaic.last["aggregate"]["forked"] == 2

        await presenter.send({"type": "spotlight", "student": "s1"})  # B's fork, on A's projector
        room = await projector.until(lambda m: m["type"] == "room" and m["spotlight"] is not None)
        assert room["spotlight"] == {"alias": alias_b}
        await projector.frame(lambda f: f["epoch"] == 3)
        await copy_b.send({"type": "step", "unit": "epoch", "count": 1})
        await projector.frame(lambda f: f["epoch"] == 4)

        await presenter.send({"type": "compare", "students": ["s1", "s2"]})
        compared = await presenter.until(lambda m: m["type"] == "comparison")
        assert [run["epoch"] for run in compared["runs"]] == [4, 2]
        assert np.isfinite(compared["arrays"]["curves"]).all()

        await presenter.send({"type": "pace", "action": "pause_all"})
        for copy in (copy_a, copy_b):
            notice = await copy.until(lambda m: m["type"] == "notice")
            assert notice["topic"] == "class_paused"
            await copy.send({"type": "play"})
            assert (await copy.until(lambda m: m["type"] == "error"))["field"] == "class"

        await presenter.send({"type": "spotlight", "student": None})
        seen: set[str] = set()  # the room without a spotlight and the presenter's own (idle) run's frame, any order
        await projector.until(lambda m: seen.add("room" if m["type"] == "room" and m["spotlight"] is None else
                                                  "frame" if m["type"] == "frame" and m["epoch"] == 0 else "")
                              or {"room", "frame"} <= seen)
        for client in (presenter, on_a, on_b, projector, copy_a, copy_b):
            await client.close()

    asyncio.run(scenario())


def test_back_to_class_on_the_other_replica_keeps_the_student_and_its_copy_takes_it_back(cluster: Cluster) -> None:
    async def scenario() -> None:
        presenter = await Client(cluster.a.ws).open()
        code = await present(presenter)
        await presenter.send({"type": "watch_class", "on": True})
        on_a = await Client(f"{cluster.a.ws}?room={code}").open()
        student = await on_a.until(lambda m: m["type"] == "class_state")
        me = student["student"]
        fork_id, copy = await forked(cluster.a.ws, on_a, 2)
        await on_a.close()
        await copy.send({"type": "set_name", "name": "Ana"})
        mosaic = Mosaic()
        await presenter.until(lambda m: mosaic.merge(m) and mosaic.tiles.get(me, {}).get("name") == "Ana"
                              and mosaic.tiles[me].get("epoch") == 2)
        await copy.close()

        back = await Client(f"{cluster.b.ws}?room={code}&fork={fork_id}").open()  # "Back to class", on B
        state = await back.until(lambda m: m["type"] == "class_state")
        assert (state["student"], state["alias"], state["name"]) == (me, student["alias"], "Ana")
        await presenter.until(lambda m: mosaic.merge(m) and mosaic.tiles[me]["mode"] == "following")
        assert list(mosaic.tiles) == [me]  # the same tile turned back, no second student

        stranger = await Client(f"{cluster.b.ws}?room={code}&fork=no-such-fork-0123456789").open()
        other = await stranger.until(lambda m: m["type"] == "class_state")
        assert other["student"] != me and other["alias"] != student["alias"] and other["name"] is None

        again = await Client(f"{cluster.a.ws}?session={fork_id}").open()  # "Back to my copy", on A
        assert (await again.until(lambda m: m["type"] == "class_state"))["student"] == me
        await back.close()  # B's socket going does not take the student out of the class: its copy has it
        await again.send({"type": "step", "unit": "epoch", "count": 1})
        await presenter.until(lambda m: mosaic.merge(m) and mosaic.tiles.get(me, {}).get("epoch") == 3)
        assert mosaic.tiles[me]["mode"] == "forked" and set(mosaic.tiles) == {me, other["student"]}
        for client in (presenter, stranger, again):
            await client.close()

    asyncio.run(scenario())
