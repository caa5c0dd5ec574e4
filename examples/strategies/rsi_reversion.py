"""RSI reversion: buy what the relative strength index calls oversold, sell what it calls overbought.

Load it with ``logos trade --paper --strategy examples/strategies/rsi_reversion.py:RsiReversion``
(a relative path is taken from the home folder).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from logos.core.state import Market
from logos.core.strategy import Strategy, Targets
from logos.core.strategy_params import BoolParam, DecimalParam, IntParam, StrategyError

HUNDRED = Decimal(100)


class RsiReversion(Strategy):
    """Long below ``oversold``, short above ``overbought``, flat again once the RSI crosses ``exit``.

    The RSI is taken over the last ``period`` changes of the close with simple averages
    (Cutler's RSI): it needs only the closes the strategy keeps, so a snapshot holds all it
    knows. Each position is ``size`` of the session's sizing.
    """

    name = "rsi_reversion"
    period = IntParam(14, low=2, high=500, help="changes of the close the RSI averages")
    oversold = DecimalParam("30", low=0, high=100, help="RSI below which it goes long")
    overbought = DecimalParam("70", low=0, high=100, help="RSI above which it goes short")
    exit = DecimalParam("50", low=0, high=100, help="RSI at which a position is left")
    size = DecimalParam("1", low=0, high=1, help="fraction of the sizing each position takes")
    long_only = BoolParam(False, help="never go short")

    def setup(self) -> None:
        if not self.oversold < self.exit < self.overbought:
            raise StrategyError(
                f"rsi_reversion needs oversold < exit < overbought, got {self.oversold}, {self.exit}, {self.overbought}"
            )
        self.window = self.period + 1  # period changes need one close more

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Targets | None:
        market = markets[symbol]
        closes = market.window
        if len(closes) < self.window:
            return None
        gains = losses = Decimal(0)
        for before, after in zip(closes, closes[1:]):
            if after > before:
                gains += after - before
            else:
                losses += before - after
        moved = gains + losses
        if not moved:
            return None
        # RSI = 100 * gains / (gains + losses); compared multiplied out, so no division rounds.
        rsi_times_moved = HUNDRED * gains
        held = market.signal
        if rsi_times_moved < self.oversold * moved:
            target = self.size
        elif rsi_times_moved > self.overbought * moved:
            target = Decimal(0) if self.long_only else -self.size
        elif (held > 0 and rsi_times_moved >= self.exit * moved) or (held < 0 and rsi_times_moved <= self.exit * moved):
            target = Decimal(0)
        else:
            return None
        return None if target == held else {symbol: target}
