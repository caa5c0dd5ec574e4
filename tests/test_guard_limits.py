"""Each risk guard as a pure function: what trips it, what does not, and what it reports.

Every limit trips only when strictly exceeded; a check returns every violation at once.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyrsistent import pmap

from logos.core import guards
from logos.core.intents import OrderIntent
from logos.core.state import Market, Params

D = Decimal


def params(**limits: object) -> Params:
    """Params with every guard off; each test turns on the limits it checks."""
    base = Params(
        session_id="G", seed=1, specs=pmap(), symbols=("AAA", "BBB"), strategy="momentum", strategy_params=(),
        strategy_values=(), strategy_fingerprint="", sizing="notional", sizing_value=D("1000"), order_type="market", limit_offset_bps=D("0"), limit_ttl_bars=0,
        fill_at="next_open", slippage_bps=D("0"), fee_bps=D("0"), volume_share=D("1"), initial_cash=D("100000"),
        max_notional=None, max_exposure=None, max_position=None, max_drawdown_bps=None, drawdown_action="halt",
        stale_after_s=None, interval_s=60,
    )
    return base._replace(**limits)


def buy(qty: str, price: str = "100", symbol: str = "AAA") -> OrderIntent:
    q, p = D(qty), D(price)
    return OrderIntent(symbol, "equity", "buy", q, "market", None, p, q * p, ())


def sell(qty: str, price: str = "100", symbol: str = "AAA") -> OrderIntent:
    return buy(qty, price, symbol)._replace(side="sell")


def market(last_seen: int | None) -> Market:
    return Market(D("100"), None if last_seen is None else last_seen - 60, last_seen, (), 0)


# --- pre-trade: notional, position, exposure, trading mode ------------------------------------


def test_pre_trade_with_notional_above_cap_reports_measured_and_limit():
    (violation,) = guards.pre_trade(params(max_notional=D("999.99")), "active", buy("10"), D(0), D(0))
    assert violation[:3] == (guards.MAX_NOTIONAL, "1000", "999.99")


def test_pre_trade_with_notional_exactly_at_cap_passes():
    assert guards.pre_trade(params(max_notional=D("1000")), "active", buy("10"), D(0), D(0)) == ()


def test_pre_trade_with_position_above_cap_after_the_order_denies_it():
    (violation,) = guards.pre_trade(params(max_position=D("1500")), "active", buy("10"), D("6"), D(0))
    assert violation[:3] == (guards.MAX_POSITION, "1600", "1500")


def test_pre_trade_with_exposure_elsewhere_counts_it_towards_the_cap():
    (violation,) = guards.pre_trade(params(max_exposure=D("5000")), "active", buy("10"), D(0), D("4500"))
    assert violation == (guards.MAX_EXPOSURE, "5500", "5000", "gross exposure after the order")


def test_pre_trade_with_exposure_exactly_at_cap_passes():
    assert guards.pre_trade(params(max_exposure=D("5500")), "active", buy("10"), D(0), D("4500")) == ()


def test_pre_trade_with_every_limit_broken_reports_all_in_fixed_order():
    # Arrange
    limits = params(max_notional=D("1"), max_position=D("1"), max_exposure=D("1"))

    # Act
    found = guards.pre_trade(limits, "halted", buy("10"), D(0), D(0))

    # Assert
    assert [v.guard for v in found] == list(guards.PRE_TRADE_ORDER)


def test_pre_trade_with_order_shrinking_an_oversized_position_passes_position_and_exposure():
    limits = params(max_position=D("100"), max_exposure=D("100"))
    assert guards.pre_trade(limits, "active", sell("5"), D("20"), D("10000")) == ()


def test_pre_trade_with_order_flipping_through_zero_to_same_size_is_not_a_reduction():
    (violation,) = guards.pre_trade(params(), "reducing", sell("40"), D("20"), D(0))
    assert violation[:3] == (guards.TRADING_MODE, "reducing", "active")


@pytest.mark.parametrize(("mode", "intent", "holding", "denied"), [
    ("active", buy("1"), "0", False),
    ("reducing", buy("1"), "0", True),
    ("reducing", sell("1"), "5", False),
    ("reducing", buy("1"), "-5", False),
    ("halted", sell("1"), "5", True),
])
def test_pre_trade_with_trading_mode_allows_only_what_the_mode_allows(mode, intent, holding, denied):
    found = guards.pre_trade(params(), mode, intent, D(holding), D(0))
    assert [v.guard for v in found] == ([guards.TRADING_MODE] if denied else [])


# --- drawdown -----------------------------------------------------------------------------------


def test_drawdown_with_loss_exactly_at_limit_does_not_trip():
    assert guards.drawdown(params(max_drawdown_bps=D("500")), D("95000"), D("100000")) is None


def test_drawdown_with_loss_just_past_limit_trips_with_rounded_measure():
    violation = guards.drawdown(params(max_drawdown_bps=D("500")), D("94999.99"), D("100000"))
    assert violation is not None
    assert violation[:3] == (guards.DRAWDOWN, "500.00", "500")
    assert violation.detail == "equity 94999.99 against peak 100000"


def test_drawdown_with_guard_off_never_trips():
    assert guards.drawdown(params(), D("1"), D("100000")) is None


def test_drawdown_bps_at_or_above_peak_is_zero():
    assert guards.drawdown_bps(D("101"), D("100")) == D("0.00")
    assert guards.drawdown_bps(D("100"), D("100")) == D("0.00")


def test_drawdown_bps_with_a_peak_of_one_unit_or_less_measures_the_fall_all_the_same():
    # A small account's fall is a fall: only a peak of zero or less has no drawdown to measure.
    assert guards.drawdown_bps(D("0.5"), D("1")) == D("5000.00")
    assert guards.drawdown_bps(D("0.75"), D("0.80")) == D("625.00")
    assert guards.drawdown_bps(D("-1"), D("0")) == D("0.00")
    assert guards.drawdown_bps_within(None, D("0.5"), D("1")) == D("5000.00")
    assert guards.drawdown_bps_within(D("4999"), D("0.5"), D("1")) is None


# --- stale data --------------------------------------------------------------------------------


def test_stale_with_age_exactly_at_limit_does_not_trip():
    assert guards.stale(params(stale_after_s=300), {"AAA": market(1000)}, 0, 1300) is None


def test_stale_with_several_late_symbols_names_each_and_measures_the_worst():
    # Arrange
    markets = {"BBB": market(1000), "AAA": market(900), "CCC": market(1290)}

    # Act
    violation = guards.stale(params(stale_after_s=300), markets, 0, 1301)

    # Assert
    assert violation is not None
    assert violation[:3] == (guards.STALE_DATA, "401s", "300s")
    assert violation.detail == "no fresh bar: AAA 401s, BBB 301s"


def test_stale_with_symbol_never_seen_measures_from_the_session_origin():
    violation = guards.stale(params(stale_after_s=60), {"AAA": market(None)}, 1000, 1061)
    assert violation is not None and violation.measured == "61s"


def test_next_stale_deadline_is_the_first_second_past_the_oldest_bar_limit():
    markets = {"AAA": market(1000), "BBB": market(900)}
    assert guards.next_stale_deadline(params(stale_after_s=300), markets, 0) == 1201
    assert guards.next_stale_deadline(params(), markets, 0) is None


# --- halt causes ---------------------------------------------------------------------------------


def test_in_halt_order_with_causes_in_any_order_sorts_them_the_fixed_way():
    found = [guards.Violation(g, "", "", "") for g in (guards.OPERATOR, guards.STRATEGY, guards.DRAWDOWN, guards.KILL_SWITCH, guards.STALE_DATA)]
    assert [v.guard for v in guards.in_halt_order(found)] == list(guards.HALT_ORDER)
