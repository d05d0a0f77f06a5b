"""app.training.trace: one sample's arithmetic is self-consistent and its error terms are the batch-of-one gradient."""

from typing import Any

import numpy as np
import pytest

from app.errors import InputError
from app.nn.activations import apply
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
