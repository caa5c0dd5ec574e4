"""account.csv's equity column folded row by row, so the statistics never hold the column.

A running session feeds its rows as it writes them and a finished session's file is read
through the same fold: one definition of the drawdown and the returns, kept in constant
memory however long the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, localcontext
from pathlib import Path

from logos.core.guards import drawdown_bps
from logos.stats.drawdown import Drawdown
from logos.stats.records import RecordsError, account_columns
from logos.stats.returns import Returns, ratios
from logos.stats.rounding import WORKING

_ZERO = Decimal(0)


class EquityCurve:
    """The rows' count and time span, their deepest drawdown and their per-bar returns.

    Drawdown: the deepest fall from the running peak (which starts at the initial cash) as a
    share of that peak; of equal shares the first is kept; shares are compared
    cross-multiplied, so exactly. The recovery is the first row after the trough back at or
    above its peak.

    Returns: a period is one bar time, the equity of the last row of each close time
    (several symbols share one), so a row is committed once a later time arrives;
    r = E_t / E_(t−1) − 1, the first from the initial cash; the fold keeps n, Σr, Σr² and
    Σmin(r, 0)².
    """

    __slots__ = (
        "initial",
        "rows",
        "first_ts",
        "last_ts",
        "_text",
        "_value",
        "_peak",
        "_peak_at",
        "_low",
        "_fall",
        "_fall_peak",
        "_start",
        "_trough_at",
        "_recovered_at",
        "_previous",
        "_n",
        "_total",
        "_squares",
        "_down",
    )

    def __init__(self, initial: Decimal) -> None:
        self.initial = initial
        self.rows = 0
        self.first_ts: str | None = None
        self.last_ts: str | None = None
        self._text: str | None = None
        self._value = initial  # the last row's equity
        self._peak = initial
        self._peak_at: str | None = None
        self._low = initial  # the lowest equity since the peak: only a new low can be a deeper fall
        self._fall, self._fall_peak = _ZERO, initial
        self._start: str | None = None
        self._trough_at: str | None = None
        self._recovered_at: str | None = None
        self._previous, self._n = initial, 0
        self._total = self._squares = self._down = _ZERO

    def add_rows(self, rows: Iterable[tuple[str, str]]) -> None:
        """Fold ``(ts, equity text)`` rows, in file order.

        Equity often repeats row after row (a flat book): a repeated text is parsed once and
        changes nothing (no new peak, no deeper fall, no return), so it costs a comparison.
        """
        last_ts, text_before, value = self.last_ts, self._text, self._value
        peak, peak_at, low, fall, fall_peak = self._peak, self._peak_at, self._low, self._fall, self._fall_peak
        start, trough_at, recovered_at = self._start, self._trough_at, self._recovered_at
        previous, n, total, squares, down = self._previous, self._n, self._total, self._squares, self._down
        count = 0
        # The returns are carried at WORKING's precision. Its operators, not its methods:
        # an operator skips the argument parsing of a method call, most of an add's cost.
        with localcontext(WORKING):
            for count, (ts, text) in enumerate(rows, 1):  # noqa: B007 (the count is read after the loop)
                if ts != last_ts:
                    if last_ts is None:
                        self.first_ts = ts
                    else:
                        # The period before is complete: its equity is the last row's.
                        n += 1
                        if value != previous:
                            r = (value - previous) / previous
                            total += r
                            square = r * r
                            squares += square
                            if r < 0:
                                down += square
                            previous = value
                    last_ts = ts
                if text == text_before:
                    continue  # the same equity as the row before
                value, text_before = Decimal(text), text
                if value > peak:
                    peak, peak_at, low = value, ts, value
                elif value < low:
                    # The fall from this peak is deepest at its lowest equity, and the deepest
                    # fall on record only grows, so a value at or above the low since the peak
                    # can never set it: only a new low is compared, cross-multiplied (exact:
                    # money has far fewer digits than the precision).
                    low = value
                    if (peak - value) * fall_peak > fall * peak:
                        fall, fall_peak, start, trough_at, recovered_at = peak - value, peak, peak_at, ts, None
                        continue
                if recovered_at is None and trough_at is not None and value >= fall_peak:
                    recovered_at = ts
        self.rows += count
        self.last_ts, self._text, self._value = last_ts, text_before, value
        self._peak, self._peak_at, self._low, self._fall, self._fall_peak = peak, peak_at, low, fall, fall_peak
        self._start, self._trough_at, self._recovered_at = start, trough_at, recovered_at
        self._previous, self._n, self._total, self._squares, self._down = previous, n, total, squares, down

    def drawdown(self) -> Drawdown:
        if self._trough_at is None:
            initial = self.initial
            return Drawdown(_ZERO, drawdown_bps(initial, initial), initial, initial, None, None, None)
        trough = self._fall_peak - self._fall
        return Drawdown(self._fall, drawdown_bps(trough, self._fall_peak), self._fall_peak, trough, self._start, self._trough_at, self._recovered_at)

    def returns(self, per_year: int) -> Returns:
        """The per-bar return statistics, the last period (complete at the end) included."""
        text = self._text
        if self.last_ts is None or text is None:  # no row yet (both are set by the first)
            return ratios(0, _ZERO, _ZERO, _ZERO, per_year)
        end = EquityCurve(self.initial)
        for name in self.__slots__:
            setattr(end, name, getattr(self, name))
        end.add_rows((("", text),))  # a later time commits the last period; its row changes nothing else
        return ratios(end._n, end._total, end._squares, end._down, per_year)


def fold_account(path: Path, curve: EquityCurve) -> EquityCurve:
    """Fold every row of the ``account.csv`` at ``path`` into ``curve``, a line at a time."""
    try:
        handle = path.open(newline="")
    except FileNotFoundError:
        raise RecordsError(f"no {path.name} in {path.parent}") from None
    with handle:
        at_time, at_equity = account_columns(path, handle.readline(), ("ts", "equity"))
        cut = max(at_time, at_equity) + 1
        cells = (line.rstrip("\r\n").split(",", cut) for line in handle if line.strip())  # never a quoted field
        curve.add_rows((row[at_time], row[at_equity]) for row in cells)
    return curve


def curve_of(times: list[str], equity: list[Decimal], initial: Decimal) -> EquityCurve:
    """Fold the rows ``zip(times, equity)``."""
    curve = EquityCurve(initial)
    curve.add_rows((ts, str(value)) for ts, value in zip(times, equity))
    return curve
