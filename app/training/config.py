"""The experiment configuration: every setting a learner can change.

Imports the standard library and the engine's registries only: no web code,
no pydantic. Each setting is declared once in ``FIELDS`` with its limits,
default and a one-line help text; validation, the defaults and the option
lists the page shows all come from that table.

The defaults reproduce TensorFlow Playground's opening state: circle, inputs
x1 and x2, hidden layers 4-2, tanh, learning rate 0.03, batch 10, half the
points for training, no noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app.data.datasets import (
    DATASETS,
    MAX_CLASSES,
    MAX_NOISE,
    MAX_POINTS,
    MIN_CLASSES,
    MIN_POINTS,
    Problem,
    in_range,
    show_value,
)
from app.data.features import FEATURES
from app.errors import InputError
from app.i18n import refused
from app.nn.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from app.nn.initializers import INITIALIZERS
from app.nn.losses import LOSSES
from app.nn.optim import OPTIMIZERS
from app.nn.regularization import REGULARIZERS

CUSTOM_DATASET = "custom"  # the dataset name of user-supplied points
MAX_SEED = 2**31 - 1  # seeds are non-negative 31-bit integers, safe in JSON and JS
MAX_HIDDEN_LAYERS = 8  # hidden layers allowed
MAX_NEURONS = 16  # neurons allowed in one hidden layer
MIN_LEARNING_RATE, MAX_LEARNING_RATE = 1e-5, 10.0  # beyond 10 every run diverges at once
MAX_REGULARIZATION_RATE = 10.0  # a penalty rate above this swamps any data cost

# Output activation and cost each problem allows; the first is the default.
PROBLEM_OUTPUTS: dict[Problem, tuple[str, ...]] = {
    Problem.BINARY: ("tanh", "sigmoid"),
    Problem.MULTICLASS: ("softmax",),
    Problem.REGRESSION: ("linear", "tanh"),
}
PROBLEM_COSTS: dict[Problem, tuple[str, ...]] = {
    Problem.BINARY: ("mse", "bce"),
    Problem.MULTICLASS: ("cce", "mse"),
    Problem.REGRESSION: ("mse",),
}


class ConfigError(InputError):
    """A setting was refused; ``field`` names it and ``message`` says what is allowed."""


@dataclass(frozen=True)
class FieldSpec:
    """One setting: kind is int, float, choice, choice_list, int_list or choice_or_null_list."""

    name: str
    label: str
    help: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    min_length: int = 0
    max_length: int = 0

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for the page's controls (no empty or inapplicable entries)."""
        described = {k: v for k, v in asdict(self).items() if v is not None and v != ()}
        if not self.kind.endswith("_list"):
            del described["min_length"], described["max_length"]
        return described


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("dataset", "Dataset", "Which points to learn; the problem type follows from it.",
                  "choice", "circle", choices=(*DATASETS, CUSTOM_DATASET)),
        FieldSpec("classes", "Classes", "Number of classes in a multi-class dataset.",
                  "int", MIN_CLASSES, MIN_CLASSES, MAX_CLASSES),
        FieldSpec("noise", "Noise (%)", "How much the points are jittered away from the clean pattern.",
                  "int", 0, 0, round(MAX_NOISE * 100)),
        FieldSpec("train_percent", "Training data (%)", "Share of the points used for training; the rest test.",
                  "int", 50, 10, 90),
        FieldSpec("points", "Points", "How many points the dataset has.",
                  "int", 500, MIN_POINTS, MAX_POINTS),
        FieldSpec("data_seed", "Data seed", "Same seed, same points.", "int", 0, 0, MAX_SEED),
        FieldSpec("features", "Features", "Which functions of the two coordinates feed the input layer.",
                  "choice_list", ("x1", "x2"), choices=tuple(FEATURES), min_length=1, max_length=len(FEATURES)),
        FieldSpec("hidden_layers", "Hidden layers", "Neurons in each hidden layer.",
                  "int_list", (4, 2), 1, MAX_NEURONS, max_length=MAX_HIDDEN_LAYERS),
        FieldSpec("activation", "Activation", "The function each hidden neuron applies to its weighted sum.",
                  "choice", "tanh", choices=HIDDEN_ACTIVATIONS),
        FieldSpec("layer_activations", "Per-layer activation",
                  "Overrides the activation of single hidden layers (null keeps the shared one).",
                  "choice_or_null_list", (), choices=HIDDEN_ACTIVATIONS, max_length=MAX_HIDDEN_LAYERS),
        FieldSpec("output_activation", "Output activation", "The output neurons' function.",
                  "choice", "tanh", choices=OUTPUT_ACTIVATIONS),
        FieldSpec("cost", "Cost", "How wrong the output is, averaged over the points.",
                  "choice", "mse", choices=tuple(LOSSES)),
        FieldSpec("init", "Initialisation", "How the starting weights are drawn.",
                  "choice", "xavier", choices=tuple(INITIALIZERS)),
        FieldSpec("optimizer", "Optimizer", "How a gradient becomes a change of the weights.",
                  "choice", "sgd", choices=tuple(OPTIMIZERS)),
        FieldSpec("learning_rate", "Learning rate", "How big a step each update takes.",
                  "float", 0.03, MIN_LEARNING_RATE, MAX_LEARNING_RATE),
        FieldSpec("regularization", "Regularization", "A penalty on large weights, added to the gradient.",
                  "choice", "none", choices=tuple(REGULARIZERS)),
        FieldSpec("regularization_rate", "Regularization rate", "How strongly large weights are penalised.",
                  "float", 0.0, 0.0, MAX_REGULARIZATION_RATE),
        FieldSpec("batch_size", "Batch size", "Points per gradient step (capped at the training set).",
                  "int", 10, 1, MAX_POINTS),
        FieldSpec("seed", "Weight seed", "Same seed, same starting weights and point order.", "int", 0, 0, MAX_SEED),
    )
}

# Which part of a session a change invalidates.
DATA_FIELDS = frozenset({"dataset", "classes", "noise", "train_percent", "points", "data_seed"})
NETWORK_FIELDS = frozenset(
    {"features", "hidden_layers", "activation", "layer_activations", "output_activation", "init", "seed"}
)


@dataclass(frozen=True)
class ExperimentConfig:
    """Every learner-facing setting of a run. Build changed copies with ``apply_changes``."""

    dataset: str = FIELDS["dataset"].default
    classes: int = FIELDS["classes"].default
    noise: int = FIELDS["noise"].default
    train_percent: int = FIELDS["train_percent"].default
    points: int = FIELDS["points"].default
    data_seed: int = FIELDS["data_seed"].default
    features: tuple[str, ...] = FIELDS["features"].default
    hidden_layers: tuple[int, ...] = FIELDS["hidden_layers"].default
    activation: str = FIELDS["activation"].default
    layer_activations: tuple[str | None, ...] = field(default=FIELDS["layer_activations"].default)
    output_activation: str = FIELDS["output_activation"].default
    cost: str = FIELDS["cost"].default
    init: str = FIELDS["init"].default
    optimizer: str = FIELDS["optimizer"].default
    learning_rate: float = FIELDS["learning_rate"].default
    regularization: str = FIELDS["regularization"].default
    regularization_rate: float = FIELDS["regularization_rate"].default
    batch_size: int = FIELDS["batch_size"].default
    seed: int = FIELDS["seed"].default

    def hidden_activations(self) -> tuple[str, ...]:
        """The activation of each hidden layer, overrides applied."""
        overrides = self.layer_activations or (None,) * len(self.hidden_layers)
        return tuple(o or self.activation for o in overrides)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: tuples become lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _number(spec: FieldSpec, value: object, integer: bool) -> int | float:
    key = "error.config.whole_number_range" if integer else "error.config.number_range"
    assert spec.minimum is not None and spec.maximum is not None  # every numeric spec has both
    refusal = refused(ConfigError, spec.name, key, min=spec.minimum, max=spec.maximum, got=show_value(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refusal
    # The range check comes first and compares exactly: float() of a huge int raises OverflowError.
    if not in_range(value, spec.minimum, spec.maximum) or integer and value != int(value):
        raise refusal
    return int(value) if integer else float(value)


def _fmt(value: float | None) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"  # 2147483647, not 2.14748e+09


def _choice(spec: FieldSpec, value: object, name: str | None = None) -> str:
    if not isinstance(value, str) or value not in spec.choices:
        raise refused(ConfigError, name or spec.name, "error.one_of", allowed=", ".join(spec.choices),
                      got=show_value(value))
    return value


def _sequence(spec: FieldSpec, value: object) -> Sequence[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise refused(ConfigError, spec.name, "error.config.list", got=show_value(value))
    if not spec.min_length <= len(value) <= spec.max_length:
        raise refused(ConfigError, spec.name, "error.config.entries", min=spec.min_length, max=spec.max_length,
                      got=len(value))
    return value


def coerce(name: str, value: object) -> Any:
    """Validate one setting against its spec; returns it in canonical form or raises ConfigError."""
    spec = FIELDS.get(name)
    if spec is None:
        raise refused(ConfigError, name, "error.config.unknown", known=", ".join(FIELDS))
    if spec.kind in ("int", "float"):
        return _number(spec, value, spec.kind == "int")
    if spec.kind == "choice":
        return _choice(spec, value)
    items = _sequence(spec, value)
    if spec.kind == "int_list":
        element = replace(spec, kind="int")
        return tuple(_number(element, v, True) for v in items)
    if spec.kind == "choice_or_null_list":
        return tuple(None if v is None else _choice(spec, v) for v in items)
    names = tuple(_choice(spec, v) for v in items)
    if len(set(names)) != len(names):
        raise refused(ConfigError, name, "error.config.twice")
    return tuple(n for n in spec.choices if n in names)  # canonical order


def apply_changes(
    config: ExperimentConfig, changes: Mapping[str, object], custom_problem: Problem | None = None
) -> ExperimentConfig:
    """A copy of ``config`` with ``changes`` applied, or ConfigError with nothing applied.

    Settings that depend on a changed one follow it unless the change names
    them too: a new problem type brings its default output activation and
    cost, and a new layer count resizes the per-layer activations.
    """
    values = {name: coerce(name, value) for name, value in changes.items()}
    new = replace(config, **values)
    old_problem = problem_of(config, custom_problem)
    problem = problem_of(new, custom_problem)
    if problem != old_problem:
        if "output_activation" not in values:
            new = replace(new, output_activation=PROBLEM_OUTPUTS[problem][0])
        if "cost" not in values:
            new = replace(new, cost=PROBLEM_COSTS[problem][0])
    if "hidden_layers" in values and "layer_activations" not in values and new.layer_activations:
        width = len(new.hidden_layers)
        new = replace(new, layer_activations=(new.layer_activations + (None,) * width)[:width])
    check_consistent(new, custom_problem)
    return new


def problem_of(config: ExperimentConfig, custom_problem: Problem | None) -> Problem:
    """The problem type a configuration's dataset poses."""
    if config.dataset == CUSTOM_DATASET:
        if custom_problem is None:
            raise refused(ConfigError, "dataset", "error.config.custom_first")
        return custom_problem
    return DATASETS[config.dataset].problem


def check_consistent(config: ExperimentConfig, custom_problem: Problem | None) -> None:
    """Cross-setting rules; raises ConfigError naming the setting to change."""
    problem = problem_of(config, custom_problem)
    outputs, costs = PROBLEM_OUTPUTS[problem], PROBLEM_COSTS[problem]
    if config.output_activation not in outputs:
        raise refused(ConfigError, "output_activation", "error.config.problem_needs",
                      problem=say_problem(problem), allowed=", ".join(outputs),
                      got=show_value(config.output_activation))
    if config.cost not in costs:
        raise refused(ConfigError, "cost", "error.config.problem_needs", problem=say_problem(problem),
                      allowed=", ".join(costs), got=show_value(config.cost))
    if config.cost not in LOSSES or config.output_activation not in LOSSES[config.cost].output_activations:
        allowed = LOSSES[config.cost].output_activations
        raise refused(ConfigError, "cost", "error.config.cost_needs", cost=repr(config.cost),
                      allowed=", ".join(allowed))
    if config.layer_activations and len(config.layer_activations) != len(config.hidden_layers):
        raise refused(ConfigError, "layer_activations", "error.config.per_layer", count=len(config.hidden_layers),
                      got=len(config.layer_activations))


def say_problem(problem: Problem) -> dict[str, Any]:
    """A problem type's name as a catalogue text (an argument of a refusal)."""
    return {"key": f"problem_name.{problem.value}", "args": {}}


def config_from_dict(data: Mapping[str, object], custom_problem: Problem | None = None) -> ExperimentConfig:
    """Build a configuration from a complete or partial mapping (missing keys take defaults)."""
    return apply_changes(ExperimentConfig(), data, custom_problem)
