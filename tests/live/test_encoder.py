"""Binary frames: layout, quantisation, size, and safety with non-finite numbers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.data.features import FEATURES
from app.live.encoder import FLOAT16_MAX, encode_dataset, encode_frame, quantize
from app.live.runner import thumb_size
from app.live.settings import KIB, Settings
from app.training.config import MAX_HIDDEN_LAYERS, MAX_NEURONS, config_from_dict
from app.training.session import TrainingSession
from tests.live.conftest import decode_binary

LARGEST = {"features": list(FEATURES), "hidden_layers": [MAX_NEURONS] * MAX_HIDDEN_LAYERS}
FRAME_BUDGET_BYTES = 32 * KIB  # the most one frame of the largest network may take, every map included


def frame_of(session: TrainingSession, selected: tuple[int, int] | None = None) -> dict:
    settings = Settings()
    snapshot = session.snapshot(settings.grid_size, thumb_size(session.mlp.sizes, settings), selected)
    return decode_binary(encode_frame(snapshot, seq=1))


def test_frame_arrays_round_trip() -> None:
    session = TrainingSession()
    session.train(50)
    frame = frame_of(session, selected=(1, 2))
    weights = np.concatenate([w.ravel() for w in session.mlp.weights]).astype(np.float32)
    assert np.array_equal(frame["arrays"]["weights"], weights)
    assert np.array_equal(frame["arrays"]["biases"], np.concatenate(session.mlp.biases).astype(np.float32))
    grads = np.concatenate([g[:-1].ravel() for g in session.trainer.grad_blocks])
    assert np.allclose(frame["arrays"]["weight_grads"], grads, rtol=1e-3, atol=1e-6)
    assert frame["arrays"]["selected_map"].size == 64 * 64
    assert frame["sizes"] == [2, 4, 2, 1] and frame["step"] == 50


def test_every_array_starts_4_byte_aligned() -> None:
    frame = frame_of(TrainingSession(), selected=(0, 1))
    assert all(entry_offset % 4 == 0 for entry_offset in
               (a.ctypes.data - frame["arrays"]["weights"].ctypes.data for a in frame["arrays"].values()))


def test_quantize_maps_the_range_onto_bytes() -> None:
    values = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, np.nan])
    assert quantize(values, -1.0, 1.0).tolist() == [0, 0, 128, 191, 255, 255, 0]


def test_the_largest_network_fits_the_frame_budget() -> None:
    session = TrainingSession(config_from_dict(LARGEST))
    data = encode_frame(session.snapshot(64, thumb_size(session.mlp.sizes, Settings())), seq=1)
    assert len(data) <= FRAME_BUDGET_BYTES
    assert decode_binary(data)["thumb_size"] >= Settings().min_thumb_size


def test_a_small_network_gets_sharper_maps_than_a_large_one() -> None:
    settings = Settings()
    assert thumb_size((2, 4, 2, 1), settings) == settings.max_thumb_size
    assert thumb_size((9, *[16] * 8, 1), settings) < settings.max_thumb_size


def test_non_finite_numbers_never_reach_the_wire() -> None:
    session = TrainingSession()
    snapshot = session.snapshot(16, 8)
    broken = replace(
        snapshot,
        weight_grads=[np.full_like(g, np.inf) for g in snapshot.weight_grads],
        output_map=np.full_like(snapshot.output_map, np.nan),
        penalty=float("nan"),
    )
    frame = decode_binary(encode_frame(broken, seq=2, trace={"cost": float("inf"), "output": [float("nan")]}))
    assert np.all(np.abs(frame["arrays"]["weight_grads"].astype(np.float64)) <= FLOAT16_MAX)
    assert frame["penalty"] is None and frame["trace"] == {"cost": None, "output": [None]}


@pytest.mark.parametrize("changes", [{}, {"dataset": "spiral_arms", "classes": 5}, {"dataset": "multi_gauss"}])
def test_dataset_message_lists_training_points_first(changes: dict) -> None:
    session = TrainingSession(config_from_dict(changes))
    message = decode_binary(encode_dataset(session.data))
    n_train = message["n_train"]
    points = message["arrays"]["points"].reshape(-1, 2)
    expected = session.data.dataset.points[session.data.train_index].astype(np.float32)
    assert np.array_equal(points[:n_train], expected)
    assert message["problem"] == session.problem.value


def test_multiclass_frames_send_class_and_confidence() -> None:
    session = TrainingSession(config_from_dict({"dataset": "blobs", "classes": 3}))
    session.train(300)
    frame = frame_of(session)
    classes = frame["arrays"]["output"]
    assert set(np.unique(classes).tolist()) == {0, 1, 2}
    assert frame["arrays"]["output_confidence"].min() >= 255 // 3 - 1
