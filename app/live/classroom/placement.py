"""Placement: which replica holds each session, so a resume that reaches another one is told so.

A session lives in the process that created it. With several replicas, its id is recorded in
the broker with the replica's name (``Broker.place_session``) while it lives; a ``/ws?session=ID``
that arrives at a replica that does not hold it, for an id that another replica holds, is
answered with an ``error`` (field ``session``) and close code 4409 instead of a new run
(docs/protocol.md, "Runs that outlive their socket"). In one process nothing is recorded.

Within a replica, ``choose_worker`` picks the worker process of a new session: same-shape runs
(a class's forks all start from the presenter's network) go to the worker that holds most of that
shape, so its scheduler trains them as one stack (app/live/scheduler.py), unless that worker holds
``settings.placement_slack`` more sessions than the least busy one; then the least busy one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from app.i18n import refusal
from app.live.classroom.broker import Broker
from app.live.registry import Registry

ELSEWHERE = refusal("session", "error.elsewhere")


# The settings that decide whether two runs train as one stack (app.training.group.group_key).
SHAPE_FIELDS = ("dataset", "classes", "points", "train_percent", "features", "hidden_layers", "activation",
                "layer_activations", "output_activation", "cost", "optimizer", "batch_size")


def shape_of(document: Mapping[str, Any]) -> str | None:
    """The shape key of an exported run (its config's SHAPE_FIELDS and regulariser), or None without a config."""
    config = document.get("config")
    if not isinstance(config, Mapping):
        return None
    shape = {name: config.get(name) for name in SHAPE_FIELDS}
    shape["regularization"] = config.get("regularization") if config.get("regularization_rate") else "none"
    return json.dumps(shape, sort_keys=True)


def choose_worker(loads: Sequence[int], same_shape: Sequence[int], slack: int) -> int:
    """Index of the worker for a new session: of those within ``slack`` sessions of the least busy
    (``loads``), the one holding most runs of its shape (``same_shape``), then the least busy, then the first."""
    least = min(loads)
    candidates = [i for i, load in enumerate(loads) if load <= least + slack]
    return min(candidates, key=lambda i: (-same_shape[i], loads[i], i))


class Placement:
    """Records the sessions of this replica in the broker, and forgets them when they are freed."""

    def __init__(self, broker: Broker, registry: Registry) -> None:
        self.broker = broker
        self.registry = registry
        registry.listeners.append(self)

    async def place(self, session_id: str) -> None:
        """This replica holds the session (new, resumed or forked); renewed with the broker's refreshes."""
        await self.broker.place_session(session_id)

    async def is_elsewhere(self, session_id: str | None) -> bool:
        """True if another replica holds the session with this id (this one does not)."""
        if not session_id or self.registry.get(session_id) is not None:
            return False
        replica = await self.broker.session_replica(session_id)
        return replica is not None and replica != self.broker.replica

    def on_detached(self, session_id: str) -> None:
        """Still here: nothing changes."""

    def on_attached(self, session_id: str) -> None:
        """Still here: nothing changes."""

    def on_lost(self, session_id: str) -> None:
        """Forgotten when it is freed, just after."""

    def on_freed(self, session_id: str) -> None:
        self.registry.spawn(self.broker.forget_session(session_id))
