"""app.nn.mlp: forward pass against a plain numpy loop, backward pass against finite differences, layout."""

from collections.abc import Sequence

import numpy as np
import pytest

from app.nn.activations import HIDDEN_ACTIVATIONS, apply
from app.nn.losses import cost
from app.nn.mlp import MLP, parameter_count

N = 5  # samples per batch

# (sizes, hidden activation(s), output activation, cost): every layout the engine builds, including
# no hidden layer, a deep narrow stack, every hidden activation and a different activation per layer.
NETWORKS = [
    ((2, 1), (), "sigmoid", "bce"),
    ((3, 4), (), "softmax", "cce"),
    ((2, 1), (), "linear", "mse"),
    ((2, 4, 2, 1), "tanh", "tanh", "mse"),
    ((2, 3, 1), "tanh", "tanh", "bce"),
    ((2, 2, 2, 2, 2, 2, 1), "tanh", "sigmoid", "bce"),
    *[((3, 5, 4, 2), name, "linear", "mse") for name in HIDDEN_ACTIVATIONS],
    ((2, 4, 3, 3, 3), ("relu", "sigmoid", "leaky_relu"), "softmax", "cce"),
    ((2, 4, 3), ("linear",), "softmax", "mse"),
    ((4, 3, 2), "leaky_relu", "sigmoid", "mse"),
]
IDS = [f"{'-'.join(map(str, s))}-{h if isinstance(h, str) else '+'.join(h) or 'none'}-{o}-{c}"
       for s, h, o, c in NETWORKS]


def targets(activation: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    if activation == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if activation == "linear":
        return rng.normal(0.0, 1.0, (n, k))
    bits = rng.integers(0, 2, (n, k)).astype(np.float64)
    return 2.0 * bits - 1.0 if activation == "tanh" else bits


def random_problem(sizes: Sequence[int], hidden: str | Sequence[str], output: str, seed: int = 0
                   ) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A network with random weights and non-zero biases, inputs X: (N, d_0) and valid targets."""
    rng = np.random.default_rng(seed)
    mlp = MLP(sizes, hidden, output)
    mlp.params[...] = rng.normal(0.0, 0.8, mlp.params.size)
    return mlp, rng.normal(0.0, 1.0, (N, sizes[0])), targets(output, N, sizes[-1], rng)


def assert_no_pre_activation_near_a_kink(mlp: MLP, X: np.ndarray) -> None:
    """Relu-like layers are not differentiable at 0; the checks need every z clear of it."""
    trace = mlp.forward(X)
    for l, name in enumerate(mlp.activations[:-1], start=1):
        if "relu" in name:
            assert np.abs(trace.Z[l]).min() > 1e-4


def reference_forward(mlp: MLP, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Z[l], A[l] by a plain loop over (W, b) pairs, written independently of the module's block layout."""
    Z, A = [X], [X]
    for W, b, name in zip(mlp.weights, mlp.biases, mlp.activations, strict=True):
        Z.append(A[-1] @ W + b)
        A.append(apply(name, Z[-1]))
    return Z, A


def cost_from_layer(mlp: MLP, layer: int, Z_layer: np.ndarray, T: np.ndarray, loss: str) -> float:
    """The mean cost when layer ``layer``'s pre-activation is Z_layer: the network run from there on."""
    A = apply(mlp.activations[layer - 1], Z_layer)
    Z = Z_layer
    for l in range(layer, mlp.n_layers):
        Z = A @ mlp.weights[l] + mlp.biases[l]
        A = apply(mlp.activations[l], Z)
    return cost(loss, Z, A, T, mlp.output_activation)


# --- layout ------------------------------------------------------------------------------------------


def test_weights_and_biases_are_views_of_one_flat_vector() -> None:
    mlp = MLP((2, 4, 2, 1))
    assert mlp.params.size == parameter_count((2, 4, 2, 1)) == 3 * 4 + 5 * 2 + 3 * 1
    assert [W.shape for W in mlp.weights] == [(2, 4), (4, 2), (2, 1)]
    assert [b.shape for b in mlp.biases] == [(4,), (2,), (1,)]
    mlp.params[...] = np.arange(mlp.params.size)
    # layer 0 is the (2 + 1) x 4 block: two weight rows, then the bias row
    np.testing.assert_array_equal(mlp.weights[0], [[0, 1, 2, 3], [4, 5, 6, 7]])
    np.testing.assert_array_equal(mlp.biases[0], [8, 9, 10, 11])
    np.testing.assert_array_equal(mlp.biases[2], [mlp.params.size - 1])
    assert mlp.weight_mask.sum() == 2 * 4 + 4 * 2 + 2 * 1


def test_set_parameters_copies_in_and_checks_shapes() -> None:
    mlp = MLP((2, 3, 1))
    weights, biases = [np.ones((2, 3)), np.full((3, 1), 2.0)], [np.zeros(3), np.array([5.0])]
    mlp.set_parameters(weights, biases)
    weights[0][0, 0] = 99.0
    assert mlp.weights[0][0, 0] == 1.0 and mlp.biases[1][0] == 5.0
    with pytest.raises(ValueError, match="layer 1"):
        mlp.set_parameters([np.ones((2, 3)), np.ones((2, 1))], biases)
    with pytest.raises(ValueError, match="expected 2"):
        mlp.set_parameters(weights[:1], biases[:1])


def test_repr_shows_the_shape_and_activations() -> None:
    assert repr(MLP((2, 4, 2, 1), "relu", "sigmoid")) == "MLP(2→4→2→1, relu, relu, sigmoid)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (((2,),), "at least an input and an output"),
        (((2, 0, 1),), "at least an input and an output"),
        (((2, 3, 1), ("tanh", "relu")), "1 hidden layers need 1 activations"),
        (((2, 3, 1), "softmax"), "unknown hidden activation"),
        (((2, 3, 1), "tanh", "relu"), "unknown output activation"),
    ],
)
def test_constructor_refuses_bad_layouts(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MLP(*args)  # type: ignore[arg-type]


def test_forward_refuses_inputs_of_the_wrong_width_and_backward_wrong_targets() -> None:
    mlp = MLP((2, 3, 1), "tanh", "sigmoid")
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        mlp.forward(np.zeros((4, 3)))
    trace = mlp.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="T must have shape"):
        mlp.backward(trace, np.zeros((4, 2)), "bce")
    with pytest.raises(ValueError, match="needs an output activation"):
        mlp.backward(trace, np.zeros((4, 1)), "cce")


# --- forward -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss"), NETWORKS, ids=IDS)
def test_forward_matches_a_plain_loop(sizes: tuple[int, ...], hidden: str, output: str, loss: str) -> None:
    mlp, X, _ = random_problem(sizes, hidden, output)
    trace = mlp.forward(X)
    Z, A = reference_forward(mlp, X)
    assert len(trace.Z) == len(trace.A) == len(sizes)
    for l in range(len(sizes)):
        np.testing.assert_allclose(trace.Z[l], Z[l], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trace.A[l], A[l], rtol=1e-12, atol=1e-14)
    assert trace.output is trace.A[-1]


# --- backward against finite differences -------------------------------------------------------------


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss"), NETWORKS, ids=IDS)
def test_weight_and_bias_gradients_match_finite_differences(
    sizes: tuple[int, ...], hidden: str, output: str, loss: str, numerical_gradient, assert_gradients_match
) -> None:
    mlp, X, T = random_problem(sizes, hidden, output)
    assert_no_pre_activation_near_a_kink(mlp, X)
    value, grads = mlp.cost_and_gradients(X, T, loss)
    assert value == pytest.approx(mlp.cost(X, T, loss), rel=1e-15)
    objective = lambda _: mlp.cost(X, T, loss)  # noqa: E731 -- the parameters are perturbed in place
    for l in range(mlp.n_layers):
        assert_gradients_match(grads.dW[l], numerical_gradient(objective, mlp.weights[l]))
        assert_gradients_match(grads.db[l], numerical_gradient(objective, mlp.biases[l]))
    assert_gradients_match(grads.flat, numerical_gradient(objective, mlp.params))


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss"), NETWORKS, ids=IDS)
def test_input_delta_is_the_gradient_with_respect_to_x(
    sizes: tuple[int, ...], hidden: str, output: str, loss: str, numerical_gradient, assert_gradients_match
) -> None:
    mlp, X, T = random_problem(sizes, hidden, output, seed=1)
    assert_no_pre_activation_near_a_kink(mlp, X)
    grads = mlp.backward(mlp.forward(X), T, loss)
    assert grads.delta[0].shape == X.shape
    assert_gradients_match(grads.delta[0], numerical_gradient(lambda x: mlp.cost(x, T, loss), X.copy()))


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss"), NETWORKS, ids=IDS)
def test_delta_of_every_layer_is_the_gradient_with_respect_to_its_pre_activation(
    sizes: tuple[int, ...], hidden: str, output: str, loss: str, numerical_gradient, assert_gradients_match
) -> None:
    mlp, X, T = random_problem(sizes, hidden, output, seed=2)
    assert_no_pre_activation_near_a_kink(mlp, X)
    trace = mlp.forward(X)
    Z = [z.copy() for z in trace.Z]
    grads = mlp.backward(trace, T, loss)
    for layer in range(1, len(sizes)):
        numeric = numerical_gradient(lambda z, layer=layer: cost_from_layer(mlp, layer, z, T, loss), Z[layer])
        assert_gradients_match(grads.delta[layer], numeric)


def test_gradients_of_a_batch_are_the_mean_of_per_sample_gradients() -> None:
    mlp, X, T = random_problem((2, 4, 2, 1), "tanh", "tanh")
    batch = mlp.cost_and_gradients(X, T, "mse")[1].flat
    singles = [mlp.cost_and_gradients(X[i : i + 1], T[i : i + 1], "mse")[1].flat for i in range(N)]
    np.testing.assert_allclose(batch, np.mean(singles, axis=0), rtol=1e-12, atol=1e-15)


def test_each_backward_on_one_trace_owns_its_gradients() -> None:
    mlp = MLP((2, 3, 2), "tanh", "linear")
    mlp.params[:] = np.random.default_rng(4).normal(size=mlp.params.size)
    trace = mlp.forward(np.random.default_rng(5).normal(size=(N, 2)))
    first = mlp.backward(trace, np.zeros((N, 2)), "mse")
    kept = [d.copy() for d in first.delta], first.flat.copy()
    second = mlp.backward(trace, np.ones((N, 2)), "mse")
    assert all(np.array_equal(d, k) for d, k in zip(first.delta, kept[0], strict=True))
    assert np.array_equal(first.flat, kept[1]) and not np.array_equal(first.delta[-1], second.delta[-1])
