"""The deepest fall of equity from its running peak, and whether it was recovered (``EquityCurve`` finds it)."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Drawdown(NamedTuple):
    depth: Decimal  # peak − trough equity, exact money; 0 when equity never fell
    bps: Decimal  # (peak − trough) / peak in basis points to 0.01, as account.csv and the guard measure it
    peak: Decimal
    trough: Decimal
    start: str | None  # time of the row that set the peak; None: the initial cash was the peak
    trough_at: str | None
    recovered_at: str | None  # first row after the trough back at or above the peak
