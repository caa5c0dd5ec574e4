"""Sharpe and Sortino ratios of the per-bar returns of equity.

A period is one bar time: the equity of the last ``account.csv`` row of each close time
(several symbols share one), the first period measured from the initial cash. The risk-free
rate is taken as zero.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Iterable, NamedTuple, Sequence

from logos.core.money import BPS
from logos.stats.rounding import WORKING, rounded

SECONDS_PER_DAY = 86400
# Market hours a year, by asset class: a period is one bar of the session's interval.
TRADING_SECONDS_PER_YEAR = {
    "crypto": 365 * SECONDS_PER_DAY,  # around the clock, every day
    "forex": 260 * SECONDS_PER_DAY,  # around the clock, five days a week
    "equity": 252 * 23400,  # 252 sessions of 6.5 hours
}


class Returns(NamedTuple):
    periods: int
    periods_per_year: int
    mean_bps: Decimal | None  # mean per-period return, in basis points
    stdev_bps: Decimal | None  # its sample standard deviation (n − 1), in basis points
    downside_bps: Decimal | None  # sqrt(Σ min(r, 0)² / n), in basis points
    sharpe: Decimal | None  # mean / stdev × sqrt(periods_per_year)
    sortino: Decimal | None  # mean / downside × sqrt(periods_per_year)


def periods_per_year(asset_classes: Iterable[str], interval_s: int) -> int:
    """Return the bars a year for the session's symbols: those of the longest market hours
    among them, since the session has a period whenever any of its symbols has a bar."""
    seconds = max(TRADING_SECONDS_PER_YEAR[cls] for cls in asset_classes)
    return seconds // interval_s


def period_equity(times: Sequence[str], equity: Sequence[Decimal]) -> list[Decimal]:
    """Return the equity of the last row of each run of rows with the same time."""
    last = len(times) - 1
    return [value for index, value in enumerate(equity) if index == last or times[index + 1] != times[index]]


def bar_returns(initial: Decimal, closes: Sequence[Decimal]) -> tuple[int, Decimal, Decimal, Decimal]:
    """Return n, Σr, Σr² and Σmin(r, 0)² for r = E_t / E_(t−1) − 1 over ``closes``."""
    total = squares = down = Decimal(0)
    previous = initial
    with localcontext(WORKING):
        for value in closes:
            if value is not previous and value != previous:  # most bars of a flat book change nothing: r = 0
                r = (value - previous) / previous
                total += r
                square = r * r
                squares += square
                if r < 0:
                    down += square
                previous = value
    return len(closes), total, squares, down


def sharpe_sortino(initial: Decimal, closes: Sequence[Decimal], per_year: int) -> Returns:
    """Return the per-bar return statistics of ``closes`` (period equities) from ``initial``."""
    n, total, squares, down = bar_returns(initial, closes)
    if n < 2:
        return Returns(n, per_year, None, None, None, None, None)
    mean = WORKING.divide(total, n)
    variance = WORKING.divide(WORKING.subtract(squares, WORKING.multiply(total, mean)), n - 1)
    stdev = WORKING.sqrt(max(variance, Decimal(0)))
    downside = WORKING.sqrt(WORKING.divide(down, n))
    annual_mean = WORKING.multiply(mean, WORKING.sqrt(Decimal(per_year)))
    return Returns(
        n,
        per_year,
        rounded(WORKING.multiply(mean, BPS)),
        rounded(WORKING.multiply(stdev, BPS)),
        rounded(WORKING.multiply(downside, BPS)),
        rounded(WORKING.divide(annual_mean, stdev)) if stdev else None,
        rounded(WORKING.divide(annual_mean, downside)) if downside else None,
    )
