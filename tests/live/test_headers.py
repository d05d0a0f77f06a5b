"""Security headers: a strict policy on the page, and the same headers on every response."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.live.server import create_app
from app.live.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy value as {directive: [sources]}."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def test_the_page_policy_allows_only_this_server(client: TestClient) -> None:
    policy = directives(client.get("/").headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert not any("unsafe" in source or "*" in source for sources in policy.values() for source in sources)


def test_the_websocket_source_keeps_the_port() -> None:
    with TestClient(create_app(Settings(allowed_hosts=("localhost",))), base_url="http://localhost:8105") as client:
        policy = directives(client.get("/").headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", "ws://localhost:8105", "wss://localhost:8105"]


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/options", "/static/js/main.js", "/nowhere",
                                  "/api/sessions/nope/export"])
def test_every_response_has_the_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'self'" in headers["content-security-policy"]


def test_a_refused_host_still_gets_the_headers_but_never_its_name_in_the_policy() -> None:
    with TestClient(create_app(Settings()), base_url="http://evil;script-src") as client:
        response = client.get("/")
    assert response.status_code == 400 and response.headers["x-content-type-options"] == "nosniff"
    assert "evil" not in response.headers["content-security-policy"]


def test_frame_ancestors_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROPLAY_FRAME_ANCESTORS", "'self' https://lms.example.org")
    with TestClient(create_app(Settings())) as client:
        policy = directives(client.get("/").headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'self'", "https://lms.example.org"]
    for bad in ("https://a.example; script-src *", "a,b", "x\r\ny"):
        monkeypatch.setenv("NEUROPLAY_FRAME_ANCESTORS", bad)
        with pytest.raises(ValidationError, match="frame_ancestors"):
            Settings()


def test_the_page_and_styles_need_no_inline_allowance() -> None:
    page = (ROOT / "templates/index.html").read_text()
    # A data block (type="application/json": the page's catalogue) is never run, so CSP's script-src does not apply.
    scripts = [tag for tag in re.findall(r"<script[^>]*>", page) if 'type="application/json"' not in tag]
    assert scripts and all('src="' in tag for tag in scripts), "every script is a file"
    assert re.search(r"<style|\sstyle=|\son[a-z]+=", page) is None, "no inline style or handler"
    scripts = "\n".join(path.read_text() for path in (ROOT / "static/js").rglob("*.js"))
    # Setting element.style is CSSOM, which CSP allows; a style attribute or markup string is not.
    assert re.search(r"setAttribute\(\s*[\"']style|innerHTML|outerHTML|insertAdjacentHTML|\beval\(|new Function",
                     scripts) is None
