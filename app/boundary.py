"""The output of every neuron over a grid of the input plane, in one vectorised pass.

Imports numpy, the standard library and the engine only: no web code.

``Evaluator`` stacks, once per network and data, the feature rows of a
``grid_size``² grid (the big output view), of a ``thumb_size``² grid (the
neuron thumbnails) and of every train and test point, and runs them through
the network in float32 with preallocated buffers. One ``run(params)`` per
frame then gives every map and every data output; float32 halves the cost
and is far finer than the 8-bit colours the maps end up as.

Grids are row-major with row 0 at the top of the plane (x2 = +extent) and
column 0 at its left (x1 = -extent), sampled at cell centres, so a grid
reshaped to (size, size) is an image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.data import DataSplit, inputs_with_ones
from app.nn.activations import ACTIVATIONS
from app.nn.mlp import Workspace, block_views, forward_pass, parameter_count

Array = np.ndarray


# Value range each activation's map is coloured over; unbounded ones saturate
# beyond ±1 as in TensorFlow Playground.
ACTIVATION_RANGES: dict[str, tuple[float, float]] = {
    "linear": (-1.0, 1.0),
    "relu": (-1.0, 1.0),
    "leaky_relu": (-1.0, 1.0),
    "tanh": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
}


def grid_points(size: int, extent: float) -> Array:
    """Cell centres of a size × size grid over [-extent, extent]²: (size², 2) as (x1, x2)."""
    step = 2.0 * extent / size
    centres = -extent + step * (np.arange(size) + 0.5)
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


class Evaluator:
    """Float32 forward passes over grid rows and data rows for one network shape.

    Row blocks of the stacked input: [main grid | thumbnail grid | train | test].
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activations: Sequence[str],
        features: tuple[str, ...],
        data: DataSplit,
        grid_size: int,
        thumb_size: int,
        extent: float,
    ) -> None:
        self.grid_size, self.thumb_size = grid_size, thumb_size
        self.functions = tuple(ACTIVATIONS[a] for a in activations)
        blocks = [
            inputs_with_ones(grid_points(grid_size, extent), features),
            inputs_with_ones(grid_points(thumb_size, extent), features),
            data.train_inputs,
            data.test_inputs,
        ]
        bounds = np.cumsum([0] + [b.shape[0] for b in blocks])
        self.main_rows = slice(bounds[0], bounds[1])
        self.thumb_rows = slice(bounds[1], bounds[2])
        self.train_rows = slice(bounds[2], bounds[3])
        self.test_rows = slice(bounds[3], bounds[4])
        self.workspace = Workspace(sizes, int(bounds[-1]), np.float32)
        self.workspace.inputs[...] = np.vstack(blocks)
        grid_features = blocks[0][:, :-1]
        # (lo, hi) each neuron's map is coloured over: an input by its range on the plane,
        # any other neuron by its activation's range
        lows, highs = grid_features.min(axis=0), grid_features.max(axis=0)
        self.map_ranges: list[list[tuple[float, float]]] = [
            [(float(lo), float(hi)) for lo, hi in zip(lows, highs, strict=True)]
        ] + [[ACTIVATION_RANGES[a]] * width for a, width in zip(activations, sizes[1:], strict=True)]
        self.params = np.zeros(parameter_count(sizes), np.float32)
        self.blocks = block_views(self.params, sizes)
        self.train_targets = data.train_targets.astype(np.float32)
        self.test_targets = data.test_targets.astype(np.float32)

    def run(self, params: Array) -> None:
        """Evaluate the network whose flat float64 parameters are ``params``."""
        with np.errstate(all="ignore"):  # a diverging network may overflow float32; callers check
            np.copyto(self.params, params, casting="same_kind")
            forward_pass(self.blocks, self.functions, self.workspace, self.workspace.inputs)

    def layer_map(self, layer: int, rows: slice) -> Array:
        """Activations of every neuron of a layer over one grid: (d_layer, size²) copy."""
        return self.workspace.A[layer][rows].T.copy()

    def outputs(self, rows: slice) -> tuple[Array, Array]:
        """Output pre-activation Z and activation A over a row block: (n, d_L) views."""
        return self.workspace.Z[-1][rows], self.workspace.A[-1][rows]

