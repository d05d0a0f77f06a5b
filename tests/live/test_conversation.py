"""Conversations with the real app over a websocket: each test reads as a short script."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.live.runner import Runner
from tests.live.conftest import Conversation


def test_connect_sends_hello_session_dataset_and_a_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        talk = Conversation(websocket)
        hello = talk.receive()
        assert hello["type"] == "hello" and hello["protocol_version"] == 2
        assert (hello["role"], hello["resume"], hello["room"]) == ("owner", "new", None)
        assert hello["fields"]["learning_rate"]["maximum"] == 10.0
        assert {d["name"] for d in hello["options"]["dataset"]} >= {"circle", "xor", "spiral", "blobs", "plane"}
        session = talk.receive()
        assert session["type"] == "session" and session["status"] == "idle"
        assert session["config"]["hidden_layers"] == [4, 2] and session["sizes"] == [2, 4, 2, 1]
        dataset = talk.receive()
        assert dataset["type"] == "dataset" and dataset["n_train"] + dataset["n_test"] == 500
        assert dataset["arrays"]["points"].shape == (1000,)
        history = talk.receive()
        assert history["type"] == "history" and history["length"] == 0 and history["metric"] == "accuracy"
        frame = talk.frame()
        assert frame["step"] == 0 and frame["arrays"]["weights"].size == 2 * 4 + 4 * 2 + 2 * 1
        assert frame["arrays"]["neuron_maps"].size == 9 * frame["thumb_size"] ** 2
        assert frame["arrays"]["output"].size == frame["grid_size"] ** 2


def test_play_trains_and_pause_stops(conversation: Conversation) -> None:
    conversation.send({"type": "play"})
    assert conversation.until_type("session")["status"] == "running"
    first = conversation.frame(lambda f: f["step"] > 0)
    later = conversation.frame(lambda f: f["epoch"] >= first["epoch"] + 3)
    assert later["train"]["cost"] < 0.7
    conversation.send({"type": "pause"})
    assert conversation.until_type("session")["status"] == "paused"


def test_step_takes_exactly_one_batch_or_one_epoch(conversation: Conversation) -> None:
    conversation.send({"type": "step"})
    assert conversation.frame(lambda f: f["step"] > 0)["step"] == 1
    conversation.send({"type": "step", "unit": "epoch", "count": 1})
    frame = conversation.frame(lambda f: f["epoch"] == 1)
    assert frame["step"] == 25  # 250 training points in batches of 10
    conversation.send({"type": "step", "unit": "batch", "count": 3})
    assert conversation.frame(lambda f: f["step"] >= 28)["step"] == 28


def test_step_while_running_is_refused_and_the_run_goes_on(conversation: Conversation) -> None:
    conversation.send({"type": "play"})
    conversation.until_type("session")
    conversation.send({"type": "step", "id": "s1"})
    error = conversation.error()
    assert error["field"] == "status" and error["id"] == "s1" and "pause" in error["message"]
    before = conversation.frame()["step"]
    assert conversation.frame(lambda f: f["step"] > before)["status"] == "running"


def test_reset_restores_the_starting_weights(conversation: Conversation) -> None:
    conversation.send({"type": "step", "unit": "epoch", "count": 2})
    trained = conversation.frame(lambda f: f["epoch"] == 2)
    conversation.send({"type": "reset"})
    reset = conversation.frame(lambda f: f["step"] == 0)
    conversation.send({"type": "new_weights"})
    fresh = conversation.frame(lambda f: f["step"] == 0 and f["seq"] > reset["seq"])
    assert not np.array_equal(trained["arrays"]["weights"], reset["arrays"]["weights"])
    assert not np.array_equal(fresh["arrays"]["weights"], reset["arrays"]["weights"])


def test_new_weights_and_regenerate_data_change_the_seeds(conversation: Conversation) -> None:
    conversation.send({"type": "new_weights"})
    session = conversation.until_type("session")
    assert session["config"]["seed"] != 0 and session["changed"] == ["seed"]
    conversation.send({"type": "regenerate_data"})
    session = conversation.until_type("session")
    assert session["config"]["data_seed"] != 0
    assert conversation.until_type("dataset")["n_train"] == 250


def test_configure_echoes_and_rebuilds(conversation: Conversation) -> None:
    conversation.send({"type": "configure", "changes": {"dataset": "blobs", "classes": 4,
                                                          "hidden_layers": [8, 8]}})
    session = conversation.until_type("session")
    assert session["problem"] == "multiclass" and session["sizes"] == [2, 8, 8, 4]
    assert session["config"]["output_activation"] == "softmax" and session["config"]["cost"] == "cce"
    assert conversation.until_type("dataset")["n_classes"] == 4
    frame = conversation.frame(lambda f: f["sizes"] == [2, 8, 8, 4])
    assert np.all(frame["arrays"]["output"] < 4)
    assert frame["arrays"]["output_confidence"].size == frame["grid_size"] ** 2
    assert len(frame["test"]["confusion"]) == 4


def test_training_settings_change_mid_run_without_a_reset(conversation: Conversation) -> None:
    conversation.send({"type": "step", "unit": "batch", "count": 5})
    conversation.frame(lambda f: f["step"] == 5)
    conversation.send({"type": "configure", "changes": {"learning_rate": 0.1, "optimizer": "adam", "batch_size": 3}})
    session = conversation.until_type("session")
    assert session["changed"] == ["batch_size", "learning_rate", "optimizer"]
    assert conversation.frame()["step"] == 5


def test_select_neuron_streams_its_map(conversation: Conversation) -> None:
    conversation.send({"type": "select_neuron", "layer": 1, "index": 2})
    frame = conversation.frame(lambda f: f["selected"] == [1, 2])
    assert frame["arrays"]["selected_map"].size == frame["grid_size"] ** 2
    conversation.send({"type": "select_neuron", "layer": 1, "index": 9})
    assert conversation.error()["field"] == "index"
    conversation.send({"type": "select_neuron", "layer": None, "index": None})
    assert "selected_map" not in conversation.frame(lambda f: f["selected"] is None)["arrays"]


def test_select_sample_streams_the_arithmetic_of_one_neuron(conversation: Conversation) -> None:
    conversation.send({"type": "select_neuron", "layer": 1, "index": 0})
    conversation.send({"type": "select_sample", "part": "train", "index": 5})
    neuron = conversation.frame(lambda f: f["trace"] is not None)["trace"]["neuron"]
    assert neuron["layer"] == 1 and len(neuron["inputs"]) == 2
    assert np.isclose(neuron["weighted_sum"], sum(neuron["products"]))
    assert np.isclose(neuron["z"], neuron["weighted_sum"] + neuron["bias"])
    assert np.isclose(neuron["a"], np.tanh(neuron["z"]))
    conversation.send({"type": "select_sample", "part": "point", "point": [1.0, -2.0]})
    trace = conversation.frame(lambda f: f["trace"] and f["trace"]["part"] == "point")["trace"]
    assert trace["cost"] is None and trace["neuron"]["delta"] is None
    conversation.send({"type": "select_sample", "part": "test", "index": 250})
    assert conversation.error()["field"] == "index"
    conversation.send({"type": "select_sample", "part": "point", "point": [9.0, 0.0]})
    assert conversation.error()["field"] == "point"


def test_edit_weight_sets_one_weight(conversation: Conversation) -> None:
    conversation.send({"type": "edit_weight", "layer": 0, "source": 1, "target": 2, "value": -0.75})
    weights = conversation.frame(lambda f: f["arrays"]["weights"][1 * 4 + 2] == np.float32(-0.75))
    assert weights["step"] == 0
    conversation.send({"type": "edit_weight", "layer": 2, "source": None, "target": 0, "value": 0.5})
    biases = conversation.frame(lambda f: f["arrays"]["biases"][4 + 2] == np.float32(0.5))["arrays"]["biases"]
    assert biases[6] == np.float32(0.5)
    for bad, field in (({"layer": 3}, "layer"), ({"target": 7}, "target"), ({"source": 5}, "source"),
                       ({"value": 1000}, "value")):
        conversation.send({"type": "edit_weight", "layer": 0, "source": 0, "target": 0, "value": 1.0, **bad})
        assert conversation.error()["field"] == field


def test_set_data_trains_on_your_points(conversation: Conversation) -> None:
    rows = [[x, y, int(x * y > 0)] for x in (-3.0, -1.0, 1.0, 3.0) for y in (-2.0, 2.0)]
    conversation.send({"type": "set_data", "problem": "binary", "rows": rows})
    session = conversation.until_type("session")
    assert session["config"]["dataset"] == "custom"
    dataset = conversation.until_type("dataset")
    assert dataset["n_train"] + dataset["n_test"] == 8
    conversation.send({"type": "set_data", "problem": "binary", "rows": [[0.0, 0.0, 1]] * 3})
    assert conversation.error()["field"] == "rows"
    conversation.send({"type": "set_data", "problem": "binary", "rows": [[0.0, 7.0, 1]] * 5})
    assert "outside" in conversation.error()["message"]


def test_set_speed_is_bounded(conversation: Conversation) -> None:
    conversation.send({"type": "set_speed", "unit": "epoch", "count": 5})
    assert conversation.until_type("session")["speed"] == {"unit": "epoch", "count": 5}
    conversation.send({"type": "set_speed", "unit": "epoch", "count": 100_000})
    error = conversation.error()
    assert error["field"] == "count" and "100" in error["message"]


def test_a_diverging_run_is_reported_and_nothing_is_nan(conversation: Conversation) -> None:
    conversation.send({"type": "configure", "changes": {
        "dataset": "plane", "learning_rate": 10, "activation": "relu", "features": ["x1_sq", "x2_sq"],
        "hidden_layers": [8, 8]}})
    conversation.until_type("session")
    conversation.send({"type": "play"})
    session = conversation.until(lambda m: m["type"] == "session" and m["status"] == "diverged")
    assert "learning rate" in session["message"]
    frame = conversation.frame(lambda f: f["status"] == "diverged")
    for name, values in frame["arrays"].items():
        assert np.all(np.isfinite(values.astype(np.float64))), name
    conversation.send({"type": "play"})
    assert conversation.error()["field"] == "status"
    conversation.send({"type": "reset"})
    assert conversation.until_type("session")["status"] == "idle"


def test_a_failing_session_says_so_instead_of_going_silent(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Runner, *args: object) -> bytes:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Runner, "_make_frame", broken)
    with client.websocket_connect("/ws") as websocket:
        error = Conversation(websocket).error()
        assert (error["field"], error["key"]) == ("server", "error.frame_fault")  # paused and kept, not dropped
        assert "the run is kept" in error["message"]


def test_a_selected_sample_survives_a_reset_but_not_new_points(conversation: Conversation) -> None:
    conversation.send({"type": "select_sample", "part": "train", "index": 3})
    conversation.frame(lambda f: f["trace"] is not None)
    conversation.send({"type": "reset"})
    assert conversation.until_type("session")["selected_sample"]["index"] == 3
    conversation.send({"type": "regenerate_data"})
    assert conversation.until_type("session")["selected_sample"] is None


def test_steps_pile_up_only_to_the_longest_step_and_pause_cancels_them(conversation: Conversation,
                                                                        client: TestClient) -> None:
    runner = client.app.state.registry.get(conversation.hello["session_id"])  # type: ignore[attr-defined]
    most = runner.session.batches_for("epoch", runner.settings.max_step_count)
    owed = []
    for _ in range(30):
        conversation.send({"type": "step", "unit": "epoch", "count": 100})
        conversation.until_type("session")
        owed.append(runner.pending_batches)
    assert max(owed) <= most  # 30 × 100 epochs would be 75,000 batches
    conversation.send({"type": "pause"})
    assert conversation.until_type("session")["status"] == "paused"
    assert runner.pending_batches == 0 and not runner.is_busy
    stopped = runner.session.steps
    conversation.send({"type": "configure", "changes": {"learning_rate": 0.1}})
    conversation.until(lambda m: m["type"] == "session" and m["changed"] == ["learning_rate"])
    assert conversation.frame(lambda f: f["step"] == stopped)["status"] == "paused"
    assert runner.session.steps == stopped


@pytest.mark.parametrize("commands", [[], [{"type": "step"}], [{"type": "play"}, {"type": "pause"}]])
def test_pause_when_nothing_trains_is_answered_and_no_error(conversation: Conversation,
                                                           commands: list[dict[str, object]]) -> None:
    for command in commands:
        conversation.send(command)
        conversation.until_type("session")
    conversation.send({"type": "pause", "id": 3})
    message = conversation.until(lambda m: m["type"] in ("session", "error"))
    assert message["type"] == "session" and message["status"] in ("idle", "paused")
