"""A training session: one network, its data and its run, stepped synchronously.

Imports numpy, the standard library and the engine only: no asyncio, no
FastAPI, no pydantic. The web layer drives a session; the session never
knows who watches it.

The status is an explicit state machine (``app.training.status``); a command
that is not allowed in the current status raises ``SessionError`` and changes
nothing. ``train(n)`` is the bounded unit of work: at most ``n`` mini-batch
steps, then it returns. A run whose weights stop being finite (or grow past
``DIVERGENCE_LIMIT``) is rolled back to the weights it had when that call
began (``app.training.checkpoint``) and marked ``DIVERGED`` with a
plain-language explanation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from app.data.datasets import EXTENT, Dataset, Problem, generate, split
from app.data.split import DataSplit, output_width, prepare
from app.data.user_data import from_rows
from app.i18n import refused
from app.nn.initializers import initialize
from app.nn.mlp import MLP
from app.nn.trainer import Trainer
from app.training.boundary import Evaluator
from app.training.checkpoint import Checkpoint, capture, restore
from app.training.checkpoints import Checkpoints
from app.training.config import (
    CUSTOM_DATASET,
    DATA_FIELDS,
    FIELDS,
    NETWORK_FIELDS,
    PROBLEM_COSTS,
    PROBLEM_OUTPUTS,
    ExperimentConfig,
    apply_changes,
    check_consistent,
    coerce,
    problem_of,
)
from app.training.edits import check_edit, new_seed
from app.training.history import History
from app.training.pins import Pins
from app.training.snapshot import Snapshot, build, history_values
from app.training.status import SessionError, Status, check_transition

DIVERGENCE_LIMIT = 1e6  # a weight this large means the run has blown up (inputs are at most 36)
SHUFFLE_STREAM = 1  # index of the seed stream that orders the points (stream 0 draws the weights)


class TrainingSession:
    """A network, its data and the counters of one run."""

    def __init__(self, config: ExperimentConfig | None = None, custom_data: Dataset | None = None) -> None:
        self.config = config or ExperimentConfig()
        self.custom_data = custom_data
        check_consistent(self.config, self.custom_problem)
        self.extent = EXTENT
        self.status = Status.IDLE
        self.message = ""
        self.pins = Pins()  # earlier runs' curves to compare with; they outlive every reset
        self._dataset = self._make_dataset()
        self._build()

    # ----- construction --------------------------------------------------------------------
    @property
    def custom_problem(self) -> Problem | None:
        """The problem type of the user-supplied points, if any."""
        return None if self.custom_data is None else self.custom_data.problem

    @property
    def problem(self) -> Problem:
        """The problem type the current dataset poses."""
        return problem_of(self.config, self.custom_problem)

    def _make_dataset(self) -> Dataset:
        c = self.config
        if c.dataset == CUSTOM_DATASET:
            assert self.custom_data is not None  # check_consistent guarantees it
            return self.custom_data
        return generate(c.dataset, c.points, c.noise / 100.0, c.data_seed, c.classes)

    def _build(self) -> None:
        """A fresh network from the seed, on the current data; counters back to zero."""
        c = self.config
        dataset = self._dataset
        train_index, test_index = split(len(dataset.labels), c.train_percent / 100.0, c.data_seed)
        sizes = (len(c.features), *c.hidden_layers, output_width(dataset))
        self.mlp = MLP(sizes, c.hidden_activations(), c.output_activation)
        init_seed, shuffle_seed = np.random.SeedSequence(c.seed).spawn(2)
        initialize(self.mlp, c.init, np.random.default_rng(init_seed))
        self.shuffle_rng = np.random.default_rng(shuffle_seed)
        self.data: DataSplit = prepare(dataset, train_index, test_index, c.features, c.output_activation)
        self.trainer = Trainer(
            self.mlp, c.cost, c.optimizer, c.learning_rate, c.regularization, c.regularization_rate
        )
        self.epoch_inputs = np.empty_like(self.data.train_inputs)
        self.epoch_targets = np.empty_like(self.data.train_targets)
        self.order: np.ndarray | None = None  # this epoch's point order; None until it starts
        self.cursor = 0  # points of the current epoch already used
        self.steps = self.epochs = self.examples = 0
        self.history = History()  # the cost curve of this run, one point per snapshot after training
        self.rewound_from: History | None = None  # the whole curve while the run is rewound, until it trains
        self.checkpoints = Checkpoints()  # the run at epoch ends, to rewind it
        self.checkpoints.record(self)
        self._evaluators: dict[tuple[int, int], Evaluator] = {}
        self._set_status(Status.IDLE)
        self.message = ""

    def _set_status(self, status: Status) -> None:
        check_transition(self.status, status)
        self.status = status

    def __repr__(self) -> str:
        return f"TrainingSession({self.config.dataset}, {self.mlp!r}, {self.status}, step {self.steps})"

    # ----- commands ------------------------------------------------------------------------
    def configure(self, changes: Mapping[str, object]) -> frozenset[str]:
        """Apply setting changes (all or nothing); returns the names that changed.

        Data or network changes rebuild the network from its seed and stop
        the run; training settings (learning rate, batch size, optimizer,
        cost, regularization) apply from the next step with the weights kept.
        """
        new = apply_changes(self.config, changes, self.custom_problem)
        changed = frozenset(n for n in FIELDS if getattr(new, n) != getattr(self.config, n))
        if changed:
            self._adopt(new, rebuild_data=bool(changed & DATA_FIELDS),
                        rebuild_network=bool(changed & (DATA_FIELDS | NETWORK_FIELDS)))
        return changed

    def _adopt(self, new: ExperimentConfig, *, rebuild_data: bool, rebuild_network: bool) -> None:
        old_config, old_dataset = self.config, self._dataset
        try:
            self.config = new
            if rebuild_data:
                self._dataset = self._make_dataset()
            if rebuild_network:
                self._build()
        except Exception:
            self.config, self._dataset = old_config, old_dataset
            raise
        if not rebuild_network:
            t = self.trainer
            t.learning_rate, t.loss = new.learning_rate, new.cost
            t.regularization, t.regularization_rate = new.regularization, new.regularization_rate
            t.set_optimizer(new.optimizer)

    def start(self) -> None:
        """Begin or resume continuous training (the web layer calls ``train``)."""
        if self.status == Status.DIVERGED:
            raise refused(SessionError, "status", "error.session.diverged_play")
        if self.status == Status.RUNNING:
            raise refused(SessionError, "status", "error.session.running")
        self._set_status(Status.RUNNING)

    def pause(self) -> None:
        """Stop continuous training; the weights and counters stay."""
        if self.status != Status.RUNNING:
            raise refused(SessionError, "status", "error.session.not_running", status=str(self.status))
        self._set_status(Status.PAUSED)

    def check_can_step(self) -> None:
        """Raise SessionError unless training by hand is allowed now (not running, not diverged)."""
        if self.status == Status.RUNNING:
            raise refused(SessionError, "status", "error.session.pause_first")
        if self.status == Status.DIVERGED:
            raise refused(SessionError, "status", "error.session.diverged")

    def step(self, unit: str = "batch", count: int = 1) -> int:
        """Train ``count`` mini-batches or epochs by hand; returns the steps taken."""
        self.check_can_step()
        taken = self.train(self.batches_for(unit, count))
        self.after_hand_steps()
        return taken

    def after_hand_steps(self) -> None:
        """A run stepped by hand from its start is paused, not idle (``step`` calls this after training)."""
        if self.status == Status.IDLE:
            self._set_status(Status.PAUSED)

    def reset(self) -> None:
        """The same starting weights (same seed) on the same data; counters to zero."""
        self._build()

    def new_weights(self, seed: int | None = None) -> None:
        """Draw new starting weights (a new seed, recorded in the config) and reset."""
        chosen = new_seed(self.config.seed) if seed is None else coerce("seed", seed)
        self.config = replace(self.config, seed=chosen)
        self._build()

    def regenerate_data(self, seed: int | None = None) -> None:
        """New points (a new data seed, recorded in the config) and reset."""
        chosen = new_seed(self.config.data_seed) if seed is None else coerce("data_seed", seed)
        self._adopt(replace(self.config, data_seed=chosen), rebuild_data=True, rebuild_network=True)

    def set_custom_data(self, rows: Sequence[Sequence[float]], problem: str, classes: int | None = None) -> None:
        """Train on user-supplied points (x1, x2, label or target); resets the run."""
        dataset = from_rows(rows, problem, classes)
        changes: dict[str, object] = {"dataset": CUSTOM_DATASET}
        if dataset.problem != self.problem or self.config.dataset != CUSTOM_DATASET:
            changes |= {"output_activation": PROBLEM_OUTPUTS[dataset.problem][0],
                        "cost": PROBLEM_COSTS[dataset.problem][0]}
        new = apply_changes(self.config, changes, dataset.problem)
        old_custom = self.custom_data
        self.custom_data = dataset
        try:
            self._adopt(new, rebuild_data=True, rebuild_network=True)
        except Exception:
            self.custom_data = old_custom
            raise

    def replace_dataset(self, dataset: Dataset) -> None:
        """Train on exactly these points (say, restored from an export) instead of generated ones; resets."""
        if dataset.problem != self.problem:
            raise refused(SessionError, "data", "error.session.problem_mismatch", config=str(self.problem),
                          points=str(dataset.problem))
        if dataset.problem == Problem.MULTICLASS and self.config.dataset != CUSTOM_DATASET \
                and dataset.n_classes != self.config.classes:
            raise refused(SessionError, "data", "error.session.classes_mismatch", config=self.config.classes,
                          points=dataset.n_classes)
        self._dataset = dataset
        self._build()

    def rewind(self, epoch: int) -> None:
        """Back to the nearest kept checkpoint at or before ``epoch``, paused there; the curve ends there too."""
        if self.status == Status.DIVERGED:
            raise refused(SessionError, "status", "error.session.diverged")
        first, latest = self.checkpoints.first, max(self.checkpoints.latest, self.epochs)
        if not first <= epoch <= latest:
            raise refused(SessionError, "epoch", "error.session.epoch", first=first, last=latest, got=epoch)
        whole = self.rewound_from or self.history
        checkpoint = self.checkpoints.rewind(self, epoch)
        self.rewound_from, self.history = whole, whole.truncated(checkpoint.steps)
        self._set_status(Status.PAUSED if self.steps else Status.IDLE)

    def set_parameter(self, layer: int, target: int, value: float, source: int | None = None) -> None:
        """Set the weight source → target of weight layer ``layer``, or the target's bias if source is None."""
        if self.status == Status.DIVERGED:
            raise refused(SessionError, "status", "error.session.diverged")
        check_edit(self.mlp, layer, target, value, source)
        if source is None:
            self.mlp.biases[layer][target] = value
        else:
            self.mlp.weights[layer][source, target] = value

    # ----- training ------------------------------------------------------------------------
    @property
    def batch_rows(self) -> int:
        """Points per step: the batch size, capped at the training set."""
        return max(1, min(self.config.batch_size, len(self.data.train_index)))

    def batches_for(self, unit: str, count: int) -> int:
        """Mini-batch steps that ``count`` units take from here ('batch', or 'epoch' = to an epoch's end)."""
        if unit not in ("batch", "epoch"):
            raise refused(SessionError, "unit", "error.one_of", allowed="'batch', 'epoch'", got=repr(unit))
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise refused(SessionError, "count", "error.session.count", got=repr(count))
        if unit == "batch":
            return count
        n_train, rows = len(self.data.train_index), self.batch_rows
        per_epoch = math.ceil(n_train / rows)
        rest = math.ceil((n_train - self.cursor) / rows) if self.order is not None else per_epoch
        return rest + (count - 1) * per_epoch

    def train(self, n_batches: int) -> int:
        """Take up to ``n_batches`` mini-batch steps; returns how many were taken."""
        checkpoint = self.begin_training()
        n_train, rows = len(self.data.train_index), self.batch_rows
        step = self.trainer.step
        with np.errstate(all="ignore"):  # overflow shows up as non-finite weights, checked below
            for _ in range(n_batches):
                if self.order is None:
                    self.start_epoch()
                end = min(self.cursor + rows, n_train)
                step(self.epoch_inputs[self.cursor : end], self.epoch_targets[self.cursor : end])
                self.examples += end - self.cursor
                self.steps += 1
                self.cursor = end
                if end == n_train:
                    self.end_epoch()
        return self.finish_training(checkpoint, n_batches)

    def begin_training(self) -> Checkpoint:
        """What every training call does first (``train``, or ``app.training.group`` for a stack of sessions):
        refuse a diverged run, keep the state to roll back to, start a new branch after a rewind."""
        if self.status == Status.DIVERGED:
            raise refused(SessionError, "status", "error.session.diverged")
        checkpoint = capture(self)
        self.checkpoints.branch(self.epochs)  # after a rewind, training makes a new branch from here
        self.rewound_from = None
        return checkpoint

    def end_epoch(self) -> None:
        """The last batch of an epoch was taken: count it, keep its checkpoint; the next step draws a new order."""
        self.epochs += 1
        self.order, self.cursor = None, 0
        self.checkpoints.record(self)

    def finish_training(self, checkpoint: Checkpoint, n_batches: int) -> int:
        """What every training call does last: a run whose weights blew up goes back to ``checkpoint`` and is
        marked diverged (returns 0); otherwise returns ``n_batches``."""
        with np.errstate(all="ignore"):
            largest = float(np.abs(self.mlp.params).max())
        if not largest <= DIVERGENCE_LIMIT:  # also true for NaN
            first_step = checkpoint.steps + 1
            restore(self, checkpoint)
            self.checkpoints.branch(self.epochs)
            self._diverge(f"the weights grew past {DIVERGENCE_LIMIT:g} or became NaN during steps "
                          f"{first_step}–{first_step + n_batches - 1}")
            return 0
        return n_batches

    def start_epoch(self) -> None:
        """Draw this epoch's point order from the run's own generator and lay the points out in it."""
        self.order = self.shuffle_rng.permutation(len(self.data.train_index))
        np.take(self.data.train_inputs, self.order, axis=0, out=self.epoch_inputs)
        np.take(self.data.train_targets, self.order, axis=0, out=self.epoch_targets)
        self.cursor = 0

    def _diverge(self, what: str) -> None:
        self._set_status(Status.DIVERGED)
        self.message = (
            f"Training diverged: {what}. The learning rate ({self.config.learning_rate:g}) is probably "
            "too high for this network and data. Lower it, then press reset. The weights shown are "
            f"the last good ones, from step {self.steps}."
        )

    # ----- observation ---------------------------------------------------------------------
    def evaluator(self, grid_size: int, thumb_size: int) -> Evaluator:
        """The float32 evaluator for these grid sizes, built on first use per network."""
        key = (grid_size, thumb_size)
        if key not in self._evaluators:
            self._evaluators[key] = Evaluator(
                self.mlp.sizes, self.mlp.activations, self.config.features, self.data,
                grid_size, thumb_size, self.extent,
            )
        return self._evaluators[key]

    def snapshot(self, grid_size: int = 64, thumb_size: int = 16,
                 selected: tuple[int, int] | None = None, *, with_maps: bool = True,
                 with_output: bool = True) -> Snapshot:
        """Everything a frame shows (without the neuron maps or the output when not asked). A non-finite
        cost ends a run that trained as diverged.

        A run that has not trained since its reset (idle) is never called diverged: its cost
        comes from the starting or hand-typed weights, not from the learning rate.
        """
        if selected is not None:
            layer, index = selected
            if not (0 <= layer < len(self.mlp.sizes) and 0 <= index < self.mlp.sizes[layer]):
                raise refused(SessionError, "neuron", "error.session.no_neuron", index=index, layer=layer)
        snap, is_nonfinite = build(self, self.evaluator(grid_size, thumb_size), selected, with_maps=with_maps,
                                   with_output=with_output)
        if is_nonfinite and self.status in (Status.RUNNING, Status.PAUSED):
            self._diverge("the cost became infinite or NaN")
            snap = replace(snap, status=self.status.value, message=self.message)
        if self.steps:
            self.history.record(self.steps, self.epochs, history_values(snap))
        return snap
