"""Fixtures for conversations with the real app over TestClient's websocket."""

from __future__ import annotations

import json
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings

MAX_MESSAGES = 2000  # a conversation gives up waiting after this many messages (about a minute of frames)
WAIT_SECONDS = 15.0  # wait_for gives up after this long (a failure bound, not a timing claim)
T = TypeVar("T")


def wait_for(get: Callable[[], T], predicate: Callable[[T], bool]) -> T:
    """Poll ``get`` until its value satisfies ``predicate``; fails after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = get()
        if predicate(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {WAIT_SECONDS:g} s")
        time.sleep(0.02)


def strict_json(text: str | bytes) -> Any:
    """json.loads that refuses NaN and Infinity, as the browser's JSON.parse does."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in a message")

    return json.loads(text, parse_constant=refuse)


def decode_binary(data: bytes) -> dict[str, Any]:
    """The header of a binary message, with its arrays decoded as numpy arrays under "arrays"."""
    (length,) = struct.unpack("<I", data[:4])
    header = strict_json(data[4 : 4 + length])
    payload = 4 + length + (-(4 + length) % 4)
    arrays = {}
    for entry in header["arrays"]:
        start = payload + entry["offset"]
        arrays[entry["name"]] = np.frombuffer(data, dtype=entry["dtype"], count=entry["length"], offset=start)
    return {**header, "arrays": arrays}


class Conversation:
    """A websocket client that decodes every message and can wait for one that matches."""

    def __init__(self, websocket: Any) -> None:
        self.websocket = websocket

    def send(self, command: dict[str, Any] | str) -> None:
        self.websocket.send_text(command if isinstance(command, str) else json.dumps(command))

    def receive(self) -> dict[str, Any]:
        """The next message, decoded; a close from the server comes back as {"type": "close", "code": …}."""
        return self.decode(self.websocket.receive())

    @staticmethod
    def decode(message: dict[str, Any]) -> dict[str, Any]:
        """A raw ASGI websocket message as a dict: JSON decoded, binary envelopes unpacked."""
        if message["type"] == "websocket.close":
            return {"type": "close", "code": message.get("code")}
        if message.get("text") is not None:
            return dict(strict_json(message["text"]))
        return decode_binary(message["bytes"])

    def until(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first message that satisfies ``predicate``."""
        for _ in range(MAX_MESSAGES):
            message = self.receive()
            if predicate(message):
                return message
        raise AssertionError("no matching message arrived")

    def until_type(self, kind: str) -> dict[str, Any]:
        return self.until(lambda m: m["type"] == kind)

    def error(self) -> dict[str, Any]:
        return self.until_type("error")

    def frame(self, predicate: Callable[[dict[str, Any]], bool] = lambda m: True) -> dict[str, Any]:
        return self.until(lambda m: m["type"] == "frame" and predicate(m))


C = TypeVar("C", bound=Conversation)


@contextmanager
def opened(client: TestClient, path: str = "/ws", kind: type[C] = Conversation) -> Iterator[C]:  # type: ignore[assignment]
    """A socket of ``kind`` past its hello (kept in ``talk.hello``)."""
    with client.websocket_connect(path) as websocket:
        talk = kind(websocket)
        talk.hello = talk.until_type("hello")  # type: ignore[attr-defined]
        yield talk


@pytest.fixture(autouse=True)
def sessions_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Train in the test process unless a test asks for worker processes (tests/live/test_workers.py)."""
    monkeypatch.setenv("NEUROPLAY_WORKERS", "0")


@pytest.fixture(autouse=True)
def answer_the_test_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """TestClient sends ``Host: testserver``; tests of the default names delete this (test_hosts.py)."""
    monkeypatch.setenv("NEUROPLAY_ALLOWED_HOSTS", "testserver")


@pytest.fixture
def settings() -> Settings:
    """Server settings for tests: defaults, a small command size limit to test it cheaply."""
    return Settings(max_message_bytes=64 * 1024)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def conversation(client: TestClient) -> Iterator[Conversation]:
    """A connected socket, past hello, session, dataset and the first frame."""
    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.hello = talk.until_type("hello")  # type: ignore[attr-defined]
        talk.frame()
        yield talk
