"""One socket's conversation: receive commands and send messages until either side ends.

Reading and sending are separate tasks, so a client that stops reading only stalls its own sender; a
send that takes longer than ``settings.send_timeout_s`` ends the connection. Commands are rate-limited
(``RateLimit``), parsed (app/live/protocol.py) and handed to the connection's ``handle``; a refused one
is answered with an ``error``, and the socket and the run go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from fastapi import WebSocket

from app.errors import InputError
from app.i18n import DEFAULT_LANGUAGE, refusal
from app.live.lessons import glossary
from app.live.metrics import Metrics
from app.live.outbox import CLOSE_TOO_SLOW, Outbox
from app.live.protocol import (
    SERVER_FAULT,
    SOCKET_LANGUAGE,
    Command,
    ListLessons,
    SetLanguage,
    StartLesson,
    error_message,
    options,
    parse_command,
    request_id,
)
from app.live.settings import Settings
from app.live.spoken import spoken_options


class Live(Protocol):
    """What a conversation uses of the server's state (app/live/connection.py's ``Live``)."""

    settings: Settings
    metrics: Metrics

LOG = logging.getLogger("neuroplay.connection")
RATE_ERROR_INTERVAL_S = 1.0  # a flood gets one `rate` error per this many seconds; the rest are dropped unanswered
CLOSE_POLICY = 1008  # websocket close code: the message broke a rule (origin, flood of unread replies)
CLOSE_FRAME_S = 1.0  # how long the close frame for a stalled client may take; then the transport is aborted


class RateLimit:
    """A token bucket: ``rate`` commands per second, bursts up to ``rate``.

    A flood is answered cheaply: one ``rate`` error per RATE_ERROR_INTERVAL_S at most, the
    other refused messages are only counted (``dropped``), so a burst never queues replies.
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.tokens = float(rate)
        self.updated = time.monotonic()
        self.answered_at = -RATE_ERROR_INTERVAL_S  # when a `rate` error was last sent
        self.dropped = 0  # refused messages not answered since then

    def should_answer(self) -> bool:
        """Whether a refused message gets its `rate` error (at most one per interval); else it is dropped."""
        now = time.monotonic()
        if now - self.answered_at < RATE_ERROR_INTERVAL_S:
            self.dropped += 1
            return False
        self.answered_at, self.dropped = now, 0
        return True

    def allow(self) -> bool:
        """Take a token if one is left."""
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


async def converse(websocket: WebSocket, outbox: Outbox, live: Live,
                    handle: Callable[[Command], Awaitable[None]]) -> None:
    """Receive and send until either side ends (the client left, broke a rule, or stopped reading)."""
    tasks = [asyncio.create_task(receive_all(websocket, outbox, live, handle)),
             asyncio.create_task(send_all(websocket, outbox, live))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def send_all(websocket: WebSocket, outbox: Outbox, live: Live) -> None:
    while True:
        for message in await outbox.take():
            live.metrics.sent_bytes.inc(len(message) if isinstance(message, bytes) else len(message.encode()))
            sending = websocket.send_bytes(message) if isinstance(message, bytes) else websocket.send_text(message)
            try:
                await asyncio.wait_for(sending, live.settings.send_timeout_s)
            except TimeoutError:  # a reader that stalls is let go: with a close code if one can still reach it
                with contextlib.suppress(Exception):  # timed out, or the socket is gone already
                    await asyncio.wait_for(websocket.close(code=CLOSE_TOO_SLOW), CLOSE_FRAME_S)
                return
        if outbox.close_code is not None:
            await websocket.close(code=outbox.close_code)
            return


async def receive_all(websocket: WebSocket, outbox: Outbox, live: Live,
                   handle: Callable[[Command], Awaitable[None]]) -> None:
    settings = live.settings
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
        if not limit.allow():  # text or binary alike
            live.metrics.refused("rate")
            if limit.should_answer():
                outbox.put(error_message(refusal("rate", "error.rate", max=settings.max_commands_per_second),
                                         None, request_id(raw), language_of(websocket)))
            continue
        try:
            if text is None:
                raise refusal("message", "error.binary")
            command = parse_command(text, settings.max_message_bytes)
            if isinstance(command, StartLesson | ListLessons) and command.language == SOCKET_LANGUAGE:
                command = command.model_copy(update={"language": language_of(websocket)})
            command_type = command.type
            if isinstance(command, SetLanguage):  # this socket's own words, whoever holds it: owner or follower
                websocket.state.language = command.language
                outbox.put(language_message(settings, command.language))
            else:
                await handle(command)
        except InputError as error:
            live.metrics.refused(error.field)
            outbox.put(error_message(error, command_type, request_id(raw), language_of(websocket)))
        except Exception:  # a fault of ours: log it and answer, and the socket and the run go on
            LOG.exception("a %s command failed", command_type)
            live.metrics.refused(SERVER_FAULT.field)
            outbox.put(error_message(SERVER_FAULT, command_type, request_id(raw), language_of(websocket)))


def language_of(websocket: WebSocket) -> str:
    """The language of this socket's server-made texts (``?lang=`` on /ws, then ``set_language``)."""
    return str(getattr(websocket.state, "language", DEFAULT_LANGUAGE))


def language_message(settings: Settings, language: str) -> str:
    """The ``language`` message: the server's words (settings' labels and help, option names, the glossary's
    definitions) in ``language``."""
    return json.dumps({"type": "language", "language": language,
                       **spoken_options(options(settings), language), "glossary": glossary(settings, language)})
