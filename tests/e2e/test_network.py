"""The network view in a real browser: thumbnails, tooltips, reshaping, feature toggles, edits.

Every test opens its own page, so it gets its own training session on the server.
Neuron positions come from the view's keyboard buttons (`[data-layer][data-index]`),
which sit exactly over the squares drawn on the canvas.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

WEIGHT = re.compile(r"w = (-?\d+\.\d+)")  # the value a link's tooltip shows


def record_commands(page: Page) -> tuple[list[dict[str, Any]], list[WebSocketRoute]]:
    """Pass the page's socket through, keeping every command it sends; returns (commands, server sides)."""
    commands: list[dict[str, Any]] = []
    servers: list[WebSocketRoute] = []

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def forward(message: str | bytes) -> None:
            commands.append(json.loads(message))
            server.send(message)

        socket.on_message(forward)
        servers.append(server)

    page.route_web_socket(re.compile(r"/ws(\?|$)"), route)
    return commands, servers


def wait_until(page: Page, condition: Any, timeout_ms: int = 5000) -> None:
    """Let the page run until `condition()` holds (Python-side state fed by page events)."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    assert condition()


def open_page(page: Page, sizes: str = "2,4,2,1") -> None:
    """Load the page and wait until the network of these sizes has been drawn."""
    page.goto("/")
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", sizes)


def neuron_centre(page: Page, layer: int, index: int) -> tuple[float, float]:
    box = page.locator(f'#network [data-layer="{layer}"][data-index="{index}"]').bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def link_middle(page: Page, source: int, target: int) -> tuple[float, float]:
    """The middle of the link input `source` → hidden layer 1 neuron `target`.

    Links are symmetric cubic curves, so their middle is the midpoint of their ends.
    """
    start = page.locator(f'#network [data-layer="0"][data-index="{source}"]').bounding_box()
    end = page.locator(f'#network [data-layer="1"][data-index="{target}"]').bounding_box()
    assert start is not None and end is not None
    return (start["x"] + start["width"] + end["x"]) / 2, (start["y"] + end["y"]) / 2 + start["height"] / 2


def shown_weight(page: Page) -> str:
    text = page.locator(".network-tooltip").inner_text()
    match = WEIGHT.search(text)
    assert match, text
    return match.group(1)


def canvas_pixels(page: Page) -> dict[str, Any]:
    """Opaque pixels, distinct colours and a fingerprint of the network canvas."""
    return page.evaluate(
        """() => {
            const canvas = document.querySelector('#network canvas.network-canvas');
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let opaque = 0, hash = 0;
            const colours = new Set();
            for (let k = 0; k < data.length; k += 4) {
                if (data[k + 3] < 200) continue;
                opaque++;
                colours.add((data[k] << 16) | (data[k + 1] << 8) | data[k + 2]);
                hash = (hash * 31 + data[k] * 7 + data[k + 1] * 3 + data[k + 2]) | 0;
            }
            return {opaque, colours: colours.size, hash};
        }"""
    )


def test_canvas_shows_neuron_thumbnails(page: Page) -> None:
    open_page(page)
    pixels = canvas_pixels(page)
    assert pixels["opaque"] > 5000
    assert pixels["colours"] > 50
    x, y = neuron_centre(page, 1, 0)
    box = page.locator("#network canvas.network-canvas").bounding_box()
    assert box is not None
    centre = page.evaluate(
        """([x, y]) => {
            const canvas = document.querySelector('#network canvas.network-canvas');
            const ratio = canvas.width / canvas.getBoundingClientRect().width;
            const pixel = canvas.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1);
            return Array.from(pixel.data);
        }""",
        [x - box["x"], y - box["y"]],
    )
    assert centre[3] == 255, "the thumbnail of hidden neuron 1 is painted"


def test_hovering_a_neuron_shows_its_bias(page: Page) -> None:
    open_page(page)
    tooltip = page.locator(".network-tooltip")
    page.mouse.move(*neuron_centre(page, 1, 1))
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Layer 1, neuron 2")
    expect(tooltip).to_contain_text("bias = ")
    page.mouse.move(2, 2)
    expect(tooltip).to_be_hidden()


def test_hover_selects_the_neuron_once(page: Page) -> None:
    commands, _ = record_commands(page)
    open_page(page)
    x, y = neuron_centre(page, 1, 1)
    for step in range(5):
        page.mouse.move(x + step - 2, y + step - 2)
    page.mouse.move(2, 2)
    selections = lambda: [c for c in commands if c["type"] == "select_neuron"]  # noqa: E731
    wait_until(page, lambda: len(selections()) >= 2)
    assert [(c["layer"], c["index"]) for c in selections()] == [(1, 1), (None, None)]


def test_keyboard_reaches_neurons(page: Page) -> None:
    open_page(page)
    neuron = page.locator('#network [data-layer="1"][data-index="0"]')
    neuron.focus()
    expect(page.locator(".network-tooltip")).to_contain_text("Layer 1, neuron 1")
    page.keyboard.press("Enter")
    editor = page.get_by_label("New value for the bias of layer 1, neuron 1")
    expect(editor).to_be_focused()
    page.keyboard.press("Escape")
    expect(neuron).to_be_focused()


def test_link_tooltip_follows_training(page: Page) -> None:
    _, servers = record_commands(page)
    open_page(page)
    play = page.locator('[aria-label="Play"]')
    if play.count():
        play.click()
    else:
        servers[0].send(json.dumps({"type": "play"}))
    # The pointer stays still from here: only new frames can change the text.
    page.mouse.move(*link_middle(page, 0, 0))
    tooltip = page.locator(".network-tooltip")
    expect(tooltip).to_contain_text("(X₁ → layer 1, neuron 1)")
    before = shown_weight(page)
    expect(tooltip).not_to_contain_text(f"w = {before} ")
    expect(tooltip).to_contain_text(WEIGHT)


def test_adding_a_neuron_shows_the_echoed_size(page: Page) -> None:
    open_page(page)
    page.get_by_label("Add a neuron to hidden layer 1").click()
    expect(page.locator('#network .network-column[data-layer="1"]')).to_contain_text("5 neurons")
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,5,2,1")
    page.get_by_label("Remove a neuron from hidden layer 2").click()
    expect(page.locator('#network .network-column[data-layer="2"]')).to_contain_text("1 neuron")


def test_removing_and_adding_layers(page: Page) -> None:
    open_page(page)
    page.get_by_label("Remove the last hidden layer").click()
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,1")
    expect(page.locator("#network .network-layers")).to_contain_text("1 hidden layer")
    expect(page.locator('#network .network-column[data-layer="2"]')).to_have_count(0)
    page.get_by_label("Add a hidden layer").click()
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "2,4,4,1")


def test_toggling_a_feature_adds_an_input_neuron(page: Page) -> None:
    open_page(page)
    square = page.locator('#network [data-feature="x1_sq"]')
    expect(square).to_have_attribute("aria-pressed", "false")
    square.click()
    expect(square).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-sizes", "3,4,2,1")
    page.mouse.move(*neuron_centre(page, 0, 2))
    expect(page.locator(".network-tooltip")).to_contain_text("Input X₁²")


def test_inline_editor_sets_a_weight(page: Page) -> None:
    open_page(page)
    point = link_middle(page, 1, 2)
    page.mouse.click(*point)
    editor = page.get_by_label("New value for the weight X₂ → layer 1, neuron 3")
    expect(editor).to_be_focused()
    editor.fill("7")
    editor.press("Escape")
    expect(editor).to_have_count(0)
    page.mouse.click(*point)
    editor.fill("1.5")
    editor.press("Enter")
    expect(editor).to_have_count(0)
    page.mouse.move(point[0] + 1, point[1])
    expect(page.locator(".network-tooltip")).to_contain_text("w = 1.500 (X₂ → layer 1, neuron 3)")


def test_bias_editor_and_gradients_toggle(page: Page) -> None:
    open_page(page)
    page.mouse.click(*neuron_centre(page, 2, 0))
    editor = page.get_by_label("New value for the bias of layer 2, neuron 1")
    editor.fill("-0.25")
    editor.press("Enter")
    page.mouse.move(*neuron_centre(page, 2, 0))
    expect(page.locator(".network-tooltip")).to_contain_text("bias = -0.250")
    page.mouse.move(2, 2)
    before = canvas_pixels(page)
    page.get_by_label("Show gradients").check()
    expect(page.locator("#network canvas.network-canvas")).to_have_attribute("data-mode", "gradients")
    expect(page.locator("#network .network-legend")).to_contain_text("scaled")
    assert canvas_pixels(page)["hash"] != before["hash"]
    page.mouse.move(*link_middle(page, 0, 0))
    expect(page.locator(".network-tooltip")).to_contain_text("∂C/∂w = ")


def test_every_weight_and_bias_is_reachable_and_editable_by_keyboard(page: Page) -> None:
    commands, _ = record_commands(page)
    open_page(page)
    canvas = page.locator("#network canvas.network-canvas")
    announcer = page.locator("#network .network-announcer")
    canvas.focus()
    # 2-4-2-1: per target neuron its incoming weights, then its bias; 4·3 + 2·5 + 1·3 = 25 parameters.
    seen = []
    for _ in range(25):
        page.keyboard.press("ArrowDown")
        seen.append(announcer.inner_text())
    assert seen[0].startswith("w = ") and "(X₁ → layer 1, neuron 1)" in seen[0]
    assert "(X₂ → layer 1, neuron 1)" in seen[1] and seen[2].startswith("Layer 1, neuron 1") and "bias" in seen[2]
    assert seen[-1].startswith("Output") and "bias" in seen[-1]
    assert len(set(seen)) == 25, "each press reaches a new parameter"
    page.keyboard.press("ArrowDown")
    assert announcer.inner_text() == seen[-1], "the walk stops at the end"
    page.keyboard.press("Home")
    page.keyboard.press("PageDown")
    expect(announcer).to_contain_text("(layer 1, neuron 1 → layer 2, neuron 1)")
    page.keyboard.press("ArrowUp")
    expect(announcer).to_contain_text("Layer 1, neuron 4")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".network-tooltip")).to_contain_text("(layer 1, neuron 2 → layer 2, neuron 1)")
    page.keyboard.press("Enter")
    editor = page.get_by_label("New value for the weight layer 1, neuron 2 → layer 2, neuron 1")
    expect(editor).to_be_focused()
    editor.fill("0.625")
    editor.press("Enter")
    expect(canvas).to_be_focused()
    wait_until(page, lambda: any(c["type"] == "edit_weight" for c in commands))
    edit = next(c for c in commands if c["type"] == "edit_weight")
    assert (edit["layer"], edit["source"], edit["target"], edit["value"]) == (1, 1, 0, 0.625)
    expect(page.locator(".network-tooltip")).to_contain_text("w = 0.625 (layer 1, neuron 2 → layer 2, neuron 1)")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowRight")
    expect(announcer).to_contain_text("w = 0.625")
    assert all(c["type"] != "step" for c in commands), "arrow keys on the network do not step the training"
