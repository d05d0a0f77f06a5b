"""app.training.persistence: export → JSON → restore continues bit for bit; every kind of bad document is refused."""

import copy
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.errors import InputError
from app.i18n import localized, translate
from app.nn.optim import ADAM_MEAN_BOUND, STATE_RULES
from app.training.persistence import EXPORT_FORMAT, EXPORT_VERSION, STATE_RULE_KEYS, export, restore
from app.training.session import TrainingSession
from app.training.status import Status

Document = dict[str, Any]
TOP_LEVEL = ["format", "version", "config", "data", "weights", "biases", "optimizer", "counters", "epoch", "history",
             "shuffle_rng", "pins"]


def through_json(session: TrainingSession) -> Document:
    document: Document = json.loads(json.dumps(export(session)))
    return document


def assert_resumes_identically(session: TrainingSession, steps: int = 500) -> None:
    resumed = restore(through_json(session))
    assert resumed.config == session.config
    assert (resumed.steps, resumed.epochs, resumed.examples, resumed.cursor) == (
        session.steps, session.epochs, session.examples, session.cursor)
    assert np.array_equal(resumed.mlp.params, session.mlp.params)
    session.train(steps)
    resumed.train(steps)
    assert np.array_equal(resumed.mlp.params, session.mlp.params)
    assert (resumed.steps, resumed.examples, resumed.cursor) == (session.steps, session.examples, session.cursor)


@pytest.mark.parametrize("steps", [7, 25], ids=["mid-epoch", "between-epochs"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_a_restored_run_continues_exactly_like_the_original(make_session, optimizer: str, steps: int) -> None:
    session = make_session(optimizer=optimizer, learning_rate=0.01, regularization="l2", regularization_rate=0.001)
    session.step("batch", steps)
    assert (session.order is None) == (steps == 25)
    assert_resumes_identically(session)


@pytest.mark.parametrize(
    ("rows", "problem"),
    [([[x, y, int(x * y > 0)] for x in (-2.0, -1.0, 1.0, 2.0) for y in (-3.0, 0.5, 3.0)], "binary"),
     ([[x, y, (int(x) + 3) % 4] for x in (-3.0, -1.0, 1.0, 3.0) for y in (-1.0, 1.0)], "multiclass"),
     ([[x, y, (x + y) / 12] for x in (-5.0, 0.0, 5.0) for y in (-4.0, 4.0)], "regression")],
)
def test_custom_data_round_trips(make_session, rows: list[list[float]], problem: str) -> None:
    session = make_session(optimizer="adam", learning_rate=0.01, batch_size=3)
    session.set_custom_data(rows, problem)
    session.step("batch", 2)
    resumed = restore(through_json(session))
    np.testing.assert_array_equal(resumed.data.dataset.points, session.data.dataset.points)
    np.testing.assert_array_equal(resumed.data.dataset.labels, session.data.dataset.labels)
    assert resumed.data.dataset.n_classes == session.data.dataset.n_classes
    assert_resumes_identically(session)


def test_a_fresh_export_restores_idle_and_a_trained_one_paused(make_session) -> None:
    session = make_session()
    assert restore(through_json(session)).status == Status.IDLE
    session.step()
    session.start()
    assert restore(through_json(session)).status == Status.PAUSED


def test_the_document_names_its_format_and_version(make_session) -> None:
    document = through_json(make_session())
    assert (document["format"], document["version"]) == (EXPORT_FORMAT, EXPORT_VERSION) == ("neuroplay-experiment", 2)
    assert sorted(document) == sorted(TOP_LEVEL)


# --- refused documents -------------------------------------------------------------------------------


@pytest.fixture
def document(make_session) -> Document:
    """A mid-epoch momentum run, so every part (velocity, order, cursor) is present."""
    session = make_session(optimizer="momentum")
    session.step("batch", 7)
    return through_json(session)


def setter(path: str, value: Any) -> Callable[[Document], None]:
    """A change to the document at a dotted path such as 'epoch.order' or 'weights.0'."""
    def change(document: Document) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


def deleter(path: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for key in parents:
            node = node[key]
        del node[last]
    return change


def with_extra_layer(document: Document) -> None:
    document["weights"].append([[0.0]])
    document["biases"].append([0.0])


def shuffled_order_with_a_repeat(document: Document) -> None:
    document["epoch"]["order"][0] = document["epoch"]["order"][1]


BAD = [
    pytest.param(setter("format", "neuroplay"), "format", id="wrong-format"),
    pytest.param(setter("version", 3), "version", id="newer-version"),
    pytest.param(setter("version", "1"), "version", id="version-as-string"),
    *[pytest.param(deleter(key), key, id=f"missing-{key}") for key in TOP_LEVEL if key != "pins"],
    pytest.param(setter("pins", [{"id": 1}]), "pins[0].config", id="pin-without-settings"),
    pytest.param(deleter("counters.step"), "counters.step", id="missing-counter"),
    pytest.param(setter("counters.epoch", -1), "counters.epoch", id="negative-counter"),
    pytest.param(setter("config.learning_rate", 0.0), "config.learning_rate", id="config-out-of-range"),
    pytest.param(setter("config.hidden_layers", [4, 2, 3]), "weights", id="config-other-shape"),
    pytest.param(setter("config", []), "config", id="config-not-a-mapping"),
    pytest.param(setter("weights.0", [[0.0] * 4]), "weights[0]", id="wrong-weight-shape"),
    pytest.param(setter("biases.1", [0.0] * 3), "biases[1]", id="wrong-bias-shape"),
    pytest.param(setter("weights.1", "abc"), "weights[1]", id="weights-not-numbers"),
    pytest.param(setter("weights.0.1.2", float("nan")), "weights[0][1][2]", id="nan-weight"),
    pytest.param(setter("biases.0.0", float("inf")), "biases[0][0]", id="infinite-bias"),
    pytest.param(setter("weights.2.0.0", 1e7), "weights[2][0][0]", id="huge-weight"),
    pytest.param(lambda d: d["weights"].pop(), "weights", id="missing-weight-layer"),
    pytest.param(with_extra_layer, "weights", id="extra-weight-layer"),
    pytest.param(setter("optimizer.name", "adam"), "optimizer.name", id="other-optimizer"),
    pytest.param(setter("optimizer.velocity", [0.0] * 3), "optimizer.velocity", id="velocity-wrong-length"),
    pytest.param(setter("optimizer.velocity.0", float("nan")), "optimizer.velocity[0]", id="velocity-nan"),
    pytest.param(setter("optimizer.t", -1), "optimizer.t", id="negative-step-count"),
    pytest.param(shuffled_order_with_a_repeat, "epoch.order[1]", id="order-not-a-permutation"),
    pytest.param(setter("epoch.order", list(range(249))), "epoch.order", id="order-too-short"),
    pytest.param(setter("epoch.order", [[0, 1], [2]]), "epoch.order", id="order-ragged"),
    pytest.param(setter("epoch.order", [{}] * 250), "epoch.order[0]", id="order-of-objects"),
    pytest.param(setter("epoch.cursor", 250), "epoch.cursor", id="cursor-past-the-end"),
    pytest.param(setter("epoch.cursor", -1), "epoch.cursor", id="negative-cursor"),
    pytest.param(setter("epoch.order", None), "epoch.cursor", id="cursor-without-order"),
    pytest.param(setter("shuffle_rng.bit_generator", "MT19937"), "shuffle_rng.bit_generator", id="rng-other-generator"),
    pytest.param(deleter("shuffle_rng.state.inc"), "shuffle_rng.state.inc", id="rng-missing-part"),
    pytest.param(setter("shuffle_rng.state.state", -1), "shuffle_rng.state.state", id="rng-negative-state"),
    pytest.param(setter("shuffle_rng.state.state", 2**200), "shuffle_rng.state.state", id="rng-state-too-large"),
    pytest.param(setter("shuffle_rng", [1, 2]), "shuffle_rng", id="rng-not-a-mapping"),
    pytest.param(lambda d: d["data"]["rows"].pop(), "data.rows", id="fewer-rows-than-points"),
    pytest.param(setter("data.rows.0", [0.0, 0.0]), "data.rows", id="short-row"),
    pytest.param(setter("data.rows.3.2", 2.0), "data.rows", id="label-out-of-range"),
    pytest.param(setter("data.rows.0.0", 7.0), "data.rows", id="point-off-the-plane"),
    pytest.param(setter("data.problem", "regression"), "data.problem", id="rows-of-another-problem"),
    pytest.param(setter("data.problem", "ranking"), "data.problem", id="unknown-problem"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_a_bad_document_is_refused_naming_the_field(document: Document, change: Callable[[Document], None],
                                                    field: str) -> None:
    bad = copy.deepcopy(document)
    change(bad)
    with pytest.raises(InputError) as refused:
        restore(bad)
    assert refused.value.field == field


@pytest.mark.parametrize("not_a_document", [None, [], "neuroplay-experiment", 3])
def test_something_that_is_not_a_document_is_refused(not_a_document: Any) -> None:
    with pytest.raises(InputError) as refused:
        restore(not_a_document)
    assert refused.value.field == "format"


# --- documents the engine could not use: huge numbers, impossible optimiser states, contradicting counters -----

HUGE = 10**400  # a JSON integer no float can hold: float() of it raises OverflowError


@pytest.fixture
def adam_document(make_session) -> Document:
    """A mid-epoch Adam run: mean and square_mean are non-zero."""
    session = make_session(optimizer="adam", learning_rate=0.01)
    session.step("batch", 7)
    return through_json(session)


UNUSABLE = [
    pytest.param(setter("weights.0.1.2", HUGE), "weights[0][1][2]", id="huge-int-weight"),
    pytest.param(setter("weights.0.1.2", "0.5"), "weights[0][1][2]", id="weight-as-string"),
    pytest.param(setter("biases.0.0", True), "biases[0][0]", id="bias-as-bool"),
    pytest.param(setter("data.rows.0.0", HUGE), "data.rows", id="huge-int-coordinate"),
    pytest.param(setter("data.rows.0.2", -HUGE), "data.rows", id="huge-int-label"),
    pytest.param(setter("data.classes", HUGE), "data.classes", id="huge-int-classes"),
    pytest.param(setter("data.classes", 3), "data.classes", id="classes-not-the-rows"),
    pytest.param(setter("config.noise", HUGE), "config.noise", id="huge-int-setting"),
    pytest.param(setter("config.hidden_layers", [4, HUGE]), "config.hidden_layers", id="huge-int-layer"),
    pytest.param(setter("optimizer.velocity.3", HUGE), "optimizer.velocity[3]", id="huge-int-velocity"),
    pytest.param(setter("optimizer.t", HUGE), "optimizer.t", id="huge-step-count"),
    pytest.param(setter("optimizer.t", 8), "optimizer.t", id="more-optimizer-steps-than-steps"),
    pytest.param(setter("epoch.order.0", 2**63), "epoch.order[0]", id="order-entry-past-int64"),
    pytest.param(setter("epoch.order.5", 250), "epoch.order[5]", id="order-entry-past-the-points"),
    pytest.param(setter("epoch.order.5", 1.0), "epoch.order[5]", id="order-entry-a-float"),
    pytest.param(setter("epoch.cursor", HUGE), "epoch.cursor", id="huge-cursor"),
    pytest.param(setter("counters.step", HUGE), "counters.step", id="huge-counter"),
    pytest.param(setter("counters.step", 2**53), "counters.step", id="counter-past-safe-integers"),
    pytest.param(setter("counters.epoch", 8), "counters.epoch", id="more-epochs-than-steps"),
    pytest.param(setter("counters.examples", 71), "counters.examples", id="examples-not-epochs-and-cursor"),
    pytest.param(setter("counters.step", 0), "counters.step", id="a-begun-epoch-with-no-step"),
    pytest.param(setter("counters.step", 71), "counters.step", id="more-steps-than-examples"),
    pytest.param(setter("shuffle_rng.has_uint32", 2**70), "shuffle_rng.has_uint32", id="huge-rng-flag"),
    pytest.param(setter("shuffle_rng.state.inc", 0.5), "shuffle_rng.state.inc", id="rng-word-a-float"),
    pytest.param(deleter("epoch.order"), "epoch.order", id="missing-order"),
]


@pytest.mark.parametrize(("change", "field"), UNUSABLE)
def test_a_document_the_engine_could_not_use_is_refused_naming_its_field(
        document: Document, change: Callable[[Document], None], field: str) -> None:
    bad = copy.deepcopy(document)
    change(bad)
    with pytest.raises(InputError) as refused:
        restore(bad)
    assert refused.value.field == field
    assert_plain(refused.value.message)


ADAM_UNUSABLE = [
    pytest.param(setter("optimizer.square_mean.3", -1e-6), "optimizer.square_mean[3]", id="negative-second-moment"),
    pytest.param(setter("optimizer.mean.2", 1e3), "optimizer.mean[2]", id="mean-no-gradient-gives"),
    pytest.param(setter("optimizer.t", HUGE), "optimizer.t", id="huge-adam-step"),
    pytest.param(lambda d: (setter("optimizer.t", 0)(d), setter("counters.step", 7)(d)), "optimizer.mean[0]",
                 id="state-before-the-first-step"),
]


@pytest.mark.parametrize(("change", "field"), ADAM_UNUSABLE)
def test_an_adam_state_no_run_reaches_is_refused(adam_document: Document, change: Callable[[Document], None],
                                                 field: str) -> None:
    bad = copy.deepcopy(adam_document)
    change(bad)
    with pytest.raises(InputError) as refused:
        restore(bad)
    assert refused.value.field == field
    assert_plain(refused.value.message)


def test_an_adam_document_within_the_bounds_trains_on(adam_document: Document) -> None:
    session = restore(adam_document)
    assert session.train(50) == 50 and session.status == Status.PAUSED


@pytest.mark.parametrize(("change", "field"), [*BAD, *UNUSABLE])
def test_refusals_are_one_plain_line(document: Document, change: Callable[[Document], None], field: str) -> None:
    bad = copy.deepcopy(document)
    change(bad)
    with pytest.raises(InputError) as refused:
        restore(bad)
    assert_plain(refused.value.message)


def assert_plain(message: str) -> None:
    """One short line of plain words and numbers: no numpy reprs, no 400-digit numbers."""
    assert "\n" not in message and len(message) < 200, message
    assert "np." not in message and "array(" not in message and "dtype" not in message, message


# --- every refusal is worded from the catalogue, so the page can show it in the learner's language -------


@pytest.fixture
def pinned_document(make_session) -> Document:
    """A run with two pinned cost curves (a history needs two recorded snapshots)."""
    session = make_session()
    for _ in range(2):
        session.step("epoch", 1)
        session.snapshot(8, 4)
    for _ in range(2):
        session.pins.pin(session.config.to_dict(), session.history)
    return through_json(session)


def pin_setter(field: str, value: Any) -> Callable[[Document], None]:
    return lambda document: document["pins"][0].__setitem__(field, value)


BAD_PINS = [
    pytest.param(lambda d: d.__setitem__("pins", d["pins"] * 3), "pins", "error.pins.list", id="too-many"),
    pytest.param(lambda d: d.__setitem__("pins", {}), "pins", "error.pins.list", id="not-a-list"),
    pytest.param(pin_setter("id", 2), "pins", "error.pins.unique", id="same-id-twice"),
    pytest.param(lambda d: d["pins"].__setitem__(0, 3), "pins[0]", "error.file.object", id="not-an-object"),
    pytest.param(pin_setter("id", 0), "pins[0].id", "error.pins.id_range", id="id-zero"),
    pytest.param(pin_setter("config", []), "pins[0].config", "error.pins.config", id="config-not-an-object"),
    pytest.param(pin_setter("step", [1]), "pins[0].step", "error.pins.points", id="one-step"),
    pytest.param(pin_setter("epoch", "x"), "pins[0].epoch", "error.pins.points", id="epochs-not-a-list"),
    pytest.param(lambda d: d["pins"][0]["step"].__setitem__(1, 0), "pins[0].step", "error.pins.rise", id="falling"),
    pytest.param(lambda d: d["pins"][0]["test_cost"].pop(), "pins[0].test_cost", "error.file.figures", id="short"),
]


@pytest.mark.parametrize(("change", "field", "key"), BAD_PINS)
def test_a_bad_pin_is_refused_naming_its_field_and_key(pinned_document: Document, change: Callable[[Document], None],
                                                       field: str, key: str) -> None:
    refused = refusal_of(pinned_document, change)
    assert (refused.field, refused.key) == (field, key)
    assert_worded_from_the_catalogue(refused)


@pytest.mark.parametrize(("change", "field"), [*BAD, *UNUSABLE])
def test_every_refusal_of_a_document_is_worded_from_the_catalogue(
        document: Document, change: Callable[[Document], None], field: str) -> None:
    assert_worded_from_the_catalogue(refusal_of(document, change))


@pytest.mark.parametrize(("change", "field"), ADAM_UNUSABLE)
def test_every_refusal_of_an_adam_state_is_worded_from_the_catalogue(
        adam_document: Document, change: Callable[[Document], None], field: str) -> None:
    assert_worded_from_the_catalogue(refusal_of(adam_document, change))


def refusal_of(document: Document, change: Callable[[Document], None]) -> InputError:
    """What restoring a copy of ``document`` changed by ``change`` raises."""
    bad = copy.deepcopy(document)
    change(bad)
    with pytest.raises(InputError) as refused:
        restore(bad)
    return refused.value


def assert_worded_from_the_catalogue(error: InputError) -> None:
    """The refusal names its key; its English message is that key's text; German and Spanish word it too."""
    assert error.key is not None, error
    assert error.message == translate("en", error.key, **error.params)
    assert localized(error, "de") != error.message and localized(error, "es") != error.message


def test_an_optimiser_state_refusal_words_its_bound_in_the_language(adam_document: Document) -> None:
    bad = copy.deepcopy(adam_document)
    bad["optimizer"]["mean"][2] = 1000.5
    with pytest.raises(InputError) as refused:
        restore(bad)
    error = refused.value
    assert (error.field, error.key, error.params) == ("optimizer.mean[2]", "error.file.state_mean",
                                                      {"bound": ADAM_MEAN_BOUND, "got": "1000.5"})
    assert error.message == "must be within ±7.27 × √square_mean (what gradients can give), got 1000.5"
    assert localized(error, "de") == ("muss innerhalb von ±7,27 × √square_mean liegen (mehr können Gradienten "
                                      "nicht ergeben), nicht 1000.5")  # the bound in German; the value as sent


def test_every_rule_an_optimiser_state_can_break_has_a_catalogue_text() -> None:
    assert sorted(STATE_RULE_KEYS) == sorted(STATE_RULES)
    assert all(translate("en", key, bound=ADAM_MEAN_BOUND, got="1") for key in STATE_RULE_KEYS.values())
