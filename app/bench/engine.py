"""``python -m app.bench``: how fast the engine trains and snapshots, and how well the server streams.

Prints figures; asserts nothing (wall-clock numbers depend on the machine).
Engine figures, for the default network (2 → 4 → 2 → 1) and the largest
(9 → 8 × 16 → 1): mini-batch steps per second at batch 10, epochs per second
on 500 training points, and the milliseconds for one full snapshot with every
neuron's map at 64 × 64. Each figure is the median of several timed runs.
The diagnosis figure trains the largest network epoch by epoch with and
without the live diagnosis and the epoch's checkpoint (for rewinding) after
every epoch (as at 1 epoch per frame), timing the three parts of every
iteration of one loop separately, and prints the ratio.
The stacked-training figure times the CPU microseconds per session-epoch (250 training points,
batch 10) of 1, 10, 30 and 100 same-shape sessions trained one after the other (each session's
own ``train``) and together (``app.training.group.train_together``, as a process's scheduler
trains them), for the default network and TensorFlow Playground's largest (7 features, 6 × 8,
spiral).
Streaming figures come from ``app.bench.streaming`` (skip them with --engine-only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import NoReturn

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from app.bench.learners import baseline_ref, learner_counts  # noqa: E402
from app.data.features import FEATURES  # noqa: E402
from app.training.checkpoint import Trainable  # noqa: E402
from app.training.checkpoints import Checkpoints  # noqa: E402
from app.training.config import MAX_HIDDEN_LAYERS, MAX_NEURONS, ExperimentConfig, config_from_dict  # noqa: E402
from app.training.diagnosis import Diagnosis  # noqa: E402
from app.training.group import train_together  # noqa: E402
from app.training.session import TrainingSession  # noqa: E402

FOLLOWER_COUNTS = (50, 100, 200, 400)  # class sizes of the classroom figures
REPEATS = 5  # timed runs per figure; the median is printed
TRAIN_POINTS = 500  # training points for the epochs-per-second figure
GRID = 64  # cells per side for the snapshot figure
FAST_EPOCHS_PER_FRAME = 100  # the page's fastest speed, for the live epochs-per-second figure
STACK_COUNTS = (1, 10, 30, 100)  # same-shape sessions of the stacked-training figure

NETWORKS: dict[str, dict[str, object]] = {
    "default 2-4-2-1": {},
    "largest 9-16x8-1": {"features": list(FEATURES), "hidden_layers": [MAX_NEURONS] * MAX_HIDDEN_LAYERS},
}
PLAYGROUND_LARGEST: dict[str, object] = {  # TensorFlow Playground's largest network, on its hardest data
    "dataset": "spiral", "features": ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"],
    "hidden_layers": [8] * 6}
STACKED_NETWORKS: dict[str, dict[str, object]] = {"default 2-4-2-1": {}, "playground 7-6x8-1": PLAYGROUND_LARGEST}


def median_rate(work: Callable[[], int], seconds: float, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median over REPEATS runs of (units done by ``work``) per second of ``clock``, each run about ``seconds``
    long (``time.process_time``: per second of this process's CPU, which other load on the machine moves less)."""
    rates = []
    for _ in range(REPEATS):
        done, started = 0, clock()
        while (elapsed := clock() - started) < seconds:
            done += work()
        rates.append(done / elapsed)
    return statistics.median(rates)


def engine_figures(config: ExperimentConfig, seconds: float) -> dict[str, float]:
    """Steps/s, epochs/s on TRAIN_POINTS points, and snapshot ms for one network."""
    session = TrainingSession(config)
    session.train(100)  # warm up: workspaces, caches
    steps_per_second = median_rate(lambda: session.train(200), seconds)
    epochs = TrainingSession(config_from_dict({**config.to_dict(), "points": 2 * TRAIN_POINTS, "train_percent": 50}))
    epochs.train(100)
    per_epoch = epochs.batches_for("epoch", 1)
    epochs_per_second = median_rate(lambda: epochs.train(epochs.batches_for("epoch", 1)) // per_epoch, seconds)
    session.snapshot(GRID, GRID)
    snapshot_ms = 1000.0 / median_rate(lambda: (session.snapshot(GRID, GRID), 1)[1], seconds)
    return {"steps_per_second": steps_per_second, "epochs_per_second": epochs_per_second,
            "snapshot_ms": snapshot_ms}


def stacked_figures(changes: dict[str, object], count: int, seconds: float) -> dict[str, float]:
    """CPU µs per session-epoch of ``count`` sessions (seeds 0…) trained an epoch each, one by one and together."""
    sessions = [TrainingSession(config_from_dict({**changes, "seed": seed})) for seed in range(count)]
    per_epoch = sessions[0].batches_for("epoch", 1)

    def alone() -> int:
        for session in sessions:
            session.train(per_epoch)
        return count

    def together() -> int:
        train_together(sessions, [per_epoch] * count)
        return count

    alone()
    together()  # warm up: workspaces
    return {"alone_us": 1e6 / median_rate(alone, seconds / REPEATS, time.process_time),
            "together_us": 1e6 / median_rate(together, seconds / REPEATS, time.process_time)}


class _Untimed(Checkpoints):
    """Checkpoints that the session's training loop does not record, so the loop below times them apart."""

    def record(self, session: Trainable) -> None:
        return

    def branch(self, epoch: int) -> None:
        return


def diagnosis_figures(config: ExperimentConfig, seconds: float) -> dict[str, float]:
    """Epochs/s on TRAIN_POINTS points without and with ``Diagnosis.observe`` and a checkpoint after every epoch.

    One loop trains an epoch, records its checkpoint (as ``train`` does at every
    epoch's end) and then diagnoses, timing the three parts of every iteration
    separately, so all figures see the same machine load. The diagnosis reads
    the costs a frame's snapshot has already measured, so one snapshot's
    metrics feed it and only the diagnosis itself is timed.
    """
    session = TrainingSession(config_from_dict({**config.to_dict(), "points": 2 * TRAIN_POINTS, "train_percent": 50}))
    session.train(100)
    session.start()  # a running session: the neuron checks run once every few epochs, as live
    snapshot = session.snapshot(GRID, GRID)
    diagnosis = Diagnosis()
    checkpoints, session.checkpoints = session.checkpoints, _Untimed()
    training = keeping = diagnosing = 0.0
    epochs = 0
    while training + keeping + diagnosing < REPEATS * seconds:
        started = time.perf_counter()
        session.train(session.batches_for("epoch", 1))
        trained = time.perf_counter()
        checkpoints.record(session)
        kept = time.perf_counter()
        diagnosis.observe(session, snapshot.train, snapshot.test)
        training += trained - started
        keeping += kept - trained
        diagnosing += time.perf_counter() - kept
        epochs += 1
    extra = keeping + diagnosing
    return {"without": epochs / training, "with": epochs / (training + extra),
            "ratio": training / (training + extra), "checkpoint_share": keeping / (training + extra),
            "checkpoints": len(checkpoints), "checkpoint_kib": checkpoints.bytes / 1024}


def write(line: str) -> None:
    """Print a line of the report (stdout)."""
    sys.stdout.write(line + "\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options, for ``python -m app.bench`` and ``neuroplay bench`` alike."""
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each timed run (default 1)")
    parser.add_argument("--engine-only", action="store_true", help="skip the streaming and classroom figures")
    parser.add_argument("--followers", type=_follower_counts, default=FOLLOWER_COUNTS, metavar="N,N,…",
                        help="class sizes for the classroom figures (default 50,100,200,400)")
    parser.add_argument("--class-view", action="store_true",
                        help="only the class view's figure: 30 forks training and a teacher watching the mosaic")
    parser.add_argument("--scaleout", action="store_true",
                        help="only the scale-out figures: one class over two replicas, nginx and Redis")
    parser.add_argument("--learners", type=learner_counts, metavar="N,N,…",
                        help="only the learner figures, for these numbers of learners (e.g. 1,10,30,100)")
    parser.add_argument("--baseline", type=baseline_ref, metavar="REF",
                        help="with --learners: measure the code at git REF too, side by side, with the ratio")
    parser.add_argument("--deflate", choices=("on", "off"), default="off",
                        help="with --learners: this code's server compresses with permessage-deflate (default off, "
                        "the server's own default, so both codes are measured alike; on: what deflate costs and saves)")


def argument_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with parsed options that do not go together, in one line, or None."""
    if args.baseline is not None and args.learners is None:
        return "--baseline needs --learners (it compares the learner figures)"
    if args.learners is not None and args.scaleout:
        return "--learners and --scaleout are separate runs: give one of them"
    if not 0 < args.seconds <= 600:
        return f"--seconds must be more than 0 and at most 600, got {args.seconds:g}"
    return None


def _follower_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be whole numbers separated by commas, got {text!r}") from None
    if not counts or not all(1 <= count <= 2000 for count in counts):
        raise argparse.ArgumentTypeError(f"each class size must be from 1 to 2000, got {text!r}")
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, run the benchmarks and print the figures."""
    parser = OneLineParser(prog="python -m app.bench", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if (problem := argument_problem(args)) is not None:
        parser.error(problem)
    run(args)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line: ``python -m app.bench: --bogus is no option (see --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def run(args: argparse.Namespace) -> None:
    """Run the benchmarks with parsed options and print the figures."""
    if args.learners is not None:
        from app.bench.learners import learner_figures

        learner_figures(args.learners, args.seconds, write, args.baseline, is_deflated=args.deflate == "on")
        return
    if args.class_view:
        from app.bench import classroom

        classroom.mosaic_figure(max(3.0, 3 * args.seconds), write)
        return
    if args.scaleout:
        from app.bench import scaleout

        scaleout.main(max(3.0, 3 * args.seconds))
        return
    write(f"engine (batch 10; epochs on {TRAIN_POINTS} training points; snapshot at {GRID}x{GRID}, "
          f"median of {REPEATS})")
    write(f"{'network':<20}{'steps/s':>12}{'epochs/s':>12}{'snapshot ms':>14}")
    for name, changes in NETWORKS.items():
        figures = engine_figures(config_from_dict(changes), args.seconds)
        write(f"{name:<20}{figures['steps_per_second']:>12,.0f}{figures['epochs_per_second']:>12,.1f}"
              f"{figures['snapshot_ms']:>14.2f}")
    write("\nstacked training: CPU µs per session-epoch (250 training points, batch 10), one by one and together")
    write(f"{'network':<20}{'sessions':>10}{'one by one':>12}{'together':>10}{'ratio':>8}")
    for name, changes in STACKED_NETWORKS.items():
        for count in STACK_COUNTS:
            figures = stacked_figures(changes, count, args.seconds)
            write(f"{name:<20}{count:>10}{figures['alone_us']:>12,.0f}{figures['together_us']:>10,.0f}"
                  f"{figures['alone_us'] / figures['together_us']:>8.1f}")
    largest = config_from_dict(NETWORKS["largest 9-16x8-1"])
    diagnosed = diagnosis_figures(largest, args.seconds)
    write(f"\nlive diagnosis and checkpoints, largest network, after every epoch: {diagnosed['without']:,.1f} "
          f"epochs/s without, {diagnosed['with']:,.1f} with, ratio {diagnosed['ratio']:.3f} "
          f"({1 - diagnosed['ratio']:.1%} slower, of which checkpoints {diagnosed['checkpoint_share']:.1%}; "
          f"{diagnosed['checkpoints']:.0f} kept, {diagnosed['checkpoint_kib']:,.0f} KiB)")
    if not args.engine_only:
        stream_figures(max(3.0, 3 * args.seconds))
        classroom_figures(max(3.0, 3 * args.seconds), write, args.followers)


def classroom_figures(seconds: float, out: Callable[[str], None], counts: tuple[int, ...]) -> None:
    """Print the classroom figures (see app/bench/classroom.py)."""
    from app.bench import classroom

    classroom.classroom_figures(seconds, out, counts)


def stream_figures(seconds: float) -> None:
    """Print the streaming figures (see app/bench/streaming.py)."""
    from app.bench import streaming as bench_stream

    write(f"\nstreaming (server process, websocket clients on 127.0.0.1, {seconds:g} s per figure)")
    write(f"{'one session, 1 epoch/frame':<30}{'fps':>8}{'KiB/frame':>11}{'server CPU':>12}"
          f"{f'epochs/s at {FAST_EPOCHS_PER_FRAME}/frame':>24}")
    with bench_stream.running_server() as server:
        for name, changes in NETWORKS.items():
            figures = bench_stream.one_session(server, changes, seconds)
            fast = bench_stream.one_session(server, changes, seconds, FAST_EPOCHS_PER_FRAME)
            write(f"{name:<30}{figures['fps']:>8.1f}{figures['kib_per_frame']:>11.1f}{figures['cpu']:>11.0%}"
                  f"{fast['epochs_per_second']:>24,.0f}")
    write(f"\nconcurrent sessions of the largest network, 1 batch/frame, server capped at "
          f"{bench_stream.TARGET_FPS} fps")
    write(f"{'sessions':>8}{'median fps':>12}{'slowest fps':>13}{'server CPU':>12}")
    for count, median, slowest, cpu in bench_stream.concurrent_sessions(NETWORKS["largest 9-16x8-1"], seconds):
        write(f"{count:>8}{median:>12.1f}{slowest:>13.1f}{cpu:>11.0%}")
    without, stalled = bench_stream.stalled_clients_figure(50, 3, 60)
    write(f"\nthree playing clients, median fps: {without:.1f} alone, {stalled:.1f} after 50 clients pressed Play and "
          f"stopped reading (ratio {stalled / without:.2f})")
    before, after = bench_stream.silent_client_memory(2 * seconds)
    write(f"\nserver memory with a client that never reads: {before:.1f} MiB before, {after:.1f} MiB after "
          f"{2 * seconds:g} s of frames")

