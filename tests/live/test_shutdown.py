"""The real command: Ctrl+C and SIGTERM stop it cleanly; its logs keep session ids out.

Each test starts ``python -m app serve`` with two worker processes in a process
group of its own and signals the whole group, as a terminal's Ctrl+C or a
service manager does. Exit times are printed (``pytest -s``), never asserted
beyond a generous bound.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from websockets.sync.client import connect

from app.bench.raw_socket import CLOSE, open_raw, read_frame, read_handshake, send_frame

STARTUP_S = 30  # how long the server may take to answer /healthz
EXIT_S = 20  # the bound on a clean exit; a few seconds is typical
SECRET = "Zq9secretSessionId"  # stands for a session id in addresses


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str

    def stop(self, stop_signal: signal.Signals) -> tuple[int, str, str, float]:
        """Signal the process group; (exit code, stdout, stderr, seconds taken)."""
        started = time.monotonic()
        os.killpg(self.process.pid, stop_signal)
        out, err = self.process.communicate(timeout=EXIT_S)
        return self.process.returncode, out, err, time.monotonic() - started


@pytest.fixture
def server() -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "NEUROPLAY_WORKERS": "2", "NEUROPLAY_HOST": "127.0.0.1"}
    env.pop("NEUROPLAY_ALLOWED_HOSTS", None)
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
    yield Server(process, url)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_cleanly(server: Server, stop_signal: signal.Signals,
                                          record_property: Callable[[str, object], None]) -> None:
    with connect(server.url.replace("http", "ws") + "/ws", open_timeout=10) as websocket:
        assert '"hello"' in str(websocket.recv(timeout=10))
        code, out, err, seconds = server.stop(stop_signal)
    record_property("exit_seconds", round(seconds, 2))
    sys.stdout.write(f"\n{stop_signal.name}: exited with {code} in {seconds:.2f} s\n")  # shown with pytest -s
    assert code == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "in place of" not in err, "no worker is replaced while shutting down"
    assert err.strip().splitlines()[-1] == f"neuroplay: stopped by {stop_signal.name}"


def test_access_logs_keep_session_ids_out_and_no_server_header(server: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{server.url}/api/sessions/{SECRET}/export", timeout=5)
    unknown.value.close()
    assert unknown.value.code == 404 and "server" not in unknown.value.headers
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert response.headers["server"] is None
    with connect(server.url.replace("http", "ws") + f"/ws?session={SECRET}", open_timeout=10) as websocket:
        websocket.recv(timeout=10)
    code, out, err, _ = server.stop(signal.SIGTERM)
    assert code == 0
    assert SECRET not in out + err
    assert '"GET /api/sessions/<session>/export HTTP/1.1" 404' in out
    assert '"WebSocket /ws?session=<session>" [accepted]' in err


def test_text_that_is_not_utf8_closes_its_socket_with_one_line_and_no_traceback(server: Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with open_raw(port) as raw:
        rest = read_handshake(raw)
        send_frame(raw, b"\xff\xfe\xfd")  # not UTF-8, in a text frame
        opcode = None
        while opcode != CLOSE:  # the server's close frame comes after hello and the rest
            opcode, payload, rest = read_frame(raw, rest)
        assert int.from_bytes(payload[:2], "big") == 1007
    code, _, err, _ = server.stop(signal.SIGTERM)
    assert code == 0 and "Traceback" not in err and "not UTF-8" in err
