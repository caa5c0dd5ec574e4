"""The deepest fall of equity from its running peak, and whether it was recovered."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple, Sequence

from logos.core.guards import drawdown_bps


class Drawdown(NamedTuple):
    depth: Decimal  # peak − trough equity, exact money; 0 when equity never fell
    bps: Decimal  # (peak − trough) / peak in basis points to 0.01, as account.csv and the guard measure it
    peak: Decimal
    trough: Decimal
    start: str | None  # time of the row that set the peak; None: the initial cash was the peak
    trough_at: str | None
    recovered_at: str | None  # first row after the trough back at or above the peak


def max_drawdown(times: Sequence[str], equity: Sequence[Decimal], initial: Decimal) -> Drawdown:
    """Return the deepest fall, as a share of its peak, over the rows; the peak runs from ``initial``.

    Of equal shares the first is kept. Shares are compared cross-multiplied, so exactly.
    """
    peak, peak_at = initial, None
    worst_fall, worst_peak, worst_at = Decimal(0), initial, -1
    worst_start: str | None = None
    last = None
    for index, value in enumerate(equity):
        if value is last:
            continue  # the row repeats the one before: no new peak, no deeper fall
        last = value
        if value > peak:
            peak, peak_at = value, times[index]
        elif (peak - value) * worst_peak > worst_fall * peak:
            worst_fall, worst_peak, worst_at, worst_start = peak - value, peak, index, peak_at
    if worst_at < 0:
        return Drawdown(Decimal(0), drawdown_bps(initial, initial), initial, initial, None, None, None)
    recovered = next((times[i] for i in range(worst_at + 1, len(equity)) if equity[i] >= worst_peak), None)
    trough = worst_peak - worst_fall
    return Drawdown(worst_fall, drawdown_bps(trough, worst_peak), worst_peak, trough, worst_start, times[worst_at], recovered)
