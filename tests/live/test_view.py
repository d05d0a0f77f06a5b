"""The `view` command and the owner's lighter frames: neuron maps every few frames and at once after any
command, nothing of the output while the page is hidden, and what is sent equal to a whole snapshot's."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.live.server import create_app
from app.live.settings import Settings
from tests.live.conftest import Conversation, opened

INTERVAL = 3  # maps in every third frame


@pytest.fixture
def client() -> TestClient:
    with TestClient(create_app(Settings(map_interval_frames=INTERVAL))) as test_client:
        yield test_client


def frames(talk: Conversation, count: int) -> list[dict]:
    return [talk.frame() for _ in range(count)]


def has(frame: dict, name: str) -> bool:
    return name in frame["arrays"]


def test_maps_every_interval_while_playing_and_at_once_after_a_command(client: TestClient) -> None:
    with opened(client) as talk:
        assert has(talk.frame(), "neuron_maps")  # a new page's first frame is whole
        talk.send({"type": "play"})
        seen = [has(f, "neuron_maps") for f in frames(talk, 4 * INTERVAL)]
        assert all(has(f, "output") for f in frames(talk, 3))
        first = seen.index(True)
        assert seen[first:first + 2 * INTERVAL] == ([True] + [False] * (INTERVAL - 1)) * 2
        talk.send({"type": "select_neuron", "layer": 1, "index": 2})
        selected = talk.frame(lambda f: f["selected"] == [1, 2])
        assert has(selected, "neuron_maps") and has(selected, "selected_map")


def test_a_hidden_page_gets_no_output_and_a_shown_one_a_whole_frame_at_once(client: TestClient) -> None:
    with opened(client) as talk:
        talk.send({"type": "play"})
        talk.send({"type": "view", "visible": False, "maps": True})
        talk.until(lambda m: m["type"] == "session")
        hidden = talk.frame(lambda f: not has(f, "output"))
        assert not has(hidden, "neuron_maps") and hidden["train"]["cost"] is not None
        talk.send({"type": "view", "visible": True, "maps": False})
        shown = talk.frame(lambda f: has(f, "output"))
        later = frames(talk, 2 * INTERVAL)
        assert not any(has(f, "neuron_maps") for f in [shown, *later])
        talk.send({"type": "view", "visible": True, "maps": True})
        assert has(talk.frame(lambda f: has(f, "output")), "neuron_maps")


def test_sent_maps_equal_the_whole_snapshot_of_that_moment(client: TestClient) -> None:
    """Paused, every frame shows the same weights: the maps a frame carries equal a full frame's."""
    with opened(client) as talk:
        whole = talk.frame()
        talk.send({"type": "step", "unit": "epoch", "count": 2})
        after = talk.frame(lambda f: f["epoch"] == 2 and has(f, "neuron_maps"))
        talk.send({"type": "view", "visible": True, "maps": True})  # owes maps: the same network again
        again = talk.frame(lambda f: has(f, "neuron_maps"))
        assert np.array_equal(again["arrays"]["neuron_maps"], after["arrays"]["neuron_maps"])
        assert np.array_equal(again["arrays"]["output"], after["arrays"]["output"])
        assert not np.array_equal(whole["arrays"]["neuron_maps"], after["arrays"]["neuron_maps"])


@pytest.mark.parametrize(("command", "field"), [
    ({"type": "view", "visible": "yes", "maps": True}, "visible"),
    ({"type": "view", "visible": True, "maps": 1}, "maps"),
    ({"type": "view", "visible": True, "zoom": 2}, "zoom"),
])
def test_bad_view_commands_are_refused_by_field_and_the_run_goes_on(client: TestClient, command, field) -> None:
    with opened(client) as talk:
        talk.send(command)
        error = talk.error()
        assert error["field"] == field and "\n" not in error["message"]
        talk.send({"type": "step"})
        assert talk.frame(lambda f: f["step"] == 1)["step"] == 1
