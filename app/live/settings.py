"""Server settings, read from ``NEUROPLAY_``-prefixed environment variables.

Every limit the server enforces lives here, so a test or a deployment can
pass its own ``Settings`` to ``create_app``. Engine limits (layers, neurons,
points, rates) live with the settings they bound in ``app/training/config.py``.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KIB = 1024
MAX_DEFAULT_WORKERS = 4  # worker processes started by default: one per core, up to this many
HOST_PATTERN = re.compile(r"(\*\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\]")  # name, *.name, [v6]
REDIS_URL = re.compile(r"(rediss?://[^\s/?#]+(/\d*)?|unix:///[^\s?#]+)(\?[^\s#]*)?")  # what redis.from_url opens
MIN_SAVE_INTERVAL_S = 0.5  # the store is written at most this often; below, saving would cost more than training


def default_data_dir() -> str:
    """Where runs are kept across restarts: $XDG_STATE_HOME/neuroplay, else ~/.local/state/neuroplay."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "neuroplay")


Names = Annotated[tuple[str, ...], NoDecode]  # from the environment: a JSON list or comma-separated names


class Settings(BaseSettings):
    """Typed server configuration; ``NEUROPLAY_PORT=9000`` sets ``port``, and so on."""

    model_config = SettingsConfigDict(env_prefix="NEUROPLAY_", frozen=True)

    host: str = "127.0.0.1"  # interface to listen on; 0.0.0.0 inside a container
    port: int = Field(8000, ge=1, le=65535)  # TCP port
    base_path: str = Field("", pattern=r"^(/[A-Za-z0-9._~-]+)*$")  # prefix behind a reverse proxy, e.g. /neuroplay
    allowed_origins: Names = ()  # extra browser origins allowed to open /ws (same origin always is)
    allowed_hosts: Names = ()  # Host names answered; empty: the bound host and localhost (app/live/hosts.py)
    admin_pages: Literal["auto", "on", "off"] = "auto"  # /metrics and /docs; auto: on when bound to loopback
    admin_token: str = Field("", pattern=r"^[A-Za-z0-9._~+/=-]{0,256}$")  # if set, the admin pages need it
    frame_ancestors: str = Field("'self'", pattern=r"^[^;,\r\n]+$")  # CSP sources that may embed the page
    max_fps: int = Field(60, ge=1, le=120)  # frames per second one session may send at most
    grid_size: int = Field(64, ge=16, le=128)  # cells per side of the big output view
    thumb_budget_bytes: int = Field(14 * KIB, ge=KIB, le=256 * KIB)  # bytes per frame for all neuron maps
    map_interval_frames: int = Field(4, ge=1, le=60)  # the owner's neuron maps are sent every this many frames
    # ^ (and at once after any command, a new page or the maps coming back into view); the page keeps the last
    busy_share: float = Field(0.85, gt=0.0, le=1.0)  # a run getting less than this share of its frame rate...
    busy_after_s: float = Field(2.0, ge=0.5, le=60.0)  # ...for this long: the page is told the server is busy
    busy_grid_size: int = Field(32, ge=16, le=128)  # while told so: its output view has at most this many cells a side
    catch_up_frames: int = Field(4, ge=1, le=60)  # ...and a late frame trains for at most this many frame slots
    # ^ missed since the last (1: only its own), so the run keeps learning at its pace (app/live/frame_training.py)
    min_thumb_size: int = Field(8, ge=4, le=64)  # neuron maps never get coarser than this
    max_thumb_size: int = Field(32, ge=4, le=64)  # nor finer than this
    ws_deflate: bool = False  # permessage-deflate on the websocket: fewer bytes on the wire, more CPU per frame
    max_message_bytes: int = Field(128 * KIB, ge=KIB, le=4096 * KIB)  # longest command the app reads
    max_import_bytes: int = Field(1024 * KIB, ge=KIB, le=16384 * KIB)  # largest experiment file accepted
    max_commands_per_second: int = Field(60, ge=1, le=1000)  # per socket; floods get an error
    max_sessions: int = Field(200, ge=1, le=10_000)  # live sockets at once; more are refused
    max_sessions_per_client: int = Field(60, ge=1, le=10_000)  # runs one client address holds, forks included
    max_forks_per_client: int = Field(50, ge=1, le=10_000)  # followers' copies one address holds: a NAT'd class
    idle_session_s: float = Field(120.0, gt=0.0, le=86_400.0)  # a run never used this long is freed first when full
    max_step_count: int = Field(100, ge=1, le=10_000)  # most batches or epochs one `step` command asks for
    max_speed_count: int = Field(100, ge=1, le=10_000)  # most batches or epochs per frame
    request_timeout_s: float = Field(10.0, gt=0.0, le=600.0)  # longest wait for a worker's reply; then refused
    slice_ms: float = Field(4.0, gt=0.0, le=50.0)  # longest piece of training between yields to other sessions
    stacked_training: bool = True  # a process trains its same-shape running sessions together (app/live/scheduler.py)
    tick_ms: float = Field(8.0, gt=0.0, le=100.0)  # training a tick shares among fast speeds beyond one epoch each
    placement_slack: int = Field(8, ge=0, le=10_000)  # sessions a worker may hold beyond the least busy one,
    # ^ so same-shape runs (a class's forks) share a worker and train as one stack (app/live/classroom/placement.py)
    send_timeout_s: float = Field(10.0, gt=0.0, le=600.0)  # a client that takes longer to take a message is let go
    detached_ttl_s: float = Field(600.0, gt=0.0, le=86_400.0)  # a session without a socket is kept this long
    detached_grace_s: float = Field(30.0, ge=0.0, le=86_400.0)  # and keeps training this long at most, then pauses
    # ^ (never longer than its socket last held it, so brief resumes cannot keep a run training with no one there)
    public_url: str = Field("", pattern=r"^(https?://[^/\s]+(/[^\s]*)?)?$")  # the address a class types or scans
    max_rooms: int = Field(50, ge=1, le=10_000)  # classes presented at once
    max_rooms_per_client: int = Field(5, ge=1, le=10_000)  # classes one client address presents at once
    room_reclaim_s: float = Field(60.0, gt=0.0, le=86_400.0)  # a class whose presenter is gone this long may be
    # ^ ended to make room for a new one when the server presents max_rooms already
    max_followers_per_room: int = Field(500, ge=1, le=100_000)  # watchers of one class
    max_join_failures_per_minute: int = Field(10, ge=1, le=10_000)  # wrong codes per client address
    follower_max_fps: int = Field(30, ge=1, le=120)  # frames per second a follower gets at most
    follower_bytes_per_second: int = Field(110_000, ge=10_000, le=100_000_000)  # per follower: 0.88 Mbit/s
    follower_queue_bytes: int = Field(1024 * KIB, ge=64 * KIB, le=65_536 * KIB)  # unsent to a follower; more: let go
    follower_grid_size: int = Field(40, ge=16, le=128)  # cells per side of a follower's output view
    follower_thumb_budget_bytes: int = Field(KIB, ge=KIB, le=256 * KIB)  # a follower's neuron maps per frame
    redis_url: str = ""  # the shared broker of several replicas (redis://, rediss://, unix://); empty: in-process
    replica_name: str = Field("", pattern=r"^[A-Za-z0-9._-]{0,64}$")  # this replica's name; empty: host-pid-random
    fork_timeout_s: float = Field(5.0, gt=0.0, le=60.0)  # a class's replica slower to hand over a fork: unreachable
    class_view_interval_s: float = Field(1.0, ge=0.1, le=60.0)  # a class view and a fork's tile: at most this often
    max_student_name_chars: int = Field(24, ge=1, le=64)  # longest display name a student may type
    max_worker_restarts: int = Field(5, ge=0, le=1000)  # dead workers replaced per minute; beyond, /healthz is 503
    lessons_dir: str = ""  # a folder of teachers' lesson files offered beside the shipped ones; empty: none
    max_lesson_bytes: int = Field(64 * KIB, ge=KIB, le=1024 * KIB)  # largest lesson file read
    max_lesson_steps: int = Field(20, ge=1, le=200)  # most steps in one lesson
    max_lesson_text_chars: int = Field(4000, ge=100, le=100_000)  # longest step text, hint, question or explanation
    max_lesson_files: int = Field(200, ge=1, le=10_000)  # most lesson files read from one folder
    keep_runs: bool = True  # write sessions and classes to a store, so a restarted server resumes them
    data_dir: str = Field(default_factory=default_data_dir)  # the SQLite store's folder (not used with Redis)
    save_interval_s: float = Field(3.0, ge=MIN_SAVE_INTERVAL_S, le=300.0)  # a changed run is stored this often
    max_stored_sessions: int = Field(1000, ge=1, le=100_000)  # runs kept in the store; the oldest go first
    workers: int = Field(default_factory=lambda: min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1), ge=0, le=64)
    # ^ processes that train, snapshot and encode sessions; 0 does it all in the web process

    @field_validator("allowed_origins", "allowed_hosts", mode="before")
    @classmethod
    def split_names(cls, value: Any) -> Any:
        """``a.example, b.example`` or ``["a.example", "b.example"]`` from the environment."""
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError("must be names separated by commas, or a JSON list of strings") from None
        return tuple(name.strip() for name in value.split(",") if name.strip())

    @field_validator("redis_url")
    @classmethod
    def check_redis_url(cls, url: str) -> str:
        """A Redis address redis-py can open, or empty."""
        url = url.strip()
        if url and not REDIS_URL.fullmatch(url):
            raise ValueError("must be a Redis address: redis://host:6379/0, rediss://host:6380/0 or "
                             "unix:///path/redis.sock (or empty for none)")
        return url

    @field_validator("data_dir")
    @classmethod
    def check_data_dir(cls, value: str, info: ValidationInfo) -> str:
        """A folder this process can create and write, when runs are kept there (not in Redis); made now."""
        path = Path(value.strip()).expanduser().absolute()
        if path.exists() and not path.is_dir():
            raise ValueError(f"must be a folder, and {str(path)!r} is a file")
        if info.data.get("keep_runs") and not info.data.get("redis_url"):
            try:
                path.mkdir(parents=True, exist_ok=True)
                if not os.access(path, os.W_OK | os.X_OK):
                    raise PermissionError(errno.EACCES, "permission denied")
            except OSError as error:
                raise ValueError(f"must be a folder this process can create and write ({error.strerror}); "
                                 "or set NEUROPLAY_KEEP_RUNS=false") from None
        return str(path)

    @field_validator("allowed_hosts")
    @classmethod
    def check_hosts(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        """Bare names, IP addresses, ``*.example.org`` or ``*``: what the Host header is matched against."""
        return tuple(host_pattern(name) for name in names)

    @property
    def transport_max_bytes(self) -> int:
        """The websocket layer's own cap: above the app's, so the app answers oversized messages."""
        return self.max_message_bytes * 4


def host_pattern(name: str) -> str:
    """A Host pattern in the form Starlette compares: lower case, an IPv6 address in brackets."""
    name = name.strip().lower()
    if ":" in name and not name.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(name)}]"
        except ValueError:
            pass
    if name != "*" and not HOST_PATTERN.fullmatch(name):
        raise ValueError(f"must be host names, no scheme or port (a.example, *.example, 10.0.0.5, ::1), got {name!r}")
    return name
