"""Every order lifecycle state, reached through the reducer in small hand-checked sessions.

The strategy is momentum with fast=1, slow=2: a close above the previous one targets +10
units (long), a close below targets -10 (short). Market orders fill at the next bar's open.
"""

from __future__ import annotations

from decimal import Decimal

from core_factories import T0, D, Run, bar, equity_spec, make_params
from logos.core.effects import AppendJournal
from logos.core.timestamps import iso
from logos.core.events import (
    FeedEnded,
    GuardTripped,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRequested,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
)
from logos.core.order_fsm import (
    ACCEPTED,
    CANCELED,
    DENIED,
    EXPIRED,
    FILLED,
    PARTIALLY_FILLED,
    PENDING_CANCEL,
)

RISE = (bar("AAPL", 0, "100"), bar("AAPL", 1, "101"))  # the second close targets +10 AAPL


def lifecycle(run: Run, client_id: str) -> str:
    return run.order_rows()[client_id][10]


def test_order_with_notional_above_max_notional_is_denied_and_never_leaves():
    # Arrange
    run = Run(make_params(max_notional=D("1009.99")))

    # Act
    facts = run.steps(RISE)

    # Assert: 10 x 101 = 1010 is one cent over the limit
    denied = run.of(OrderDenied)
    assert [(d.client_id, d.qty, d.reasons) for d in denied] == [("S-1", D("10"), ("max_notional",))]
    assert run.of(OrderSubmitted) == []
    assert [type(f) for f in facts] == [GuardTripped, OrderDenied]
    assert lifecycle(run, "S-1") == "initialized>denied"
    assert run.order_rows()["S-1"][9] == DENIED
    assert run.order_rows()["S-1"][13] == "AAPL order notional", "the reason says which limit"
    assert not run.state.orders


def test_order_breaking_two_limits_is_denied_with_both_guards_and_both_details_as_its_reason():
    run = Run(make_params(max_notional=D("1009.99"), max_position=D("5")))

    run.steps(RISE)

    (denied,) = run.of(OrderDenied)
    assert denied.reasons == ("max_notional", "max_position")
    assert [t.detail for t in run.of(GuardTripped)] == ["AAPL order notional", "AAPL position value after the order"]
    assert run.order_rows()["S-1"][13] == "AAPL order notional; AAPL position value after the order"


def test_order_with_notional_at_max_notional_is_accepted():
    run = Run(make_params(max_notional=D("1010")))

    run.steps(RISE)

    assert run.state.orders["S-1"].status == ACCEPTED
    assert run.state.orders["S-1"].lifecycle == ("initialized", "submitted", "accepted")


def test_buy_with_insufficient_cash_is_rejected_with_the_amounts():
    # Arrange: 10 x 101 plus a 10 bps fee (1.01) needs 1011.01
    run = Run(make_params(initial_cash=D("1011"), fee_bps=D("10")))

    # Act
    run.steps(RISE)

    # Assert
    (rejected,) = run.of(OrderRejected)
    assert rejected == OrderRejected("S-1", "insufficient cash: needs 1011.01, has 1011", RISE[1].seen)
    assert lifecycle(run, "S-1") == "initialized>submitted>rejected"
    assert run.state.cash == D("1011") and not run.state.orders


def test_buy_with_exactly_enough_cash_is_accepted():
    run = Run(make_params(initial_cash=D("1011.01"), fee_bps=D("10")))

    run.steps(RISE)

    assert run.state.orders["S-1"].status == ACCEPTED


def test_market_order_with_enough_volume_fills_at_next_open():
    # Arrange
    run = Run(make_params())
    run.steps(RISE)

    # Act
    facts = run.step(bar("AAPL", 2, "103", open="102"))

    # Assert
    (fill,) = [f for f in facts if isinstance(f, OrderFilled)]
    assert (fill.qty, fill.price, fill.leaves, fill.trade_id) == (D("10"), D("102"), D("0"), "S-1-F1")
    row = run.order_rows()["S-1"]
    assert row[9] == FILLED and D(row[6]) == D("10") and D(row[7]) == D("102")
    assert lifecycle(run, "S-1") == "initialized>submitted>accepted>filled"
    assert run.state.cash == D("98980")
    assert run.state.positions["AAPL"].qty == D("10")


def test_session_fill_count_with_fills_over_bars_starts_at_zero_and_counts_each():
    run = Run(make_params(volume_share=D("0.1")))  # 10 units, 4 a bar

    run.steps(RISE)
    assert run.state.fills_applied == 0
    run.steps((bar("AAPL", 2, "101", volume="40"), bar("AAPL", 3, "101", volume="40")))

    assert run.state.fills_applied == len(run.of(OrderFilled)) == 2


def test_market_order_with_slippage_and_fee_fills_against_the_order_and_pays_the_fee():
    run = Run(make_params(slippage_bps=D("10"), fee_bps=D("10")))
    run.steps(RISE)

    facts = run.step(bar("AAPL", 2, "103", open="102"))

    # 102 x 1.001 = 102.102, rounded up to the tick; the fee 1.0211 rounds up to the cent.
    (fill,) = [f for f in facts if isinstance(f, OrderFilled)]
    assert (fill.price, fill.fee, fill.realized) == (D("102.11"), D("1.03"), D("-1.03"))
    assert run.state.cash == D("98977.87")
    account = run.rows("account")[-1]
    assert (account[2], account[3]) == ("98977.87", "100007.87")  # 10 marked at the 103 close


def test_market_order_with_small_volume_fills_partially_over_bars():
    # Arrange
    run = Run(make_params(volume_share=D("0.5")))
    run.steps(RISE)

    # Act: 8 x 0.5 = 4 units per bar
    first = run.step(bar("AAPL", 2, "102", volume="8"))
    second = run.step(bar("AAPL", 3, "103", volume="8"))

    # Assert
    assert [(f.qty, f.leaves) for f in first if isinstance(f, OrderFilled)] == [(D("4"), D("6"))]
    assert [(f.qty, f.leaves) for f in second if isinstance(f, OrderFilled)] == [(D("4"), D("2"))]
    order = run.state.orders["S-1"]
    assert order.status == PARTIALLY_FILLED and order.filled == D("8") and order.fills == 2
    assert order.lifecycle[-1] == PARTIALLY_FILLED and order.lifecycle.count(PARTIALLY_FILLED) == 1


def test_bar_with_zero_volume_fills_nothing():
    run = Run(make_params())
    run.steps(RISE)

    facts = run.step(bar("AAPL", 2, "102", volume="0"))

    assert run.of(OrderFilled) == [] and facts == []
    assert run.state.orders["S-1"].status == ACCEPTED


def test_open_order_with_target_change_goes_pending_cancel_and_cancels_on_next_bar():
    # Arrange: a partly filled buy (4 of 10), then a lower close flips the target to -10
    run = Run(make_params(volume_share=D("0.5")))
    run.steps(RISE + (bar("AAPL", 2, "102", volume="8"),))

    # Act
    flip = run.step(bar("AAPL", 3, "100", open="102", volume="0"))

    # Assert: the old order waits for the venue; the new one sells from the 4 held to -10
    assert [type(f) for f in flip] == [OrderCancelRequested, OrderSubmitted, OrderAccepted]
    assert run.state.orders["S-1"].status == PENDING_CANCEL
    assert run.state.orders["S-1"].reason == "target changed"
    new = run.state.orders["S-2"]
    assert (new.side, new.qty) == ("sell", D("14"))

    # Act: the next bar confirms the cancel before it could fill anything of S-1
    nxt = run.step(bar("AAPL", 4, "99", volume="1000"))

    # Assert
    assert [(type(f), f.client_id) for f in nxt] == [(OrderCanceled, "S-1"), (OrderFilled, "S-2")]
    assert lifecycle(run, "S-1") == "initialized>submitted>accepted>partially_filled>pending_cancel>canceled"
    row = run.order_rows()["S-1"]
    assert (D(row[6]), row[9], row[13]) == (D("4"), CANCELED, "target changed")
    assert run.state.positions["AAPL"].qty == D("-10")


def test_cancel_request_with_nothing_else_to_journal_is_journaled_durably():
    # A cancel request is a message to the venue: its line is synced at once, even when the
    # bar that caused it journals nothing else that would be.
    run = Run(make_params(strategy_params={"fast": 1, "slow": 2, "long_only": True}))
    run.steps(RISE)
    logged = len(run.effects)

    facts = run.step(bar("AAPL", 2, "100", open="101", volume="0"))  # flat again: no order to replace it

    (journal,) = [e for e in run.effects[logged:] if isinstance(e, AppendJournal)]
    assert [type(f) for f in facts] == [OrderCancelRequested]
    assert journal.durable


def test_order_filled_in_two_parts_writes_a_trade_row_per_fill_and_an_order_row_of_their_totals():
    # Arrange: 3 AAPL (tick 0.01) at a 1% fee, filled 1 at 102 then 2 at 103
    run = Run(make_params(sizing="notional", sizing_value=D("303"), volume_share=D("0.5"), fee_bps=D("100")))
    run.steps(RISE)

    # Act
    first, second = bar("AAPL", 2, "102", open="102", volume="2"), bar("AAPL", 3, "103", open="103", volume="4")
    run.steps((first, second))

    # Assert: each fill's qty, price, fee, realized PnL (the fee), the holding it left and
    # that holding's unrealized PnL at the fill's price (1 lot at 102 and 2 at 103, marked 103), at
    # the open of the bar it filled on
    trades = [(*row[:4], *map(D, row[4:10]), row[10]) for row in run.rows("trades")]
    assert trades == [
        ("S-1-F1", "S-1", "AAPL", "buy", D("1"), D("102"), D("1.02"), D("-1.02"), D("1"), D("0"), iso(first.ts)),
        ("S-1-F2", "S-1", "AAPL", "buy", D("2"), D("103"), D("2.06"), D("-2.06"), D("3"), D("1"), iso(second.ts)),
    ]
    # The order's fees are the sum of its fills'; its average, 308 / 3 = 102.666..., does not
    # end, and is cut to six places: the tick's two and four more
    row = run.order_rows()["S-1"]
    assert row[3:7] == ("market", "3", "", "3")  # a market order has no limit to write
    assert (row[9], D(row[8])) == (FILLED, D("3.08"))
    assert row[7] == "102.666667"


def test_order_row_with_an_average_that_ends_writes_it_with_its_own_places():
    run = Run(make_params(volume_share=D("0.5")))
    run.steps(RISE)

    run.steps((bar("AAPL", 2, "102", open="102", volume="10"), bar("AAPL", 3, "103", open="103", volume="20")))

    assert run.order_rows()["S-1"][7] == "102.5"  # 5 at 102 and 5 at 103, not 102.500000


def test_limit_order_with_ttl_expires_after_its_bars():
    # Arrange: buy limit 1% under 101 -> 99.99, alive for 2 bars
    run = Run(make_params(order_type="limit", limit_offset_bps=D("100"), limit_ttl_bars=2))
    run.steps(RISE)
    assert run.state.orders["S-1"].limit_price == D("99.99")

    # Act / Assert: neither bar trades down to 99.99
    assert run.step(bar("AAPL", 2, "102", low="100")) == []
    assert run.state.orders["S-1"].bars_left == 1
    assert [type(f) for f in run.step(bar("AAPL", 3, "103", low="100"))] == [OrderExpired]
    assert lifecycle(run, "S-1") == "initialized>submitted>accepted>expired"
    assert not run.state.orders
    assert run.order_rows()["S-1"][3:8] == ("limit", "10", "99.99", "0", "")  # nothing filled: no average


def test_limit_order_with_bar_through_the_limit_fills_at_the_limit_or_a_better_open():
    run = Run(make_params(order_type="limit", limit_offset_bps=D("100"), limit_ttl_bars=2))
    run.steps(RISE)

    at_limit = run.step(bar("AAPL", 2, "101", open="101", low="99.50", volume="3"))
    gap_down = run.step(bar("AAPL", 3, "99", open="99"))

    assert [(f.qty, f.price) for f in at_limit if isinstance(f, OrderFilled)] == [(D("3"), D("99.99"))]
    assert [(f.qty, f.price) for f in gap_down if isinstance(f, OrderFilled)] == [(D("7"), D("99"))]
    assert lifecycle(run, "S-1") == "initialized>submitted>accepted>partially_filled>filled"


def test_partly_filled_limit_order_with_ttl_expires_partially_filled():
    run = Run(make_params(order_type="limit", limit_offset_bps=D("100"), limit_ttl_bars=1))
    run.steps(RISE)

    facts = run.step(bar("AAPL", 2, "102", low="99", volume="4"))

    assert [type(f) for f in facts] == [OrderFilled, OrderExpired]
    assert lifecycle(run, "S-1") == "initialized>submitted>accepted>partially_filled>expired"
    assert D(run.order_rows()["S-1"][6]) == D("4")


def test_open_order_at_session_end_expires_with_the_reason():
    run = Run(make_params())
    run.steps(RISE)

    facts = run.step(FeedEnded(run.state.clock + 5))

    assert [type(f).__name__ for f in facts] == ["OrderExpired", "SessionCompleted"]
    row = run.order_rows()["S-1"]
    assert (row[9], row[13]) == (EXPIRED, "session ended")
    assert not run.state.orders


def test_pending_cancel_order_at_session_end_is_canceled_not_expired():
    run = Run(make_params(volume_share=D("0.5")))
    run.steps(RISE + (bar("AAPL", 2, "102", volume="8"), bar("AAPL", 3, "100", volume="0")))
    assert run.state.orders["S-1"].status == PENDING_CANCEL

    facts = run.step(FeedEnded(run.state.clock))

    assert [(type(f).__name__, getattr(f, "client_id", None)) for f in facts] == [
        ("OrderCanceled", "S-1"),
        ("OrderExpired", "S-2"),
        ("SessionCompleted", None),
    ]


def test_same_close_market_order_fills_at_the_deciding_close():
    run = Run(make_params(fill_at="same_close", volume_share=D("0.5")))

    facts = run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101", volume="12")))

    fills = [f for f in facts if isinstance(f, OrderFilled)]
    assert [(f.qty, f.price, f.leaves) for f in fills] == [(D("6"), D("101"), D("4"))]
    # The account row is written after the fill: it shows the cash the trade left.
    account = run.rows("account")[-1]
    assert (account[2], account[3], account[6]) == ("99394", "100000", "606")  # cash, equity, gross exposure


def pairs_decided_on_the_first_leg(fill_at: str) -> tuple[Run, list[tuple[str, str, Decimal, int]]]:
    """A pairs session whose minute-2 decision is taken on AAA's bar, the first of that minute:
    BBB's leg is ordered before BBB's own minute-2 bar (opened before the decision) arrives."""
    params = make_params(
        [equity_spec("AAA"), equity_spec("BBB")],
        strategy="pairs_trading",
        strategy_params={"lookback": 2, "entry_z": "0.5", "exit_z": "0"},
        fill_at=fill_at,
    )
    run = Run(params)
    run.steps((bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "100"), bar("BBB", 1, "50")))
    return run, filled(run.step(bar("AAA", 2, "110")))


def filled(facts: list) -> list[tuple[str, str, Decimal, int]]:
    return [(f.symbol, f.side, f.price, f.ts) for f in facts if isinstance(f, OrderFilled)]


def test_pairs_leg_with_next_open_never_fills_on_its_bar_of_the_deciding_minute():
    # The leg's same-minute bar opened before the decision: its open is a price from the past.
    run, at_decision = pairs_decided_on_the_first_leg("next_open")
    assert at_decision == []

    same_minute = run.step(bar("BBB", 2, "50", open="49"))
    following = run.steps((bar("AAA", 3, "110", open="111"), bar("BBB", 3, "50", open="53")))

    assert filled(same_minute) == []
    assert filled(following) == [("AAA", "sell", D("111"), T0 + 180), ("BBB", "buy", D("53"), T0 + 180)]


def test_pairs_leg_with_same_close_fills_at_its_own_close_of_the_deciding_minute():
    # That bar's close is seen with the decision or after it: a same_close leg may take it.
    run, at_decision = pairs_decided_on_the_first_leg("same_close")
    assert at_decision == [("AAA", "sell", D("110"), T0 + 180)]

    same_minute = run.step(bar("BBB", 2, "50", open="49"))

    assert filled(same_minute) == [("BBB", "buy", D("50"), T0 + 180)]


def test_pairs_leg_with_same_close_waits_for_its_own_bar():
    # Arrange: AAA jumps against BBB; the decision is taken on BBB's bar
    params = make_params(
        [equity_spec("AAA"), equity_spec("BBB")],
        strategy="pairs_trading",
        strategy_params={"lookback": 2, "entry_z": "0.5", "exit_z": "0"},
        fill_at="same_close",
    )
    run = Run(params)

    # Act
    facts = run.steps((bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "110"), bar("BBB", 1, "50")))

    # Assert: BBB (the deciding bar's symbol) fills at its close; AAA is not filled at BBB's 50
    assert [(f.symbol, f.side, f.price) for f in facts if isinstance(f, OrderFilled)] == [("BBB", "buy", D("50"))]
    assert run.state.orders["S-1"].symbol == "AAA" and run.state.orders["S-1"].status == ACCEPTED
    nxt = run.step(bar("AAA", 2, "111", volume="1000"))
    assert [(f.symbol, f.side, f.price) for f in nxt if isinstance(f, OrderFilled)] == [("AAA", "sell", D("111"))]
