"""The arithmetic of one sample through the network, neuron by neuron.

Imports numpy, the standard library and the engine only: no web code.
For one point this records what every neuron received, how it weighted and
summed it, its bias, z, activation and output, and, when the point has a
label, the cost and every neuron's error term dC/dz for that point alone
(the backward pass of a batch of one). For the neuron a learner looks at it
also spells out the backward pass (dC/da, f'(z), dC/dw, dC/db) and the update
one optimiser step on this point alone would make (``app.training.update``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app.data.datasets import show_value
from app.data.split import inputs_with_ones
from app.i18n import refusal
from app.nn.activations import derivative
from app.nn.losses import cost
from app.training.digits import CHANGE_SIGNIFICANT, Equation, adding_up, decimals_for
from app.training.formulas import formulas
from app.training.update import neuron_update

if TYPE_CHECKING:
    from app.training.session import TrainingSession

Array = np.ndarray
PARTS = ("train", "test")  # which points a trace can name by index


@dataclass(frozen=True)
class SampleTrace:
    """One point's forward (and backward) pass.

    Z[l], A[l]: (d_l,) for layers 0..L (layer 0: the input features);
    delta[l]: (d_l,) dC/dz of this point alone, or None without a target.
    """

    part: str
    index: int | None
    point: tuple[float, float]
    Z: list[Array]
    A: list[Array]
    delta: list[Array] | None
    target: Array | None
    label: float | None
    cost: float | None

    def neuron(self, session: TrainingSession, layer: int, index: int) -> dict[str, object]:
        """The numbers of one neuron (layer >= 1): the forward pass (inputs, weights, products, sum,
        bias, z, a) and, with a target, the backward pass and one step's update (else None)."""
        inputs = self.A[layer - 1]
        weights = session.mlp.weights[layer - 1][:, index]
        products = inputs * weights
        weighted_sum, z = float(products.sum()), float(self.Z[layer][index])
        bias = float(session.mlp.biases[layer - 1][index])
        # the shown products add up to the shown Σ, and the shown Σ and b to the shown z
        decimals, is_exact = adding_up(
            [Equation(products.tolist(), weighted_sum), Equation([weighted_sum, bias], z)],
            decimals_for([*products.tolist(), weighted_sum, bias, z]))
        return {
            "layer": layer,
            "index": index,
            "activation": session.mlp.activations[layer - 1],
            "inputs": inputs.tolist(),
            "weights": weights.tolist(),
            "products": products.tolist(),
            "weighted_sum": weighted_sum,
            "bias": bias,
            "z": z,
            "decimals": decimals,
            "is_exact": is_exact,
            "a": float(self.A[layer][index]),
            "delta": None if self.delta is None else float(self.delta[layer][index]),
            "backward": None if self.delta is None else self._backward(session, layer, index),
        }

    def _backward(self, session: TrainingSession, layer: int, index: int) -> dict[str, object]:
        """dC/da, f'(z), dC/dz, dC/dw per incoming weight, dC/db and the update, for this point alone."""
        assert self.delta is not None
        mlp = session.mlp
        delta = float(self.delta[layer][index])
        cost_slope, slope = self._slopes(session, layer, index)
        gradients = np.append(self.A[layer - 1] * delta, delta)  # dC/dw_i = dC/dz · a_i, then dC/db
        is_output = layer == len(mlp.sizes) - 1
        activation = mlp.activations[layer - 1]
        update = neuron_update(session.trainer, layer, index, gradients)
        for row in update["params"]:
            row |= _update_decimals(row)
        return {
            "cost_slope": _finite(cost_slope),
            "slope": _finite(slope),
            "delta": delta,
            "weight_grads": gradients[:-1].tolist(),
            "bias_grad": delta,
            "is_output": is_output,
            "formulas": formulas(activation, session.config.cost, is_output),
            **self._backward_terms(session, layer, index, cost_slope),
            "update": {**update, "batch_rows": session.batch_rows},
        }

    def _backward_terms(self, session: TrainingSession, layer: int, index: int,
                        cost_slope: float | None) -> dict[str, object]:
        """The numbers a learner adds by hand one step back: for an output neuron its target t (in
        the output activation's own terms: −1 or 1 under tanh, 0 or 1 under sigmoid, one-hot under
        softmax) and a − t; for a hidden neuron the term wₖ · dC/dzₖ of every neuron k it feeds,
        whose sum is dC/da; with the decimals at which the shown terms add up."""
        assert self.delta is not None
        a = float(self.A[layer][index])
        if layer == len(session.mlp.sizes) - 1:
            assert self.target is not None
            t = float(self.target[index])
            total = a - t  # dC/da under MSE, dC/dz of a fused cross-entropy output
            decimals, is_exact = adding_up([Equation([a, -t], total)], decimals_for([a, t, total]))
            return {"target": t, "feeds": None, "a_minus_t": total, "decimals": decimals, "is_exact": is_exact}
        weights = session.mlp.weights[layer][index]  # (d_{l+1},) to every neuron it feeds
        deltas = self.delta[layer + 1]
        terms = weights * deltas
        assert cost_slope is not None
        decimals, is_exact = adding_up([Equation(terms.tolist(), cost_slope)],
                                       decimals_for([*terms.tolist(), cost_slope]))
        feeds = [{"index": k, "weight": float(weights[k]), "delta": float(deltas[k]), "term": float(terms[k])}
                 for k in range(len(terms))]
        return {"target": None, "feeds": feeds, "a_minus_t": None, "decimals": decimals, "is_exact": is_exact}

    def _slopes(self, session: TrainingSession, layer: int, index: int) -> tuple[float | None, float | None]:
        """(dC/da, f'(z)) of one neuron for this point; None where they do not exist on their own
        (softmax couples its outputs, so only dC/dz = a - t is defined per neuron)."""
        mlp = session.mlp
        activation = mlp.activations[layer - 1]
        assert self.delta is not None
        if activation == "softmax":
            return None, None
        z, a = self.Z[layer][index:index + 1], float(self.A[layer][index])
        slope = float(derivative(activation, z.reshape(1, 1))[0, 0])
        if layer < len(mlp.sizes) - 1:  # dC/da sums what every neuron it feeds passes back
            return float(mlp.weights[layer][index] @ self.delta[layer + 1]), slope
        assert self.target is not None
        t = float(self.target[index])
        with np.errstate(all="ignore"):
            if session.config.cost == "mse":
                return a - t, slope
            # cross-entropy: dC/dz = a - t, so dC/da = (a - t) / f'(z): over 1 - a² for tanh (t = ±1),
            # over a (1 - a) for sigmoid
            if activation == "tanh":
                return (a - t) / (1.0 - a * a), slope
            return (a - t) / (a * (1.0 - a)), slope


def _update_decimals(row: dict[str, float | None]) -> dict[str, object]:
    """The decimals at which a parameter's shown value and change add up to its shown new value,
    starting where the change shows CHANGE_SIGNIFICANT significant digits, so that it shows moving."""
    value, step, new_value = row["value"], row["step"], row["new_value"]
    if value is None or step is None or new_value is None:
        return {"decimals": decimals_for([]), "is_exact": False}
    start = max(decimals_for([value, new_value]), decimals_for([step], CHANGE_SIGNIFICANT))
    decimals, is_exact = adding_up([Equation([value, step], new_value)], start)
    return {"decimals": decimals, "is_exact": is_exact}


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def trace(session: TrainingSession, part: str, index: int | None = None,
          point: tuple[float, float] | None = None) -> SampleTrace:
    """Trace training/test point ``index`` (part 'train' or 'test'), or any ``point`` (part 'point')."""
    data = session.data
    target = label = None
    if part in PARTS:
        indices = data.train_index if part == "train" else data.test_index
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(indices):
            raise refusal("index", "error.trace.index_train" if part == "train" else "error.trace.index_test",
                          last=len(indices) - 1, got=show_value(index))
        targets = data.train_targets if part == "train" else data.test_targets
        target = targets[index : index + 1]
        label = float(data.dataset.labels[indices[index]])
        xy = data.dataset.points[indices[index]]
    elif part == "point" and point is not None:
        try:
            xy = np.asarray(point, dtype=np.float64)
        except (TypeError, ValueError):
            xy = np.full(2, np.nan)
        if xy.shape != (2,) or not np.all(np.abs(xy) <= session.extent):  # also refuses NaN
            raise refusal("point", "error.trace.point", limit=session.extent, got=repr(point))
    else:
        raise refusal("part", "error.trace.part")
    mlp = session.mlp
    X = inputs_with_ones(xy.reshape(1, 2), session.config.features)[:, :-1]
    forward = mlp.forward(X)
    delta, value = None, None
    if target is not None:
        grads = mlp.backward(forward, target, session.config.cost)
        delta = [d[0].copy() for d in grads.delta]
        value = cost(session.config.cost, forward.Z[-1], forward.output, target, mlp.output_activation)
    return SampleTrace(
        part=part,
        index=index if part in PARTS else None,
        point=(float(xy[0]), float(xy[1])),
        Z=[z[0].copy() for z in forward.Z],
        A=[a[0].copy() for a in forward.A],
        delta=delta,
        target=None if target is None else target[0].copy(),
        label=label,
        cost=value,
    )
