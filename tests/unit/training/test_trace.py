"""app.training.trace: one sample's arithmetic is self-consistent and its error terms are the batch-of-one gradient."""

from typing import Any

import numpy as np
import pytest

from app.errors import InputError
from app.nn.activations import apply
from app.training.digits import shown
from app.training.session import TrainingSession
from app.training.trace import trace


@pytest.fixture
def session(make_session) -> TrainingSession:
    session = make_session(features=["x1", "x2", "x1_sq"], hidden_layers=[4, 3],
                           layer_activations=["relu", "sigmoid"])
    session.step("batch", 30)
    return session


def every_neuron(session: TrainingSession) -> list[tuple[int, int]]:
    return [(layer, i) for layer in range(1, len(session.mlp.sizes)) for i in range(session.mlp.sizes[layer])]


@pytest.mark.parametrize(("part", "index"), [("train", 0), ("train", 249), ("test", 7)])
def test_each_neurons_numbers_add_up(session: TrainingSession, part: str, index: int) -> None:
    sample = trace(session, part, index)
    for layer, i in every_neuron(session):
        numbers = sample.neuron(session, layer, i)
        inputs, weights = np.array(numbers["inputs"]), np.array(numbers["weights"])
        np.testing.assert_allclose(numbers["products"], inputs * weights, rtol=1e-15)
        assert numbers["weighted_sum"] == pytest.approx(sum(numbers["products"]), rel=1e-12, abs=1e-15)
        assert numbers["z"] == pytest.approx(numbers["weighted_sum"] + numbers["bias"], rel=1e-12, abs=1e-15)
        a = apply(numbers["activation"], np.array([[numbers["z"]]]))[0, 0]
        assert numbers["a"] == pytest.approx(a, rel=1e-12, abs=1e-15)
        assert numbers["activation"] == session.mlp.activations[layer - 1]


def test_the_inputs_are_the_points_features(session: TrainingSession) -> None:
    sample = trace(session, "test", 3)
    x1, x2 = session.data.dataset.points[session.data.test_index[3]]
    assert sample.point == (x1, x2)
    np.testing.assert_allclose(sample.A[0], [x1, x2, x1 * x1])
    assert sample.neuron(session, 1, 0)["inputs"] == pytest.approx([x1, x2, x1 * x1])


def test_a_labelled_points_delta_is_the_gradient_of_its_own_cost(session: TrainingSession, numerical_gradient,
                                                                  assert_gradients_match) -> None:
    sample = trace(session, "train", 11)
    X = session.data.train_inputs[11:12, :-1].copy()
    T = session.data.train_targets[11:12]
    cost_of_this_point = lambda _: session.mlp.cost(X, T, session.config.cost)  # noqa: E731
    assert sample.delta is not None and sample.cost == pytest.approx(cost_of_this_point(None), rel=1e-12)
    assert all(np.abs(z).min() > 1e-4 for z in sample.Z[1:])  # clear of relu's kink
    # for a single point, dC/db of a neuron is its dC/dz
    for layer in range(1, len(session.mlp.sizes)):
        assert_gradients_match(sample.delta[layer], numerical_gradient(cost_of_this_point,
                                                                       session.mlp.biases[layer - 1]))
        assert sample.neuron(session, layer, 0)["delta"] == sample.delta[layer][0]
    assert_gradients_match(sample.delta[0], numerical_gradient(
        lambda x: session.mlp.cost(x.reshape(1, -1), T, session.config.cost), X[0]))
    np.testing.assert_array_equal(sample.target, T[0])
    assert sample.label == session.data.train_labels[11]


def test_a_free_point_has_activations_but_no_target_or_delta(session: TrainingSession) -> None:
    sample = trace(session, "point", point=(1.5, -6.0))
    assert (sample.part, sample.index, sample.point) == ("point", None, (1.5, -6.0))
    assert (sample.delta, sample.target, sample.label, sample.cost) == (None, None, None, None)
    assert sample.neuron(session, 1, 2)["delta"] is None
    np.testing.assert_allclose(sample.A[-1], session.mlp.forward(np.array([[1.5, -6.0, 2.25]])).output[0])


@pytest.mark.parametrize(
    ("args", "field"),
    [(("train", 250), "index"), (("test", -1), "index"), (("train", None), "index"), (("train", 1.0), "index"),
     (("train", True), "index"), (("point", None, (7.0, 0.0)), "point"), (("point", None, (0.0, np.nan)), "point"),
     (("point", None, (1.0, 2.0, 3.0)), "point"), (("point", None, ("a", 1.0)), "point"),
     (("point",), "part"), (("grid", 0), "part")],
    ids=["index-past-end", "negative-index", "no-index", "float-index", "bool-index", "point-off-plane",
         "point-nan", "point-of-three", "point-not-numbers", "point-missing", "unknown-part"],
)
def test_bad_points_are_refused_naming_the_field(session: TrainingSession, args: tuple[Any, ...], field: str
                                                 ) -> None:
    with pytest.raises(InputError) as refused:
        trace(session, *args)
    assert refused.value.field == field


# What "Inside one neuron" shows, each number against a direct numpy computation.

SETUPS = [  # (changes, expected target of output 0 for a class-0 point, the formulas of the output neuron)
    ({"output_activation": "tanh", "cost": "mse"}, -1.0, ("a − t", "1 − a²")),
    ({"output_activation": "tanh", "cost": "bce"}, -1.0, ("(a − t) / (1 − a²)", "1 − a²")),
    ({"output_activation": "sigmoid", "cost": "bce"}, 0.0, ("(a − t) / (a(1 − a))", "a(1 − a)")),
    ({"output_activation": "sigmoid", "cost": "mse"}, 0.0, ("a − t", "a(1 − a)")),
]


def class_zero_point(session: TrainingSession) -> int:
    return int(np.flatnonzero(session.data.train_labels == 0)[0])


@pytest.mark.parametrize(("changes", "target", "texts"), SETUPS, ids=lambda v: str(v))
def test_the_output_shows_its_target_in_its_own_terms_and_the_formulas_behind_its_slopes(
        make_session, changes: dict[str, str], target: float, texts: tuple[str, str]) -> None:
    session = make_session(dataset="xor", **changes)
    session.step("batch", 20)
    index = class_zero_point(session)
    back = trace(session, "train", index).neuron(session, len(session.mlp.sizes) - 1, 0)["backward"]
    a = float(session.mlp.forward(session.data.train_inputs[index:index + 1, :-1]).output[0, 0])
    assert back["target"] == target
    assert (back["formulas"]["cost_slope"], back["formulas"]["slope"]) == texts
    assert back["a_minus_t"] == pytest.approx(a - target, rel=1e-12)
    slope = 1 - a * a if changes["output_activation"] == "tanh" else a * (1 - a)
    assert back["slope"] == pytest.approx(slope, rel=1e-12)
    expected = a - target if changes["cost"] == "mse" else (a - target) / slope
    assert back["cost_slope"] == pytest.approx(expected, rel=1e-9)
    assert back["delta"] == pytest.approx(expected * slope, rel=1e-9)


def test_a_softmax_output_has_a_one_hot_target(make_session) -> None:
    session = make_session(dataset="blobs", classes=3, output_activation="softmax", cost="cce")
    session.step("batch", 5)
    sample = trace(session, "train", 0)
    label = int(sample.label or 0)
    for k in range(3):
        back = sample.neuron(session, len(session.mlp.sizes) - 1, k)["backward"]
        assert back["target"] == (1.0 if k == label else 0.0)
        assert back["formulas"] == {"cost_slope": None, "slope": None, "delta": "a − t"}
        assert back["delta"] == pytest.approx(sample.A[-1][k] - back["target"], rel=1e-12)


def test_a_hidden_neuron_shows_what_each_neuron_it_feeds_passes_back(session: TrainingSession) -> None:
    sample = trace(session, "train", 5)
    assert sample.delta is not None
    for layer in (1, 2):
        for i in range(session.mlp.sizes[layer]):
            back = sample.neuron(session, layer, i)["backward"]
            weights = session.mlp.weights[layer][i]
            assert [f["index"] for f in back["feeds"]] == list(range(session.mlp.sizes[layer + 1]))
            np.testing.assert_array_equal([f["weight"] for f in back["feeds"]], weights)
            np.testing.assert_array_equal([f["delta"] for f in back["feeds"]], sample.delta[layer + 1])
            np.testing.assert_allclose([f["term"] for f in back["feeds"]], weights * sample.delta[layer + 1])
            assert sum(f["term"] for f in back["feeds"]) == pytest.approx(back["cost_slope"], rel=1e-12, abs=1e-15)
            assert back["target"] is None and back["formulas"]["cost_slope"] == "Σₖ wₖ · dC/dzₖ"
            if back["is_exact"]:
                assert sum(shown(f["term"], back["decimals"]) for f in back["feeds"]) == shown(
                    back["cost_slope"], back["decimals"])


def test_the_shown_forward_numbers_add_up(session: TrainingSession) -> None:
    checked = 0
    for index in range(40):
        sample = trace(session, "train", index)
        for layer, i in every_neuron(session):
            n = sample.neuron(session, layer, i)
            d = n["decimals"]
            assert n["weighted_sum"] == pytest.approx(float(np.dot(n["inputs"], n["weights"])), rel=1e-12, abs=1e-15)
            if not n["is_exact"]:
                continue
            checked += 1
            assert sum(shown(p, d) for p in n["products"]) == shown(n["weighted_sum"], d)
            assert shown(n["weighted_sum"], d) + shown(n["bias"], d) == shown(n["z"], d)
    assert checked >= 0.95 * 40 * len(every_neuron(session))


def test_the_update_shows_the_change_with_the_digits_it_needs(make_session) -> None:
    session = make_session(learning_rate=0.001)
    session.step("batch", 30)
    output = len(session.mlp.sizes) - 1
    for row in trace(session, "train", 3).neuron(session, output, 0)["backward"]["update"]["params"]:
        d = row["decimals"]
        assert row["new_value"] == row["value"] + row["step"]
        assert row["step"] != 0.0 and shown(row["value"], d) != shown(row["new_value"], d)  # it visibly moves
        digits = "".join(map(str, shown(abs(row["step"]), d).as_tuple().digits)).lstrip("0")
        assert len(digits) >= 2  # at least two significant digits of the change
        if row["is_exact"]:
            assert shown(row["value"], d) + shown(row["step"], d) == shown(row["new_value"], d)


def test_a_sum_no_precision_makes_add_up_is_flagged(make_session) -> None:
    """The case tests/e2e/test_neuron_numbers.py shows: 16 products that add up at no precision tried."""
    features = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2", "cos_x1", "cos_x2"]
    session = make_session(features=features, hidden_layers=[16], seed=7)
    numbers = trace(session, "train", 0).neuron(session, 2, 0)
    assert not numbers["is_exact"]
    d = numbers["decimals"]
    assert sum(shown(p, d) for p in numbers["products"]) != shown(numbers["weighted_sum"], d) or (
        shown(numbers["weighted_sum"], d) + shown(numbers["bias"], d) != shown(numbers["z"], d))
