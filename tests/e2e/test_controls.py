"""The controls in a real browser: transport, settings echoed by the server,
the link in the address bar, keyboard shortcuts and custom data."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

READY = '#connection[data-state="open"]'
STEP = '[data-counter="step"]'
EPOCH = '[data-counter="epoch"]'
SERVER_MS = 5000  # how long a server echo may take


def open_page(page: Page, path: str = "/") -> None:
    """Load the page and wait until the socket is open and a frame has been counted."""
    page.goto(path)
    expect(page.locator(READY)).to_be_visible()
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)
    expect(page.get_by_role("button", name="Play")).to_be_enabled()


def counter(page: Page, selector: str) -> int:
    return int(page.locator(selector).inner_text().replace(",", ""))


def test_play_runs_and_pause_stops(page: Page) -> None:
    open_page(page)
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible(timeout=SERVER_MS)
    expect(page.locator(EPOCH)).not_to_have_text("000,000", timeout=SERVER_MS)
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=SERVER_MS)
    # One more frame follows the pause (it carries the last steps taken, within one frame interval);
    # after that nothing may move.
    page.wait_for_timeout(300)
    stopped_at = counter(page, STEP)
    page.wait_for_timeout(400)  # a paused run must not move
    assert counter(page, STEP) == stopped_at


def test_step_adds_one_batch_and_reset_goes_back_to_zero(page: Page) -> None:
    open_page(page)
    step = page.get_by_role("button", name="Step", exact=True)
    step.click()
    expect(page.locator(STEP)).to_have_text("1", timeout=SERVER_MS)
    step.click()
    expect(page.locator(STEP)).to_have_text("2", timeout=SERVER_MS)
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)


def test_learning_rate_is_echoed_into_the_select_and_the_link(page: Page) -> None:
    open_page(page)
    select = page.get_by_label("Learning rate")
    select.select_option("0.3")
    expect(page).to_have_url(re.compile(r"#.*learning_rate=0\.3"), timeout=SERVER_MS)
    expect(select).to_have_value("0.3")


def test_link_configures_the_session_and_hides_controls(page: Page) -> None:
    open_page(page, "/#dataset=xor&learning_rate=0.1&hide=noise")
    expect(page.locator('[data-dataset="xor"]')).to_have_attribute("aria-pressed", "true", timeout=SERVER_MS)
    expect(page.get_by_label("Learning rate")).to_have_value("0.1")
    expect(page.locator('[data-field="noise"]')).to_be_hidden()
    expect(page.locator('[data-field="points"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"dataset=xor.*hide=noise"))


def test_out_of_range_link_value_is_reported(page: Page) -> None:
    open_page(page, "/#learning_rate=50")
    expect(page.locator("#banner")).to_contain_text("Learning rate must be", timeout=SERVER_MS)
    expect(page.get_by_label("Learning rate")).to_have_value("0.03")


def test_keyboard_shortcuts(page: Page) -> None:
    open_page(page)
    page.keyboard.press("ArrowRight")
    expect(page.locator(STEP)).to_have_text("1", timeout=SERVER_MS)
    page.keyboard.press("r")
    expect(page.locator(STEP)).to_have_text("0", timeout=SERVER_MS)
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Pause")).to_be_visible(timeout=SERVER_MS)
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=SERVER_MS)
    page.get_by_label("Data seed").focus()  # typing in a box is not a shortcut
    page.keyboard.press("r")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Play")).to_be_visible()


def test_csv_upload_switches_to_custom_points_and_bad_files_are_refused(page: Page) -> None:
    open_page(page)
    upload = page.locator('.csv-upload input[type="file"]')
    rows = "x1,x2,label\n1,2,1\n-3,0.5,0\n2.5,-1,1\n-1,-4,0\n0.5,0.5,1\n"
    upload.set_input_files({"name": "points.csv", "mimeType": "text/csv", "buffer": rows.encode()})
    expect(page.get_by_role("button", name="Uploaded points")).to_be_visible(timeout=SERVER_MS)
    expect(page).to_have_url(re.compile(r"dataset=custom"))
    expect(page.locator('[data-dataset="circle"]')).to_have_attribute("aria-pressed", "false")

    # refusals show beside the button, rows counted from 1, the file's line when a header shifts it
    message = page.locator(".csv-upload .csv-error")
    upload.set_input_files({"name": "bad.csv", "mimeType": "text/csv", "buffer": b"1,2,1\n3,four,0\n"})
    expect(message).to_have_text('bad.csv: row 2: expected 3 numbers x1,x2,label, got "3,four,0"')
    upload.set_input_files({"name": "far.csv", "mimeType": "text/csv",
                            "buffer": b"x1,x2,label\n1,2,1\n99,0,0\n2,2,1\n-1,-1,0\n"})
    expect(message).to_have_text("far.csv: row 2 (line 3 of the file): x1 = 99 is outside [-6, 6]",
                                 timeout=SERVER_MS)
    expect(page.locator("#banner")).not_to_contain_text("far.csv")  # said once, beside the button
    box, button = message.bounding_box(), page.locator(".csv-upload .file-btn").bounding_box()
    assert box is not None and button is not None and 0 <= box["y"] - (button["y"] + button["height"]) < 120

    # TensorFlow Playground's −1/+1 labels are read as classes 0 and 1
    signed = "-1,-1,-1\n1,1,1\n-2,2,-1\n2,-2,1\n"
    upload.set_input_files({"name": "signed.csv", "mimeType": "text/csv", "buffer": signed.encode()})
    expect(message).to_be_hidden(timeout=SERVER_MS)
    expect(page.locator("#banner")).to_be_empty()


def test_a_diverged_run_shows_why_and_disables_play_until_reset(page: Page) -> None:
    open_page(page, "/#dataset=plane&learning_rate=10&activation=relu&features=x1,x2,x1_sq,x2_sq")
    expect(page).to_have_url(re.compile(r"dataset=plane"), timeout=SERVER_MS)
    page.get_by_role("button", name="Play").click()
    expect(page.locator("#banner")).to_contain_text("diverged", timeout=SERVER_MS)
    expect(page.get_by_role("button", name="Play")).to_be_disabled()
    page.get_by_role("button", name="Reset").click()
    expect(page.get_by_role("button", name="Play")).to_be_enabled(timeout=SERVER_MS)
    expect(page.locator("#banner")).not_to_contain_text("diverged")
