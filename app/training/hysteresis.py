"""Hysteresis for the live diagnosis: a finding shows once it has held, and goes once it has been gone.

Imports the standard library only. Checks made on noisy numbers flip on and
off as a run wobbles near a threshold; a card that appears and vanishes each
second teaches nothing and moves the page under the pointer. ``Hysteresis``
sits between the checks and the page: a finding of one kind is shown only
after it has been present at every evaluation for ``show_after`` epochs, and
a shown one stays (with its last evidence) until it has been absent for
``hide_after`` epochs. While a run is not training nothing wobbles, so the
page sees the checks as they are (``is_settled``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Finding = dict[str, Any]


@dataclass
class Track:
    """One kind of finding: since when it has been present without a break, when last seen, shown or not."""

    since: int | None
    seen: int
    finding: Finding
    is_shown: bool = False


class Hysteresis:
    """Findings in, the steady ones out; clock is the run's epoch count (it only grows within one run)."""

    def __init__(self, show_after: int, hide_after: int) -> None:
        self.show_after = show_after  # epochs a finding must hold before it shows
        self.hide_after = hide_after  # epochs a shown finding must be absent before it goes
        self.tracks: dict[str, Track] = {}

    def update(self, present: list[Finding], clock: int, *, is_settled: bool = False) -> list[Finding]:
        """Record which findings are present at epoch ``clock``; returns those to show, in ``present``'s
        order first, then the ones still shown while absent."""
        kinds = {f["kind"]: f for f in present}
        for kind, track in list(self.tracks.items()):
            if kind in kinds:
                continue
            track.since = None
            if not track.is_shown or is_settled or clock - track.seen >= self.hide_after:
                del self.tracks[kind]
        for kind, found in kinds.items():
            track = self.tracks.setdefault(kind, Track(since=clock, seen=clock, finding=found))
            track.since = clock if track.since is None else track.since
            track.seen, track.finding = clock, found
            track.is_shown = track.is_shown or is_settled or clock - track.since >= self.show_after
        shown = [self.tracks[kind].finding for kind in kinds if self.tracks[kind].is_shown]
        return shown + [t.finding for kind, t in self.tracks.items() if t.is_shown and kind not in kinds]
