"""Donchian breakout: follow a close that breaks out of the channel of the last highs and lows.

Load it with ``logos trade --paper --strategy examples/strategies/donchian_breakout.py:DonchianBreakout``
(a relative path is taken from the home folder).
"""

from __future__ import annotations

from typing import Mapping

from logos.core.state import Market
from logos.core.strategy import Strategy, Targets
from logos.core.strategy_params import BoolParam, IntParam, StrategyError


class DonchianBreakout(Strategy):
    """Long on a close above the highest high of the last ``period`` bars, short on one below the
    lowest low; a long is left on a close below the lowest low of the last ``exit_period`` bars
    (a short on one above the highest high), as the turtle traders did.

    The channels are of the bars before the one that closed, so a bar never breaks out of a
    channel it is part of. It keeps only the highs and lows it declares.
    """

    name = "donchian_breakout"
    period = IntParam(20, low=2, high=1000, help="bars in the entry channel")
    exit_period = IntParam(10, low=1, high=1000, help="bars in the exit channel; at most period")
    long_only = BoolParam(False, help="never go short")

    def setup(self) -> None:
        if self.exit_period > self.period:
            raise StrategyError(f"donchian_breakout needs exit_period <= period, got {self.exit_period} > {self.period}")
        self.highs = self.lows = self.period + 1  # the channel's bars, then the bar that just closed

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Targets | None:
        market = markets[symbol]
        highs, lows = market.highs, market.lows
        if len(highs) < self.highs:
            return None
        close, held = market.mark, market.signal
        before_high, before_low = highs[:-1], lows[:-1]
        if close > max(before_high):
            target = 1
        elif close < min(before_low):
            target = 0 if self.long_only else -1
        elif held > 0 and close < min(before_low[-self.exit_period:]):
            target = 0
        elif held < 0 and close > max(before_high[-self.exit_period:]):
            target = 0
        else:
            return None
        return None if target == held else {symbol: target}
