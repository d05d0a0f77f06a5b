"""Runs that survive a reload, and a class: a presenter presents, followers watch read-only,
fork their own copy and come back, the presenter reloads without losing the class, projector
mode fills a wall, and a wrong code says so. Each browser context is one person's browser;
screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_page import output_pixels

READY = '#connection[data-state="open"]'
EPOCH = '[data-counter="epoch"]'
FOLLOW_LINE = ".follow-line"
WATCHING = "[data-watching]"
SERVER_MS = 10_000  # how long a server echo may take on a busy machine
CODE_PATTERN = r"[A-HJ-NP-Z2-9]{6}"  # docs/protocol.md: no 0/O, 1/I/L
UNKNOWN_CODE = "ZZZZZZ"  # a well-formed code no class has


def wait_ready(page: Page) -> None:
    """The socket is open and the first frame is drawn."""
    page.wait_for_selector(READY, state="attached")
    page.wait_for_selector("#heatmap canvas[data-seq]", state="attached", timeout=SERVER_MS)


def epoch(page: Page) -> int:
    return int(page.locator(EPOCH).inner_text().replace(",", ""))


def train_epochs(page: Page, count: int) -> int:
    """Step `count` epochs by hand, waiting for each echo; returns the epoch reached."""
    start = epoch(page)
    for done in range(1, count + 1):
        page.get_by_role("button", name="Step epoch").click()
        page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).textContent.replace(/,/g, '')) >= n",
                               arg=[EPOCH, start + done], timeout=SERVER_MS)
    return epoch(page)


@pytest.fixture
def follower(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second person's browser (its own sessionStorage), not yet on any page."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def present(page: Page) -> str:
    """Press Present on a trained page; returns the follower link's path, read from the panel."""
    page.get_by_role("button", name="Present").click()
    link = page.locator("a.join-link")
    expect(link).to_be_visible(timeout=SERVER_MS)
    expect(page.locator(".join-code")).to_have_text(re.compile(f"^{CODE_PATTERN}$"))
    href = link.get_attribute("href")
    assert href and re.fullmatch(f"/join/{CODE_PATTERN}", href), href
    return href


def join(follower: Page, href: str) -> None:
    follower.goto(href)
    wait_ready(follower)
    expect(follower.locator(FOLLOW_LINE)).to_have_text(
        re.compile(rf"^Following class {CODE_PATTERN} · 1 watching$"), timeout=SERVER_MS)


def test_a_reload_continues_the_run_with_its_chart(page: Page) -> None:
    page.goto("/")
    wait_ready(page)
    reached = train_epochs(page, 3)
    assert reached >= 3
    expect(page.locator(".chart-canvas")).not_to_have_attribute("data-points", re.compile("^[01]$"))
    page.reload()
    wait_ready(page)
    expect(page.locator(EPOCH)).to_have_text(f"{reached:07,}", timeout=SERVER_MS)
    expect(page.locator("#banner")).to_contain_text(f"Resumed at epoch {reached}", timeout=SERVER_MS)
    expect(page.locator(".chart-canvas")).to_have_attribute("data-points", re.compile(r"^([2-9]|\d\d+)$"))


def test_a_run_opened_in_another_tab_can_be_taken_back(page: Page, follower: Page) -> None:
    page.goto("/")
    wait_ready(page)
    reached = train_epochs(page, 1)
    session_id = page.evaluate("sessionStorage.getItem('neuroplay.session')")
    follower.add_init_script(f"sessionStorage.setItem('neuroplay.session', {session_id!r})")
    follower.goto("/")
    wait_ready(follower)
    expect(follower.locator(EPOCH)).to_have_text(f"{reached:07,}", timeout=SERVER_MS)
    expect(page.locator("#banner")).to_contain_text("This run is open in another tab", timeout=SERVER_MS)
    page.get_by_role("button", name="Take it back here").click()
    expect(page.locator("#banner")).to_contain_text(f"Resumed at epoch {reached}", timeout=SERVER_MS)
    expect(follower.locator("#banner")).to_contain_text("This run is open in another tab", timeout=SERVER_MS)


def test_a_class_follows_the_presenter_read_only(page: Page, follower: Page, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    wait_ready(page)
    href = present(page)
    join(follower, href)
    expect(page.locator(WATCHING)).to_have_text("1 watching", timeout=SERVER_MS)
    before, start = output_pixels(follower), epoch(follower)

    page.get_by_role("button", name="Play").click()
    follower.wait_for_function("([sel, n]) => Number(document.querySelector(sel).textContent.replace(/,/g, '')) > n",
                               arg=[EPOCH, start + 2], timeout=SERVER_MS)
    follower.wait_for_function("""(before) => {
        const canvas = document.querySelector('#heatmap canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let hash = 0;
        for (let i = 0; i < data.length; i += 97) hash = (hash * 31 + data[i]) | 0;
        return hash !== before;
    }""", arg=before, timeout=SERVER_MS)
    page.get_by_role("button", name="Pause").click()
    expect(follower.locator(".chart-canvas")).not_to_have_attribute("data-points", re.compile("^[01]$"))

    # The run's controls are disabled and not shown at all (tests/e2e/test_layout.py measures the page).
    for control in [follower.locator(".play-btn"),
                    follower.get_by_role("button", name="Step epoch", include_hidden=True),
                    follower.get_by_role("button", name="Reset", include_hidden=True),
                    follower.locator('[data-field="learning_rate"] select'),
                    follower.get_by_role("button", name="Add a hidden layer", include_hidden=True),
                    follower.locator('[data-dataset="xor"]')]:
        expect(control).to_be_disabled()
        expect(control).to_have_attribute("aria-disabled", "true")
        expect(control).to_be_hidden()
    expect(follower.get_by_role("button", name="Present")).to_be_hidden()
    page.locator(".presenter").screenshot(path=artifacts / "classroom-presenter-panel.png")
    page.screenshot(path=artifacts / "classroom-presenter.png")
    follower.screenshot(path=artifacts / "classroom-follower.png")

    page.get_by_role("button", name="End class").click()
    expect(follower.locator(FOLLOW_LINE)).to_have_text("The class has ended", timeout=SERVER_MS)
    follower.get_by_role("link", name="Start your own run").click()
    expect(follower).to_have_url(re.compile(r"/#?$"))
    wait_ready(follower)
    expect(follower.locator(".play-btn")).to_be_enabled()


def test_a_follower_forks_trains_alone_and_goes_back_to_class(page: Page, follower: Page, artifacts: Path) -> None:
    page.goto("/")
    wait_ready(page)
    class_epoch = train_epochs(page, 2)
    join(follower, present(page))
    expect(follower.locator(EPOCH)).to_have_text(f"{class_epoch:07,}", timeout=SERVER_MS)

    follower.get_by_role("button", name="Try it myself").click()
    expect(follower.get_by_role("button", name="Back to class")).to_be_visible(timeout=SERVER_MS)
    expect(follower.locator(FOLLOW_LINE)).to_have_text(re.compile(rf"^Your own copy of class {CODE_PATTERN}$"))
    expect(follower.get_by_role("button", name="Step epoch")).to_be_enabled(timeout=SERVER_MS)
    own_epoch = train_epochs(follower, 2)
    assert own_epoch == class_epoch + 2
    assert epoch(page) == class_epoch

    follower.reload()
    wait_ready(follower)
    expect(follower.locator(EPOCH)).to_have_text(f"{own_epoch:07,}", timeout=SERVER_MS)
    expect(follower.get_by_role("button", name="Back to class")).to_be_visible()

    follower.get_by_role("button", name="Back to class").click()
    expect(follower.locator(FOLLOW_LINE)).to_have_text(re.compile(r"^Following class .* · 1 watching$"),
                                                       timeout=SERVER_MS)
    expect(follower.locator(EPOCH)).to_have_text(f"{class_epoch:07,}", timeout=SERVER_MS)
    expect(follower.locator(".play-btn")).to_be_disabled()

    # The copy was kept: it opens again where it was left, and no second fork is made.
    expect(follower.get_by_role("button", name="Try it myself")).to_be_hidden()
    expect(follower.locator(".follow-note")).to_contain_text("Back to my copy")
    follower.screenshot(path=str(artifacts / "follower-back-in-class-with-a-copy.png"))
    phone = follower.context.browser.new_context(  # type: ignore[union-attr]
        base_url=follower.url, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        small = phone.new_page()
        small.goto(follower.url)
        code = follower.url.rsplit("/", 1)[1]  # a copy made earlier, and back in class since
        small.evaluate("([code]) => { sessionStorage.setItem(`neuroplay.fork.${code}`, 'an-earlier-copy');"
                       " sessionStorage.setItem(`neuroplay.class-view.${code}`, '1'); }", [code])
        small.reload()
        expect(small.get_by_role("button", name="Back to my copy")).to_be_visible(timeout=SERVER_MS)
        small.screenshot(path=str(artifacts / "follower-back-in-class-with-a-copy-phone.png"))
    finally:
        phone.close()
    follower.get_by_role("button", name="Back to my copy").click()
    expect(follower.locator(FOLLOW_LINE)).to_have_text(re.compile(rf"^Your own copy of class {CODE_PATTERN}$"),
                                                       timeout=SERVER_MS)
    expect(follower.locator(EPOCH)).to_have_text(f"{own_epoch:07,}", timeout=SERVER_MS)


def test_a_presenter_keeps_its_secret_and_a_refused_one_opens_a_fresh_class(page: Page, artifacts: Path) -> None:
    page.goto("/")
    wait_ready(page)
    href = present(page)
    stored = "() => JSON.parse(sessionStorage.getItem('neuroplay.presenting'))"
    opened = page.evaluate(stored)
    assert opened["code"] == href.rsplit("/", 1)[1] and len(opened["secret"]) >= 24
    page.reload()  # a resume answers `presenting` with no secret: the one kept must survive it
    wait_ready(page)
    expect(page.locator(".join-code")).to_have_text(opened["code"], timeout=SERVER_MS)
    assert page.evaluate(stored) == opened

    # A class the server no longer knows (a restart forgot it): the tab forgets it and opens a new one.
    page.get_by_role("button", name="End class").click()
    expect(page.get_by_role("button", name="Present")).to_be_visible(timeout=SERVER_MS)
    page.evaluate("() => sessionStorage.setItem('neuroplay.presenting', "
                  "JSON.stringify({code: 'QQQQQQ', secret: 'forgotten-by-the-server'}))")
    page.get_by_role("button", name="Present").click()
    expect(page.locator(".join-code")).to_have_text(re.compile(f"^{CODE_PATTERN}$"), timeout=SERVER_MS)
    expect(page.locator("#banner")).to_contain_text("Class QQQQQQ could not be reopened", timeout=SERVER_MS)
    expect(page.locator("#banner")).not_to_contain_text("Does not open")  # the raw refusal is explained instead
    fresh = page.evaluate(stored)
    assert fresh["code"] != "QQQQQQ" and fresh["code"] == page.locator(".join-code").text_content()
    page.screenshot(path=str(artifacts / "presenter-fresh-class.png"))


def test_the_class_keeps_watching_when_the_presenter_reloads(page: Page, follower: Page) -> None:
    page.goto("/")
    wait_ready(page)
    class_epoch = train_epochs(page, 2)
    join(follower, present(page))
    page.reload()
    wait_ready(page)
    expect(page.locator(WATCHING)).to_have_text("1 watching", timeout=SERVER_MS)
    expect(page.locator(EPOCH)).to_have_text(f"{class_epoch:07,}")
    expect(follower.locator(FOLLOW_LINE)).to_have_text(re.compile(r"^Following class .* · 1 watching$"),
                                                       timeout=SERVER_MS)
    expect(follower.locator(EPOCH)).to_have_text(f"{class_epoch:07,}")
    train_epochs(page, 1)
    expect(follower.locator(EPOCH)).to_have_text(f"{class_epoch + 1:07,}", timeout=SERVER_MS)

    page.goto("about:blank")
    expect(follower.locator(".follow-note")).to_have_text("The presenter is reconnecting…", timeout=SERVER_MS)
    page.goto("/")
    wait_ready(page)
    expect(follower.locator(".follow-note")).not_to_have_text("The presenter is reconnecting…", timeout=SERVER_MS)
    expect(follower.locator(EPOCH)).to_have_text(f"{class_epoch + 1:07,}")


def test_projector_mode_fills_a_wall_with_the_join_code(page: Page, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/")
    wait_ready(page)
    present(page)
    toggle = page.get_by_role("button", name="Projector mode")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"projector=1"), timeout=SERVER_MS)
    expect(page.locator(".corner-qr")).to_be_visible()
    expect(page.locator(".corner-code")).to_have_text(re.compile(f"^{CODE_PATTERN}$"))
    page.wait_for_function("() => document.querySelector('.corner-qr').naturalWidth > 0", timeout=SERVER_MS)
    expect(page.locator(".panel-data")).to_be_hidden()
    expect(page.locator(".panel-neuron")).to_be_hidden()
    for label in [".counter-label", ".metric-name", ".network-layers-count"]:
        size = page.eval_on_selector(label, "node => parseFloat(getComputedStyle(node).fontSize)")
        assert size >= 18, (label, size)
    page.screenshot(path=artifacts / "classroom-projector.png")


def test_a_wrong_code_says_so_and_offers_another(page: Page) -> None:
    page.goto(f"/join/{UNKNOWN_CODE}")
    expect(page.locator(".join-message")).to_contain_text(f"No class has the code {UNKNOWN_CODE}", timeout=SERVER_MS)
    field = page.get_by_label("Class code")
    expect(field).to_be_focused()
    field.fill("k7wq 3m")
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(re.compile(r"/join/K7WQ3M$"))
    expect(page.locator(".join-message")).to_contain_text("No class has the code K7WQ3M", timeout=SERVER_MS)


def test_a_follower_page_and_projector_mode_have_no_serious_accessibility_faults(page: Page, follower: Page) -> None:
    page.goto("/")
    wait_ready(page)
    href = present(page)
    join(follower, href)
    assert_accessible(follower)
    page.get_by_role("button", name="Projector mode").click()
    expect(page.locator(".corner-qr")).to_be_visible(timeout=SERVER_MS)
    assert_accessible(page)
