"""FramePace: whether a run gets the frame rate its page asked for, and the ``busy`` notices that say not.

While a run trains and its page watches, the runner notes each frame it sends the page. The rate is
the frames of the last ``RATE_WINDOW_S``; when it stays below ``busy_share`` of the rate asked (one
frame per the audience's interval: ``max_fps``) for ``busy_after_s``, the page is told with a
``notice`` of topic ``busy`` (state ``busy``, the frames per second it gets and the rate asked), again
when that figure changes while busy (at most once per ``busy_after_s``), and once with state ``ok``
when the rate is back above the share. A run that stops training or loses its page is not busy: it
is reset, and a page that was told is told ``ok``.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field

from app.i18n import DEFAULT_LANGUAGE, translate

RATE_WINDOW_S = 1.0  # frames per second are counted over this long
# The notices' English words, from the catalogues (the page words the line itself, views/controls/busy.js).
BUSY_MESSAGE = "busy.line"  # "Busy server: 18 frames a second" (its count: the frames a second the page gets)
RECOVERED_MESSAGE = "busy.recovered"


@dataclass
class FramePace:
    """Frames sent to the owner over a sliding window, against the rate asked."""

    share: float  # below this share of the asked rate...
    window_s: float  # ...for this long: busy
    sent_at: deque[float] = field(default_factory=deque)  # when each frame of the last RATE_WINDOW_S was sent
    started_at: float | None = None  # when the current stretch of training with a page began
    below_since: float | None = None  # since when the rate has been below the share
    told_fps: int | None = None  # the rate the page was last told (None: it was told nothing, or ok)
    told_at: float = 0.0

    def reset(self) -> str | None:
        """Not training, or nobody watching: forget the window; an ``ok`` notice if the page was told busy."""
        self.sent_at.clear()
        self.started_at = self.below_since = None
        return self._recovered() if self.told_fps is not None else None

    def observe(self, now: float, asked_fps: float) -> str | None:
        """A frame was sent at ``now`` (monotonic seconds); returns a ``notice`` to send, or None."""
        if self.started_at is None:
            self.started_at = now
        self.sent_at.append(now)
        while self.sent_at and self.sent_at[0] <= now - RATE_WINDOW_S:
            self.sent_at.popleft()
        if now - self.started_at < RATE_WINDOW_S:
            return None  # not a whole rate window yet
        fps = len(self.sent_at) / RATE_WINDOW_S
        if fps >= self.share * asked_fps:
            self.below_since = None
            return self._recovered() if self.told_fps is not None else None
        if self.below_since is None:
            self.below_since = now
        shown = round(fps)
        if now - self.below_since < self.window_s or shown == self.told_fps or (
                self.told_fps is not None and now - self.told_at < self.window_s):
            return None
        self.told_fps, self.told_at = shown, now
        message = translate(DEFAULT_LANGUAGE, BUSY_MESSAGE, count=shown)
        return json.dumps({"type": "notice", "topic": "busy", "state": "busy", "fps": shown,
                           "asked_fps": round(asked_fps), "message": message, "key": BUSY_MESSAGE,
                           "args": {"count": shown}})

    def _recovered(self) -> str:
        self.told_fps = None
        return json.dumps({"type": "notice", "topic": "busy", "state": "ok", "fps": None, "asked_fps": None,
                           "message": translate(DEFAULT_LANGUAGE, RECOVERED_MESSAGE), "key": RECOVERED_MESSAGE,
                           "args": {}})
