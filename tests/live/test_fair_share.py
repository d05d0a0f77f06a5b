"""app.live.fair_share and app.live.pace: fair grants per tick, achieved against asked pace (no clock)."""

import pytest

from app.live.fair_share import Demand, fair_grants, floor_of
from app.live.pace import MIN_RECORDS, Pace

EPOCH = 25  # batches in an epoch of the default run (250 training points, batch 10)


def test_under_load_a_fast_run_gets_one_epoch_like_its_twenty_neighbours() -> None:
    demands = [Demand(100 * EPOCH, EPOCH, 1e-4)] + [Demand(EPOCH, EPOCH, 1e-4)] * 20
    grants = fair_grants(demands, budget_s=20 * EPOCH * 1e-4)  # the budget is spent on the floors already
    assert grants == [EPOCH] * 21


def test_spare_budget_goes_to_the_fast_runs_in_equal_epochs() -> None:
    small, big = Demand(100 * EPOCH, EPOCH, 1e-4), Demand(100 * 5, 5, 4e-4)  # epochs of different cost
    neighbour = Demand(EPOCH, EPOCH, 1e-4)
    budget = 0.1
    grants = fair_grants([small, big, neighbour], budget)
    extra_epochs = [(grants[0] - EPOCH) / EPOCH, (grants[1] - 5) / 5]
    assert grants[2] == EPOCH
    assert extra_epochs[0] == pytest.approx(extra_epochs[1], abs=1 / 5)  # equal progress, not equal seconds
    spent = sum(g * d.cost_s for g, d in zip(grants, [small, big, neighbour], strict=True))
    assert spent <= budget + 1e-12
    assert spent > budget - 2 * 4e-4  # and nearly all of it (whole batches)


def test_a_run_asking_less_than_the_level_gets_what_it_asked_and_the_rest_goes_on() -> None:
    modest, greedy = Demand(3 * EPOCH, EPOCH, 1e-4), Demand(100 * EPOCH, EPOCH, 1e-4)
    grants = fair_grants([modest, greedy], budget_s=30 * EPOCH * 1e-4)
    assert grants[0] == 3 * EPOCH
    assert grants[1] == 30 * EPOCH - 3 * EPOCH


def test_a_late_frame_s_missed_slots_are_its_floor_and_a_fast_run_s_extra_still_shares_the_spare() -> None:
    """A frame standing for 3 slots gets 3 epochs whatever the load (its neighbours, on time, their one);
    a fast run catching up gets 3 epochs as its floor and no more than its share of the spare beyond."""
    late, on_time = Demand(3 * EPOCH, EPOCH, 1e-4, slots=3), Demand(EPOCH, EPOCH, 1e-4)
    fast_late = Demand(100 * 3 * EPOCH, EPOCH, 1e-4, slots=3)
    assert floor_of(late) == 3 * EPOCH and floor_of(fast_late) == 3 * EPOCH
    assert fair_grants([late, on_time, fast_late], budget_s=0.0) == [3 * EPOCH, EPOCH, 3 * EPOCH]
    spare = 2 * EPOCH * 1e-4  # two epochs beyond the floors
    assert fair_grants([late, on_time, fast_late], budget_s=7 * EPOCH * 1e-4 + spare) == [3 * EPOCH, EPOCH, 5 * EPOCH]


@pytest.mark.parametrize("budget", [0.0, 1e-3, 1.0, 100.0])
def test_grants_lie_between_the_floor_and_what_was_asked(budget: float) -> None:
    demands = [Demand(b, e, c, n) for b, e, c, n in ((1, 25, 1e-4, 1), (7, 25, 1e-4, 1), (2500, 25, 3e-5, 1),
                                                    (60, 6, 1e-3, 1), (100, 25, 1e-4, 4), (2500, 25, 3e-5, 2))]
    for demand, grant in zip(demands, fair_grants(demands, budget), strict=True):
        assert floor_of(demand) <= grant <= demand.batches
    if budget == 100.0:
        assert fair_grants(demands, budget) == [d.batches for d in demands]


def test_pace_is_the_worse_of_frames_and_epochs_against_asked() -> None:
    pace = Pace()
    assert pace.figures(0.0, 60).ratio == 1.0  # nothing trained yet
    for frame in range(61):  # one second: 30 frames, each asking 1 epoch and getting half
        now = frame / 60
        if frame % 2 == 0:
            pace.trained(now, 1.0, 0.5)
            pace.frame(now)
    figures = pace.figures(1.0, 60)
    assert figures.fps == pytest.approx(30.0)  # the frames after the first record, over the second since
    assert figures.epochs_per_second == pytest.approx(15.0)
    assert figures.asked_epochs_per_second == 60.0
    assert figures.ratio == pytest.approx(15.0 / 60)
    pace.clear()
    assert pace.figures(1.5, 60).ratio == 1.0  # stopped training: nothing asked any more


def test_a_server_so_busy_that_frames_come_seconds_apart_is_still_measured() -> None:
    pace = Pace()
    for second in range(0, 12, 3):  # a frame every 3 s, longer than the window
        pace.trained(float(second), 1.0, 1.0)
        pace.frame(float(second))
    figures = pace.figures(9.0, 60)
    assert figures.fps == pytest.approx(1 / 3)
    assert figures.ratio == pytest.approx(1 / 180)
    assert len(pace.training) == MIN_RECORDS


def test_frame_slots_carry_what_is_left_of_a_slot_and_drop_what_is_beyond_the_cap() -> None:
    pace, interval = Pace(), 1 / 64  # binary fractions: exact
    assert pace.slots_since(10.0, interval, 4) == 1  # the first frame since the run started
    slots = [pace.slots_since(10.0 + n * 3.5 * interval, interval, 4) for n in range(1, 9)]
    assert slots == [3, 4, 3, 4, 3, 4, 3, 4] and sum(slots) == 8 * 3.5  # 3.5 slots apart: all of them
    assert pace.slots_since(10.0 + 28.25 * interval, interval, 4) == 1  # early: one, nothing owed after
    assert pace.slots_since(10.0 + 40.0 * interval, interval, 4) == 4  # 11.75 slots late: at most 4...
    assert pace.slots_since(10.0 + 41.0 * interval, interval, 4) == 1  # ...and the rest dropped
    pace.clear()
    assert pace.slots_since(99.0, interval, 4) == 1
