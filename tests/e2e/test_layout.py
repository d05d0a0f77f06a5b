"""The page fits the screens people use, measured by bounding boxes and computed styles: the plane
with its axes and toggles at 1280×800; a phone's sticky transport, 44 px touch targets and the plane
within the first screen; a follower's phone and tablet showing the picture first and no control it
cannot use; projector mode filling 1920×1080 with no text under 18 px (canvas labels included); a
"Join a class" field at home; a dropped socket marked at once. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_classroom import CODE_PATTERN, EPOCH, SERVER_MS, UNKNOWN_CODE, epoch, present, wait_ready

DESKTOP = {"width": 1280, "height": 800}
WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
TOUCH_TARGET = 44  # the smallest side of a control on a coarse pointer, CSS px (WCAG 2.5.5)
SMALLEST_WALL_TEXT = 18  # the smallest text in projector mode, CSS px
READ_ONLY_REASON = "presenter controls this run"

# Every visible thing a finger or a mouse can use, with its box. A checkbox, a radio and a file field
# are measured by their label, which is what a finger taps; hidden and zero-sized nodes are skipped.
TARGETS_JS = """() => {
  const found = [];
  const nodes = document.querySelectorAll('button, select, input, textarea, a[href], [role=button], summary');
  for (const node of nodes) {
    if (!node.checkVisibility({ visibilityProperty: true })) continue;
    const isLabelled = node.matches('input[type=checkbox], input[type=radio], input[type=file]');
    const target = isLabelled ? (node.closest('label') ?? node) : node;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    found.push({ tag: node.tagName, cls: String(node.className), name: (node.getAttribute('aria-label')
      || node.textContent || node.title || '').trim().slice(0, 40), width: box.width, height: box.height,
      top: box.top + scrollY, disabled: node.disabled || node.getAttribute('aria-disabled') === 'true',
      title: node.title, readOnly: node.hasAttribute('data-read-only') });
  }
  return found;
}"""

# The smallest computed font size of any visible text on the page, and where it is.
SMALLEST_TEXT_JS = """() => {
  let smallest = Infinity, where = '';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    const node = text.parentElement;
    if (!text.textContent.trim() || !node.checkVisibility({ visibilityProperty: true })) continue;
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const size = parseFloat(getComputedStyle(node).fontSize);
    if (size < smallest) { smallest = size; where = `${node.className}: ${text.textContent.trim().slice(0, 30)}`; }
  }
  return [smallest, where];
}"""


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def targets(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(TARGETS_JS)
    return result


@pytest.fixture
def follower(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second person's browser at 1280×800 (its own sessionStorage), not yet on any page."""
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def touch(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A phone: 390×844, touch, a coarse pointer."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, has_touch=True, is_mobile=True)
    yield context
    context.close()


def test_at_1280_by_800_the_plane_its_axes_and_toggles_are_in_view(page: Page, artifacts: Path) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    assert page.evaluate("scrollY") == 0
    plane = box(page, "#heatmap canvas")
    # The canvas holds the plot and its axes: the x₁ tick labels are under the plot, inside the canvas.
    left, top, side, _ = (float(v) for v in page.locator("#heatmap canvas").get_attribute("data-plot").split(","))
    assert plane["height"] > top + side and plane["width"] > left + side
    assert plane["y"] >= 0 and plane["y"] + plane["height"] <= DESKTOP["height"], plane
    for toggle in ["Show test data", "Discretize output"]:
        label = page.locator(".heatmap-toggle", has_text=toggle).bounding_box()
        assert label is not None and label["y"] + label["height"] <= DESKTOP["height"], (toggle, label)
    page.screenshot(path=artifacts / "layout-1280.png")


def test_the_docked_neuron_panel_covers_no_part_of_the_network(page: Page, artifacts: Path) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    pick = page.get_by_role("button", name="Show a training point")
    pick.scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 0  # the button is below the fold: the page had to scroll to it
    pick.click()
    expect(page.locator(".panel-neuron.is-docked")).to_be_visible(timeout=SERVER_MS)
    page.wait_for_function("() => document.querySelector('#network canvas').getBoundingClientRect().top >= 0")
    panel, network = box(page, ".panel-neuron"), box(page, "#network canvas")
    assert panel["x"] + panel["width"] <= network["x"], (panel, network)  # side by side, no overlap
    # "Show a training point" did not scroll the network away: it starts in the window.
    assert 0 <= network["y"] < DESKTOP["height"] / 2, network
    plane = box(page, "#heatmap canvas")
    assert plane["x"] >= panel["x"] + panel["width"]
    page.screenshot(path=artifacts / "layout-1280-docked.png")


def test_a_phone_has_the_plane_near_play_and_44_px_targets(touch: BrowserContext, artifacts: Path) -> None:
    page = touch.new_page()
    page.goto("/")
    wait_ready(page)
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")
    play, plane = box(page, ".play-btn"), box(page, "#heatmap canvas")
    assert plane["y"] + plane["height"] - play["y"] <= PHONE["height"], (play, plane)
    small = [t for t in targets(page) if min(t["width"], t["height"]) < TOUCH_TARGET - 0.5]
    assert small == [], small
    assert len(targets(page)) > 40  # the measure saw the page's controls, not an empty page
    page.screenshot(path=artifacts / "layout-phone.png")
    assert_accessible(page)
    # The transport stays in reach: scrolled down to the Model panel, Play is still on screen.
    page.locator(".panel-advanced").scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > PHONE["height"]
    play = box(page, ".play-btn")
    assert 0 <= play["y"] and play["y"] + play["height"] <= PHONE["height"], play
    page.screenshot(path=artifacts / "layout-phone-scrolled.png")


def test_tapping_a_neuron_on_a_phone_shows_its_map_large_and_edits_one_step_further(
        touch: BrowserContext, artifacts: Path) -> None:
    page = touch.new_page()
    page.goto("/")
    wait_ready(page)
    neuron = page.locator(".network-neuron").nth(3)  # layer 1, neuron 2 (the two inputs come first)
    neuron.scroll_into_view_if_needed()
    square = neuron.bounding_box()
    assert square is not None
    page.touchscreen.tap(square["x"] + square["width"] / 2, square["y"] + square["height"] / 2)
    sheet = page.locator(".neuron-sheet")
    expect(sheet).to_be_visible(timeout=SERVER_MS)
    expect(sheet.locator(".neuron-sheet-title")).to_have_text("Layer 1, neuron 2")
    expect(page.locator(".network-editor")).to_have_count(0)  # a tap shows, it does not edit
    picture = box(page, ".neuron-sheet-map")
    assert picture["width"] >= 4 * square["width"] and picture["width"] == picture["height"], (picture, square)
    # The server sends the selected neuron's full map; the sheet shows it, not the thumbnail.
    page.wait_for_function("() => Number(document.querySelector('.neuron-sheet-map').dataset.mapSize) > 20",
                           timeout=SERVER_MS)
    action = page.get_by_role("button", name="Edit the bias of layer 1, neuron 2")
    expect(action).to_be_visible()
    found = action.bounding_box()
    assert found is not None and found["height"] >= TOUCH_TARGET
    page.screenshot(path=artifacts / "layout-phone-neuron-sheet.png")
    assert_accessible(page)
    page.keyboard.press("Escape")  # focus is on the sheet's close button: Escape closes it
    expect(sheet).to_be_hidden()
    page.touchscreen.tap(square["x"] + square["width"] / 2, square["y"] + square["height"] / 2)
    expect(sheet).to_be_visible()
    action.tap()
    expect(sheet).to_be_hidden()
    editor = page.get_by_role("textbox", name="New value for the bias of layer 1, neuron 2")  # "0,5" or "0.5"
    expect(editor).to_be_focused()
    found = editor.bounding_box()
    assert found is not None and found["height"] >= TOUCH_TARGET


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_follower_sees_the_picture_first_and_only_what_it_can_use(
        page: Page, browser: Browser, base_url: str, viewport: dict[str, int], artifacts: Path) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    href = present(page)
    context = browser.new_context(base_url=base_url, viewport=viewport, has_touch=True, is_mobile=True)
    try:
        follower = context.new_page()
        follower.goto(href)
        wait_ready(follower)
        expect(follower.locator(".follow-line")).to_contain_text("Following class", timeout=SERVER_MS)
        plane = box(follower, "#heatmap canvas")
        assert plane["y"] < viewport["height"] / 2, plane  # the picture starts in the first half-screen
        shown = targets(follower)
        assert not [t for t in shown if t["disabled"] and t["top"] < plane["y"]]
        # A control a follower cannot use is not shown; the input labels stay (they name the inputs),
        # disabled, and say why.
        disabled = [t for t in shown if t["disabled"]]
        assert all("network-feature" in t["cls"] for t in disabled), disabled
        assert all(READ_ONLY_REASON in t["title"] for t in disabled), disabled
        assert follower.locator("[data-read-only]").count() > 10  # the controls exist, read-only and hidden
        for selector in [".network-step", ".network-activation", ".neuron-pick", ".rewind-slider"]:
            expect(follower.locator(f"{selector}:visible")).to_have_count(0)
        for name in ["Play", "Step", "Reset", "Pin this run"]:
            expect(follower.get_by_role("button", name=name, exact=True)).to_have_count(0)
        expect(follower.locator(".heatmap-readout")).not_to_contain_text("Click")
        hint = follower.locator(".network-legend-hint:visible")
        expect(hint).to_have_count(1)
        expect(hint).to_contain_text(READ_ONLY_REASON)
        expect(hint).not_to_contain_text("click")
        follower.screenshot(path=artifacts / f"layout-follower-{viewport['width']}.png", full_page=True)
    finally:
        context.close()


def test_a_followers_tooltips_promise_no_edit_and_a_fork_offers_no_present(
        page: Page, follower: Page, artifacts: Path) -> None:
    page.goto("/")
    wait_ready(page)
    follower.goto(present(page))
    wait_ready(follower)
    expect(follower.locator(".follow-line")).to_contain_text("Following class", timeout=SERVER_MS)
    canvas = box(follower, "#network canvas")
    neuron = follower.locator(".network-neuron").nth(3).bounding_box()  # a hidden neuron's square
    assert neuron is not None
    follower.mouse.move(neuron["x"] + neuron["width"] / 2, neuron["y"] + neuron["height"] / 2)
    tooltip = follower.locator(".network-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(READ_ONLY_REASON)
    expect(tooltip).not_to_contain_text("click")
    assert canvas["width"] > 0
    expect(follower.get_by_role("button", name="Present")).to_have_count(0)

    follower.get_by_role("button", name="Try it myself").click()
    expect(follower.get_by_role("button", name="Back to class")).to_be_visible(timeout=SERVER_MS)
    expect(follower.get_by_role("button", name="Step epoch")).to_be_enabled(timeout=SERVER_MS)
    # The fork is the student's own run, but the student is in a class: it is not presented from here.
    expect(follower.get_by_role("button", name="Present")).to_have_count(0)
    neuron = follower.locator(".network-neuron").nth(3).bounding_box()  # the page is laid out as an owner's now
    assert neuron is not None
    follower.mouse.move(neuron["x"] + neuron["width"] / 2, neuron["y"] + neuron["height"] / 2 + 1)
    expect(tooltip).to_contain_text("click to edit the bias")  # the fork's own run is the student's to edit


@pytest.mark.parametrize("is_presenting", [False, True], ids=["alone", "presenting"])
def test_projector_mode_fits_1920_by_1080_with_18_px_text(page: Page, is_presenting: bool, artifacts: Path) -> None:
    page.set_viewport_size(WALL)
    page.goto("/")
    wait_ready(page)
    if is_presenting:
        present(page)
    page.goto("/#projector=1")
    wait_ready(page)
    expect(page.locator("body.is-projector")).to_have_count(1)
    page.wait_for_function("() => Number(document.querySelector('#heatmap canvas').dataset.fontPx) > 11",
                           timeout=SERVER_MS)
    assert page.evaluate("document.documentElement.scrollHeight") <= WALL["height"]
    plane = box(page, "#heatmap canvas")
    assert plane["y"] + plane["height"] <= WALL["height"] and plane["width"] >= 400, plane
    network = box(page, "#network canvas")
    assert network["y"] + network["height"] <= WALL["height"], network
    smallest, where = page.evaluate(SMALLEST_TEXT_JS)
    assert smallest >= SMALLEST_WALL_TEXT, where
    # Canvas text sizes come from the views' constants, scaled in projector mode.
    for selector, key in [("#heatmap canvas", "fontPx"), (".chart-canvas", "fontPx"),
                          ("#network canvas", "gradientFontPx")]:
        size = float(page.eval_on_selector(selector, f"node => node.dataset.{key}"))
        assert size >= SMALLEST_WALL_TEXT, (selector, size)
    if is_presenting:
        for locator in [page.locator(".corner-watching"), page.get_by_role("button", name="End class")]:
            expect(locator).to_be_visible(timeout=SERVER_MS)
            found = locator.bounding_box()
            assert found is not None and found["y"] + found["height"] <= WALL["height"], found
        expect(page.locator(".corner-watching")).to_have_text("0 watching")
        qr, code = box(page, ".corner-qr"), box(page, ".corner-code")
        assert qr["y"] + qr["height"] <= WALL["height"] and code["y"] >= 0
    page.screenshot(path=artifacts / f"layout-projector-{'presenting' if is_presenting else 'alone'}.png")


def test_the_home_page_has_a_join_a_class_field(page: Page, follower: Page, artifacts: Path) -> None:
    page.goto("/")
    wait_ready(page)
    href = present(page)
    code = href.rsplit("/", 1)[1]
    follower.goto("/")
    wait_ready(follower)
    field = follower.get_by_role("textbox", name="Join a class")
    expect(field).to_be_visible()
    follower.screenshot(path=artifacts / "layout-join-field.png")
    field.fill(code.lower()[:3] + " " + code.lower()[3:])
    field.press("Enter")
    expect(follower).to_have_url(re.compile(f"/join/{code}$"), timeout=SERVER_MS)
    expect(follower.locator(".follow-line")).to_have_text(re.compile(rf"^Following class {CODE_PATTERN}"),
                                                          timeout=SERVER_MS)
    follower.goto("/")
    follower.get_by_role("textbox", name="Join a class").fill(UNKNOWN_CODE)
    follower.get_by_role("button", name="Join", exact=True).click()
    expect(follower.locator(".join-message")).to_contain_text(f"No class has the code {UNKNOWN_CODE}",
                                                              timeout=SERVER_MS)


def test_a_presenter_whose_connection_goes_offline_sees_it_at_once(page: Page, artifacts: Path) -> None:
    page.set_viewport_size(WALL)
    page.goto("/")
    wait_ready(page)
    present(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).textContent.replace(/,/g, '')) > n",
                           arg=[EPOCH, epoch(page) + 2], timeout=SERVER_MS)
    page.context.set_offline(True)
    expect(page.locator("#banner")).to_contain_text("reconnecting", timeout=SERVER_MS)
    expect(page.locator("body[data-stale]")).to_have_count(1)
    expect(page.locator("#connection")).to_have_text("reconnecting…")
    page.screenshot(path=artifacts / "layout-stale.png")
    page.context.set_offline(False)
    expect(page.locator("body[data-stale]")).to_have_count(0, timeout=SERVER_MS * 2)
    expect(page.locator("#connection")).to_have_text("connected")
    expect(page.locator("#banner")).not_to_contain_text("reconnecting")


def test_frames_that_stop_while_playing_mark_the_picture_stale_until_they_resume(page: Page) -> None:
    """A connection that dies without a close event: the first socket goes silent both ways."""
    sockets: list[WebSocketRoute] = []
    silenced: list[WebSocketRoute] = []

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        sockets.append(socket)
        server.on_message(lambda message: None if socket in silenced else socket.send(message))
        socket.on_message(lambda message: None if socket in silenced else server.send(message))

    page.route_web_socket(re.compile(r"/ws"), route)
    page.goto("/")
    wait_ready(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).textContent.replace(/,/g, '')) > n",
                           arg=[EPOCH, epoch(page) + 2], timeout=SERVER_MS)
    silenced.append(sockets[-1])
    expect(page.locator("body[data-stale]")).to_have_count(1, timeout=SERVER_MS)
    expect(page.locator("#banner")).to_contain_text("stale")
    # The page gave the silent socket up and opened a new one, whose frames end the stale mark.
    expect(page.locator("body[data-stale]")).to_have_count(0, timeout=SERVER_MS * 2)
    assert len(sockets) >= 2
    expect(page.locator("#connection")).to_have_text("connected")
