"""app.training.config: Playground's defaults, every field's limits, dependent defaults, all-or-nothing changes."""

import math
from dataclasses import fields
from decimal import Decimal
from typing import Any

import pytest

from app.data.datasets import Problem
from app.data.features import FEATURES
from app.errors import InputError
from app.training.config import (
    FIELDS,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    ConfigError,
    ExperimentConfig,
    apply_changes,
    coerce,
    config_from_dict,
)

NUMERIC = [name for name, spec in FIELDS.items() if spec.kind in ("int", "float")]
CHOICES = [name for name, spec in FIELDS.items() if spec.kind == "choice"]


def _fmt(value: float | None) -> str:
    # Whole limits in full (2147483647), others as a learner types them (0.00001, not 1e-05).
    if isinstance(value, int) or value is None or float(value).is_integer():
        return str(value if value is None else int(value))
    return format(Decimal(f"{value:.3g}"), "f")


def bad_values() -> list[Any]:
    """(field, refused value, a fragment the message must hold) for every field's every limit."""
    cases: list[Any] = []
    for name in NUMERIC:
        spec = FIELDS[name]
        low, high = spec.minimum, spec.maximum
        assert low is not None and high is not None
        allowed = f"from {_fmt(low)} to {_fmt(high)}"
        below = low - 1 if spec.kind == "int" else (low / 10 if low > 0 else -0.001)
        for label, value in [("below", below), ("above", high + 1 if spec.kind == "int" else high * 1.01),
                             ("string", str(spec.default)), ("bool", True), ("nan", math.nan),
                             ("inf", math.inf), ("none", None), ("list", [spec.default])]:
            cases.append(pytest.param(name, value, allowed, id=f"{name}-{label}"))
        if spec.kind == "int":
            cases.append(pytest.param(name, low + 0.5, allowed, id=f"{name}-fraction"))
    for name in CHOICES:
        listed = ", ".join(FIELDS[name].choices)
        for label, value in [("unknown", "zzz"), ("number", 3), ("bool", False), ("none", None),
                             ("case", FIELDS[name].choices[0].upper())]:
            cases.append(pytest.param(name, value, listed, id=f"{name}-{label}"))
    every_feature = list(FEATURES)
    hidden_range = f"from 1 to {MAX_NEURONS}"
    cases += [
        pytest.param("features", [], "1 to 9 entries", id="features-empty"),
        pytest.param("features", [*every_feature, "x1"], "1 to 9 entries", id="features-too-long"),
        pytest.param("features", ["x1", "x2", "x1"], "twice", id="features-duplicate"),
        pytest.param("features", ["x1", "x3"], ", ".join(FEATURES), id="features-unknown"),
        pytest.param("features", "x1", "must be a list", id="features-string"),
        pytest.param("features", [1], ", ".join(FEATURES), id="features-number"),
        pytest.param("hidden_layers", [4, 17], hidden_range, id="hidden_layers-17-neurons"),
        pytest.param("hidden_layers", [0], hidden_range, id="hidden_layers-0-neurons"),
        pytest.param("hidden_layers", [4, 2.5], hidden_range, id="hidden_layers-fraction"),
        pytest.param("hidden_layers", [True], hidden_range, id="hidden_layers-bool"),
        pytest.param("hidden_layers", [2] * (MAX_HIDDEN_LAYERS + 1), "0 to 8 entries", id="hidden_layers-9-layers"),
        pytest.param("hidden_layers", 4, "must be a list", id="hidden_layers-number"),
        pytest.param("layer_activations", ["relu"] * 9, "0 to 8 entries", id="layer_activations-too-long"),
        pytest.param("layer_activations", ["softmax"], "linear, relu, leaky_relu, tanh, sigmoid",
                     id="layer_activations-softmax"),
        pytest.param("layer_activations", "relu", "must be a list", id="layer_activations-string"),
    ]
    return cases


# --- defaults ------------------------------------------------------------------------------------------


def test_defaults_reproduce_tensorflow_playgrounds_opening_state() -> None:
    config = ExperimentConfig()
    assert (config.dataset, config.features, config.hidden_layers, config.activation) == (
        "circle", ("x1", "x2"), (4, 2), "tanh")
    assert (config.learning_rate, config.batch_size, config.train_percent, config.noise) == (0.03, 10, 50, 0)
    assert (config.output_activation, config.cost, config.optimizer, config.regularization) == (
        "tanh", "mse", "sgd", "none")
    assert config.hidden_activations() == ("tanh", "tanh")


def test_every_field_is_declared_once_with_its_default_and_help() -> None:
    assert list(FIELDS) == [f.name for f in fields(ExperimentConfig)]
    for name, spec in FIELDS.items():
        assert getattr(ExperimentConfig(), name) == spec.default
        assert spec.label and spec.help
        assert coerce(name, spec.default) == spec.default  # every default passes its own check


def test_to_dict_is_json_ready() -> None:
    data = ExperimentConfig().to_dict()
    assert data["features"] == ["x1", "x2"] and data["hidden_layers"] == [4, 2]
    assert config_from_dict(data) == ExperimentConfig()


@pytest.mark.parametrize("name", NUMERIC)
def test_describe_gives_every_numeric_field_its_minimum_and_maximum(name: str) -> None:
    description = FIELDS[name].describe()
    assert (description.get("minimum"), description.get("maximum")) == (FIELDS[name].minimum, FIELDS[name].maximum)


# --- limits of each field ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "value", "allowed"), bad_values())
def test_a_value_outside_the_fields_limits_is_refused_naming_field_and_range(name: str, value: Any,
                                                                             allowed: str) -> None:
    with pytest.raises(ConfigError) as refused:
        apply_changes(ExperimentConfig(), {name: value})
    assert refused.value.field == name
    assert allowed in refused.value.message
    assert isinstance(refused.value, InputError) and str(refused.value).startswith(f"{name}: ")


@pytest.mark.parametrize("name", NUMERIC)
def test_both_ends_of_a_numeric_range_are_accepted(name: str) -> None:
    spec = FIELDS[name]
    for value in (spec.minimum, spec.maximum):
        assert coerce(name, value) == value


def test_whole_floats_become_ints_and_features_take_canonical_order() -> None:
    assert coerce("points", 100.0) == 100 and isinstance(coerce("points", 100.0), int)
    assert coerce("learning_rate", 1) == 1.0 and isinstance(coerce("learning_rate", 1), float)
    assert coerce("features", ["sin_x1", "x2", "x1"]) == ("x1", "x2", "sin_x1")
    assert coerce("hidden_layers", []) == () and coerce("hidden_layers", [16] * 8) == (16,) * 8


def test_an_unknown_setting_is_refused_by_name() -> None:
    with pytest.raises(ConfigError) as refused:
        apply_changes(ExperimentConfig(), {"momentum": 0.9})
    assert refused.value.field == "momentum" and "unknown setting" in refused.value.message


# --- dependent defaults and consistency --------------------------------------------------------------


@pytest.mark.parametrize(
    ("dataset", "output", "cost"),
    [("blobs", "softmax", "cce"), ("spiral_arms", "softmax", "cce"), ("plane", "linear", "mse"),
     ("multi_gauss", "linear", "mse"), ("xor", "tanh", "mse")],
)
def test_switching_dataset_brings_the_problems_default_output_and_cost(dataset: str, output: str, cost: str
                                                                      ) -> None:
    start = config_from_dict({"dataset": "moons", "output_activation": "sigmoid", "cost": "bce"})
    new = apply_changes(start, {"dataset": dataset})
    expected = ("sigmoid", "bce") if dataset == "xor" else (output, cost)  # same problem: choices stay
    assert (new.output_activation, new.cost) == expected


def test_an_explicit_compatible_output_and_cost_win_over_the_defaults() -> None:
    new = apply_changes(ExperimentConfig(), {"dataset": "blobs", "cost": "mse"})
    assert (new.output_activation, new.cost) == ("softmax", "mse")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dataset": "blobs", "output_activation": "tanh"}, "output_activation"),
        ({"dataset": "plane", "cost": "bce"}, "cost"),
        ({"output_activation": "softmax"}, "output_activation"),
        ({"output_activation": "linear"}, "output_activation"),
        ({"cost": "cce"}, "cost"),
        ({"dataset": "plane", "output_activation": "sigmoid"}, "output_activation"),
        ({"layer_activations": ["relu"]}, "layer_activations"),
        ({"dataset": "custom"}, "dataset"),
    ],
)
def test_conflicting_settings_are_refused_naming_the_one_to_change(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as refused:
        apply_changes(ExperimentConfig(), changes)
    assert refused.value.field == field


def test_custom_dataset_takes_the_custom_points_problem() -> None:
    new = apply_changes(ExperimentConfig(), {"dataset": "custom"}, Problem.REGRESSION)
    assert (new.output_activation, new.cost) == ("linear", "mse")


def test_changing_the_layer_count_resizes_the_per_layer_activations() -> None:
    start = config_from_dict({"hidden_layers": [4, 2], "layer_activations": ["relu", None]})
    assert start.hidden_activations() == ("relu", "tanh")
    grown = apply_changes(start, {"hidden_layers": [4, 2, 3], "activation": "sigmoid"})
    assert grown.layer_activations == ("relu", None, None)
    assert grown.hidden_activations() == ("relu", "sigmoid", "sigmoid")
    assert apply_changes(start, {"hidden_layers": [5]}).layer_activations == ("relu",)


def test_nothing_half_applies() -> None:
    start = ExperimentConfig()
    with pytest.raises(ConfigError) as refused:
        apply_changes(start, {"learning_rate": 0.1, "dataset": "blobs", "points": 5})
    assert refused.value.field == "points"
    assert start == ExperimentConfig()  # frozen: the original is never touched, and no copy escaped


HUGE = 10**400  # a JSON integer no float can hold: math.isfinite and float() raise OverflowError on it


@pytest.mark.parametrize("name", NUMERIC)
@pytest.mark.parametrize("value", [HUGE, -HUGE], ids=["huge", "huge-negative"])
def test_an_integer_too_large_for_a_float_gets_the_ordinary_range_refusal(name: str, value: int) -> None:
    spec = FIELDS[name]
    with pytest.raises(ConfigError) as refused:
        coerce(name, value)
    assert refused.value.field == name
    assert f"from {_fmt(spec.minimum)} to {_fmt(spec.maximum)}" in refused.value.message
    assert "integer of 401 digits" in refused.value.message and len(refused.value.message) < 120


def test_a_huge_hidden_layer_width_is_refused_naming_hidden_layers() -> None:
    with pytest.raises(ConfigError) as refused:
        apply_changes(ExperimentConfig(), {"hidden_layers": [4, HUGE]})
    assert refused.value.field == "hidden_layers" and "from 1 to 16" in refused.value.message
