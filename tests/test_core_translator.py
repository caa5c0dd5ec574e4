"""Translator: target positions become quantized order intents, or a reason for none."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core_factories import D, Run, bar, crypto_spec, equity_spec, forex_spec, make_params
from logos.core.effects import AppendJournal
from logos.core.events import IntentSkipped, OrderSubmitted
from logos.core.intents import OrderIntent
from logos.core.translator import target_quantity, translate


@pytest.mark.parametrize(
    ("target", "current", "side", "qty"),
    [
        ("1", "0", "buy", "1"),  # a buy of exactly one unit
        ("0.5", "0", "buy", "0.5"),  # a fraction, as crypto sizes are
        ("0.00001", "0", "buy", "0.00001"),  # one qty step
        ("3", "2.5", "buy", "0.5"),  # adding a fraction to a long
        ("-1", "0", "sell", "1"),
        ("0", "0.5", "sell", "0.5"),  # closing a fractional long
        ("-0.5", "0.5", "sell", "1"),  # a reversal
        ("-0.00001", "0", "sell", "0.00001"),  # one qty step short
        ("1000000000000", "0", "buy", "1000000000000"),  # a huge buy
        ("-1000000000000", "0", "sell", "1000000000000"),  # a huge sell
        ("1000000000000.00001", "1000000000000", "buy", "0.00001"),  # one step onto a huge long
        ("999999999999.99999", "1000000000000", "sell", "0.00001"),  # one step off a huge long
        ("-1000000000000", "-1000000000000.00001", "buy", "0.00001"),  # one step off a huge short
    ],
)
def test_translate_with_any_size_takes_the_side_from_the_sign_of_the_move(target, current, side, qty):
    # The rule: buy when the target is above the holding, sell when below, whatever the size,
    # from one qty step to a move no venue cap clips. Unless asked for a limit, a market order.
    spec = crypto_spec(min_notional=D("0"), max_order_notional=D("1E+20"))

    intent = translate(spec, D(target), D(current), D("100"))

    assert (intent.side, intent.qty, intent.order_type, intent.limit_price) == (side, D(qty), "market", None)


def test_translate_with_forex_target_rounds_down_to_whole_lots_of_1000():
    intent = translate(forex_spec(), D("12345.6"), D("0"), D("1.08"))

    assert isinstance(intent, OrderIntent)
    assert (intent.side, intent.qty, intent.notional, intent.annotations) == ("buy", D("12000"), D("12960.00"), ())
    assert intent.asset_class == "forex" and intent.reference_price == D("1.08")


def test_translate_with_forex_move_under_one_lot_names_the_symbol_and_the_lot():
    reason = translate(forex_spec(), D("999"), D("0"), D("1.08"))

    assert reason == "EUR/USD: the move of 999 rounds to zero lots of 1000"


def test_translate_with_crypto_target_rounds_down_to_the_qty_step():
    intent = translate(crypto_spec(), D("0.123456789"), D("0"), D("30000.00"))

    assert isinstance(intent, OrderIntent)
    assert (intent.qty, intent.notional) == (D("0.12345"), D("3703.5000000"))


def test_translate_with_sell_toward_a_smaller_target_sells_the_difference():
    intent = translate(crypto_spec(), D("0.1"), D("0.35"), D("30000.00"))

    assert isinstance(intent, OrderIntent)
    assert (intent.side, intent.qty, intent.signed_qty) == ("sell", D("0.25000"), D("-0.25000"))


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("0.99", "EUR/USD: notional 990.00 is below min_notional 1000"),
        ("1.00", None),  # exactly at min_notional is allowed
    ],
)
def test_translate_with_notional_around_min_notional_refuses_only_below(price: str, expected: str | None):
    result = translate(forex_spec(), D("1000"), D("0"), D(price))

    if expected is None:
        assert isinstance(result, OrderIntent) and result.notional == D("1000.00")
    else:
        assert result == expected


def test_translate_with_crypto_dust_is_below_min_notional():
    assert translate(crypto_spec(), D("-0.00001"), D("0"), D("30000.00")) == "BTC/USDT: notional 0.3000000 is below min_notional 5"


def test_translate_with_target_over_the_venue_cap_is_clipped_with_an_annotation():
    spec = equity_spec(max_order_notional=D("1000"))

    intent = translate(spec, D("20"), D("0"), D("101"))

    assert isinstance(intent, OrderIntent)
    assert (intent.qty, intent.notional) == (D("9"), D("909"))
    assert intent.annotations == ("clipped to max_order_notional 1000",)


def test_translate_with_notional_exactly_at_the_venue_cap_is_not_clipped():
    intent = translate(equity_spec(max_order_notional=D("1000")), D("10"), D("0"), D("100"))

    assert isinstance(intent, OrderIntent) and intent.qty == D("10") and intent.annotations == ()


def test_translate_with_one_lot_over_the_venue_cap_gives_a_reason():
    reason = translate(equity_spec(max_order_notional=D("1000")), D("3"), D("0"), D("2000"))

    assert reason == "AAPL: one lot at 2000 exceeds max_order_notional 1000"


def test_translate_with_limit_orders_rounds_prices_away_from_the_market():
    spec = equity_spec()

    buy = translate(spec, D("10"), D("0"), D("101.00"), "limit", D("33"))
    sell = translate(spec, D("-10"), D("0"), D("101.00"), "limit", D("33"))

    # 101 x 0.9967 = 100.6667 -> 100.66 (down); 101 x 1.0033 = 101.3333 -> 101.34 (up)
    assert isinstance(buy, OrderIntent) and isinstance(sell, OrderIntent)
    assert (buy.limit_price, buy.notional) == (D("100.66"), D("1006.60"))
    assert (sell.limit_price, sell.notional) == (D("101.34"), D("1013.40"))


def test_translate_with_limit_price_on_the_tick_keeps_it_exact():
    intent = translate(forex_spec(), D("5000"), D("0"), D("1.08000"), "limit", D("10"))

    assert isinstance(intent, OrderIntent) and intent.limit_price == D("1.07892")


def test_translate_with_limit_cap_uses_the_limit_price():
    intent = translate(equity_spec(max_order_notional=D("1000")), D("20"), D("0"), D("101"), "limit", D("100"))

    assert isinstance(intent, OrderIntent)
    assert (intent.limit_price, intent.qty, intent.notional) == (D("99.99"), D("10"), D("999.90"))


def test_translate_with_holding_already_at_target_returns_none():
    assert translate(equity_spec(), D("10"), D("10"), D("101")) is None
    assert translate(forex_spec(), D("0"), D("0"), D("1.08")) is None


def test_translate_with_holding_within_a_lot_of_target_gives_a_reason_not_none():
    assert translate(equity_spec(), D("10.4"), D("10"), D("101")) == "AAPL: the move of 0.4 rounds to zero lots of 1"


@pytest.mark.parametrize(
    ("signal", "sizing", "value", "expected"),
    [
        (0, "units", "10", "0"),
        (1, "units", "10", "10"),
        (-1, "units", "10", "-10"),
        (1, "notional", "5000", "50"),
        (-1, "equity_fraction", "0.5", "-500"),
    ],
)
def test_target_quantity_with_each_sizing_rule(signal: int, sizing: str, value: str, expected: str):
    assert target_quantity(signal, sizing, D(value), D("100000"), D("100")) == D(expected)


@pytest.mark.parametrize(
    ("signal", "sizing", "value", "expected"),
    [
        ("0.25", "units", "10", "2.5"),
        ("0.25", "notional", "5000", "12.5"),
        ("-0.5", "notional", "5000", "-25"),
        ("0.25", "equity_fraction", "0.5", "125"),
        ("-0.5", "equity_fraction", "0.5", "-250"),
    ],
)
def test_target_quantity_with_a_fractional_target_asks_that_fraction_of_the_full_target(signal, sizing, value, expected):
    # A target in (-1, 1) scales what a full target asks for, under every sizing rule.
    full = target_quantity(1, sizing, D(value), D("100000"), D("100"))

    assert target_quantity(D(signal), sizing, D(value), D("100000"), D("100")) == D(expected) == full * D(signal)


SPECS = st.sampled_from([equity_spec(max_order_notional=D("5000")), crypto_spec(), forex_spec()])
AMOUNTS = st.decimals(min_value=-100000, max_value=100000, places=6)


@given(spec=SPECS, target=AMOUNTS, current=AMOUNTS, ticks=st.integers(1, 10**7), order_type=st.sampled_from(["market", "limit"]))
def test_translate_with_any_target_gives_a_quantized_intent_within_limits_or_a_reason(spec, target, current, ticks, order_type):
    # Arrange
    price = ticks * spec.price_tick

    # Act
    result = translate(spec, target, current, price, order_type, D("20"))

    # Assert
    delta = target - current
    if result is None:
        assert delta == 0
    elif isinstance(result, str):
        assert result.startswith(f"{spec.symbol}: ")
    else:
        assert result.side == ("buy" if delta > 0 else "sell")
        assert 0 < result.qty <= abs(delta)
        assert result.qty % spec.lot_size == 0
        assert spec.min_notional <= result.notional <= spec.max_order_notional
        px = result.limit_price if order_type == "limit" else price
        assert result.notional == result.qty * px
        if order_type == "limit":
            assert result.limit_price % spec.price_tick == 0
            assert result.limit_price <= price if result.side == "buy" else result.limit_price >= price


def test_reducer_with_target_that_rounds_to_zero_lots_journals_intent_skipped():
    # Arrange: 10 units of EUR/USD is under one 1000 lot
    run = Run(make_params([forex_spec()]))

    # Act
    facts = run.steps((bar("EUR/USD", 0, "1.08000"), bar("EUR/USD", 1, "1.08100")))

    # Assert
    assert facts == [IntentSkipped("EUR/USD", D("10"), "EUR/USD: the move of 10 rounds to zero lots of 1000", run.state.clock)]
    assert run.of(OrderSubmitted) == [] and not run.state.orders
    assert run.state.markets["EUR/USD"].signal == 1


def test_reducer_journals_a_skipped_intent_without_a_sync_and_an_order_with_one():
    # A skipped intent is a note: no order, no cash moved, nothing a crash may lose. The
    # append of a bar whose only fact it is goes unsynced; the bar that sends an order syncs.
    skipped = Run(make_params([forex_spec()]))
    skipped.steps((bar("EUR/USD", 0, "1.08000"), bar("EUR/USD", 1, "1.08100")))
    ordered = Run(make_params([forex_spec()], sizing_value=D("1000")))
    ordered.steps((bar("EUR/USD", 0, "1.08000"), bar("EUR/USD", 1, "1.08100")))

    journals = [[e for e in run.effects if isinstance(e, AppendJournal)] for run in (skipped, ordered)]

    assert skipped.of(IntentSkipped) and ordered.of(OrderSubmitted)
    assert [[j.durable for j in appends] for appends in journals] == [[True, False, False], [True, False, True]]


def test_reducer_with_target_over_the_venue_cap_submits_the_clipped_order_with_its_annotation():
    run = Run(make_params([equity_spec(max_order_notional=D("500"))]))

    run.steps((bar("AAPL", 0, "100"), bar("AAPL", 1, "101")))

    (order,) = run.state.orders.values()
    assert (order.qty, order.reason) == (D("4"), "clipped to max_order_notional 500")


def test_target_quantity_with_equity_fraction_and_negative_equity_sizes_nothing():
    # A long signal must never become a sell because the account is under water.
    assert target_quantity(1, "equity_fraction", D("0.5"), D("-100"), D("10")) == 0
    assert target_quantity(-1, "equity_fraction", D("0.5"), D("0"), D("10")) == 0
    assert target_quantity(1, "equity_fraction", D("0.5"), D("1000"), D("10")) == D("50")


@pytest.mark.parametrize(("equity", "expected"), [("1", "0.05"), ("0.01", "0.0005")])
def test_target_quantity_with_equity_fraction_sizes_any_positive_equity_in_proportion(equity: str, expected: str):
    # A small account is still an account: only zero or negative equity sizes nothing.
    assert target_quantity(1, "equity_fraction", D("0.5"), D(equity), D("10")) == D(expected)
    assert target_quantity(-1, "equity_fraction", D("0.5"), D(equity), D("10")) == -D(expected)
