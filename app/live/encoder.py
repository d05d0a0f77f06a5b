"""Binary messages: the ``frame``, ``dataset`` and ``history`` envelopes of docs/protocol.md.

An envelope is a little-endian uint32 header length, a UTF-8 JSON header,
zero padding to a multiple of 4 bytes, then the arrays, each 4-byte aligned
so the browser can view them as typed arrays without copying. Maps travel as
uint8 over a stated range, weights as float32, gradients as float16: never
JSON float lists, which cost about 100 times more to encode.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np

from app.data.datasets import Problem
from app.data.split import DataSplit
from app.training.evaluation import PartMetrics
from app.training.history import FIGURES, History
from app.training.session import TrainingSession
from app.training.snapshot import Snapshot
from app.training.trace import trace

ALIGNMENT = 4  # bytes; every array starts at a multiple of this from the payload start
LEVELS = 255  # a uint8 map byte q stands for lo + q / LEVELS * (hi - lo)
FLOAT16_MAX = 65504.0  # the largest finite float16
FLOAT32_MAX = float(np.finfo(np.float32).max)  # the largest finite float32
UINT32_MAX = 2**32 - 1  # counters beyond this are clipped on the wire
DTYPE_NAMES = {np.dtype(t): np.dtype(t).name for t in (np.float32, np.float16, np.uint8, np.uint32)}  # str(dtype)
# is a Python-level call in numpy, a few percent of a frame's encoding


def json_safe(value: Any) -> Any:
    """A copy of nested lists/dicts with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def quantize(values: np.ndarray, lo: float | np.ndarray, hi: float | np.ndarray) -> np.ndarray:
    """Map values in [lo, hi] to uint8 0..255 (clipped; NaN becomes lo).

    lo and hi may be arrays that broadcast against values (one range per row).
    """
    scaled = (values - lo) * (LEVELS / (hi - lo))
    np.fmax(scaled, 0.0, out=scaled)  # fmax/fmin return the number where the other side is NaN
    np.fmin(scaled, LEVELS, out=scaled)
    scaled += 0.5
    return scaled.astype(np.uint8)


def _float16(values: np.ndarray) -> np.ndarray:
    return np.clip(values, -FLOAT16_MAX, FLOAT16_MAX).astype(np.float16)


class Envelope:
    """Collects named arrays into one binary message."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.entries: list[dict[str, Any]] = []
        self.size = 0

    def add(self, name: str, array: np.ndarray) -> None:
        """Append an array (float32, float16 or uint8), padded to the next alignment boundary."""
        padding = -self.size % ALIGNMENT
        if padding:
            self.chunks.append(bytes(padding))
            self.size += padding
        data = np.ascontiguousarray(array).tobytes()
        dtype = DTYPE_NAMES.get(array.dtype) or str(array.dtype)
        self.entries.append({"name": name, "dtype": dtype, "offset": self.size, "length": array.size})
        self.chunks.append(data)
        self.size += len(data)

    def pack(self, header: dict[str, Any]) -> bytes:
        """The whole message: length, header (with the array table), padding, payload."""
        header = {**header, "arrays": self.entries}
        try:
            text = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
        except ValueError:  # a NaN slipped through: never let it reach the browser's JSON.parse
            text = json.dumps(json_safe(header), separators=(",", ":")).encode()
        padding = -(4 + len(text)) % ALIGNMENT
        return b"".join([struct.pack("<I", len(text)), text, bytes(padding), *self.chunks])


def message_type(message: str | bytes) -> str:
    """The ``type`` of a JSON message or of a binary envelope's header."""
    if isinstance(message, str):
        return str(json.loads(message)["type"])
    (length,) = struct.unpack_from("<I", message)
    return str(json.loads(message[4 : 4 + length])["type"])


def _metrics(part: PartMetrics) -> dict[str, Any]:
    return {
        "cost": part.cost,
        "accuracy": part.accuracy,
        "confusion": None if part.confusion is None else part.confusion.tolist(),
        "rmse": part.rmse,
        "r2": part.r2,
    }


def _compact(ranges: list[tuple[float, float]]) -> list[list[float]]:
    """One [lo, hi] per neuron, or a single pair when the whole layer shares it."""
    if all(r == ranges[0] for r in ranges):
        return [list(ranges[0])]
    return [list(r) for r in ranges]


def encode_frame(snapshot: Snapshot, seq: int, trace: dict[str, Any] | None = None,
                 diagnoses: list[dict[str, Any]] | None = None, *, is_compact: bool = False,
                 checkpoints: dict[str, Any] | None = None) -> bytes:
    """One ``frame`` message from a snapshot, the selected sample's trace, the live diagnoses and the
    run's kept checkpoints (see docs/protocol.md); compact: float16 weights and biases, for a class's followers."""
    envelope = Envelope()
    weights = np.concatenate([w.ravel() for w in snapshot.weights])
    biases = np.concatenate(snapshot.biases)
    envelope.add("weights", _float16(weights) if is_compact else weights.astype(np.float32))
    envelope.add("biases", _float16(biases) if is_compact else biases.astype(np.float32))
    envelope.add("weight_grads", _float16(np.concatenate([g.ravel() for g in snapshot.weight_grads])))
    envelope.add("bias_grads", _float16(np.concatenate(snapshot.bias_grads)))
    # A frame without "output" or "neuron_maps" (nobody sees them, or the maps were not recomputed):
    # the page keeps the last ones it has.
    if snapshot.output_map is not None and snapshot.output_map.ndim == 2:  # multi-class: probabilities (cells, k)
        envelope.add("output", snapshot.output_map.argmax(axis=1).astype(np.uint8))
        envelope.add("output_confidence", quantize(snapshot.output_map.max(axis=1), 0.0, 1.0))
    elif snapshot.output_map is not None:
        envelope.add("output", quantize(snapshot.output_map, -1.0, 1.0))
    if snapshot.neuron_maps is not None:
        ranges = np.array([r for layer in snapshot.map_ranges for r in layer], dtype=np.float32)
        envelope.add("neuron_maps",
                     quantize(np.concatenate(snapshot.neuron_maps), ranges[:, :1], ranges[:, 1:]).ravel())
    if snapshot.selected is not None and snapshot.selected_map is not None:
        layer, index = snapshot.selected
        lo, hi = snapshot.map_ranges[layer][index]
        envelope.add("selected_map", quantize(snapshot.selected_map, lo, hi))
    header = {
        "type": "frame",
        "seq": seq,
        "status": snapshot.status,
        "message": snapshot.message,
        "step": snapshot.step,
        "epoch": snapshot.epoch,
        "examples": snapshot.examples,
        "train": _metrics(snapshot.train),
        "test": _metrics(snapshot.test),
        "penalty": snapshot.penalty,
        "grad_norms": snapshot.grad_norms,
        "sizes": list(snapshot.sizes),
        "grid_size": snapshot.grid_size,
        "thumb_size": snapshot.thumb_size,
        "map_ranges": [_compact(ranges) for ranges in snapshot.map_ranges],
        "selected": None if snapshot.selected is None else list(snapshot.selected),
        "trace": None if trace is None else json_safe(trace),
        "diagnoses": json_safe(diagnoses or []),
        "checkpoints": checkpoints,
    }
    return envelope.pack(header)


def encode_dataset(data: DataSplit) -> bytes:
    """One ``dataset`` message: training points first, then test points."""
    dataset = data.dataset
    order = np.concatenate([data.train_index, data.test_index])
    envelope = Envelope()
    envelope.add("points", dataset.points[order].astype(np.float32).ravel())
    envelope.add("labels", dataset.labels[order].astype(np.float32))
    return envelope.pack({
        "type": "dataset",
        "problem": dataset.problem.value,
        "n_classes": dataset.n_classes,
        "n_train": len(data.train_index),
        "n_test": len(data.test_index),
    })


def encode_history(history: History, problem: Problem) -> bytes:
    """One ``history`` message: the run's cost curve, with a bit mask for the figures that are known."""
    envelope = Envelope()
    envelope.add("step", np.minimum(history.steps, UINT32_MAX).astype(np.uint32))
    envelope.add("epoch", np.minimum(history.epochs, UINT32_MAX).astype(np.uint32))
    present = np.zeros(len(history), dtype=np.uint8)
    for bit, name in enumerate(FIGURES):
        values = history.figures[name]
        known = np.isfinite(values)
        present |= known.astype(np.uint8) << bit
        envelope.add(name, np.where(known, np.clip(values, -FLOAT32_MAX, FLOAT32_MAX), 0.0).astype(np.float32))
    envelope.add("present", present)
    metric = "r2" if problem == Problem.REGRESSION else "accuracy"
    return envelope.pack({"type": "history", "length": len(history), "metric": metric})


def trace_header(session: TrainingSession, selection: dict[str, Any],
                 selected_neuron: tuple[int, int] | None) -> dict[str, Any]:
    """The frame's ``trace``: one sample through the network, and the arithmetic of one neuron.

    The neuron is the selected one, or the first output neuron when none (or an input) is selected.
    """
    sample = trace(session, **selection)
    layer, index = selected_neuron or (0, 0)
    if layer == 0:
        layer, index = len(session.mlp.sizes) - 1, 0
    return {
        "part": sample.part,
        "index": sample.index,
        "point": list(sample.point),
        "label": sample.label,
        "target": None if sample.target is None else sample.target.tolist(),
        "cost": sample.cost,
        "output": sample.A[-1].tolist(),
        "neuron": sample.neuron(session, layer, index),
    }
