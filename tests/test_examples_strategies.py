"""The example strategies of examples/strategies: their decisions on series checked by hand or
by an independent computation, and a paper session of each on the bundled fixtures."""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

from hypothesis import given
from hypothesis import strategies as st

from logos.core.state import NO_MARKET, Market
from logos.core.strategies import build
from logos.core.strategy_params import StrategyError
from logos.core.windows import roller
from logos.strategy_loader import load
from session_helpers import flat, invoke, rows, session_dir

D = Decimal
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "strategies"
RSI = f"{EXAMPLES / 'rsi_reversion.py'}:RsiReversion"
DONCHIAN = f"{EXAMPLES / 'donchian_breakout.py'}:DonchianBreakout"


def example(spec: str, **params: Any) -> Any:
    return build(load(spec, EXAMPLES).cls, params)


def market_after(strategy: Any, bars: list[tuple[str, str, str]], signal: Decimal | int = 0) -> Market:
    """The market after ``(high, low, close)`` bars went through the reducer's roll, holding ``signal``."""
    roll = roller(strategy)
    market = NO_MARKET
    for n, (high, low, close) in enumerate(bars):
        market = roll(market, D(close), 60 * n, 60 * n + 60, D(high), D(low))
    return market._replace(signal=signal)


def decide(strategy: Any, bars: list[tuple[str, str, str]], signal: Decimal | int = 0) -> Any:
    return strategy.decide({"X": market_after(strategy, bars, signal)}, "X")


def closes(*values: str | int) -> list[tuple[str, str, str]]:
    return [(str(v), str(v), str(v)) for v in values]


# --- RSI reversion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "held", "params", "expected"),
    [
        (closes(10, 9, 8), 0, {}, {"X": D("1")}),  # two falls: RSI 0, oversold
        (closes(10, 11, 12), 0, {}, {"X": D("-1")}),  # two rises: RSI 100, overbought
        (closes(10, 11, 12), 0, {"long_only": True}, None),  # ... long only: stays flat
        (closes(10, 9, 8), 0, {"size": "0.25"}, {"X": D("0.25")}),  # a quarter of the sizing
        (closes(10, 11, "10.5"), 1, {}, {"X": D("0")}),  # RSI 66.7: back above the exit, a long is left
        (closes(10, 11, "10.5"), -1, {}, None),  # ... and a short is kept until the RSI falls to 50
        (closes(10, 9, 8), D("1"), {}, None),  # oversold and already long: no news
        (closes(10, 9), 0, {}, None),  # one change is not enough for period 2
    ],
)
def test_rsi_reversion_with_series_checked_by_hand_targets_as_expected(series, held, params, expected):
    strategy = example(RSI, period=2, **params)

    assert decide(strategy, series, held) == expected


def test_rsi_reversion_with_rsi_back_at_the_exit_leaves_the_position():
    strategy = example(RSI, period=4)
    series = closes(10, 9, 10, "9.5", 10)  # gains 1.5, losses 1.5: RSI exactly 50

    assert decide(strategy, series, D("1")) == {"X": D("0")}
    assert decide(strategy, series, D("-1")) == {"X": D("0")}
    assert decide(strategy, series, 0) is None


@given(moves=st.lists(st.integers(-50, 50), min_size=6, max_size=6), held=st.sampled_from([-1, 0, 1]))
def test_rsi_reversion_with_any_series_agrees_with_the_rsi_computed_by_division(moves, held):
    # Arrange: RSI from its definition, divided at 50 digits, against the strategy's products
    strategy = example(RSI, period=5)
    prices = [D(1000)]
    for move in moves[1:]:
        prices.append(prices[-1] + D(move) / 10)
    gains = sum((b - a for a, b in zip(prices, prices[1:]) if b > a), D(0))
    losses = sum((a - b for a, b in zip(prices, prices[1:]) if b < a), D(0))

    # Act
    got = decide(strategy, closes(*prices), held)

    # Assert
    if not gains + losses:
        assert got is None
        return
    with localcontext() as ctx:
        ctx.prec = 50
        rsi = 100 * gains / (gains + losses)
    want = 1 if rsi < 30 else -1 if rsi > 70 else 0 if (held > 0 and rsi >= 50) or (held < 0 and rsi <= 50) else held
    assert (got or {}).get("X", held) == want


def test_rsi_reversion_with_bands_out_of_order_is_refused_in_one_line():
    with pytest.raises(StrategyError, match="^rsi_reversion needs oversold < exit < overbought, got 60, 50, 70$"):
        example(RSI, oversold=60)


# --- Donchian breakout -----------------------------------------------------------------------

# Entry channel (three bars): high 14, low 7; exit channel (the last two): high 12, low 9.
CHANNEL = [("14", "7", "10"), ("12", "10", "11"), ("11", "9", "10")]


@pytest.mark.parametrize(
    ("last", "held", "params", "expected"),
    [
        (("15", "12", "14.5"), 0, {}, {"X": 1}),  # above the entry high
        (("14.5", "12", "14"), 0, {}, None),  # at the entry high is no breakout (its own high does not count)
        (("8", "6", "6.5"), 0, {}, {"X": -1}),  # below the entry low
        (("8", "6", "6.5"), 1, {}, {"X": -1}),  # ... from a long: reverse
        (("8", "6", "6.5"), 1, {"long_only": True}, {"X": 0}),  # ... long only: flat
        (("10", "8.4", "8.5"), 1, {}, {"X": 0}),  # a long leaves below the exit low
        (("10", "9", "9.5"), 1, {}, None),  # ... and stays above it
        (("13.5", "12", "13"), -1, {}, {"X": 0}),  # a short leaves above the exit high
    ],
)
def test_donchian_breakout_with_a_three_bar_channel_targets_as_expected(last, held, params, expected):
    strategy = example(DONCHIAN, period=3, exit_period=2, **params)

    assert decide(strategy, [*CHANNEL, last], held) == expected


def test_donchian_breakout_keeps_only_the_highs_and_lows_it_declares():
    strategy = example(DONCHIAN, period=3, exit_period=2)

    market = market_after(strategy, [*CHANNEL, ("13", "11", "12.5"), ("14", "12", "13")])

    assert (strategy.highs, strategy.lows, strategy.window, strategy.sums) == (4, 4, 1, ())
    assert market.highs == (D("12"), D("11"), D("13"), D("14")) and market.lows == (D("10"), D("9"), D("11"), D("12"))
    assert market.window == (D("13"),)


def test_donchian_breakout_with_an_exit_channel_longer_than_the_entry_is_refused():
    with pytest.raises(StrategyError, match="^donchian_breakout needs exit_period <= period, got 30 > 20$"):
        example(DONCHIAN, exit_period=30)


# --- each in a paper session on the bundled fixtures -----------------------------------------


@pytest.mark.parametrize("spec", [RSI, DONCHIAN], ids=["rsi_reversion", "donchian_breakout"])
def test_example_strategy_in_a_paper_session_on_the_fixtures_trades_and_is_deterministic(tmp_path: Path, spec: str):
    # Act
    check = invoke(["trade", "--paper", "--check", "--home", str(tmp_path), "--strategy", spec])
    run = invoke(["trade", "--paper", "--session-id", "ex", "--home", str(tmp_path), "--strategy", spec])

    # Assert
    assert check.exit_code == 0, check.output
    assert "is deterministic on 5850 bars" in flat(check.stdout)
    assert run.exit_code == 0, run.output
    folder = session_dir(tmp_path, "ex")
    orders = rows(folder / "orders.csv")
    assert len(orders) > 20 and {o["symbol"] for o in orders} == {"AAPL", "MSFT", "SPY"}
    assert "- Status: **completed**" in (folder / "session.md").read_text()
