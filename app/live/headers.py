"""Security headers on every HTTP response: a strict Content-Security-Policy and friends.

The page loads only its own files and runs no inline script, so its policy
allows ``'self'`` and nothing else, plus the websocket back to the host the
page came from. A route with other needs (the API docs, app/live/docs.py)
sets its own ``Content-Security-Policy``, which is kept; every other header
here is set on every response. ``frame-ancestors`` comes from the settings,
so a school's learning platform can embed the page.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The page's policy, directive by directive; "{host}" is the (already trusted) Host header.
PAGE_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",  # the one module entry and its imports, no inline script
    "style-src": "'self'",  # stylesheets only; views set positions through element.style, which CSP allows
    "img-src": "'self' data:",  # the favicon; canvases draw the rest
    "connect-src": "'self' ws://{host} wss://{host}",  # fetches and the /ws socket to this host
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
HOST_HEADER = re.compile(r"([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?", re.IGNORECASE)  # fit for a CSP source
OTHER_HEADERS = {
    "x-content-type-options": "nosniff",  # a JSON or text reply is never run as a script or a page
    "referrer-policy": "no-referrer",  # a session id in an address never leaks to another site
}


def policy(directives: dict[str, str], frame_ancestors: str) -> str:
    """A Content-Security-Policy header value from directives and the frame-ancestors setting."""
    return "; ".join(f"{name} {value}" for name, value in {**directives, "frame-ancestors": frame_ancestors}.items())


class SecurityHeaders:
    """ASGI middleware: adds the headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, frame_ancestors: str) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        is_usable = HOST_HEADER.fullmatch(host) is not None
        page_policy = policy(self.page_directives(host if is_usable else None), self.frame_ancestors)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", page_policy)
                for name, value in OTHER_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def page_directives(host: str | None) -> dict[str, str]:
        """The page's directives for a request to ``host`` (the Host header: name and port, if any)."""
        if host is None:  # no usable Host header: the request is refused anyway
            return {**PAGE_POLICY, "connect-src": "'self'"}
        return {name: value.format(host=host) for name, value in PAGE_POLICY.items()}
