""""Inside one neuron" in a real browser: a neuron chosen by click or tap, and every sum on the
panel adds up as the page writes it (the text is read back and added with exact decimals)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

READY = '#connection[data-state="open"]'
STEP = '[data-counter="step"]'
SERVER_MS = 8000  # how long a server echo may take on a loaded machine
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def number(cell: Locator) -> Decimal:
    return Decimal(cell.inner_text().strip().replace("\u2212", "-"))


def term(panel: Locator, name: str) -> Decimal:
    return number(panel.locator(f'[data-term="{name}"]'))


def assert_the_panel_adds_up(panel: Locator) -> None:
    """Σ of the shown products = shown Σ; shown Σ + shown b = shown z; the feeds' terms = dC/da;
    every update row's now + change = after, and the change is not shown as zero."""
    table = panel.locator("table.neuron-table").first
    products = table.locator('[data-term^="product-"]')
    assert products.count() >= 2
    assert panel.locator('[data-term="rounding-note"]').is_hidden()  # this seed's sums are exact
    shown_sum = term(panel, "weighted_sum")
    assert sum(number(products.nth(i)) for i in range(products.count())) == shown_sum
    assert shown_sum + term(panel, "bias") == term(panel, "z")
    feeds = panel.locator('[data-term^="feed-"]')
    assert feeds.count() == 2  # layer 1 of 2-4-2-1 feeds the two neurons of layer 2
    assert sum(number(feeds.nth(i)) for i in range(feeds.count())) == term(panel, "feeds-sum")
    rows = panel.locator("table.neuron-update tbody tr")
    for i in range(rows.count()):
        now, change = term(panel, f"update-value-{i}"), term(panel, f"update-step-{i}")
        assert change != 0 and now + change == term(panel, f"update-new_value-{i}")


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_a_chosen_neurons_numbers_add_up_as_shown(browser: Browser, base_url: str, artifacts: Path,
                                                  size: str) -> None:
    is_phone = size == "phone"
    context = browser.new_context(base_url=base_url, viewport=SIZES[size], has_touch=is_phone, is_mobile=is_phone)
    page: Page = context.new_page()
    try:
        page.goto("/#learning_rate=0.01&seed=3")
        expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
        expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,2,1")
        page.get_by_role("button", name="Step epoch").click()
        expect(page.locator(STEP)).not_to_have_text("0", timeout=SERVER_MS)
        neuron = page.locator('#network [data-layer="1"][data-index="0"]')
        neuron.scroll_into_view_if_needed()
        box = neuron.bounding_box()
        assert box is not None
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        if is_phone:
            # a tap chooses the neuron and opens its sheet (its map large); editing is one step further
            page.touchscreen.tap(*centre)
            sheet = page.get_by_role("dialog", name="Layer 1, neuron 1")
            expect(sheet).to_be_visible()
            expect(sheet.locator("canvas.neuron-sheet-map")).to_be_visible()
            sheet.get_by_role("button", name="Edit the bias of layer 1, neuron 1").click()
            expect(sheet).to_be_hidden()
        else:
            page.mouse.click(*centre)  # a click chooses the neuron and offers its bias for editing
        editor = page.get_by_label("New value for the bias of layer 1, neuron 1")
        expect(editor).to_be_visible()
        editor.press("Escape")
        if not is_phone:
            page.mouse.move(2, 2)  # the pointer leaves the network: the neuron stays chosen
        page.get_by_role("button", name="Show a training point").click()
        panel = page.locator("#neuron-math")
        expect(panel.locator(".neuron-lead")).to_contain_text("Neuron 1 of layer 1", timeout=SERVER_MS)
        expect(panel.locator(".neuron-lead")).to_contain_text("training point #0")
        caption = page.locator(".heatmap-caption strong")  # the plane shows the chosen neuron, hovered or not
        expect(caption).to_have_text("Showing neuron 1 of layer 1")
        expect(panel.locator("dt", has_text="dC/da = Σₖ wₖ · dC/dzₖ")).to_be_visible()
        expect(panel.locator("dt", has_text="f′(z) = 1 − a²")).to_be_visible()
        expect(panel.locator("table.neuron-feeds")).to_be_visible()
        expect(page.locator(".network-tooltip")).to_be_hidden()  # a tap leaves no tooltip over the panel
        assert_the_panel_adds_up(panel)
        close, lead = panel.locator(".neuron-close").bounding_box(), panel.locator(".neuron-lead").bounding_box()
        assert close is not None and lead is not None
        text_right = page.evaluate("""(lead) => { const range = document.createRange(); range.selectNodeContents(lead);
                                       return Math.max(...[...range.getClientRects()].map((r) => r.right)); }""",
                                   panel.locator(".neuron-lead").element_handle())
        assert close["y"] >= lead["y"] + lead["height"] or text_right <= close["x"]  # × covers no word of the lead
        page.screenshot(path=str(artifacts / f"neuron-numbers-{size}.png"), full_page=False)
    finally:
        context.close()


def test_the_output_neuron_shows_its_target_and_formulas(page: Page) -> None:
    page.set_viewport_size(SIZES["laptop"])
    page.goto("/#output_activation=tanh&cost=mse")
    expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
    page.get_by_role("button", name="Show a training point").click()
    panel = page.locator("#neuron-math")
    expect(panel.locator("dt", has_text="target t")).to_be_visible(timeout=SERVER_MS)
    target = panel.locator(".neuron-fact", has_text="target t").locator(".neuron-value")
    expect(target).to_have_text("1.00" if "class 1" in panel.locator(".neuron-lead").inner_text() else "\u22121.00")
    expect(panel.locator("dt", has_text="dC/da = a − t")).to_be_visible()
    expect(panel.locator("dt", has_text="f′(z) = 1 − a²")).to_be_visible()
    # "a − t = d" as written: a − (t) equals the shown difference
    text = panel.locator(".neuron-fact", has_text="dC/da = a − t").locator(".neuron-value").inner_text()
    left, right = text.replace("\u2212", "-").split(" = ")
    a, t = left.split(" - ", 1)
    assert Decimal(a) - Decimal(t.strip("()")) == Decimal(right)


def test_sums_no_precision_makes_add_up_say_so(page: Page, artifacts: Path) -> None:
    # with these settings the output neuron's 16 rounded products add up at no precision up to
    # six decimals more (tests/unit/training/test_trace.py finds the case the same way)
    features = "x1,x2,x1_sq,x2_sq,x1_x2,sin_x1,sin_x2,cos_x1,cos_x2"
    page.set_viewport_size(SIZES["laptop"])
    page.goto(f"/#features={features}&hidden_layers=16&seed=7")
    expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "9,16,1",
                                                                            timeout=SERVER_MS)
    page.get_by_role("button", name="Show a training point").click()
    panel = page.locator("#neuron-math")
    expect(panel.locator('[data-term="rounding-note"]')).to_be_visible(timeout=SERVER_MS)
    expect(panel.locator(".neuron-total-name").first).to_have_text("Σ wᵢaᵢ ≈")
    products = panel.locator('[data-term^="product-"]')
    assert products.count() == 16
    assert sum(number(products.nth(i)) for i in range(16)) != term(panel, "weighted_sum")  # hence ≈
    panel.locator('[data-term="rounding-note"]').scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "neuron-numbers-rounding-note.png"))


def test_a_chosen_neuron_stays_chosen_through_a_reshape_while_the_network_has_it(page: Page) -> None:
    page.set_viewport_size(SIZES["laptop"])
    page.goto("/#learning_rate=0.01&seed=3")
    expect(page.locator(READY)).to_be_visible(timeout=SERVER_MS)
    canvas = page.locator("#network canvas.network-canvas")
    expect(canvas).to_have_attribute("data-sizes", "2,4,2,1")
    page.get_by_role("button", name="Step epoch").click()
    expect(page.locator(STEP)).not_to_have_text("0", timeout=SERVER_MS)
    box = page.locator('#network [data-layer="2"][data-index="1"]').bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # chooses layer 2, neuron 2
    page.get_by_label("New value for the bias of layer 2, neuron 2").press("Escape")
    page.mouse.move(2, 2)
    page.get_by_role("button", name="Show a training point").click()
    lead = page.locator("#neuron-math .neuron-lead")
    expect(lead).to_contain_text("Neuron 2 of layer 2", timeout=SERVER_MS)
    page.get_by_role("button", name="Remove a neuron from hidden layer 1").click()
    expect(canvas).to_have_attribute("data-sizes", "2,3,2,1", timeout=SERVER_MS)
    expect(lead).to_contain_text("Neuron 2 of layer 2")  # a new layout, the same neuron
    page.get_by_role("button", name="Remove a neuron from hidden layer 2").click()
    expect(canvas).to_have_attribute("data-sizes", "2,3,1,1", timeout=SERVER_MS)
    expect(lead).to_contain_text("The output neuron", timeout=SERVER_MS)  # gone with its neuron
