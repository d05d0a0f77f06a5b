"""app.training.digits: the shown numbers add up, checked on the text the page writes (toFixed's rounding)."""

from decimal import Decimal

import numpy as np
import pytest

from app.training.digits import (
    EXTRA_DECIMALS,
    MIN_DECIMALS,
    Equation,
    adding_up,
    decimals_for,
    holds,
    shown,
)


def to_fixed(value: float, decimals: int) -> str:
    """JavaScript's Number.prototype.toFixed, from its specification: the n with n / 10^f − x
    closest to zero, the larger n on a tie, for |x|; then the sign (exact arithmetic on the double)."""
    x = Decimal(value)
    scale = Decimal(10) ** decimals
    n = (abs(x) * scale).to_integral_value(rounding="ROUND_FLOOR")
    if abs(x) * scale - n >= Decimal("0.5"):
        n += 1
    text = f"{n / scale:.{decimals}f}"
    return ("-" if x < 0 and n != 0 else "") + text


@pytest.mark.parametrize("value", [0.125, -0.125, 2.675, 1.005, -0.0001, 0.5, 123.456789, -2.5e-7, 0.0])
@pytest.mark.parametrize("decimals", [2, 3, 5])
def test_shown_is_the_text_toFixed_writes(value: float, decimals: int) -> None:
    assert str(shown(value, decimals)) == to_fixed(value, decimals)


def test_the_example_from_the_page_that_did_not_add_up_now_does() -> None:
    # three products that show as 0.004 + 0.004 + 0.004 at 3 decimals but sum to 0.0135
    products = [0.0045, 0.0045, 0.0045]
    total = sum(products)
    assert not holds([Equation(products, total)], 3)
    decimals, is_exact = adding_up([Equation(products, total)], 3)
    assert is_exact and decimals > 3
    assert sum(shown(p, decimals) for p in products) == shown(total, decimals)


def test_random_sums_add_up_as_shown_or_say_they_do_not() -> None:
    generator = np.random.default_rng(7)
    exact = 0
    for _ in range(500):
        terms = generator.normal(0.0, 0.7, size=int(generator.integers(1, 6))).tolist()
        bias = float(generator.normal())
        total = float(np.sum(terms))
        equations = [Equation(terms, total), Equation([total, bias], total + bias)]
        start = decimals_for([*terms, total])
        decimals, is_exact = adding_up(equations, start)
        assert start <= decimals <= start + EXTRA_DECIMALS
        assert is_exact == holds(equations, decimals)
        if is_exact:
            texts = [to_fixed(t, decimals) for t in terms]
            assert sum(Decimal(t) for t in texts) == Decimal(to_fixed(total, decimals))
        else:
            assert decimals == start
        exact += is_exact
    assert exact >= 485  # with up to five terms, 97 % or more


@pytest.mark.parametrize(("values", "decimals"), [([2.16], 2), ([0.312], 3), ([0.000412, 0.0001], 6),
                                                  ([], MIN_DECIMALS), ([0.0], MIN_DECIMALS), ([512.0], 2)])
def test_the_largest_number_shows_three_significant_digits(values: list[float], decimals: int) -> None:
    assert decimals_for(values) == decimals


def test_numbers_that_are_not_finite_never_add_up() -> None:
    assert not holds([Equation([float("nan")], 0.0)], 3)
    assert adding_up([Equation([1.0, float("inf")], 1.0)], 2) == (2, False)
