"""Risk guards: each limit at, just below and just above; halts through the reducer; resume blockers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core_factories import D, T0, Run, bar, crypto_spec, equity_spec, make_params, walk
from logos.core import guards
from logos.core.book import Book, Out
from logos.core.effects import Log, Stop
from logos.core.events import (
    ClockTicked,
    FeedEnded,
    FeedStalled,
    GuardTripped,
    KillSwitchTripped,
    OperatorHalted,
    OrderCanceled,
    OrderCancelRequested,
    OrderDenied,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    SessionHalted,
    SessionResumed,
    TradingModeChanged,
)
from logos.core.intents import OrderIntent
from logos.core.reducer import resume_blockers
from logos.core.session_fsm import HALTED, MODE_ACTIVE, MODE_HALTED, MODE_REDUCING, RUNNING
from logos.core.state import NO_MARKET, Market, initial_state
from logos.core.symbols import SymbolSpec
from logos.core.timestamps import iso


def intent(side: str = "buy", qty: str = "10", price: str = "100", symbol: str = "AAPL") -> OrderIntent:
    q, p = D(qty), D(price)
    return OrderIntent(symbol, "equity", side, q, "market", None, p, q * p, ())


def names(violations: tuple[guards.Violation, ...]) -> list[str]:
    return [v.guard for v in violations]


# --- pre-trade limits: strictly exceeded trips, equal passes ------------------------------


@pytest.mark.parametrize(
    ("price", "tripped"),
    [("99.999", False), ("100", False), ("100.001", True)],
    ids=["below", "at", "above"],
)
def test_max_notional_with_order_around_the_limit_trips_only_above(price: str, tripped: bool):
    params = make_params(max_notional=D("1000"))

    found = guards.pre_trade(params, MODE_ACTIVE, intent(price=price), D("0"), D("0"))

    assert names(found) == (["max_notional"] if tripped else [])
    if tripped:
        assert found[0] == guards.Violation("max_notional", "1000.010", "1000", "AAPL order notional")


@pytest.mark.parametrize(("held", "tripped"), [("4", False), ("5", False), ("6", True)], ids=["below", "at", "above"])
def test_max_position_with_position_after_order_around_the_limit_trips_only_above(held: str, tripped: bool):
    params = make_params(max_position=D("1500"))

    found = guards.pre_trade(params, MODE_ACTIVE, intent(), D(held), D("0"))

    assert names(found) == (["max_position"] if tripped else [])
    if tripped:
        assert found[0].measured == "1600" and found[0].limit == "1500"


@pytest.mark.parametrize(
    ("elsewhere", "tripped"),
    [("1999.99", False), ("2000", False), ("2000.01", True)],
    ids=["below", "at", "above"],
)
def test_max_exposure_with_gross_exposure_around_the_limit_trips_only_above(elsewhere: str, tripped: bool):
    params = make_params(max_exposure=D("3000"))

    found = guards.pre_trade(params, MODE_ACTIVE, intent(), D("0"), D(elsewhere))

    assert names(found) == (["max_exposure"] if tripped else [])


def test_exposure_elsewhere_with_working_orders_counts_other_symbols_orders_but_not_those_being_canceled():
    # Arrange: a buy of 10 working on each symbol, AAPL marked 101 and MSFT 51
    run = Run(make_params([equity_spec("AAPL"), equity_spec("MSFT")]))
    run.steps((bar("AAPL", 0, "100"), bar("MSFT", 0, "50"), bar("AAPL", 1, "101"), bar("MSFT", 1, "51")))
    book = Book(run.state, Out(run.state.seq))

    # Act / Assert: an order on one symbol is judged with what the other's order will add
    assert (book.exposure_except("AAPL"), book.exposure_except("MSFT")) == (D("510"), D("1010"))

    # ... until that order is on its way out
    msft = next(o for o in book.orders.values() if o.symbol == "MSFT")
    book.put(book.cancel(msft, "target changed", T0 + 120, confirm=False), T0 + 120)
    assert book.exposure_except("AAPL") == D("0")


def test_exposure_elsewhere_with_holdings_counts_the_size_other_symbols_will_hold_after_their_orders():
    # Arrange: 10 held of each, AAPL marked 100 and MSFT 50, and a sell of 20 working on each
    run = Run(make_params([equity_spec("AAPL"), equity_spec("MSFT")]))
    run.steps((bar("AAPL", 0, "100"), bar("MSFT", 0, "50"), bar("AAPL", 1, "101"), bar("MSFT", 1, "51")))
    run.steps((bar("AAPL", 2, "100", open="101"), bar("MSFT", 2, "50", open="51")))
    assert [(o.symbol, o.side, o.leaves) for o in run.state.orders.values()] == [("AAPL", "sell", 20), ("MSFT", "sell", 20)]
    book = Book(run.state, Out(run.state.seq))

    # Act / Assert: the other symbol goes from 10 long to 10 short, the same size; the
    # symbol's own holding is left out, for its order is judged with it
    assert (book.exposure_except("AAPL"), book.exposure_except("MSFT")) == (D("500"), D("1000"))


def test_position_and_exposure_limits_with_reducing_order_let_it_through():
    # Already far over both limits: a sell that shrinks the long must still pass
    params = make_params(max_position=D("100"), max_exposure=D("100"))

    found = guards.pre_trade(params, MODE_ACTIVE, intent(side="sell", qty="5"), D("20"), D("99999"))

    assert found == ()


def test_position_limit_with_order_that_flips_to_the_same_size_is_not_reducing():
    params = make_params(max_position=D("999"))

    found = guards.pre_trade(params, MODE_ACTIVE, intent(side="sell", qty="20"), D("10"), D("0"))

    assert names(found) == ["max_position"]


def test_pre_trade_with_several_limits_broken_returns_all_in_fixed_order():
    params = make_params(max_notional=D("1"), max_position=D("1"), max_exposure=D("1"))

    found = guards.pre_trade(params, MODE_REDUCING, intent(), D("0"), D("0"))

    assert names(found) == list(guards.PRE_TRADE_ORDER)


@pytest.mark.parametrize(
    ("mode", "side", "refused"),
    [
        (MODE_ACTIVE, "buy", False),
        (MODE_REDUCING, "buy", True),  # grows the long
        (MODE_REDUCING, "sell", False),  # shrinks it
        (MODE_HALTED, "sell", True),  # nothing goes out while halted
    ],
)
def test_trading_mode_with_order_direction_refuses_what_the_mode_forbids(mode: str, side: str, refused: bool):
    found = guards.pre_trade(make_params(), mode, intent(side=side, qty="5"), D("10"), D("0"))

    assert names(found) == (["trading_mode"] if refused else [])
    if refused:
        assert found[0].detail == f"AAPL: trading mode {mode} refuses this order"


# --- drawdown -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("equity", "measured"),
    [("9900.01", None), ("9900", None), ("9899.99", "100.01")],
    ids=["below", "at", "above"],
)
def test_drawdown_with_equity_around_the_limit_trips_only_beyond(equity: str, measured: str | None):
    params = make_params(max_drawdown_bps=D("100"))

    found = guards.drawdown(params, D(equity), D("10000"))

    if measured is None:
        assert found is None
    else:
        assert found == guards.Violation("drawdown", measured, "100", f"equity {equity} against peak 10000")


def test_drawdown_with_no_limit_never_trips():
    assert guards.drawdown(make_params(), D("1"), D("10000")) is None
    assert guards.drawdown_bps(D("10001"), D("10000")) == D("0.00")


money = st.decimals(min_value=-1_000_000, max_value=10_000_000, places=4, allow_nan=False, allow_infinity=False)


@given(equity=money, peak=money, limit=st.one_of(st.none(), st.decimals(0, 10_000, places=2)))
def test_drawdown_bps_within_with_any_equity_and_peak_is_the_guard_and_the_figure_in_one(equity, peak, limit):
    # The quiet path asks for both on every bar through this one call.
    tripped = guards.drawdown(make_params(max_drawdown_bps=limit), equity, peak) is not None

    got = guards.drawdown_bps_within(limit, equity, peak)

    assert got == (None if tripped else guards.drawdown_bps(equity, peak))
    assert got is None or str(got) == str(guards.drawdown_bps(equity, peak))


def drawdown_run(action: str, long_only: bool = True, spec: SymbolSpec | None = None, **changes: Any) -> Run:
    """Long 100 AAPL bought at 100; a close at 89.99 is 109.99 bps under the 100,100 peak."""
    params = make_params(
        [spec or equity_spec()],
        sizing_value=D("100"),
        max_drawdown_bps=D("100"),
        drawdown_action=action,
        strategy_params={"fast": 1, "slow": 2, "long_only": long_only},
        **changes,
    )
    run = Run(params)
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101"), bar("AAPL", 2, "101", open="100")))
    assert run.state.positions["AAPL"].qty == D("100") and run.state.peak_equity == D("100100")
    return run


def test_drawdown_with_halt_action_halts_the_session():
    run = drawdown_run("halt")

    facts = run.step(bar("AAPL", 3, "89.99"))

    trip = GuardTripped(T0 + 240, "drawdown", "109.99", "100", "halt", "equity 98999.00 against peak 100100")
    assert facts == [trip, TradingModeChanged(MODE_HALTED, "drawdown", T0 + 240), SessionHalted(T0 + 240, ("drawdown",))]
    assert run.state.status == HALTED and run.effects[-1] == Stop(HALTED)


def test_drawdown_after_an_equity_back_at_the_peak_names_the_peak_as_it_was_reached():
    # Arrange: 100 AAPL bought at 101.00 and marked at 101.00: equity 100000.00, equal to the
    # peak of 100,000 but written with the places of the sum. Only an equity above the peak moves it.
    run = Run(make_params(sizing_value=D("100"), max_drawdown_bps=D("10")))
    run.steps((bar("AAPL", 0, "100.00"), bar("AAPL", 1, "101.00"), bar("AAPL", 2, "101.00")))
    assert run.state.positions["AAPL"].qty == D("100") and run.rows("account")[-1][3] == "100000.00"
    assert str(run.state.peak_equity) == "100000"

    # Act: a close of 99.00 is 20 bps under it
    facts = run.step(bar("AAPL", 3, "99.00"))

    # Assert
    assert facts[0] == GuardTripped(T0 + 240, "drawdown", "20.00", "10", "halt", "equity 99800.00 against peak 100000")


def test_guard_trip_with_any_action_is_logged_as_one_warning_saying_what_it_measured():
    for action in ("halt", "reduce"):
        run = drawdown_run(action)
        logged = len(run.effects)

        run.step(bar("AAPL", 3, "89.99"))

        logs = [e for e in run.effects[logged:] if isinstance(e, Log)]
        assert logs == [
            Log(
                "warning",
                f"guard drawdown tripped at {iso(T0 + 240)}: measured 109.99, limit 100, "
                f"action {action} (equity 98999.00 against peak 100100)",
            )
        ]


def test_drawdown_with_reduce_action_moves_to_reducing_and_lets_the_exit_through():
    # Arrange
    run = drawdown_run("reduce")

    # Act: the same crash; long_only momentum now wants to be flat
    facts = run.step(bar("AAPL", 3, "89.99"))

    # Assert
    assert facts[:2] == [
        GuardTripped(T0 + 240, "drawdown", "109.99", "100", "reduce", "equity 98999.00 against peak 100100"),
        TradingModeChanged(MODE_REDUCING, "drawdown", T0 + 240),
    ]
    assert run.state.mode == MODE_REDUCING and run.state.status == "running"
    (order,) = run.state.orders.values()
    assert (order.side, order.qty) == ("sell", D("100"))


def test_reducing_mode_with_later_order_that_grows_exposure_denies_it():
    # Arrange: reducing, the exit fills, then a rise asks to buy again
    run = drawdown_run("reduce")
    run.step(bar("AAPL", 3, "89.99"))
    run.step(bar("AAPL", 4, "89", open="89.99"))
    assert run.state.positions["AAPL"].qty == D("0")

    # Act
    facts = run.step(bar("AAPL", 5, "95"))

    # Assert
    denied = [f for f in facts if isinstance(f, OrderDenied)]
    assert [(d.side, d.qty, d.reasons) for d in denied] == [("buy", D("100"), ("trading_mode",))]
    assert run.state.positions["AAPL"].qty == D("0")
    assert [f for f in facts if isinstance(f, GuardTripped)][0].action == "deny"


def test_reducing_mode_with_a_flip_of_the_same_size_cuts_it_to_a_close():
    run = drawdown_run("reduce", long_only=False)

    facts = run.step(bar("AAPL", 3, "89.99"))

    # short 100 from long 100 is not smaller: the reversal is cut to a close of the long 100
    assert not [f for f in facts if isinstance(f, OrderDenied)]
    submitted = [f for f in facts if isinstance(f, OrderSubmitted)]
    assert [(s.side, s.qty) for s in submitted] == [("sell", D("100"))]


def test_reducing_mode_with_a_flip_clipped_by_the_venue_cap_keeps_both_annotations_in_order():
    run = drawdown_run("reduce", long_only=False, spec=equity_spec(max_order_notional=D("15000")))

    run.step(bar("AAPL", 3, "89.99"))

    # short 100 from long 100 is a sell of 200, clipped to 166 by the cap, then cut to 100
    (order,) = run.state.orders.values()
    assert (order.side, order.qty) == ("sell", D("100"))
    assert order.reason == "clipped to max_order_notional 15000; cut to a close: trading mode reducing"


def test_reducing_mode_with_a_flip_cut_to_a_close_is_judged_by_the_close_notional():
    # The flip would be 200 x 89.99 = 17998, over the limit; the close of 100 is 8999, under it.
    run = drawdown_run("reduce", long_only=False, max_notional=D("12000"))

    facts = run.step(bar("AAPL", 3, "89.99"))

    assert not [f for f in facts if isinstance(f, OrderDenied)]
    assert [(s.side, s.qty) for s in facts if isinstance(s, OrderSubmitted)] == [("sell", D("100"))]


@pytest.mark.parametrize(("initial_cash", "rejected"), [("950", None), ("850", "insufficient cash: needs 10890.00, has 10850")])
def test_reducing_mode_with_a_limit_flip_cut_to_a_close_is_costed_at_its_limit(initial_cash, rejected):
    # Arrange: short 100 AAPL sold at 100 (cash 10000 more than the initial cash); limits
    # sit 1% inside the close
    params = make_params(
        order_type="limit",
        limit_offset_bps=D("100"),
        initial_cash=D(initial_cash),
        sizing_value=D("100"),
        max_drawdown_bps=D("100"),
        drawdown_action="reduce",
    )
    run = Run(params)
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "99"), bar("AAPL", 2, "99", open="100")))
    assert run.state.positions["AAPL"].qty == D("-100")

    # Act: the close of 110 trips the drawdown and flips the target long
    facts = run.step(bar("AAPL", 3, "110"))

    # Assert: the close of the short is a buy of 100 at its limit of 108.90, which costs
    # 10890: it fits a cash of 10950 (100 at the close of 110 would not) and not one of 10850
    assert run.state.mode == MODE_REDUCING
    (submitted,) = [f for f in facts if isinstance(f, OrderSubmitted)]
    assert (submitted.side, submitted.qty, submitted.limit_price) == ("buy", D("100"), D("108.90"))
    assert [f.reason for f in facts if isinstance(f, OrderRejected)] == ([rejected] if rejected else [])


def test_reducing_mode_with_a_close_of_exactly_the_holding_sends_it_as_it_is():
    run = drawdown_run("reduce")  # long only: the fall targets flat, a sell of the 100 held

    run.step(bar("AAPL", 3, "89.99"))

    (order,) = run.state.orders.values()
    assert (order.side, order.qty, order.reason) == ("sell", D("100"), "")


@pytest.mark.parametrize(("closes", "side"), [(("30000", "30100", "27000"), "sell"), (("30000", "29900", "33000"), "buy")])
def test_reducing_mode_with_a_flip_of_a_fraction_of_a_unit_cuts_it_to_a_close(closes, side):
    # Arrange: 0.5 BTC long (or short) opened at 30000; the third close is 155 bps of drawdown
    # under a 100 bps reduce limit, and the strategy flips to the other side.
    params = make_params(
        [crypto_spec()],
        sizing_value=D("0.5"),
        max_drawdown_bps=D("100"),
        drawdown_action="reduce",
        strategy_params={"fast": 1, "slow": 2, "long_only": False},
    )
    run = Run(params)
    first, second, third = closes
    run.steps((bar("BTC/USDT", 0, first), bar("BTC/USDT", 1, second), bar("BTC/USDT", 2, second, open=first)))
    assert abs(run.state.positions["BTC/USDT"].qty) == D("0.5")

    # Act
    facts = run.step(bar("BTC/USDT", 3, third))

    # Assert: a flip of 1.0 becomes a close of the 0.5 held
    assert run.state.mode == MODE_REDUCING
    assert [(s.side, s.qty) for s in facts if isinstance(s, OrderSubmitted)] == [(side, D("0.5"))]


def test_drawdown_with_reduce_already_in_force_does_not_trip_again():
    run = drawdown_run("reduce")
    run.step(bar("AAPL", 3, "89.99"))

    facts = run.step(bar("AAPL", 4, "80", volume="0"))

    assert not [f for f in facts if isinstance(f, (GuardTripped, TradingModeChanged))]


# --- stale data: measured on the clock ---------------------------------------------------


def test_stale_data_with_clock_at_the_limit_holds_and_one_second_later_halts():
    # Arrange: the bar is seen at T0+60
    run = Run(make_params(stale_after_s=120))
    run.step(bar("AAPL", 0, "100"))

    # Act / Assert
    assert run.step(ClockTicked(T0 + 180)) == []
    facts = run.step(ClockTicked(T0 + 181))
    assert facts[0] == GuardTripped(T0 + 181, "stale_data", "121s", "120s", "halt", "no fresh bar: AAPL 121s")
    assert run.state.halt_causes == ("stale_data",) and run.state.status == HALTED


def test_stale_data_with_symbol_that_never_had_a_bar_counts_from_the_session_start():
    run = Run(make_params([equity_spec("AAA"), equity_spec("BBB")], stale_after_s=120))
    run.step(bar("AAA", 0, "100"))

    facts = run.step(ClockTicked(T0 + 121))

    assert facts[0].detail == "no fresh bar: BBB 121s"


def test_stale_data_with_bar_arrival_is_judged_at_the_clock_being_left():
    # Arrange: BBB last seen at T0+60; AAA keeps the clock moving
    run = Run(make_params([equity_spec("AAA"), equity_spec("BBB")], stale_after_s=120))
    run.steps((bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "100"), bar("AAA", 2, "100")))

    # Act / Assert: leaving T0+180, BBB is 120 s old (allowed); leaving T0+240 it is 180 s old
    assert run.step(bar("AAA", 3, "100")) == []
    facts = run.step(bar("AAA", 4, "100"))
    assert facts[0] == GuardTripped(T0 + 300, "stale_data", "180s", "120s", "halt", "no fresh bar: BBB 180s")


def test_stale_data_with_one_symbol_exactly_at_the_limit_and_one_past_it_names_only_the_late_one():
    # The rule: a symbol is stale when its age is strictly more than stale_after_s; exactly
    # at the limit it is still fresh, even while another symbol is stale.
    markets = {"AT": Market(D(1), 0, 1000, (), 0), "PAST": Market(D(1), 0, 999, (), 0)}
    params = make_params(stale_after_s=100)

    found = guards.stale(params, markets, 900, 1100)

    assert found == guards.Violation("stale_data", "101s", "100s", "no fresh bar: PAST 101s")
    assert guards.stale(params, {"AT": markets["AT"]}, 900, 1100) is None


def test_stale_data_with_a_feed_of_old_bars_halts_though_bars_keep_arriving():
    # Arrange: a bar arrives every minute, but each closed 200 s before it arrived
    run = Run(make_params([equity_spec("AAA")], stale_after_s=120))
    late = [bar("AAA", i, "100", seen=T0 + (i + 1) * 60 + 200) for i in range(2)]

    # Act: the second bar completes the clock the first one arrived at
    assert run.step(late[0]) == []
    facts = run.step(late[1])

    # Assert: age runs from the newest bar's close, not from when it arrived
    assert facts[0] == GuardTripped(late[1].seen, "stale_data", "200s", "120s", "halt", "no fresh bar: AAA 200s")


def test_stale_data_with_a_working_order_cancels_it_unfilled_on_the_bar_that_finds_it():
    # Arrange: BBB goes quiet; AAA crosses up and leaves a market order working
    params = make_params(
        [equity_spec("AAA"), equity_spec("BBB")], stale_after_s=120, strategy_params={"fast": 1, "slow": 2, "long_only": True}
    )
    run = Run(params)
    run.steps((bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "100"), bar("AAA", 2, "100"), bar("AAA", 3, "101")))
    assert len(run.state.orders) == 1

    # Act: the next AAA bar completes T0+240, when BBB's last bar was 180 s old
    facts = run.step(bar("AAA", 4, "103"))

    # Assert: the bar that found the data stale fills nothing; the halt cancels the order
    assert [type(f).__name__ for f in facts] == [
        "GuardTripped", "OrderCancelRequested", "OrderCanceled", "TradingModeChanged", "SessionHalted"
    ]
    assert run.of(OrderFilled) == []


def test_stale_symbols_with_ages_reports_each_late_symbol_and_next_deadline():
    markets = {"A": Market(D(1), 0, 1000, (), 0), "B": Market(D(1), 0, 900, (), 0), "C": NO_MARKET}
    params = make_params(stale_after_s=100)

    assert guards.stale_symbols(markets, 800, 1000, 100) == [("C", 200)]  # B is exactly 100 s old: allowed
    assert guards.stale_symbols(markets, 800, 1001, 100) == [("B", 101), ("C", 201)]
    assert guards.stale_symbols(markets, 800, 1000, None) == []
    assert guards.next_stale_deadline(params, markets, 800) == 901
    assert guards.next_stale_deadline(make_params(), markets, 800) is None


@given(
    seen=st.lists(st.one_of(st.none(), st.integers(0, 2_000)), min_size=1, max_size=4),
    origin=st.integers(1, 2_000),
    now=st.integers(1, 4_000),
    limit=st.integers(0, 1_000),
)
def test_oldest_seen_with_any_markets_bounds_staleness_exactly(seen: list[int | None], origin: int, now: int, limit: int):
    # The quiet path skips the full check while now - oldest_seen <= limit: that must be
    # exactly when the full check finds nothing.
    markets = {f"S{i}": NO_MARKET if s is None else Market(D(1), 0, s, (), 0) for i, s in enumerate(seen)}
    params = make_params(stale_after_s=limit)

    found = guards.stale(params, markets, origin, now)

    assert (found is None) == (now - guards.oldest_seen(markets, origin) <= limit)


def test_feed_stalled_with_stale_limit_halts_for_stale_data():
    run = Run(make_params(stale_after_s=300))

    facts = run.step(FeedStalled(T0 + 10, "AAPL", "rate limited"))

    assert facts[0] == GuardTripped(T0 + 10, "stale_data", "feed failed", "300s", "halt", "AAPL: rate limited")
    assert run.state.halt_causes == ("stale_data",)


def test_feed_stalled_with_no_stale_limit_records_a_readable_limit():
    run = Run(make_params(stale_after_s=None))

    facts = run.step(FeedStalled(T0 + 10, "AAPL", "rate limited"))

    assert facts[0].limit == "-"


# --- kill switch, operator and simultaneous causes ---------------------------------------


def test_kill_switch_with_running_session_halts_and_names_the_file():
    run = Run(make_params())

    facts = run.step(KillSwitchTripped(T0 + 5, "/run/logos/KILL"))

    assert facts == [
        GuardTripped(T0 + 5, "kill_switch", "present", "absent", "halt", "kill-switch file /run/logos/KILL"),
        TradingModeChanged(MODE_HALTED, "kill_switch", T0 + 5),
        SessionHalted(T0 + 5, ("kill_switch",)),
    ]
    assert run.effects[-1] == Stop(HALTED)


def test_bar_with_drawdown_and_stale_data_at_once_records_both_in_halt_order():
    # Arrange: long 100 AAA bought at 101; BBB goes quiet after T0+120
    params = make_params(
        [equity_spec("AAA"), equity_spec("BBB")],
        sizing_value=D("100"),
        max_drawdown_bps=D("100"),
        stale_after_s=120,
        strategy_params={"fast": 1, "slow": 2, "long_only": True},
    )
    run = Run(params)
    run.steps(
        (bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "101"), bar("BBB", 1, "50"))
        + (bar("AAA", 2, "102", open="101"), bar("AAA", 3, "103"), bar("AAA", 4, "104"))
    )

    # Act: AAA crashes to 90 on the bar that also leaves BBB 180 s behind
    facts = run.step(bar("AAA", 5, "90"))

    # Assert
    trips = [f for f in facts if isinstance(f, GuardTripped)]
    assert [(t.guard, t.measured, t.limit) for t in trips] == [("stale_data", "180s", "120s"), ("drawdown", "139.58", "100")]
    assert facts[-1] == SessionHalted(T0 + 360, ("stale_data", "drawdown"))
    assert TradingModeChanged(MODE_HALTED, "stale_data, drawdown", T0 + 360) in facts
    assert run.state.halt_causes == ("stale_data", "drawdown")


@pytest.mark.parametrize(
    ("event", "causes"),
    [
        (KillSwitchTripped(T0 + 200, "KILL"), ("kill_switch", "stale_data")),
        (OperatorHalted(T0 + 200, "stop"), ("stale_data", "operator")),
        (OperatorHalted(T0 + 180, "stop"), ("operator",)),  # exactly 120 s: not stale yet
        (FeedStalled(T0 + 200, "AAPL", "rate limited"), ("stale_data",)),  # one trip: the feed's
    ],
)
def test_outside_halt_with_stale_data_present_records_every_cause_in_halt_order(event: Any, causes: tuple[str, ...]):
    run = Run(make_params(stale_after_s=120))
    run.step(bar("AAPL", 0, "100"))

    facts = run.step(event)

    assert facts[-1] == SessionHalted(event.ts, causes)
    assert [f.guard for f in facts if isinstance(f, GuardTripped)] == list(causes)


@pytest.mark.parametrize(("action", "causes"), [("halt", ("drawdown", "operator")), ("reduce", ("operator",))])
def test_outside_halt_with_a_drawdown_opened_after_the_bar_records_it_only_when_drawdown_halts(action: str, causes: tuple[str, ...]):
    # Arrange: the same_close fill's fee takes equity under the peak after the bar's check
    run = Run(make_params(fill_at="same_close", fee_bps=D("10"), max_drawdown_bps=D("0"), drawdown_action=action))
    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101")))
    assert run.state.status == RUNNING

    # Act
    facts = run.step(OperatorHalted(T0 + 150, "stop"))

    # Assert
    assert [f.guard for f in facts if isinstance(f, GuardTripped)] == list(causes)
    assert run.state.halt_causes == causes


def test_halt_with_open_orders_on_several_symbols_cancels_every_one():
    # Arrange: far-away limit buys on two symbols, one of them already pending cancel
    params = make_params(
        [equity_spec("AAA"), equity_spec("BBB")],
        order_type="limit",
        limit_offset_bps=D("500"),
        volume_share=D("0.5"),
    )
    run = Run(params)
    run.steps((bar("AAA", 0, "100"), bar("BBB", 0, "50"), bar("AAA", 1, "101"), bar("BBB", 1, "51")))
    run.step(bar("AAA", 2, "100", volume="0"))  # AAA flips: S-1 pending cancel, S-3 a new sell
    statuses = {o.client_id: o.status for o in run.state.orders.values()}
    assert statuses == {"S-1": "pending_cancel", "S-2": "accepted", "S-3": "accepted"}

    # Act
    facts = run.step(OperatorHalted(run.state.clock, "end of day"))

    # Assert
    assert [(type(f), f.client_id) for f in facts if isinstance(f, (OrderCancelRequested, OrderCanceled))] == [
        (OrderCanceled, "S-1"),
        (OrderCancelRequested, "S-2"),
        (OrderCanceled, "S-2"),
        (OrderCancelRequested, "S-3"),
        (OrderCanceled, "S-3"),
    ]
    rows = run.order_rows()
    assert {cid: rows[cid][9] for cid in ("S-1", "S-2", "S-3")} == dict.fromkeys(("S-1", "S-2", "S-3"), "canceled")
    assert rows["S-2"][13] == "session halted" and rows["S-1"][13] == "target changed"
    assert not run.state.orders


# --- a denied order never moves money ----------------------------------------------------


@given(
    moves=st.lists(st.integers(-200, 200), min_size=2, max_size=30),
    limits=st.tuples(
        st.sampled_from([None, "500", "2000", "5000"]),
        st.sampled_from([None, "800", "3000"]),
        st.sampled_from([None, "1000", "4000"]),
    ),
    long_only=st.booleans(),
)
def test_denied_orders_with_any_prices_never_change_positions_or_cash(moves, limits, long_only):
    # Arrange
    max_notional, max_position, max_exposure = (None if v is None else D(v) for v in limits)
    params = make_params(
        sizing_value=D("30"),
        strategy_params={"fast": 1, "slow": 2, "long_only": long_only},
        max_notional=max_notional,
        max_position=max_position,
        max_exposure=max_exposure,
        volume_share=D("0.5"),
    )
    closes = [10_000]
    for move in moves:
        closes.append(max(100, closes[-1] + closes[-1] * move // 10_000))
    run = Run(params)
    denied: set[str] = set()

    for event in walk("AAPL", closes, volumes=[10, 40]) + [FeedEnded(T0 + 99_999)]:
        before = run.state

        # Act
        facts = run.step(event)

        # Assert: cash and the position move by exactly this step's fills, none of a denied order
        denied |= {f.client_id for f in facts if isinstance(f, OrderDenied)}
        fills = [f for f in facts if isinstance(f, OrderFilled)]
        assert not {f.client_id for f in fills} & denied
        signed = [f.qty if f.side == "buy" else -f.qty for f in fills]
        assert run.state.cash == before.cash - sum((q * f.price + f.fee for q, f in zip(signed, fills)), Decimal(0))
        moved = run.state.positions["AAPL"].qty - before.positions["AAPL"].qty
        assert moved == sum(signed, Decimal(0))
        assert not denied & set(run.state.orders)


# --- resume blockers ---------------------------------------------------------------------


def halted_by(*events: Any, **changes: Any) -> Any:
    run = Run(make_params(**changes))
    run.steps(events)
    return run.state


def test_resume_blockers_with_completed_session_says_start_a_new_one():
    state = halted_by(FeedEnded(T0 + 1))

    assert resume_blockers(state, (), False) == ["the session already completed; start a new session instead"]


def test_resume_blockers_with_session_never_started_let_it_start():
    # A crash before SessionStarted was journaled leaves a created session: resume starts it.
    assert resume_blockers(initial_state(make_params()), (), False) == []


def test_resume_blockers_with_kill_switch_file_present_says_remove_it():
    state = halted_by(KillSwitchTripped(T0 + 1, "KILL"))

    assert resume_blockers(state, (), True) == ["the kill-switch file is present; remove it to resume"]
    assert resume_blockers(state, (), False) == []


def test_resume_blockers_with_drawdown_halt_asks_for_the_reset():
    state = drawdown_run("halt")
    state.step(bar("AAPL", 3, "89.99"))

    assert resume_blockers(state.state, (), False) == [
        "halted by the drawdown guard; pass --reset-guard drawdown to accept the loss and restart the peak"
    ]
    assert resume_blockers(state.state, ("drawdown",), False) == []


def test_resume_blockers_with_stale_halt_asks_for_the_reset():
    state = halted_by(ClockTicked(T0 + 500), stale_after_s=120)

    assert resume_blockers(state, (), False) == ["halted on stale data; pass --reset-guard stale_data once the feed is fresh again"]
    assert resume_blockers(state, ("stale_data",), False) == []


def test_resume_blockers_with_every_cause_lists_each_line_in_order():
    state = halted_by(ClockTicked(T0 + 500), stale_after_s=120)._replace(halt_causes=("kill_switch", "stale_data", "drawdown"))

    assert [line.split(";")[0] for line in resume_blockers(state, (), True)] == [
        "the kill-switch file is present",
        "halted by the drawdown guard",
        "halted on stale data",
    ]


def test_resume_blockers_with_operator_halt_or_crash_has_none():
    assert resume_blockers(halted_by(OperatorHalted(T0 + 1, "x")), (), False) == []
    assert resume_blockers(halted_by(), (), False) == []


def test_resumed_session_with_stale_reset_counts_freshness_from_the_resume():
    run = Run(make_params(stale_after_s=120))
    run.step(ClockTicked(T0 + 500))

    run.step(SessionResumed(T0 + 600, ("stale_data",)))

    assert run.step(ClockTicked(T0 + 720)) == []
    assert run.step(ClockTicked(T0 + 721))[0].guard == "stale_data"
