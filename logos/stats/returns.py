"""Sharpe and Sortino ratios of the per-bar returns of equity.

A period is one bar time (see ``EquityCurve``), the first measured from the initial cash.
The risk-free rate is taken as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

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


def ratios(n: int, total: Decimal, squares: Decimal, down: Decimal, per_year: int) -> Returns:
    """Return the per-bar return statistics from n, Σr, Σr² and Σmin(r, 0)² of the periods."""
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
