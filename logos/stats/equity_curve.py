"""account.csv's equity column folded row by row, so the statistics never hold the column.

A running session feeds its rows as it writes them and a finished session's file is read
through the same fold: one definition of the drawdown and the returns, kept in constant
memory however long the session.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

from logos.stats.drawdown import Drawdown, DrawdownTracker
from logos.stats.records import RecordsError, account_columns
from logos.stats.returns import Returns, ReturnSums


class EquityCurve:
    """The rows' count and time span, their deepest drawdown and their per-bar returns.

    A period is one bar time: the equity of the last row of each close time (several
    symbols share one), so a row is committed to the returns once a later time arrives.
    """

    __slots__ = ("rows", "first_ts", "last_ts", "_fall", "_sums", "_pending", "_last_text", "_last")

    def __init__(self, initial: Decimal) -> None:
        self.rows = 0
        self.first_ts: str | None = None
        self.last_ts: str | None = None
        self._fall = DrawdownTracker(initial)
        self._sums = ReturnSums(initial)
        self._pending: Decimal | None = None
        self._last_text: str | None = None
        self._last = initial

    def add(self, ts: str, equity: Decimal) -> None:
        """Fold one row, in file order."""
        if ts != self.last_ts:
            if self._pending is not None:
                self._sums.add(self._pending)
            if self.first_ts is None:
                self.first_ts = ts
            self.last_ts = ts
        self._pending = equity
        self.rows += 1
        self._fall.add(ts, equity)

    def add_text(self, ts: str, equity: str) -> None:
        """Fold one row whose equity is its CSV text. Equity often repeats row after row (a
        flat book): a repeated text is parsed once and shares one ``Decimal``, which the
        drawdown and the returns then skip by identity."""
        if equity != self._last_text:
            self._last, self._last_text = Decimal(equity), equity
        self.add(ts, self._last)

    def drawdown(self) -> Drawdown:
        return self._fall.result()

    def returns(self, per_year: int) -> Returns:
        sums = self._sums
        if self._pending is not None:
            sums = copy.copy(sums)  # the last period is complete only at the end: fold a copy
            sums.add(self._pending)
        return sums.ratios(per_year)


def fold_account(path: Path, curve: EquityCurve) -> EquityCurve:
    """Fold every row of the ``account.csv`` at ``path`` into ``curve``, a line at a time."""
    try:
        handle = path.open(newline="")
    except FileNotFoundError:
        raise RecordsError(f"no {path.name} in {path.parent}") from None
    with handle:
        at_time, at_equity = account_columns(path, handle.readline(), ("ts", "equity"))
        cut = max(at_time, at_equity) + 1
        add = curve.add_text
        for line in handle:
            if line.strip():
                cells = line.rstrip("\r\n").split(",", cut)  # account.csv never quotes a field
                add(cells[at_time], cells[at_equity])
    return curve


def curve_of(times: list[str], equity: list[Decimal], initial: Decimal) -> EquityCurve:
    """Fold the rows ``zip(times, equity)``."""
    curve = EquityCurve(initial)
    for ts, value in zip(times, equity):
        curve.add(ts, value)
    return curve
