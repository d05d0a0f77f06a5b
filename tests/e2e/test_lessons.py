"""A newcomer meets the lessons: the home card, the first lesson's question gating Play, a goal met by
typing a bias, Next enabling, and a reload that resumes at the same step. Screenshots in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_classroom import follower, join, present  # noqa: F401  (follower is a fixture)

READY = '#connection[data-state="open"]'
SERVER_MS = 10_000  # how long a server echo may take on a busy machine


@pytest.fixture
def newcomer(browser: Browser, base_url: str) -> Iterator[Page]:
    """A browser that has never been here (the shared `page` is a returning user's)."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_a_newcomer_starts_the_first_lesson_meets_a_goal_and_resumes_after_a_reload(
        newcomer: Page, artifacts: Path) -> None:
    page = newcomer
    page.goto("/")
    expect(page.locator(READY)).to_be_visible()
    start = page.locator("#lesson-start")
    expect(start.get_by_text("Start here")).to_be_visible(timeout=SERVER_MS)
    expect(start.get_by_role("button", name="Explore freely")).to_be_visible()
    page.screenshot(path=str(artifacts / "lessons-home.png"))
    assert_accessible(page)
    start.get_by_role("button", name="A neuron").click()

    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-counter")).to_have_text("Step 1 of 3: One neuron, two clouds", timeout=SERVER_MS)
    expect(start).to_be_hidden()
    term = panel.get_by_role("button", name="weight", exact=True)  # a concept's definition, by keyboard
    term.focus()
    page.keyboard.press("Enter")
    expect(term).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#term-popover")).to_contain_text("A number on a link")
    page.keyboard.press("Escape")
    expect(term).to_be_focused()
    play = page.locator("#transport .play-btn")
    expect(play).to_be_disabled()
    expect(page).to_have_url(re.compile(r"#lesson=neuron&step=1$"))
    panel.get_by_label("a straight line").check()
    expect(play).to_be_enabled(timeout=SERVER_MS)
    page.screenshot(path=str(artifacts / "lessons-step1.png"))
    panel.get_by_role("button", name="Next").click()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 2 of 3", timeout=SERVER_MS)
    panel.get_by_role("button", name="Skip").click()
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 3 of 3", timeout=SERVER_MS)
    finish = panel.get_by_role("button", name="Finish")
    expect(finish).to_be_disabled()
    expect(panel.locator(".lesson-progress")).to_contain_text("of 90 %, 0 of 5 epochs", timeout=SERVER_MS)

    neuron = page.locator('#network [data-layer="1"][data-index="0"]')  # the output neuron
    neuron.focus()
    page.keyboard.press("Enter")
    editor = page.get_by_label("New value for the bias of output")
    editor.fill("0")
    editor.press("Enter")
    expect(panel.locator(".lesson-progress")).to_contain_text("Goal met", timeout=SERVER_MS)
    expect(finish).to_be_enabled()
    expect(panel.locator(".lesson-explain")).to_contain_text("distance from the centre")
    page.screenshot(path=str(artifacts / "lessons-goal-met.png"))
    assert_accessible(page)

    page.reload()
    expect(page.locator(READY)).to_be_visible()
    expect(panel.locator(".lesson-counter")).to_have_text("Step 3 of 3: The bias shifts the line",
                                                          timeout=SERVER_MS)
    expect(panel.get_by_role("button", name="Finish")).to_be_enabled()
    expect(start).to_be_hidden()


def test_a_lesson_link_opens_its_step_on_a_phone(page: Page, artifacts: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/#lesson=hidden-layer&step=2")
    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-counter")).to_have_text("Step 2 of 2: Look inside", timeout=SERVER_MS)
    expect(page.locator("#lesson-start")).to_be_hidden()
    page.screenshot(path=str(artifacts / "lessons-phone.png"))


def test_a_class_follows_the_presenters_lesson_and_a_fork_starts_from_the_step(
        page: Page, follower: Page, browser: Browser, base_url: str, artifacts: Path) -> None:  # noqa: F811
    page.goto("/#lesson=learning-rate&step=1")
    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 1 of 2", timeout=SERVER_MS)
    href = present(page)
    join(follower, href)
    second = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                 has_touch=True, is_mobile=True).new_page()
    second.goto(href)
    followers = (follower, second)
    for watcher in followers:
        expect(watcher.locator("#lesson .lesson-counter")).to_contain_text("Step 1 of 2", timeout=SERVER_MS)
        expect(watcher.locator("#lesson .lesson-actions")).to_be_hidden()
    page.get_by_role("button", name="Skip").click()  # the teacher moves the class on
    for watcher in followers:
        expect(watcher.locator("#lesson .lesson-counter")).to_have_text("Step 2 of 2: Too large", timeout=SERVER_MS)
    page.get_by_label("Students move on their own from this step to the end").check()
    for watcher in followers:
        expect(watcher.locator("#lesson")).to_contain_text("Steps 2 to 2 are yours to take at your own pace",
                                                           timeout=SERVER_MS)
    second.screenshot(path=str(artifacts / "lessons-follower-phone.png"))

    panel.get_by_label("it learns faster").check()  # the presenter answers, so Play and the steps unlock
    expect(page.get_by_role("button", name="Step epoch")).to_be_enabled(timeout=SERVER_MS)
    page.get_by_role("button", name="Step epoch").click()  # the class's run moves past the step's start
    expect(follower.locator('[data-counter="epoch"]')).to_have_text("000,001", timeout=SERVER_MS)
    follower.get_by_role("button", name="Try it myself").click()
    expect(follower.get_by_role("button", name="Back to class")).to_be_visible(timeout=SERVER_MS)
    own = follower.locator("#lesson")
    expect(own.locator(".lesson-counter")).to_have_text("Step 2 of 2: Too large", timeout=SERVER_MS)
    expect(own.locator(".lesson-actions")).to_be_visible()
    expect(follower.locator('[data-counter="epoch"]')).to_have_text("000,000")  # the step's own setup
    expect(own.locator(".lesson-ask")).to_contain_text("What happens if each step is far too big?")
    own.get_by_role("button", name="1. Too small").click()  # outside the class's pace: refused, stays
    expect(follower.locator("#banner")).to_contain_text("class moves within steps 2 to 2", timeout=SERVER_MS)
    expect(own.locator(".lesson-counter")).to_have_text("Step 2 of 2: Too large")
    second.context.close()


def test_a_lesson_link_is_read_and_is_no_setting(page: Page) -> None:
    page.goto("/static/js/protocol.js")
    result = page.evaluate("""async () => {
        const { lessonLink } = await import("/static/js/views/lessons/index.js");
        const { parseHash } = await import("/static/js/lib/url.js");
        return {
            plain: lessonLink("#lesson=neuron&step=2"),
            first: lessonLink("#lesson=neuron"),
            odd: lessonLink("#lesson=neuron&step=-4"),
            none: lessonLink("#dataset=xor"),
            parsed: parseHash("#lesson=neuron&step=2&hide=noise", {}),
        };
    }""")
    assert result["plain"] == {"id": "neuron", "step": 1}
    assert result["first"] == {"id": "neuron", "step": 0} and result["odd"] == {"id": "neuron", "step": 0}
    assert result["none"] is None
    assert result["parsed"]["unknown"] == [] and result["parsed"]["hidden"] == ["noise"]


def test_a_returning_user_who_chose_free_play_gets_the_sandbox_and_can_open_the_lessons(newcomer: Page) -> None:
    newcomer.goto("/")
    start = newcomer.locator("#lesson-start")
    start.get_by_role("button", name="Explore freely").click()
    expect(start).to_be_hidden()
    newcomer.reload()
    expect(newcomer.locator(READY)).to_be_visible()
    expect(start).to_be_hidden()
    newcomer.get_by_role("button", name="Lessons").click()
    expect(start.get_by_text("Start here")).to_be_visible(timeout=SERVER_MS)
