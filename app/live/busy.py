"""BusyLine: the ``busy`` notices a page gets while its run does not get the frame rate it asked for.

The runner's ``Pace`` (app/live/pace.py) measures the frames each run's owner gets against the rate
asked (one frame per the audience's interval: ``max_fps``). ``BusyLine`` turns those figures into
notices: when the rate stays below ``busy_share`` of the rate asked for ``busy_after_s``, the page is
told with a ``notice`` of topic ``busy`` (state ``busy``, the frames per second it gets, the rate
asked and whether its training still keeps the pace asked, as a busy server's catching up makes it:
app/live/frame_training.py), again when that changes while busy (at most once per ``busy_after_s``), and
once with state ``ok`` when the rate is back above the share. A run that stops training or loses its page is
not busy: it is reset, and a page that was told is told ``ok``. While the page has been told, the
run's frames may be made cheaper (``is_busy``: see ``Runner._make_frame``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.i18n import DEFAULT_LANGUAGE, translate

MIN_MEASURED_S = 1.0  # a stretch of training is judged once it has run this long (one whole second of frames)
# The notices' English words, from the catalogues (the page words the line itself, views/controls/busy.js).
BUSY_MESSAGE = "busy.line"  # "Busy server: 18 frames a second" (its count: the frames a second the page gets)
PACED_MESSAGE = "busy.line_paced"  # "Busy server: 6 frames a second · training keeps its speed"
RECOVERED_MESSAGE = "busy.recovered"


@dataclass
class BusyLine:
    """Whether the page was told the server is busy, and when its frames first fell below the share."""

    share: float  # below this share of the asked rate...
    window_s: float  # ...for this long: busy
    started_at: float | None = None  # when the current stretch of training with a page began
    below_since: float | None = None  # since when the rate has been below the share
    told_fps: int | None = None  # the rate the page was last told (None: it was told nothing, or ok)
    told_paced: bool = False  # and whether it was told that the training keeps its pace
    told_at: float = 0.0

    @property
    def is_busy(self) -> bool:
        """The page has been told that the server cannot keep its frame rate (and not told ok since)."""
        return self.told_fps is not None

    def reset(self) -> str | None:
        """Not training, or nobody watching: start afresh; an ``ok`` notice if the page was told busy."""
        self.started_at = self.below_since = None
        return self._recovered() if self.told_fps is not None else None

    def observe(self, now: float, fps: float, asked_fps: float, keeps_pace: bool = False) -> str | None:
        """A frame was sent at ``now`` (the event loop's clock); ``fps`` is what the run's ``Pace`` measured
        the page getting, ``keeps_pace`` whether the run's epochs a second keep the share of the pace asked.
        Returns a ``notice`` to send, or None."""
        if self.started_at is None:
            self.started_at = now
        if now - self.started_at < MIN_MEASURED_S:
            return None  # too early to judge a rate
        if fps >= self.share * asked_fps:
            self.below_since = None
            return self._recovered() if self.told_fps is not None else None
        if self.below_since is None:
            self.below_since = now
        shown = round(fps)
        if now - self.below_since < self.window_s or (shown, keeps_pace) == (self.told_fps, self.told_paced) or (
                self.told_fps is not None and now - self.told_at < self.window_s):
            return None
        self.told_fps, self.told_paced, self.told_at = shown, keeps_pace, now
        key = PACED_MESSAGE if keeps_pace else BUSY_MESSAGE
        return json.dumps({"type": "notice", "topic": "busy", "state": "busy", "fps": shown,
                           "asked_fps": round(asked_fps), "keeps_pace": keeps_pace,
                           "message": translate(DEFAULT_LANGUAGE, key, count=shown), "key": key,
                           "args": {"count": shown}})

    def _recovered(self) -> str:
        self.told_fps, self.told_paced = None, False
        return json.dumps({"type": "notice", "topic": "busy", "state": "ok", "fps": None, "asked_fps": None,
                           "keeps_pace": None, "message": translate(DEFAULT_LANGUAGE, RECOVERED_MESSAGE),
                           "key": RECOVERED_MESSAGE, "args": {}})
