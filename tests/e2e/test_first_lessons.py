"""A newcomer takes the first three lessons alone, doing only what each step's text says, with the
page's own controls (the home card, the question, Play, the network drawing's weight and bias editors,
"+" for a hidden layer, the Activation menu), and reads what a weight, a bias, an activation and an
epoch are on the way. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

READY = '#connection[data-state="open"]'
SERVER_MS = 10_000  # how long a server echo may take on a busy machine
TRAINING_MS = 180_000  # how long a goal may take to be met by training on a busy machine (a bound, not a claim)


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def newcomer(browser: Browser, base_url: str) -> Iterator[Page]:
    """A browser that has never been here."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def start(page: Page, title: str) -> None:
    """Open a lesson from the home card's list, as a newcomer does."""
    page.locator("#lesson-start").get_by_role("button", name=title).click()
    expect(page.locator("#lesson .lesson-counter")).to_contain_text("Step 1 of", timeout=SERVER_MS)


def play_until_met(page: Page) -> None:
    play = page.locator("#transport .play-btn")
    expect(play).to_have_attribute("aria-label", "Play", timeout=SERVER_MS)  # a new network stopped the run
    play.click()
    expect(page.locator("#lesson .lesson-progress")).to_contain_text("Goal met", timeout=TRAINING_MS)
    page.locator("#transport .play-btn[aria-label=Pause]").click()


def edit(page: Page, label: str, value: str) -> None:
    editor = page.get_by_label(label)
    expect(editor).to_be_focused()
    editor.fill(value)
    editor.press("Enter")


def test_a_newcomer_finishes_the_first_three_lessons_following_only_their_text(
        newcomer: Page, artifacts: Path) -> None:
    page = newcomer
    page.goto("/")
    expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
    panel = page.locator("#lesson")
    progress = panel.locator(".lesson-progress")
    play = page.locator("#transport .play-btn")

    # Lesson 1. The introduction says what a weight, a bias and an activation are; the concepts' buttons
    # say it again, and the first step says what an epoch is.
    start(page, "A neuron")
    intro = panel.locator(".lesson-intro")
    for plain in ("A weight is a number on a link", "The bias is one more number", "The activation is the function"):
        expect(intro).to_contain_text(plain)
    expect(panel.locator(".lesson-text").last).to_contain_text("an epoch is one pass of training over all")
    for term in ("weight", "bias", "activation", "epoch"):
        panel.locator(".lesson-terms").get_by_role("button", name=term, exact=True).click()
        expect(page.locator("#term-popover .term-popover-definition")).not_to_be_empty()
    page.keyboard.press("Escape")
    page.screenshot(path=artifacts / "first-lessons-1-intro.png")
    panel.get_by_label("a straight line").check()
    play.click()
    expect(page.locator('[data-counter="epoch"]')).not_to_have_text("000,000", timeout=TRAINING_MS)
    play.click()
    panel.get_by_role("button", name="Next").click()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 2 of 3", timeout=SERVER_MS)
    expect(intro).to_be_hidden()
    expect(progress).to_contain_text("test accuracy 0 %")
    page.locator("#network canvas.network-canvas").focus()  # "Tab to the network drawing, … arrow keys, Enter"
    for source in ("X₁", "X₂"):
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        edit(page, f"New value for the weight {source} → output", "1")
    expect(progress).to_contain_text("Goal met", timeout=SERVER_MS)
    panel.get_by_role("button", name="Next").click()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 3 of 3", timeout=SERVER_MS)
    # "Click the output neuron": where its square is drawn on the canvas.
    square = page.locator('#network [data-layer="1"][data-index="0"]').bounding_box()
    assert square is not None
    page.mouse.click(square["x"] + square["width"] / 2, square["y"] + square["height"] / 2)
    edit(page, "New value for the bias of output", "0")
    expect(progress).to_contain_text("Goal met", timeout=SERVER_MS)
    page.screenshot(path=artifacts / "first-lessons-1-done.png")
    panel.get_by_role("button", name="Finish").click()

    # Lesson 2, from the list that Finish brings back: one neuron stalls on XOR, a hidden layer solves it.
    expect(page.locator("#lesson-start")).to_be_visible(timeout=SERVER_MS)
    start(page, "Why XOR needs a hidden layer")
    panel.get_by_label("no", exact=True).check()
    play.click()
    expect(page.locator('[data-counter="epoch"]')).not_to_have_text("000,000", timeout=TRAINING_MS)
    page.get_by_role("button", name="Add a hidden layer", exact=True).click()  # "press + beside 0 hidden layers"
    expect(page.locator("#network .network-layers-count")).to_have_text("1 hidden layer", timeout=SERVER_MS)
    play_until_met(page)
    page.screenshot(path=artifacts / "first-lessons-2-done.png")
    panel.get_by_role("button", name="Next").click()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 2 of 2", timeout=SERVER_MS)
    panel.get_by_role("button", name="Finish").click()

    # Lesson 3: a linear network cannot draw a circle; the Activation menu's tanh can.
    start(page, "Activation functions")
    expect(panel.locator(".lesson-intro")).to_contain_text("ReLU keeps a positive sum")
    panel.get_by_label("no", exact=True).check()
    play.click()
    page.locator("#ctl-activation").select_option("tanh")  # "Change only the Activation (the menu in the top bar)"
    expect(page.locator("#ctl-activation")).to_have_value("tanh", timeout=SERVER_MS)
    play_until_met(page)
    page.screenshot(path=artifacts / "first-lessons-3-done.png")
    panel.get_by_role("button", name="Next").click()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 2 of 2", timeout=SERVER_MS)


def centre(page: Page, selector: str) -> tuple[float, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found["x"] + found["width"] / 2, found["y"] + found["height"] / 2


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Page]:
    """A newcomer's phone: 390×844, touch, a coarse pointer."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, has_touch=True, is_mobile=True)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_first_lessons_edits_work_by_touch_as_its_text_says(phone: Page, artifacts: Path) -> None:
    page = phone
    page.goto("/#lesson=neuron&step=2")
    panel = page.locator("#lesson")
    progress = panel.locator(".lesson-progress")
    expect(progress).to_contain_text("test accuracy 0 %", timeout=SERVER_MS)
    page.locator("#network").scroll_into_view_if_needed()
    output = '#network [data-layer="1"][data-index="0"]'
    for index, source in enumerate(("X₁", "X₂")):
        # "tap it, then Edit this weight": the middle of the link from this input to the output neuron.
        (x1, y1), (x2, y2) = centre(page, f'#network [data-layer="0"][data-index="{index}"]'), centre(page, output)
        page.touchscreen.tap((x1 + x2) / 2, (y1 + y2) / 2)
        page.get_by_role("button", name="Edit this weight").tap()
        edit(page, f"New value for the weight {source} → output", "1")
    expect(progress).to_contain_text("Goal met", timeout=SERVER_MS)
    panel.get_by_role("button", name="Next").tap()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 3 of 3", timeout=SERVER_MS)
    page.locator("#network").scroll_into_view_if_needed()
    page.touchscreen.tap(*centre(page, output))  # "tap it, then Edit the bias of output"
    page.get_by_role("button", name="Edit the bias of output").tap()
    edit(page, "New value for the bias of output", "0")
    expect(progress).to_contain_text("Goal met", timeout=SERVER_MS)
    page.screenshot(path=artifacts / "first-lessons-phone.png")
