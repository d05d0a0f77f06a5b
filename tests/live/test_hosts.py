"""The Host check: only trusted names are answered, for HTTP and websocket upgrades alike."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.testclient import WebSocketDenialResponse

from app.live.hosts import OneHost, trusted_hosts
from app.live.server import create_app
from app.live.settings import Settings


@pytest.fixture(autouse=True)
def default_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests use the real default names, not the test client's ``testserver``."""
    monkeypatch.delenv("NEUROPLAY_ALLOWED_HOSTS", raising=False)


def client_for(settings: Settings, origin: str) -> TestClient:
    """A client whose requests carry ``Host`` from ``origin``, e.g. ``http://evil.example:8000``."""
    return TestClient(create_app(settings), base_url=origin)


def socket_url(origin: str) -> str:
    """The /ws address on ``origin`` (TestClient's own default host is ``testserver``)."""
    return origin.replace("http", "ws", 1) + "/ws"


def test_by_default_the_bound_host_and_loopback_names_are_answered() -> None:
    for origin in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        with client_for(Settings(), origin) as client:
            assert client.get("/healthz").status_code == 200, origin
            with client.websocket_connect(socket_url(origin), headers={"origin": origin}) as websocket:
                assert websocket.receive_json()["type"] == "hello"
    assert trusted_hosts(Settings(host="neuroplay.lan")) == ("neuroplay.lan", "localhost", "127.0.0.1", "[::1]")


def test_a_rebinding_page_is_refused_over_http_and_websocket() -> None:
    with client_for(Settings(), "http://evil.example:8000") as client:
        response = client.get("/healthz")
        assert response.status_code == 400 and response.text == "Invalid host header"
        with pytest.raises(WebSocketDenialResponse) as refused, \
                client.websocket_connect(socket_url("http://evil.example:8000"),
                                         headers={"origin": "http://evil.example:8000"}):
            pass
        assert refused.value.status_code == 400
        assert client.get("/api/sessions/x/export").status_code == 400


def test_every_interface_answers_only_loopback_names_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="neuroplay.hosts"):
        settings = Settings(host="0.0.0.0")
        with client_for(settings, "http://localhost:8000") as client:
            assert client.get("/healthz").status_code == 200
        with client_for(settings, "http://192.168.1.20:8000") as client:
            assert client.get("/healthz").status_code == 400
    assert "NEUROPLAY_ALLOWED_HOSTS" in caplog.text


def test_listed_names_replace_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROPLAY_ALLOWED_HOSTS", "school.example, *.lab.example, 2001:db8::5")
    settings = Settings(host="0.0.0.0")
    assert settings.allowed_hosts == ("school.example", "*.lab.example", "[2001:db8::5]")
    for origin, status in (("http://school.example", 200), ("https://room4.lab.example:8443", 200),
                           ("http://[2001:db8::5]:8000", 200), ("http://localhost:8000", 400),
                           ("http://lab.example.evil.example", 400)):
        with client_for(settings, origin) as client:
            assert client.get("/healthz").status_code == status, origin
            if status == 200:
                with client.websocket_connect(socket_url(origin), headers={"origin": origin}) as websocket:
                    assert websocket.receive_json()["type"] == "hello"


def test_a_json_list_works_too_and_bad_names_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROPLAY_ALLOWED_HOSTS", '["a.example", "B.Example"]')
    assert Settings().allowed_hosts == ("a.example", "b.example")
    for bad in ("http://a.example", "a.example:8000", "a.*.example", "a b"):
        monkeypatch.setenv("NEUROPLAY_ALLOWED_HOSTS", bad)
        with pytest.raises(ValidationError, match="allowed_hosts"):
            Settings()


def test_two_host_headers_are_refused_over_http_and_websocket() -> None:
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").status_code == 200
        twice = [("host", "127.0.0.1"), ("host", "evil.example")]
        assert client.get("/healthz", headers=twice).status_code == 400
        assert client.get("/healthz", headers=twice[::-1]).status_code == 400
    sent: list[dict[str, Any]] = []

    async def upgrade() -> None:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            raise AssertionError("a websocket with two Host headers reached the app")

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "websocket", "path": "/ws", "headers": [(b"host", b"127.0.0.1"), (b"host", b"evil.example")]}
        await OneHost(app)(scope, None, send)  # type: ignore[arg-type]

    asyncio.run(upgrade())
    assert sent == [{"type": "websocket.close", "code": 1008}]
