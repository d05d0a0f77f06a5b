"""Property-based fuzzing of app.training.persistence.restore with mutated exports.

A document is either refused with an InputError that names a path of the document in one plain
line, or it restores into a session that trains, snapshots and exports again without raising.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.errors import InputError
from app.training.config import config_from_dict
from app.training.persistence import export, restore
from app.training.session import TrainingSession
from tests.strategies import json_values

TOP_LEVEL = {"format", "version", "config", "data", "weights", "biases", "optimizer", "counters", "epoch",
             "shuffle_rng", "history", "pins"}
RUNS = {  # one mid-epoch run per optimiser, and custom multi-class data
    "sgd": {"optimizer": "sgd"}, "momentum": {"optimizer": "momentum"},
    "adam": {"optimizer": "adam", "learning_rate": 0.01, "dataset": "blobs", "classes": 4},
}


@cache
def exported(run: str) -> str:
    session = TrainingSession(config_from_dict(RUNS[run]))
    session.step("batch", 7)
    return json.dumps(export(session))


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """An export with one to three entries replaced by hostile values, removed or added."""
    document = json.loads(exported(draw(st.sampled_from(sorted(RUNS)))))
    for _ in range(draw(st.integers(1, 3))):
        parent: Any = None
        node: Any = document
        key: Any = None
        while isinstance(node, dict | list) and node and (parent is None or draw(st.booleans())):
            key = draw(st.sampled_from(sorted(node)) if isinstance(node, dict) else st.integers(0, len(node) - 1))
            parent, node = node, node[key]
        action = draw(st.sampled_from(["replace", "replace", "nudge", "delete", "extra"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[key]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=5))] = draw(json_values())
        elif action == "nudge" and isinstance(node, int | float) and not isinstance(node, bool):
            delta = draw(st.sampled_from([-1, 1, -0.5, 10**400, 2**63, 1e300]))
            parent[key] = delta if isinstance(node, float) and abs(delta) > 1e300 else node + delta
        else:
            parent[key] = draw(json_values())
    return document


@given(document=documents())
def test_a_document_is_refused_naming_its_field_or_restores_into_a_usable_session(document: dict[str, Any]) -> None:
    try:
        session = restore(copy.deepcopy(document))
    except InputError as refused:
        root = refused.field.split(".")[0].split("[")[0]
        assert root in TOP_LEVEL, refused.field
        assert "\n" not in refused.message and len(refused.message) < 300, refused.message
        assert "np." not in refused.message and "array(" not in refused.message, refused.message
        return
    session.train(30)
    session.snapshot(8, 4)
    assert restore(json.loads(json.dumps(export(session)))).steps == session.steps
