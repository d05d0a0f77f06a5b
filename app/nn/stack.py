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
from app.nn.losses import unscaled_delta
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
        # contiguous twins of the hidden activations: the functions run ~30 % faster on them than on the
        # strided views (one inner loop instead of one per row), then one copy fills the strided view
        self.H2: list[Array] = [np.empty((0,))] + [np.empty((flat, d)) for d in sizes[1:last]] + [self.A2[last]]
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

    The operations of ``app.nn.losses`` (``unscaled_delta``), with the mean taken over each member's
    rows instead of all S * rows."""
    unscaled_delta(loss, Z, A, T, activation, out, scratch)
    out *= 1.0 / rows


class _Members:
    """The arrays one step works on: every member's (views into the stack) or a subset's (copies)."""

    def __init__(self, stack: Stack, index: Array | None) -> None:
        def pick(values: Array) -> Array:
            return values if index is None else values[index]

        self.index = index
        self.params: Array = pick(stack.params)
        self.grads: Array = pick(stack.grads)
        self.state = {name: pick(values) for name, values in stack.state.items()}
        self.blocks = stacked_blocks(self.params, stack.sizes)
        self.grad_blocks = stacked_blocks(self.grads, stack.sizes)
        self.learning_rates: Array = pick(stack.learning_rates)  # (S, 1)
        self.rates: Array = pick(stack.rates)  # (S, 1)
        self.scratch = np.empty_like(self.params)

    def steps(self, stack: Stack) -> Array:
        """Count one more optimiser step for these members; returns their step counts (S,)."""
        if self.index is None:
            stack.t += 1
            return stack.t
        stack.t[self.index] += 1
        steps: Array = stack.t[self.index]
        return steps

    def put_back(self, stack: Stack) -> None:
        """A subset's copies back into the stack (every member's views need nothing)."""
        if self.index is None:
            return
        stack.params[self.index], stack.grads[self.index] = self.params, self.grads
        for name, values in self.state.items():
            stack.state[name][self.index] = values


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
        self.t = np.array([t.optimizer.t for t in trainers], dtype=np.int64)
        self.learning_rates = np.array([[t.learning_rate] for t in trainers], dtype=np.float64)
        self.rates = np.array([[t.regularization_rate] for t in trainers], dtype=np.float64)
        self._powers1: list[float] = []  # ADAM_BETA1**t for t = 0, 1, …: Python's pow, as Adam.step computes it
        self._powers2: list[float] = []
        self._tables = (np.empty(0), np.empty(0))
        self._workspaces: dict[tuple[int, int], StackedWorkspace] = {}
        self._everyone = _Members(self, None)
        assert self.params.shape[1] == parameter_count(self.sizes)

    def __len__(self) -> int:
        return len(self.t)

    def write_back(self, index: int, trainer: Trainer) -> None:
        """Copy member ``index``'s weights, gradients and optimiser state into its own trainer."""
        trainer.mlp.params[...] = self.params[index]
        trainer.grads[...] = self.grads[index]  # in place: grad_blocks view it
        for name in self.state_names:
            getattr(trainer.optimizer, name)[...] = self.state[name][index]
        trainer.optimizer.t = int(self.t[index])

    def step(self, X_ext: Array, T: Array, members: Sequence[int] | None = None) -> None:
        """One step for every member (or those listed, in that order): X_ext: (S, rows, d_0 + 1), T: (S, rows, d_L)."""
        if members is None:
            self._step(self._everyone, X_ext, T)
            return
        chosen = _Members(self, np.asarray(members, dtype=np.intp))
        self._step(chosen, X_ext, T)
        chosen.put_back(self)

    def _workspace(self, members: int, rows: int) -> StackedWorkspace:
        ws = self._workspaces.get((members, rows))
        if ws is None:
            ws = self._workspaces[(members, rows)] = StackedWorkspace(self.sizes, members, rows)
        return ws

    def _step(self, m: _Members, X_ext: Array, T: Array) -> None:
        count, rows = X_ext.shape[0], X_ext.shape[1]
        ws = self._workspace(count, rows)
        blocks, functions, last = m.blocks, self.functions, len(m.blocks)
        layer_input = X_ext
        for l, block in enumerate(blocks):  # forward: Z = A_ext @ block
            np.matmul(layer_input, block, out=ws.Z[l + 1])
            functions[l].forward(ws.Z2[l + 1], ws.H2[l + 1])
            if l + 1 < last:
                np.copyto(ws.A2[l + 1], ws.H2[l + 1])
            layer_input = ws.A_ext[l + 1]
        output_delta(self.loss, functions[-1], ws.Z2[last], ws.A2[last], T.reshape(count * rows, T.shape[2]),
                     ws.delta2[last], ws.slope2[last], rows)
        for l in range(last, 0, -1):  # backward
            inputs_T = X_ext.transpose(0, 2, 1) if l == 1 else ws.A_ext_T[l - 1]
            np.matmul(inputs_T, ws.delta[l], out=m.grad_blocks[l - 1])
            if l == 1:
                break
            np.matmul(ws.delta[l], blocks[l - 1][:, :-1].transpose(0, 2, 1), out=ws.delta[l - 1])
            functions[l - 2].derivative(ws.Z2[l - 1], ws.H2[l - 1], ws.slope2[l - 1])
            ws.delta2[l - 1] *= ws.slope2[l - 1]
        if self.regularization != "none":  # as add_gradient: grads += rate * mask * dR/dparams
            REGULARIZERS[self.regularization].gradient(m.params, m.scratch)
            m.scratch *= self.mask
            m.scratch *= m.rates
            m.grads += m.scratch
        self._update(m)

    def _powers(self, largest: int) -> tuple[Array, Array]:
        """ADAM_BETA1**t and ADAM_BETA2**t for t = 0 … largest, each computed by Python's pow as Adam.step does."""
        for t in range(len(self._powers1), largest + 1):
            self._powers1.append(ADAM_BETA1**t)
            self._powers2.append(ADAM_BETA2**t)
        if len(self._tables[0]) <= largest:
            self._tables = (np.array(self._powers1), np.array(self._powers2))
        return self._tables

    def _update(self, m: _Members) -> None:
        """The optimiser step of ``app.nn.optim``, with each member's learning rate and step count."""
        steps = m.steps(self)
        params, grads, scratch = m.params, m.grads, m.scratch
        if self.optimizer == "sgd":
            np.multiply(grads, m.learning_rates, out=scratch)
        elif self.optimizer == "momentum":
            velocity = m.state["velocity"]
            velocity *= MOMENTUM
            velocity += grads
            np.multiply(velocity, m.learning_rates, out=scratch)
        else:
            mean, square_mean = m.state["mean"], m.state["square_mean"]
            mean *= ADAM_BETA1
            np.multiply(grads, 1.0 - ADAM_BETA1, out=scratch)
            mean += scratch
            square_mean *= ADAM_BETA2
            np.multiply(grads, grads, out=scratch)
            scratch *= 1.0 - ADAM_BETA2
            square_mean += scratch
            powers1, powers2 = self._powers(int(steps.max()))
            # 1 / correction2 and learning_rate / correction1 of Adam.step, member by member
            inverse2 = (1.0 / (1.0 - powers2[steps]))[:, None]
            step_size = m.learning_rates / (1.0 - powers1[steps])[:, None]
            denominator = np.multiply(square_mean, inverse2)
            np.sqrt(denominator, out=denominator)
            denominator += ADAM_EPSILON
            np.divide(mean, denominator, out=scratch)
            scratch *= step_size
        params -= scratch
