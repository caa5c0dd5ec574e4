"""The workload in backtrader: Cerebro, one PandasData feed per symbol, the built-in broker, its SMA indicator.

Run as its own process by ``benchmarks.run`` (so its imports, memory and time are its own):
``python -m benchmarks.peers_backtrader SERIES --fill-at next_open|same_close --result FILE``,
where SERIES is the symbol -> CSV map ``benchmarks.synthetic.write_series`` wrote.

Fill conventions: by default backtrader fills a market order issued in ``next()`` at the
*next* bar's open (Logos ``--fill-at next_open``); with cheat-on-close
(``broker.set_coc(True)``) it fills at the close of the bar that issued it (Logos
``--fill-at same_close``). Either way the broker acts on an order at the start of the
next bar, so an order issued on the very last bar never fills: it is counted as left open.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from benchmarks import FAST, INITIAL_CASH, NEXT_OPEN, SAME_CLOSE, SLOW, sma_target
from benchmarks.synthetic import read_series


def run(series: dict[str, Path], fill_at: str) -> dict[str, object]:
    """Run the workload on every symbol's CSV; return bars, fills, orders left open, final equity, engine seconds."""
    import backtrader as bt
    import pandas as pd

    class SmaCross(bt.Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            self.fast = [bt.indicators.SimpleMovingAverage(data.close, period=FAST) for data in self.datas]
            self.slow = [bt.indicators.SimpleMovingAverage(data.close, period=SLOW) for data in self.datas]
            self.targets = [0] * len(self.datas)
            self.fills: Counter[str] = Counter()
            self.orders: list[bt.Order] = []

        def notify_order(self, order: bt.Order) -> None:
            if order.status == order.Completed:
                self.fills[order.data._name] += 1

        def next(self) -> None:
            for index, data in enumerate(self.datas):
                target = sma_target(self.fast[index][0] - self.slow[index][0])
                if target is not None and target != self.targets[index]:
                    self.targets[index] = target
                    self.orders.append(self.order_target_size(data=data, target=target))

    cerebro = bt.Cerebro(stdstats=False)  # no observers: the engine at its leanest
    lengths = []
    for symbol, csv in series.items():
        frame = pd.read_csv(csv, index_col="timestamp", parse_dates=["timestamp"])
        lengths.append(len(frame))
        cerebro.adddata(bt.feeds.PandasData(dataname=frame, openinterest=None, timeframe=bt.TimeFrame.Minutes), name=symbol)
    cerebro.addstrategy(SmaCross)
    cerebro.broker.setcash(INITIAL_CASH * len(series))
    cerebro.broker.setcommission(commission=0.0)
    cerebro.broker.set_coc(fill_at == SAME_CLOSE)
    started = time.perf_counter()
    # The vectorised pass (runonce, the default) indexes past the end of a series shorter
    # than the slow average; such a series goes bar by bar, where it simply never trades.
    strategy = cerebro.run(runonce=min(lengths) >= SLOW)[0]
    engine_s = time.perf_counter() - started
    # An order of the last bar is still queued at the broker, never even accepted.
    left_open = Counter(order.data._name for order in strategy.orders if order is not None and order.alive())
    return {
        "engine": "backtrader",
        "version": bt.__version__,
        "fill_at": fill_at,
        "bars": sum(lengths),
        "symbols": len(series),
        "fills": strategy.fills.total(),
        "fills_by_symbol": dict(strategy.fills),
        "open_by_symbol": dict(left_open),
        "final_equity": round(cerebro.broker.getvalue(), 2),
        "engine_s": engine_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", type=Path)
    parser.add_argument("--fill-at", choices=(NEXT_OPEN, SAME_CLOSE), default=NEXT_OPEN)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    args.result.write_text(json.dumps(run(read_series(args.series), args.fill_at)))


if __name__ == "__main__":
    main()
