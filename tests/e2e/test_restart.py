"""A server restarted under open pages: the presenter's page gets its run and class back by itself,
a follower joins with the same code, and a run that could not be kept is said to be lost.

The server is the test's own (a store in a temp folder), stopped with SIGTERM and started again on
the same port; the pages are not reloaded by the test: the page's own reconnection resumes the run.
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_classroom import EPOCH, join, present, train_epochs, wait_ready
from tests.servers import RestartableServer

RESTART_MS = 40_000  # a restart and the page's reconnection on a loaded machine (a failure bound)
LOST = ("This run was lost on the server (it could not be restored after a restart, or its training process "
         "stopped); this is a new one")


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[RestartableServer]:
    """A server that keeps its runs in a temp folder, training in its own process."""
    server = RestartableServer({"NEUROPLAY_DATA_DIR": str(tmp_path / "data"), "NEUROPLAY_WORKERS": "0"},
                               tmp_path / "server.log")
    server.start()
    yield server
    if server.process is not None:
        server.stop(signal.SIGKILL)


def test_pages_get_their_run_and_class_back_after_a_restart(browser: Browser, kept: RestartableServer,
                                                             tmp_path: Path, artifacts: Path) -> None:
    teacher = browser.new_context(base_url=kept.http, viewport={"width": 1280, "height": 800})
    phone = browser.new_context(base_url=kept.http, viewport={"width": 390, "height": 844}, has_touch=True,
                                is_mobile=True)
    page, learner = teacher.new_page(), phone.new_page()
    for opened in (page, learner):
        opened.goto("/")
        wait_ready(opened)
    reached = train_epochs(page, 3)
    train_epochs(learner, 2)
    href = present(page)
    learner_id = learner.evaluate("sessionStorage.getItem('neuroplay.session')")

    assert kept.stop(signal.SIGTERM) == 0
    with sqlite3.connect(tmp_path / "data" / "runs.sqlite3") as db:  # the learner's kept run is damaged
        db.execute("UPDATE sessions SET blob = x'00' WHERE id = ?", (learner_id,))
    kept.start()

    expect(page.locator("#banner")).to_contain_text(f"Resumed at epoch {reached}", timeout=RESTART_MS)
    expect(page.locator(EPOCH)).to_have_text(f"{reached:07,}")
    expect(page.locator(".join-code")).to_have_text(href.rsplit("/", 1)[1])
    page.screenshot(path=str(artifacts / "restart-presenter-1280.png"))
    expect(learner.locator("#banner")).to_contain_text(LOST, timeout=RESTART_MS)
    expect(learner.locator(EPOCH)).to_have_text(f"{0:07,}")
    learner.screenshot(path=str(artifacts / "restart-lost-phone.png"))

    follower = browser.new_context(base_url=kept.http, viewport={"width": 1280, "height": 800}).new_page()
    join(follower, href)
    expect(follower.locator(EPOCH)).to_have_text(f"{reached:07,}")
    for context in (teacher, phone, follower.context):
        context.close()
