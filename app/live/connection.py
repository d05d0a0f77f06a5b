"""One websocket: origin check, hello, commands in with their limits, messages out.

Each socket gets its own ``Runner`` (its own session) from the registry and
an ``Outbox``. Reading and sending are separate tasks, so a client that
stops reading only stalls its own sender: frames for it are replaced, never
queued, and the session and other clients go on.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect

from app.errors import InputError
from app.live.metrics import Metrics
from app.live.outbox import Outbox
from app.live.protocol import error_message, options, parse_command, request_id
from app.live.registry import LiveRunner, Registry
from app.live.settings import Settings

CLOSE_POLICY = 1008  # websocket close code: the message broke a rule (origin, flood of unread replies)
CLOSE_TRY_LATER = 1013  # websocket close code: the server is full


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Same origin as the page, a listed origin, or no Origin header (a non-browser client)."""
    origin = websocket.headers.get("origin")
    if origin is None or origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


class RateLimit:
    """A token bucket: ``rate`` commands per second, bursts up to ``rate``."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.tokens = float(rate)
        self.updated = time.monotonic()

    def allow(self) -> bool:
        """Take a token if one is left."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


async def serve(websocket: WebSocket, registry: Registry, settings: Settings, metrics: Metrics) -> None:
    """Run one connection until the client leaves; the session goes with it."""
    if not origin_allowed(websocket, settings):
        await websocket.close(code=CLOSE_POLICY)
        return
    await websocket.accept()
    runner = registry.create()
    if runner is None:
        full = InputError("sessions", f"the server is full ({settings.max_sessions} sessions); try again later")
        await websocket.send_text(error_message(full, None, None))
        await websocket.close(code=CLOSE_TRY_LATER)
        return
    outbox = metrics.outbox()
    outbox.put(json.dumps({"type": "hello", "session_id": runner.id, **options(settings)}))
    runner.subscribe(outbox)
    runner.start()
    sender = asyncio.create_task(_send(websocket, outbox, metrics))
    try:
        await _receive(websocket, runner, outbox, settings, metrics)
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        runner.unsubscribe(outbox)
        await registry.close(runner)


async def _send(websocket: WebSocket, outbox: Outbox, metrics: Metrics) -> None:
    while True:
        for message in await outbox.take():
            metrics.sent_bytes.inc(len(message) if isinstance(message, bytes) else len(message.encode()))
            if isinstance(message, bytes):
                await websocket.send_bytes(message)
            else:
                await websocket.send_text(message)


async def _receive(websocket: WebSocket, runner: LiveRunner, outbox: Outbox, settings: Settings,
                   metrics: Metrics) -> None:
    limit = RateLimit(settings.max_commands_per_second)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if outbox.is_overflowing:  # it sends but never reads: stop buffering for it
            await websocket.close(code=CLOSE_POLICY)
            return
        text = message.get("text")
        raw = text if text is not None else message.get("bytes") or b""
        command_type = None
        try:
            if text is None:
                raise InputError("message", "must be JSON text, not binary")
            if not limit.allow():
                raise InputError("rate", f"at most {settings.max_commands_per_second} commands per second")
            command = parse_command(text, settings.max_message_bytes)
            command_type = command.type
            await runner.execute(command)
        except InputError as error:
            metrics.command_errors.labels(field=error.field).inc()
            outbox.put(error_message(error, command_type, request_id(raw)))
