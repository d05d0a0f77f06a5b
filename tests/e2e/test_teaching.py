"""The teaching aids in a real browser: keys whatever has focus, errors in words that keep the
layout still, the whole arithmetic of one neuron docked in view, gradient sizes and the diagnosis.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RETURNING_USER

READY = '#connection[data-state="open"]'
STEP = '[data-counter="step"]'
SERVER_MS = 5000  # how long a server echo may take
HEATMAP = "#heatmap canvas.heatmap-canvas"
SCREENS = {  # the sizes people use, as browser-context options
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
}


def open_page(page: Page, path: str = "/") -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(path)
    expect(page.locator(READY)).to_be_visible()
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)
    expect(page.get_by_role("button", name="Play")).to_be_enabled()


def seed(page: Page) -> str:
    return page.get_by_label("Weight seed").input_value()


def test_space_toggles_the_run_once_after_a_button_was_clicked(page: Page) -> None:
    open_page(page)
    page.locator("#transport").get_by_role("button", name="New weights").click()
    expect(page.get_by_label("Weight seed")).not_to_have_value("0", timeout=SERVER_MS)
    drawn = seed(page)
    page.keyboard.press("Space")  # focus is still on "New weights"
    expect(page.get_by_role("button", name="Pause")).to_be_visible(timeout=SERVER_MS)
    page.wait_for_timeout(500)
    expect(page.get_by_role("button", name="Pause")).to_be_visible()  # not toggled back, not reset
    assert seed(page) == drawn  # the focused button was not pressed again
    page.get_by_role("button", name="Two gaussians").click()
    expect(page.locator('[data-dataset="gauss"]')).to_have_attribute("aria-pressed", "true", timeout=SERVER_MS)
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Pause")).to_be_visible(timeout=SERVER_MS)
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=SERVER_MS)
    page.keyboard.press("ArrowRight")  # → steps, with the dataset button still focused
    expect(page.locator(STEP)).not_to_have_text("0", timeout=SERVER_MS)
    assert page.locator('[data-dataset="gauss"]').evaluate("b => b === document.activeElement")


def test_a_refused_value_is_named_by_its_label_moves_nothing_and_clears_when_fixed(page: Page) -> None:
    open_page(page)
    workspace = page.locator("main.workspace").bounding_box()
    batch = page.get_by_label("Batch size (any size)")
    batch.fill("0")
    batch.press("Enter")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Batch size must be", timeout=SERVER_MS)
    expect(banner).not_to_contain_text("batch_size")
    assert page.locator("main.workspace").bounding_box() == workspace
    batch.fill("20")
    batch.press("Enter")
    expect(banner).to_be_empty(timeout=2000)  # long before the message would expire on its own
    assert page.locator("main.workspace").bounding_box() == workspace


def test_clicking_a_point_docks_its_whole_arithmetic_in_view(page: Page, artifacts: Path) -> None:
    open_page(page, "/#optimizer=adam&regularization=l2&regularization_rate=0.01")
    expect(page).to_have_url(re.compile(r"optimizer=adam"), timeout=SERVER_MS)
    page.get_by_role("button", name="Step epoch").click()
    expect(page.locator(STEP)).to_have_text("25", timeout=SERVER_MS)
    canvas = page.locator(HEATMAP)
    canvas.focus()
    page.keyboard.press("ArrowRight")  # the first training point, picked as a click would
    neuron = page.locator("#neuron-math")
    expect(neuron.locator(".neuron-lead")).to_contain_text("training point #0", timeout=SERVER_MS)
    panel = page.locator(".panel-neuron")
    expect(panel).to_have_class(re.compile("is-docked"))
    box = panel.bounding_box()
    assert box is not None and box["y"] + 40 < 800 and box["y"] + box["height"] <= 800.5  # in view
    for row in ("dC/da", "f′(z)", "dC/dz = dC/da · f′(z)", "dC/dwᵢ = dC/dz · aᵢ", "dC/db = dC/dz"):
        expect(neuron.locator("dt", has_text=row).first).to_be_visible()
    expect(neuron).to_contain_text("one step on this point alone")
    expect(neuron).to_contain_text("mini-batch of 10 points")
    update = neuron.locator("table.neuron-update")
    expect(update.locator("thead th")).to_have_text(["", "now", "dC/d·", "λ·w", "g", "m′", "v′", "m̂", "v̂",
                                                      "change Δ", "after"])
    expect(update.locator("tbody tr")).to_have_count(3)  # two weights and the bias of the output neuron
    expect(update.locator("tbody tr").last.locator("th")).to_have_text("b")
    after = float(update.locator('[data-term="update-new_value-2"]').inner_text().replace("\u2212", "-"))
    now = float(update.locator('[data-term="update-value-2"]').inner_text().replace("\u2212", "-"))
    assert abs(after - now) < 0.1
    page.screenshot(path=str(artifacts / "teaching-neuron-docked.png"))
    neuron.get_by_role("button", name="Close: clear the selected point").click()
    expect(panel).not_to_have_class(re.compile("is-docked"), timeout=SERVER_MS)


def test_gradient_sizes_and_a_diagnosis_show_live(page: Page, artifacts: Path) -> None:
    open_page(page, "/#activation=relu&learning_rate=10")
    expect(page).to_have_url(re.compile(r"learning_rate=10"), timeout=SERVER_MS)
    page.get_by_role("button", name="Play").click()
    feed = page.locator("#diagnosis")
    expect(feed).to_have_attribute("data-kinds", re.compile("^rate_too_high"), timeout=30_000)
    page.get_by_role("button", name="Pause").click()
    norms = page.locator("#network canvas.network-canvas").get_attribute("data-grad-norms") or ""
    assert len(norms.split(",")) == 3 and all(re.fullmatch(r"[-+\de.]+", n) for n in norms.split(","))
    page.screenshot(path=str(artifacts / "teaching-diagnosis.png"))
    action = feed.locator(".diagnosis-action").first
    expect(action).to_have_text("Lower the learning rate to 1 and start again")
    action.click()
    expect(page.get_by_label("Learning rate", exact=True)).to_have_value("1", timeout=SERVER_MS)
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)  # started again from the first weights
    expect(feed).to_have_attribute("data-kinds", "", timeout=SERVER_MS)


@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_a_card_that_comes_and_goes_moves_no_control(browser: Browser, base_url: str, artifacts: Path,
                                                     screen: str) -> None:
    """The Data panel stays put while a finding appears and while it goes (the feed scrolls in its box)."""
    context = browser.new_context(base_url=base_url, **SCREENS[screen])
    context.add_init_script(RETURNING_USER)  # the sandbox, without the newcomer's home card above it
    page = context.new_page()
    try:
        page.goto("/#activation=relu&learning_rate=10")
        expect(page.locator(READY)).to_be_visible()
        expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)
        data = page.locator(".panel-data")
        feed = page.locator("#diagnosis")
        expect(feed).to_have_attribute("data-kinds", "", timeout=SERVER_MS)
        before = data.bounding_box()
        page.get_by_role("button", name="Play").click()
        expect(feed).to_have_attribute("data-kinds", re.compile("rate_too_high"), timeout=30_000)
        page.get_by_role("button", name="Pause").click()
        assert data.bounding_box() == before
        page.screenshot(path=str(artifacts / f"diagnosis-card-{screen}.png"), full_page=True)
        action = feed.locator(".diagnosis-action").first
        # On a phone the card is a screen or two down: bring it into view as a learner would, so
        # the page is measured where it stands when the button is pressed, not before a scroll.
        action.scroll_into_view_if_needed()
        before = data.bounding_box()
        box = feed.bounding_box()
        action.click()
        expect(feed).to_have_attribute("data-kinds", "", timeout=SERVER_MS)
        assert data.bounding_box() == before
        # The feed keeps its box as its last card goes. (The page's height is not compared: the
        # reset that the button asks for may change what the chart shows further down.)
        assert feed.bounding_box() == box
    finally:
        context.close()
