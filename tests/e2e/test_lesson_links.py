"""Lesson links in a real browser: `hide=features` keeps the input labels (fixed), `hide=activation`
hides the per-layer selects too, and a name that is no control drops only itself, with a notice."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

READY = '#connection[data-state="open"]'
SERVER_MS = 8000  # how long a server echo may take on a loaded machine


def open_link(page: Page, hash_: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/{hash_}")
    expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,2,1")


def test_hide_features_keeps_the_input_labels_but_fixes_the_inputs(page: Page) -> None:
    open_link(page, "#hide=features")
    inputs = page.locator("#network .network-inputs")
    expect(inputs).to_be_visible()
    expect(inputs).to_have_class(re.compile("is-locked"))
    label = inputs.locator('[data-feature="x1"]')
    expect(label).to_be_visible()
    expect(label).to_contain_text("X")
    box = label.bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10
    label.click(force=True)  # inert: the click does nothing
    square = page.locator('#network [data-layer="0"][data-index="0"]').bounding_box()
    assert square is not None
    page.mouse.click(square["x"] + square["width"] / 2, square["y"] + square["height"] / 2)
    page.wait_for_timeout(500)
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,2,1")
    expect(page).to_have_url(re.compile(r"hide=features"))


def test_hide_activation_hides_every_activation_select(page: Page) -> None:
    open_link(page, "#hide=activation")
    expect(page.locator('[data-field="activation"]')).to_be_hidden()
    selects = page.locator('#network [data-field="layer_activations"]')
    assert selects.count() == 2  # one per hidden layer of 2-4-2-1
    for i in range(selects.count()):
        expect(selects.nth(i)).to_be_hidden()
    expect(page.locator('[data-field="learning_rate"]')).to_be_visible()


def test_an_unknown_name_drops_only_itself_with_a_notice(page: Page) -> None:
    open_link(page, "#hide=noise,bogus,learning_rate")
    expect(page.locator("#banner")).to_contain_text("The link hides controls that do not exist, ignored: bogus",
                                                    timeout=SERVER_MS)
    expect(page.locator('[data-field="noise"]')).to_be_hidden()
    expect(page.locator('[data-field="learning_rate"]')).to_be_hidden()
    expect(page.locator('[data-field="points"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"hide=noise,learning_rate$"), timeout=SERVER_MS)
