"""The formulas behind one neuron's backward pass, as the page writes them.

Imports the engine's constants and the standard library only: no web code.

The page never does maths, so it cannot know that the slope of tanh is 1 − a² or that the
cost's slope under mean squared error is a − t: the trace sends these texts with the numbers,
chosen here for the neuron's activation, its layer and the run's cost. Each text is in the
terms the numbers beside it use: a, t, z, and wₖ, dC/dzₖ for the neurons a hidden one feeds.
"""

from __future__ import annotations

from app.nn.activations import LEAKY_RELU_SLOPE

SLOPES = {  # f′(z) of each element-wise activation, in terms of z or a
    "linear": "1",
    "relu": "1 if z > 0, else 0",
    "leaky_relu": f"1 if z > 0, else {LEAKY_RELU_SLOPE:g}",
    "tanh": "1 − a²",
    "sigmoid": "a(1 − a)",
}
HIDDEN_COST_SLOPE = "Σₖ wₖ · dC/dzₖ"  # what the neurons a hidden neuron feeds pass back
CROSS_ENTROPY_COST_SLOPES = {  # dC/da of binary cross-entropy, written so that dC/da · f′(z) = a − t
    "sigmoid": "(a − t) / (a(1 − a))",
    "tanh": "(a − t) / (1 − a²)",
}
CHAIN = "dC/da · f′(z)"  # dC/dz wherever dC/da and f′(z) exist on their own
SOFTMAX_DELTAS = {  # dC/dz of a softmax output, where the outputs are coupled
    "cce": "a − t",
    "mse": "a((a − t) − Σⱼ aⱼ(aⱼ − tⱼ))",
}


def formulas(activation: str, cost: str, is_output: bool) -> dict[str, str | None]:
    """{"cost_slope", "slope", "delta"}: the texts of dC/da, f′(z) and dC/dz for one neuron
    (dC/da and f′(z) are None for a softmax output: only dC/dz is defined per neuron)."""
    if activation == "softmax":
        return {"cost_slope": None, "slope": None, "delta": SOFTMAX_DELTAS[cost]}
    if not is_output:
        cost_slope = HIDDEN_COST_SLOPE
    elif cost == "mse":
        cost_slope = "a − t"
    else:
        cost_slope = CROSS_ENTROPY_COST_SLOPES[activation]
    return {"cost_slope": cost_slope, "slope": SLOPES[activation], "delta": CHAIN}
