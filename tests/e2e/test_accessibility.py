"""The page meets axe-core's rules (no serious or critical finding) and the strict policy holds."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.accessibility import assert_accessible, violations

COLLECT_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`));"""


def test_the_page_is_accessible_once_the_first_frame_is_drawn(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,2,1")
    assert_accessible(page)


def test_the_checker_finds_what_it_should(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,2,1")
    page.evaluate("""() => {
        const button = document.createElement("button");
        document.querySelector("main").append(button);  // a button with no name
    }""")
    assert any(v["id"] == "button-name" and v["impact"] == "critical" for v in violations(page))


def test_the_page_runs_under_its_policy_without_a_violation(page: Page) -> None:
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto("/")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,2,1")
    page.get_by_role("button", name="Pause").click()
    assert page.evaluate("() => window.__violations") == []


def test_the_api_docs_render_offline_under_their_policy(page: Page, base_url: str) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.evaluate("() => window.__violations") == []
    assert errors == []
    assert [url for url in requests if not url.startswith((base_url, "data:", "blob:"))] == []
