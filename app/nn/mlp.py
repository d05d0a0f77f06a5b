"""A fully connected multi-layer perceptron: layout, forward pass, backward pass.

Imports numpy and the standard library only: no web code, no pydantic.

Shapes: a network with layer sizes ``(d_0, d_1, ..., d_L)`` has ``d_0`` inputs,
``L - 1`` hidden layers and ``d_L`` outputs. Weight layer ``l`` (0-based,
``l < L``) maps layer ``l`` to layer ``l + 1``:

    W[l]: (d_l, d_{l+1})     b[l]: (d_{l+1},)
    Z[l+1] = A[l] @ W[l] + b[l]      A[l+1] = f_{l+1}(Z[l+1])

All weights and biases live in one flat float64 vector ``params`` so an
optimiser updates every layer with a handful of numpy calls. Layer ``l`` is
the block ``params[offset_l : offset_l + (d_l + 1) * d_{l+1}]`` viewed as a
``(d_l + 1, d_{l+1})`` matrix whose last row is the bias; feeding the layer its
input with a column of ones appended makes ``A_ext @ block`` compute
``A @ W + b`` in one matmul, and ``A_ext.T @ delta`` the weight and bias
gradients in one more. ``W[l]`` and ``b[l]`` are views into ``params``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, Activation
from app.nn.losses import LOSSES, Loss, check_compatible, cost

Array = np.ndarray


def block_views(flat: Array, sizes: Sequence[int]) -> list[Array]:
    """Views of ``flat`` as one (d_l + 1, d_{l+1}) block per weight layer."""
    blocks = []
    offset = 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=False):
        count = (fan_in + 1) * fan_out
        blocks.append(flat[offset : offset + count].reshape(fan_in + 1, fan_out))
        offset += count
    return blocks


def parameter_count(sizes: Sequence[int]) -> int:
    """Number of weights and biases of a network with these layer sizes."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


class Workspace:
    """Preallocated buffers for forward and backward passes over ``rows`` samples.

    For hidden layers the activation buffer carries an extra column of ones
    (``A_ext[l]: (rows, d_l + 1)``) so it can feed the next layer's block
    directly. ``A[l]`` is the view without that column. Index 0 is the input
    layer, whose buffer ``inputs: (rows, d_0 + 1)`` callers may fill, or they
    may pass their own input matrix with a ones column to the passes.
    """

    def __init__(self, sizes: Sequence[int], rows: int, dtype: type = np.float64) -> None:
        self.rows = rows
        last = len(sizes) - 1
        self.inputs: Array = np.ones((rows, sizes[0] + 1), dtype)
        self.A_ext: list[Array] = [self.inputs]
        self.A_ext += [np.ones((rows, d + 1), dtype) for d in sizes[1:last]]
        self.A_ext.append(np.empty((rows, sizes[last]), dtype))  # output: no ones column
        self.A: list[Array] = [a[:, :-1] for a in self.A_ext[:last]] + [self.A_ext[last]]
        self.A_ext_T: list[Array] = [a.T for a in self.A_ext]
        self.Z: list[Array] = [self.A[0]] + [np.empty((rows, d), dtype) for d in sizes[1:]]
        self.delta: list[Array] = [np.empty((rows, d), dtype) for d in sizes]
        self.slope: list[Array] = [np.empty((rows, d), dtype) for d in sizes]


def forward_pass(
    blocks: Sequence[Array], functions: Sequence[Activation], ws: Workspace, X_ext: Array
) -> None:
    """Fill ws.Z[1:], ws.A[1:] from inputs X_ext: (rows, d_0 + 1) ending in a ones column.

    blocks[l]: (d_l + 1, d_{l+1}) weights with the bias as last row; functions[l]: layer l+1's activation.
    """
    layer_input = X_ext
    for l, block in enumerate(blocks):
        np.dot(layer_input, block, out=ws.Z[l + 1])
        functions[l].forward(ws.Z[l + 1], ws.A[l + 1])
        layer_input = ws.A_ext[l + 1]


def backward_pass(
    weights_T: Sequence[Array],
    functions: Sequence[Activation],
    loss: Loss,
    ws: Workspace,
    X_ext: Array,
    T: Array,
    grad_blocks: Sequence[Array],
    *,
    with_input_delta: bool = False,
) -> None:
    """Backpropagate after ``forward_pass`` on the same inputs.

    weights_T[l]: (d_{l+1}, d_l) transposed weights. Writes dC/dZ of every
    layer into ws.delta[l]: (rows, d_l) and dC/dblock into grad_blocks[l]:
    (d_l + 1, d_{l+1}), whose last row is dC/db. With ``with_input_delta``
    also writes dC/dX into ws.delta[0].
    """
    last = len(weights_T)
    loss.delta(ws.Z[last], ws.A[last], T, functions[-1], ws.delta[last], ws.slope[last])
    for l in range(last, 0, -1):
        inputs_T = X_ext.T if l == 1 else ws.A_ext_T[l - 1]
        np.dot(inputs_T, ws.delta[l], out=grad_blocks[l - 1])
        if l == 1 and not with_input_delta:
            break
        np.dot(ws.delta[l], weights_T[l - 1], out=ws.delta[l - 1])
        if l > 1:
            functions[l - 2].derivative(ws.Z[l - 1], ws.A[l - 1], ws.slope[l - 1])
            ws.delta[l - 1] *= ws.slope[l - 1]


@dataclass(frozen=True)
class Trace:
    """Everything a forward pass computed, layer by layer (index 0 = inputs).

    Z[l], A[l]: (n, d_l) pre-activation and activation; Z[0] and A[0] are the inputs.
    """

    Z: list[Array]
    A: list[Array]
    X_ext: Array
    workspace: Workspace

    @property
    def output(self) -> Array:
        """The network's output A[L]: (n, d_L)."""
        return self.A[-1]


@dataclass(frozen=True)
class Grads:
    """Gradients of the mean cost of a batch.

    dW[l]: (d_l, d_{l+1}), db[l]: (d_{l+1},) for each weight layer;
    delta[l]: (n, d_l) the error term dC/dZ of every neuron for every sample
    (delta[0] is dC/dX, the error reaching the inputs); flat: (n_params,) the
    same numbers as dW and db in the layout of ``MLP.params``. Every array is its own copy.
    """

    dW: list[Array]
    db: list[Array]
    delta: list[Array]
    flat: Array


class MLP:
    """A multi-layer perceptron with one activation per layer.

    sizes: (d_0, ..., d_L); hidden_activation: one name for every hidden layer
    or one name per hidden layer; output_activation: the last layer's.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden_activation: str | Sequence[str] = "tanh",
        output_activation: str = "tanh",
    ) -> None:
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes needs at least an input and an output size >= 1, got {sizes}")
        n_hidden = len(sizes) - 2
        hidden = (
            (hidden_activation,) * n_hidden
            if isinstance(hidden_activation, str)
            else tuple(hidden_activation)
        )
        if len(hidden) != n_hidden:
            raise ValueError(f"{n_hidden} hidden layers need {n_hidden} activations, got {hidden}")
        for name in hidden:
            if name not in HIDDEN_ACTIVATIONS:
                raise ValueError(f"unknown hidden activation {name!r}; choose one of {HIDDEN_ACTIVATIONS}")
        if output_activation not in OUTPUT_ACTIVATIONS:
            raise ValueError(
                f"unknown output activation {output_activation!r}; choose one of {OUTPUT_ACTIVATIONS}"
            )
        self.sizes: tuple[int, ...] = sizes
        self.activations: tuple[str, ...] = (*hidden, output_activation)
        self.functions: tuple[Activation, ...] = tuple(ACTIVATIONS[a] for a in self.activations)
        self.params = np.zeros(parameter_count(sizes))
        self.blocks = block_views(self.params, sizes)
        self.weights: list[Array] = [block[:-1] for block in self.blocks]
        self.biases: list[Array] = [block[-1] for block in self.blocks]
        self.weights_T: list[Array] = [W.T for W in self.weights]
        mask = np.ones_like(self.params)
        for block in block_views(mask, sizes):
            block[-1] = 0.0
        self.weight_mask = mask  # 1 where params holds a weight, 0 where a bias

    @property
    def n_layers(self) -> int:
        """Number of weight layers L (hidden layers + 1)."""
        return len(self.sizes) - 1

    @property
    def output_activation(self) -> str:
        """The last layer's activation name."""
        return self.activations[-1]

    def __repr__(self) -> str:
        shape = "→".join(str(s) for s in self.sizes)
        return f"MLP({shape}, {', '.join(self.activations)})"

    def set_parameters(self, weights: Sequence[Array], biases: Sequence[Array]) -> None:
        """Replace every weight and bias (copied in; shapes must match)."""
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(f"expected {self.n_layers} weight matrices and bias vectors")
        for l, (W, b) in enumerate(zip(weights, biases, strict=True)):
            W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
            if W.shape != self.weights[l].shape or b.shape != self.biases[l].shape:
                raise ValueError(
                    f"layer {l}: expected W {self.weights[l].shape} and b {self.biases[l].shape}, "
                    f"got {W.shape} and {b.shape}"
                )
            self.weights[l][...] = W
            self.biases[l][...] = b

    def forward(self, X: Array) -> Trace:
        """Run X: (n, d_0) through the network; keeps every layer's Z and A."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}")
        ws = Workspace(self.sizes, X.shape[0])
        ws.A[0][...] = X
        forward_pass(self.blocks, self.functions, ws, ws.inputs)
        return Trace(Z=list(ws.Z), A=list(ws.A), X_ext=ws.inputs, workspace=ws)

    def backward(self, trace: Trace, T: Array, loss: str) -> Grads:
        """Gradients of the mean cost of ``trace``'s batch against targets T: (n, d_L)."""
        check_compatible(loss, self.output_activation)
        T = np.asarray(T, dtype=np.float64)
        if T.shape != trace.output.shape:
            raise ValueError(f"T must have shape {trace.output.shape}, got {T.shape}")
        flat = np.zeros_like(self.params)
        grad_blocks = block_views(flat, self.sizes)
        ws = trace.workspace
        backward_pass(
            self.weights_T, self.functions, LOSSES[loss], ws, trace.X_ext, T, grad_blocks,
            with_input_delta=True,
        )
        return Grads(
            dW=[g[:-1] for g in grad_blocks],
            db=[g[-1] for g in grad_blocks],
            delta=[delta.copy() for delta in ws.delta],  # its own: a later backward reuses the workspace
            flat=flat,
        )

    def cost(self, X: Array, T: Array, loss: str) -> float:
        """Mean cost of a batch X: (n, d_0) against targets T: (n, d_L)."""
        check_compatible(loss, self.output_activation)
        trace = self.forward(X)
        return cost(loss, trace.Z[-1], trace.output, np.asarray(T, dtype=np.float64), self.output_activation)

    def cost_and_gradients(self, X: Array, T: Array, loss: str) -> tuple[float, Grads]:
        """Mean cost of a batch and its gradients (see ``backward``)."""
        trace = self.forward(X)
        grads = self.backward(trace, T, loss)
        value = cost(loss, trace.Z[-1], trace.output, np.asarray(T, dtype=np.float64), self.output_activation)
        return value, grads
