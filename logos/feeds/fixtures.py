"""Generate the bundled minute-bar fixtures in ``logos/data/cache`` from a fixed seed.

Run ``python -m logos.feeds.fixtures [--out DIR] [--seed N]``. The output is byte-for-byte the
same on any machine: prices move in whole ticks drawn with ``random.Random(seed)``
(``randrange`` only), with no float maths and no libm, and are turned into decimals at the end.

Bundles: AAPL, MSFT, SPY (5 regular sessions), BTC/USDT, ETH/USDT (3 days around the clock),
EUR/USD (Sunday 22:00Z to Friday 21:59Z). Scenarios, one session on 2025-10-13: UPTREND,
DOWNTREND, RANGEBOUND, GAPDOWN, STALLED, TORNTAIL (see ``docs/DATA-FORMAT.md``).
"""

from __future__ import annotations

import argparse
import random
import tomllib
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from logos.atomic import write_atomic
from logos.feeds.csv_format import HEADER, day_start, format_row
from logos.paths import DEFAULT_SEED, bundled_data_dir, cache_file

FIXTURE_SEED = DEFAULT_SEED
MINUTE = 60
DAY = 86400
EQUITY_DAYS = ("2025-10-13", "2025-10-14", "2025-10-15", "2025-10-16", "2025-10-17")
SCENARIO_DAY = "2025-10-13"
SESSION_OPEN = 13 * 3600 + 30 * MINUTE  # 13:30Z, the US regular session in October (EDT)
SESSION_BARS = 390  # 13:30Z .. 19:59Z


class Bar(NamedTuple):
    """One bar in whole ticks (prices) and whole qty steps (volume)."""

    ts: int
    open: int
    high: int
    low: int
    close: int
    volume: int


class Walk:
    """A random walk in ticks: each bar opens at the previous close unless told otherwise."""

    def __init__(self, rng: random.Random, price: int) -> None:
        self.rng = rng
        self.price = price

    def bar(self, ts: int, sigma: int, drift: int, volume: int, target: int | None = None) -> Bar:
        """Return the next bar; ``target`` pulls the close to a level instead of drifting."""
        rng = self.rng
        open_ = self.price
        # The sum of three uniform draws is bell-shaped with a standard deviation of ``sigma``.
        noise = sum(rng.randrange(-sigma, sigma + 1) for _ in range(3))
        anchor = open_ + drift if target is None else target
        close = max(1, anchor + noise)
        high = max(open_, close) + rng.randrange(sigma + 1)
        low = max(1, min(open_, close) - rng.randrange(sigma + 1))
        self.price = close
        return Bar(ts, open_, high, low, close, volume)

    def gap(self, percent: int) -> None:
        """Move the next open by ``percent`` of the price (negative: down)."""
        self.price = max(1, self.price + self.price * percent // 100)

    def jitter(self, ticks: int) -> None:
        """Move the next open by up to ``ticks`` either way (an overnight gap)."""
        self.price = max(1, self.price + self.rng.randrange(-ticks, ticks + 1))


def u_shape(minute: int, bars: int = SESSION_BARS) -> int:
    """Return a percentage: 200 at the open and the close, 60 at midday."""
    span = bars - 1
    return 60 + 140 * (2 * minute - span) ** 2 // span**2


def crypto_shape(ts: int) -> int:
    # Crypto trades around the clock but is busiest while the US market is open.
    return 130 if 13 <= ts % DAY // 3600 < 21 else 80


def forex_shape(ts: int) -> int:
    # EUR/USD is busiest while London and New York are both open.
    return 140 if 7 <= ts % DAY // 3600 < 17 else 70


def noisy_volume(rng: random.Random, base: int, shape: int) -> int:
    """Return ``base`` scaled by ``shape`` percent and a random 70.00-130.00 percent."""
    return max(1, base * shape * rng.randrange(7000, 13001) // 1_000_000)


def sigma_at(base: int, shape: int) -> int:
    return max(1, base * shape // 100)


# --- bundles ------------------------------------------------------------------------------


def equity_bars(rng: random.Random, price: int, sigma: int, volume: int) -> Iterator[Bar]:
    walk = Walk(rng, price)
    for index, day in enumerate(EQUITY_DAYS):
        if index:
            walk.jitter(walk.price * 5 // 1000)  # overnight gap of up to 0.5%
        first = day_start(day) + SESSION_OPEN
        for minute in range(SESSION_BARS):
            shape = u_shape(minute)
            yield walk.bar(first + minute * MINUTE, sigma_at(sigma, shape), 0, noisy_volume(rng, volume, shape))


def around_the_clock_bars(
    rng: random.Random, first: int, count: int, price: int, sigma: int, volume: int, shape: Callable[[int], int]
) -> Iterator[Bar]:
    walk = Walk(rng, price)
    for minute in range(count):
        ts = first + minute * MINUTE
        level = shape(ts)
        yield walk.bar(ts, sigma_at(sigma, level), 0, noisy_volume(rng, volume, level))


# --- scenarios (one session; prices start at 100.00, i.e. 10000 ticks) ----------------------

SCENARIO_PRICE = 10000
SCENARIO_SIGMA = 4
SCENARIO_VOLUME = 30000  # shares a bar at midday x 0.6-2.0: 10,000 notional fills in one bar at 25%


def session_bars(
    rng: random.Random, bars: int, drift: Callable[[int], int], target: Callable[[int], int | None] = lambda _: None
) -> Iterator[Bar]:
    walk = Walk(rng, target(0) or SCENARIO_PRICE)
    first = day_start(SCENARIO_DAY) + SESSION_OPEN
    for minute in range(bars):
        shape = u_shape(minute)
        volume = noisy_volume(rng, SCENARIO_VOLUME, shape)
        yield walk.bar(first + minute * MINUTE, SCENARIO_SIGMA, drift(minute), volume, target(minute))


def gapdown_bars(rng: random.Random) -> Iterator[Bar]:
    # Rises until 16:00Z, then one bar opens 15% lower and the price stays down.
    walk = Walk(rng, SCENARIO_PRICE)
    first = day_start(SCENARIO_DAY) + SESSION_OPEN
    gap_minute = 150
    for minute in range(SESSION_BARS):
        if minute == gap_minute:
            walk.gap(-15)
        volume = noisy_volume(rng, SCENARIO_VOLUME, u_shape(minute))
        drift = 2 if minute < gap_minute else 0
        yield walk.bar(first + minute * MINUTE, SCENARIO_SIGMA, drift, volume)


def triangle(minute: int, period: int = 60, amplitude: int = 150) -> int:
    """Return a level oscillating between -amplitude and +amplitude ticks, linearly."""
    phase = minute % period
    half = period // 2
    rise = phase if phase < half else period - phase
    return SCENARIO_PRICE - amplitude + rise * 2 * amplitude // half


# --- assembly ----------------------------------------------------------------------------


class Fixture(NamedTuple):
    symbol: str
    bars: Callable[[random.Random], Iterator[Bar]]
    torn: bool = False  # cut the last row mid-line, with no trailing newline


def _equity(price: int, sigma: int, volume: int) -> Callable[[random.Random], Iterator[Bar]]:
    return lambda rng: equity_bars(rng, price, sigma, volume)


CRYPTO_START = day_start("2025-10-13")
FOREX_START = day_start("2025-10-12") + 22 * 3600  # Sunday 22:00Z, when the week opens

FIXTURES = (
    Fixture("AAPL", _equity(24766, 10, 90000)),
    Fixture("MSFT", _equity(51357, 20, 45000)),
    Fixture("SPY", _equity(66304, 15, 150000)),
    # BTC: cents and 0.00001 BTC steps; ETH: cents and 0.0001 ETH steps.
    Fixture("BTC/USDT", lambda rng: around_the_clock_bars(rng, CRYPTO_START, 3 * 1440, 11520000, 7000, 800000, crypto_shape)),
    Fixture("ETH/USDT", lambda rng: around_the_clock_bars(rng, CRYPTO_START, 3 * 1440, 415000, 330, 2000000, crypto_shape)),
    Fixture("EUR/USD", lambda rng: around_the_clock_bars(rng, FOREX_START, 5 * 1440, 116250, 3, 2000000, forex_shape)),
    Fixture("UPTREND", lambda rng: session_bars(rng, SESSION_BARS, lambda _: 3)),
    Fixture("DOWNTREND", lambda rng: session_bars(rng, SESSION_BARS, lambda _: -3)),
    Fixture("RANGEBOUND", lambda rng: session_bars(rng, SESSION_BARS, lambda _: 0, triangle)),
    Fixture("GAPDOWN", gapdown_bars),
    Fixture("STALLED", lambda rng: session_bars(rng, 90, lambda _: 0)),  # last bar 14:59Z, closes 15:00Z
    Fixture("TORNTAIL", lambda rng: session_bars(rng, SESSION_BARS, lambda _: 0), torn=True),
)


class _Steps(NamedTuple):
    asset_class: str
    price_tick: Decimal
    qty_step: Decimal


def _load_steps(symbols_toml: Path) -> dict[str, _Steps]:
    with symbols_toml.open("rb") as handle:
        table = tomllib.load(handle)["symbols"]
    return {
        symbol: _Steps(spec["asset_class"], Decimal(spec["price_tick"]), Decimal(spec["qty_step"]))
        for symbol, spec in table.items()
    }


def render(fixture: Fixture, steps: _Steps, seed: int) -> str:
    """Return the CSV text of one fixture."""
    rng = random.Random(seed ^ zlib.crc32(fixture.symbol.encode()))
    tick, step = steps.price_tick, steps.qty_step
    lines = [HEADER]
    for bar in fixture.bars(rng):
        lines.append(
            format_row(bar.ts, bar.open * tick, bar.high * tick, bar.low * tick, bar.close * tick, bar.volume * step)
        )
    if fixture.torn:
        lines[-1] = lines[-1][: len(lines[-1]) // 2]
    return "".join(lines)


def generate(out: Path, seed: int = FIXTURE_SEED, symbols_toml: Path | None = None) -> list[Path]:
    """Write every fixture under ``out`` and return the paths written."""
    steps = _load_steps(symbols_toml or bundled_data_dir() / "symbols.toml")
    written = []
    for fixture in FIXTURES:
        spec = steps[fixture.symbol]
        path = cache_file(out, spec.asset_class, fixture.symbol)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, render(fixture, spec, seed).encode("ascii"))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m logos.feeds.fixtures", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=bundled_data_dir() / "cache", help="cache folder to write")
    parser.add_argument("--seed", type=int, default=FIXTURE_SEED, help="fixture seed (the committed files use the default)")
    args = parser.parse_args(argv)
    written = generate(args.out, args.seed)
    print(f"wrote {len(written)} fixture files under {args.out}")


if __name__ == "__main__":
    main()
