"""Seeded synthetic minute-bar series, written as a Logos home (cache CSVs + symbols.toml).

Prices are an integer-tick random walk drawn from ``random.Random(seed)``, so the series
is the same on every machine and every Python; the first ``n`` bars of a longer series
equal the ``n``-bar series. The symbols trade 24/7 (crypto), so bars have no gaps and
the stale-data guard has nothing to say. Each bar opens a few ticks away from the
previous close, so "fill at the next open" and "fill at this close" give different prices.

A home of N symbols holds one walk per symbol, each from its own seed (``series_seed``),
all on the same minute grid from ``START``. With one symbol it is ``SYN/USD`` from the
seed itself; with more, the first of them has that same series.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from benchmarks import ASSET_CLASS, FAST, SEED, SLOW, SYMBOL

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
START_TICKS = 100_000  # 1000.00 at a 0.01 tick
FLOOR_TICKS = 10_000  # the walk reflects off 100.00, so prices stay positive and similar
HEADER = "timestamp,open,high,low,close,volume\n"
# Symbol i's walk is seeded with seed + i * SEED_STRIDE: symbol 0 keeps the seed itself,
# and a stride this large keeps nearby --seed values from sharing a walk.
SEED_STRIDE = 1_000_003
SYMBOLS_HEAD = "# Written by benchmarks/synthetic.py: fictitious 24/7 symbols for the benchmark.\n"
SYMBOL_ENTRY = """[symbols."{symbol}"]
asset_class = "{asset_class}"
price_tick = "0.01"
qty_step = "1"
lot_size = "1"
min_notional = "0.01"
max_order_notional = "1000000000"
cash_step = "0.01"
"""


class Bar(NamedTuple):
    minute: int  # minutes since START: the bar opens then and closes a minute later
    open: int  # prices in ticks of 0.01
    high: int
    low: int
    close: int
    volume: int


def bars(n: int, seed: int = SEED) -> Iterator[Bar]:
    """Yield ``n`` bars of the walk; the same seed always yields the same bars."""
    rng = random.Random(seed)
    randint = rng.randint
    close = START_TICKS
    for minute in range(n):
        open_ = close + randint(-2, 2)
        step = randint(-20, 20)
        if open_ + step < FLOOR_TICKS:
            step = -step
        close = open_ + step
        high = max(open_, close) + randint(0, 10)
        low = min(open_, close) - randint(0, 10)
        yield Bar(minute, open_, high, low, close, randint(100, 10_000))


def symbol_names(count: int) -> list[str]:
    """Return the workload's ``count`` symbols: ``SYN/USD`` alone, else ``SYN0/USD`` ... in sorted order."""
    if count == 1:
        return [SYMBOL]
    width = len(str(count - 1))
    base, quote = SYMBOL.split("/")
    return [f"{base}{index:0{width}d}/{quote}" for index in range(count)]


def series_seed(seed: int, index: int) -> int:
    """Return the seed of symbol ``index``'s walk; symbol 0's is ``seed``."""
    return seed + index * SEED_STRIDE


def price_text(ticks: int) -> str:
    return f"{ticks // 100}.{ticks % 100:02d}"


def write_csv(path: Path, n: int, seed: int = SEED) -> None:
    """Write ``n`` bars in the cache format: ``timestamp,open,high,low,close,volume``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="ascii", newline="\n") as handle:
        handle.write(HEADER)
        day_text, day_index, lines = "", -1, []
        for bar in bars(n, seed):
            day, minute_of_day = divmod(bar.minute, 1440)
            if day != day_index:
                day_index, day_text = day, (START + timedelta(days=day)).strftime("%Y-%m-%d")
            hh, mm = divmod(minute_of_day, 60)
            lines.append(
                f"{day_text}T{hh:02d}:{mm:02d}:00Z,{price_text(bar.open)},{price_text(bar.high)},"
                f"{price_text(bar.low)},{price_text(bar.close)},{bar.volume}\n"
            )
            if len(lines) >= 50_000:
                handle.write("".join(lines))
                lines.clear()
        handle.write("".join(lines))


def cache_csv(home: Path, symbol: str = SYMBOL) -> Path:
    """Return where Logos looks for ``symbol``'s minute bars under ``home``."""
    from logos.paths import cache_file

    return cache_file(home / "data" / "cache", ASSET_CLASS, symbol)


def make_home(home: Path, n: int, seed: int = SEED, symbols: int = 1) -> dict[str, Path]:
    """Create a Logos home holding ``n`` bars split evenly over ``symbols`` walks; return symbol -> CSV."""
    names = symbol_names(symbols)
    (home / "data").mkdir(parents=True, exist_ok=True)
    entries = "\n".join(SYMBOL_ENTRY.format(symbol=name, asset_class=ASSET_CLASS) for name in names)
    (home / "data" / "symbols.toml").write_text(SYMBOLS_HEAD + entries, encoding="ascii")
    series = {name: cache_csv(home, name) for name in names}
    for index, csv in enumerate(series.values()):
        write_csv(csv, n // symbols, series_seed(seed, index))
    return series


def write_series(path: Path, series: dict[str, Path]) -> None:
    """Write the symbol -> CSV map a peer reads its bars from (``read_series``)."""
    path.write_text(json.dumps({symbol: str(csv) for symbol, csv in series.items()}), encoding="utf-8")


def read_series(path: Path) -> dict[str, Path]:
    """Read a map written by ``write_series``, in its symbols' order."""
    return {symbol: Path(csv) for symbol, csv in json.loads(path.read_text(encoding="utf-8")).items()}


def share_home(source: Path, target: Path) -> None:
    """Make ``target`` a second home over the same data (symlinked cache, copied metadata)."""
    (target / "data").mkdir(parents=True, exist_ok=True)
    (target / "data" / "cache").symlink_to(source / "data" / "cache", target_is_directory=True)
    shutil.copyfile(source / "data" / "symbols.toml", target / "data" / "symbols.toml")


def tie_bars(n: int, seed: int = SEED, symbols: int = 1) -> int:
    """Count bars (after warm-up) where the fast and slow averages are exactly equal.

    On such a bar the workload keeps its current target; the peers' float averages need
    ``TIE_EPSILON`` to see the tie, so the count says how much that rule matters here.
    ``n`` bars are split over ``symbols`` walks, as ``make_home`` writes them.
    """
    return sum(_series_ties(n // symbols, series_seed(seed, index)) for index in range(symbols))


def _series_ties(n: int, seed: int) -> int:
    closes: list[int] = []
    ties = 0
    for bar in bars(n, seed):
        closes.append(bar.close)
        if len(closes) > SLOW:
            del closes[0]
        if len(closes) == SLOW and sum(closes[-FAST:]) * SLOW == sum(closes) * FAST:
            ties += 1
    return ties
