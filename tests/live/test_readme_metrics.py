"""The README's metrics table lists every metric `/metrics` serves, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

from app.live.metrics import Metrics

README = Path(__file__).resolve().parents[2] / "README.md"


def served_names() -> set[str]:
    """Each metric family's name as the README writes it (counters with their `_total`)."""
    names = set()
    for family in Metrics().registry.collect():
        names.add(f"{family.name}_total" if family.type == "counter" else family.name)
    return names


def documented_names() -> set[str]:
    return set(re.findall(r"^\| `(neuroplay_[a-z_]+)(?:\{[a-z_, ]+\})?` \|", README.read_text(), re.MULTILINE))


def test_the_readme_lists_every_metric_the_server_serves() -> None:
    assert served_names() - documented_names() == set()


def test_the_readme_lists_no_metric_the_server_does_not_serve() -> None:
    assert documented_names() - served_names() == set()
