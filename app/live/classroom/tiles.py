"""A student's tile and run card, made from what the run's own frames already computed.

A fork's runner (in the web process or in a worker) calls ``tile`` at most once per
``settings.class_view_interval_s`` with the owner's newest frame: the numbers come from the frame's
header and the 16×16 thumbnail is the ``output`` map of its newest frame that has one (a hidden
page's frames leave it out) sampled down, so a tile costs no training and no snapshot. A thumbnail
travels as 4 bits a cell, two cells a byte (high nibble first): for a binary or regression run the
nibble v stands for the frame byte 17·v (the same −1…1 scale), for a multi-class run it is the
class. ``run_card`` is what ``compare`` shows of one run: a 32×32 boundary (the frame's own bytes)
and the test-cost curve in CURVE_POINTS points.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

from app.data.datasets import Problem
from app.live.outbox import Outbox
from app.nn.mlp import parameter_count
from app.training.session import TrainingSession
from app.training.status import Status

THUMB_SIZE = 16  # cells per side of a tile's boundary thumbnail
CARD_SIZE = 32  # cells per side of a compared run's boundary
CURVE_POINTS = 100  # points of a compared run's test-cost curve
NIBBLE = 17  # a 4-bit level v stands for the uint8 map byte 17·v (15 → 255)


def frame_parts(frame: bytes, names: tuple[str, ...] = ("output",)) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """A binary envelope's JSON header and the named uint8 arrays in it (views, not copies)."""
    (length,) = struct.unpack_from("<I", frame)
    header = json.loads(frame[4:4 + length])
    start = 4 + length + (-(4 + length) % 4)
    arrays = {entry["name"]: np.frombuffer(frame, np.uint8, entry["length"], start + entry["offset"])
              for entry in header["arrays"] if entry["name"] in names and entry["dtype"] == "uint8"}
    return header, arrays


def boundary_map(frame: bytes | None, size: int) -> np.ndarray:
    """A frame's ``output`` map sampled down to size×size; zeros without a frame (or one without the output)."""
    header, arrays = frame_parts(frame) if frame is not None else ({}, {})
    if "output" not in arrays:
        return np.zeros((size, size), np.uint8)
    return sample_map(arrays["output"], int(header["grid_size"]), size)


def sample_map(output: np.ndarray, grid: int, size: int) -> np.ndarray:
    """A grid×grid map sampled down to size×size by taking each cell's nearest original cell."""
    picks = ((np.arange(size) + 0.5) * grid / size).astype(np.intp)
    return np.ascontiguousarray(output.reshape(grid, grid)[np.ix_(picks, picks)])


def pack_thumb(thumb: np.ndarray, is_classes: bool) -> bytes:
    """Cells to 4-bit levels (classes as they are), two a byte, high nibble first."""
    levels = np.minimum(thumb, 15) if is_classes else (thumb.astype(np.uint16) * 15 + 127) // 255
    flat = levels.astype(np.uint8).ravel()
    return bytes((flat[0::2] << 4) | flat[1::2])


def unpack_thumb(packed: bytes, is_classes: bool) -> np.ndarray:
    """The inverse of ``pack_thumb``, as the frame's own bytes (classes, or 17·level)."""
    data = np.frombuffer(packed, np.uint8)
    levels = np.empty(data.size * 2, np.uint8)
    levels[0::2], levels[1::2] = data >> 4, data & 15
    return levels if is_classes else levels * NIBBLE


def _short(value: float | None, form: str) -> float | None:
    """A figure to the digits a tile shows (a shorter message), None for none."""
    return None if value is None else float(form.format(value))


def lesson_state(desk: Any) -> tuple[int | None, str | None]:
    """(step, goal state) of the lesson open in a runner's desk: working, met or failed (out of budget)."""
    player = desk.player
    if player is None:
        return None, None
    tracker = player.tracker
    goal = None if tracker is None else "met" if tracker.is_met else "failed" if tracker.is_out_of_budget \
        else "working"
    return int(player.step), goal


def tile(frame: bytes, boundary_frame: bytes | None, session: TrainingSession, desk: Any) -> str:
    """One tile as JSON text (without the student: the class link adds it): the numbers from the owner's newest
    frame, the thumbnail from its newest frame with the output, ``boundary_frame`` (the newest frame itself,
    unless the page is hidden: its frames leave the output out; none yet: a blank thumbnail)."""
    header, _ = frame_parts(frame, ())
    is_regression = session.problem == Problem.REGRESSION
    test = header["test"]
    thumb = boundary_map(boundary_frame, THUMB_SIZE)
    step, goal = lesson_state(desk)
    status = header["status"]
    return json.dumps({
        "status": status if status in ("running", "paused", "diverged") else "idle",
        "epoch": header["epoch"],
        "test_accuracy": _short(test["r2"] if is_regression else test["accuracy"], "{:.4f}"),
        "test_cost": _short(test["cost"], "{:.4g}"),
        "metric": "r2" if is_regression else "accuracy",
        "shape": header["sizes"], "params": parameter_count(header["sizes"]),
        "headline": header["diagnoses"][0]["title"] if header["diagnoses"] else None,
        "headline_said": header["diagnoses"][0]["said"]["title"] if header["diagnoses"] else None,  # its parts
        "lesson_step": step, "goal": goal,
        "thumb": base64.b64encode(pack_thumb(thumb, session.data.dataset.n_classes > 2)).decode(),
    }, allow_nan=False)


def run_card(frame: bytes | None, boundary_frame: bytes | None, session: TrainingSession) -> dict[str, Any]:
    """What ``compare`` shows of one run: numbers from the newest frame, the 32×32 boundary (base64) from the
    newest with the output (as ``tile``) and the test-cost curve."""
    history = session.history
    costs = history.figures["test_cost"]
    known = costs[np.isfinite(costs)]
    curve = known[np.linspace(0, known.size - 1, min(CURVE_POINTS, known.size)).round().astype(np.intp)] \
        if known.size else known
    header = {} if frame is None else frame_parts(frame, ())[0]
    boundary = boundary_map(boundary_frame, CARD_SIZE).ravel()
    test = header.get("test") or {"accuracy": None, "r2": None, "cost": None}
    is_regression = session.problem == Problem.REGRESSION
    sizes = list(session.mlp.sizes)
    return {"shape": sizes, "params": parameter_count(sizes), "epoch": session.epochs,
            "test_accuracy": test["r2"] if is_regression else test["accuracy"], "test_cost": test["cost"],
            "is_diverged": session.status == Status.DIVERGED,
            "boundary": base64.b64encode(boundary.tobytes()).decode(),
            "curve": [float(value) for value in np.clip(curve, -3.0e38, 3.0e38)]}


class Tiler:
    """When a fork sends its tile: the newest frame's, at most once per ``interval_s``, and a frame that came
    within the interval is sent when it is over (so the teacher sees where a run stopped)."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.sink: Outbox | None = None  # where the tiles go (a class's link to its teacher); None: no tiles
        self.tiled: bytes | None = None  # the frame the last tile was made from
        self.at = -math.inf  # event-loop time of the last tile
        self.timer: asyncio.TimerHandle | None = None  # a newer frame's tile, due when the interval is over

    def switch(self, sink: Outbox | None) -> None:
        self.sink, self.tiled, self.at = sink, None, -math.inf

    def stop(self) -> None:
        self.sink = None
        if self.timer is not None:
            self.timer.cancel()

    def offer(self, newest: Callable[[], bytes | None], make: Callable[[bytes], str], now: float) -> None:
        """Send ``make`` of the ``newest()`` frame now, or of the newest then, once the interval since the last
        tile is over."""
        frame = newest()
        if self.sink is None or frame is None or frame is self.tiled or self.timer is not None:
            return
        wait = self.at + self.interval_s - now
        if wait > 0:
            self.timer = asyncio.get_running_loop().call_later(wait, self._due, newest, make)
        else:
            self._send(frame, make)

    def _due(self, newest: Callable[[], bytes | None], make: Callable[[bytes], str]) -> None:
        self.timer = None
        frame = newest()
        if frame is not None:
            self._send(frame, make)

    def _send(self, frame: bytes, make: Callable[[bytes], str]) -> None:
        if self.sink is not None and frame is not self.tiled:
            self.tiled, self.at = frame, asyncio.get_running_loop().time()
            self.sink.put(make(frame))
