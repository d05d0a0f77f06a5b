"""Export and import of a whole experiment as JSON: configuration, data, weights, counters.

Imports numpy, the standard library and the engine only: no web code.
An export holds everything a run needs to continue exactly where it was:
the points, the weights, the optimiser's state, the position in the current
epoch and the state of the generator that orders the points. ``restore``
validates every part and raises ``InputError`` naming the first bad one;
nothing is half-restored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from app.data.datasets import Problem
from app.data.user_data import from_rows
from app.errors import InputError
from app.nn.optim import OPTIMIZERS
from app.training.config import CUSTOM_DATASET, config_from_dict
from app.training.history import History
from app.training.session import DIVERGENCE_LIMIT, TrainingSession
from app.training.status import Status

EXPORT_FORMAT = "neuroplay-experiment"  # the "format" field every export carries
EXPORT_VERSION = 2  # bumped whenever the layout below changes (2 added "history")
READABLE_VERSIONS = (1, 2)  # versions restore() reads; a version-1 file has no history
FLOAT64_MAX = float(np.finfo(np.float64).max)  # the bound that only refuses NaN and infinity


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
    }


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    if not isinstance(data, Mapping) or name not in data:
        raise InputError(name, "is missing")
    value = data[name]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise InputError(name, f"has the wrong type ({type(value).__name__})")
    return value


def _count(data: Mapping[str, Any], name: str) -> int:
    value = _field(data, name, int)
    if value < 0:
        raise InputError(name, f"must be a whole number of at least 0, got {value}")
    return int(value)


def _array(value: Any, shape: tuple[int, ...], field: str, bound: float = DIVERGENCE_LIMIT) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(field, f"must be numbers shaped {shape}") from None
    if array.shape != shape:
        raise InputError(field, f"must have shape {shape}, got {array.shape}")
    if not np.all(np.abs(array) <= bound):  # also refuses NaN
        raise InputError(field, f"must hold finite numbers within ±{bound:g}")
    return array


def restore(document: Mapping[str, Any]) -> TrainingSession:
    """A session rebuilt from ``export``'s output; resumes paused (or idle if it never trained)."""
    if _field(document, "format", str) != EXPORT_FORMAT:
        raise InputError("format", f"must be {EXPORT_FORMAT!r}")
    version = _field(document, "version", int)
    if version not in READABLE_VERSIONS:
        raise InputError("version", f"this version of neuroplay reads versions {READABLE_VERSIONS[0]} to "
                                    f"{READABLE_VERSIONS[-1]}, got {version}")
    data = _field(document, "data", Mapping)
    problem = _field(data, "problem", str)
    classes = _field(data, "classes", int)
    dataset = from_rows(_field(data, "rows", list), problem,
                        classes if problem == Problem.MULTICLASS else None)
    config = config_from_dict(_field(document, "config", Mapping), dataset.problem)
    if config.dataset != CUSTOM_DATASET and len(dataset.labels) != config.points:
        raise InputError("data", f"holds {len(dataset.labels)} rows but the config says {config.points} points")
    session = TrainingSession(config, custom_data=dataset if config.dataset == CUSTOM_DATASET else None)
    session.replace_dataset(dataset)
    mlp = session.mlp
    for name in ("weights", "biases"):
        if len(_field(document, name, list)) != mlp.n_layers:
            raise InputError(name, f"must hold one entry per weight layer ({mlp.n_layers})")
    weights = [_array(w, W.shape, f"weights[{l}]") for l, (w, W) in
               enumerate(zip(document["weights"], mlp.weights, strict=True))]
    biases = [_array(b, B.shape, f"biases[{l}]") for l, (b, B) in
              enumerate(zip(document["biases"], mlp.biases, strict=True))]
    _restore_optimizer(session, _field(document, "optimizer", Mapping))
    _restore_position(session, document)
    if version >= 2:
        session.history = History.from_dict(_field(document, "history", Mapping), session.steps, session.epochs)
    mlp.set_parameters(weights, biases)
    return session


def _restore_optimizer(session: TrainingSession, state: Mapping[str, Any]) -> None:
    name = _field(state, "name", str)
    if name != session.config.optimizer or name not in OPTIMIZERS:
        raise InputError("optimizer", f"must be the config's optimizer {session.config.optimizer!r}")
    optimizer = session.trainer.optimizer
    n_params = session.mlp.params.size
    loaded: dict[str, object] = {"t": _count(state, "t")}
    for array_name in optimizer.state_names:
        # A velocity is a sum of gradient steps, so it obeys the weights' bound; Adam's running
        # means of g and g² only need to be finite.
        bound = DIVERGENCE_LIMIT if array_name == "velocity" else FLOAT64_MAX
        loaded[array_name] = _array(_field(state, array_name, list), (n_params,), f"optimizer.{array_name}", bound)
    optimizer.load_state(loaded)


def _restore_position(session: TrainingSession, document: Mapping[str, Any]) -> None:
    counters = _field(document, "counters", Mapping)
    steps, epochs, examples = (_count(counters, k) for k in ("step", "epoch", "examples"))
    position = _field(document, "epoch", Mapping)
    n_train = len(session.data.train_index)
    cursor = _count(position, "cursor")
    order = position.get("order")
    if order is None:
        if cursor != 0:
            raise InputError("epoch.cursor", "must be 0 between epochs")
    else:
        is_ints = isinstance(order, list) and all(type(v) is int for v in order)
        order_array = np.asarray(order if is_ints else [], dtype=np.int64)
        if order_array.shape != (n_train,) or not np.array_equal(np.sort(order_array), np.arange(n_train)):
            raise InputError("epoch.order", f"must be a permutation of the {n_train} training points")
        if cursor >= n_train:
            raise InputError("epoch.cursor", f"must be below {n_train}")
        session.order = order_array.astype(np.int64)
        np.take(session.data.train_inputs, session.order, axis=0, out=session.epoch_inputs)
        np.take(session.data.train_targets, session.order, axis=0, out=session.epoch_targets)
    rng_state = _field(document, "shuffle_rng", Mapping)
    try:
        session.shuffle_rng.bit_generator.state = dict(rng_state)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise InputError("shuffle_rng", f"is not a valid generator state ({error})") from None
    session.cursor = cursor
    session.steps, session.epochs, session.examples = steps, epochs, examples
    session.status = Status.PAUSED if steps else Status.IDLE
