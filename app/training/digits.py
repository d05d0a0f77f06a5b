"""How many decimals "Inside one neuron" shows, so that the shown numbers add up.

Imports the standard library only: no numpy, no web code.

A learner checks the table by hand: the shown products must add up to the shown Σ, the
shown Σ and bias to the shown z, a weight's shown value and change to its shown new value.
Rounding every term and the total to the same number of decimals does not guarantee that
(0.004 + 0.004 = 0.008, but 0.00 + 0.00 ≠ 0.01), so this module looks for the fewest decimals,
from a readable start, at which every equation holds as shown; ``is_exact`` is False when none
up to ``EXTRA_DECIMALS`` more does (one time in fifty with five inputs, one in ten with 16), and
the page then writes ≈ instead of = and says that the rounded terms do not add up exactly.

The page writes a number with ``Number.prototype.toFixed(decimals)``, which rounds the exact
binary value half away from zero; ``shown`` rounds the same way, so the check here is the
check of the page's text (tests/e2e reads the text back and adds it up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MIN_DECIMALS = 2  # never fewer decimals than this: "0.50", not "0.5" or "1"
MAX_DECIMALS = 12  # never more: beyond this the double's own rounding shows
EXTRA_DECIMALS = 6  # at most this many decimals more than the readable start, to make sums add up
SIGNIFICANT = 3  # the largest number of a group shows at least this many significant digits
CHANGE_SIGNIFICANT = 2  # an update's change shows at least this many significant digits


@dataclass(frozen=True)
class Equation:
    """terms add up to total: Σ terms = total."""

    terms: Sequence[float]
    total: float


def shown(value: float, decimals: int) -> Decimal:
    """``value`` as the page writes it with ``toFixed(decimals)``: the exact double, half away from zero."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) + Decimal(0)


def decimals_for(values: Sequence[float], significant: int = SIGNIFICANT) -> int:
    """The decimals at which the largest finite |value| shows ``significant`` significant digits."""
    size = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if size == 0.0:
        return MIN_DECIMALS
    return min(MAX_DECIMALS, max(MIN_DECIMALS, significant - 1 - math.floor(math.log10(size))))


def holds(equations: Sequence[Equation], decimals: int) -> bool:
    """Whether every equation adds up when each number is shown to ``decimals`` decimals."""
    numbers = [v for e in equations for v in (*e.terms, e.total)]
    if not all(math.isfinite(v) for v in numbers):
        return False
    return all(sum((shown(t, decimals) for t in e.terms), Decimal(0)) == shown(e.total, decimals)
               for e in equations)


def adding_up(equations: Sequence[Equation], start: int) -> tuple[int, bool]:
    """(decimals, is_exact): the fewest decimals from ``start`` at which every equation adds up as
    shown, or (start, False) when none up to EXTRA_DECIMALS more does."""
    start = min(max(start, MIN_DECIMALS), MAX_DECIMALS)
    for decimals in range(start, min(start + EXTRA_DECIMALS, MAX_DECIMALS) + 1):
        if holds(equations, decimals):
            return decimals, True
    return start, False
