"""Which names the server answers to: the ``Host`` header is checked before anything else.

A page on another site can point its own domain at this server's address
(DNS rebinding); its requests then carry that domain in ``Host``, and a
same-origin check that trusts ``Host`` lets them in. Answering only the
names the deployer lists closes that door, for HTTP and websockets alike.

With no ``NEUROPLAY_ALLOWED_HOSTS``, the names are the bound host plus the
loopback names. A server bound to every interface (``0.0.0.0`` or ``::``)
then answers only on loopback names until its deployer lists the names
clients use: a wrong guess would open the door again.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.live.settings import Settings, host_pattern

LOG = logging.getLogger("neuroplay.hosts")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")  # always answered when no names are listed
EVERY_INTERFACE = ("0.0.0.0", "::", "")  # bound hosts that are no name a client would use


def trusted_hosts(settings: Settings) -> tuple[str, ...]:
    """The Host patterns answered: the configured ones, or the bound host and the loopback names."""
    if settings.allowed_hosts:
        return settings.allowed_hosts
    bound = () if settings.host in EVERY_INTERFACE else (host_pattern(settings.host),)
    return tuple(dict.fromkeys((*bound, *LOOPBACK_NAMES)))


def check_hosts(app: FastAPI, settings: Settings) -> None:
    """Refuse (400) every request, websocket upgrades included, whose Host is not a trusted name."""
    if not settings.allowed_hosts and settings.host in EVERY_INTERFACE:
        LOG.warning("NEUROPLAY_HOST=%s answers only localhost, 127.0.0.1 and ::1 until NEUROPLAY_ALLOWED_HOSTS "
                    "lists the names clients use", settings.host or "''")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(trusted_hosts(settings)), www_redirect=False)
    app.add_middleware(OneHost)  # outside the name check: it reads only the first Host header


class OneHost:
    """ASGI middleware: a request with more than one Host header is refused (400), whatever they say.

    Two Host headers make every check ambiguous: one layer may read the first, another the last.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and sum(name == b"host" for name, _ in scope["headers"]) > 1:
            if scope["type"] == "websocket":  # refused before the upgrade, as the name check does
                await send({"type": "websocket.close", "code": 1008})
                return
            await PlainTextResponse("Invalid host header: more than one", status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)
