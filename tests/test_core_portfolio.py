"""FIFO inventory and PnL on hand-checked fills; the reducer-wide identities live in the machine."""

from __future__ import annotations

from core_factories import D
from logos.core.portfolio import apply_fill, average_cost, gross_exposure, market_value, unrealized
from logos.core.state import FLAT, Lot, Position


def test_apply_fill_with_a_flat_book_opens_a_lot_and_books_only_the_fee():
    position, realized = apply_fill(FLAT, D("10"), D("100"), D("1.5"))

    assert position == Position(D("10"), (Lot(D("10"), D("100")),), D("-1.5"), D("1.5"))
    assert realized == D("-1.5")


def test_apply_fill_with_two_long_lots_closes_the_oldest_first():
    # Arrange: 10 @ 100 then 10 @ 110
    position, _ = apply_fill(FLAT, D("10"), D("100"), D("0"))
    position, _ = apply_fill(position, D("10"), D("110"), D("0"))

    # Act: sell 15 @ 120 closes 10 from 100 (+200) and 5 from 110 (+50)
    position, realized = apply_fill(position, D("-15"), D("120"), D("2"))

    # Assert
    assert realized == D("248")
    assert position.qty == D("5") and position.lots == (Lot(D("5"), D("110")),)
    assert (position.realized, position.fees) == (D("248"), D("2"))


def test_apply_fill_with_a_sell_larger_than_the_long_flips_to_a_short_lot_at_the_fill_price():
    position, _ = apply_fill(FLAT, D("10"), D("100"), D("0"))

    position, realized = apply_fill(position, D("-25"), D("90"), D("0"))

    assert realized == D("-100")
    assert position.qty == D("-15") and position.lots == (Lot(D("-15"), D("90")),)


def test_apply_fill_with_a_short_covered_at_a_lower_price_gains():
    position, _ = apply_fill(FLAT, D("-0.5"), D("30000.00"), D("0"))

    position, realized = apply_fill(position, D("0.2"), D("29000.00"), D("0.00000001"))

    assert realized == D("199.99999999")
    assert position.lots == (Lot(D("-0.3"), D("30000.00")),)


def test_unrealized_and_average_cost_with_mixed_lots_are_exact():
    position = Position(D("30"), (Lot(D("10"), D("100")), Lot(D("20"), D("103"))), D("0"), D("0"))

    assert unrealized(position, D("102")) == D("0")  # +20 on the first lot, -20 on the second
    assert average_cost(position) == D("102")
    assert unrealized(position, None) == D("0") and average_cost(FLAT) is None


def test_market_value_and_gross_exposure_with_long_and_short_books():
    positions = {"A": Position(D("10"), (), D(0), D(0)), "B": Position(D("-4"), (), D(0), D(0)), "C": FLAT}
    marks = {"A": D("100"), "B": D("50"), "C": None}

    assert market_value(positions, marks) == D("800")
    assert gross_exposure((p.qty, marks[s]) for s, p in positions.items()) == D("1200")
