"""The deepest fall of equity from its running peak, and whether it was recovered."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from logos.core.guards import drawdown_bps


class Drawdown(NamedTuple):
    depth: Decimal  # peak − trough equity, exact money; 0 when equity never fell
    bps: Decimal  # (peak − trough) / peak in basis points to 0.01, as account.csv and the guard measure it
    peak: Decimal
    trough: Decimal
    start: str | None  # time of the row that set the peak; None: the initial cash was the peak
    trough_at: str | None
    recovered_at: str | None  # first row after the trough back at or above the peak


class DrawdownTracker:
    """The deepest fall so far, as a share of its peak, over rows given one at a time; the
    peak runs from ``initial``. Of equal shares the first is kept. Shares are compared
    cross-multiplied, so exactly."""

    __slots__ = ("initial", "peak", "peak_at", "fall", "fall_peak", "start", "trough_at", "recovered_at", "last")

    def __init__(self, initial: Decimal) -> None:
        self.initial = self.peak = self.fall_peak = initial
        self.peak_at: str | None = None
        self.fall = Decimal(0)
        self.start: str | None = None
        self.trough_at: str | None = None
        self.recovered_at: str | None = None
        self.last: Decimal | None = None

    def add(self, ts: str, value: Decimal) -> None:
        if value is self.last:
            return  # the row repeats the one before: no new peak, no deeper fall, no recovery
        self.last = value
        if value > self.peak:
            self.peak, self.peak_at = value, ts
        elif (self.peak - value) * self.fall_peak > self.fall * self.peak:
            self.fall, self.fall_peak, self.start, self.trough_at = self.peak - value, self.peak, self.peak_at, ts
            self.recovered_at = None
            return
        if self.recovered_at is None and self.trough_at is not None and value >= self.fall_peak:
            self.recovered_at = ts  # the first row after the deepest trough back at its peak

    def result(self) -> Drawdown:
        if self.trough_at is None:
            initial = self.initial
            return Drawdown(Decimal(0), drawdown_bps(initial, initial), initial, initial, None, None, None)
        trough = self.fall_peak - self.fall
        return Drawdown(self.fall, drawdown_bps(trough, self.fall_peak), self.fall_peak, trough, self.start, self.trough_at, self.recovered_at)
