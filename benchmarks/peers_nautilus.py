"""The workload in NautilusTrader: BacktestEngine, one USD-settled instrument per symbol, bars from its wrangler.

Run as its own process by ``benchmarks.run``:
``python -m benchmarks.peers_nautilus SERIES --result FILE``, where SERIES is the
symbol -> CSV map ``benchmarks.synthetic.write_series`` wrote.

Fill convention: the engine first lets the simulated exchange process a bar (its open,
high, low and close move the order book, in that order), then hands the bar to the
strategy, then processes the commands the strategy sent. A market order issued in
``on_bar`` therefore fills at once against a book that stands at that bar's *close*:
Logos ``--fill-at same_close``. There is no next-open mode for market orders on bars.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from benchmarks import FAST, INITIAL_CASH, SAME_CLOSE, SLOW, sma_target
from benchmarks.synthetic import read_series


def run(series: dict[str, Path]) -> dict[str, object]:
    """Run the workload on every symbol's CSV; return bars, fills, final equity and the engine's seconds."""
    import nautilus_trader
    import pandas as pd
    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig, RiskEngineConfig, StrategyConfig
    from nautilus_trader.indicators import SimpleMovingAverage
    from nautilus_trader.model.currencies import USD
    from nautilus_trader.model.data import Bar, BarType
    from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
    from nautilus_trader.model.events import OrderFilled
    from nautilus_trader.model.identifiers import InstrumentId, Symbol, Venue
    from nautilus_trader.model.instruments import Equity
    from nautilus_trader.model.objects import Money, Price, Quantity
    from nautilus_trader.persistence.wranglers import BarDataWrangler
    from nautilus_trader.trading.strategy import Strategy

    venue = Venue("SIM")

    # An Equity settles in USD alone. A CurrencyPair would give the cash account a balance
    # per base currency, and every fill's account state carries all of them, so a fill
    # would cost in proportion to the symbol count: a model cost, not the engine's.
    def listing(symbol: str) -> Equity:
        return Equity(
            instrument_id=InstrumentId(Symbol(symbol), venue),
            raw_symbol=Symbol(symbol),
            currency=USD,
            price_precision=2,
            price_increment=Price.from_str("0.01"),
            lot_size=Quantity.from_int(1),
            ts_event=0,
            ts_init=0,
            maker_fee=Decimal(0),
            taker_fee=Decimal(0),
        )

    instruments = [listing(symbol) for symbol in series]
    bar_types = [BarType.from_str(f"{instrument.id}-1-MINUTE-LAST-EXTERNAL") for instrument in instruments]

    class Book:
        """One symbol's indicators, target and last close."""

        def __init__(self, instrument: Equity) -> None:
            self.instrument = instrument
            self.fast = SimpleMovingAverage(FAST)
            self.slow = SimpleMovingAverage(SLOW)
            self.target = 0
            self.last_close = 0.0

    class SmaCross(Strategy):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(StrategyConfig(strategy_id="SmaCross-001"))
            self.books = {bar_type: Book(instrument) for bar_type, instrument in zip(bar_types, instruments, strict=True)}
            self.fills: Counter[str] = Counter()

        def on_start(self) -> None:
            for bar_type, book in self.books.items():
                self.register_indicator_for_bars(bar_type, book.fast)
                self.register_indicator_for_bars(bar_type, book.slow)
                self.subscribe_bars(bar_type)

        def on_order_filled(self, event: OrderFilled) -> None:
            self.fills[event.instrument_id.symbol.value] += 1

        def on_bar(self, bar: Bar) -> None:
            book = self.books[bar.bar_type]
            book.last_close = bar.close.as_double()
            if not book.slow.initialized:
                return
            target = sma_target(book.fast.value - book.slow.value)
            if target is None or target == book.target:
                return
            book.target = target
            instrument_id = book.instrument.id
            delta = target - int(self.portfolio.net_position(instrument_id))
            if delta:
                side = OrderSide.BUY if delta > 0 else OrderSide.SELL
                self.submit_order(self.order_factory.market(instrument_id, side, Quantity.from_int(abs(delta))))

    # The cache stamps a bar with its open; Nautilus stamps it when it closes.
    bars = []
    for csv, bar_type, instrument in zip(series.values(), bar_types, instruments, strict=True):
        frame = pd.read_csv(csv, index_col="timestamp", parse_dates=["timestamp"])
        frame.index = frame.index + pd.Timedelta(minutes=1)
        bars += BarDataWrangler(bar_type, instrument).process(frame)

    # The risk engine's default throttle (100 orders a second) would deny orders when many
    # symbols cross on one bar; like Logos's limits here, it is set out of reach.
    risk = RiskEngineConfig(max_order_submit_rate=f"{10 * len(series)}/00:00:01")
    engine = BacktestEngine(BacktestEngineConfig(logging=LoggingConfig(log_level="ERROR"), risk_engine=risk))
    engine.add_venue(
        venue=venue,
        oms_type=OmsType.NETTING,
        account_type=AccountType.CASH,
        starting_balances=[Money(INITIAL_CASH * len(series), USD)],
        base_currency=None,
    )
    for instrument in instruments:
        engine.add_instrument(instrument)
    engine.add_data(bars)  # one call: it sorts everything added so far
    strategy = SmaCross()
    engine.add_strategy(strategy)
    started = time.perf_counter()
    engine.run()
    engine_s = time.perf_counter() - started
    account = engine.portfolio.account(venue)
    equity = account.balance_total(USD).as_double()
    for book in strategy.books.values():
        equity += float(engine.portfolio.net_position(book.instrument.id)) * book.last_close
    result = {
        "engine": "nautilus_trader",
        "version": nautilus_trader.__version__,
        "fill_at": SAME_CLOSE,
        "bars": len(bars),
        "symbols": len(series),
        "fills": strategy.fills.total(),
        "fills_by_symbol": dict(strategy.fills),
        "open_by_symbol": {},
        "final_equity": round(equity, 2),
        "engine_s": engine_s,
    }
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", type=Path)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args()
    args.result.write_text(json.dumps(run(read_series(args.series))))


if __name__ == "__main__":
    main()
