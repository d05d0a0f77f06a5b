"""A step's starting point: the full configuration it sets and the weights it sets by hand.

Imports ``app.training`` only. Every step starts from the defaults, the lesson's seed (for the
weights and the points) and the step's ``setup``, so everyone who opens the step sees the same
network on the same points; ``edits`` then sets single weights or biases by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.errors import InputError
from app.i18n import refused
from app.training.config import ExperimentConfig, config_from_dict
from app.training.session import TrainingSession
from app.training.status import SessionError

EDITS = "edits"  # the setup key for hand-set weights: [{layer, target, source (absent: bias), value}]
EDIT_KEYS = frozenset({"layer", "target", "source", "value"})


def step_config(seed: int, changes: Mapping[str, Any]) -> ExperimentConfig:
    """The configuration a step starts from; raises ConfigError naming the setting."""
    settings = {name: value for name, value in changes.items() if name != EDITS}
    return config_from_dict({"seed": seed, "data_seed": seed, **settings})


def apply_edits(session: TrainingSession, edits: object) -> None:
    """Set the listed weights and biases; raises SessionError naming ``edits[i].field``."""
    if not isinstance(edits, Sequence) or isinstance(edits, str):
        raise refused(SessionError, EDITS, "error.lesson.edits_list")
    for n, edit in enumerate(edits):
        if not isinstance(edit, Mapping) or set(edit) - EDIT_KEYS or not {"layer", "target", "value"} <= set(edit):
            raise refused(SessionError, f"{EDITS}[{n}]", "error.lesson.edit")
        try:
            session.set_parameter(edit["layer"], edit["target"], edit["value"], edit.get("source"))
        except InputError as error:
            raise SessionError(f"{EDITS}[{n}].{error.field}", error.message) from None


def start_step(session: TrainingSession, seed: int, changes: Mapping[str, Any]) -> None:
    """Put a session at a step's start: its configuration, fresh weights from the seed, then the edits."""
    config = step_config(seed, changes)
    session.configure(config.to_dict())
    session.reset()
    apply_edits(session, changes.get(EDITS, []))


def new_session(seed: int, changes: Mapping[str, Any]) -> TrainingSession:
    """A fresh session at a step's start (for checking a lesson and for the honesty tests)."""
    session = TrainingSession(step_config(seed, changes))
    apply_edits(session, changes.get(EDITS, []))
    return session
