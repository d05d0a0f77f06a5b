"""Same-shape networks trained together: parameters stacked on a leading member axis.

Imports numpy and the standard library only: no web code, no pydantic.

A ``Stack`` gathers the parameters, last gradients and optimiser state of ``S``
``Trainer`` objects that share a ``signature`` (layer sizes, activations, cost,
optimiser, regulariser) into arrays with a leading member axis:

    params, grads: (S, P)      state[name]: (S, P)      blocks[l]: (S, d_l + 1, d_{l+1})

and takes one mini-batch step for all of them (or a subset) with one batched
``np.matmul`` per layer and pass. Each member keeps its own learning rate,
regularisation rate and optimiser step count. The arithmetic is the same as
``Trainer.step``'s, operation for operation, so a member's numbers equal
single-network training bit for bit in float64: batched matmul calls the same
BLAS kernel per member as ``np.dot`` does for one (checked in
tests/unit/nn/test_stack.py for every shape the page allows), and every other
operation is element-wise or row-wise on the same rows. The inputs must be laid
out as a session's epoch buffers are (each member's rows a row slice of a
C-contiguous matrix): for other layouts ``np.dot`` copies and ``np.matmul`` does
not, and a gradient can then differ in the last bit. ``write_back`` copies
a member's numbers back into its own trainer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.nn.activations import Activation
from app.nn.mlp import parameter_count
from app.nn.optim import ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM
from app.nn.regularization import REGULARIZERS
from app.nn.trainer import Trainer

Array = np.ndarray
Signature = tuple[object, ...]


def signature(trainer: Trainer) -> Signature:
    """What must be equal for two trainers to step together: shape, activations, cost, optimiser, regulariser.

    A regulariser at rate 0 counts as none (``add_gradient`` skips it, and adding a zero
    penalty would turn a -0.0 gradient into +0.0)."""
    mlp = trainer.mlp
    regularization = "none" if trainer.regularization_rate == 0.0 else trainer.regularization
    return (mlp.sizes, mlp.activations, trainer.loss, trainer.optimizer.name, regularization)


def stacked_blocks(flat: Array, sizes: Sequence[int]) -> list[Array]:
    """Views of flat: (S, P) as one (S, d_l + 1, d_{l+1}) block per weight layer (bias last row)."""
    blocks, offset = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=False):
        count = (fan_in + 1) * fan_out
        blocks.append(flat[:, offset : offset + count].reshape(flat.shape[0], fan_in + 1, fan_out))
        offset += count
    return blocks


class StackedWorkspace:
    """Buffers for one step of ``members`` networks on ``rows`` samples each.

    Every buffer is (S, rows, d) for the batched matmuls, with a (S * rows, d) view of the same
    memory (the ``*2`` lists) for the element-wise and row-wise work, which then sees exactly the
    rows a single network's workspace holds. Hidden activations carry a ones column, as in ``Workspace``.
    """

    def __init__(self, sizes: Sequence[int], members: int, rows: int) -> None:
        last = len(sizes) - 1
        flat = members * rows
        ext = [np.ones((members, rows, d + 1)) for d in sizes[1:last]] + [np.empty((members, rows, sizes[last]))]
        self.A_ext: list[Array] = [np.empty((0,)), *ext]  # index 0: the caller's inputs
        self.A_ext_T: list[Array] = [a.transpose(0, 2, 1) for a in self.A_ext[1:]]
        self.A_ext_T.insert(0, np.empty((0,)))
        ext2 = [a.reshape(flat, a.shape[2]) for a in ext]
        self.A2: list[Array] = [np.empty((0,))] + [a[:, :-1] for a in ext2[:-1]] + [ext2[-1]]
        nothing: Array = np.empty((0, 0, 0))
        self.Z: list[Array] = [nothing, *(np.empty((members, rows, d)) for d in sizes[1:])]
        self.Z2: list[Array] = [nothing, *(z.reshape(flat, z.shape[2]) for z in self.Z[1:])]
        self.delta: list[Array] = [np.empty((members, rows, d)) for d in sizes]
        self.delta2: list[Array] = [d.reshape(flat, d.shape[2]) for d in self.delta]
        self.slope2: list[Array] = [np.empty((flat, d)) for d in sizes]
        for views, base in ((self.A2[1:], ext), (self.Z2[1:], self.Z[1:]), (self.delta2, self.delta)):
            for view, array in zip(views, base, strict=True):
                assert np.shares_memory(view, array)  # a reshape that copied would train nothing


def output_delta(loss: str, activation: Activation, Z: Array, A: Array, T: Array, out: Array, scratch: Array,
                 rows: int) -> None:
    """dC/dZ at the output for the mean cost of each member's ``rows`` samples; Z, A, T, out: (S * rows, k).

    The same operations as ``app.nn.losses`` (``_fused_delta``, ``_mse_delta``), with the
    mean taken over each member's rows instead of all S * rows."""
    np.subtract(A, T, out=out)
    if loss == "mse" and activation.name != "linear":
        if activation.name == "softmax":
            dot = np.einsum("ij,ij->i", out, A)[:, None]
            out -= dot
            out *= A
        else:
            activation.derivative(Z, A, scratch)
            out *= scratch
    out *= 1.0 / rows


class Stack:
    """The numbers of same-signature trainers, stacked, stepped together (see the module docstring)."""

    def __init__(self, trainers: Sequence[Trainer]) -> None:
        if not trainers:
            raise ValueError("a stack needs at least one trainer")
        first = trainers[0]
        self.signature = signature(first)
        for trainer in trainers[1:]:
            if signature(trainer) != self.signature:
                raise ValueError(f"trainers differ: {signature(trainer)} is not {self.signature}")
        mlp = first.mlp
        self.sizes = mlp.sizes
        self.functions = mlp.functions
        self.loss = first.loss
        self.optimizer = first.optimizer.name
        self.regularization = str(self.signature[4])
        self.state_names = first.optimizer.state_names
        self.mask = mlp.weight_mask  # (P,) 1 at a weight, 0 at a bias
        self.params = np.stack([t.mlp.params for t in trainers])
        self.grads = np.stack([t.grads for t in trainers])
        self.state = {name: np.stack([getattr(t.optimizer, name) for t in trainers]) for name in self.state_names}
        self.t = [t.optimizer.t for t in trainers]
        self.learning_rates = [t.learning_rate for t in trainers]
        self.rates = [t.regularization_rate for t in trainers]
        self._workspaces: dict[tuple[int, int], StackedWorkspace] = {}
        assert self.params.shape[1] == parameter_count(self.sizes)

    def __len__(self) -> int:
        return len(self.t)

    def write_back(self, index: int, trainer: Trainer) -> None:
        """Copy member ``index``'s weights, gradients and optimiser state into its own trainer."""
        trainer.mlp.params[...] = self.params[index]
        trainer.grads[...] = self.grads[index]  # in place: grad_blocks view it
        for name in self.state_names:
            getattr(trainer.optimizer, name)[...] = self.state[name][index]
        trainer.optimizer.t = self.t[index]

    def step(self, X_ext: Array, T: Array, members: Sequence[int] | None = None) -> None:
        """One step for every member (or those listed, in that order): X_ext: (S, rows, d_0 + 1), T: (S, rows, d_L)."""
        if members is None or len(members) == len(self.t) and list(members) == list(range(len(self.t))):
            self._step(self.params, self.grads, self.state, list(range(len(self.t))), X_ext, T)
            return
        index = np.asarray(members, dtype=np.intp)
        params, grads = self.params[index], self.grads[index]
        state = {name: values[index] for name, values in self.state.items()}
        self._step(params, grads, state, [int(i) for i in index], X_ext, T)
        self.params[index], self.grads[index] = params, grads
        for name, values in state.items():
            self.state[name][index] = values

    def _workspace(self, members: int, rows: int) -> StackedWorkspace:
        ws = self._workspaces.get((members, rows))
        if ws is None:
            ws = self._workspaces[(members, rows)] = StackedWorkspace(self.sizes, members, rows)
        return ws

    def _step(self, params: Array, grads: Array, state: dict[str, Array], members: list[int],
              X_ext: Array, T: Array) -> None:
        count, rows = X_ext.shape[0], X_ext.shape[1]
        ws = self._workspace(count, rows)
        blocks = stacked_blocks(params, self.sizes)
        grad_blocks = stacked_blocks(grads, self.sizes)
        functions, last = self.functions, len(blocks)
        layer_input = X_ext
        for l, block in enumerate(blocks):  # forward: Z = A_ext @ block
            np.matmul(layer_input, block, out=ws.Z[l + 1])
            functions[l].forward(ws.Z2[l + 1], ws.A2[l + 1])
            layer_input = ws.A_ext[l + 1]
        output_delta(self.loss, functions[-1], ws.Z2[last], ws.A2[last], T.reshape(count * rows, T.shape[2]),
                     ws.delta2[last], ws.slope2[last], rows)
        for l in range(last, 0, -1):  # backward
            inputs_T = X_ext.transpose(0, 2, 1) if l == 1 else ws.A_ext_T[l - 1]
            np.matmul(inputs_T, ws.delta[l], out=grad_blocks[l - 1])
            if l == 1:
                break
            np.matmul(ws.delta[l], blocks[l - 1][:, :-1].transpose(0, 2, 1), out=ws.delta[l - 1])
            functions[l - 2].derivative(ws.Z2[l - 1], ws.A2[l - 1], ws.slope2[l - 1])
            ws.delta2[l - 1] *= ws.slope2[l - 1]
        scratch = np.empty_like(params)
        rates = np.array([[self.rates[i]] for i in members])
        if self.regularization != "none":  # as add_gradient: grads += rate * mask * dR/dparams
            REGULARIZERS[self.regularization].gradient(params, scratch)
            scratch *= self.mask
            scratch *= rates
            grads += scratch
        self._update(params, grads, state, members, scratch)

    def _update(self, params: Array, grads: Array, state: dict[str, Array], members: list[int],
                scratch: Array) -> None:
        """The optimiser step of ``app.nn.optim``, with each member's learning rate and step count."""
        for i in members:
            self.t[i] += 1
        rates = np.array([[self.learning_rates[i]] for i in members])
        if self.optimizer == "sgd":
            np.multiply(grads, rates, out=scratch)
        elif self.optimizer == "momentum":
            velocity = state["velocity"]
            velocity *= MOMENTUM
            velocity += grads
            np.multiply(velocity, rates, out=scratch)
        else:
            mean, square_mean = state["mean"], state["square_mean"]
            mean *= ADAM_BETA1
            np.multiply(grads, 1.0 - ADAM_BETA1, out=scratch)
            mean += scratch
            square_mean *= ADAM_BETA2
            np.multiply(grads, grads, out=scratch)
            scratch *= 1.0 - ADAM_BETA2
            square_mean += scratch
            steps = [self.t[i] for i in members]
            inverse2 = np.array([[1.0 / (1.0 - ADAM_BETA2**t)] for t in steps])
            step_size = np.array([[self.learning_rates[i] / (1.0 - ADAM_BETA1**t)] for i, t in zip(members, steps,
                                                                                                     strict=True)])
            denominator = np.multiply(square_mean, inverse2)
            np.sqrt(denominator, out=denominator)
            denominator += ADAM_EPSILON
            np.divide(mean, denominator, out=scratch)
            scratch *= step_size
        params -= scratch
