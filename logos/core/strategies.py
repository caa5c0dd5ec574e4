"""Strategies: pure functions of the per-symbol markets in state, returning targets in {-1, 0, +1}.

A strategy sees only the closes it was given (each symbol's window, and the rolling sums
it asked the reducer to keep) and the targets it set before (for hysteresis), never the
clock or anything outside the state, so a replay makes the same decisions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from logos.core.money import ZERO
from logos.core.state import Market

if TYPE_CHECKING:
    from logos.core.state import Params


class StrategyError(ValueError):
    """A strategy name or parameter the operator got wrong."""


Decide = Callable[[Mapping[str, Market], str], dict[str, int]]

# Rolling sums are added to and taken from on every bar for the life of a session: in a
# context that never rounds they stay equal to a fresh sum of the window, whatever the prices.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_add, _subtract = EXACT.add, EXACT.subtract


class Strategy(NamedTuple):
    name: str
    window: int  # closes kept per symbol
    decide: Decide  # (markets, symbol that just closed) -> targets; current ones are Market.signal
    sums: tuple[int, ...] = ()  # n for each rolling sum of the last n closes the Market keeps


def roll(strategy: Strategy, market: Market, close: Decimal) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]]:
    """Return the window and rolling sums after ``close``: O(1) per sum instead of a sum per bar."""
    return roller(strategy)(market, close)


@lru_cache(maxsize=32)
def roller(strategy: Strategy) -> Callable[[Market, Decimal], tuple[tuple[Decimal, ...], tuple[Decimal, ...]]]:
    """``roll`` for one strategy, with what it needs bound once (the reducer rolls every bar)."""
    keep, lengths = strategy.window, strategy.sums
    zeros = (ZERO,) * len(lengths)
    add, subtract = _add, _subtract

    def roll_one(market: Market, close: Decimal) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]]:
        window = market.window
        kept = len(window)
        sums = market.sums
        if lengths:
            rolled = []
            for total, n in zip(sums or zeros, lengths):
                total = add(total, close)
                rolled.append(subtract(total, window[-n]) if kept >= n else total)
            sums = tuple(rolled)
        window += (close,)
        return (window[-keep:] if kept >= keep else window), sums

    return roll_one


def _mean_std(values: tuple[Decimal, ...]) -> tuple[Decimal, Decimal]:
    n = len(values)
    mean = sum(values, ZERO) / n
    var = sum(((v - mean) * (v - mean) for v in values), ZERO) / n
    return mean, var.sqrt()


def _whole(strategy: str, name: str, value: object) -> int:
    # JSON gives 2.5 or "30" as readily as 30; either would fail later, mid-session.
    if type(value) is not int:
        raise StrategyError(f"{strategy}: {name} must be a whole number, got {exact_json(value)}")
    return value


def _number(strategy: str, name: str, value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite():
        raise StrategyError(f"{strategy}: {name} must be a number, got {exact_json(value)}")
    return number


def _band(z: Decimal, current: int, entry: Decimal, exit_: Decimal, long_only: bool) -> int:
    """Mean-reversion hysteresis: enter beyond ``entry``, leave once back inside ``exit_``."""
    if z > entry:
        target = -1
    elif z < -entry:
        target = 1
    elif current == 1 and z >= -exit_:
        target = 0
    elif current == -1 and z <= exit_:
        target = 0
    else:
        target = current
    return max(target, 0) if long_only else target


def momentum(fast: int = 10, slow: int = 30, long_only: bool = False) -> Strategy:
    """Long when the fast SMA is above the slow one, short (or flat) when below."""
    fast, slow = _whole("momentum", "fast", fast), _whole("momentum", "slow", slow)
    if not 0 < fast < slow:
        raise StrategyError(f"momentum needs 0 < fast < slow, got fast={fast} slow={slow}")

    multiply = EXACT.multiply
    fast_n, slow_n = Decimal(fast), Decimal(slow)  # an int operand is converted on every call

    def decide(markets, symbol):  # type: ignore[no-untyped-def]
        market = markets[symbol]
        if len(market.window) < slow:
            return {}
        fast_sum, slow_sum = market.sums
        # Compare sums scaled by the other length: the same order as the means, no division.
        lhs = multiply(fast_sum, slow_n)
        rhs = multiply(slow_sum, fast_n)
        if lhs > rhs:
            target = 1
        elif lhs < rhs:
            target = 0 if long_only else -1
        else:
            return {}
        # Only a move is news: a dict per unchanged bar would cost the reducer a lookup.
        return {} if target == market.signal else {symbol: target}

    return Strategy("momentum", slow, decide, (fast, slow))


def mean_reversion(
    lookback: int = 20, entry_z: str = "2", exit_z: str = "0.5", long_only: bool = False
) -> Strategy:
    """Fade a close that is ``entry_z`` deviations from its mean; leave within ``exit_z``."""
    lookback = _whole("mean_reversion", "lookback", lookback)
    entry, exit_ = _number("mean_reversion", "entry_z", entry_z), _number("mean_reversion", "exit_z", exit_z)
    if lookback < 2 or not ZERO <= exit_ < entry:
        raise StrategyError(f"mean_reversion needs lookback >= 2 and 0 <= exit_z < entry_z, got {lookback}, {exit_}, {entry}")

    def decide(markets, symbol):  # type: ignore[no-untyped-def]
        market = markets[symbol]
        w = market.window
        if len(w) < lookback:
            return {}
        mean, std = _mean_std(w[-lookback:])
        if not std:
            return {}
        target = _band((w[-1] - mean) / std, market.signal, entry, exit_, long_only)
        return {} if target == market.signal else {symbol: target}

    return Strategy("mean_reversion", lookback, decide)


def pairs_trading(
    pair: tuple[str, str] | list[str] | None = None, lookback: int = 30, entry_z: str = "2", exit_z: str = "0.5"
) -> Strategy:
    """Trade the z-score of the price ratio of two symbols: short the rich leg, long the cheap one."""
    lookback = _whole("pairs_trading", "lookback", lookback)
    entry, exit_ = _number("pairs_trading", "entry_z", entry_z), _number("pairs_trading", "exit_z", exit_z)
    if lookback < 2 or not ZERO <= exit_ < entry:
        raise StrategyError(f"pairs_trading needs lookback >= 2 and 0 <= exit_z < entry_z, got {lookback}, {exit_}, {entry}")
    if pair is not None and len(pair) != 2:
        raise StrategyError(f"pairs_trading needs a pair of two symbols, got {pair}")

    def decide(markets, symbol):  # type: ignore[no-untyped-def]
        a, b = pair if pair is not None else tuple(sorted(markets))[:2]
        if symbol not in (a, b) or a not in markets or b not in markets:
            return {}
        wa, wb = markets[a].window, markets[b].window
        if len(wa) < lookback or len(wb) < lookback:
            return {}
        ratios = tuple(x / y for x, y in zip(wa[-lookback:], wb[-lookback:]))
        mean, std = _mean_std(ratios)
        if not std:
            return {}
        leg_a = _band((ratios[-1] - mean) / std, markets[a].signal, entry, exit_, long_only=False)
        return {a: leg_a, b: -leg_a}

    return Strategy("pairs_trading", lookback, decide)


FACTORIES: dict[str, Callable[..., Strategy]] = {
    "momentum": momentum,
    "mean_reversion": mean_reversion,
    "pairs_trading": pairs_trading,
}


@lru_cache(maxsize=32)
def build(name: str, params: tuple[tuple[str, str], ...]) -> Strategy:
    """Build a strategy from its name and ``(param, JSON text)`` pairs (cached: params never change)."""
    factory = FACTORIES.get(name)
    if factory is None:
        raise StrategyError(f"unknown strategy {name!r}; choose one of {', '.join(FACTORIES)}")
    kwargs = {key: json.loads(text, parse_float=Decimal) for key, text in params}
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise StrategyError(f"strategy {name}: {exc}") from None


def freeze_params(params: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Turn a params mapping into the sorted, hashable form kept in session params."""
    return tuple(sorted((key, exact_json(value)) for key, value in params.items()))


def exact_json(value: object, *, compact: bool = False) -> str:
    """Return ``value`` as JSON with sorted keys, a Decimal written as the exact number it holds.

    The stdlib encoder knows no Decimal, and a float would round ``2.5000000000000001``.
    """
    item, pair = (",", ":") if compact else (", ", ": ")
    if isinstance(value, Decimal):
        return str(value)  # always JSON number syntax for a finite Decimal
    if isinstance(value, Mapping):
        return "{" + item.join(json.dumps(k) + pair + exact_json(v, compact=compact) for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + item.join(exact_json(v, compact=compact) for v in value) + "]"
    return json.dumps(value)


_STRATEGY_MEMO: list[Any] = [None, None, None]  # name, params tuple, strategy


def session_strategy(params: Params) -> Strategy:
    """The session's strategy; a one-entry memo spares the per-bar hashing of its params."""
    memo = _STRATEGY_MEMO
    if memo[1] is params.strategy_params and memo[0] == params.strategy:
        return memo[2]  # type: ignore[no-any-return]
    strategy = build(params.strategy, params.strategy_params)
    memo[:] = [params.strategy, params.strategy_params, strategy]
    return strategy
