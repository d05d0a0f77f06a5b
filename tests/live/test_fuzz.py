"""Property-based fuzzing of the real app: every command of docs/protocol.md with hostile fields.

Both ways of running sessions are fuzzed, in the web process (workers=0) and in a worker process.
Invariants, for every example: each message is answered (an ``error`` or a ``session``) within
ANSWER_SECONDS; no answer is a fault of the server (field ``server``); every refusal is one plain
line; the socket stays usable (``play`` and ``pause`` after it are answered); and the session is
freed once its socket has closed (after a short detached TTL). Imports get a JSON refusal naming a
field of the document, nothing is left waiting in a worker, and the run goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from app.live.server import create_app
from app.live.settings import Settings
from app.training.config import FIELDS
from tests.live.conftest import decode_binary, strict_json, wait_for
from tests.strategies import hostile, json_values, render, render_hostile

ANSWER_SECONDS = 10.0  # the longest wait for any one message; a missing answer fails, never hangs
MESSAGE_BYTES = 16 * 1024  # the app's size limit in these tests, small so sizes around it are cheap
DETACHED_TTL_S = 0.05  # a closed socket's session is freed this soon after, so each example starts empty
END = {"type": "step", "count": 0, "id": "end"}  # always refused, and last: everything before it is answered


@pytest.fixture(scope="module", params=[0, 1], ids=["in-process", "worker-process"])
def app_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    settings = Settings(workers=request.param, max_commands_per_second=1000, max_message_bytes=MESSAGE_BYTES,
                        detached_ttl_s=DETACHED_TTL_S, allowed_hosts=("testserver",))
    with TestClient(create_app(settings)) as client:
        yield client


def receive_within(websocket: Any, seconds: float = ANSWER_SECONDS) -> dict[str, Any]:
    """The next message, decoded; fails instead of waiting for ever (TestClient's receive has no timeout)."""

    async def receive() -> Any:
        with anyio.fail_after(seconds):
            return await websocket._send_rx.receive()

    message = websocket.portal.call(receive)
    assert message["type"] == "websocket.send", f"the socket closed: {message}"
    if message.get("text") is not None:
        return dict(strict_json(message["text"]))
    return decode_binary(message["bytes"])


def answers_until_end(websocket: Any) -> list[dict[str, Any]]:
    """Every error and session message up to the answer to END."""
    answers = []
    while True:
        message = receive_within(websocket)
        if message["type"] in ("error", "session"):
            answers.append(message)
            if message["type"] == "error" and message.get("id") == "end":
                return answers


def assert_plain_refusal(error: dict[str, Any]) -> None:
    assert error["field"] != "server", error
    assert isinstance(error["field"], str), error  # the name as typed: a configure key may even be ""
    message = error["message"]
    assert "\n" not in message and len(message) < 300, error
    assert "np." not in message and "array(" not in message, error


# ----- strategies over every command and field of docs/protocol.md ---------------------------------------
def either(proper: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly values of the right kind (edges included), sometimes anything at all."""
    return st.one_of(proper, proper, hostile)


def setting_value(name: str) -> st.SearchStrategy[Any]:
    spec = FIELDS[name]
    if spec.kind in ("int", "float"):
        low, high = spec.minimum or 0, spec.maximum or 0
        return st.one_of(st.integers(int(low) - 2, int(high) + 2), st.floats(low - 1, high + 1),
                         st.sampled_from([low, high]))
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "int_list":
        return st.lists(st.integers(0, 17), max_size=10)
    return st.lists(st.sampled_from((*spec.choices, None)), max_size=10)


changes = st.one_of(
    st.dictionaries(st.sampled_from(list(FIELDS)) | st.text(max_size=6), hostile, max_size=4),
    st.fixed_dictionaries({}, optional={name: either(setting_value(name)) for name in FIELDS}),
)
counts = st.integers(-2, 102) | st.sampled_from([10**400, 2**63])
indices = st.integers(-1, 20) | st.none() | st.sampled_from([10**400, 2**63])
coordinate = st.floats(-7, 7) | st.integers(-7, 7)
rows = st.lists(st.lists(either(coordinate), min_size=2, max_size=4), max_size=12)
FIELDS_OF: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "configure": {"changes": either(changes)},
    "play": {}, "pause": {}, "reset": {}, "new_weights": {}, "regenerate_data": {},
    "step": {"unit": either(st.sampled_from(["batch", "epoch"])), "count": either(counts)},
    "set_speed": {"unit": either(st.sampled_from(["batch", "epoch"])), "count": either(counts)},
    "select_neuron": {"layer": either(indices), "index": either(indices)},
    "select_sample": {"part": either(st.sampled_from(["train", "test", "point", None])), "index": either(indices),
                      "point": either(st.lists(coordinate, min_size=2, max_size=2))},
    "edit_weight": {"layer": either(indices), "target": either(indices), "source": either(indices),
                    "value": either(st.floats(-101, 101) | st.integers(-101, 101))},
    "set_data": {"problem": either(st.sampled_from(["binary", "multiclass", "regression"])), "rows": either(rows),
                 "classes": either(st.integers(0, 8) | st.none())},
}


def command(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    extra = st.dictionaries(st.text(min_size=1, max_size=6), hostile, max_size=1)
    fields = st.fixed_dictionaries({"type": st.just(kind)},
                                   optional={**FIELDS_OF[kind], "id": either(st.integers() | st.text(max_size=70))})
    return st.builds(lambda known, unknown: {**unknown, **known}, fields, extra)


def sized(target: int) -> str:
    """A pause command padded with spaces to exactly ``target`` bytes."""
    text = '{"type": "pause"}'
    return text[:-1] + " " * (target - len(text)) + "}"


messages = st.one_of(
    st.sampled_from(list(FIELDS_OF)).flatmap(command).map(render_hostile),
    json_values().map(render),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.integers(MESSAGE_BYTES - 2, MESSAGE_BYTES + 2).map(sized),
    st.tuples(st.sampled_from(list(FIELDS_OF)).flatmap(command).map(render_hostile), st.integers(0, 200))
    .map(lambda cut: cut[0][: cut[1]]),  # cut short
)


@given(message=messages)
def test_every_message_is_answered_and_the_socket_and_session_survive(app_client: TestClient,
                                                                        message: str | bytes) -> None:
    with app_client.websocket_connect("/ws") as websocket:
        while receive_within(websocket)["type"] != "frame":
            pass
        if isinstance(message, bytes):
            websocket.send_bytes(message)
        else:
            websocket.send_text(message)
        for follow_up in ({"type": "play"}, {"type": "pause"}, END):
            websocket.send_text(json.dumps(follow_up))
        answers = answers_until_end(websocket)
        assert len(answers) >= 4, answers  # the message, play, pause and END each got theirs
        for error in (a for a in answers if a["type"] == "error"):
            assert_plain_refusal(error)
    wait_for(lambda: app_client.app.state.registry.runners, lambda runners: runners == {})  # type: ignore[attr-defined]


# ----- imports --------------------------------------------------------------------------------------------
@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> tuple[str, list[str]]:
    """The document with a few entries replaced, removed or added, as JSON text; and the paths touched."""
    touched = []
    for _ in range(draw(st.integers(1, 3))):
        node: Any = document
        path = []
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node)) if isinstance(node, dict) else st.integers(0, len(node) - 1))
            path.append(str(key))
            parent, node = node, node[key]
        if not path:
            continue
        action = draw(st.sampled_from(["replace", "replace", "delete", "extra"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=5))] = draw(hostile)
        else:
            parent[key] = draw(hostile)
        touched.append(".".join(path))
    return render_hostile(document), touched


TOP_LEVEL = {"format", "version", "config", "data", "weights", "biases", "optimizer", "counters", "epoch",
             "shuffle_rng", "history", "pins"}


@given(data=st.data())
def test_every_import_gets_a_refusal_naming_a_field_or_loads(app_client: TestClient, data: st.DataObject) -> None:
    with app_client.websocket_connect("/ws") as websocket:
        session_id = receive_within(websocket)["session_id"]
        websocket.send_text(json.dumps({"type": "step", "unit": "batch", "count": 3}))
        while (message := receive_within(websocket))["type"] != "frame" or message["step"] != 3:
            pass  # the same document every example: hypothesis replays draws against it
        document = app_client.get(f"/api/sessions/{session_id}/export").json()
        body, _ = data.draw(mutated(document))
        response = app_client.post(f"/api/sessions/{session_id}/import", content=body.encode())
        assert response.status_code in (200, 400, 413, 422), response.text
        if response.status_code != 200:
            refusal = response.json()
            root = refusal["field"].split(".")[0].split("[")[0]
            assert root in TOP_LEVEL | {"body"}, refusal
            assert_plain_refusal(refusal)
        pool = app_client.app.state.registry.pool  # type: ignore[attr-defined]
        if pool is not None:  # every request to the worker is answered (at once, or within the wait's bound)
            wait_for(lambda: all(not worker.pending for worker in pool.workers), bool)
        for follow_up in ({"type": "play"}, {"type": "pause"}, END):
            websocket.send_text(json.dumps(follow_up))
        for answer in answers_until_end(websocket):
            if answer["type"] == "error":
                assert_plain_refusal(answer)
    wait_for(lambda: app_client.app.state.registry.runners, lambda runners: runners == {})  # type: ignore[attr-defined]
