"""FIFO inventory and PnL on hand-checked fills; the reducer-wide identities live in the machine."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core_factories import D
from logos.core.book import valuation
from logos.core.portfolio import apply_fill, average_cost, gross_exposure, market_value, unrealized
from logos.core.state import FLAT, NO_MARKET, Lot, Position

CENT = D("0.01")


def test_apply_fill_with_a_flat_book_opens_a_lot_and_books_only_the_fee():
    position, realized, flow = apply_fill(FLAT, D("10"), D("100"), D("1.5"), CENT)

    assert position == Position(D("10"), (Lot(D("10"), D("100"), D("1000.00")),), D("-1.5"), D("1.5"))
    assert realized == D("-1.5")
    assert flow == D("-1001.50")


def test_apply_fill_with_two_long_lots_closes_the_oldest_first():
    # Arrange: 10 @ 100 then 10 @ 110
    position, _, _ = apply_fill(FLAT, D("10"), D("100"), D("0"), CENT)
    position, _, _ = apply_fill(position, D("10"), D("110"), D("0"), CENT)

    # Act: sell 15 @ 120 closes 10 from 100 (+200) and 5 from 110 (+50)
    position, realized, flow = apply_fill(position, D("-15"), D("120"), D("2"), CENT)

    # Assert
    assert realized == D("248")
    assert flow == D("1798")  # 15 x 120 less the fee
    assert position.qty == D("5") and position.lots == (Lot(D("5"), D("110"), D("550.00")),)
    assert (position.realized, position.fees) == (D("248"), D("2"))


def test_apply_fill_with_a_sell_larger_than_the_long_flips_to_a_short_lot_at_the_fill_price():
    position, _, _ = apply_fill(FLAT, D("10"), D("100"), D("0"), CENT)

    position, realized, _ = apply_fill(position, D("-25"), D("90"), D("0"), CENT)

    assert realized == D("-100")
    assert position.qty == D("-15") and position.lots == (Lot(D("-15"), D("90"), D("-1350.00")),)


def test_apply_fill_with_a_short_covered_at_a_lower_price_gains():
    position, _, _ = apply_fill(FLAT, D("-0.5"), D("30000.00"), D("0"), D("0.00000001"))

    position, realized, _ = apply_fill(position, D("0.2"), D("29000.00"), D("0.00000001"), D("0.00000001"))

    assert realized == D("199.99999999")
    assert position.lots == (Lot(D("-0.3"), D("30000.00"), D("-9000.00000000")),)


def test_apply_fill_with_amounts_finer_than_the_cash_step_rounds_each_and_loses_nothing():
    # Arrange: 3 units at 0.335 cost 1.005, which is 1.00 on a cent (half to even)
    position, _, flow = apply_fill(FLAT, D("3"), D("0.335"), D("0"), CENT)
    assert (flow, position.lots[0].cost) == (D("-1.00"), D("1.00"))

    # Act: close one unit, then the other two, at the same price
    position, first, in_1 = apply_fill(position, D("-1"), D("0.335"), D("0"), CENT)
    position, rest, in_2 = apply_fill(position, D("-2"), D("0.335"), D("0"), CENT)

    # Assert: each part is on the cent, and the whole round trip books what cash says
    assert (in_1, first) == (D("0.34"), D("0.01"))  # sold for 0.34 against a third of the cost, 0.33
    assert (in_2, rest) == (D("0.67"), D("0.00"))  # 0.67 against the 0.67 of cost left
    assert position == Position(D("0"), (), first + rest, D("0"))
    assert flow + in_1 + in_2 == first + rest


steps = st.sampled_from([D("1"), D("0.01"), D("0.00000001")])
fills = st.lists(
    st.tuples(st.integers(-40, 40).filter(bool), st.integers(1, 50_000), st.integers(0, 300)), min_size=1, max_size=25
)


@given(fills=fills, cash_step=steps, qty_step=st.sampled_from([D("1"), D("0.1"), D("0.001")]), tick=st.sampled_from([D("0.01"), D("0.001")]))
def test_apply_fill_with_any_fills_keeps_cash_and_pnl_on_the_step_and_explains_cash_exactly(fills, cash_step, qty_step, tick):
    # Arrange
    position, cash = FLAT, Decimal(0)
    for units, ticks, fee_steps in fills:
        qty, price, fee = units * qty_step, ticks * tick, fee_steps * cash_step

        # Act
        position, realized, flow = apply_fill(position, qty, price, fee, cash_step)
        cash += flow

        # Assert: every cash figure is a whole number of steps...
        for figure in (realized, flow, position.realized, *(lot.cost for lot in position.lots)):
            assert figure % cash_step == 0, figure
        # ... the lots hold the position, FIFO, all on one side ...
        assert sum((lot.qty for lot in position.lots), Decimal(0)) == position.qty
        assert len({lot.qty > 0 for lot in position.lots}) <= 1
        # ... and cash is realized PnL less what the open lots cost: nothing lost to rounding
        assert cash == position.realized - sum((lot.cost for lot in position.lots), Decimal(0))
        assert cash + position.qty * price == position.realized + unrealized(position, price)


def test_unrealized_and_average_cost_with_mixed_lots_are_exact():
    position = Position(D("30"), (Lot(D("10"), D("100"), D("1000")), Lot(D("20"), D("103"), D("2060"))), D("0"), D("0"))

    assert unrealized(position, D("102")) == D("0")  # +20 on the first lot, -20 on the second
    assert average_cost(position) == D("102")
    assert unrealized(position, None) == D("0") and average_cost(FLAT) is None


def test_market_value_and_gross_exposure_with_long_and_short_books():
    positions = {"A": Position(D("10"), (), D(0), D(0)), "B": Position(D("-4"), (), D(0), D(0)), "C": FLAT}
    marks = {"A": D("100"), "B": D("50"), "C": None}

    assert market_value(positions, marks) == D("800")
    assert gross_exposure((p.qty, marks[s]) for s, p in positions.items()) == D("1200")


amounts = st.decimals(min_value=D("-1000"), max_value=D("1000"), places=4, allow_nan=False, allow_infinity=False)
marks = st.none() | st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=4, allow_nan=False, allow_infinity=False)


@given(cash=amounts, holdings=st.dictionaries(st.sampled_from("ABCDE"), st.tuples(amounts, marks)))
def test_valuation_with_any_holdings_agrees_with_market_value_and_gross_exposure(cash, holdings):
    # The book's fresh sum, which its running totals are held to, is the portfolio's sums:
    # equity is cash plus each holding's worth, exposure each holding's size, however small.
    positions = {symbol: FLAT._replace(qty=qty) for symbol, (qty, _) in holdings.items()}
    markets = {symbol: NO_MARKET._replace(mark=mark) for symbol, (_, mark) in holdings.items()}

    equity, exposure = valuation(cash, positions, markets)

    assert equity == cash + market_value(positions, {symbol: mark for symbol, (_, mark) in holdings.items()})
    assert exposure == gross_exposure(holdings.values())
