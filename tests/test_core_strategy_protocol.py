"""The strategy protocol: declared parameters, their exact JSON, the rolled windows, target checks."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from types import MappingProxyType
from typing import Any

import pytest

from hypothesis import given
from hypothesis import strategies as st

from core_factories import Run, bar, make_params
from logos.core.state import NO_MARKET
from logos.core.strategy import Strategy, targets_problem
from logos.core.strategy_params import BoolParam, DecimalParam, IntParam, StrategyError, SymbolsParam, exact_json, read_json, resolve
from logos.core.windows import roller

D = Decimal


class Channel(Strategy):
    """A strategy that only declares windows, so the roll can be checked against fresh slices."""

    period = IntParam(3, low=1, high=50, help="bars in the channel")
    width = DecimalParam("0.5", low=0, high=1, help="a fraction")
    keep_lows = BoolParam(True, help="keep the lows too")

    def setup(self) -> None:
        self.window = self.period + 1
        self.sums = (1, self.period)
        self.highs = self.period
        self.lows = self.period if self.keep_lows else 0


class Wider(Channel):
    period = IntParam(5, low=2, help="overridden: a subclass may redeclare a parameter")
    extra = IntParam(0, low=0, help="declared after the inherited ones")


# --- declared parameters ----------------------------------------------------------------


def test_strategy_with_declared_parameters_lists_them_in_declaration_order():
    assert [p.name for p in Channel.parameters] == ["period", "width", "keep_lows"]
    assert [p.name for p in Wider.parameters] == ["period", "width", "keep_lows", "extra"]
    assert Wider.parameters[0].low == 2 and Channel.name == "Channel"


def test_strategy_with_no_values_given_takes_every_default_and_records_it():
    strategy = Channel()

    assert (strategy.period, strategy.width, strategy.keep_lows) == (3, D("0.5"), True)
    assert strategy.values() == (("period", "3"), ("width", "0.5"), ("keep_lows", "true"))
    assert (strategy.window, strategy.sums, strategy.highs, strategy.lows) == (4, (1, 3), 3, 3)


def test_strategy_with_a_parameter_named_like_the_protocol_is_refused_at_declaration():
    with pytest.raises(TypeError, match="may not be called 'window'"):
        type("Bad", (Strategy,), {"window": IntParam(3)})


def test_param_declared_without_help_has_no_help_text():
    # `logos strategies list` prints it as it is: nothing is better than a placeholder.
    assert IntParam(3).help == DecimalParam("1").help == BoolParam(True).help == SymbolsParam(2).help == ""


def test_param_with_a_default_outside_its_bounds_is_refused_at_declaration():
    with pytest.raises(ValueError, match="default 0 is outside the bounds"):
        IntParam(0, low=1)


@given(value=st.integers(-100, 100))
def test_int_param_with_any_whole_number_accepts_exactly_those_within_its_bounds(value):
    declared = (IntParam(3, low=1, high=50),)
    declared[0].name = "period"

    if 1 <= value <= 50:
        assert resolve(declared, {"period": value}, "Channel") == {"period": value}
    else:
        with pytest.raises(StrategyError) as caught:
            resolve(declared, {"period": value}, "Channel")
        assert str(caught.value) == f"Channel's parameter period must be an int in [1, 50], got {value}"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"period": D("2.5")}, "Channel's parameter period must be an int in [1, 50], got 2.5"),
        ({"period": True}, "Channel's parameter period must be an int in [1, 50], got true"),
        ({"width": D("1.01")}, "Channel's parameter width must be a decimal in [0, 1], got 1.01"),
        ({"width": True}, "Channel's parameter width must be a decimal in [0, 1], got true"),
        ({"width": 0.5}, "Channel's parameter width must be a decimal in [0, 1], got 0.5"),  # a float is not exact
        ({"width": "half"}, 'Channel\'s parameter width must be a decimal in [0, 1], got "half"'),
        ({"width": None}, "Channel's parameter width must be a decimal in [0, 1], got null"),
        ({"keep_lows": "yes"}, 'Channel\'s parameter keep_lows must be a bool, got "yes"'),
        ({"perod": 3}, "Channel has no parameter 'perod'; did you mean 'period' (an int in [1, 50])? its parameters are period, width, keep_lows"),
        ({"zzz": 3}, "Channel has no parameter 'zzz'; its parameters are period, width, keep_lows"),
        # "pe" shares half the letters of "period" (a similarity of 0.5): enough for a hint
        ({"pe": 3}, "Channel has no parameter 'pe'; did you mean 'period' (an int in [1, 50])? its parameters are period, width, keep_lows"),
        # a value JSON cannot write is shown as Python writes it
        ({"width": D("Infinity")}, "Channel's parameter width must be a decimal in [0, 1], got Decimal('Infinity')"),
    ],
)
def test_strategy_with_a_bad_or_unknown_parameter_says_which_its_type_and_bounds(given, message):
    with pytest.raises(StrategyError) as caught:
        Channel(**given)
    assert str(caught.value) == message


def test_decimal_param_with_a_json_number_keeps_its_exact_text():
    # As settings read --params: a JSON float becomes the Decimal of its text, never a float.
    strategy = Channel(**read_json('{"width": 0.10}'))

    assert strategy.width == D("0.10") and str(strategy.width) == "0.10"
    assert dict(strategy.values())["width"] == "0.10"


def declaring(**windows: Any) -> Strategy:
    """A strategy whose setup declares ``windows`` (window, sums, highs, lows), as built."""

    class Odd(Strategy):
        def setup(self) -> None:
            for key, value in windows.items():
                setattr(self, key, value)

    return Odd()


ROLLS = "Odd: sums must be a tuple of whole numbers from 1 to window"


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ({"window": 0}, "Odd: window must be a whole number of at least 1 (closes kept per symbol), got 0"),
        ({"window": 2.5}, "Odd: window must be a whole number of at least 1 (closes kept per symbol), got 2.5"),
        ({"highs": -1}, "Odd: highs must be a whole number of at least 0, got -1"),
        ({"lows": -1}, "Odd: lows must be a whole number of at least 0, got -1"),
        ({"lows": 1.0}, "Odd: lows must be a whole number of at least 0, got 1.0"),
        ({"sums": (0,)}, f"{ROLLS} (1), got (0,)"),
        ({"window": 2, "sums": (1, 3)}, f"{ROLLS} (2), got (1, 3)"),
        ({"window": 2, "sums": (D(1),)}, f"{ROLLS} (2), got (Decimal('1'),)"),
        ({"window": 2, "sums": [1]}, f"{ROLLS} (2), got [1]"),
    ],
)
def test_strategy_with_windows_that_cannot_be_rolled_is_refused_naming_the_window(windows, message):
    with pytest.raises(StrategyError) as caught:
        declaring(**windows)
    assert str(caught.value) == message


def test_strategy_with_the_smallest_windows_of_each_kind_is_accepted():
    strategy = declaring(window=1, sums=(1,), highs=0, lows=0)

    assert (strategy.window, strategy.sums, strategy.highs, strategy.lows) == (1, (1,), 0, 0)


# --- exact JSON -------------------------------------------------------------------------

# What json.loads(..., parse_float=Decimal) can produce: a Decimal only from a number with a
# fraction or an exponent (a whole number is an int).
json_decimals = st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: d.as_tuple().exponent != 0)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | json_decimals,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(value=json_values)
def test_exact_json_with_any_json_value_reads_back_to_the_same_exact_value(value: Any):
    text = exact_json(value)
    again = read_json(text)

    # The text tells 1.50 from 1.5 and 2 from 2.0, which == alone does not.
    assert again == value and exact_json(again) == text


def test_exact_json_with_compact_writes_no_space_at_any_depth():
    value = {"b": [1, {"a": D("1.50"), "c": None}], "a": True}

    assert exact_json(value) == '{"a": true, "b": [1, {"a": 1.50, "c": null}]}'
    assert exact_json(value, compact=True) == '{"a":true,"b":[1,{"a":1.50,"c":null}]}'


# --- the rolled windows -----------------------------------------------------------------

bars = st.lists(
    st.tuples(*(st.decimals(min_value=D("0.01"), max_value=D(10) ** 9, places=2) for _ in range(3))), min_size=1, max_size=60
)


@given(series=bars, period=st.integers(1, 8), keep_lows=st.booleans())
def test_roll_with_any_bars_keeps_exactly_the_declared_windows(series, period, keep_lows):
    # Arrange
    strategy = Channel(period=period, keep_lows=keep_lows)
    roll = roller(strategy)
    market = NO_MARKET
    closes, highs, lows = [], [], []

    for n, (close, high, low) in enumerate(series):
        # Act
        market = roll(market, close, 60 * n, 60 * n + 60, high, low)
        closes.append(close)
        highs.append(high)
        lows.append(low)

        # Assert: windows are fresh slices, sums fresh exact sums, an undeclared window stays empty
        assert market.window == tuple(closes[-(period + 1):])
        with localcontext(Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)):
            assert market.sums == (closes[-1], sum(closes[-period:], D(0)))
        assert market.highs == tuple(highs[-period:])
        assert market.lows == (tuple(lows[-period:]) if keep_lows else ())
        assert (market.mark, market.last_ts, market.fresh_at) == (close, 60 * n, 60 * n + 60)


class Watching(Channel):
    """Declares the channel's windows and records what each decide call sees of them."""

    def setup(self) -> None:
        super().setup()
        self.seen: list[Any] = []

    def decide(self, markets: Any, symbol: str) -> None:
        market = markets[symbol]
        self.seen.append((market.window, market.highs, market.lows))


def test_session_with_declared_highs_and_lows_hands_the_strategy_each_bar_s_own():
    # Arrange: bars whose open, high, low and close all differ
    strategy = Watching(period=2)
    run = Run(make_params(strategy="watching.py:Watching"), strategy=strategy)
    series = [("100", "99", "103", "98"), ("101", "100", "104", "97.5"), ("102", "101", "102.5", "100.5")]

    # Act
    run.steps(bar("AAPL", i, close, open=open_, high=high, low=low) for i, (close, open_, high, low) in enumerate(series))

    # Assert: the highs and lows are the bars', not their opens or closes
    assert strategy.seen[-1] == ((D("100"), D("101"), D("102")), (D("104"), D("102.5")), (D("97.5"), D("100.5")))
    assert [len(highs) for _, highs, _ in strategy.seen] == [1, 2, 2]
    market = run.state.markets["AAPL"]
    assert (market.highs, market.lows) == ((D("104"), D("102.5")), (D("97.5"), D("100.5")))


# --- targets ----------------------------------------------------------------------------

SYMBOLS = {"AAPL": None, "MSFT": None}


@pytest.mark.parametrize(
    ("targets", "problem"),
    [
        ({"AAPL": 1, "MSFT": D("-0.25")}, None),
        ({"AAPL": D("1.000")}, None),
        ({"AAPL": D("-1"), "MSFT": -1}, None),
        (MappingProxyType({"AAPL": 1}), None),  # any mapping, not only a dict
        ({"AAPL": D("1.5")}, "decide returned Decimal Decimal('1.5') for AAPL; a target is a Decimal or an int in [-1, 1]"),
        ({"TSLA": 1}, "decide returned a target for 'TSLA', which the session does not trade"),
        ({"AAPL": 0.5}, "decide returned float 0.5 for AAPL; a target is a Decimal or an int in [-1, 1]"),
        ({"AAPL": True}, "decide returned bool True for AAPL; a target is a Decimal or an int in [-1, 1]"),
        ({"AAPL": 2}, "decide returned int 2 for AAPL; a target is a Decimal or an int in [-1, 1]"),
        ({"AAPL": D("NaN")}, "decide returned Decimal Decimal('NaN') for AAPL; a target is a Decimal or an int in [-1, 1]"),
        ({"AAPL": "1"}, "decide returned str '1' for AAPL; a target is a Decimal or an int in [-1, 1]"),
        ([("AAPL", 1)], "decide returned list [('AAPL', 1)], not a mapping of symbol to target"),
    ],
)
def test_targets_problem_with_what_decide_returned_names_what_is_wrong(targets, problem):
    assert targets_problem(targets, SYMBOLS) == problem


@given(targets=st.dictionaries(st.sampled_from(["AAPL", "MSFT", "TSLA"]), st.one_of(st.integers(-3, 3), st.decimals(), st.floats())))
def test_targets_problem_with_any_mapping_accepts_only_exact_targets_in_range(targets):
    exact = all(
        symbol in SYMBOLS and type(t) in (int, D) and (type(t) is int or t.is_finite()) and -1 <= t <= 1
        for symbol, t in targets.items()
    )

    assert (targets_problem(targets, SYMBOLS) is None) == exact
