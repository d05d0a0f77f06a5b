"""The Output and "Inside one neuron" panels in a real browser.

Decision boundary pixels, the two toggles, the cost figures and chart, clicking a
data point to trace it, the hovered neuron's map and the multi-class confusion matrix.
Every test opens its own page, so it gets its own training session on the server.
"""

from __future__ import annotations

import json
import re
import struct
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

HEATMAP = "#heatmap canvas.heatmap-canvas"
TRAINED_COST = 0.1  # the circle reaches this test cost within a few seconds at the default settings
COLOUR_MARGIN = 60  # a pixel is orange-ish when red exceeds blue by this much, blue-ish the other way
MIN_CLASS_PIXELS = 2000  # of each colour, out of ~90,000 plot pixels


def open_page(page: Page, path: str = "/") -> None:
    """Load the page and wait until the connection is open and the heatmap shows a frame."""
    page.goto(path)
    expect(page.locator('#connection[data-state="open"]')).to_be_visible()
    expect(page.locator(HEATMAP)).to_have_attribute("data-seq", re.compile(r"\d+"))


def heatmap_pixels(page: Page) -> dict[str, Any]:
    """Counts of orange-ish and blue-ish pixels and a fingerprint of the heatmap canvas."""
    return page.evaluate(
        """([selector, margin]) => {
            const canvas = document.querySelector(selector);
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let orange = 0, blue = 0, painted = 0, hash = 0;
            for (let i = 0; i < data.length; i += 4) {
              const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
              if (a) painted++;
              if (r > b + margin) orange++;
              if (b > r + margin) blue++;
              hash = (hash * 31 + r * 7 + g * 3 + b) | 0;
            }
            return {orange, blue, painted, hash};
        }""",
        [HEATMAP, COLOUR_MARGIN],
    )


def number(text: str) -> float:
    """A figure as the page writes it (true minus signs, "1.5e−4") back to a float."""
    return float(text.strip().replace("\u2212", "-"))


def record_dataset(page: Page) -> dict[str, Any]:
    """Pass the socket through and keep the last `dataset` message the server sent (header and points)."""
    latest: dict[str, Any] = {}

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if isinstance(message, bytes):
                length = struct.unpack("<I", message[:4])[0]
                header = json.loads(message[4:4 + length])
                if header["type"] == "dataset":
                    start = (4 + length + 3) // 4 * 4
                    entry = next(a for a in header["arrays"] if a["name"] == "points")
                    offset = start + entry["offset"]
                    latest["header"] = header
                    size = entry["length"]
                    latest["points"] = struct.unpack(f"<{size}f", message[offset:offset + 4 * size])
            socket.send(message)

        server.on_message(from_server)
        socket.on_message(lambda message: server.send(message))

    page.route_web_socket(re.compile(r"/ws(\?|$)"), route)
    return latest


def test_boundary_learns_the_circle_and_the_figures_follow(page: Page) -> None:
    open_page(page)
    before = heatmap_pixels(page)
    assert before["painted"] > 0 and (before["orange"] or before["blue"]), before
    test_cost = page.locator('#metrics [data-metric="test-cost"]')
    expect(test_cost).to_have_text(re.compile(r"^\d"))
    expect(page.locator("#chart canvas")).to_have_attribute("data-points", "1")

    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        """([selector, limit]) =>
            Number(document.querySelector(selector).textContent.replace("\u2212", "-")) < limit""",
        arg=['#metrics [data-metric="test-cost"]', TRAINED_COST], timeout=15000,
    )
    page.get_by_role("button", name="Pause").click()

    after = heatmap_pixels(page)
    assert after["orange"] > MIN_CLASS_PIXELS and after["blue"] > MIN_CLASS_PIXELS, after
    assert number(page.locator('#metrics [data-metric="train-cost"]').inner_text()) < 1
    expect(page.locator("#metrics .metric-details").first).to_contain_text(re.compile(r"accuracy \d+\.\d%"))
    chart = page.locator("#chart canvas")
    expect(chart).to_have_attribute("data-points", re.compile(r"^([2-9]|\d{2,})"))
    has_line = page.evaluate(
        """() => {
            const canvas = document.querySelector("#chart canvas");
            const accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim();
            const probe = document.createElement("canvas").getContext("2d");
            probe.fillStyle = accent;  // any CSS colour syntax, read back as one pixel
            probe.fillRect(0, 0, 1, 1);
            const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let count = 0;
            for (let i = 0; i < data.length; i += 4) {
              if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) count++;
            }
            return count;
        }"""
    )
    assert has_line > 50


def test_show_test_data_and_discretize_change_the_picture(page: Page) -> None:
    open_page(page)
    canvas = page.locator(HEATMAP)
    plain = heatmap_pixels(page)

    page.get_by_label("Show test data").check()
    expect(canvas).to_have_attribute("data-test", "true")
    with_test = heatmap_pixels(page)
    assert with_test["hash"] != plain["hash"]

    page.get_by_label("Discretize output").check()
    expect(canvas).to_have_attribute("data-discrete", "true")
    assert heatmap_pixels(page)["hash"] != with_test["hash"]

    page.get_by_label("Discretize output").uncheck()
    page.get_by_label("Show test data").uncheck()
    expect(canvas).to_have_attribute("data-test", "false")
    assert heatmap_pixels(page)["hash"] == plain["hash"]


def test_clicking_a_point_shows_its_arithmetic(page: Page) -> None:
    dataset = record_dataset(page)
    open_page(page)
    neuron = page.locator("#neuron-math")
    expect(neuron.get_by_role("button", name="Show a training point")).to_be_visible()

    left, top, side, extent = (float(v) for v in page.locator(HEATMAP).get_attribute("data-plot").split(","))
    index = 7
    x1, x2 = dataset["points"][2 * index], dataset["points"][2 * index + 1]
    box = page.locator(HEATMAP).bounding_box()
    assert box is not None
    x = box["x"] + left + (x1 + extent) / (2 * extent) * side
    y = box["y"] + top + (extent - x2) / (2 * extent) * side
    page.mouse.click(x, y)

    table = neuron.get_by_role("table", name=re.compile("forward pass"))
    expect(table).to_be_visible()
    expect(neuron.locator(".neuron-lead")).to_contain_text(f"training point #{index}")
    cells = {term: number(neuron.locator(f'[data-term="{term}"]').inner_text())
             for term in ("weighted_sum", "bias", "z")}
    tolerance = 0.01 * max(1.0, abs(cells["weighted_sum"]), abs(cells["bias"]))
    assert abs(cells["z"] - (cells["weighted_sum"] + cells["bias"])) <= tolerance, cells
    expect(neuron).to_contain_text("dC/dz")

    page.keyboard.press("Escape")
    expect(table).to_be_hidden()
    expect(neuron.get_by_role("button", name="Show a training point")).to_be_visible()


def test_hovering_a_neuron_shows_its_map(page: Page) -> None:
    open_page(page)
    box = page.locator('#network [data-layer="1"][data-index="1"]').bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(HEATMAP)).to_have_attribute("data-map", "neuron")
    expect(page.locator(".heatmap-caption")).to_contain_text("Showing neuron 2 of layer 1")
    page.mouse.move(1, 1)
    expect(page.locator(HEATMAP)).to_have_attribute("data-map", "output")
    expect(page.locator(".heatmap-caption")).to_contain_text("orange = class 0")


def test_four_classes_show_a_four_by_four_confusion_matrix(page: Page) -> None:
    open_page(page, "/#dataset=blobs&classes=4")
    matrix = page.get_by_role("table", name=re.compile("rows are the true class"))
    expect(matrix.locator("tbody tr")).to_have_count(4)
    expect(matrix.locator("tbody tr").first.locator("td")).to_have_count(4)
    expect(matrix.locator('th[scope="col"]')).to_have_count(4)
    expect(page.locator(".heatmap-caption")).to_contain_text("most likely class")
