"""The numpy neural network: layers, activations, costs, initialisation, optimisers.

Imports numpy and the standard library only: no web code, no pydantic.

A small API another program can drive::

    import numpy as np
    from app.nn import MLP, Trainer, initialize

    net = MLP((2, 4, 2, 1), hidden_activation="tanh", output_activation="sigmoid")
    initialize(net, "xavier", np.random.default_rng(0))
    cost, grads = net.cost_and_gradients(X, T, "bce")   # X: (n, 2), T: (n, 1)
    trainer = Trainer(net, "bce", optimizer="adam", learning_rate=0.01)
    trainer.step(np.hstack([X, np.ones((len(X), 1))]), T)
"""

from app.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from app.nn.initializers import INITIALIZERS, initialize
from app.nn.losses import LOSSES, check_compatible, encode_targets
from app.nn.mlp import MLP, Grads, Trace, Workspace
from app.nn.optim import OPTIMIZERS
from app.nn.regularization import REGULARIZERS
from app.nn.trainer import Trainer

__all__ = [
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "MLP",
    "OPTIMIZERS",
    "OUTPUT_ACTIVATIONS",
    "REGULARIZERS",
    "Grads",
    "Trace",
    "Trainer",
    "Workspace",
    "check_compatible",
    "encode_targets",
    "initialize",
]
