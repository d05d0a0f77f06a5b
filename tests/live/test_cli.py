"""The command line: `neuroplay bench` passes its options on; unknown options are refused."""

from __future__ import annotations

import pytest

from app.cli import main


def test_bench_prints_engine_figures_for_both_networks(capsys: pytest.CaptureFixture[str]) -> None:
    main(["bench", "--engine-only", "--seconds", "0.02"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("engine")
    figures = {line.split()[0]: line.split()[2:] for line in lines[2:4]}
    assert set(figures) == {"default", "largest"}
    assert all(float(value.replace(",", "")) > 0 for values in figures.values() for value in values)


def test_unknown_options_are_refused() -> None:
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--bogus"])
    assert refused.value.code == 2
