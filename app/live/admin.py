"""Who may read the operator's pages: ``/metrics``, ``/docs`` and ``/openapi.json``.

They tell how busy the server is and describe every endpoint: fine on a teacher's own laptop,
not something every student on a school network needs. ``NEUROPLAY_ADMIN_PAGES`` says whether
they are served: ``auto`` (the default) serves them when the server is bound to a loopback
address only, ``on`` always, ``off`` never. ``NEUROPLAY_ADMIN_TOKEN``, when set, turns them on
(unless ``off``) for requests that carry it: ``Authorization: Bearer TOKEN`` or ``?token=TOKEN``.
A page that is off answers 404, one asked without the token 401.
"""

from __future__ import annotations

import hmac
import json
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.live.settings import Settings

ADMIN_PATHS = ("/metrics", "/docs", "/docs/oauth2-redirect", "/openapi.json")  # the gated pages
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")  # bound hosts only this machine can reach
NOT_SERVED = "is not served here; set NEUROPLAY_ADMIN_PAGES=on or NEUROPLAY_ADMIN_TOKEN to serve it"
NEEDS_TOKEN = "needs the admin token: Authorization: Bearer TOKEN, or ?token=TOKEN"


def admin_pages_on(settings: Settings) -> bool:
    """Whether the admin pages are served at all (with or without a token)."""
    if settings.admin_pages != "auto":
        return settings.admin_pages == "on"
    return bool(settings.admin_token) or settings.host in LOOPBACK_HOSTS


def has_token(scope: Scope, token: str) -> bool:
    """Whether the request carries ``token`` (compared in constant time)."""
    given = Headers(scope=scope).get("authorization", "")
    offered = given.removeprefix("Bearer ").strip() if given.startswith("Bearer ") else ""
    if not offered:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        offered = (query.get("token") or [""])[0]
    return bool(offered) and hmac.compare_digest(offered.encode(), token.encode())


class AdminPages:
    """ASGI middleware: the admin pages answer 404 when off, 401 without the token when one is set."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.is_on = admin_pages_on(settings)
        self.token = settings.admin_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        if path not in ADMIN_PATHS or (self.is_on and (not self.token or has_token(scope, self.token))):
            await self.app(scope, receive, send)
            return
        status, message = (404, NOT_SERVED) if not self.is_on else (401, NEEDS_TOKEN)
        body = json.dumps({"field": "path", "message": f"{path} {message}"}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store")]
        if status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="neuroplay admin"'))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
