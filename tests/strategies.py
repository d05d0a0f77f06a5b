"""Hypothesis strategies for hostile input: JSON values of every shape, as raw text.

Shared by the fuzz suites (tests/live/test_fuzz.py, tests/unit/training/test_persistence_fuzz.py).
Values lean on the edges that broke things before: integers no float holds, NaN and Infinity
literals, deep nesting, long and odd unicode, wrong types.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

HUGE_INTEGERS = (10**400, -(10**400), 2**63, 2**64, 2**53, -(2**63) - 1, 10**4000)  # past float, int64, JS
EDGE_FLOATS = (float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324, 1e-300, -0.0)

scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from(HUGE_INTEGERS),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(EDGE_FLOATS),
    st.text(max_size=12), st.sampled_from(["", "\u0000", "\ud7ff\ue000", "🧠" * 30, "NaN", "1e400", "x" * 300]),
)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value, nested a few levels."""
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=max_leaves)


def render(value: Any) -> str:
    """JSON text that may hold NaN and Infinity literals (json.dumps writes them; JSON.parse would refuse)."""
    return json.dumps(value, allow_nan=True)


class Deep:
    """A placeholder for a value nested ``depth`` lists deep; ``render`` writes it as raw text."""

    def __init__(self, depth: int) -> None:
        self.depth = depth

    def text(self) -> str:
        return "[" * self.depth + "0" + "]" * self.depth


deep = st.integers(min_value=20, max_value=1200).map(Deep)  # around and far past the limit of 32
hostile = st.one_of(json_values(), deep)  # what any field may be given instead of a proper value


def render_hostile(value: Any) -> str:
    """Like ``render``, with every Deep placeholder written out as raw nested brackets."""
    placeholders: dict[str, str] = {}

    def placeholder(obj: Any) -> str:
        if not isinstance(obj, Deep):
            raise TypeError(type(obj).__name__)
        key = f"@@deep{len(placeholders)}@@"
        placeholders[key] = obj.text()
        return key

    text = json.dumps(value, allow_nan=True, default=placeholder)
    for key, raw in placeholders.items():
        text = text.replace(json.dumps(key), raw)
    return text
