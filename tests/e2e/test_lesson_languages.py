"""A lesson in the page's language: German text on a German page, and on a page in a language the lesson
lacks, the English lesson under a note that says so. Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

READY = '#connection[data-state="open"]'
SERVER_MS = 10_000  # how long a server echo may take on a busy machine
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(SIZES))
def newcomer(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    """A German-speaking browser that has never been here, at a desktop's or a phone's size."""
    is_phone = request.param == "phone"
    context = browser.new_context(base_url=base_url, viewport=SIZES[request.param], locale="de-DE",
                                  has_touch=is_phone, is_mobile=is_phone)
    yield context.new_page()
    context.close()


def open_lesson_in(page: Page, language: str, title: str) -> None:
    """Open the home page as a page in ``language`` (the page's own language, as the lesson card reads it)."""
    page.goto("/")
    expect(page.locator(READY)).to_be_visible()
    page.evaluate("language => { document.documentElement.lang = language; }", language)
    page.locator("#lesson-start [data-lesson]").first.click()
    expect(page.locator("#lesson .lesson-title")).to_have_text(title, timeout=SERVER_MS)


def test_a_german_page_opens_the_lesson_in_german(newcomer: Page, artifacts: Path,
                                                    request: pytest.FixtureRequest) -> None:
    page = newcomer
    open_lesson_in(page, "de", "Ein Neuron")
    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-intro")).to_contain_text("Jedes gepunktet unterstrichene Wort")
    expect(panel.locator(".lesson-text:not(.lesson-intro)")).to_contain_text("Es gibt keine verborgene Schicht")
    expect(panel.locator(".lesson-ask legend")).to_contain_text("Welche Form hat seine Grenze?")
    expect(panel.get_by_label("eine gerade Linie")).to_be_visible()
    expect(panel.locator(".lesson-fallback")).to_be_hidden()
    expect(panel.locator(".lesson-text:not(.lesson-intro)")).to_have_attribute("lang", "de")
    term = panel.get_by_role("button", name="Gewicht", exact=True)
    term.click()
    popover = page.locator("#term-popover")  # the lesson's own definition, in the lesson's language
    expect(popover).to_contain_text("Eine Zahl auf einer Verbindung zwischen zwei Neuronen")
    expect(popover).to_have_attribute("lang", "de")
    page.keyboard.press("Escape")
    panel.get_by_label("eine gerade Linie").check()
    expect(page.locator("#transport .play-btn")).to_be_enabled(timeout=SERVER_MS)
    name = request.node.callspec.params["newcomer"]
    page.screenshot(path=str(artifacts / f"lesson-german-{name}.png"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the German lesson makes the page {overflow} px wider than the screen"


def test_a_lesson_missing_in_the_pages_language_comes_in_english_with_a_note(browser: Browser, base_url: str,
                                                                             artifacts: Path) -> None:
    context = browser.new_context(base_url=base_url, viewport=SIZES["desktop"])
    page = context.new_page()
    open_lesson_in(page, "fr", "A neuron")  # no shipped lesson is in French
    note = page.locator("#lesson .lesson-fallback")
    expect(note).to_have_text("This lesson is not available in français yet; showing English.")
    expect(page.locator("#lesson .lesson-text:not(.lesson-intro)")).to_contain_text("There is no hidden layer")
    page.screenshot(path=str(artifacts / "lesson-fallback.png"))
    page.get_by_role("button", name="Leave lesson").click()
    open_lesson_in(page, "es", "Una neurona")
    expect(note).to_be_hidden()
    context.close()
