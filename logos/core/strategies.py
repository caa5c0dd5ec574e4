"""The built-in strategies, written against the same protocol as an operator's own.

Each sees only the windows it declared and the target it holds (``Market.signal``, for
hysteresis), never the clock or anything outside the state, so a replay makes the same
decisions. Each returns only the targets that move: a mapping per unchanged bar would cost
the reducer a lookup on every bar.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from logos.core.money import ZERO
from logos.core.state import Market
from logos.core.strategy import Strategy, Targets
from logos.core.strategy_params import BoolParam, DecimalParam, IntParam, StrategyError, SymbolsParam, read_json
from logos.core.windows import EXACT

if TYPE_CHECKING:
    from logos.core.state import Params

_multiply = EXACT.multiply  # bound once: looking the method up costs momentum's every bar


def _mean_std(values: tuple[Decimal, ...]) -> tuple[Decimal, Decimal]:
    n = len(values)
    mean = sum(values, ZERO) / n
    var = sum(((v - mean) * (v - mean) for v in values), ZERO) / n
    return mean, var.sqrt()


def _band(z: Decimal, current: Decimal | int, entry: Decimal, exit_: Decimal, long_only: bool) -> int:
    """Mean-reversion hysteresis: enter beyond ``entry``, leave once back inside ``exit_``."""
    if z > entry:
        target = -1
    elif z < -entry:
        target = 1
    elif (current == 1 and z >= -exit_) or (current == -1 and z <= exit_):
        target = 0
    else:
        target = current  # type: ignore[assignment]
    return max(target, 0) if long_only else target


def _bands_in_order(strategy: Strategy, entry: Decimal, exit_: Decimal) -> None:
    if not exit_ < entry:
        raise StrategyError(f"{strategy.name} needs exit_z < entry_z, got exit_z={exit_} entry_z={entry}")


class Momentum(Strategy):
    """Long when the fast moving average of the closes is above the slow one, short (or flat) below."""

    name = "momentum"
    fast = IntParam(10, low=1, help="closes in the fast moving average")
    slow = IntParam(30, low=2, help="closes in the slow moving average; more than fast")
    long_only = BoolParam(False, help="go flat instead of short when the fast average is below")

    def setup(self) -> None:
        if not self.fast < self.slow:
            raise StrategyError(f"momentum needs fast < slow, got fast={self.fast} slow={self.slow}")
        self.window = self.slow
        self.sums = (self.fast, self.slow)
        self._fast_n, self._slow_n = Decimal(self.fast), Decimal(self.slow)  # an int operand is converted on every call

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Targets | None:
        market = markets[symbol]
        if len(market.window) < self.slow:
            return None
        fast_sum, slow_sum = market.sums
        # Compare sums scaled by the other length: the same order as the means, no division.
        lhs = _multiply(fast_sum, self._slow_n)
        rhs = _multiply(slow_sum, self._fast_n)
        if lhs > rhs:
            target = 1
        elif lhs < rhs:
            target = 0 if self.long_only else -1
        else:
            return None
        return None if target == market.signal else {symbol: target}


class MeanReversion(Strategy):
    """Fade a close ``entry_z`` standard deviations from its mean; leave once within ``exit_z``."""

    name = "mean_reversion"
    lookback = IntParam(20, low=2, help="closes the mean and deviation are taken over")
    entry_z = DecimalParam("2", low=0, help="z-score beyond which a position is entered against the move")
    exit_z = DecimalParam("0.5", low=0, help="z-score within which the position is left; less than entry_z")
    long_only = BoolParam(False, help="only fade falls: stay flat on a rich close")

    def setup(self) -> None:
        _bands_in_order(self, self.entry_z, self.exit_z)
        self.window = self.lookback

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Targets | None:
        market = markets[symbol]
        w = market.window
        if len(w) < self.lookback:
            return None
        mean, std = _mean_std(w)
        if not std:
            return None
        target = _band((w[-1] - mean) / std, market.signal, self.entry_z, self.exit_z, self.long_only)
        return None if target == market.signal else {symbol: target}


class PairsTrading(Strategy):
    """Trade the z-score of the price ratio of two symbols: short the rich leg, buy the cheap one."""

    name = "pairs_trading"
    pair = SymbolsParam(2, help="the two legs, the ratio's numerator first; null: the session's first two, sorted")
    lookback = IntParam(30, low=2, help="ratios the mean and deviation are taken over")
    entry_z = DecimalParam("2", low=0, help="z-score of the ratio beyond which both legs are entered")
    exit_z = DecimalParam("0.5", low=0, help="z-score within which both legs are left; less than entry_z")

    def setup(self) -> None:
        _bands_in_order(self, self.entry_z, self.exit_z)
        self.window = self.lookback

    def check_symbols(self, symbols: tuple[str, ...]) -> None:
        if len(symbols) < 2:
            raise StrategyError(f"pairs_trading trades two symbols, the session has {len(symbols)} ({', '.join(symbols)})")
        missing = [s for s in self.pair or () if s not in symbols]
        if missing:
            raise StrategyError(f"pairs_trading's pair names {', '.join(missing)}, which the session does not trade")

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Targets | None:
        a, b = self.pair if self.pair is not None else tuple(sorted(markets))[:2]
        if symbol not in (a, b) or a not in markets or b not in markets:
            return None
        wa, wb = markets[a].window, markets[b].window
        lookback = self.lookback
        if len(wa) < lookback or len(wb) < lookback:
            return None
        ratios = tuple(x / y for x, y in zip(wa[-lookback:], wb[-lookback:]))
        mean, std = _mean_std(ratios)
        if not std:
            return None
        leg_a = _band((ratios[-1] - mean) / std, markets[a].signal, self.entry_z, self.exit_z, long_only=False)
        if leg_a == markets[a].signal and -leg_a == markets[b].signal:
            return None
        return {a: leg_a, b: -leg_a}


BUILTINS: dict[str, type[Strategy]] = {cls.name: cls for cls in (Momentum, MeanReversion, PairsTrading)}


def build(cls: type[Strategy], given: Mapping[str, Any]) -> Strategy:
    """Return ``cls`` with the ``given`` parameters; ``StrategyError`` names a bad one."""
    try:
        return cls(**given)
    except StrategyError:
        raise
    except Exception as exc:  # the operator's setup() is code too: its failure is one line, not a traceback
        raise StrategyError(f"{cls.name}: setting it up raised {type(exc).__name__}: {exc}") from None


@lru_cache(maxsize=32)
def builtin(name: str, params: tuple[tuple[str, str], ...]) -> Strategy:
    """The built-in ``name`` with the session's recorded ``(param, JSON text)`` pairs."""
    cls = BUILTINS.get(name)
    if cls is None:
        raise StrategyError(f"{name!r} is not a built-in strategy, so the shell must hand it to the reducer")
    return build(cls, {key: read_json(text) for key, text in params})


_STRATEGY_MEMO: list[Any] = [None, None, None]  # name, params tuple, strategy


def session_strategy(params: Params) -> Strategy:
    """The built-in the session's params name, for a reducer not handed a strategy (core tests)."""
    memo = _STRATEGY_MEMO
    if memo[1] is params.strategy_params and memo[0] == params.strategy:
        return memo[2]
    strategy = builtin(params.strategy, params.strategy_params)
    memo[:] = [params.strategy, params.strategy_params, strategy]
    return strategy
