"""The page as a new user meets it: it loads cleanly, trains, reacts to settings and links,
and a teacher can train a spiral in front of a class. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

READY = '#connection[data-state="open"]'
STEP = '[data-counter="step"]'
EPOCH = '[data-counter="epoch"]'
SERVER_MS = 5000  # how long a server echo may take
TRAINING_MS = 60_000  # how long a real training run may take on a busy machine
SPIRAL = ("/#dataset=spiral&features=x1,x2,x1_sq,x2_sq,sin_x1,sin_x2&hidden_layers=12,12,12"
          "&optimizer=adam&learning_rate=0.003")
SPIRAL_TEST_COST = 0.1  # a trained spiral gets well below this (about 0.005 after 4000 steps)


def open_page(page: Page, path: str = "/") -> None:
    page.goto(path)
    expect(page.locator(READY)).to_be_visible()
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)


def number(page: Page, selector: str) -> float:
    return float(page.locator(selector).inner_text().replace(",", "").replace("−", "-"))


def output_pixels(page: Page) -> str:
    """A fingerprint of the output canvas's pixels."""
    return str(page.evaluate("""() => {
        const canvas = document.querySelector('#heatmap canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let hash = 0;
        for (let i = 0; i < data.length; i += 97) hash = (hash * 31 + data[i]) | 0;
        return hash;
    }"""))


def test_the_page_loads_trains_and_shows_no_console_errors(page: Page, artifacts: Path) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_page(page)
    before = output_pixels(page)
    first_cost = number(page, '[data-metric="test-cost"]')
    page.get_by_role("button", name="Play").click()
    expect(page.locator(EPOCH)).not_to_have_text("000,000", timeout=SERVER_MS)
    page.wait_for_function(
        "first => Number(document.querySelector('[data-metric=\"test-cost\"]').textContent) < first / 2",
        arg=first_cost, timeout=TRAINING_MS,
    )
    assert output_pixels(page) != before
    page.get_by_role("button", name="Pause").click()
    page.screenshot(path=artifacts / "page-trained-circle.png", full_page=True)
    assert errors == []


def test_dataset_activation_and_layers_take_effect(page: Page) -> None:
    open_page(page)
    page.locator('[data-dataset="xor"]').click()
    expect(page).to_have_url(re.compile(r"dataset=xor"), timeout=SERVER_MS)
    page.get_by_label("Activation", exact=True).select_option("relu")
    expect(page).to_have_url(re.compile(r"activation=relu"), timeout=SERVER_MS)
    page.get_by_role("button", name=re.compile("add a hidden layer", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"hidden_layers=4,2,4"), timeout=SERVER_MS)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(STEP)).to_have_text("1", timeout=SERVER_MS)


def test_a_link_reproduces_a_setup(page: Page) -> None:
    open_page(page, "/#dataset=moons&noise=20&hidden_layers=6&activation=sigmoid")
    expect(page.locator('[data-dataset="moons"]')).to_have_attribute("aria-pressed", "true", timeout=SERVER_MS)
    expect(page.get_by_label("Activation", exact=True)).to_have_value("sigmoid")
    expect(page).to_have_url(re.compile(r"hidden_layers=6"))


def test_a_teacher_trains_a_spiral(page: Page, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_page(page, SPIRAL)
    expect(page.locator('[data-dataset="spiral"]')).to_have_attribute("aria-pressed", "true", timeout=SERVER_MS)
    page.get_by_label("Speed").select_option("epoch:5")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "limit => Number(document.querySelector('[data-metric=\"test-cost\"]').textContent) < limit",
        arg=SPIRAL_TEST_COST, timeout=TRAINING_MS,
    )
    page.get_by_role("button", name="Pause").click()
    page.screenshot(path=artifacts / "spiral-trained.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "spiral-phone.png", full_page=True)


def test_a_link_typed_over_a_running_page_describes_the_whole_setup(page: Page) -> None:
    open_page(page, "/#dataset=spiral&features=x1,x2,sin_x1&learning_rate=0.1")
    expect(page).to_have_url(re.compile(r"features=x1,x2,sin_x1"), timeout=SERVER_MS)
    page.evaluate("location.hash = '#dataset=blobs&classes=4'")
    expect(page.locator('[data-dataset="blobs"]')).to_have_attribute("aria-pressed", "true", timeout=SERVER_MS)
    expect(page).to_have_url(re.compile(r"#dataset=blobs&classes=4$"), timeout=SERVER_MS)
    expect(page.get_by_label("Learning rate")).to_have_value("0.03")
