"""A fault on the server while it builds a frame: the page says so once, keeps its socket (no reconnect
loop) and its run, and goes on when the fault is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import RETURNING_USER
from tests.e2e.test_classroom import SERVER_MS, train_epochs, wait_ready
from tests.servers import ROOT, free_port, get_json, wait_until

FAULT_TEXT = "Training stopped because of a fault on the server; the run is kept"
STALL_WAIT_MS = 6_000  # longer than the page's stall detector (socket.js STALL_MS, 4 s): a loop would show


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server whose diagnosis raises while the flag file exists; yields its URL and the flag's path."""
    port, flag = free_port(), tmp_path / "fault"
    env = {**os.environ, "NEUROPLAY_TEST_FAULT": str(flag), "NEUROPLAY_WORKERS": "0", "NEUROPLAY_HOST": "127.0.0.1"}
    env.pop("NEUROPLAY_ALLOWED_HOSTS", None)
    with (tmp_path / "server.log").open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "tests.e2e.faulty_app", "serve", "--port", str(port)],
                                   env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
        try:
            return get_json(f"{url}/healthz")["status"] == "ok"
        except OSError:
            return False

    try:
        wait_until(healthy, "the server")
        yield url, flag
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_server_fault_is_said_once_and_the_page_keeps_its_socket(browser: Browser, faulty: tuple[str, Path],
                                                                   artifacts: Path) -> None:
    url, flag = faulty
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(RETURNING_USER)
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(url)
    wait_ready(page)
    flag.touch()
    page.get_by_role("button", name="Play").click()
    expect(page.locator("#banner")).to_contain_text(FAULT_TEXT, timeout=SERVER_MS)
    page.screenshot(path=str(artifacts / "server-fault-1280.png"))
    expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=SERVER_MS)  # paused, not running
    page.wait_for_timeout(STALL_WAIT_MS)
    assert len(sockets) == 1  # no reconnect loop
    flag.unlink()
    assert train_epochs(page, 1) >= 1  # the same socket and run go on
    assert len(sockets) == 1
    context.close()
