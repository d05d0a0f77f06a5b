"""Browser tests: a real server process and Debian's Chromium driven by Playwright.

The server runs as a separate process on a free port for the whole session;
Chromium is the system one (/usr/bin/chromium), never a downloaded build.
Screenshots go to test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STARTUP_SECONDS = 60  # how long the server may take to answer /healthz (a loaded machine is slow)
# How long an expect() waits unless the test says otherwise: a page's echo of the server takes seconds,
# not milliseconds, while the whole suite shares the machine's two cores with this test's server.
EXPECT_MS = 10_000
expect.set_options(timeout=EXPECT_MS)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A neuroplay server in its own process; yields its base URL."""
    port = _free_port()
    # Every browser test reaches this one server from 127.0.0.1: the address stands for a whole school of
    # learners and teachers, so its shares are the server's own limits.
    env = {**os.environ, "NEUROPLAY_PORT": str(port), "NEUROPLAY_HOST": "127.0.0.1",
           "NEUROPLAY_MAX_SESSIONS_PER_CLIENT": "200", "NEUROPLAY_MAX_ROOMS_PER_CLIENT": "50",
           "NEUROPLAY_MAX_FORKS_PER_CLIENT": "200"}
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the server did not start")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()  # reaped: an unreaped child is a ResourceWarning, an error under -W error


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-base-url's fixture: every `page.goto("/")` goes to the live server."""
    return live_server


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots are saved."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


RETURNING_USER = "localStorage.setItem('neuroplay.freePlay', '1')"  # chose free play before: no home card


@pytest.fixture
def context(context: Any) -> Any:
    """pytest-playwright's context, as a returning user's: the sandbox tests meet the page without the
    newcomer's home card (tests/e2e/test_lessons.py opens its own newcomer contexts)."""
    context.add_init_script(RETURNING_USER)
    return context
