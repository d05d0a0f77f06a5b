"""The diagnosis's advice works: broken setups, each trained until its first card shows, then its button.

For every setup: train epoch by epoch as the live page does (``Diagnosis.observe`` after each
epoch, hysteresis included) until a finding shows; check it names the expected cause; press its
button exactly as the page does (the ``configure`` command the page builds from ``action.changes``,
then ``reset`` when ``action.reset``, both through the runner's command path); train a fixed budget;
and compare the test cost with the same budget trained without pressing it (a twin replayed to the
same epoch: every run is seeded, so the twin is the same run). The advice must cut the test cost by
at least ``MARGIN``. Seeded and deterministic; small networks and budgets keep it to a few seconds.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest

from app.live.protocol import parse_command
from app.live.runner import Runner
from app.live.settings import Settings
from app.training.config import config_from_dict
from app.training.diagnosis import Diagnosis
from app.training.session import TrainingSession

pytestmark = pytest.mark.slow  # trains every setup to its finding and on (a few seconds in all); `make test` runs it

# The advice must lower the test cost by at least this share. Measured, every case's advice cuts it by
# 28 % or more (10 of 15 by over 80 %), while seeds and budgets shift a cost by a few per cent: 20 % is
# "clearly better" with room for that noise and still fails advice that merely does no harm.
MARGIN = 0.2
SETTINGS = Settings()

FEATURES_7 = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"]


@dataclass(frozen=True)
class Case:
    """A broken setup, the cause it must be told, the first button's changes, and the training budgets."""

    setup: dict[str, Any]
    kind: str
    changes: dict[str, Any]
    reset: bool = False
    budget: int = 40  # epochs trained after the button (and by the twin without it)
    most: int = 200  # epochs the finding may take to show


CASES = {
    "rate 10, relu": Case({"activation": "relu", "learning_rate": 10}, "rate_too_high", {"learning_rate": 1.0},
                          reset=True),
    "rate 10, tanh": Case({"activation": "tanh", "learning_rate": 10}, "rate_too_high", {"learning_rate": 1.0},
                          reset=True),
    "rate 10, sigmoid": Case({"activation": "sigmoid", "learning_rate": 10}, "rate_too_high",
                             {"learning_rate": 1.0}, reset=True),
    "rate 10, leaky relu": Case({"activation": "leaky_relu", "learning_rate": 10}, "rate_too_high",
                                {"learning_rate": 1.0}, reset=True),
    "rate 3, relu, regression diverges": Case({"dataset": "plane", "activation": "relu", "learning_rate": 3},
                                              "diverged", {"learning_rate": 0.3}, reset=True),
    "rate 0.03, linear, regression diverges": Case({"dataset": "plane", "activation": "linear"}, "diverged",
                                                   {"learning_rate": 0.003}, reset=True),
    "rate 3, dead relus": Case({"activation": "relu", "learning_rate": 3}, "rate_too_high", {"learning_rate": 0.3},
                               reset=True),
    "batch 1 at rate 3": Case({"batch_size": 1, "learning_rate": 3}, "rate_too_high", {"learning_rate": 0.3},
                              reset=True, budget=10),
    "deep sigmoid 6x8": Case({"activation": "sigmoid", "hidden_layers": [8] * 6}, "vanishing",
                             {"activation": "relu"}),
    "naive uniform init, relu": Case({"activation": "relu", "init": "uniform_unit", "hidden_layers": [8, 8, 8]},
                                     "identical", {"init": "xavier"}),
    "saturated tanh": Case({"init": "uniform_unit", "hidden_layers": [8], "features": FEATURES_7}, "saturated",
                           {"init": "xavier"}),
    "spiral, 2-4-2 tanh": Case({"dataset": "spiral"}, "plateau",
                               {"features": ["x1", "x2", "sin_x1", "sin_x2"], "hidden_layers": [8, 8]},
                               budget=100, most=260),
    "spiral, 2-4-2 relu": Case({"dataset": "spiral", "activation": "relu"}, "plateau",
                               {"features": ["x1", "x2", "sin_x1", "sin_x2"], "hidden_layers": [8, 8]},
                               budget=100, most=260),
    "rate 1e-4": Case({"learning_rate": 0.0001}, "plateau", {"learning_rate": 0.001}, budget=60, most=260),
    "overfitting, noise 50, 10 % training": Case(
        {"noise": 50, "train_percent": 10, "hidden_layers": [16, 16], "optimizer": "adam",
         "features": FEATURES_7}, "overfitting", {"regularization": "l2", "regularization_rate": 0.03}, budget=60),
}


def diagnose_until_shown(session: TrainingSession, most: int) -> dict[str, Any]:
    """Train epoch by epoch, diagnosing after each, until a finding shows; returns the first card."""
    diagnosis = Diagnosis()
    session.start()
    for _ in range(most):
        session.train(session.batches_for("epoch", 1))
        snapshot = session.snapshot(8, 4)
        shown = diagnosis.observe(session, snapshot.train, snapshot.test)
        if shown:
            return shown[0]
        if session.status.value == "diverged":
            break
    raise AssertionError(f"no finding showed within {most} epochs ({session!r})")


def send(session: TrainingSession, *messages: dict[str, Any]) -> None:
    """Commands as the page sends them, parsed and applied by the server's runner."""
    runner = Runner(session, SETTINGS, "battery")
    for message in messages:
        asyncio.run(runner.execute(parse_command(json.dumps(message), SETTINGS.max_message_bytes)))


def press(session: TrainingSession, action: dict[str, Any]) -> None:
    """What the card's button sends (static/js/views/output/diagnosis.js): configure, then reset if asked."""
    resets = [{"type": "reset"}] if action["reset"] else []
    send(session, {"type": "configure", "changes": action["changes"]}, *resets)


def cost_after(session: TrainingSession, epochs: int) -> float:
    """The test cost after ``epochs`` more epochs (a run that diverged keeps its last finite weights)."""
    if session.status.value not in ("diverged", "running"):
        session.start()
    if session.status.value == "running":
        session.train(session.batches_for("epoch", epochs))
    cost = session.snapshot(8, 4).test.cost
    assert cost is not None
    return cost


@pytest.mark.parametrize("name", CASES)
def test_the_first_suggestion_fixes_the_run(name: str) -> None:
    case = CASES[name]
    session = TrainingSession(config_from_dict(case.setup))
    card = diagnose_until_shown(session, case.most)
    assert card["kind"] == case.kind, card
    assert card["action"]["changes"] == case.changes and card["action"]["reset"] == case.reset, card["action"]
    shown_at = session.epochs

    twin = TrainingSession(config_from_dict(case.setup))  # the same seeded run, left as it is
    twin.start()
    if shown_at:
        twin.train(twin.batches_for("epoch", shown_at))
    if twin.status.value == "diverged":  # without the change, Reset starts the same run again
        send(twin, {"type": "reset"})
    without = cost_after(twin, case.budget)

    press(session, card["action"])
    followed = cost_after(session, case.budget)
    assert followed <= (1 - MARGIN) * without, (name, followed, without)
