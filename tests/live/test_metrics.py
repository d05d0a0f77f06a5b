"""/metrics after a short conversation: sessions, frames, bytes, refused commands, loop lag."""

from __future__ import annotations

import asyncio
import random
import string
import time

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.live.metrics import Metrics
from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, wait_for

LAG_WAIT_S = 10.0  # the lag probe runs every 0.25 s; a loaded machine may be slow to show one


def scrape(client: TestClient) -> dict[str, float]:
    """Every sample of /metrics by name and labels, e.g. ``neuroplay_command_errors_total{field=rate}``."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def test_a_conversation_shows_in_the_metrics(client: TestClient) -> None:
    assert scrape(client)["neuroplay_sessions"] == 0
    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.until_type("hello")
        talk.frame()  # the first frame, before the step's (they could be one frame otherwise)
        talk.send({"type": "step", "unit": "batch", "count": 1})
        talk.frame(lambda f: f["step"] == 1)
        talk.send({"type": "configure", "changes": {"learning_rate": 50}})
        talk.send({"type": "configure", "changes": {"learning_rate": -1}})
        talk.send({"type": "bogus"})
        talk.error(), talk.error(), talk.error()
        during = scrape(client)
    assert during["neuroplay_sessions"] == 1
    assert during["neuroplay_frames_sent_total"] >= 1  # a frame that a newer one replaced counts as dropped
    assert during["neuroplay_frames_sent_total"] + during["neuroplay_frames_dropped_total"] >= 2
    assert during["neuroplay_websocket_sent_bytes_total"] > 1000  # hello, session, dataset, frames
    assert during["neuroplay_command_errors_total{field=learning_rate}"] == 2
    assert during["neuroplay_command_errors_total{field=type}"] == 1
    assert during["neuroplay_worker_restarts_total"] == 0
    assert [during[f"neuroplay_{name}"] for name in ("detached_sessions", "rooms", "followers")] == [0, 0, 0]
    after = wait_for(lambda: scrape(client), lambda samples: samples["neuroplay_detached_sessions"] == 1)
    assert after["neuroplay_sessions"] == 1  # kept for a reload


def test_rooms_and_followers_show_in_the_metrics(client: TestClient) -> None:
    with client.websocket_connect("/ws") as presenter:
        talk = Conversation(presenter)
        talk.send({"type": "present"})
        code = talk.until_type("presenting")["code"]
        with client.websocket_connect(f"/ws?room={code}") as follower:
            Conversation(follower).frame()
            during = scrape(client)
    assert (during["neuroplay_rooms"], during["neuroplay_followers"]) == (1, 1)
    assert scrape(client)["neuroplay_followers"] == 0


def test_event_loop_lag_is_measured(client: TestClient) -> None:
    deadline = time.monotonic() + LAG_WAIT_S
    while (samples := scrape(client))["neuroplay_event_loop_lag_seconds_count"] < 1:
        assert time.monotonic() < deadline, "no lag measurement arrived"
        time.sleep(0.1)
    assert samples["neuroplay_event_loop_lag_seconds_sum"] >= 0


def test_each_app_has_its_own_metrics() -> None:
    with TestClient(create_app(Settings())) as first, TestClient(create_app(Settings())) as second:
        with first.websocket_connect("/ws") as websocket:
            Conversation(websocket).frame()
            assert scrape(first)["neuroplay_sessions"] == 1 and scrape(second)["neuroplay_sessions"] == 0
        assert scrape(second)["neuroplay_frames_sent_total"] == 0


def test_a_frame_replaced_before_it_is_sent_counts_as_dropped() -> None:
    metrics = Metrics()
    outbox = metrics.outbox()
    outbox.put("session")
    outbox.put_frame(b"first")
    outbox.put_frame(b"second")
    assert asyncio.run(outbox.take()) == ["session", b"second"]
    outbox.put("error")
    assert asyncio.run(outbox.take()) == ["error"]
    assert metrics.registry.get_sample_value("neuroplay_frames_dropped_total") == 1
    assert metrics.registry.get_sample_value("neuroplay_frames_sent_total") == 1


def test_a_new_metric_is_one_line() -> None:
    metrics = Metrics()
    forks = metrics.gauge("forks", "Forks made.")
    joins = metrics.counter("joins", "Followers that joined.", ("room",))
    forks.inc()
    joins.labels(room="a").inc(2)
    text = metrics.exposition().decode()
    assert "neuroplay_forks 1.0" in text and 'neuroplay_joins_total{room="a"} 2.0' in text


def test_made_up_field_names_do_not_grow_the_metrics() -> None:
    """500 commands, each naming a field nobody has: /metrics counts them all under one label."""
    rng = random.Random(15)
    settings = Settings(max_commands_per_second=1000)
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.until_type("hello")
        before = len(client.get("/metrics").content)
        for index in range(500):
            name = "".join(rng.choices(string.ascii_letters, k=24))
            command = {"type": "play", name: 1} if index % 2 else {"type": "configure", "changes": {name: 1}}
            talk.send(command)
        errors = 0
        while errors < 500:
            errors += talk.receive()["type"] == "error"
        samples = scrape(client)
        after = len(client.get("/metrics").content)
    assert samples["neuroplay_command_errors_total{field=other}"] == 500
    assert not [name for name in samples if "command_errors_total{field=" in name and "field=other" not in name]
    assert after < before + 1000  # one new label value, not 500
