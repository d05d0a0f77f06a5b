"""One optimisation step on a mini-batch, with no allocation per step.

Imports numpy and the standard library only: no web code, no pydantic.

``Trainer`` binds a network to a cost, a regulariser and an optimiser and
keeps the buffers a step needs: one ``Workspace`` per batch row count (an
epoch has at most two: full batches and the remainder) and the flat gradient
vector. Learning rate, regulariser, rate and optimiser can change between
steps; the weights stay.
"""

from __future__ import annotations

import numpy as np

from app.nn.losses import LOSSES, check_compatible
from app.nn.mlp import MLP, Workspace, backward_pass, block_views, forward_pass
from app.nn.optim import OPTIMIZERS, Optimizer
from app.nn.regularization import REGULARIZERS, add_gradient

Array = np.ndarray


class Trainer:
    """Takes gradient steps on ``mlp`` for the mean ``loss`` of each batch."""

    def __init__(
        self,
        mlp: MLP,
        loss: str,
        optimizer: str = "sgd",
        learning_rate: float = 0.03,
        regularization: str = "none",
        regularization_rate: float = 0.0,
    ) -> None:
        check_compatible(loss, mlp.output_activation)
        if regularization not in REGULARIZERS:
            raise ValueError(f"unknown regularization {regularization!r}; choose one of {', '.join(REGULARIZERS)}")
        self.mlp = mlp
        self.loss = loss
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.regularization_rate = regularization_rate
        self.grads = np.zeros_like(mlp.params)  # last step's dC/dparams, penalty included
        self.grad_blocks = block_views(self.grads, mlp.sizes)
        self.scratch = np.zeros_like(mlp.params)
        self.optimizer: Optimizer = OPTIMIZERS[optimizer](mlp.params.size)
        self.workspaces: dict[int, Workspace] = {}

    def set_optimizer(self, name: str) -> None:
        """Switch optimiser; its state starts fresh, the weights are kept."""
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        if name != self.optimizer.name:
            self.optimizer = OPTIMIZERS[name](self.mlp.params.size)

    def workspace(self, rows: int) -> Workspace:
        """The buffers for batches of ``rows`` samples, made on first use."""
        ws = self.workspaces.get(rows)
        if ws is None:
            ws = self.workspaces[rows] = Workspace(self.mlp.sizes, rows)
        return ws

    def step(self, X_ext: Array, T: Array) -> None:
        """One update from X_ext: (rows, d_0 + 1) inputs ending in ones, T: (rows, d_L) targets."""
        mlp = self.mlp
        ws = self.workspace(X_ext.shape[0])
        forward_pass(mlp.blocks, mlp.functions, ws, X_ext)
        backward_pass(mlp.weights_T, mlp.functions, LOSSES[self.loss], ws, X_ext, T, self.grad_blocks)
        add_gradient(
            self.regularization, self.regularization_rate,
            mlp.params, mlp.weight_mask, self.grads, self.scratch,
        )
        self.optimizer.step(mlp.params, self.grads, self.learning_rate)
