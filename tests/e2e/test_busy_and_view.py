"""What the page tells the server it shows (`view`), and the busy-server line.

The page's socket goes through Playwright's websocket route, which passes every message on and
records the page's commands; the busy notices are the server's own message, handed to the page by
the route (a real busy server cannot be made on demand). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

READY = '#connection[data-state="open"]'
SERVER_MS = 10_000  # how long a server echo may take on a loaded machine
SIZES = {"laptop": {"viewport": {"width": 1280, "height": 800}},
         "desktop": {"viewport": {"width": 1920, "height": 1080}},
         "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}}
BUSY = {"type": "notice", "topic": "busy", "state": "busy", "fps": 18, "asked_fps": 60,
        "message": "Busy server: 18 frames a second"}
PACED = {**BUSY, "fps": 6, "keeps_pace": True, "key": "busy.line_paced", "args": {"count": 6}}
OK = {"type": "notice", "topic": "busy", "state": "ok", "fps": None, "asked_fps": None,
      "message": "The server keeps up again"}


HIDE_TAB = """() => {
    Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
    document.dispatchEvent(new Event("visibilitychange"));
}"""  # what the browser does when the tab goes to the background


class Relay:
    """Every socket of the page through a route that records the page's commands."""

    def __init__(self, page: Page) -> None:
        self.commands: list[dict[str, Any]] = []
        self.routes: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws(\?|$)"), self.handle)

    def handle(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        route.on_message(lambda message: (self.commands.append(json.loads(message)), server.send(message)))
        server.on_message(route.send)
        self.routes.append(route)

    def views(self) -> list[tuple[bool, bool]]:
        return [(c["visible"], c["maps"]) for c in self.commands if c.get("type") == "view"]


def open_page(browser: Browser, base_url: str, size: str) -> tuple[Page, Relay]:
    context = browser.new_context(base_url=base_url, **SIZES[size])
    context.add_init_script("localStorage.setItem('neuroplay.freePlay', '1')")
    page = context.new_page()
    relay = Relay(page)
    page.goto("/")
    expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
    return page, relay


@pytest.mark.parametrize("size", list(SIZES))
def test_busy_line_shows_the_servers_figure_and_goes_when_it_recovers(browser: Browser, base_url: str,
                                                                      artifacts: Path, size: str) -> None:
    page, relay = open_page(browser, base_url, size)
    line = page.locator("#busy")
    expect(line).to_be_hidden()
    relay.routes[-1].send(json.dumps(BUSY))
    expect(line).to_have_text("Busy server: 18 frames a second", timeout=SERVER_MS)
    expect(page.locator("#banner")).not_to_contain_text("Busy server")  # the line, not a banner message
    page.screenshot(path=artifacts / f"busy-line-{size}.png")
    relay.routes[-1].send(json.dumps(PACED))  # the server trains the frames it cannot send
    expect(line).to_have_text("Busy server: 6 frames a second · training keeps its speed", timeout=SERVER_MS)
    box = line.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["viewport"]["width"]
    page.screenshot(path=artifacts / f"busy-line-paced-{size}.png")
    relay.routes[-1].send(json.dumps(OK))
    expect(line).to_be_hidden(timeout=SERVER_MS)
    page.context.close()


def test_a_phone_says_when_the_neuron_maps_scroll_away_and_back(browser: Browser, base_url: str) -> None:
    page, relay = open_page(browser, base_url, "phone")
    network = page.locator("#network")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => { const r = document.querySelector('#network').getBoundingClientRect();"
                           " return r.bottom < 0 || r.top > innerHeight; }", timeout=SERVER_MS)
    _until(page, lambda: relay.views()[-1:] == [(True, False)])
    network.scroll_into_view_if_needed()
    _until(page, lambda: relay.views()[-1:] == [(True, True)])
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    _until(page, lambda: relay.views()[-1:] == [(True, False)])
    page.evaluate(HIDE_TAB)
    _until(page, lambda: relay.views()[-1:] == [(False, False)])
    page.context.close()


def _until(page: Page, condition: Any, timeout_ms: int = SERVER_MS) -> None:
    """Wait (polling, bounded) until ``condition()`` holds; fail with what was seen."""
    waited = 0
    while not condition():
        if waited >= timeout_ms:
            raise AssertionError("the condition never held")
        page.wait_for_timeout(50)
        waited += 50
