"""FramePlan and BusyLine: what the owner's frames carry, and when the page hears that the server is busy."""

import json

from app.i18n import translate
from app.live.busy import BUSY_MESSAGE, PACED_MESSAGE, BusyLine
from app.live.frame_plan import FramePlan


def plans(plan: FramePlan, frames: int) -> list[tuple[bool, bool]]:
    return [plan.next_frame() for _ in range(frames)]


def test_maps_every_interval_and_at_once_when_owed() -> None:
    plan = FramePlan(map_interval_frames=4)
    assert [maps for _, maps in plans(plan, 9)] == [True, False, False, False, True, False, False, False, True]
    plan.owe_maps()
    assert plans(plan, 2) == [(True, True), (True, False)]
    assert [maps for _, maps in plans(FramePlan(map_interval_frames=1), 3)] == [True, True, True]


def test_a_busy_server_sends_the_maps_half_as_often() -> None:
    plan = FramePlan(map_interval_frames=4)
    assert [maps for _, maps in (plan.next_frame(is_busy=True) for _ in range(9))] == [
        True, False, False, False, False, False, False, False, True]
    plan.owe_maps()  # a learner's change is shown at once, however busy
    assert plan.next_frame(is_busy=True) == (True, True)


def test_a_hidden_page_gets_neither_and_maps_come_back_at_once() -> None:
    plan = FramePlan(map_interval_frames=4)
    plans(plan, 2)
    plan.set_view(is_visible=False, shows_maps=True)
    assert plans(plan, 3) == [(False, False)] * 3
    plan.set_view(is_visible=True, shows_maps=False)
    assert plans(plan, 5) == [(True, False)] * 5
    plan.set_view(is_visible=True, shows_maps=True)
    assert plans(plan, 1) == [(True, True)]


def feed(pace: BusyLine, fps: float, start: float, seconds: float, asked: float = 60.0) -> list[dict]:
    notices, frames = [], int(fps * seconds)
    for i in range(frames):
        notice = pace.observe(start + i / fps, fps, asked)
        if notice is not None:
            notices.append(json.loads(notice))
    return notices


def test_busy_after_a_whole_window_below_the_share_then_ok_when_it_recovers() -> None:
    pace = BusyLine(share=0.85, window_s=2.0)
    assert feed(pace, 60, 0.0, 3.0) == []  # keeps up: nothing to say
    busy = feed(pace, 18, 3.0, 3.5)
    assert len(busy) == 1 and busy[0]["topic"] == "busy" and busy[0]["state"] == "busy"
    assert busy[0]["fps"] in (17, 18) and busy[0]["asked_fps"] == 60
    assert busy[0]["message"] == translate("en", BUSY_MESSAGE, count=busy[0]["fps"])
    recovered = feed(pace, 60, 5.5, 3.0)
    assert [(n["state"], n["fps"]) for n in recovered] == [("ok", None)]


def test_not_busy_before_a_whole_window_and_a_stop_says_ok_once() -> None:
    pace = BusyLine(share=0.85, window_s=2.0)
    assert feed(pace, 10, 0.0, 2.9) == []  # slow, but for less than the window after the first rate
    assert feed(pace, 10, 2.9, 1.0) != []
    assert json.loads(pace.reset() or "{}")["state"] == "ok"
    assert pace.reset() is None  # told already


def test_a_changing_rate_is_told_at_most_once_per_window() -> None:
    pace = BusyLine(share=0.85, window_s=2.0)
    first = feed(pace, 30, 0.0, 3.5)
    second = feed(pace, 12, 3.5, 3.0)
    assert [n["fps"] for n in first] == [30] and second and all(n["fps"] < 30 for n in second)
    assert len(second) <= 2


def test_the_page_is_told_when_the_training_keeps_its_pace_and_when_it_no_longer_does() -> None:
    pace = BusyLine(share=0.85, window_s=2.0)
    busy = [json.loads(n) for i in range(int(8 * 4.0)) if (n := pace.observe(i / 8, 8.0, 60.0, False))]
    assert [(n["fps"], n["keeps_pace"], n["key"]) for n in busy] == [(8, False, BUSY_MESSAGE)]
    paced = [json.loads(n) for i in range(int(8 * 3.0)) if (n := pace.observe(4.0 + i / 8, 8.0, 60.0, True))]
    assert [(n["fps"], n["keeps_pace"], n["key"]) for n in paced] == [(8, True, PACED_MESSAGE)]  # same rate
    assert paced[0]["message"] == "Busy server: 8 frames a second · training keeps its speed"
    assert paced[0]["args"] == {"count": 8}
    behind = [json.loads(n) for i in range(int(8 * 3.0)) if (n := pace.observe(7.0 + i / 8, 8.0, 60.0, False))]
    assert [n["keeps_pace"] for n in behind] == [False]
    assert json.loads(pace.reset() or "{}")["keeps_pace"] is None
