"""app.training.advice: the changes a button applies stay within the settings' limits, or there is no button."""

from __future__ import annotations

from app.training import advice
from app.training.config import MAX_LEARNING_RATE, MAX_NEURONS, MIN_LEARNING_RATE, config_from_dict


def test_a_rate_is_lowered_tenfold_with_a_fresh_start_and_raised_tenfold_without() -> None:
    assert advice.lower_rate(3.0) == {"label": "Lower the learning rate to 0.3 and start again",
                                      "changes": {"learning_rate": 0.3}, "reset": True}
    assert advice.raise_rate(0.0001) == {"label": "Raise the learning rate to 0.001",
                                         "changes": {"learning_rate": 0.001}, "reset": False}


def test_no_button_past_the_rate_limits() -> None:
    assert advice.lower_rate(MIN_LEARNING_RATE) is None
    assert advice.raise_rate(MAX_LEARNING_RATE) is None
    assert advice.lower_rate(MIN_LEARNING_RATE * 3)["changes"] == {"learning_rate": MIN_LEARNING_RATE}


def test_a_small_network_gets_the_first_missing_features_and_wider_layers() -> None:
    grown = advice.grow(config_from_dict({"dataset": "spiral"}))
    assert grown is not None and grown["changes"] == {"features": ["x1", "x2", "sin_x1", "sin_x2"],
                                                      "hidden_layers": [8, 8]}
    with_sines = config_from_dict({"features": ["x1", "x2", "sin_x1", "sin_x2"], "hidden_layers": [12, 3]})
    assert advice.grow(with_sines)["changes"] == {"features": ["x1", "x2", "x1_sq", "x2_sq", "sin_x1", "sin_x2"],
                                                  "hidden_layers": [12, 8]}


def test_a_single_neuron_gets_a_hidden_layer_not_a_crash() -> None:
    # XOR with no hidden layer plateaus; the advice for it once raised ValueError (max of no widths),
    # which stopped the run's frames and dropped the connection again and again.
    grown = advice.grow(config_from_dict({"dataset": "xor", "hidden_layers": []}))
    assert grown == {"label": "Add a hidden layer of 8 neurons", "changes": {"hidden_layers": [8]}, "reset": False}


def test_a_network_with_every_feature_and_the_widest_layers_gets_no_button() -> None:
    everything = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"]
    assert advice.grow(config_from_dict({"features": everything, "hidden_layers": [MAX_NEURONS] * 2})) is None
    widest = advice.grow(config_from_dict({"features": everything, "hidden_layers": [4]}))
    assert widest == {"label": "Use 8 neurons per layer", "changes": {"hidden_layers": [8]}, "reset": False}


def test_overfitting_gets_l2_then_a_stronger_penalty_up_to_the_limit() -> None:
    assert advice.regularize(config_from_dict({}))["changes"] == {"regularization": "l2", "regularization_rate": 0.03}
    stronger = advice.regularize(config_from_dict({"regularization": "l1", "regularization_rate": 0.01}))
    assert stronger["changes"] == {"regularization_rate": 0.03}
    assert advice.regularize(config_from_dict({"regularization": "l2", "regularization_rate": 10})) is None
