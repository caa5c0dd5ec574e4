"""Round trips from the fills: a position opened from flat until it is flat (or reversed) again.

A trip's PnL is the sum of the ``realized_pnl`` of its fills, so net of every fee paid on
the way (the opening fill's fee included). A fill that reverses a position closes one trip
and opens the next; its whole realized PnL and fee count to the trip it closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from logos.feeds.csv_format import parse_ts
from logos.stats.records import Fill

ZERO = Decimal(0)


class Trips(NamedTuple):
    """What one symbol's fills add up to."""

    pnls: list[Decimal]  # each closed trip's PnL, in the order they closed
    holding: list[tuple[int, int | None]]  # (opened, closed) epoch seconds; None: still open at the end
    fills: int
    traded_notional: Decimal  # Σ price × qty
    fees: Decimal


def _sign(qty: Decimal) -> int:
    return (qty > 0) - (qty < 0)


def round_trips(fills: Iterable[Fill]) -> Trips:
    """Walk one symbol's fills, in order, into its round trips and holding periods."""
    position = running = notional = fees = ZERO
    pnls: list[Decimal] = []
    holding: list[tuple[int, int | None]] = []
    opened = 0
    count = 0
    for fill in fills:
        count += 1
        notional += fill.price * fill.qty
        fees += fill.fee
        running += fill.realized
        after = position + (fill.qty if fill.side == "buy" else -fill.qty)
        at = _epoch(fill.ts)
        if position and _sign(after) != _sign(position):
            pnls.append(running)
            holding.append((opened, at))
            running = ZERO
        if after and _sign(after) != _sign(position):
            opened = at
        position = after
    if position:
        holding.append((opened, None))
    return Trips(pnls, holding, count, notional, fees)


def _epoch(ts: str) -> int:
    seconds = parse_ts(ts)
    if seconds is None:
        raise ValueError(f"trades.csv: {ts!r} is not a YYYY-MM-DDTHH:MM:SSZ time")
    return seconds


def time_held(holding: Iterable[tuple[int, int | None]], start: int, end: int) -> int:
    """Return the seconds within [start, end] covered by the holding periods (their union)."""
    covered, reach = 0, start
    for opened, closed in sorted((max(o, start), end if c is None else min(c, end)) for o, c in holding):
        if closed > reach and opened < end:
            covered += closed - max(opened, reach)
            reach = closed
    return covered
