"""The learners benchmark: its flags (one-line refusals), the table's arithmetic, and one small real run."""

from __future__ import annotations

import math

import pytest

from app.bench import engine
from app.bench.learner_clients import Counts, frame_epoch
from app.bench.learners import (
    MAX_LEARNERS,
    REPOSITORY,
    SERVER_ENV,
    Row,
    _split,
    format_ratio,
    format_row,
    measure,
    ratios,
    summarize,
)
from app.cli import main
from app.live.encoder import Envelope


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], entry=main) -> str:
    with pytest.raises(SystemExit) as done:
        entry(argv)
    assert done.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    return lines[0]


@pytest.mark.parametrize(("argv", "says"), [
    (["bench", "--learners", "0"], f"from 1 to {MAX_LEARNERS}"),
    (["bench", "--learners", "1,x"], "whole numbers separated by commas"),
    (["bench", "--learners", f"1,{MAX_LEARNERS + 1}"], f"from 1 to {MAX_LEARNERS}"),
    (["bench", "--learners", "2", "--baseline", "no-such-ref-here"], "must be a commit, branch or tag"),
    (["bench", "--learners", "2", "--baseline=--help"], "must be a commit, branch or tag"),
    (["bench", "--baseline", "HEAD"], "--baseline needs --learners"),
    (["bench", "--learners", "2", "--scaleout"], "separate runs"),
    (["bench", "--learners", "2", "--seconds", "0"], "--seconds must be more than 0 and at most 600"),
    (["bench", "--seconds", "nan"], "--seconds must be more than 0 and at most 600"),
    (["bench", "--learners", "2", "--deflate", "maybe"], "--deflate"),
])
def test_bad_flags_get_one_line_naming_the_flag(argv, says, capsys: pytest.CaptureFixture[str]) -> None:
    assert says in refused(argv, capsys)
    assert says in refused(argv[1:], capsys, engine.main)  # python -m app.bench says the same


def test_good_flags_parse() -> None:
    parser = engine.OneLineParser(prog="bench")
    engine.add_arguments(parser)
    args = parser.parse_args(["--learners", "1,10,30,100", "--baseline", "HEAD~0", "--deflate", "off"])
    assert args.learners == (1, 10, 30, 100) and args.baseline == "HEAD~0" and args.deflate == "off"
    assert engine.argument_problem(args) is None


def counts(frames: int, payload: int, wire: int, epochs: tuple[int, int] | None) -> Counts:
    first, last = epochs if epochs else (None, None)
    return Counts(frames=frames, payload_bytes=payload, wire_bytes=wire, first_epoch=first, last_epoch=last,
                  is_deflated=True)


def test_a_row_is_per_learner_medians_and_slowest_over_the_window() -> None:
    learners = [counts(120, 4000, 1000, (10, 130)), counts(60, 2000, 600, (5, 35)), counts(90, 3000, 900, (0, 90))]
    row = summarize(3, learners, window_s=2.0, server_cpu_s=3.0, rss_mib=(100.0, 106.0), client_cpu_s=[0.5, 1.2])
    assert (row.fps_median, row.fps_slowest) == (45.0, 30.0)
    assert (row.epochs_median, row.epochs_slowest) == (45.0, 15.0)
    assert (row.payload_bps, row.wire_bps) == (1500.0, 450.0)
    assert row.cpu_share == 1.5 and row.rss_mib_per_learner == 2.0 and row.client_cpu_share == 0.6
    assert row.is_deflated
    silent = summarize(1, [counts(0, 0, 0, None)], 2.0, 0.0, (100.0, 90.0), [])
    assert silent.epochs_slowest == 0.0 and silent.rss_mib_per_learner == 0.0 and silent.client_cpu_share == 0.0


def test_ratios_and_the_printed_lines() -> None:
    this = Row(10, 60.0, 50.0, 60.0, 48.0, 250_000.0, 100_000.0, 1.2, 0.5, 0.3, True, 1.5)
    base = Row(10, 30.0, 25.0, 30.0, 0.0, 1_000_000.0, 1_000_000.0, 1.6, 1.0, 0.2, False, 1.5)
    r = ratios(this, base)
    assert (r["fps_median"], r["payload_bps"], r["wire_bps"]) == (2.0, 0.25, 0.1)
    assert r["cpu_share"] == pytest.approx(0.75)
    assert math.isnan(r["epochs_slowest"])  # the baseline's 0: no ratio
    line = format_row(this, "this").split()
    assert line[:6] == ["10", "this", "60.0", "50.0", "60.0", "48.0"] and line[6:10] == ["250.0", "2.00", "100.0",
                                                                                         "0.80"]
    assert format_ratio(this, base).split()[:3] == ["ratio", "2.00", "2.00"]


def test_learners_spread_over_as_few_client_processes_as_hold_them() -> None:
    assert _split(1, 20) == [1] and _split(20, 20) == [20] and _split(21, 20) == [11, 10]
    assert _split(100, 20) == [20] * 5 and sum(_split(37, 20)) == 37


def test_frame_epoch_reads_only_frames() -> None:
    frame = Envelope().pack({"type": "frame", "epoch": 42})
    assert frame_epoch(frame) == 42 and frame_epoch(Envelope().pack({"type": "history", "epoch": 3})) is None


def test_two_real_learners_on_a_real_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real server and one client process with two learners; what they got, never how fast."""
    monkeypatch.delenv("NEUROPLAY_ALLOWED_HOSTS")  # the server's own names, and its own worker processes
    monkeypatch.delenv("NEUROPLAY_WORKERS")
    row = measure(2, {"hidden_layers": [3]}, 1.0, REPOSITORY, {**SERVER_ENV, "ws_deflate": "true"})
    assert row.learners == 2 and row.is_deflated
    assert row.fps_slowest > 0 and row.epochs_slowest > 0 and row.payload_bps > 0 and row.wire_bps > 0
    assert row.cpu_share > 0 and row.client_cpu_share > 0
