"""Concept terms: every label that names a concept opens its definition (from `hello.glossary`) in one
popover, by mouse, by touch and by keyboard, inside the viewport at 1280×800 and on a 390×844 phone;
Escape gives focus back, a tap outside closes it, and no definition lives only in a title tooltip.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import RETURNING_USER
from tests.e2e.test_classroom import SERVER_MS, follower, join, present, wait_ready  # noqa: F401  (follower: a fixture)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
POPOVER = "#term-popover"
TERMS = "button.term"

# Open every visible term button in turn (a click, as a mouse or a tap would) and read what its popover says.
READ_ALL_JS = """() => {
  const popover = document.getElementById('term-popover');
  const found = [];
  for (const button of document.querySelectorAll('button.term')) {
    if (!button.checkVisibility({ visibilityProperty: true })) continue;
    button.click();
    found.push({ id: button.dataset.term, text: button.textContent, hasTitle: button.hasAttribute('title'),
      expanded: button.getAttribute('aria-expanded'), controls: button.getAttribute('aria-controls'),
      isOpen: !popover.hidden, definition: popover.querySelector('.term-popover-definition').textContent });
    button.click();
  }
  return found;
}"""
TITLES_JS = "() => [...document.querySelectorAll('[title]')].map((node) => node.title)"


def in_view(box: dict[str, float] | None, viewport: dict[str, int]) -> bool:
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and \
        box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"]


def glossary(page: Page) -> dict[str, Any]:
    """The server's glossary, as the page received it (the same `hello` over a socket of our own)."""
    result: dict[str, Any] = page.evaluate("""() => new Promise((resolve) => {
      const socket = new WebSocket(location.origin.replace('http', 'ws') + '/ws');
      socket.onmessage = (event) => { const m = JSON.parse(event.data); if (m.type === 'hello') {
        socket.close(); resolve(m.glossary); } };
    })""")
    return result


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A returning user's phone: 390×844, touch, a coarse pointer."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, has_touch=True, is_mobile=True)
    context.add_init_script(RETURNING_USER)
    yield context
    context.close()


def test_every_term_on_the_page_opens_its_own_definition_and_none_is_a_title(page: Page, artifacts: Path) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    terms = page.evaluate(READ_ALL_JS)
    assert len(terms) >= 30, terms  # the labels of the top bar, Data, Network, Output and Model panels
    definitions = glossary(page)
    assert [t for t in terms if not (t["isOpen"] and t["definition"] and t["expanded"] == "true")] == []
    assert [t for t in terms if t["definition"] != definitions[t["id"]]["definition"]] == []
    assert [t for t in terms if t["hasTitle"] or t["controls"] != "term-popover"] == []
    marked = {t["id"] for t in terms}
    assert {"weight", "bias", "activation", "epoch", "learning rate", "batch size", "neuron"} <= marked
    titles = page.evaluate(TITLES_JS)
    assert [title for title in titles if any(d["definition"] in title for d in definitions.values())] == []
    expect(page.locator(POPOVER)).to_be_hidden()
    page.locator(TERMS, has_text="Batch size").click()
    popover = page.locator(POPOVER)
    expect(popover).to_contain_text("How many training points go into one step")
    assert in_view(popover.bounding_box(), DESKTOP)
    page.screenshot(path=artifacts / "terms-desktop.png")
    assert_accessible(page)


def test_a_term_opens_and_closes_from_the_keyboard_and_gives_focus_back(page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    term = page.locator(TERMS, has_text="Learning rate")
    popover = page.locator(POPOVER)
    term.focus()
    page.keyboard.press("Enter")
    expect(popover).to_contain_text("How big a step gradient descent takes")
    expect(term).to_have_attribute("aria-expanded", "true")
    expect(popover).to_be_focused()
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(term).to_be_focused()
    expect(term).to_have_attribute("aria-expanded", "false")
    # Space opens and closes it too: the page's Space shortcut (Play) leaves a focused term alone.
    page.keyboard.press(" ")
    expect(popover).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press(" ")
    expect(popover).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#transport .play-btn")).to_have_attribute("aria-label", "Play")
    assert page.evaluate("document.querySelector('[data-counter=step]').value") == "0"
    # Tab leaves an open popover for the control after its term: the select the label names.
    page.keyboard.press("Enter")
    expect(popover).to_be_focused()
    page.keyboard.press("Tab")
    expect(popover).to_be_hidden()
    expect(page.locator("#ctl-learning_rate")).to_be_focused()


def test_one_popover_at_a_time_and_the_chosen_option_is_explained(page: Page) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    activation = page.locator("#hyper").locator(TERMS, has_text="Activation")
    noise = page.locator(TERMS, has_text="Noise")
    activation.click()
    expect(page.locator(POPOVER)).to_contain_text("Chosen now: tanh")
    noise.click()
    expect(activation).to_have_attribute("aria-expanded", "false")
    expect(noise).to_have_attribute("aria-expanded", "true")
    expect(page.locator(POPOVER)).to_contain_text("Random jitter")
    expect(page.locator(POPOVER)).not_to_contain_text("Chosen now")
    page.locator("#ctl-activation").select_option("relu")
    expect(page.locator("#ctl-activation")).to_have_value("relu", timeout=SERVER_MS)
    activation.click()
    expect(page.locator(POPOVER)).to_contain_text("Chosen now: ReLU")
    page.locator(".panel-network h2").click()  # a click anywhere else closes it
    expect(page.locator(POPOVER)).to_be_hidden()
    expect(page.locator(f"{TERMS}[aria-expanded=true]")).to_have_count(0)


def test_on_a_phone_a_tap_opens_every_term_inside_the_screen(phone: BrowserContext, artifacts: Path) -> None:
    page = phone.new_page()
    page.goto("/")
    wait_ready(page)
    popover = page.locator(POPOVER)
    count = page.locator(TERMS).count()
    outside: list[str] = []
    for index in range(count):
        term = page.locator(TERMS).nth(index)
        if not term.is_visible():
            continue
        term.scroll_into_view_if_needed()
        term.tap()
        expect(popover).to_be_visible()
        expect(popover.locator(".term-popover-definition")).not_to_be_empty()
        if not in_view(popover.bounding_box(), PHONE):
            outside.append(term.inner_text())
        if index == 0:
            page.screenshot(path=artifacts / "terms-phone-top.png")
        term.tap()  # the same term again closes it
        expect(popover).to_be_hidden()
    assert outside == []
    noise = page.locator(TERMS, has_text="Noise")
    noise.scroll_into_view_if_needed()
    noise.tap()
    expect(popover).to_contain_text("Random jitter")
    page.screenshot(path=artifacts / "terms-phone.png")
    page.locator(".panel-data h2").tap()  # a tap outside closes it
    expect(popover).to_be_hidden()
    expect(noise).to_have_attribute("aria-expanded", "false")


def test_a_follower_reads_the_definitions_of_the_terms_it_sees(page: Page, follower: Page) -> None:  # noqa: F811
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wait_ready(page)
    href = present(page)
    join(follower, href)
    # The run's controls are the presenter's, but a concept's definition is only reading.
    visible = [term for term in follower.locator(TERMS).all() if term.is_visible()]
    assert len(visible) >= 10 and [term.inner_text() for term in visible if term.is_disabled()] == []
    for name in ("Input", "hidden layers"):
        term = follower.locator("#network").locator(TERMS, has_text=name)
        term.click()
        expect(follower.locator(POPOVER)).to_contain_text("layer")
        assert in_view(follower.locator(POPOVER).bounding_box(), DESKTOP)
