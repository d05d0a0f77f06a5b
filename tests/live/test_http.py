"""The HTTP side: page, health, options, export and import, base path."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation


def test_the_page_loads_one_module_and_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/").text
    assert page.count('<script type="module"') == 1 and "/static/js/main.js" in page
    # The catalogue's data block is words, not addresses to load (a hint names an example address).
    markup = re.sub(r'<script type="application/json" id="catalogue">.*?</script>', "", page, flags=re.S)
    assert markup != page and "http://" not in markup and "https://" not in markup
    assert client.get("/static/js/main.js").status_code == 200


def test_health_counts_sessions(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "sessions": 0, "detached": 0, "rooms": 0,
                                             "broker": "local", "workers": 0, "workers_expected": 0}


def test_options_match_the_hello(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        hello = json.loads(websocket.receive_text())
    options = client.get("/api/options").json()
    connection = ("type", "session_id", "role", "resume", "paused_while_away", "room", "language")
    assert {k: v for k, v in hello.items() if k not in connection} == options


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/sessions/{session_id}/import" in paths


def test_export_then_import_resumes_the_run(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        session_id = talk.until_type("hello")["session_id"]
        talk.send({"type": "step", "unit": "epoch", "count": 3})
        trained = talk.frame(lambda f: f["epoch"] == 3)
        exported = client.get(f"/api/sessions/{session_id}/export")
        assert exported.status_code == 200
        assert "attachment" in exported.headers["content-disposition"]
        assert exported.headers["cache-control"] == "no-store"  # weights stay out of shared caches
        elsewhere = {"Origin": "http://evil.example"}
        refused = client.post(f"/api/sessions/{session_id}/import", content=exported.content, headers=elsewhere)
        assert (refused.status_code, refused.json()["field"]) == (403, "origin")
        own = {"Origin": "http://testserver"}
        assert client.post(f"/api/sessions/{session_id}/import", content=exported.content, headers=own).is_success
        talk.send({"type": "reset"})
        talk.frame(lambda f: f["step"] == 0)
        imported = client.post(f"/api/sessions/{session_id}/import", content=exported.content)
        assert imported.json() == {"status": "paused", "dataset": "circle", "sizes": [2, 4, 2, 1], "step": 75}
        assert talk.until_type("session")["changed"] == ["import"]
        restored = talk.frame(lambda f: f["step"] == 75)
        assert (restored["arrays"]["weights"] == trained["arrays"]["weights"]).all()


@pytest.mark.parametrize(("body", "status", "field"), [
    (b"not json", 400, "body"),
    (b"[1, 2]", 400, "body"),
    (json.dumps({"format": "something else"}).encode(), 422, "format"),
    (json.dumps({"format": "neuroplay-experiment", "version": 99}).encode(), 422, "version"),
    (json.dumps({"format": "neuroplay-experiment", "version": 1}).encode(), 422, "data"),
    (b"[" * 1000 + b"]" * 1000, 400, "body"),
    (b'{"format": ' + b"[" * 1000 + b"]" * 1000 + b"}", 400, "body"),
])
def test_a_bad_import_is_refused_and_changes_nothing(client: TestClient, body: bytes, status: int, field: str) -> None:
    with client.websocket_connect("/ws") as websocket:
        session_id = json.loads(websocket.receive_text())["session_id"]
        response = client.post(f"/api/sessions/{session_id}/import", content=body)
        assert response.status_code == status and response.json()["field"] == field
        assert client.get(f"/api/sessions/{session_id}/export").json()["counters"]["step"] == 0


def test_an_oversized_import_is_refused() -> None:
    with TestClient(create_app(Settings(max_import_bytes=2048))) as small, small.websocket_connect("/ws") as ws:
        session_id = json.loads(ws.receive_text())["session_id"]
        response = small.post(f"/api/sessions/{session_id}/import", content=b"{" + b" " * 4096 + b"}")
        assert response.status_code == 413 and "2048" in response.json()["message"]


def test_an_unknown_session_is_404(client: TestClient) -> None:
    assert client.get("/api/sessions/nope/export").status_code == 404
    assert client.post("/api/sessions/nope/import", content=b"{}").json()["field"] == "session_id"


def test_a_base_path_prefixes_the_page_links() -> None:
    app = create_app(Settings(base_path="/lab/neuroplay"))
    with TestClient(app, root_path="/lab/neuroplay") as proxied:
        page = proxied.get("/lab/neuroplay/").text
        assert 'src="/lab/neuroplay/static/js/main.js"' in page
        assert proxied.get("/lab/neuroplay/healthz").json()["status"] == "ok"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUROPLAY_PORT", "9123")
    monkeypatch.setenv("NEUROPLAY_MAX_FPS", "30")
    settings = Settings()
    assert (settings.port, settings.max_fps) == (9123, 30)
    monkeypatch.setenv("NEUROPLAY_MAX_FPS", "1000")
    with pytest.raises(ValueError, match="max_fps"):
        Settings()


HUGE = "1" + "0" * 400  # a JSON integer no float can hold


@pytest.mark.parametrize(("path", "field"), [
    (("weights", 0, 1, 0), "weights[0][1][0]"), (("data", "rows", 3, 1), "data.rows"),
    (("config", "noise"), "config.noise"), (("optimizer", "t"), "optimizer.t"),
    (("epoch", "cursor"), "epoch.cursor"), (("counters", "examples"), "counters.examples"),
])
def test_an_import_with_a_huge_integer_gets_a_422_naming_the_field(
        client: TestClient, path: tuple[str | int, ...], field: str) -> None:
    with client.websocket_connect("/ws") as websocket:
        session_id = json.loads(websocket.receive_text())["session_id"]
        document = client.get(f"/api/sessions/{session_id}/export").json()
        *parents, last = path
        node = document
        for key in parents:
            node = node[key]
        node[last] = "HUGE"
        body = json.dumps(document).replace('"HUGE"', HUGE)
        response = client.post(f"/api/sessions/{session_id}/import", content=body)
        assert (response.status_code, response.json()["field"]) == (422, field)
        assert "integer of 401 digits" in response.json()["message"]
def test_a_class_qr_code_is_an_svg_file_an_img_can_show(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        talk.until_type("hello")
        talk.send({"type": "present"})
        room = talk.until_type("room")
        response = client.get(room["qr_path"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.attrib["width"]) > 0
