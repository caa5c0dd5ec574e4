"""The fill model's limit prices as pure functions: when a bar reaches a limit, and at what price."""

from __future__ import annotations

from decimal import Decimal

import pytest
from core_factories import D, bar, equity_spec, make_params

from logos.core.fills import fill_price
from logos.core.order import Order
from logos.core.order_fsm import ACCEPTED

SPEC = equity_spec()  # tick 0.01
PARAMS = make_params(order_type="limit")


def limit_order(side: str, limit: str) -> Order:
    return Order("S-1", "AAPL", side, D("10"), "limit", D(limit), ACCEPTED, D(0), 0, D(0), D(0), 0, 0, (), "")


def priced(side: str, limit: str, open: str, high: str, low: str) -> Decimal | None:
    return fill_price(limit_order(side, limit), bar("AAPL", 1, open, open, high, low), PARAMS, SPEC, at_close=False)


@pytest.mark.parametrize(
    ("side", "limit", "open", "high", "low", "expected"),
    [
        ("buy", "100.00", "100.50", "100.60", "100.00", "100.00"),  # the low touches the limit
        ("buy", "100.00", "100.50", "100.60", "100.01", None),  # one tick short
        ("sell", "101.00", "100.50", "101.00", "100.40", "101.00"),  # the high touches the limit
        ("sell", "101.00", "100.50", "100.99", "100.40", None),  # one tick short
    ],
)
def test_fill_price_with_a_bar_that_reaches_the_limit_fills_there_and_one_tick_short_does_not(side, limit, open, high, low, expected):
    assert priced(side, limit, open, high, low) == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("side", "limit", "open", "expected"),
    [
        ("buy", "100.00", "99.995", "100.00"),  # a better open, off the tick: up, against the buyer
        ("buy", "100.00", "99.981", "99.99"),
        ("sell", "101.00", "101.005", "101.00"),  # down, against the seller
        ("sell", "101.00", "101.019", "101.01"),
    ],
)
def test_fill_price_with_an_off_tick_open_better_than_the_limit_rounds_it_against_the_order(side, limit, open, expected):
    assert priced(side, limit, open, open, open) == D(expected)
