"""Each symbol's declared windows, rolled one bar at a time: closes, rolling sums, highs, lows.

A strategy declares how many closes, highs and lows it needs and which rolling sums of the
closes; nothing else is kept, so a window a strategy did not declare costs its bars nothing.
A rolling sum is moved by the close that enters and the one that leaves (O(1) per sum, not a
sum per bar), in a context that never rounds, so it stays equal to a fresh sum of the window
for the life of a session whatever the prices.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

from logos.core.money import ZERO
from logos.core.state import Market

EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

# (symbol's market, the bar's close, open time, close time, high, low) -> its market after the bar
Roll = Callable[[Market, Decimal, int, int, Decimal, Decimal], Market]
_new_market = tuple.__new__  # Market(...) without the generated __new__'s argument handling: once per bar
_MEMO: list[tuple[Any, Roll | None]] = [(None, None)]  # the strategy last asked about and its roll


def roller(strategy: Any) -> Roll:
    """The roll of ``strategy``'s windows, built once per strategy (the reducer asks once per run)."""
    last, roll = _MEMO[0]
    if last is not strategy or roll is None:
        roll = _closes_roller(strategy.window, strategy.sums)
        if strategy.highs or strategy.lows:
            roll = _extremes_roller(roll, strategy.highs, strategy.lows)
        _MEMO[0] = (strategy, roll)
    return roll


def _closes_roller(keep: int, lengths: tuple[int, ...]) -> Roll:
    zeros = (ZERO,) * len(lengths)
    add, subtract = EXACT.add, EXACT.subtract
    new, none = _new_market, ()

    def roll(market: Market, close: Decimal, ts: int, fresh: int, high: Decimal, low: Decimal) -> Market:
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
        return new(Market, (close, ts, fresh, window[-keep:] if kept >= keep else window, market.signal, sums, none, none))

    return roll


def _extremes_roller(closes: Roll, highs: int, lows: int) -> Roll:
    new = _new_market

    def roll(market: Market, close: Decimal, ts: int, fresh: int, high: Decimal, low: Decimal) -> Market:
        rolled = closes(market, close, ts, fresh, high, low)
        return new(Market, (*rolled[:6], _kept(market.highs, high, highs), _kept(market.lows, low, lows)))

    return roll


def _kept(values: tuple[Decimal, ...], value: Decimal, keep: int) -> tuple[Decimal, ...]:
    if not keep:
        return values
    values += (value,)
    return values[-keep:] if len(values) > keep else values
