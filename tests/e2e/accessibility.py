"""``assert_accessible(page)``: axe-core's serious and critical findings on whatever the page shows.

axe-core (npm axe-core 4.14.1, vendored with its licences in tests/e2e/vendor/)
is served to the page from the page's own origin by Playwright's router, so
it loads under the page's real Content-Security-Policy, which allows only
'self' scripts. Any page can be checked: the follower page or projector
mode only need their own test that opens them and calls this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route

AXE = Path(__file__).resolve().parent / "vendor/axe-core-4.14.1/axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"  # where the page fetches axe; only the test's router answers it
BLOCKING = ("serious", "critical")  # the impacts that fail a test
RUN_AXE = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


def violations(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now: id, impact, help and up to five elements."""
    parts = urlsplit(page.url)
    url = f"{parts.scheme}://{parts.netloc}{AXE_PATH}"

    def serve_axe(route: Route) -> None:
        route.fulfill(path=AXE, content_type="text/javascript")

    page.route(url, serve_axe)
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url=url)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


def assert_accessible(page: Page) -> None:
    """Fail, listing them, on any serious or critical violation."""
    blocking = [v for v in violations(page) if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(f"{v['impact']}: {v['id']}: {v['help']} at {v['nodes']}" for v in blocking)
