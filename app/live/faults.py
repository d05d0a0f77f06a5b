"""A fault while a runner trains or builds a frame: logged once, counted, the run paused and kept.

A bug in what builds a frame (the snapshot, the diagnosis, the lesson's progress) must not end the
run: the runner's pump catches it, pauses the run, and its owner is told once (an ``error`` with the
field ``server``) that training stopped because of a server fault and that the run is kept (it can
still be exported or reset). The traceback is logged once, until a frame is built again; every
fault is counted (``on_fault``: the ``neuroplay_frame_faults_total`` metric, across processes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.i18n import refusal

LOG = logging.getLogger("neuroplay.runner")
FRAME_FAULT = refusal("server", "error.frame_fault")


def _uncounted() -> None:
    """No metric to count in (a runner made outside an app)."""


class FrameFaults:
    """One runner's faults: whether its owner was told about the current one."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.is_told = False  # the owner knows; a fault again before a good frame is not logged or told again
        self.on_fault: Callable[[], None] = _uncounted  # counts each fault in the web process's metrics

    def failed(self) -> bool:
        """Count one fault (call it in the ``except`` block); log it with its traceback and return True
        if the owner is to be told, the first time since the last good frame."""
        self.on_fault()
        if self.is_told:
            return False
        self.is_told = True
        LOG.exception("session %s: training or a frame failed; the run is paused and kept", self.session_id[:8])
        return True

    def recovered(self) -> None:
        """A frame was built: a later fault is logged and told again."""
        self.is_told = False
