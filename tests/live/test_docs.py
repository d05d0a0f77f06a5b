"""/docs works offline: every asset comes from this server, under its own policy; there is no /redoc."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings
from tests.live.test_headers import directives

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


def test_the_docs_page_loads_only_local_assets(client: TestClient) -> None:
    bundle = "swagger-ui-dist-5.35.0/swagger-ui-bundle.js"
    response = client.get("/docs")
    assert response.status_code == 200
    page = response.text
    assets = ASSET.findall(page)
    assert f"/static/vendor/{bundle}" in assets
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert "fonts.googleapis" not in page and "cdn." not in page and "//" not in "".join(assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 0, asset


def test_the_vendored_bundles_keep_their_licences(client: TestClient) -> None:
    assert "Apache License" in client.get("/static/vendor/swagger-ui-dist-5.35.0/LICENSE").text


def test_there_is_no_redoc_page_which_would_ask_a_cdn_for_its_logo(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    assert client.get("/static/vendor/redoc-2.5.2/redoc.standalone.js").status_code == 404


def test_swagger_ui_may_run_its_one_inline_script_and_nothing_else(client: TestClient) -> None:
    response = client.get("/docs")
    (script,) = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", f"'sha256-{digest}'"]
    assert policy["connect-src"] == ["'self'"] and policy["frame-ancestors"] == ["'self'"]
    redirect = client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "sha256-" in redirect.headers["content-security-policy"]


def test_the_docs_allowances_stay_on_the_docs(client: TestClient) -> None:
    assert "unsafe-inline" in client.get("/docs").headers["content-security-policy"]
    for path in ("/", "/openapi.json", "/static/vendor/swagger-ui-dist-5.35.0/swagger-ui-bundle.js"):
        assert "unsafe-inline" not in client.get(path).headers["content-security-policy"], path


def test_the_docs_follow_the_base_path() -> None:
    app = create_app(Settings(base_path="/lab"))
    with TestClient(app, root_path="/lab") as proxied:
        page = proxied.get("/lab/docs").text
        assert 'src="/lab/static/vendor/swagger-ui-dist-5.35.0/swagger-ui-bundle.js"' in page
        assert "'/lab/openapi.json'" in page
