"""Optimisers that update the flat parameter vector in place.

Imports numpy and the standard library only: no web code, no pydantic.

Each optimiser owns its state arrays, shaped like ``params: (n_params,)``, and
``step(params, grads, learning_rate)`` applies one update with a few numpy
calls and no allocation. Changing the learning rate between steps is free;
changing the optimiser means building a new one (fresh state) while the
weights stay as they are. ``state()`` and ``load_state()`` carry the state
through an export so a resumed run continues exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

Array = np.ndarray

MOMENTUM = 0.9  # velocity decay of the momentum optimiser (the usual default)
ADAM_BETA1 = 0.9  # decay of Adam's running mean of gradients (Kingma & Ba 2015)
ADAM_BETA2 = 0.999  # decay of Adam's running mean of squared gradients
ADAM_EPSILON = 1e-8  # keeps Adam's step finite where the squared-gradient mean is ~0
# |mean| <= ADAM_MEAN_BOUND * sqrt(square_mean) after any gradients: by Cauchy-Schwarz over the two
# running sums, (1 - b1) / sqrt((1 - b2) (1 - b1²/b2)), about 7.27. A state beyond it no run reaches.
ADAM_MEAN_BOUND = (1.0 - ADAM_BETA1) / math.sqrt((1.0 - ADAM_BETA2) * (1.0 - ADAM_BETA1**2 / ADAM_BETA2))
ADAM_BOUND_SLACK = 1e-6  # relative slack on that bound for rounding
# The rules check_state reports a state entry breaking (the caller words them for the learner):
ZERO_BEFORE_FIRST_STEP = "zero_before_first_step"  # every state entry is 0 while t is 0
NON_NEGATIVE = "non_negative"  # Adam's square_mean is a running mean of squares
WITHIN_MEAN_BOUND = "within_mean_bound"  # Adam's |mean| <= ADAM_MEAN_BOUND * sqrt(square_mean)
STATE_RULES = (ZERO_BEFORE_FIRST_STEP, NON_NEGATIVE, WITHIN_MEAN_BOUND)


class Optimizer:
    """Base class: plain gradient descent, params -= learning_rate * grads."""

    name = "sgd"
    label = "Gradient descent"
    description = "steps against the gradient of the current mini-batch"
    state_names: tuple[str, ...] = ()

    def __init__(self, n_params: int) -> None:
        self.scratch = np.zeros(n_params)
        self.t = 0  # number of steps taken

    def step(self, params: Array, grads: Array, learning_rate: float) -> None:
        """Apply one update to params: (n_params,) in place."""
        self.t += 1
        np.multiply(grads, learning_rate, out=self.scratch)
        params -= self.scratch

    def state(self) -> dict[str, object]:
        """The step count and every state array as lists of floats."""
        result: dict[str, object] = {"t": self.t}
        for name in self.state_names:
            result[name] = getattr(self, name).tolist()
        return result

    def check_state(self, t: int, state: Mapping[str, Array]) -> tuple[str, int, str] | None:
        """The first entry of a state (t steps; name → (n_params,) float64) that no run reaches.

        Returns (state name, index, the rule it breaks: one of STATE_RULES) or None; the caller words
        the rule. Every state is 0 before the first step.
        """
        if t == 0:
            for name in self.state_names:
                nonzero = np.flatnonzero(state[name])
                if nonzero.size:
                    return name, int(nonzero[0]), ZERO_BEFORE_FIRST_STEP
        return None

    def load_state(self, state: dict[str, object]) -> None:
        """Restore what ``state()`` returned (validated by the caller)."""
        self.t = int(state["t"])  # type: ignore[call-overload]
        for name in self.state_names:
            getattr(self, name)[...] = np.asarray(state[name], dtype=np.float64)


class Momentum(Optimizer):
    """Heavy-ball momentum: v = MOMENTUM * v + g; params -= learning_rate * v."""

    name = "momentum"
    label = "Momentum"
    description = "keeps a running velocity, so steps speed up along consistent directions"
    state_names = ("velocity",)

    def __init__(self, n_params: int) -> None:
        super().__init__(n_params)
        self.velocity = np.zeros(n_params)

    def step(self, params: Array, grads: Array, learning_rate: float) -> None:
        self.t += 1
        self.velocity *= MOMENTUM
        self.velocity += grads
        np.multiply(self.velocity, learning_rate, out=self.scratch)
        params -= self.scratch


class Adam(Optimizer):
    """Adam: per-parameter steps from bias-corrected running means of g and g²."""

    name = "adam"
    label = "Adam"
    description = "scales each weight's step by its recent gradient size; forgiving of the learning rate"
    state_names = ("mean", "square_mean")

    def __init__(self, n_params: int) -> None:
        super().__init__(n_params)
        self.mean = np.zeros(n_params)
        self.square_mean = np.zeros(n_params)
        self.denominator = np.zeros(n_params)

    def check_state(self, t: int, state: Mapping[str, Array]) -> tuple[str, int, str] | None:
        """Also: square_mean >= 0, and |mean| within ADAM_MEAN_BOUND * sqrt(square_mean) (+ epsilon)."""
        first = super().check_state(t, state)
        if first is not None:
            return first
        mean, square_mean = state["mean"], state["square_mean"]
        negative = np.flatnonzero(~(square_mean >= 0.0))
        if negative.size:
            return "square_mean", int(negative[0]), NON_NEGATIVE
        limit = ADAM_MEAN_BOUND * (1.0 + ADAM_BOUND_SLACK) * np.sqrt(square_mean) + ADAM_EPSILON
        beyond = np.flatnonzero(~(np.abs(mean) <= limit))
        if beyond.size:
            return "mean", int(beyond[0]), WITHIN_MEAN_BOUND
        return None

    def step(self, params: Array, grads: Array, learning_rate: float) -> None:
        self.t += 1
        self.mean *= ADAM_BETA1
        np.multiply(grads, 1.0 - ADAM_BETA1, out=self.scratch)
        self.mean += self.scratch
        self.square_mean *= ADAM_BETA2
        np.multiply(grads, grads, out=self.scratch)
        self.scratch *= 1.0 - ADAM_BETA2
        self.square_mean += self.scratch
        # Bias correction folded into two scalars: lr_t * m / (sqrt(v / c2) + eps)
        correction1 = 1.0 - ADAM_BETA1**self.t
        correction2 = 1.0 - ADAM_BETA2**self.t
        np.multiply(self.square_mean, 1.0 / correction2, out=self.denominator)
        np.sqrt(self.denominator, out=self.denominator)
        self.denominator += ADAM_EPSILON
        np.divide(self.mean, self.denominator, out=self.scratch)
        self.scratch *= learning_rate / correction1
        params -= self.scratch


OPTIMIZERS: dict[str, Callable[[int], Optimizer]] = {
    cls.name: cls for cls in (Optimizer, Momentum, Adam)
}
