"""The exposure a pre-trade check reads is a running figure: it must equal the fresh sum.

``Book.exposure_except`` reads what each symbol's working orders add from figures moved by
the one symbol an order, a fill or a bar changes. The oracle here sums it afresh over every
open order and every symbol, as the scan it replaced did; the two must agree in value and in
text (the figure is journaled in a guard's detail), on every call of random portfolio runs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from core_factories import D, T0, MINUTE, crypto_spec, equity_spec, make_params
from logos.core.book import Book, Out
from logos.core.events import BarClosed, SessionStarted, WarmupBar
from logos.core.money import ZERO
from logos.core.order_fsm import PENDING_CANCEL
from logos.core.reducer import reduce, reduce_events
from logos.core.state import initial_state

SPECS = (equity_spec("AAPL"), equity_spec("MSFT"), crypto_spec("BTC/USDT"))


def fresh_exposure_except(book: Book, symbol: str) -> Decimal:
    """Every other symbol's gross exposure after its working orders, summed over all of them."""
    working: dict[str, Decimal] = {}
    for order in book.orders.values():
        if order.symbol != symbol and order.status != PENDING_CANCEL:
            working[order.symbol] = working.get(order.symbol, ZERO) + order.signed_leaves
    total = book.exposure - abs(book.positions[symbol].qty) * (book.markets[symbol].mark or ZERO)
    for other, leaves in working.items():
        held = book.positions[other].qty
        total += (abs(held + leaves) - abs(held)) * (book.markets[other].mark or ZERO)
    return total


prices = st.lists(
    st.tuples(st.integers(-40, 40), st.integers(0, 3)),  # a step in cents, and extra places it is written with
    min_size=4,
    max_size=24,
)


@st.composite
def portfolio_runs(draw: Any) -> tuple[Any, list[Any], list[int]]:
    params = make_params(
        SPECS,
        strategy_params={"fast": 1, "slow": 2},
        sizing=draw(st.sampled_from(["units", "notional"])),
        sizing_value=D(draw(st.sampled_from(["3", "1000", "2500.5"]))),
        order_type=draw(st.sampled_from(["market", "limit"])),
        limit_offset_bps=D(draw(st.sampled_from(["0", "50"]))),
        limit_ttl_bars=draw(st.integers(0, 3)),
        fill_at=draw(st.sampled_from(["next_open", "same_close"])),
        volume_share=D(draw(st.sampled_from(["0.0001", "1"]))),
        initial_cash=D("10000000"),
        max_exposure=D(draw(st.sampled_from(["5000", "100000000"]))),
    )
    bars = []
    for spec in SPECS:
        cents = 10_000
        for minute, (step, extra) in enumerate(draw(prices)):
            cents = max(100, cents + step)
            close = (Decimal(cents) / 100).quantize(Decimal(1).scaleb(-2 - extra))
            ts = T0 + minute * MINUTE
            # Now and then history (a ``WarmupBar``): it moves the mark, and works no order
            kind = WarmupBar if draw(st.integers(0, 4)) == 0 else BarClosed
            bars.append(kind(spec.symbol, ts, close, close, close, close, D(draw(st.sampled_from(["50", "1000000"]))), ts + MINUTE))
    order = draw(st.permutations(range(len(SPECS))))
    bars.sort(key=lambda b: (b.ts, order[[s.symbol for s in SPECS].index(b.symbol)]))
    cuts = draw(st.lists(st.integers(1, 8), min_size=1, max_size=12))
    return params, bars, cuts


def run_checked(params: Any, bars: list[Any], cuts: list[int]) -> list[int]:
    """Run ``bars`` in runs of ``cuts`` lengths, checking every exposure read; return how many
    other symbols had working orders at each read."""
    original = Book.exposure_except
    others: list[int] = []

    def checked(book: Book, symbol: str) -> Decimal:
        running = original(book, symbol)
        fresh = fresh_exposure_except(book, symbol)
        assert str(running) == str(fresh), (symbol, running, fresh)
        others.append(len({o.symbol for o in book.orders.values() if o.symbol != symbol and o.status != PENDING_CANCEL}))
        return running

    state, _ = reduce(initial_state(params), SessionStarted(params.session_id, T0, params.seed, "cfg"))
    with patch.object(Book, "exposure_except", checked):
        at, step = 0, 0
        while at < len(bars) and state.status == "running":
            state, _, taken = reduce_events(state, bars, at, at + cuts[step % len(cuts)])
            at, step = at + taken, step + 1
    return others


@given(run=portfolio_runs())
def test_exposure_except_with_random_portfolio_runs_equals_the_fresh_sum_in_value_and_text(run):
    run_checked(*run)


def test_exposure_except_with_three_symbols_entering_together_reads_the_others_working_orders():
    # Arrange: every symbol rises, then all enter on the same minute; market orders fill at the next open
    params = make_params(SPECS, strategy_params={"fast": 1, "slow": 2}, sizing="notional", sizing_value=D("1000.5"))
    bars = [
        BarClosed(spec.symbol, T0 + m * MINUTE, close, close, close, close, D("1000000"), T0 + (m + 1) * MINUTE)
        for m, close in enumerate((D("100"), D("100.5"), D("101.25"), D("100.125"), D("102")))
        for spec in SPECS
    ]

    # Act
    others = run_checked(params, bars, [len(bars)])

    # Assert: the running figure was read with one and with two other symbols' orders working
    assert 1 in others and 2 in others


def test_exposure_except_with_the_symbols_own_orders_finest_leaves_their_places_out():
    # Arrange: all three enter on one minute and stay working (no volume to fill them); the
    # crypto order's term carries the most places (a fractional quantity at a 2-place mark)
    params = make_params(SPECS, strategy_params={"fast": 1, "slow": 2}, sizing="notional", sizing_value=D("1000.5"))
    state, _ = reduce(initial_state(params), SessionStarted(params.session_id, T0, params.seed, "cfg"))
    for m, close in enumerate((D("100"), D("101.25"), D("101.50"))):
        for spec in SPECS:
            volume = D("1000000") if m < 2 else D("0")
            state, _ = reduce(state, BarClosed(spec.symbol, T0 + m * MINUTE, close, close, close, close, volume, T0 + (m + 1) * MINUTE))
    book = Book(state, Out(state.seq))
    assert {o.symbol for o in book.orders.values()} == {s.symbol for s in SPECS}

    # Act / Assert: each symbol's read, its own orders' places left out, reads as the fresh sum
    for spec in SPECS:
        assert str(book.exposure_except(spec.symbol)) == str(fresh_exposure_except(book, spec.symbol))
