"""The server's Prometheus metrics, served at ``/metrics`` in the text format.

Each app has its own ``Metrics`` with its own ``CollectorRegistry`` (never
prometheus-client's global one), so tests can build many apps. Code that
has something to count takes the app's ``Metrics`` and increments an
attribute; a new metric is one more attribute made with ``counter`` or
``gauge``, named ``neuroplay_<what>`` (README lists them all):

    self.forks = self.counter("forks", "Private copies made of a class's run.")
    ...
    metrics.forks.inc()
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from app.live.outbox import Outbox
from app.live.protocol import ERROR_FIELDS

PREFIX = "neuroplay_"
LAG_INTERVAL_S = 0.25  # how often the event loop's lag is measured
LAG_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)  # histogram bounds, seconds
CONTENT_TYPE = CONTENT_TYPE_LATEST  # the text exposition format
OTHER_FIELD = "other"  # the label of every refused field that no command or setting has


class Metrics:
    """Every metric of one app, in one registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sessions = self.gauge("sessions", "Training sessions, with a socket or detached.")
        self.detached_sessions = self.gauge("detached_sessions", "Sessions kept without a socket, for a reload.")
        self.rooms = self.gauge("rooms", "Classes presented by this server.")
        self.followers = self.gauge("followers", "Sockets following a class through this server.")
        self.frames_sent = self.counter("frames_sent", "Frames handed to websockets.")
        self.frames_dropped = self.counter("frames_dropped", "Frames replaced by a newer one before they were sent.")
        self.sent_bytes = self.counter("websocket_sent_bytes", "Bytes of websocket messages sent, frames and JSON.")
        self.command_errors = self.counter("command_errors", "Commands refused, by the field at fault.", ("field",))
        self.queued_bytes = self.gauge("queued_bytes", "Bytes of JSON and binary messages waiting for sockets.")
        self.slow_followers = self.counter("slow_followers", "Followers let go for letting too much pile up unsent.")
        self.frame_faults = self.counter("frame_faults", "Faults while training or building a frame (run paused).")
        self.worker_restarts = self.counter("worker_restarts", "Worker processes started in place of one that stopped.")
        self.event_loop_lag = Histogram(f"{PREFIX}event_loop_lag_seconds",
                                        "How late the web process's event loop wakes a sleeping task.",
                                        buckets=LAG_BUCKETS_S, registry=self.registry)

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """A counter ``neuroplay_<name>_total`` in this registry."""
        return Counter(f"{PREFIX}{name}", documentation, labels, registry=self.registry)

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        """A gauge ``neuroplay_<name>`` in this registry."""
        return Gauge(f"{PREFIX}{name}", documentation, labels, registry=self.registry)

    def refused(self, field: str) -> None:
        """Count one refused command under its field's label (``ERROR_FIELDS``; "other" for the rest)."""
        self.command_errors.labels(field=field_label(field)).inc()

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)

    def outbox(self, max_bytes: int | None = None) -> MeteredOutbox:
        """An outbox for one websocket that counts its frames sent and dropped, and its queued bytes."""
        return MeteredOutbox(self, max_bytes)

    async def watch_event_loop(self, interval_s: float = LAG_INTERVAL_S) -> None:
        """Sleep ``interval_s`` again and again; each overshoot is the lag a message would have seen."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(interval_s)
            self.event_loop_lag.observe(max(0.0, loop.time() - started - interval_s))


def field_label(field: str) -> str:
    """The label of an error's field: its name before any dot or index if known, else ``other``."""
    name = field.split(".", 1)[0].split("[", 1)[0]
    return name if name in ERROR_FIELDS else OTHER_FIELD


class MeteredOutbox(Outbox):
    """An ``Outbox`` that counts a frame as dropped when a newer one replaces it unsent."""

    def __init__(self, metrics: Metrics, max_bytes: int | None = None) -> None:
        super().__init__(max_bytes)
        self.metrics = metrics

    def _count(self, delta: int) -> None:
        super()._count(delta)
        self.metrics.queued_bytes.inc(delta)

    def _check_budget(self) -> None:
        was_let_go = self.is_let_go
        super()._check_budget()
        if self.is_let_go and not was_let_go:
            self.metrics.slow_followers.inc()

    def put_frame(self, frame: bytes) -> None:
        if self.frame is not None:
            self.metrics.frames_dropped.inc()
        super().put_frame(frame)

    async def take(self) -> list[str | bytes]:
        await self.ready.wait()
        if self.frame is not None:  # take() below hands it over without waiting again
            self.metrics.frames_sent.inc()
        return await super().take()
