"""The page's own logic, module by module, run in Chromium: the history message and its thinning,
the throttle for the presenter's highlight, the projector key in the link, and which address the
socket opens for a run, a class and a fork. No server behaviour is needed beyond static files."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from playwright.sync_api import Page

JS = "/static/js"


def run(page: Page, script: str, arg: Any = None) -> Any:
    """Evaluate an async function body with the page's modules importable by path."""
    return page.evaluate(f"async (arg) => {{ {script} }}", arg)


@pytest.fixture
def blank(page: Page) -> Page:
    """A page of the app's origin that has not opened a socket (a static file), speaking English: the
    modules' words come from the English catalogue, as on a page served to an English browser."""
    page.goto(f"{JS}/protocol.js")
    run(page, f"""const i18n = await import("{JS}/i18n.js");
                 i18n.useCatalogue("en", await (await fetch("/api/locales/en")).json());""")
    return page


def history_bytes() -> list[int]:
    """A binary `history` message of 3 points, laid out as docs/protocol.md describes."""
    header_arrays = []
    payload = b""
    columns: list[tuple[str, str, list[Any]]] = [
        ("step", "I", [10, 20, 4_000_000_000]), ("epoch", "I", [1, 2, 3]),
        ("train_cost", "f", [0.5, 0.25, 0.125]), ("test_cost", "f", [0.75, 0.0, 0.5]),
        ("train_metric", "f", [0.5, 0.75, 1.0]), ("test_metric", "f", [0.0, 0.0, 0.25]),
        ("present", "B", [0b0111, 0b0101, 0b1111]),
    ]
    for name, code, values in columns:
        dtype = {"I": "uint32", "f": "float32", "B": "uint8"}[code]
        header_arrays.append({"name": name, "dtype": dtype, "offset": len(payload), "length": len(values)})
        payload += struct.pack(f"<{len(values)}{code}", *values)
        payload += b"\0" * (-len(payload) % 4)
    header = json.dumps({"type": "history", "length": 3, "metric": "accuracy", "arrays": header_arrays}).encode()
    envelope = struct.pack("<I", len(header)) + header
    envelope += b"\0" * (-len(envelope) % 4)
    return list(envelope + payload)


def test_a_history_message_becomes_chart_points(blank: Page) -> None:
    points = run(blank, f"""
        const {{ decodeBinary }} = await import("{JS}/protocol.js");
        const {{ onBinary, initialState }} = await import("{JS}/messages.js");
        const message = decodeBinary(new Uint8Array(arg).buffer);
        return onBinary(initialState(), message).history;
    """, history_bytes())
    assert points == [
        {"step": 10, "epoch": 1, "train": 0.5, "test": 0.75, "trainMetric": 0.5, "testMetric": None},
        {"step": 20, "epoch": 2, "train": 0.25, "test": None, "trainMetric": 0.75, "testMetric": None},
        {"step": 4_000_000_000, "epoch": 3, "train": 0.125, "test": 0.5, "trainMetric": 1.0, "testMetric": 0.25},
    ]


def test_frames_append_to_the_history_and_a_full_history_merges_older_points(blank: Page) -> None:
    result = run(blank, f"""
        const {{ appendFrame, MAX_HISTORY }} = await import("{JS}/history.js");
        const frame = (step) => ({{ step, epoch: step, train: {{ cost: step, accuracy: 0.5 }},
                                   test: {{ cost: null, accuracy: null }} }});
        let history = [];
        for (let step = 1; step <= MAX_HISTORY; step++) history = appendFrame(history, frame(step), "accuracy");
        const same = appendFrame(history, frame(MAX_HISTORY), "accuracy") === history;
        const full = appendFrame(history, frame(MAX_HISTORY + 1), "accuracy");
        const restarted = appendFrame(history, frame(0), "accuracy");
        return {{ max: MAX_HISTORY, length: history.length, same, full: full.length, first: full[0],
                 last: full[full.length - 1], restarted: restarted.length }};
    """)
    assert result["length"] == result["max"]
    assert result["same"] is True
    assert result["full"] <= result["max"]
    assert result["first"] == {"step": 2, "epoch": 2, "train": 1.5, "test": None, "trainMetric": 0.5,
                               "testMetric": None}
    assert result["last"]["step"] == result["max"] + 1
    assert result["restarted"] == 1


def test_the_highlight_throttle_sends_changes_at_most_every_interval(blank: Page) -> None:
    sent = run(blank, f"""
        const {{ latestEvery }} = await import("{JS}/lib/throttle.js");
        let clock = 0;
        const sent = [];
        const throttle = latestEvery(100, (value) => sent.push([clock, value]), null, () => clock);
        throttle.push([1, 0]);            // sent at once
        clock = 10; throttle.push([1, 1]); // too soon: waits
        clock = 20; throttle.push([1, 2]); // replaces the waiting one
        await new Promise((resolve) => setTimeout(resolve, 150));
        clock = 300; throttle.push([1, 2]); // no change: nothing
        clock = 400; throttle.push(null);   // sent at once
        return sent.map(([at, value]) => value);
    """)
    assert sent == [[1, 0], [1, 2], None]


def test_the_link_carries_projector_mode(blank: Page) -> None:
    result = run(blank, f"""
        const {{ buildHash, parseHash }} = await import("{JS}/lib/url.js");
        const fields = {{ dataset: {{ kind: "choice" }} }};
        return {{
          on: parseHash("#dataset=xor&projector=1", fields),
          off: parseHash("#dataset=xor", fields).projector,
          built: buildHash({{ dataset: "xor" }}, {{ dataset: "circle" }}, ["noise"], true),
        }};
    """)
    assert result["on"] == {"changes": {"dataset": "xor"}, "hidden": [], "projector": True, "unknown": []}
    assert result["off"] is False
    assert result["built"] == "#dataset=xor&hide=noise&projector=1"


def test_the_socket_opens_the_run_the_tab_holds(blank: Page) -> None:
    urls = run(blank, f"""
        sessionStorage.clear();
        sessionStorage.setItem("neuroplay.tab", "t1");
        const {{ createRoute }} = await import("{JS}/route.js");
        const place = {{ protocol: "http:", host: "example.test:8000" }};
        const own = createRoute("", "/np", place);
        const out = {{ fresh: own.url() }};
        own.observe({{ type: "hello", role: "owner", session_id: "abc" }});
        out.resumed = own.url();
        const room = createRoute("k7wq3m", "/np", place);
        out.follow = [room.mode(), room.url()];
        out.followerHelloKeepsOwn = (room.observe({{ type: "hello", role: "follower", session_id: null }}), own.url());
        out.reconnectAfterFork = room.observe({{ type: "forked", session_id: "f1" }});
        out.fork = [room.mode(), room.url()];
        room.observe({{ type: "hello", role: "owner", session_id: "f2" }});
        out.forkExpired = room.url();
        out.ownUntouched = own.url();
        room.follow();
        out.back = [room.mode(), room.url()];
        sessionStorage.clear();
        out.newTab = own.url().replace(/tab=[0-9a-f]{{24}}$/, "tab=KEY");  // a new tab makes its own key
        out.sameTab = own.url() === own.url();
        return out;
    """)
    assert urls == {
        "newTab": "ws://example.test:8000/np/ws?tab=KEY",
        "sameTab": True,
        "fresh": "ws://example.test:8000/np/ws?tab=t1",
        "resumed": "ws://example.test:8000/np/ws?tab=t1&session=abc",
        "follow": ["follow", "ws://example.test:8000/np/ws?tab=t1&room=k7wq3m"],
        "followerHelloKeepsOwn": "ws://example.test:8000/np/ws?tab=t1&session=abc",
        "reconnectAfterFork": True,
        "fork": ["fork", "ws://example.test:8000/np/ws?tab=t1&session=f1"],
        "forkExpired": "ws://example.test:8000/np/ws?tab=t1&session=f2",
        "ownUntouched": "ws://example.test:8000/np/ws?tab=t1&session=abc",
        "back": ["follow", "ws://example.test:8000/np/ws?tab=t1&room=k7wq3m&fork=f2"],  # the same student
    }


def test_resume_and_expiry_are_said_in_words(blank: Page) -> None:
    texts = run(blank, f"""
        const {{ arrivalText }} = await import("{JS}/views/controls/status.js");
        const base = {{ role: "owner", pausedWhileAway: false, isFork: false, epoch: 12 }};
        return [
          arrivalText({{ ...base, resume: "resumed" }}),
          arrivalText({{ ...base, resume: "resumed", pausedWhileAway: true }}),
          arrivalText({{ ...base, resume: "resumed", epoch: null }}),
          arrivalText({{ ...base, resume: "expired", epoch: null }}),
          arrivalText({{ ...base, resume: "lost", epoch: null }}),
          arrivalText({{ ...base, resume: "new" }}),
          arrivalText({{ ...base, resume: "new", role: "follower" }}),
        ];
    """)
    assert texts == [
        "Resumed at epoch 12",
        "Resumed at epoch 12 — paused while you were away",
        "",
        "That run has expired; this is a new one",
        "This run was lost on the server (it could not be restored after a restart, or its training process "
        "stopped); this is a new one",
        "",
        "",
    ]


def test_a_join_the_class_server_cannot_look_up_is_retried_and_said(blank: Page) -> None:
    found = run(blank, f"""
        const {{ onClose, onMessage, initialState }} = await import("{JS}/messages.js");
        const {{ errorText }} = await import("{JS}/views/controls/status.js");
        const message = "the class server is unreachable right now; retrying…";
        const error = {{ type: "error", field: "broker", message, command: null, id: null }};
        const state = {{ ...initialState(), ...onMessage(initialState(), error) }};
        return [onClose(1013).connection, onClose(4404).connection, errorText(null, state.error)];
    """)
    assert found == ["closed", "stopped", "The class server is unreachable right now; retrying…"]
