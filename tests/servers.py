"""Real processes for the tests: redis-server, nginx with the shipped deploy/nginx.conf, neuroplay replicas,
a server restarted on its store.

Each listens on a free 127.0.0.1 port, writes nothing outside its temp folder, and is stopped by its
PID. ``nginx_config`` rewrites only the shipped file's listen port, upstream servers and paths.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60.0  # a process that is not ready after this long fails the test (a bound, not a claim)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(ready: Any, what: str, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready after {seconds:g} s")
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if process is not None and process.poll() is None:
        os.kill(process.pid, sig)
        process.wait(10)


@dataclass
class RedisServer:
    """redis-server in the foreground, nothing on disk; ``stop`` and ``start`` again on the same port."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, "redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as client:
                client.sendall(b"PING\r\n")
                return client.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop(self.process)
        self.process = None


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


class Addressed:
    """A server on a 127.0.0.1 port: its HTTP and websocket addresses."""

    port: int

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@dataclass
class Replica(Addressed):
    """``python -m app serve`` with the Redis broker, one training process (the web process)."""

    name: str
    redis_url: str
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self, **env: str) -> None:
        self.spawn(**env)
        self.wait()

    def spawn(self, **env: str) -> None:
        environment = {**os.environ, "NEUROPLAY_REDIS_URL": self.redis_url, "NEUROPLAY_REPLICA_NAME": self.name,
                       "NEUROPLAY_WORKERS": "0", "NEUROPLAY_BASE_PATH": "/neuroplay", "OPENBLAS_NUM_THREADS": "1",
                       **env}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(self.port)],
                                            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def wait(self) -> None:
        wait_until(lambda: self.health().get("broker") == "connected", f"replica {self.name}")

    def health(self) -> dict[str, Any]:
        try:
            return get_json(f"{self.http}/healthz")
        except OSError:
            return {}

    def followers(self) -> int:
        """This replica's own followers (its /metrics ``neuroplay_followers``)."""
        found = re.search(r"^neuroplay_followers (\S+)$", get_text(f"{self.http}/metrics"), re.MULTILINE)
        assert found, "no neuroplay_followers in /metrics"
        return int(float(found.group(1)))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        stop(self.process, sig)
        self.process = None


@dataclass
class RestartableServer(Addressed):
    """``python -m app serve`` keeping its runs; stopped by a signal, started again on the same port and store."""

    env: dict[str, str]
    log: Path
    save_interval_s: float = 1.0  # how often a changed run is stored
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        environment = {**os.environ, "NEUROPLAY_WORKERS": "1", "NEUROPLAY_HOST": "127.0.0.1",
                       "NEUROPLAY_KEEP_RUNS": "true", "NEUROPLAY_SAVE_INTERVAL_S": str(self.save_interval_s),
                       "OPENBLAS_NUM_THREADS": "1", **self.env}
        environment.pop("NEUROPLAY_ALLOWED_HOSTS", None)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(self.port)],
                                            env=environment, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

        def healthy() -> bool:
            assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                return get_json(f"{self.http}/healthz")["status"] == "ok"
            except OSError:
                return False

        wait_until(healthy, "the server", START_SECONDS)

    def stop(self, stop_signal: signal.Signals) -> int:
        """Signal the whole process group (workers included); the exit code."""
        assert self.process is not None
        os.killpg(self.process.pid, stop_signal)
        code = self.process.wait(START_SECONDS)
        self.process = None
        return code


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    """The shipped deploy/nginx.conf, listening on ``port``, proxying to ``upstreams``, paths in ``folder``."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = re.findall(r"^(\s*)server neuroplay\d+:8000 (.*);$", text, re.MULTILINE)
    assert len(servers) >= 2, "deploy/nginx.conf lists fewer than 2 replicas"
    indent, options = servers[0]
    text = re.sub(r"^\s*server neuroplay\d+:8000 .*;\n", "", text, flags=re.MULTILINE)
    lines = "".join(f"{indent}server 127.0.0.1:{upstream} {options};\n" for upstream in upstreams)
    text = text.replace("hash $neuroplay_route consistent;\n", f"hash $neuroplay_route consistent;\n{lines}", 1)
    text = re.sub(r"listen 80;", f"listen 127.0.0.1:{port};", text)
    text = re.sub(r"^pid .*;$", f"pid {folder}/nginx.pid;", text, flags=re.MULTILINE)
    text = re.sub(r"^error_log \S+", f"error_log {folder}/error.log", text, flags=re.MULTILINE)
    text = re.sub(r"(\w+_temp_path) \S+;", lambda m: f"{m.group(1)} {folder}/{m.group(1)};", text)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


@dataclass
class Nginx:
    """nginx in the foreground with the shipped configuration."""

    folder: Path
    upstreams: list[int]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/neuroplay/ws"

    def start(self) -> None:
        config = nginx_config(self.folder, self.port, self.upstreams)
        self.process = subprocess.Popen(["nginx", "-c", str(config), "-p", str(self.folder), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def answers() -> bool:
            try:
                return bool(get_json(f"http://127.0.0.1:{self.port}/neuroplay/healthz"))
            except OSError:
                return False

        wait_until(answers, "nginx")

    def stop(self) -> None:
        stop(self.process)  # SIGTERM: a fast stop (SIGQUIT would wait for every websocket to end)
        self.process = None
