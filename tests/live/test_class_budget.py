"""The class view's cost to the teacher: 30 students whose every tile and thumbnail changes every second."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np

from app.live.classroom.broker import LocalBroker
from app.live.classroom.mosaic import ClassView
from app.live.classroom.students import alias, class_channel
from app.live.classroom.tiles import THUMB_SIZE, pack_thumb, unpack_thumb
from app.live.outbox import Outbox
from app.live.settings import Settings
from tests.live.conftest import decode_binary

STUDENTS = 30
BUDGET_BYTES_PER_SECOND = 10_000  # the ceiling for the whole mosaic


class Presenter:
    """What the class view needs of the presenter's runner."""

    async def set_class_goals(self, goals: Any) -> None:
        self.goals = goals


def tile(second: int, student: int, rng: np.random.Generator) -> dict[str, Any]:
    thumb = rng.integers(0, 256, THUMB_SIZE * THUMB_SIZE).astype(np.uint8)  # a new boundary every time
    return {"status": "running", "epoch": 40 * second + student, "test_accuracy": round(rng.uniform(0.5, 1), 4),
            "test_cost": float(f"{rng.uniform(0.01, 0.7):.4g}"), "metric": "accuracy", "shape": [2, 8, 8, 1],
            "params": 105, "headline": None if student % 3 else "The learning rate looks too high",
            "lesson_step": 2, "goal": "working", "thumb": base64.b64encode(pack_thumb(thumb, False)).decode()}


def test_thirty_training_students_cost_the_teacher_under_10_kb_a_second() -> None:
    async def scenario() -> list[int]:
        broker, outbox, rng = LocalBroker(), Outbox(), np.random.default_rng(3)
        view = ClassView(Settings(), broker, None, "ABCDEF", Presenter(), outbox)  # type: ignore[arg-type]
        view.subscription = await broker.subscribe(class_channel("ABCDEF"), view._on_class)
        for n in range(1, STUDENTS + 1):
            broker.publish(class_channel("ABCDEF"), "student", json.dumps(
                {"type": "student", "student": f"s{n}", "alias": alias(n), "name": f"Student {n}", "hand": False,
                 "mode": "forked"}), is_cached=False)
        sizes = []
        for second in range(10):
            for n in range(1, STUDENTS + 1):
                broker.publish(class_channel("ABCDEF"), "tile", json.dumps(
                    {"type": "tile", "student": f"s{n}", "tile": tile(second, n, rng)}), is_cached=False)
            message = view.message()
            sizes.append(len(message))
            header = decode_binary(message)
            assert len(header["thumb_students"]) == STUDENTS and len(header["tiles"]) == STUDENTS
        return sizes

    sizes = asyncio.run(scenario())
    assert sizes[0] > max(sizes[1:])  # the first carries every field: later ones only what changed
    assert max(sizes[1:]) <= BUDGET_BYTES_PER_SECOND, sizes


def test_a_thumbnail_keeps_sixteen_levels_and_every_class() -> None:
    levels = np.arange(256, dtype=np.uint8)
    back = unpack_thumb(pack_thumb(levels, False), False)
    assert np.abs(back.astype(int) - levels).max() <= 8  # within half a 4-bit step of 255/15
    classes = np.arange(256, dtype=np.uint8) % 7
    assert np.array_equal(unpack_thumb(pack_thumb(classes, True), True), classes)
