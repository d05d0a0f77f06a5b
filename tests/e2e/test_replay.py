"""Slow step, rewind and pinned runs in a real browser. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

READY = '#connection[data-state="open"]'
STEP = '[data-counter="step"]'
EPOCH = '[data-counter="epoch"]'
SERVER_MS = 5000  # how long a server echo may take
NETWORK = "#network canvas.network-canvas"
HEATMAP = "#heatmap canvas.heatmap-canvas"


def open_page(page: Page, path: str = "/") -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(path)
    expect(page.locator(READY)).to_be_visible()
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)


def test_a_slow_step_replays_forward_backward_and_update_then_counts_one_step(page: Page, artifacts: Path) -> None:
    open_page(page)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(STEP)).to_have_text("1", timeout=SERVER_MS)
    page.get_by_role("button", name="Slow step").click()
    caption = page.locator(".slow-caption")
    expect(caption).to_contain_text("Forward: the inputs", timeout=SERVER_MS)
    expect(page.locator(NETWORK)).to_have_attribute("data-phase", re.compile("^forward:"))
    plane = page.locator(HEATMAP)
    expect(plane).to_have_attribute("data-batch", "10")  # the batch's points are marked on the plane
    expect(caption).to_contain_text("Backward: the error reaches layer 1", timeout=10_000)
    expect(page.locator(STEP)).to_have_text("1")  # the step counts when the replay reaches the update
    page.screenshot(path=str(artifacts / "slow-step-backward.png"))
    expect(caption).to_contain_text("Update: w ← w − η·dC/dw", timeout=10_000)
    expect(page.locator(STEP)).to_have_text("2")
    # the three links that moved most, before → after: drawn on the update phase's next redraw, which may
    # come after the step counter shows the step
    expect(page.locator(NETWORK)).to_have_attribute("data-moved", re.compile(r"^[^;]+; [^;]+; [^;]+$"))
    moved = page.locator(NETWORK).get_attribute("data-moved") or ""
    labels = moved.split("; ")
    assert len(labels) == 3, moved
    for label in labels:
        before, after = label.replace("\u2212", "-").split(" → ")
        assert before != after and len(before.split(".")[1]) == len(after.split(".")[1])
    page.screenshot(path=str(artifacts / "slow-step-update.png"))
    expect(caption).to_be_hidden(timeout=10_000)
    expect(page.locator(NETWORK)).to_have_attribute("data-phase", "")
    expect(plane).to_have_attribute("data-batch", "0")
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Slow step")).to_be_disabled(timeout=SERVER_MS)


def test_the_scrubber_rewinds_the_run_to_an_earlier_epoch(page: Page, artifacts: Path) -> None:
    open_page(page)
    for epoch in range(1, 7):
        page.get_by_role("button", name="Step epoch").click()
        expect(page.locator(EPOCH)).to_have_text(re.compile(rf"^[0,]*{epoch}$"), timeout=SERVER_MS)
    rewind = page.locator("#rewind")
    expect(rewind).to_have_attribute("data-epochs", "0,1,2,3,4,5,6", timeout=SERVER_MS)
    expect(rewind.locator(".rewind-memory")).to_contain_text("7 checkpoints")
    slider = page.get_by_label("Rewind to epoch")
    slider.fill("2")  # sets the value and fires input and change, as letting go of a drag does
    expect(page.locator(EPOCH)).to_have_text(re.compile(r"^[0,]*2$"), timeout=SERVER_MS)
    expect(page.locator(STEP)).to_have_text("50")
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    page.screenshot(path=str(artifacts / "rewound-to-epoch-2.png"))
    page.get_by_role("button", name="Step epoch").click()  # training on: epochs 3 to 6 of the old run are gone
    expect(page.locator(EPOCH)).to_have_text(re.compile(r"^[0,]*3$"), timeout=SERVER_MS)
    expect(page.locator("#banner")).to_contain_text("Training went on from epoch 2", timeout=SERVER_MS)
    expect(page.locator("#banner")).to_contain_text("(up to 6) are discarded")


def test_two_pinned_runs_are_compared_on_one_chart(page: Page, artifacts: Path) -> None:
    open_page(page)
    chart = page.locator("#chart canvas")
    for learning_rate in ("0.3", "0.003"):
        for _ in range(4):
            page.get_by_role("button", name="Step epoch").click()
            page.wait_for_timeout(150)
        expect(chart).not_to_have_attribute("data-points", re.compile(r"^[01]$"), timeout=SERVER_MS)
        page.get_by_role("button", name="Pin this run").click()
        page.get_by_label("Learning rate").select_option(learning_rate)
        page.get_by_role("button", name="Reset").click()
        expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)
    expect(chart).to_have_attribute("data-pins", "2", timeout=SERVER_MS)
    chips = page.locator(".pin-chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_contain_text("lr 0.03")
    expect(chips.nth(1)).to_contain_text("lr 0.3")
    for _ in range(4):
        page.get_by_role("button", name="Step epoch").click()
        page.wait_for_timeout(150)
    page.screenshot(path=str(artifacts / "two-pinned-runs-compared.png"))
    page.reload()
    expect(page.locator(".pin-chip")).to_have_count(2, timeout=SERVER_MS)  # kept by the server
    page.get_by_role("button", name="Unpin lr 0.03").click()
    expect(page.locator(".pin-chip")).to_have_count(1, timeout=SERVER_MS)


def test_the_scrubber_is_as_wide_as_the_chart_and_shows_where_a_drag_lands(page: Page, artifacts: Path) -> None:
    open_page(page, "/#learning_rate=0.003")
    page.get_by_role("button", name="Play").click()
    for _ in range(600):  # until 100 epochs: old checkpoints are then 4 epochs apart or more
        if int(page.locator(EPOCH).inner_text().replace(",", "")) >= 100:
            break
        page.wait_for_timeout(100)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=SERVER_MS)
    rewind = page.locator("#rewind")
    slider = page.get_by_label("Rewind to epoch")
    slider.scroll_into_view_if_needed()  # the mouse can only drag what is in the window
    chart = page.locator("#chart canvas").bounding_box()
    box = slider.bounding_box()
    assert chart is not None and box is not None
    assert box["width"] >= 0.9 * chart["width"], (box["width"], chart["width"])  # was 60 px
    page.wait_for_timeout(300)  # the last frame's checkpoints
    epochs = [int(e) for e in (rewind.get_attribute("data-epochs") or "").split(",")]
    gap, start = max((later - earlier, earlier) for earlier, later in zip(epochs, epochs[1:], strict=False))
    assert gap >= 4  # sparse further back: a drag can fall between two checkpoints
    low, high = int(slider.get_attribute("min") or 0), int(slider.get_attribute("max") or 0)
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 8, y)
    page.mouse.down()
    x = box["x"] + 8 + (start + gap / 2 - low) / (high - low) * (box["width"] - 16)
    page.mouse.move(x, y, steps=8)
    # Where the thumb's centre runs is the browser's business: nudge the pointer, still dragging,
    # until the value lies strictly inside the widest gap between two kept checkpoints.
    value = int(slider.input_value())
    for _ in range(int(box["width"])):
        if start < value < start + gap:
            break
        x += 1 if value <= start else -1
        page.mouse.move(x, y)
        value = int(slider.input_value())
    assert start < value < start + gap, (start, gap, value)  # the drag fell between two checkpoints
    landing = max(e for e in epochs if e <= value)
    assert landing == start != value
    readout = rewind.locator(".rewind-readout")
    expect(readout).to_have_text(f"{landing:,}")  # while dragging: the checkpoint it will land on
    page.screenshot(path=str(artifacts / "rewind-dragging.png"))
    page.mouse.up()
    expect(page.locator(EPOCH)).to_have_text(re.compile(rf"^[0,]*{landing}$"), timeout=SERVER_MS)
