"""FIFO inventory and PnL: exact, and the two identities every test checks.

``cash + market value == equity`` and ``realized + unrealized == equity - initial cash``,
with realized PnL counted net of fees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Mapping

from logos.core.money import ZERO
from logos.core.state import Lot, Position


def apply_fill(position: Position, signed_qty: Decimal, price: Decimal, fee: Decimal) -> tuple[Position, Decimal]:
    """Return the position after a fill and the realized PnL it booked (net of ``fee``).

    The fill closes the oldest opposite lots first; whatever is left opens a new lot.
    """
    lots = list(position.lots)
    remaining = signed_qty
    realized = -fee
    while remaining and lots and (lots[0].qty > 0) != (remaining > 0):
        lot = lots[0]
        closed = min(abs(remaining), abs(lot.qty))
        direction = 1 if lot.qty > 0 else -1  # a long lot gains when price rises
        realized += (price - lot.price) * closed * direction
        if closed == abs(lot.qty):
            lots.pop(0)
        else:
            lots[0] = Lot(lot.qty - closed * direction, lot.price)
        remaining -= closed * (1 if remaining > 0 else -1)
    if remaining:
        lots.append(Lot(remaining, price))
    qty = position.qty + signed_qty
    return Position(qty, tuple(lots), position.realized + realized, position.fees + fee), realized


def unrealized(position: Position, mark: Decimal | None) -> Decimal:
    if mark is None or not position.lots:
        return ZERO
    return sum(((mark - lot.price) * lot.qty for lot in position.lots), ZERO)


def average_cost(position: Position) -> Decimal | None:
    """FIFO average entry price of the open lots (unrounded), or None when flat."""
    if not position.qty:
        return None
    return sum((lot.price * lot.qty for lot in position.lots), ZERO) / position.qty


def market_value(positions: Mapping[str, Position], marks: Mapping[str, Decimal | None]) -> Decimal:
    total = ZERO
    for symbol, position in positions.items():
        if position.qty:
            total += position.qty * (marks.get(symbol) or ZERO)
    return total


def gross_exposure(qty_by_symbol: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal:
    return sum((abs(qty) * (mark or ZERO) for qty, mark in qty_by_symbol), ZERO)
