"""FramePlan: which parts of the owner's next frame are computed and sent.

A page that is hidden (another tab, a minimised window) needs no output plane, and a page
whose network drawing is scrolled away or hidden needs no neuron maps: it says so with the
``view`` command. The neuron maps change little from one epoch to the next, so even in view
they are computed and sent only every ``map_interval_frames`` frames; the page keeps the last
ones. Right after any command (a change or a selection), a new page, or the maps coming back
into view they are owed at once, so nothing the learner did waits for them.
A class's followers always get whole frames (their own audience; see ``Runner._make_frame``).
"""

from __future__ import annotations

from dataclasses import dataclass

BUSY_MAP_SLOWDOWN = 2  # a busy server sends a run's neuron maps this many times less often


@dataclass
class FramePlan:
    """The owner's view and the neuron maps' pace."""

    map_interval_frames: int  # maps in every this many frames in view
    is_visible: bool = True  # the page is in view
    shows_maps: bool = True  # its neuron maps are on screen
    frames_since_maps: int = 0  # frames in view sent since the last one with maps
    is_maps_owed: bool = True  # the next frame in view carries maps whatever the interval
    is_last_whole: bool = True  # the last frame planned carried the output and the maps (a new page may get it)

    def set_view(self, is_visible: bool, shows_maps: bool) -> None:
        """The page's ``view`` command."""
        self.is_visible, self.shows_maps = is_visible, shows_maps
        self.owe_maps()

    def owe_maps(self) -> None:
        """The next frame in view carries the neuron maps (after a change, a selection or a new page)."""
        self.is_maps_owed = True

    def next_frame(self, is_busy: bool = False) -> tuple[bool, bool]:
        """(with the output, with the neuron maps) for the owner's next frame; counts it. While the server is
        too busy for the run's frame rate (``is_busy``), the maps come half as often."""
        if not self.is_visible:
            self.is_last_whole = False
            return False, False
        interval = self.map_interval_frames * (BUSY_MAP_SLOWDOWN if is_busy else 1)
        with_maps = self.shows_maps and (self.is_maps_owed or self.frames_since_maps + 1 >= interval)
        if with_maps:
            self.frames_since_maps, self.is_maps_owed = 0, False
        else:
            self.frames_since_maps += 1
        self.is_last_whole = with_maps or not self.shows_maps
        return True, with_maps
