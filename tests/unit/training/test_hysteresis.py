"""app.training.hysteresis: a finding shows once it has held, goes once it has been gone; no flicker."""

from __future__ import annotations

from app.training.hysteresis import Hysteresis

SHOW, HIDE = 5, 20


def card(kind: str, evidence: str = "") -> dict[str, str]:
    return {"kind": kind, "evidence": evidence}


def shown_kinds(hysteresis: Hysteresis, present: list[str], epoch: int, is_settled: bool = False) -> list[str]:
    return [f["kind"] for f in hysteresis.update([card(k) for k in present], epoch, is_settled=is_settled)]


def test_an_alternating_signal_never_shows() -> None:
    hysteresis = Hysteresis(SHOW, HIDE)
    shown = [shown_kinds(hysteresis, ["overfitting"] if epoch % 2 else [], epoch) for epoch in range(200)]
    assert shown == [[]] * 200


def test_a_shown_finding_outlives_an_alternating_signal_and_goes_once_gone_for_long() -> None:
    hysteresis = Hysteresis(SHOW, HIDE)
    visible = []
    for epoch in range(100):
        present = ["plateau"] if epoch < 10 or (epoch < 60 and epoch % 2) else []
        visible.append(bool(shown_kinds(hysteresis, present, epoch)))
    changes = [epoch for epoch in range(1, 100) if visible[epoch] != visible[epoch - 1]]
    assert changes == [SHOW, 59 + HIDE]  # shows once after SHOW epochs, goes once HIDE epochs after the last sighting


def test_a_held_finding_shows_after_show_epochs_with_its_latest_evidence() -> None:
    hysteresis = Hysteresis(SHOW, HIDE)
    for epoch in range(SHOW):
        assert hysteresis.update([card("plateau", f"at {epoch}")], epoch) == []
    assert hysteresis.update([card("plateau", "now")], SHOW) == [card("plateau", "now")]
    assert hysteresis.update([], SHOW + 1) == [card("plateau", "now")]  # absent: its last evidence stays


def test_shown_findings_keep_the_order_of_the_present_ones() -> None:
    hysteresis = Hysteresis(SHOW, HIDE)
    for epoch in range(SHOW + 1):
        order = shown_kinds(hysteresis, ["rate_too_high", "plateau"], epoch)
    assert order == ["rate_too_high", "plateau"]
    assert shown_kinds(hysteresis, ["plateau"], SHOW + 2) == ["plateau", "rate_too_high"]


def test_a_settled_run_shows_the_checks_as_they_are() -> None:
    hysteresis = Hysteresis(SHOW, HIDE)
    assert shown_kinds(hysteresis, ["dead_relu"], 0, is_settled=True) == ["dead_relu"]
    assert shown_kinds(hysteresis, [], 0, is_settled=True) == []
