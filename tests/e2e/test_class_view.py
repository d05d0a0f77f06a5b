"""The teacher's Class view drawn from a binary `class` message built here byte by byte, as
docs/protocol.md lays it out: tiles, figures, thumbnails (checked pixel by pixel against the palette
computed here), sorting, names never drawn on the projector, selection, spotlight, compare, pacing
and the aggregate; the layout at 1280×800, a 1920×1080 wall and a 390×844 phone. The page's modules
run in Chromium against the app's static files; the server's side is tests/e2e/test_class.py."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.accessibility import assert_accessible

JS = "/static/js"
THUMB = 16  # a tile's thumbnail side (docs/protocol.md, `class`)
BOUNDARY = 32  # a compared run's boundary side
CURVE_POINTS = 100
ADJECTIVES = ["Blue", "Green", "Quick", "Calm", "Bright", "Brave"]
ANIMALS = ["Fox", "Owl", "Hare", "Lynx", "Seal"]
NEUTRAL, NEGATIVE, POSITIVE = (236, 238, 240), (230, 119, 32), (17, 112, 184)  # lib/colors.js
BOUNDARY_STRENGTH = 0.5


def envelope(header: dict[str, Any], arrays: list[tuple[str, str, bytes, int]]) -> list[int]:
    """A binary message: uint32 header length, JSON header, padding to 4, aligned arrays."""
    entries, payload = [], b""
    for name, dtype, data, length in arrays:
        entries.append({"name": name, "dtype": dtype, "offset": len(payload), "length": length})
        payload += data + b"\0" * (-len(data) % 4)
    encoded = json.dumps({**header, "arrays": entries}).encode()
    start = struct.pack("<I", len(encoded)) + encoded
    return list(start + b"\0" * (-len(start) % 4) + payload)


def thumb_levels(i: int, size: int = THUMB) -> list[int]:
    """A recognisable map per student: 4-bit levels in a gradient whose slope depends on i."""
    return [(x * (i + 3) + y * 7 + i * 11) % 16 for y in range(size) for x in range(size)]


def pack(levels: list[int]) -> bytes:
    """4-bit levels two a byte, high nibble first (docs/protocol.md, `class`)."""
    return bytes((levels[k] << 4) | levels[k + 1] for k in range(0, len(levels), 2))


def thumb_cells(i: int, size: int = BOUNDARY) -> bytes:
    """A compared run's boundary: the frame's own bytes."""
    return bytes(((x * (i + 3) + y * 7 + i * 11) % 256) for y in range(size) for x in range(size))


def make_tiles(count: int) -> list[dict[str, Any]]:
    tiles = []
    for i in range(count):
        forked = i % 3 != 2
        status = "diverged" if i == 4 else ["running", "paused", "idle"][i % 3] if forked else "idle"
        run = {"epoch": 10 * i + 3, "test_accuracy": None if i == 4 else round(0.5 + (i * 37 % 50) / 100, 4),
               "test_cost": 0.3, "metric": "accuracy", "shape": [2, 4, 1] if i % 2 else [2, 8, 8, 1],
               "params": 17 if i % 2 else 105, "headline": "About to diverge" if i == 4 else None,
               "headline_said": [{"key": "diagnosis.diverging.title", "args": {}}] if i == 4 else None,
               "lesson_step": 1 if i % 4 == 0 else None, "goal": "met" if i == 7 else None, "updated_s_ago": 0}
        if not forked:
            run = dict.fromkeys(run)
        tiles.append({
            "student": f"s{i + 1}", "alias": f"{ADJECTIVES[i % 6]} {ANIMALS[i % 5]}",
            "name": f"Typed{i + 1}" if i % 2 == 0 else None, "mode": "forked" if forked else "following",
            "status": status, "hand": i == 1, **run,
        })
    return tiles


def class_message(count: int, *, spotlight: str | None = None, paused: bool = False,
                  name: str | None = None) -> list[int]:
    """A full `class` message: every tile whole, the forked students' thumbnails; `name` is every typed name."""
    tiles = make_tiles(count)
    for tile in tiles:
        tile["name"] = tile["name"] and (name or tile["name"])
    forked = [t for t in tiles if t["mode"] == "forked" and t["test_accuracy"] is not None]
    counts = [0] * 10
    for tile in forked:
        counts[min(9, int(tile["test_accuracy"] * 10))] += 1
    aggregate = {"students": count, "forked": sum(t["mode"] == "forked" for t in tiles),
                 "following": sum(t["mode"] == "following" for t in tiles),
                 "diverged": sum(t["status"] == "diverged" for t in tiles), "goal_met": 1 if count > 8 else 0,
                 "hands": sum(t["hand"] for t in tiles),
                 "accuracy_histogram": {"edges": [k / 10 for k in range(11)], "counts": counts}}
    thumbed = [i for i, t in enumerate(tiles) if t["mode"] == "forked"]
    thumbs = b"".join(pack(thumb_levels(i)) for i in thumbed)
    header = {"type": "class", "code": "K7WQ3M", "full": True, "order": [t["student"] for t in tiles],
              "tiles": tiles, "thumb_students": [tiles[i]["student"] for i in thumbed], "aggregate": aggregate,
              "spotlight": spotlight, "is_paused": paused, "is_locked": False}
    return envelope(header, [("thumbs", "uint8", thumbs, len(thumbs))])


def delta_message(order: list[str], tiles: list[dict[str, Any]], thumbs: dict[str, list[int]]) -> list[int]:
    """A `class` message with only what changed."""
    data = b"".join(pack(levels) for levels in thumbs.values())
    header = {"type": "class", "code": "K7WQ3M", "full": False, "order": order, "tiles": tiles,
              "thumb_students": list(thumbs), "aggregate": None, "spotlight": None, "is_paused": False,
              "is_locked": False}
    return envelope(header, [("thumbs", "uint8", data, len(data))])


def comparison_message(students: list[str], lengths: list[int]) -> list[int]:
    runs = [{"student": s, "alias": f"Run {s}", "shape": [2, 4, 1], "params": 17, "epoch": 40,
             "test_accuracy": 0.9, "test_cost": 0.2} for s in students]
    boundaries = b"".join(thumb_cells(i, BOUNDARY) for i in range(len(students)))
    curves = b""
    for n in lengths:
        values = [1.0 / (1 + k) for k in range(n)]
        values += [values[-1]] * (CURVE_POINTS - n)
        curves += struct.pack(f"<{CURVE_POINTS}f", *values)
    return envelope({"type": "comparison", "runs": runs}, [
        ("boundaries", "uint8", boundaries, len(boundaries)),
        ("curves", "float32", curves, CURVE_POINTS * len(students)),
        ("curve_lengths", "uint32", struct.pack(f"<{len(lengths)}I", *lengths), len(lengths)),
    ])


def boundary_color(q: int) -> tuple[int, int, int]:
    """The output plane's colour of byte q, computed here: diverging scale faded to BOUNDARY_STRENGTH."""
    v = max(-1.0, min(1.0, (q / 127.5 - 1) * BOUNDARY_STRENGTH))
    end, t = (NEGATIVE, -v) if v < 0 else (POSITIVE, v)
    return tuple(math.floor(NEUTRAL[k] + (end[k] - NEUTRAL[k]) * t + 0.5) for k in range(3))  # type: ignore[return-value]


SETUP = f"""
    const i18n = await import("{JS}/i18n.js");  // the page's words: the catalogue of LANGUAGE
    i18n.useCatalogue("LANGUAGE", await i18n.fetchCatalogue("", "LANGUAGE"));
    const {{ createStore }} = await import("{JS}/store.js");
    const {{ initialState }} = await import("{JS}/messages.js");
    const {{ applyTheme }} = await import("{JS}/lib/colors.js");
    const {{ createClassView }} = await import("{JS}/views/classroom/classview.js");
    const viewport = Object.assign(document.createElement("meta"),
                                   {{ name: "viewport", content: "width=device-width, initial-scale=1" }});
    document.head.replaceChildren(viewport, ...["app", "controls", "classroom", "mosaic"].map((name) => {{
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = `/static/css/${{name}}.css`;
      return link;
    }}));
    document.body.innerHTML = '<header class="topbar"><div class="tools" id="tools" role="toolbar" '
      + 'aria-label="Share"></div></header><main><div class="classroom" id="classroom"></div></main>';
    applyTheme();
    const sent = [];
    const store = createStore({{ ...initialState(), connection: "open", hello: {{ role: "owner" }},
                                 room: {{ is_open: true, code: "K7WQ3M" }} }});
    const view = createClassView(document.getElementById("tools"), document.getElementById("classroom"),
                                 {{ store, send: (command) => (sent.push(command), true) }});
    let previous = initialState();
    const draw = () => {{ const state = store.get(); view.render(state, previous); previous = state; }};
    store.subscribe(() => queueMicrotask(draw));
    draw();
    await Promise.all([...document.querySelectorAll("link")].map((link) =>
      new Promise((resolve) => (link.sheet ? resolve(0) : link.addEventListener("load", resolve)))));
    document.title = "Class view";
    window.classTest = {{ store, sent, decode: (await import("{JS}/protocol.js")).decodeBinary,
                          onBinary: (await import("{JS}/messages.js")).onBinary }};
"""
FEED = ("(bytes) => window.classTest.store.update((state) => "
        "window.classTest.onBinary(state, window.classTest.decode(new Uint8Array(bytes).buffer)))")
SENT = "() => window.classTest.sent"


def open_view(page: Page, viewport: dict[str, int] | None = None, language: str = "en") -> Page:
    if viewport:
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
    page.goto(f"{JS}/protocol.js")
    page.evaluate(f"async () => {{ {SETUP.replace('LANGUAGE', language)} }}")
    page.locator(".class-toggle").click()
    return page


@pytest.fixture
def view(page: Page) -> Iterator[Page]:
    yield open_view(page, {"width": 1280, "height": 800})


def test_opening_the_class_view_asks_for_the_tiles_and_each_tile_shows_its_figures(view: Page) -> None:
    assert view.evaluate(SENT) == [{"type": "watch_class", "on": True}]
    expect(view.locator(".class-empty")).to_have_text("Waiting for the class's tiles…")
    view.evaluate(FEED, class_message(9))
    tiles = make_tiles(9)
    expect(view.locator(".tile")).to_have_count(9)
    for tile in tiles:
        node = view.locator(f'.tile[data-student="{tile["student"]}"]')
        expect(node.locator(".tile-alias")).to_have_text(tile["alias"])
        if tile["mode"] == "following":  # the class's run: no figures of its own
            expect(node.locator(".tile-figures")).to_be_hidden()
            expect(node.locator(".tile-shape")).to_be_hidden()
            continue
        figure = "—" if tile["test_accuracy"] is None else f"{tile['test_accuracy'] * 100:.1f}%"
        expect(node.locator(".tile-figure")).to_have_text(figure)
        expect(node.locator(".tile-epoch")).to_have_text(f"epoch {tile['epoch']}")
        expect(node.locator(".tile-shape")).to_have_text(
            f"{'-'.join(map(str, tile['shape']))} · {tile['params']} parameters")
        if tile["hand"]:
            expect(node.locator(".tile-hand")).to_be_visible()
        else:
            expect(node.locator(".tile-hand")).to_be_hidden()
        if tile["name"]:
            expect(node.locator(".tile-name")).to_have_text(tile["name"])
    expect(view.locator('.tile[data-student="s5"] .tile-status')).to_have_text("diverged")
    expect(view.locator('.tile[data-student="s5"] .tile-headline')).to_have_text("About to diverge")
    expect(view.locator('.tile[data-student="s8"] .tile-status')).to_have_text("goal met")
    expect(view.locator('.tile[data-student="s3"] .tile-status')).to_have_text("following")
    expect(view.locator('.tile[data-student="s1"] .tile-lesson')).to_have_text("step 2")
    # The thumbnail is the palette's boundary colour of each byte, cell by cell.
    pixels = view.evaluate("""() => {
        const canvas = document.querySelector('.tile[data-student="s4"] .tile-thumb');
        return [canvas.width, canvas.height, [...canvas.getContext('2d').getImageData(0, 0, 16, 16).data]];
    }""")
    assert pixels[:2] == [THUMB, THUMB]
    for i, level in enumerate(thumb_levels(3)):
        assert tuple(pixels[2][4 * i: 4 * i + 3]) == boundary_color(17 * level), (i, level)
    expect(view.locator('.tile[data-student="s3"] .tile-body')).to_be_hidden()  # following: the class's run


def test_a_class_message_of_changes_updates_only_what_changed(view: Page) -> None:
    view.evaluate(FEED, class_message(6))
    expect(view.locator(".tile")).to_have_count(6)
    before = view.evaluate("() => [...document.querySelectorAll('.tile-thumb')].map((c) => c.dataset.painted)")
    order = ["s1", "s2", "s3", "s4", "s6"]  # s5 left
    view.evaluate(FEED, delta_message(order, [{"student": "s2", "test_accuracy": 0.25, "epoch": 99}],
                                      {"s4": [15] * (THUMB * THUMB)}))
    expect(view.locator(".tile")).to_have_count(5)
    expect(view.locator('.tile[data-student="s2"] .tile-figure')).to_have_text("25.0%")
    expect(view.locator('.tile[data-student="s2"] .tile-epoch')).to_have_text("epoch 99")
    expect(view.locator('.tile[data-student="s2"] .tile-alias')).to_have_text("Green Owl")  # kept from before
    expect(view.locator('.tile[data-student="s1"] .tile-stale')).to_be_hidden()
    view.evaluate(FEED, delta_message(order, [{"student": "s1", "updated_s_ago": 12},
                                              {"student": "s2", "updated_s_ago": 12}], {}))
    expect(view.locator('.tile[data-student="s1"] .tile-stale')).to_have_text("no news for 12 s")  # training
    expect(view.locator('.tile[data-student="s2"] .tile-stale')).to_be_hidden()  # paused: sends no frames
    first = make_tiles(6)[0]
    expect(view.locator('.tile[data-student="s1"] .tile-figure')).to_have_text(f"{first['test_accuracy'] * 100:.1f}%")
    corner = view.evaluate("""() => [...document.querySelector('.tile[data-student="s4"] .tile-thumb')
        .getContext('2d').getImageData(0, 0, 1, 1).data].slice(0, 3)""")
    assert tuple(corner) == boundary_color(255)
    kept = view.evaluate("""() => [...document.querySelector('.tile[data-student="s1"] .tile-thumb')
        .getContext('2d').getImageData(0, 0, 1, 1).data].slice(0, 3)""")
    assert tuple(kept) == boundary_color(17 * thumb_levels(0)[0])
    assert before  # painted once each before the change


def test_tiles_sort_by_status_accuracy_and_parameters_with_hands_first(view: Page) -> None:
    view.evaluate(FEED, class_message(9))
    tiles = make_tiles(9)
    order = ["diverged", "failed", "idle", "paused", "training", "met", "following"]

    def status(t: dict[str, Any]) -> str:
        if t["mode"] == "following":
            return "following"
        if t["status"] == "diverged":
            return "diverged"
        if t["goal"] == "met":
            return "met"
        return "training" if t["status"] == "running" else str(t["status"])

    keys = {
        "status": lambda t: (not t["hand"], order.index(status(t)), t["alias"], t["student"]),
        "accuracy": lambda t: (not t["hand"], -(t["test_accuracy"] if t["test_accuracy"] is not None else -1),
                               t["alias"], t["student"]),
        "params": lambda t: (not t["hand"], -(t["params"] if t["params"] is not None else -1), t["alias"],
                             t["student"]),
    }
    labels = {"status": "Status", "accuracy": "Accuracy", "params": "Parameters"}
    for key, sort_key in keys.items():
        view.get_by_label("Sort by").select_option(label=labels[key])
        expected = [t["student"] for t in sorted(tiles, key=sort_key)]
        view.wait_for_function("(ids) => [...document.querySelectorAll('.tile')].map((n) => n.dataset.student)"
                               ".join() === ids.join()", arg=expected)


def test_selecting_tiles_spotlights_one_or_compares_several(view: Page) -> None:
    view.evaluate(FEED, class_message(9))
    spotlight = view.get_by_role("button", name="Spotlight", exact=True)
    compare = view.get_by_role("button", name="Compare", exact=True)
    expect(spotlight).to_be_disabled()
    view.locator('.tile[data-student="s3"]').click()  # following: nothing to spotlight
    expect(view.locator(".class-chosen")).to_have_text("Only a student's own copy can be spotlighted or compared")
    expect(spotlight).to_be_disabled()
    view.locator('.tile[data-student="s3"]').press("Enter")  # the keyboard unselects it too
    expect(view.locator('.tile[data-student="s3"]')).to_have_attribute("aria-pressed", "false")
    view.locator('.tile[data-student="s2"]').click()
    expect(spotlight).to_be_enabled()
    spotlight.click()
    assert view.evaluate(SENT)[-1] == {"type": "spotlight", "student": "s2"}
    view.evaluate(FEED, class_message(9, spotlight="s2"))
    expect(view.locator(".class-spotlight")).to_have_text("The class is watching Green Owl's run")
    expect(view.locator('.tile[data-student="s2"] .tile-spot')).to_be_visible()
    view.get_by_role("button", name="Back to my run").click()
    assert view.evaluate(SENT)[-1] == {"type": "spotlight", "student": None}

    for student in ["s1", "s4"]:
        view.locator(f'.tile[data-student="{student}"]').click()
    expect(compare).to_be_enabled()
    compare.click()
    assert view.evaluate(SENT)[-1] == {"type": "compare", "students": ["s1", "s4"]}
    view.evaluate(FEED, comparison_message(["s1", "s4"], [100, 37]))
    runs = view.locator(".compare-run")
    expect(runs).to_have_count(2)
    expect(runs.nth(1).locator(".compare-curve")).to_have_attribute("data-points", "37")
    expect(runs.nth(0).locator(".compare-curve")).to_have_attribute("data-points", "100")
    expect(runs.nth(0).locator("figcaption")).to_have_text("Run s1 90.0% · epoch 40")
    size = view.evaluate("() => document.querySelector('.compare-boundary').width")
    assert size == BOUNDARY


def test_pacing_sends_each_action_and_follows_the_class_state(view: Page) -> None:
    view.evaluate(FEED, class_message(3))
    view.get_by_role("button", name="Pause everyone").click()
    assert view.evaluate(SENT)[-1] == {"type": "pace", "action": "pause_all"}
    view.evaluate(FEED, class_message(3, paused=True))
    expect(view.get_by_role("button", name="Pause everyone")).to_be_hidden()
    view.get_by_role("button", name="Resume").click()
    for name, action in [("Bring everyone back", "bring_back"), ("Push my settings", "push"),
                         ("Lock copies", "lock")]:
        view.get_by_role("button", name=name).click()
        assert view.evaluate(SENT)[-1] == {"type": "pace", "action": action}
    assert {"type": "pace", "action": "resume_all"} in view.evaluate(SENT)
    view.get_by_role("button", name="Class", exact=True).click()
    assert view.evaluate(SENT)[-1] == {"type": "watch_class", "on": False}
    expect(view.locator(".class-view")).to_be_hidden()


def test_the_class_view_closes_when_the_class_ends_and_stays_open_across_a_reconnection(view: Page) -> None:
    view.evaluate(FEED, class_message(3))
    view.evaluate("() => window.classTest.store.update({connection: 'closed'})")
    expect(view.locator(".class-empty")).to_have_text("Waiting for the class's tiles…")  # stale tiles are not shown
    view.evaluate("() => window.classTest.store.update({connection: 'open', hello: {role: 'owner'}, room: null})")
    view.evaluate("() => window.classTest.store.update({room: {is_open: true, code: 'K7WQ3M'}})")
    expect(view.locator(".class-view")).to_be_visible()
    assert view.evaluate(SENT)[-1] == {"type": "watch_class", "on": True}  # asked again on the new socket
    assert view.evaluate(SENT).count({"type": "watch_class", "on": True}) == 2
    view.evaluate("() => window.classTest.store.update({room: {is_open: false, code: 'K7WQ3M'}})")
    expect(view.locator(".class-view")).to_be_hidden()
    expect(view.get_by_role("button", name="Class", exact=True)).to_be_hidden()


def test_the_aggregate_counts_what_the_server_counted(view: Page) -> None:
    message = class_message(9)
    view.evaluate(FEED, message)
    tiles = make_tiles(9)
    counts = [0] * 10
    for tile in tiles:
        if tile["mode"] == "forked" and tile["test_accuracy"] is not None:
            counts[min(9, int(tile["test_accuracy"] * 10))] += 1
    bins = view.locator(".class-bin")
    expect(bins).to_have_count(10)
    assert [int(n) for n in bins.evaluate_all("(nodes) => nodes.map((n) => n.dataset.count)")] == counts
    expect(bins.nth(0).locator(".class-bin-range")).to_have_text("0%")
    expect(bins.nth(9)).to_have_attribute("title", f"90%–100%: {counts[9]} run{'' if counts[9] == 1 else 's'}")
    expect(view.locator("[data-counts] li")).to_have_text(
        ["9 students", "6 training their own", "3 following", "1 run diverged", "1 met the goal", "1 hand up"])


def test_on_the_projector_the_mosaic_shows_aliases_never_typed_names(page: Page, artifacts: Path) -> None:
    open_view(page, {"width": 1920, "height": 1080})
    page.evaluate("() => { document.body.classList.add('is-projector'); "
                  "window.classTest.store.update({ui: {...window.classTest.store.get().ui, projector: true}}); }")
    page.evaluate(FEED, class_message(30, spotlight="s2"))
    expect(page.locator(".tile")).to_have_count(30)
    text = page.locator("body").inner_text()
    for tile in make_tiles(30):
        assert tile["alias"] in text
        if tile["name"]:
            assert tile["name"] not in text and tile["name"] not in page.content()
    page.screenshot(path=artifacts / "class-view-projector-1920.png")


@pytest.mark.parametrize(("width", "height", "touch"), [(1280, 800, False), (390, 844, True)])
def test_the_mosaic_fits_a_laptop_and_a_phone(browser: Browser, base_url: str, artifacts: Path,
                                              width: int, height: int, touch: bool) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height},
                                  has_touch=touch, is_mobile=touch)
    try:
        page = context.new_page()
        open_view(page)
        page.evaluate(FEED, class_message(30))
        expect(page.locator(".tile")).to_have_count(30)
        if touch:
            page.locator('.tile[data-student="s1"]').tap()
            expect(page.locator('.tile[data-student="s1"]')).to_have_attribute("aria-pressed", "true")
        page.screenshot(path=artifacts / f"class-view-{width}x{height}.png", full_page=not touch)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px wider than the screen"
        columns = page.evaluate("() => getComputedStyle(document.querySelector('.class-grid'))"
                                ".gridTemplateColumns.split(' ').length")
        assert columns >= (2 if touch else 4), columns
        for box in page.locator(".tile").evaluate_all("(nodes) => nodes.map((n) => n.getBoundingClientRect())"
                                                      ".map((r) => [r.left, r.right])"):
            assert box[0] >= 0 and box[1] <= width, box
        assert_accessible(page)
    finally:
        context.close()


STUDENT = f"""
    const i18n = await import("{JS}/i18n.js");  // the page's words: the catalogue of LANGUAGE
    i18n.useCatalogue("LANGUAGE", await i18n.fetchCatalogue("", "LANGUAGE"));
    const {{ createStore }} = await import("{JS}/store.js");
    const {{ initialState, onMessage }} = await import("{JS}/messages.js");
    const {{ createStudent }} = await import("{JS}/views/classroom/student.js");
    const {{ isAllowed }} = await import("{JS}/views/classroom/readonly.js");
    document.body.innerHTML = '<div id="transport"><button class="play-btn">Play</button><div class="btn-group">'
      + '<button>Step</button><button>Slow step</button><button>Step epoch</button><button>Reset</button></div></div>'
      + '<div id="classroom"></div>';
    const calls = [];
    const store = createStore({{ ...initialState(), connection: "open", hello: {{ role: "owner" }} }});
    const route = {{ room: "K7WQ3M", mode: () => "fork", follow: () => calls.push("follow") }};
    const view = createStudent(document.getElementById("classroom"), document.getElementById("transport"),
      {{ store, route, send: (command) => (calls.push(command), true), reconnect: () => calls.push("reconnect") }});
    let previous = initialState();
    store.subscribe(() => queueMicrotask(() => {{ const s = store.get(); view.render(s, previous); previous = s; }}));
    const receive = (message) => store.update((state) => onMessage(state, message));
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
    const mine = {{ type: "class_state", code: "K7WQ3M", student: "s7", alias: "Blue Fox", is_paused: false,
                   is_locked: false, hand: false, name: null }};
    receive(mine);
    await settle();
    const out = {{ alias: document.querySelector("[data-alias]").textContent }};
    document.querySelector(".student-hand").click();
    document.getElementById("student-name").value = "  Ana  ";
    document.querySelector(".student-name button").click();
    receive({{ ...mine, is_paused: true, hand: true, name: "Ana" }});
    await settle();
    out.paused = [...document.querySelectorAll("#transport button")].map((b) => b.disabled);
    out.line = document.querySelector(".student-class-line").textContent;
    out.hand = [document.querySelector(".student-hand").textContent,
                document.querySelector(".student-hand").getAttribute("aria-pressed")];
    out.saved = document.querySelector(".student-name-saved").textContent;
    out.playAllowed = isAllowed(store.get(), {{ type: "play" }});
    out.configureAllowed = isAllowed(store.get(), {{ type: "configure" }});
    receive({{ ...mine, is_locked: true }});
    await settle();
    out.resumed = [...document.querySelectorAll("#transport button")].map((b) => b.disabled);
    out.lockedAllowed = ["configure", "raise_hand", "set_name"].map((type) => isAllowed(store.get(), {{ type }}));
    out.followerAllowed = ["fork", "raise_hand", "set_name", "play"].map((type) =>
      isAllowed({{ ...store.get(), hello: {{ role: "follower" }} }}, {{ type }}));
    receive({{ type: "notice", topic: "back_to_class", text: "Your teacher brought everyone back" }});
    await settle();
    receive({{ type: "notice", topic: "class_locked" }});
    await settle();
    out.notice = store.get().notice.message;
    out.calls = calls;
    return out;
"""


def test_a_student_sees_its_alias_raises_a_hand_names_itself_and_follows_the_class_state(blank_page: Page) -> None:
    found = blank_page.evaluate(f"async () => {{ {STUDENT.replace('LANGUAGE', 'en')} }}")
    assert found["alias"] == "You are Blue Fox"
    assert found["paused"] == [True, True, True, True, False]  # Play, Step, Slow step, Step epoch; not Reset
    assert found["line"] == "Your teacher paused the class: training waits until they resume it."
    assert found["hand"] == ["Lower hand", "true"]
    assert found["saved"] == "Your teacher sees you as Ana"
    assert found["playAllowed"] is False and found["configureAllowed"] is True
    assert found["resumed"] == [False] * 5
    assert found["lockedAllowed"] == [False, True, True]
    assert found["followerAllowed"] == [True, True, True, False]
    assert found["notice"] == "Your teacher locked the copies: watch for now."
    assert found["calls"] == [{"type": "raise_hand", "raised": True}, {"type": "set_name", "name": "Ana"},
                              "follow", "reconnect"]


@pytest.fixture
def blank_page(page: Page) -> Page:
    page.goto(f"{JS}/protocol.js")
    return page


def test_a_following_students_tile_shows_the_class_runs_boundary_sampled_as_the_server_samples(view: Page) -> None:
    grid = [0, 40, 80, 120, 130, 170, 210, 250, 5, 45, 85, 125, 135, 175, 215, 255]  # a 4×4 output map
    view.evaluate("(grid) => window.classTest.store.update({frame: {header: {grid_size: 4}, "
                  "arrays: {output: Uint8Array.from(grid)}}, session: {n_classes: 2}})", grid)
    view.evaluate(FEED, class_message(3))
    pixels = view.evaluate("""() => [...document.querySelector('.tile[data-student="s3"] .tile-thumb')
        .getContext('2d').getImageData(0, 0, 16, 16).data]""")
    for y in range(THUMB):
        for x in range(THUMB):
            cell = grid[(y * 4 // THUMB) * 4 + x * 4 // THUMB]  # nearest cell: floor((k + 0.5) · 4 / 16)
            at = 4 * (y * THUMB + x)
            assert tuple(pixels[at:at + 3]) == boundary_color(cell), (x, y)


def test_a_long_typed_name_wraps_inside_its_tile_on_a_phone(browser: Browser, base_url: str) -> None:
    """A word longer than a tile is wide (a typed name, a German word) breaks inside the tile."""
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                  has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        open_view(page)
        page.evaluate(FEED, class_message(6, name="Rindfleischetikettierungsüberwachung"))
        expect(page.locator('.tile[data-student="s1"] .tile-name')).to_have_text("Rindfleischetikettierungsüberwachung")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px wider than the screen"
        for box in page.locator(".tile").evaluate_all("(nodes) => nodes.map((n) => n.getBoundingClientRect())"
                                                      ".map((r) => [r.left, r.right])"):
            assert box[0] >= 0 and box[1] <= 390, box
    finally:
        context.close()
