"""The runner's command table: one handler per command type, applied to one ``Runner``.

Every handler takes the runner and the validated command and returns an ``Outcome``: the names of
the settings that changed (as in ``session.changed``; ``["status"]`` when a pause stopped a run) and
whether the points changed. A handler raises InputError, before changing anything, to refuse a
command. ``Runner.execute`` (app/live/runner.py) tells the clients what changed. Commands that a
connection handles itself (present, end_class, fork, the class commands) have no entry here. This
module is the runner's own: it uses the runner's private helpers (``_broadcast``, ``_discarding``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from app.data.datasets import show_value
from app.i18n import refusal
from app.live.encoder import json_safe
from app.live.frame_plan import FramePlan
from app.live.lesson_desk import LESSON_COMMANDS, LessonDesk
from app.live.protocol import (
    Command,
    Configure,
    EditWeight,
    Highlight,
    Rewind,
    SelectNeuron,
    SelectSample,
    SetData,
    SetSpeed,
    Step,
    Unpin,
    View,
)
from app.live.settings import Settings
from app.training.config import DATA_FIELDS, NETWORK_FIELDS
from app.training.session import TrainingSession
from app.training.slow_step import slow_step
from app.training.status import Status
from app.training.trace import trace


class Runner(Protocol):
    """What the handlers use of ``app.live.runner.Runner`` (named here, so the two modules import one way)."""

    session: TrainingSession
    settings: Settings
    desk: LessonDesk
    speed: tuple[str, int]
    pending_batches: int
    selected_neuron: tuple[int, int] | None
    selected_sample: dict[str, Any] | None
    highlight: tuple[int, int] | None
    plan: FramePlan

    def after_rebuild(self, is_new_data: bool = True) -> None: ...
    def pins_message(self) -> str: ...
    def _broadcast(self, message: str | bytes) -> None: ...
    def _discarding(self) -> tuple[int, int] | None: ...
    def _tell_discarded(self, discarding: tuple[int, int] | None) -> None: ...

Outcome = tuple[list[str], bool]  # (names of changed settings, whether the points changed)
Handler = Callable[[Runner, Any], Outcome]
UNCHANGED: Outcome = ([], False)


def apply(runner: Runner, command: Command) -> Outcome:
    """Check the command against the open lesson's step, then carry it out with its handler."""
    runner.desk.check(command)
    handler = COMMANDS.get(command.type)
    return UNCHANGED if handler is None else handler(runner, command)


def lesson(runner: Runner, command: Command) -> Outcome:
    """A lesson command: a step that starts rebuilds the run from its setup."""
    if runner.desk.apply(command, runner.session):
        runner.after_rebuild()
        return sorted(runner.session.config.to_dict()), True
    return UNCHANGED


def configure(runner: Runner, command: Configure) -> Outcome:
    changed = runner.session.configure(command.changes)
    if changed & (DATA_FIELDS | NETWORK_FIELDS):
        runner.after_rebuild(is_new_data=bool(changed & DATA_FIELDS))
    return sorted(changed), bool(changed & DATA_FIELDS)


def play(runner: Runner, command: Command) -> Outcome:
    runner.session.start()
    runner.pending_batches = 0
    return UNCHANGED


def pause(runner: Runner, command: Command) -> Outcome:
    """Always stops: a run, or the steps still owed; already stopped is no error."""
    runner.pending_batches = 0
    if runner.session.status == Status.RUNNING:
        runner.session.pause()
        return ["status"], False
    return UNCHANGED


def step(runner: Runner, command: Step) -> Outcome:
    session, settings = runner.session, runner.settings
    check_count("count", command.count, settings.max_step_count)
    session.check_can_step()
    most = session.batches_for("epoch", settings.max_step_count)  # what one longest step owes
    runner.pending_batches = min(most, runner.pending_batches + session.batches_for(command.unit, command.count))
    return UNCHANGED


def reset(runner: Runner, command: Command) -> Outcome:
    runner.session.reset()
    runner.after_rebuild(is_new_data=False)
    return UNCHANGED


def new_weights(runner: Runner, command: Command) -> Outcome:
    runner.session.new_weights()
    runner.after_rebuild(is_new_data=False)
    return ["seed"], False


def regenerate_data(runner: Runner, command: Command) -> Outcome:
    runner.session.regenerate_data()
    runner.after_rebuild()
    return ["data_seed"], True


def set_speed(runner: Runner, command: SetSpeed) -> Outcome:
    check_count("count", command.count, runner.settings.max_speed_count)
    runner.speed = (command.unit, command.count)
    return UNCHANGED


def select_neuron(runner: Runner, command: SelectNeuron) -> Outcome:
    runner.selected_neuron = neuron(runner, command.layer, command.index)
    return UNCHANGED


def highlight(runner: Runner, command: Highlight) -> Outcome:
    runner.highlight = neuron(runner, command.layer, command.index)
    return UNCHANGED


def select_sample(runner: Runner, command: SelectSample) -> Outcome:
    runner.selected_sample = sample(runner, command)
    return UNCHANGED


def edit_weight(runner: Runner, command: EditWeight) -> Outcome:
    runner.session.set_parameter(command.layer, command.target, float(command.value), command.source)
    return UNCHANGED


def set_data(runner: Runner, command: SetData) -> Outcome:
    runner.session.set_custom_data(command.rows, command.problem, command.classes)
    runner.after_rebuild()
    return ["dataset"], True


def slow(runner: Runner, command: Command) -> Outcome:
    discarding = runner._discarding()
    record = slow_step(runner.session)
    runner._tell_discarded(discarding)
    runner.pending_batches = 0
    if record is not None:  # None: the step diverged, which the session message says
        runner._broadcast(json.dumps(json_safe(record)))
    return UNCHANGED


def rewind(runner: Runner, command: Rewind) -> Outcome:
    runner.session.rewind(command.epoch)
    runner.pending_batches = 0
    return UNCHANGED


def pin(runner: Runner, command: Command) -> Outcome:
    session = runner.session
    session.pins.pin(session.config.to_dict(), session.history)
    runner._broadcast(runner.pins_message())
    return UNCHANGED


def unpin(runner: Runner, command: Unpin) -> Outcome:
    runner.session.pins.unpin(command.pin)
    runner._broadcast(runner.pins_message())
    return UNCHANGED


def view(runner: Runner, command: View) -> Outcome:
    """What the owner's page shows: its frames leave out what is not in view (app/live/frame_plan.py)."""
    runner.plan.set_view(command.visible, command.maps)
    return UNCHANGED


COMMANDS: dict[str, Handler] = {
    "configure": configure,
    "play": play,
    "pause": pause,
    "step": step,
    "reset": reset,
    "new_weights": new_weights,
    "regenerate_data": regenerate_data,
    "set_speed": set_speed,
    "select_neuron": select_neuron,
    "highlight": highlight,
    "view": view,
    "select_sample": select_sample,
    "edit_weight": edit_weight,
    "set_data": set_data,
    "slow_step": slow,
    "rewind": rewind,
    "pin": pin,
    "unpin": unpin,
    **{name: lesson for name in LESSON_COMMANDS},
}


def check_count(field: str, count: int, maximum: int) -> None:
    if count > maximum:
        raise refusal(field, "error.count_range", max=maximum, got=show_value(count))


def neuron(runner: Runner, layer: int | None, index: int | None) -> tuple[int, int] | None:
    """The neuron (layer, index) of the runner's network, None for none; InputError if it has no such neuron."""
    if layer is None and index is None:
        return None
    sizes = runner.session.mlp.sizes
    if layer is None or not layer < len(sizes):
        raise refusal("layer", "error.layer_range", last=len(sizes) - 1, got=show_value(layer))
    if index is None or not index < sizes[layer]:
        raise refusal("index", "error.neuron_range", last=sizes[layer] - 1, got=show_value(index))
    return layer, index


def sample(runner: Runner, command: SelectSample) -> dict[str, Any] | None:
    """The selected sample (part, index, point), None for none; validated by tracing it now."""
    if command.part is None:
        return None
    point = None if command.point is None else (float(command.point[0]), float(command.point[1]))
    selection: dict[str, Any] = {"part": command.part, "index": command.index, "point": point}
    trace(runner.session, **selection)  # validates index or point now, so errors reach the sender
    return selection
