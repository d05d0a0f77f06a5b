"""The usage example in app/nn's docstring runs as written and learns."""

from __future__ import annotations

import re

import numpy as np

import app.nn


def test_the_documented_example_runs_and_its_trainer_lowers_the_cost() -> None:
    example = re.search(r"::\n\n(.*?)\n\"\"\"|::\n\n(.*)", app.nn.__doc__ or "", re.DOTALL)
    assert example, "app/nn/__init__.py documents an example"
    code = "\n".join(line[4:] for line in (example.group(1) or example.group(2)).splitlines())
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(64, 2))
    T = (X[:, :1] * X[:, 1:] > 0).astype(np.float64)
    namespace = {"X": X, "T": T}
    exec(code, namespace)  # the documented example itself is what is under test
    net, trainer = namespace["net"], namespace["trainer"]
    before = net.cost(X, T, "bce")
    inputs = np.hstack([X, np.ones((len(X), 1))])
    for _ in range(300):
        trainer.step(inputs, T)
    assert net.cost(X, T, "bce") < before
