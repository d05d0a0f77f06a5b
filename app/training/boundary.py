"""The output of every neuron over a grid of the input plane, computed vectorised.

Imports numpy, the standard library and the engine only: no web code.

``Evaluator`` prepares, once per network and data, the feature rows of a
``grid_size``² grid (the big output view), of a ``thumb_size``² grid (the
neuron thumbnails) and of every train and test point; the grids' feature rows
depend only on the features, the grid and the extent, so every session with
those shares one read-only copy (``grid_features``). One ``run(params)``
per frame then evaluates them in float32 with preallocated buffers: the
thumbnail grid keeps every layer; the big grid and the data are streamed in
chunks of ``CHUNK_ROWS`` rows that keep only the output (and one selected
neuron), so a frame's working set stays in the CPU cache even with many
sessions. float32 halves the cost and is far finer than the 8-bit colours
the maps end up as. A frame that shows no neuron maps, or no output (a hidden
page), skips their grid: the other figures are computed exactly as before.

Grids are row-major with row 0 at the top of the plane (x2 = +extent) and
column 0 at its left (x1 = -extent), sampled at cell centres, so a grid
reshaped to (size, size) is an image.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from app.data.split import DataSplit, inputs_with_ones
from app.nn.activations import ACTIVATIONS
from app.nn.mlp import Workspace, block_views, forward_pass, parameter_count

Array = np.ndarray


CHUNK_ROWS = 1024  # grid rows evaluated together; three 1024 x 16 float32 buffers fit a core's cache

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


GRID_CACHE_SIZE = 64  # (features, grid size, extent) combinations whose feature rows are kept for every session


@lru_cache(maxsize=GRID_CACHE_SIZE)
def grid_features(size: int, extent: float, features: tuple[str, ...]) -> Array:
    """The feature rows of a size × size grid with a ones column: (size², len(features) + 1) float64, read-only.

    Cached: sessions with the same features share one copy instead of computing (and holding) their own.
    """
    rows = inputs_with_ones(grid_points(size, extent), features)
    rows.flags.writeable = False
    return rows


@lru_cache(maxsize=GRID_CACHE_SIZE)
def grid_features32(size: int, extent: float, features: tuple[str, ...]) -> Array:
    """``grid_features`` without the ones column, in float32 (what the streamed passes read), read-only."""
    rows = grid_features(size, extent, features)[:, :-1].astype(np.float32)
    rows.flags.writeable = False
    return rows


class Evaluator:
    """Float32 forward passes over the grids and the data for one network shape.

    After ``run(params, selected)``: ``grid_output`` (grid_size², d_L) is the
    output over the main grid, ``selected_map`` (grid_size²,) the selected
    neuron there (or None), ``thumb_maps(l)`` every neuron of layer l over the
    thumbnail grid, and ``train_outputs()`` / ``test_outputs()`` the output
    layer's Z and A on the data.
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
        grid_inputs = grid_features(grid_size, extent, features)
        # (lo, hi) each neuron's map is coloured over: an input by its range on the plane,
        # any other neuron by its activation's range
        lows, highs = grid_inputs[:, :-1].min(axis=0), grid_inputs[:, :-1].max(axis=0)
        self.map_ranges: list[list[tuple[float, float]]] = [
            [(float(lo), float(hi)) for lo, hi in zip(lows, highs, strict=True)]
        ] + [[ACTIVATION_RANGES[a]] * width for a, width in zip(activations, sizes[1:], strict=True)]
        self.grid_inputs = grid_features32(grid_size, extent, features)
        self.data_inputs = np.vstack([data.train_inputs, data.test_inputs])[:, :-1].astype(np.float32)
        self.n_train = len(data.train_index)
        self.thumbs = Workspace(sizes, thumb_size * thumb_size, np.float32)
        self.thumbs.inputs[...] = grid_features(thumb_size, extent, features)
        self.params = np.zeros(parameter_count(sizes), np.float32)
        self.blocks = block_views(self.params, sizes)
        # One buffer for z and two for activations, used in turn: a chunk's pass stays in cache.
        self.chunk_buffers = [np.empty(CHUNK_ROWS * max(sizes), np.float32) for _ in range(3)]
        self.grid_output = np.empty((grid_size * grid_size, sizes[-1]), np.float32)
        self.selected_map: Array | None = None
        self.data_Z = np.empty((len(self.data_inputs), sizes[-1]), np.float32)
        self.data_A = np.empty_like(self.data_Z)
        self.train_targets = data.train_targets.astype(np.float32)
        self.test_targets = data.test_targets.astype(np.float32)

    def run(self, params: Array, selected: tuple[int, int] | None = None, *, with_maps: bool = True,
            with_output: bool = True) -> None:
        """Evaluate the network whose flat float64 parameters are ``params``: the data always, the thumbnail
        grid only ``with_maps`` and the main grid (output and selected neuron) only ``with_output``; what is
        skipped keeps its last values."""
        with np.errstate(all="ignore"):  # a diverging network may overflow float32; callers check
            np.copyto(self.params, params, casting="same_kind")
            if with_maps:
                forward_pass(self.blocks, self.functions, self.thumbs, self.thumbs.inputs)
            if with_output:
                self.selected_map = None if selected is None else np.empty(len(self.grid_inputs), np.float32)
                self._stream(self.grid_inputs, self.grid_output, None, selected)
            self._stream(self.data_inputs, self.data_A, self.data_Z, None)

    def _stream(self, inputs: Array, out_A: Array, out_Z: Array | None, selected: tuple[int, int] | None) -> None:
        """Forward ``inputs`` chunk by chunk, keeping only the output (and the selected neuron)."""
        if selected is not None and selected[0] == 0 and self.selected_map is not None:
            self.selected_map[...] = inputs[:, selected[1]]
        z_buffer, *activation_buffers = self.chunk_buffers
        for start in range(0, len(inputs), CHUNK_ROWS):
            rows = min(CHUNK_ROWS, len(inputs) - start)
            layer_input = inputs[start : start + rows]
            for l, (block, function) in enumerate(zip(self.blocks, self.functions, strict=True)):
                width = block.shape[1]
                Z = z_buffer[: rows * width].reshape(rows, width)
                np.dot(layer_input, block[:-1], out=Z)
                Z += block[-1]
                A = activation_buffers[l % 2][: rows * width].reshape(rows, width)
                function.forward(Z, A)
                if selected is not None and selected[0] == l + 1 and self.selected_map is not None:
                    self.selected_map[start : start + rows] = A[:, selected[1]]
                layer_input = A
            out_A[start : start + rows] = layer_input
            if out_Z is not None:
                out_Z[start : start + rows] = Z

    def thumb_maps(self, layer: int) -> Array:
        """Activations of every neuron of a layer over the thumbnail grid: (d_layer, thumb_size²) copy."""
        return self.thumbs.A[layer].T.copy()

    def train_outputs(self) -> tuple[Array, Array]:
        """Output-layer Z and A on the training points: (n_train, d_L) views."""
        return self.data_Z[: self.n_train], self.data_A[: self.n_train]

    def test_outputs(self) -> tuple[Array, Array]:
        """Output-layer Z and A on the test points: (n_test, d_L) views."""
        return self.data_Z[self.n_train :], self.data_A[self.n_train :]
