"""The benchmark's stacked-training figure: both ways of training give positive timings."""

from app.bench.engine import STACKED_NETWORKS, stacked_figures


def test_the_stacked_figure_times_both_ways_for_every_network() -> None:
    for changes in STACKED_NETWORKS.values():
        figures = stacked_figures(changes, 3, 0.02)
        assert set(figures) == {"alone_us", "together_us"}
        assert all(value > 0 for value in figures.values())
