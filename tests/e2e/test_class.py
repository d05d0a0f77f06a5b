"""The teacher's Class view against the real server: a presenter and three students (two fork and
train, one follows on a phone); the teacher sees their tiles with the accuracies the students' own
pages show, spotlights one (the follower watches it), pauses everyone (both copies pause), brings
everyone back; no student's page or socket ever carries another student's typed name or session id.
And a lesson in a class: the followers see the teacher's step, a copy starts from the step's setup
and carries the lesson, and the teacher's lesson panel counts the class's goal results."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.test_classroom import EPOCH, FOLLOW_LINE, SERVER_MS, epoch, present, wait_ready

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
ALIAS = re.compile(r"^You are (.+)$")
TYPED_NAME = "Ana Qzx"  # what the first student types: only the teacher may ever receive it
CLASS_MS = 20_000  # the class's tiles come about once a second, from forks on a loaded machine


class Student:
    """One person's browser on the class's page, with every websocket payload it received."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.page = context.new_page()
        self.received: list[str | bytes] = []
        self.page.on("websocket", lambda socket: socket.on("framereceived", lambda data: self.received.append(data)))

    def join(self, href: str) -> str:
        """Open the class's page; returns the alias the server gave this student."""
        self.page.goto(href)
        wait_ready(self.page)
        expect(self.page.locator(FOLLOW_LINE)).to_contain_text("Following class", timeout=SERVER_MS)
        return self.alias()

    def alias(self) -> str:
        line = self.page.locator("[data-alias]")
        expect(line).to_have_text(ALIAS, timeout=SERVER_MS)
        found = ALIAS.match(line.inner_text())
        assert found
        return found.group(1)

    def fork(self) -> None:
        self.page.get_by_role("button", name="Try it myself").click()
        expect(self.page.get_by_role("button", name="Back to class")).to_be_visible(timeout=SERVER_MS)
        wait_ready(self.page)

    def sessions(self) -> list[dict[str, Any]]:
        """The JSON messages of type `session` this page received, oldest first."""
        found = []
        for payload in self.received:
            if isinstance(payload, str) and payload.startswith("{"):
                message = json.loads(payload)
                if message.get("type") == "session":
                    found.append(message)
        return found

    def carries(self, text: str) -> bool:
        """Whether any byte this page received, or its page, holds `text`."""
        raw = text.encode()
        return text in self.page.content() or any(
            (raw in payload) if isinstance(payload, bytes) else (text in payload) for payload in self.received)


@pytest.fixture
def students(browser: Browser, base_url: str) -> Iterator[list[Student]]:
    """Three students: two at a laptop, the third on a phone."""
    contexts = [browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}) for _ in range(2)]
    contexts.append(browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                        has_touch=True, is_mobile=True))
    yield [Student(context) for context in contexts]
    for context in contexts:
        context.close()


def tile(page: Page, alias: str) -> Any:
    return page.locator(".tile").filter(has=page.locator(".tile-alias", has_text=re.compile(f"^{alias}$")))


def test_the_teacher_sees_every_student_spotlights_one_and_paces_the_class(
        page: Page, students: list[Student], artifacts: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    wait_ready(page)
    href = present(page)
    aliases = [student.join(href) for student in students]
    assert len(set(aliases)) == 3, aliases
    first, second, watcher = students
    first.page.get_by_text("Add your name").click()
    first.page.get_by_label("Your name").fill(TYPED_NAME)
    first.page.get_by_role("button", name="Save").click()
    expect(first.page.locator(".student-name-saved")).to_have_text(f"Your teacher sees you as {TYPED_NAME}",
                                                                    timeout=SERVER_MS)
    expect(first.page.locator(".student-name-summary")).to_have_text(f"Your name: {TYPED_NAME}")
    for student in (first, second):
        student.fork()
        assert student.alias() == aliases[students.index(student)]  # the copy keeps its student
        student.page.locator(".play-btn").click()
        student.page.wait_for_function("([sel, n]) => Number(document.querySelector(sel).textContent"
                                       ".replace(/,/g, '')) >= n", arg=[EPOCH, 3], timeout=CLASS_MS)
    second.page.get_by_role("button", name="Raise hand").click()
    expect(second.page.get_by_role("button", name="Lower hand")).to_have_attribute("aria-pressed", "true",
                                                                                  timeout=SERVER_MS)

    page.get_by_role("button", name="Class", exact=True).click()
    expect(page.locator(".tile")).to_have_count(3, timeout=CLASS_MS)
    for alias in aliases[:2]:
        expect(tile(page, alias)).to_have_attribute("data-mode", "forked", timeout=CLASS_MS)
        expect(tile(page, alias).locator(".tile-figure")).to_have_text(re.compile(r"^\d+\.\d%$"), timeout=CLASS_MS)
    expect(tile(page, aliases[2])).to_have_attribute("data-mode", "following")
    expect(tile(page, aliases[0]).locator(".tile-name")).to_have_text(TYPED_NAME, timeout=CLASS_MS)
    expect(tile(page, aliases[1]).locator(".tile-hand")).to_be_visible(timeout=CLASS_MS)
    expect(page.locator("[data-counts]")).to_contain_text("1 hand up", timeout=CLASS_MS)
    assert_accessible(page)
    assert_accessible(second.page)
    page.locator(".tile").first.focus()  # hands up sort first
    expect(page.locator(".tile").first).to_have_attribute("data-student", tile(page, aliases[1])
                                                          .get_attribute("data-student") or "")

    tile(page, aliases[0]).click()
    page.get_by_role("button", name="Spotlight", exact=True).click()
    expect(watcher.page.locator(FOLLOW_LINE)).to_contain_text(f"Watching {aliases[0]}'s run", timeout=CLASS_MS)
    expect(page.locator(".class-spotlight")).to_have_text(f"The class is watching {aliases[0]}'s run",
                                                          timeout=CLASS_MS)
    page.screenshot(path=artifacts / "class-teacher-1280.png")

    page.get_by_role("button", name="Pause everyone").click()
    for student in (first, second):
        expect(student.page.locator(".student")).to_have_attribute("data-paused", "true", timeout=CLASS_MS)
        expect(student.page.locator(".play-btn")).to_have_attribute("aria-label", "Play", timeout=CLASS_MS)
        expect(student.page.locator(".play-btn")).to_be_disabled()
        expect(student.page.locator(".student-class-line")).to_contain_text("paused the class")
    paused_at = epoch(first.page)
    # The spotlighted run is the one the follower's page shows: same epoch, once both have drawn it.
    expect(watcher.page.locator(EPOCH)).to_have_text(f"{paused_at:07,}", timeout=CLASS_MS)
    for student, alias in zip((first, second), aliases, strict=False):
        expect(tile(page, alias)).to_have_attribute("data-status", "paused", timeout=CLASS_MS)
        shown = student.page.locator('[data-part="test"] .metric-details').inner_text()
        accuracy = re.fullmatch(r"accuracy (\d+\.\d%)", shown)
        assert accuracy, shown
        expect(tile(page, alias).locator(".tile-figure")).to_have_text(accuracy.group(1), timeout=CLASS_MS)
        expect(tile(page, alias).locator(".tile-epoch")).to_have_text(f"epoch {epoch(student.page)}",
                                                                      timeout=CLASS_MS)
    for alias in aliases[:2]:
        tile(page, alias).click()
    page.get_by_role("button", name="Compare", exact=True).click()
    runs = page.locator(".compare-run")
    expect(runs).to_have_count(2, timeout=CLASS_MS)
    for alias in aliases[:2]:
        run = runs.filter(has=page.locator("figcaption strong", has_text=re.compile(f"^{alias}$")))
        figure = tile(page, alias).locator(".tile-figure").inner_text()
        expect(run.locator("figcaption")).to_contain_text(figure)
        expect(run.locator(".compare-curve")).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
        expect(run.locator(".compare-boundary")).to_have_attribute("data-painted", re.compile(r"^[1-9]"))
    page.locator(".class-view").screenshot(path=artifacts / "class-teacher-compare.png")
    first.page.screenshot(path=artifacts / "class-student-paused.png")
    watcher.page.screenshot(path=artifacts / "class-follower-spotlight-phone.png")

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.get_by_role("button", name="Projector mode").click()
    expect(page.locator(".tile")).to_have_count(3)
    corner = page.locator(".projector-corner").bounding_box()
    for node in [".class-aggregate", ".class-pacing"]:
        shown = page.locator(node).bounding_box()
        assert corner and shown and shown["x"] + shown["width"] <= corner["x"], (node, shown, corner)
    expect(tile(page, aliases[0]).locator(".tile-name")).to_be_hidden()
    assert TYPED_NAME not in page.locator("body").inner_text()
    page.screenshot(path=artifacts / "class-teacher-projector.png")
    page.get_by_role("button", name="Projector mode").click()
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Back to my run").click()
    expect(watcher.page.locator(FOLLOW_LINE)).to_contain_text("Following class", timeout=CLASS_MS)
    page.get_by_role("button", name="Resume").click()
    expect(first.page.locator(".student")).to_have_attribute("data-paused", "false", timeout=CLASS_MS)
    expect(first.page.locator(".play-btn")).to_be_enabled()
    page.get_by_role("button", name="Lock copies").click()
    expect(first.page.locator(".student")).to_have_attribute("data-locked", "true", timeout=CLASS_MS)
    expect(first.page.locator(".play-btn")).to_be_disabled()
    expect(first.page.get_by_role("button", name="Raise hand")).to_be_enabled()  # a student may still ask
    page.get_by_role("button", name="Unlock copies").click()
    expect(first.page.locator(".student")).to_have_attribute("data-locked", "false", timeout=CLASS_MS)
    expect(first.page.locator(".play-btn")).to_be_enabled()
    rate = page.locator('[data-field="learning_rate"] select')
    wanted = rate.evaluate("(select) => [...select.options].map((o) => o.value).find((v) => v !== select.value)")
    rate.select_option(wanted)
    expect(rate).to_have_value(wanted, timeout=SERVER_MS)
    page.get_by_role("button", name="Push my settings").click()
    for student in (first, second):  # every copy starts again from the teacher's settings
        expect(student.page.locator('[data-field="learning_rate"] select')).to_have_value(wanted, timeout=CLASS_MS)
        expect(student.page.locator(EPOCH)).to_have_text("000,000", timeout=CLASS_MS)
    page.get_by_role("button", name="Bring everyone back").click()
    for student in (first, second):
        expect(student.page.locator(FOLLOW_LINE)).to_contain_text("Following class", timeout=CLASS_MS)
    for alias in aliases:
        expect(tile(page, alias)).to_have_attribute("data-mode", "following", timeout=CLASS_MS)

    # No student ever received another's typed name or the session id of another's copy.
    forks = {student.page.evaluate("() => Object.entries(sessionStorage).find(([k]) => "
                                   "k.startsWith('neuroplay.fork.'))?.[1] ?? null") for student in (first, second)}
    assert None not in forks and len(forks) == 2
    for student in (second, watcher):
        assert not student.carries(TYPED_NAME)
    for student in students:
        own = student.page.evaluate("() => Object.entries(sessionStorage).find(([k]) => "
                                    "k.startsWith('neuroplay.fork.'))?.[1] ?? null")
        for other in forks - {own}:
            assert not student.carries(str(other))


def step_setup(file: str, index: int) -> dict[str, Any]:
    """The `setup` of a lesson file's step, read from the file (index 0-based)."""
    lines = [line for line in (LESSONS / file).read_text().splitlines() if line.startswith("setup:")]
    setup: dict[str, Any] = yaml.safe_load(lines[index].split(":", 1)[1])
    return setup


def test_a_lesson_in_class_forks_from_the_step_and_the_teacher_counts_the_goals(
        page: Page, students: list[Student], artifacts: Path) -> None:
    page.goto("/#lesson=learning-rate&step=1")
    panel = page.locator("#lesson")
    expect(panel.locator(".lesson-counter")).to_contain_text("Step 1 of 2", timeout=SERVER_MS)
    href = present(page)
    first, _, phone = students
    for student in (first, phone):
        student.join(href)
        expect(student.page.locator("#lesson .lesson-counter")).to_contain_text("Step 1 of 2", timeout=SERVER_MS)
    page.get_by_role("button", name="Skip").click()
    for student in (first, phone):
        expect(student.page.locator("#lesson .lesson-counter")).to_have_text("Step 2 of 2: Too large",
                                                                             timeout=SERVER_MS)
    panel.get_by_label("it learns faster").check()  # the presenter answers, so Play unlocks
    page.get_by_role("button", name="Step epoch").click()  # the class's run moves past the step's start
    expect(first.page.locator(EPOCH)).to_have_text("000,001", timeout=SERVER_MS)
    first.fork()
    expect(first.page.locator("#lesson .lesson-counter")).to_have_text("Step 2 of 2: Too large", timeout=SERVER_MS)
    expect(first.page.locator("#lesson .lesson-actions")).to_be_visible()
    setup = step_setup("08-learning-rate.md", 1)
    first.page.wait_for_function("() => document.querySelector('[data-counter=\"epoch\"]').textContent === '000,000'",
                                 timeout=SERVER_MS)
    config = first.sessions()[-1]["config"]
    assert {key: config[key] for key in setup} == setup

    page.get_by_role("button", name="Class", exact=True).click()
    alias = first.alias()
    expect(tile(page, alias).locator(".tile-lesson")).to_have_text("step 2", timeout=CLASS_MS)
    expect(tile(page, alias).locator(".tile-epoch")).to_have_text("epoch 0", timeout=CLASS_MS)
    results = panel.locator(".lesson-class-results")
    expect(results).to_have_text(re.compile(r"^0 of 1 student met this step's goal"), timeout=CLASS_MS)
    expect(results).to_have_attribute("data-total", "1")
    page.screenshot(path=artifacts / "class-lesson-teacher.png")
