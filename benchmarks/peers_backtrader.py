"""The workload in backtrader: Cerebro, PandasData, the built-in broker, its SMA indicator.

Run as its own process by ``benchmarks.run`` (so its imports, memory and time are its own):
``python -m benchmarks.peers_backtrader CSV --fill-at next_open|same_close --result FILE``.

Fill conventions: by default backtrader fills a market order issued in ``next()`` at the
*next* bar's open (Logos ``--fill-at next_open``); with cheat-on-close
(``broker.set_coc(True)``) it fills at the close of the bar that issued it (Logos
``--fill-at same_close``). Either way the broker acts on an order at the start of the
next bar, so an order issued on the very last bar never fills.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks import FAST, INITIAL_CASH, NEXT_OPEN, SAME_CLOSE, SLOW, sma_target


def run(csv: Path, fill_at: str) -> dict[str, object]:
    """Run the workload on ``csv``; return bars, fills, final equity and the engine's seconds."""
    import backtrader as bt
    import pandas as pd

    class SmaCross(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.fast = bt.indicators.SimpleMovingAverage(self.data.close, period=FAST)
            self.slow = bt.indicators.SimpleMovingAverage(self.data.close, period=SLOW)
            self.target = 0
            self.fills = 0

        def notify_order(self, order: bt.Order) -> None:
            if order.status == order.Completed:
                self.fills += 1

        def next(self) -> None:
            target = sma_target(self.fast[0] - self.slow[0])
            if target is not None and target != self.target:
                self.target = target
                self.order_target_size(target=target)

    frame = pd.read_csv(csv, index_col="timestamp", parse_dates=["timestamp"])
    cerebro = bt.Cerebro(stdstats=False)  # no observers: the engine at its leanest
    cerebro.adddata(bt.feeds.PandasData(dataname=frame, openinterest=None, timeframe=bt.TimeFrame.Minutes))
    cerebro.addstrategy(SmaCross)
    cerebro.broker.setcash(INITIAL_CASH)
    cerebro.broker.setcommission(commission=0.0)
    cerebro.broker.set_coc(fill_at == SAME_CLOSE)
    started = time.perf_counter()
    strategy = cerebro.run()[0]
    engine_s = time.perf_counter() - started
    return {
        "engine": "backtrader",
        "version": bt.__version__,
        "fill_at": fill_at,
        "bars": len(frame),
        "fills": strategy.fills,
        "final_equity": round(cerebro.broker.getvalue(), 2),
        "engine_s": engine_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--fill-at", choices=(NEXT_OPEN, SAME_CLOSE), default=NEXT_OPEN)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    args.result.write_text(json.dumps(run(args.csv, args.fill_at)))


if __name__ == "__main__":
    main()
