"""/metrics and /docs: served on localhost, off elsewhere unless turned on or guarded by a token."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings

ADMIN_PATHS = ("/metrics", "/docs", "/openapi.json")
TOKEN = "k3y-for.the_admin"


def statuses(**settings: Any) -> dict[str, int]:
    """Each admin page's HTTP status, and the page's, with these settings (any request headers under ``_headers``)."""
    headers = settings.pop("_headers", {})
    query = settings.pop("_query", "")
    with TestClient(create_app(Settings(allowed_hosts=("testserver",), **settings))) as client:
        return {path: client.get(f"{path}{query}", headers=headers).status_code for path in (*ADMIN_PATHS, "/")}


def test_on_localhost_the_admin_pages_are_served() -> None:
    assert set(statuses(host="127.0.0.1").values()) == {200}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7"])
def test_bound_to_a_network_the_admin_pages_are_off_by_default(host: str) -> None:
    found = statuses(host=host)
    assert found.pop("/") == 200
    assert set(found.values()) == {404}


def test_they_can_be_turned_on_or_off_whatever_the_address() -> None:
    assert set(statuses(host="0.0.0.0", admin_pages="on").values()) == {200}
    found = statuses(host="127.0.0.1", admin_pages="off")
    assert found.pop("/") == 200 and set(found.values()) == {404}


def test_a_token_guards_them_and_is_needed_on_every_request() -> None:
    found = statuses(host="0.0.0.0", admin_token=TOKEN)
    assert found.pop("/") == 200 and set(found.values()) == {401}
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert set(statuses(host="0.0.0.0", admin_token=TOKEN, _headers=bearer).values()) == {200}
    assert set(statuses(host="0.0.0.0", admin_token=TOKEN, _query=f"?token={TOKEN}").values()) == {200}
    wrong = statuses(host="127.0.0.1", admin_token=TOKEN, _headers={"Authorization": "Bearer nope"})
    assert wrong.pop("/") == 200 and set(wrong.values()) == {401}


def test_the_refusal_names_the_page_and_how_to_serve_it() -> None:
    with TestClient(create_app(Settings(host="0.0.0.0", allowed_hosts=("testserver",)))) as client:
        response = client.get("/metrics")
    assert response.status_code == 404
    assert response.json()["field"] == "path" and "NEUROPLAY_ADMIN_PAGES" in response.json()["message"]


def test_a_bad_admin_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="admin_pages"):
        Settings(admin_pages="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="admin_token"):
        Settings(admin_token="has spaces and ;")
