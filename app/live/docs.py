"""The API documentation page, ``/docs`` (Swagger UI), served from our own files.

FastAPI's own page loads its scripts from a CDN and fonts from Google, so it
is blank offline. This is FastAPI's documented self-hosted page, with the
bundle vendored in ``static/vendor/`` (version in the folder name, licence
beside it). It needs more than the page's strict policy: Swagger UI starts
from one inline script, allowed by its hash, and injects styles. Those
allowances are set on these routes only. There is no ``/redoc``: Redoc's
bundle always asks its maker's CDN for a logo, and nothing here may reach
outside the server.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from app.live.headers import PAGE_POLICY, policy

SWAGGER_UI = "vendor/swagger-ui-dist-5.35.0"  # npm swagger-ui-dist, under static/
FAVICON = "favicon.svg"  # under static/
OAUTH2_REDIRECT = "/docs/oauth2-redirect"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
DOCS_POLICY = {
    **PAGE_POLICY,
    "style-src": "'self' 'unsafe-inline'",  # the bundle injects <style> elements
    "connect-src": "'self'",  # it fetches /openapi.json and nothing else
}


def docs_response(response: HTMLResponse, frame_ancestors: str) -> HTMLResponse:
    """The page with its policy: the docs directives, plus the hash of each inline script it has."""
    body = bytes(response.body).decode()
    hashes = " ".join(f"'sha256-{_digest(script)}'" for script in INLINE_SCRIPT.findall(body))
    directives = {**DOCS_POLICY, "script-src": f"'self' {hashes}".strip()}
    response.headers["content-security-policy"] = policy(directives, frame_ancestors)
    return response


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def add_docs_routes(app: FastAPI, frame_ancestors: str) -> None:
    """Serve /docs and its OAuth2 redirect page (the app is built with docs_url=redoc_url=None)."""

    def static(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}/static/{path}"

    def openapi_url(request: Request) -> str:
        return f"{request.scope.get('root_path', '')}{app.openapi_url}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return docs_response(get_swagger_ui_html(
            openapi_url=openapi_url(request),
            title=f"{app.title}: API",
            swagger_js_url=static(request, f"{SWAGGER_UI}/swagger-ui-bundle.js"),
            swagger_css_url=static(request, f"{SWAGGER_UI}/swagger-ui.css"),
            swagger_favicon_url=static(request, FAVICON),
            oauth2_redirect_url=f"{request.scope.get('root_path', '')}{OAUTH2_REDIRECT}",
        ), frame_ancestors)

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return docs_response(get_swagger_ui_oauth2_redirect_html(), frame_ancestors)
