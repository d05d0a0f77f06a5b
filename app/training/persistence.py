"""Export and import of a whole experiment as JSON: configuration, data, weights, counters.

Imports numpy, the standard library and the engine only: no web code.
An export holds everything a run needs to continue exactly where it was:
the points, the weights, the optimiser's state, the position in the current
epoch and the state of the generator that orders the points. ``restore``
validates every part and raises ``InputError`` naming the first bad one;
nothing is half-restored.

``restore`` checks the document as the engine will use it, not only its
types: every number is range-checked before it is converted (a JSON integer
may have hundreds of digits), the optimiser's state must be one a run could
reach, and the counters, the epoch's order and its cursor must agree with each
other and with the data. A refusal names the document's own field path, e.g.
``data.rows``, ``optimizer.square_mean[3]`` or ``counters.epoch``, and is worded
from a catalogue key (``error.file.*``), so the page shows it in its own language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from app.data.datasets import Problem, in_range, show_value
from app.data.user_data import ROWS_FIELD, from_rows
from app.errors import InputError
from app.i18n import Said, refusal, said
from app.nn.optim import ADAM_MEAN_BOUND, NON_NEGATIVE, WITHIN_MEAN_BOUND, ZERO_BEFORE_FIRST_STEP
from app.training.checkpoints import Checkpoints
from app.training.config import CUSTOM_DATASET, ExperimentConfig, config_from_dict, problem_of
from app.training.history import History
from app.training.pins import Pins
from app.training.session import DIVERGENCE_LIMIT, TrainingSession
from app.training.status import Status

EXPORT_FORMAT = "neuroplay-experiment"  # the "format" field every export carries
EXPORT_VERSION = 2  # bumped whenever the layout below changes (2 added "history")
READABLE_VERSIONS = (1, 2)  # versions restore() reads; a version-1 file has no history
FLOAT64_MAX = float(np.finfo(np.float64).max)  # the bound that only refuses NaN and infinity
MAX_COUNTER = 2**53 - 1  # counters stay exact as JSON numbers in every client (JavaScript's safe integers)
PCG64_STATE_BITS = 128  # PCG64's state and increment are 128-bit unsigned integers
# The catalogue key naming each kind of value a document's entry may have to be ("a whole number").
KINDS = {int: "error.file.kind_whole_number", str: "error.file.kind_string", list: "error.file.kind_list",
         Mapping: "error.file.kind_object"}
# The catalogue key of each rule an optimiser state can break (app.nn.optim.Optimizer.check_state).
STATE_RULE_KEYS = {ZERO_BEFORE_FIRST_STEP: "error.file.state_first_step", NON_NEGATIVE: "error.file.state_square_mean",
                   WITHIN_MEAN_BOUND: "error.file.state_mean"}


def export(session: TrainingSession) -> dict[str, Any]:
    """The whole experiment as a JSON-ready dict (floats keep full precision in JSON)."""
    dataset = session.data.dataset
    rows = np.column_stack([dataset.points, dataset.labels.astype(np.float64)])
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "config": session.config.to_dict(),
        "data": {"problem": dataset.problem.value, "classes": dataset.n_classes, "rows": rows.tolist()},
        "weights": [W.tolist() for W in session.mlp.weights],
        "biases": [b.tolist() for b in session.mlp.biases],
        "optimizer": {"name": session.trainer.optimizer.name, **session.trainer.optimizer.state()},
        "counters": {"step": session.steps, "epoch": session.epochs, "examples": session.examples},
        "epoch": {"order": None if session.order is None else session.order.tolist(), "cursor": session.cursor},
        "shuffle_rng": session.shuffle_rng.bit_generator.state,
        "history": session.history.to_dict(),
        "pins": session.pins.to_list(),
    }


def _get(data: Mapping[str, Any], path: str, kind: type) -> Any:
    """The entry ``path`` ("counters.step") of its parent ``data``, checked to be of ``kind``."""
    name = path.rpartition(".")[2]
    if not isinstance(data, Mapping) or name not in data:
        raise refusal(path, "error.file.missing")
    value = data[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise refusal(path, "error.file.kind", kind=said(KINDS[kind]), got=show_value(value))
    return value


def _count(data: Mapping[str, Any], path: str, maximum: int = MAX_COUNTER, why: str | Said | None = None) -> int:
    """A whole number 0..maximum at ``path``; ``why`` says where a maximum below MAX_COUNTER comes from."""
    value = _get(data, path, int)
    if not 0 <= value <= maximum:
        if why is None:
            raise refusal(path, "error.file.count", max=maximum, got=show_value(value))
        raise refusal(path, "error.file.count_because", max=maximum, why=why, got=show_value(value))
    return int(value)


def _entries(value: list[Any]) -> Said:
    """"3 entries": the length of a list that has the wrong one."""
    return said("error.file.entries", count=len(value))


def _numbers(value: Any, shape: tuple[int, ...], path: str, bound: float) -> np.ndarray:
    """Nested lists of numbers as a float64 array of ``shape``; each entry is checked before conversion."""
    flat: list[float] = []
    _collect(value, shape, path, bound, flat, shape)
    return np.array(flat, dtype=np.float64).reshape(shape)


def _collect(value: Any, shape: tuple[int, ...], path: str, bound: float, out: list[float],
             full_shape: tuple[int, ...]) -> None:
    if not shape:
        if isinstance(value, bool) or not isinstance(value, int | float) or not in_range(value, -bound, bound):
            if bound == FLOAT64_MAX:
                raise refusal(path, "error.file.finite", got=show_value(value))
            raise refusal(path, "error.file.number_range", min=-bound, max=bound, got=show_value(value))
        out.append(float(value))
        return
    if not isinstance(value, list) or len(value) != shape[0]:
        got = _entries(value) if isinstance(value, list) else show_value(value)
        raise refusal(path, "error.file.shape", count=shape[0], shape=str(full_shape), got=got)
    for index, item in enumerate(value):
        _collect(item, shape[1:], f"{path}[{index}]", bound, out, full_shape)


@contextmanager
def _within(prefix: str) -> Iterator[None]:
    """Refusals from a part's own checks (config, data) name the field inside the document."""
    try:
        yield
    except InputError as error:
        raise InputError(f"{prefix}.{error.field}", error.message, error.key, error.params) from None


def restore(document: Mapping[str, Any]) -> TrainingSession:
    """A session rebuilt from ``export``'s output; resumes paused (or idle if it never trained)."""
    if _get(document, "format", str) != EXPORT_FORMAT:
        raise refusal("format", "error.file.format", format=repr(EXPORT_FORMAT))
    version = _get(document, "version", int)
    if version not in READABLE_VERSIONS:
        raise refusal("version", "error.file.version", first=READABLE_VERSIONS[0], last=READABLE_VERSIONS[-1],
                      got=show_value(version))
    data = _get(document, "data", Mapping)
    problem, classes = _get(data, "data.problem", str), _get(data, "data.classes", int)
    rows = _get(data, f"data.{ROWS_FIELD}", list)
    with _within("data"):
        dataset = from_rows(rows, problem, classes if problem == Problem.MULTICLASS else None)
    config_data = _get(document, "config", Mapping)
    with _within("config"):
        config = config_from_dict(config_data, dataset.problem)
    _check_data_fits(config, dataset.problem, dataset.n_classes, len(dataset.labels))
    if classes != dataset.n_classes:
        raise refusal("data.classes", "error.file.classes_rows", classes=dataset.n_classes, got=show_value(classes))
    session = TrainingSession(config, custom_data=dataset if config.dataset == CUSTOM_DATASET else None)
    session.replace_dataset(dataset)
    mlp = session.mlp
    for name in ("weights", "biases"):
        if len(_get(document, name, list)) != mlp.n_layers:
            raise refusal(name, "error.file.layers", layers=mlp.n_layers)
    weights = [_numbers(w, W.shape, f"weights[{l}]", DIVERGENCE_LIMIT) for l, (w, W) in
               enumerate(zip(document["weights"], mlp.weights, strict=True))]
    biases = [_numbers(b, B.shape, f"biases[{l}]", DIVERGENCE_LIMIT) for l, (b, B) in
              enumerate(zip(document["biases"], mlp.biases, strict=True))]
    _restore_position(session, document)
    _restore_optimizer(session, _get(document, "optimizer", Mapping))
    _restore_rng(session, _get(document, "shuffle_rng", Mapping))
    if version >= 2:
        session.history = History.from_dict(_get(document, "history", Mapping), session.steps, session.epochs)
    if "pins" in document:  # an export made before pinning existed has none
        session.pins = Pins.from_list(document["pins"])
    mlp.set_parameters(weights, biases)
    session.checkpoints = Checkpoints()  # the imported state is as far back as this run can rewind
    session.checkpoints.record(session)
    return session


def _check_data_fits(config: ExperimentConfig, problem: Problem, n_classes: int, n_rows: int) -> None:
    """The rows must be what the config's dataset would train on: its problem, classes and size."""
    if config.dataset == CUSTOM_DATASET:
        return
    wanted = problem_of(config, problem)
    if problem != wanted:
        raise refusal("data.problem", "error.file.problem", problem=wanted.value, dataset=repr(config.dataset),
                      got=problem.value)
    if problem == Problem.MULTICLASS and n_classes != config.classes:
        raise refusal("data.classes", "error.file.classes_config", classes=config.classes, got=n_classes)
    if n_rows != config.points:
        raise refusal(f"data.{ROWS_FIELD}", "error.file.rows", points=config.points, got=n_rows)


def _restore_optimizer(session: TrainingSession, state: Mapping[str, Any]) -> None:
    """The optimiser's step count (at most counters.step) and a state a run could have reached."""
    name = _get(state, "optimizer.name", str)
    if name != session.config.optimizer:
        raise refusal("optimizer.name", "error.file.optimizer", optimizer=repr(session.config.optimizer),
                      got=show_value(name))
    optimizer = session.trainer.optimizer
    steps = _count(state, "optimizer.t", session.steps, "counters.step")
    arrays: dict[str, np.ndarray] = {}
    for array_name in optimizer.state_names:
        # A velocity is a sum of gradient steps, so it obeys the weights' bound; Adam's running
        # means only need to be finite here, and optimizer.check_state relates them.
        bound = DIVERGENCE_LIMIT if array_name == "velocity" else FLOAT64_MAX
        path = f"optimizer.{array_name}"
        arrays[array_name] = _numbers(_get(state, path, list), (session.mlp.params.size,), path, bound)
    problem = optimizer.check_state(steps, arrays)
    if problem is not None:
        array_name, index, rule = problem
        limit = {"bound": ADAM_MEAN_BOUND} if rule == WITHIN_MEAN_BOUND else {}
        raise refusal(f"optimizer.{array_name}[{index}]", STATE_RULE_KEYS[rule],
                      got=show_value(float(arrays[array_name][index])), **limit)
    optimizer.load_state({"t": steps, **arrays})


def _restore_position(session: TrainingSession, document: Mapping[str, Any]) -> None:
    """Counters, this epoch's order and cursor; they must agree with each other and the training set."""
    counters, position = _get(document, "counters", Mapping), _get(document, "epoch", Mapping)
    n_train = len(session.data.train_index)
    steps = _count(counters, "counters.step")
    epochs = _count(counters, "counters.epoch", steps, said("error.file.why_epoch"))
    examples = _count(counters, "counters.examples")
    cursor = _count(position, "epoch.cursor", n_train - 1, said("error.file.why_cursor", count=n_train))
    if "order" not in position:
        raise refusal("epoch.order", "error.file.order_missing")
    order = position["order"]
    if order is None:
        if cursor != 0:
            raise refusal("epoch.cursor", "error.file.cursor_between")
    else:
        session.order = _permutation(order, n_train)
        np.take(session.data.train_inputs, session.order, axis=0, out=session.epoch_inputs)
        np.take(session.data.train_targets, session.order, axis=0, out=session.epoch_targets)
    if examples != epochs * n_train + cursor:
        raise refusal("counters.examples", "error.file.examples", points=n_train, examples=epochs * n_train + cursor,
                      got=examples)
    fewest = epochs + (cursor > 0)
    if not fewest <= steps <= examples:
        raise refusal("counters.step", "error.file.steps", fewest=fewest, most=examples, got=steps)
    session.cursor = cursor
    session.steps, session.epochs, session.examples = steps, epochs, examples
    session.status = Status.PAUSED if steps else Status.IDLE


def _permutation(order: Any, n_train: int) -> np.ndarray:
    """epoch.order: the n_train training points' indices, each once, as (n_train,) int64."""
    if not isinstance(order, list) or len(order) != n_train:
        got = _entries(order) if isinstance(order, list) else show_value(order)
        raise refusal("epoch.order", "error.file.order", last=n_train - 1, got=got)
    seen = set()
    for index, value in enumerate(order):
        if type(value) is not int or not 0 <= value < n_train or value in seen:
            repeat = type(value) is int and value in seen
            got = said("error.file.repeat") if repeat else show_value(value)
            raise refusal(f"epoch.order[{index}]", "error.file.order_index", last=n_train - 1, got=got)
        seen.add(value)
    return np.array(order, dtype=np.int64)


def _restore_rng(session: TrainingSession, state: Mapping[str, Any]) -> None:
    """The point-shuffling generator: exactly the PCG64 state an export holds."""
    name = _get(state, "shuffle_rng.bit_generator", str)
    if name != "PCG64":
        raise refusal("shuffle_rng.bit_generator", "error.file.bit_generator", name="'PCG64'", got=show_value(name))
    inner = _get(state, "shuffle_rng.state", Mapping)
    words = {key: _count(inner, f"shuffle_rng.state.{key}", 2**PCG64_STATE_BITS - 1) for key in ("state", "inc")}
    has_uint32 = _count(state, "shuffle_rng.has_uint32", 1)
    uinteger = _count(state, "shuffle_rng.uinteger", 2**32 - 1)
    session.shuffle_rng.bit_generator.state = {"bit_generator": name, "state": words,
                                               "has_uint32": has_uint32, "uinteger": uinteger}
