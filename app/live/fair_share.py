"""Fair shares of one training tick: how many batches each run asking for training gets.

Pure arithmetic, no clock: the scheduler (app/live/scheduler.py) passes what each run asks for
and what a batch of it is estimated to cost. Every run gets its *floor* — what it asked, up to
one epoch per frame slot its training stands for (one, or a late frame's missed slots: see
app/live/frame_training.py) — whatever the load: at the page's default pace (one epoch per frame)
that is all it asks, and a full box then slows every run's frame rate alike. What runs ask beyond their floor
(fast speeds: up to 100 epochs a frame) shares the tick's ``budget_s`` by water-filling in
*epochs*: every such run gets the same number of extra epochs, or what it asked if that is less,
so a fast run takes spare time but never its neighbours' share, and two fast runs of different
networks get equal progress rather than equal seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROUNDING = 1e-9  # keeps 18.999999… extra epochs' worth of batches from rounding down a whole batch


@dataclass(frozen=True)
class Demand:
    """One run's request: ``batches`` asked (>= 1), ``per_epoch`` batches in its epoch, ``cost_s`` per batch,
    for ``slots`` frame slots (>= 1)."""

    batches: int
    per_epoch: int
    cost_s: float
    slots: int = 1


def floor_of(demand: Demand) -> int:
    """What a run gets whatever the load: what it asked, up to one epoch per frame slot."""
    return min(demand.batches, demand.per_epoch * demand.slots)


def fair_grants(demands: Sequence[Demand], budget_s: float) -> list[int]:
    """Batches granted to each demand (see the module docstring); each is from its floor to what it asked."""
    grants = [floor_of(d) for d in demands]
    spare = budget_s - sum(g * d.cost_s for g, d in zip(grants, demands, strict=True))
    # extra epochs each still wants, and seconds per extra epoch
    wanting = sorted(((d.batches - g) / d.per_epoch, d.per_epoch * d.cost_s, i)
                     for i, (g, d) in enumerate(zip(grants, demands, strict=True)) if d.batches > g)
    level = 0.0  # extra epochs every wanting run gets
    rate = sum(seconds for _, seconds, _ in wanting)  # seconds per extra epoch for all still wanting
    for extra, seconds, _ in wanting:
        if spare <= 0.0 or rate <= 0.0:
            break
        step = min(extra - level, spare / rate)
        level += step
        spare -= step * rate
        if level < extra:
            break
        rate -= seconds
    for extra, _, i in wanting:
        d = demands[i]
        grants[i] += min(d.batches - grants[i], int(min(extra, level) * d.per_epoch + ROUNDING))
    return grants
