"""Two replicas behind nginx share one class through Redis: follow anywhere, fork across, faults."""

from __future__ import annotations

import asyncio
import signal

import numpy as np

from tests.deploy.conftest import Client, Cluster, present
from tests.servers import wait_until

MAX_FOLLOWERS = 24  # followers opened through nginx until both replicas have some (2^-23 to miss)


async def followers_on_both(cluster: Cluster, code: str, at_least: int = 1) -> list[Client]:
    """Followers through nginx, opened one by one until each replica has ``at_least`` of them."""
    followers: list[Client] = []
    while min(cluster.a.followers(), cluster.b.followers()) < at_least:
        assert len(followers) < MAX_FOLLOWERS, "nginx sent every follower to the same replica"
        follower = await Client(f"{cluster.nginx.ws}?room={code}").open()
        assert follower.hello["role"] == "follower"
        await follower.frame()
        followers.append(follower)
    return followers


def test_followers_on_both_replicas_see_the_class_and_a_fork_on_b_has_its_weights(cluster: Cluster) -> None:
    async def scenario() -> None:
        presenter = await Client(cluster.a.ws).open()
        code = await present(presenter)
        await presenter.send({"type": "play"})
        followers = await followers_on_both(cluster, code)
        on_b = await Client(f"{cluster.b.ws}?room={code.lower()}").open()  # the code made on A, on B
        assert on_b.hello["room"]["code"] == code
        total = len(followers) + 1
        assert (await presenter.until(lambda m: m["type"] == "room" and m["followers"] == total))["is_open"]
        epoch = (await presenter.frame())["epoch"]
        for follower in [*followers, on_b]:
            assert (await follower.frame(lambda f, e=epoch: f["epoch"] > e))["status"] == "running"
        await presenter.send({"type": "pause"})
        paused = await presenter.frame(lambda f: f["status"] == "paused")
        await on_b.send({"type": "fork"})
        fork_id = (await on_b.until(lambda m: m["type"] == "forked"))["session_id"]
        fork = await Client(f"{cluster.b.ws}?session={fork_id}").open()
        assert fork.hello["resume"] == "resumed"
        start = await fork.frame()
        assert start["step"] == paused["step"]
        assert np.array_equal(start["arrays"]["weights"], paused["arrays"]["weights"])
        assert np.array_equal(start["arrays"]["biases"], paused["arrays"]["biases"])
        for client in [presenter, *followers, on_b, fork]:
            await client.close()

    asyncio.run(scenario())


def test_a_resume_on_the_wrong_replica_is_told_so_not_given_a_new_run(cluster: Cluster) -> None:
    async def scenario() -> None:
        own = await Client(cluster.a.ws).open()
        session_id = own.hello["session_id"]
        await own.close()
        wait_until(lambda: cluster.a.health()["detached"] >= 1, "detached session")
        sessions_on_b = cluster.b.health()["sessions"]
        wrong = await Client(f"{cluster.b.ws}?session={session_id}").open()
        assert wrong.hello["type"] == "error" and wrong.hello["field"] == "session"
        assert "another server" in wrong.hello["message"]
        assert (await wrong.receive())["code"] == 4409
        assert cluster.b.health()["sessions"] == sessions_on_b  # no run was started
        right = await Client(f"{cluster.a.ws}?session={session_id}").open()
        assert (right.hello["resume"], right.hello["session_id"]) == ("resumed", session_id)
        await right.close()

    asyncio.run(scenario())


def test_without_redis_followers_on_b_are_told_then_follow_again_and_the_run_on_a_goes_on(cluster: Cluster) -> None:
    async def scenario() -> None:
        presenter = await Client(cluster.a.ws).open()
        code = await present(presenter)
        await presenter.send({"type": "play"})
        follower = await Client(f"{cluster.b.ws}?room={code}").open()
        await follower.frame()
        cluster.redis.stop()
        try:
            lost = await follower.until(lambda m: m["type"] == "notice")
            assert (lost["topic"], lost["state"]) == ("class_link", "lost") and "retrying" in lost["message"]
            epoch = (await presenter.frame())["epoch"]
            assert (await presenter.frame(lambda f: f["epoch"] > epoch + 2))["status"] == "running"
            health = cluster.b.health()
            assert (health["status"], health["broker"]) == ("degraded", "unreachable")
            joiner = await Client(f"{cluster.b.ws}?room={code}").open()  # a join now: retryable, not "no class"
            assert (joiner.hello["type"], joiner.hello["field"]) == ("error", "broker"), joiner.hello
            assert "unreachable" in joiner.hello["message"]
            assert (await joiner.receive())["code"] == 1013  # try again later: the page keeps retrying
        finally:
            cluster.redis.start()
        restored = await follower.until(lambda m: m["type"] == "notice")
        assert restored["state"] == "restored"
        epoch = (await presenter.frame())["epoch"]
        assert (await follower.frame(lambda f: f["epoch"] > epoch))["status"] == "running"
        wait_until(lambda: cluster.b.health().get("broker") == "connected", "replica B's link")
        for log in (cluster.a.log, cluster.b.log):
            text = log.read_text()
            assert text.count("lost the link to Redis") == 1, log  # one line, not one per retry
        await presenter.close()
        await follower.close()

    asyncio.run(scenario())


def test_followers_of_a_killed_replica_reconnect_through_nginx_and_keep_following(own_cluster: Cluster) -> None:
    cluster = own_cluster

    async def scenario() -> None:
        presenter = await Client(cluster.a.ws).open()
        code = await present(presenter)
        await presenter.send({"type": "play"})
        followers = await followers_on_both(cluster, code, at_least=2)
        cluster.b.stop(signal.SIGKILL)
        await presenter.send({"type": "pause"})  # sent after the kill: frames newer than this one come after it
        epoch = (await presenter.frame(lambda f: f["status"] == "paused"))["epoch"]
        await presenter.send({"type": "play"})
        reconnected = 0
        for index, follower in enumerate(followers):
            newer = await follower.until(lambda m: m["type"] == "close" or (m["type"] == "frame"
                                                                              and m["epoch"] > epoch))
            if newer["type"] == "close":
                followers[index] = follower = await Client(f"{cluster.nginx.ws}?room={code}").open()
                reconnected += 1
                newer = await follower.frame(lambda f: f["epoch"] > epoch)
            assert newer["status"] == "running"
        assert reconnected >= 2
        assert cluster.a.followers() == len(followers)
        for client in [presenter, *followers]:
            await client.close()

    asyncio.run(scenario())



def test_a_reload_through_nginx_resumes_its_run_whichever_replica_holds_it(cluster: Cluster) -> None:
    tabs = [f"tab-{index:02d}" for index in range(12)]  # 12 tabs: all on one replica has odds 2^-11

    async def scenario() -> None:
        sessions = {}
        before = cluster.a.health()["sessions"], cluster.b.health()["sessions"]
        for tab in tabs:
            first = await Client(f"{cluster.nginx.ws}?tab={tab}").open()
            sessions[tab] = first.hello["session_id"]
            await first.close()
        after = cluster.a.health()["sessions"], cluster.b.health()["sessions"]
        assert after[0] > before[0] and after[1] > before[1], "nginx sent every tab to one replica"
        for tab in tabs:
            again = await Client(f"{cluster.nginx.ws}?tab={tab}&session={sessions[tab]}").open()
            assert (again.hello["resume"], again.hello["session_id"]) == ("resumed", sessions[tab]), tab
            await again.close()

    asyncio.run(scenario())
