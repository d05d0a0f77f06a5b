"""The live sessions of the server, by id, and the interface they share.

A session lives in the web process (``Runner``) or in a worker process
(``RemoteRunner``, see app/live/workers.py); connections and the HTTP API see
either through ``LiveRunner``.
"""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from app.live.outbox import Outbox
from app.live.protocol import Command
from app.live.runner import Runner
from app.live.settings import Settings
from app.training.session import TrainingSession

SESSION_ID_BYTES = 18  # random bytes in a session id: it grants control of the run, so unguessable


class Registry:
    """The live runners, by session id; at most ``settings.max_sessions`` at once.

    With a worker pool, sessions live in its processes; without, in this one.
    """

    def __init__(self, settings: Settings, pool: RunnerFactory | None = None) -> None:
        self.settings = settings
        self.pool = pool
        self.runners: dict[str, LiveRunner] = {}

    def create(self) -> LiveRunner | None:
        """A runner with a fresh default session, or None when the server is full."""
        if len(self.runners) >= self.settings.max_sessions:
            return None
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        runner: LiveRunner = (Runner(TrainingSession(), self.settings, session_id) if self.pool is None
                              else self.pool.create_runner(session_id))
        self.runners[session_id] = runner
        return runner

    def get(self, session_id: str) -> LiveRunner | None:
        """The live runner with this id."""
        return self.runners.get(session_id)

    async def close(self, runner: LiveRunner) -> None:
        """Stop a runner and forget it (its session is freed)."""
        self.runners.pop(runner.id, None)
        await runner.close()

    async def close_all(self) -> None:
        """Stop every runner (server shutdown)."""
        for runner in list(self.runners.values()):
            await self.close(runner)


class LiveRunner(Protocol):
    """What connections and the HTTP API use of a runner, local or in a worker process."""

    id: str

    def start(self) -> None: ...
    async def close(self) -> None: ...
    def subscribe(self, outbox: Outbox) -> None: ...
    def unsubscribe(self, outbox: Outbox) -> None: ...
    async def execute(self, command: Command) -> None: ...
    async def export(self) -> dict[str, Any]: ...
    async def import_document(self, document: dict[str, Any]) -> dict[str, Any]: ...


class RunnerFactory(Protocol):
    """Makes runners that live elsewhere (see app/live/workers.py)."""

    def create_runner(self, session_id: str) -> LiveRunner: ...
