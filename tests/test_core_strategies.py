"""Strategies on small series whose SMAs and z-scores can be checked by hand."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext

import pytest

from hypothesis import given
from hypothesis import strategies as st

from logos.core.state import NO_MARKET, Market
from core_factories import make_params
from logos.core.strategies import BUILTINS, MeanReversion, Momentum, PairsTrading, build, builtin, session_strategy
from logos.core.strategy import Strategy
from logos.core.strategy_params import StrategyError, freeze_params
from logos.core.windows import roller


def w(*closes: str | int) -> tuple[Decimal, ...]:
    return tuple(Decimal(str(c)) for c in closes)


def rolled(strategy: Strategy, market: Market, close: Decimal, high: Decimal | None = None, low: Decimal | None = None) -> Market:
    """``market`` after one bar closing at ``close`` went through the reducer's rolling step."""
    return roller(strategy)(market, close, 0, 60, close if high is None else high, close if low is None else low)


def markets_after(strategy: Strategy, closes: dict[str, tuple[Decimal, ...]], current: dict[str, int]) -> dict[str, Market]:
    """Each symbol's market after its closes went through the reducer's rolling step, one by one."""
    markets = {}
    for symbol, series in closes.items():
        market = NO_MARKET
        for close in series:
            market = rolled(strategy, market, close)
        markets[symbol] = market._replace(signal=current.get(symbol, 0))
    return markets


def decide(strategy: Strategy, closes: dict[str, tuple[Decimal, ...]], current: dict[str, int], symbol: str) -> dict[str, int]:
    """The targets the strategy moves (a strategy may leave out those it keeps, or return None)."""
    return dict(strategy.decide(markets_after(strategy, closes, current), symbol) or {})


def target(strategy: Strategy, closes: dict[str, tuple[Decimal, ...]], current: dict[str, int], symbol: str) -> int:
    """The target ``symbol`` has after the strategy decided: the moved one, else the current one."""
    return decide(strategy, closes, current, symbol).get(symbol, current[symbol])


# --- momentum: fast=2, slow=3 compares (c2+c3)/2 with (c1+c2+c3)/3 ---------------------


@pytest.mark.parametrize(
    ("closes", "long_only", "current", "expected"),
    [
        (w(1, 2, 3), False, 0, {"X": 1}),  # 2.5 > 2
        (w(3, 2, 1), False, 0, {"X": -1}),  # 1.5 < 2
        (w(3, 2, 1), True, 1, {"X": 0}),  # long_only goes flat instead of short
        (w(3, 2, 1), True, 0, {}),  # ... and says nothing when it is flat already
        (w(1, 2, 3), False, 1, {}),  # a target equal to the current one is no news
        (w(2, 2, 2), False, 0, {}),  # equal SMAs: no opinion, keep what we have
        (w(100, 1, 2, 3), False, 0, {"X": 1}),  # only the last `slow` closes count
        (w(1, 2), False, 0, {}),  # not enough closes yet
    ],
)
def test_momentum_with_fast_and_slow_sma_targets_the_cross(closes, long_only, current, expected):
    strategy = Momentum(fast=2, slow=3, long_only=long_only)

    assert decide(strategy, {"X": closes}, {"X": current}, "X") == expected
    assert strategy.window == 3


def test_momentum_with_a_cross_of_one_cent_sees_it_exactly():
    strategy = Momentum(fast=1, slow=2)

    assert decide(strategy, {"X": w("100.00", "100.01")}, {}, "X") == {"X": 1}
    assert decide(strategy, {"X": w("100.01", "100.00")}, {}, "X") == {"X": -1}


prices = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("10") ** 12, allow_nan=False, allow_infinity=False, places=8)


@given(
    closes=st.lists(st.one_of(prices, st.decimals(min_value=1, max_value=10**30, places=0)), min_size=1, max_size=120),
    fast=st.integers(1, 8),
    extra=st.integers(1, 12),
)
def test_momentum_rolling_sums_with_any_series_equal_fresh_sums_of_the_window(closes, fast, extra):
    # Arrange: the reducer rolls two sums forward bar by bar, never re-adding the window
    slow = fast + extra
    strategy = Momentum(fast=fast, slow=slow)
    market = NO_MARKET

    for seen in range(1, len(closes) + 1):
        # Act
        market = rolled(strategy, market, closes[seen - 1])

        # Assert: exact however long the series and however many digits its prices carry
        # (30-digit prices would be rounded by a default-precision sum)
        with localcontext(Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)):
            expected = (sum(closes[:seen][-fast:], Decimal(0)), sum(closes[:seen][-slow:], Decimal(0)))
        assert market.window == tuple(closes[:seen][-slow:])
        assert market.sums == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fast": 3, "slow": 3}, "momentum needs fast < slow, got fast=3 slow=3"),
        ({"fast": 0, "slow": 3}, "momentum's parameter fast must be an int >= 1, got 0"),
        ({"fast": Decimal("2.5"), "slow": 5}, "momentum's parameter fast must be an int >= 1, got 2.5"),
        ({"fast": 2, "slow": "30"}, 'momentum\'s parameter slow must be an int >= 2, got "30"'),
        ({"long_only": 1}, "momentum's parameter long_only must be a bool, got 1"),
        ({"fats": 3}, "momentum has no parameter 'fats'; did you mean 'fast' (an int >= 1)? its parameters are fast, slow, long_only"),
    ],
)
def test_momentum_with_bad_parameters_raises_one_line_naming_it(kwargs, message):
    with pytest.raises(StrategyError) as caught:
        Momentum(**kwargs)
    assert str(caught.value) == message


# --- mean reversion: lookback=4, enter beyond |z| > 1, leave once |z| <= 0.25 -----------

ENTRY_SHORT = w(10, 10, 10, 14)  # z = +1.73
ENTRY_LONG = w(10, 10, 10, 6)  # z = -1.73
AT_ENTRY = w(12, 8, 12, 8)  # z = -1 exactly: not beyond the entry
AT_ENTRY_HIGH = w(12, 8, 8, 12)  # z = +1 exactly: likewise on the rich side
INSIDE_LOW = w(10, 11, 12, "10.2")  # z = -0.76
JUST_OUTSIDE_EXIT = w(10, 12, 8, "9.5")  # z = -0.262
INSIDE_EXIT_LOW = w(10, 11, 12, "10.8")  # z = -0.21
INSIDE_HIGH = w(10, 11, 12, "11.5")  # z = +0.51
AT_MEAN = w(10, 11, 12, 11)  # z = 0


@pytest.mark.parametrize(
    ("closes", "current", "expected"),
    [
        (ENTRY_SHORT, 0, -1),
        (ENTRY_LONG, 0, 1),
        (ENTRY_SHORT, 1, -1),  # beyond the other side: flip
        (AT_ENTRY, 0, 0),
        (AT_ENTRY_HIGH, 0, 0),
        (INSIDE_LOW, 1, 1),  # hysteresis: between exit and entry a long is kept
        (INSIDE_LOW, 0, 0),  # ... and a flat stays flat
        (JUST_OUTSIDE_EXIT, 1, 1),
        (INSIDE_EXIT_LOW, 1, 0),  # back inside the exit band: leave
        (INSIDE_HIGH, -1, -1),
        (AT_MEAN, -1, 0),
    ],
)
def test_mean_reversion_with_hysteresis_band_enters_beyond_entry_and_exits_inside_exit(closes, current, expected):
    strategy = MeanReversion(lookback=4, entry_z="1", exit_z="0.25")

    assert target(strategy, {"X": closes}, {"X": current}, "X") == expected


def test_mean_reversion_with_a_series_inside_the_band_does_not_flip_flop():
    # Arrange: enter long, then wander between the exit and entry bands
    strategy = MeanReversion(lookback=4, entry_z="1", exit_z="0.25")
    series = [ENTRY_LONG, INSIDE_LOW, JUST_OUTSIDE_EXIT, INSIDE_LOW, INSIDE_EXIT_LOW, INSIDE_LOW]

    # Act
    current, targets = 0, []
    for closes in series:
        current = target(strategy, {"X": closes}, {"X": current}, "X")
        targets.append(current)

    # Assert: one entry, one exit, nothing in between
    assert targets == [1, 1, 1, 1, 0, 0]


def test_mean_reversion_with_long_only_stays_flat_on_a_rich_close():
    strategy = MeanReversion(lookback=4, entry_z="1", exit_z="0.25", long_only=True)

    assert target(strategy, {"X": ENTRY_SHORT}, {"X": 0}, "X") == 0
    assert target(strategy, {"X": ENTRY_SHORT}, {"X": 1}, "X") == 0


def test_mean_reversion_with_z_exactly_at_the_exit_band_leaves_from_either_side():
    strategy = MeanReversion(lookback=4, entry_z="2", exit_z="1")

    assert decide(strategy, {"X": w(8, 9, 9, 8)}, {"X": 1}, "X") == {"X": 0}  # z = -1: a long leaves
    assert decide(strategy, {"X": w(8, 8, 9, 9)}, {"X": -1}, "X") == {"X": 0}  # z = +1: a short leaves


def test_mean_reversion_with_the_target_it_already_holds_moves_nothing():
    strategy = MeanReversion(lookback=4, entry_z="1", exit_z="0.25")

    assert decide(strategy, {"X": ENTRY_LONG}, {"X": 0}, "X") == {"X": 1}
    assert decide(strategy, {"X": ENTRY_LONG}, {"X": 1}, "X") == {}
    assert decide(strategy, {"X": INSIDE_LOW}, {"X": 1}, "X") == {}


def test_mean_reversion_with_flat_or_short_window_has_no_opinion():
    strategy = MeanReversion(lookback=4, entry_z="1", exit_z="0.25")

    assert decide(strategy, {"X": w(5, 5, 5, 5)}, {"X": 1}, "X") == {}
    assert decide(strategy, {"X": w(5, 6, 7)}, {"X": 0}, "X") == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lookback": 1}, "mean_reversion's parameter lookback must be an int >= 2, got 1"),
        ({"entry_z": "1", "exit_z": "1"}, "mean_reversion needs exit_z < entry_z, got exit_z=1 entry_z=1"),
        ({"exit_z": "-0.1"}, 'mean_reversion\'s parameter exit_z must be a decimal >= 0, got "-0.1"'),
        ({"entry_z": "two"}, 'mean_reversion\'s parameter entry_z must be a decimal >= 0, got "two"'),
        ({"exit_z": "NaN"}, 'mean_reversion\'s parameter exit_z must be a decimal >= 0, got "NaN"'),
        ({"lookback": Decimal("2.5")}, "mean_reversion's parameter lookback must be an int >= 2, got 2.5"),
    ],
)
def test_mean_reversion_with_bad_parameters_raises_strategy_error(kwargs, message):
    with pytest.raises(StrategyError) as caught:
        MeanReversion(**kwargs)
    assert str(caught.value) == message


# --- pairs trading: lookback=3 on the ratio A/B -----------------------------------------


@pytest.mark.parametrize(
    "windows",
    [
        {"A": w(10, 10, 13), "B": w(10, 10, 10)},  # ratios 1, 1, 1.3: z = 0.2 / 0.1414 = 1.41
        {"A": w(10, 10, 10), "B": w(10, 10, 8)},  # ratios 1, 1, 1.25: A did not move, yet is rich against B
    ],
)
def test_pairs_trading_with_rich_first_leg_shorts_it_and_buys_the_other(windows):
    strategy = PairsTrading(lookback=3, entry_z="1", exit_z="0.25")

    assert decide(strategy, windows, {"A": 0, "B": 0}, "B") == {"A": -1, "B": 1}


def test_pairs_trading_with_cheap_first_leg_buys_it_and_shorts_the_other():
    strategy = PairsTrading(lookback=3, entry_z="1", exit_z="0.25")
    windows = {"A": w(10, 10, 7), "B": w(10, 10, 10)}

    assert decide(strategy, windows, {"A": 0, "B": 0}, "A") == {"A": 1, "B": -1}


def test_pairs_trading_with_both_legs_at_their_targets_moves_nothing_and_with_one_off_moves_both():
    strategy = PairsTrading(lookback=3, entry_z="1", exit_z="0.25")
    windows = {"A": w(10, 10, 13), "B": w(10, 10, 10)}

    assert decide(strategy, windows, {"A": -1, "B": 1}, "B") == {}
    assert decide(strategy, windows, {"A": -1, "B": 0}, "B") == {"A": -1, "B": 1}
    assert decide(strategy, windows, {"A": 0, "B": 1}, "B") == {"A": -1, "B": 1}


def test_pairs_trading_with_one_legs_window_short_of_the_lookback_has_no_opinion():
    # Two ratios would have a z-score of 1, beyond this entry: only the full lookback counts.
    strategy = PairsTrading(lookback=3, entry_z="0.5", exit_z="0.25")

    assert decide(strategy, {"A": w(10, 10, 13), "B": w(10, 5)}, {}, "A") == {}
    assert decide(strategy, {"A": w(10, 5), "B": w(10, 10, 13)}, {}, "A") == {}


def test_pairs_trading_with_ratio_back_at_its_mean_exits_both_legs():
    strategy = PairsTrading(lookback=3, entry_z="1", exit_z="0.25")
    # ratios 0.9, 1.1, 1.0: z = 0
    windows = {"A": w(9, 11, 10), "B": w(10, 10, 10)}

    assert decide(strategy, windows, {"A": -1, "B": 1}, "A") == {"A": 0, "B": 0}


def test_pairs_trading_with_named_pair_ignores_other_symbols_and_short_windows():
    strategy = PairsTrading(pair=["B", "C"], lookback=3, entry_z="1", exit_z="0.25")
    windows = {"A": w(1, 1, 9), "B": w(10, 10, 13), "C": w(10, 10, 10)}

    assert decide(strategy, windows, {}, "A") == {}
    assert decide(strategy, windows, {"B": 0}, "C") == {"B": -1, "C": 1}
    assert decide(strategy, {**windows, "C": w(10, 10)}, {}, "B") == {}
    assert decide(strategy, {"A": windows["A"], "B": windows["B"]}, {}, "B") == {}, "a leg without a market: no opinion"


def test_pairs_trading_with_no_pair_named_trades_the_first_two_symbols_sorted():
    strategy = PairsTrading(lookback=3, entry_z="1", exit_z="0.25")
    windows = {"C": w(1, 1, 9), "B": w(10, 10, 10), "A": w(10, 10, 13)}

    assert decide(strategy, windows, {}, "C") == {}
    assert decide(strategy, windows, {}, "B") == {"A": -1, "B": 1}


def test_pairs_trading_with_three_symbols_in_the_pair_raises_strategy_error():
    with pytest.raises(StrategyError, match=r'pairs_trading\'s parameter pair must be a list of 2 distinct symbols, or null, got \["A", "B", "C"\]'):
        PairsTrading(pair=["A", "B", "C"])


@pytest.mark.parametrize(
    ("pair", "shown"),
    [(["A", "A"], '["A", "A"]'), ("AB", '"AB"'), (["A", 5], '["A", 5]'), (["A", ""], '["A", ""]')],
    ids=["one symbol twice", "text, not a list", "a number", "an empty name"],
)
def test_pairs_trading_with_a_pair_that_is_not_two_distinct_symbols_raises_strategy_error(pair, shown):
    with pytest.raises(StrategyError) as caught:
        PairsTrading(pair=pair)
    assert str(caught.value) == f"pairs_trading's parameter pair must be a list of 2 distinct symbols, or null, got {shown}"


def test_pairs_trading_with_pair_given_as_null_takes_the_default_and_records_null():
    strategy = PairsTrading(pair=None, lookback=3, entry_z="1", exit_z="0.25")

    assert strategy.pair is None and dict(strategy.values())["pair"] == "null"
    assert decide(strategy, {"A": w(10, 10, 13), "B": w(10, 10, 10)}, {"A": 0, "B": 0}, "B") == {"A": -1, "B": 1}


def test_pairs_trading_with_a_named_pair_records_it_as_a_json_list_in_its_order():
    assert dict(PairsTrading(pair=["B", "A"]).values())["pair"] == '["B", "A"]'


def test_pairs_trading_with_exit_not_below_entry_raises_strategy_error_naming_both():
    with pytest.raises(StrategyError) as caught:
        PairsTrading(entry_z="1", exit_z="1")
    assert str(caught.value) == "pairs_trading needs exit_z < entry_z, got exit_z=1 entry_z=1"


def test_pairs_trading_with_symbols_lacking_a_leg_says_which():
    with pytest.raises(StrategyError, match="^pairs_trading's pair names C, which the session does not trade$"):
        PairsTrading(pair=["A", "C"]).check_symbols(("A", "B"))
    with pytest.raises(StrategyError, match=r"^pairs_trading's pair names C, D, which the session does not trade$"):
        PairsTrading(pair=["C", "D"]).check_symbols(("A", "B"))
    with pytest.raises(StrategyError, match=r"^pairs_trading trades two symbols, the session has 1 \(A\)$"):
        PairsTrading().check_symbols(("A",))
    PairsTrading(pair=["B", "A"]).check_symbols(("A", "B", "C"))  # both legs traded: no complaint


# --- the built-ins as a session records them ---------------------------------------------


def test_builtin_with_frozen_params_gives_the_configured_strategy():
    strategy = builtin("momentum", freeze_params({"slow": 5, "fast": 2}))

    assert (strategy.name, strategy.window, strategy.sums) == ("momentum", 5, (2, 5))
    assert freeze_params({"slow": 5, "fast": 2}) == (("fast", "2"), ("slow", "5"))
    assert strategy.values() == (("fast", "2"), ("slow", "5"), ("long_only", "false"))


def test_build_with_a_setup_that_raises_says_in_one_line_which_strategy_and_what_it_raised():
    class Fragile(Strategy):
        def setup(self) -> None:
            self.window = 1 // 0

    with pytest.raises(StrategyError) as caught:
        build(Fragile, {})
    assert str(caught.value) == "Fragile: setting it up raised ZeroDivisionError: integer division or modulo by zero"


def test_session_strategy_with_sessions_taking_turns_gives_each_the_strategy_its_params_name():
    # Both record no parameters: the same empty tuple, so only the name tells them apart.
    reverting, pairs = make_params(strategy="mean_reversion"), make_params(strategy="pairs_trading")
    assert reverting.strategy_params is pairs.strategy_params

    assert [session_strategy(p).name for p in (reverting, pairs, pairs, reverting)] == [
        "mean_reversion", "pairs_trading", "pairs_trading", "mean_reversion"
    ]


def test_builtin_with_a_name_that_is_not_built_in_says_the_shell_must_load_it():
    with pytest.raises(StrategyError, match="'rsi.py:RSI' is not a built-in strategy"):
        builtin("rsi.py:RSI", ())


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_with_no_parameters_records_every_default(name):
    strategy = BUILTINS[name]()

    assert [name for name, _ in strategy.values()] == [p.name for p in type(strategy).parameters]
    assert all(p.help for p in type(strategy).parameters), "every parameter has its line of help"
