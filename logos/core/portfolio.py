"""FIFO inventory and PnL: exact, on the cash step, and the two identities every test checks.

``cash + market value == equity`` and ``realized + unrealized == equity - initial cash``,
with realized PnL counted net of fees.

Cash moves in whole cash steps: a fill's amount (``qty x price``) is rounded to the
symbol's ``cash_step``, half to even, separately for the part that closes each lot and the
part that opens a new one. Each lot keeps what it cost in cash (signed: a short's is what
its sale brought in, negative), so closing part of it books the proceeds less its share of
that cost, both on the cash step, and the last part closed takes whatever cost is left: no
rounding is ever lost, and the identities hold exactly. Where every ``qty x price`` is
already on the cash step (the bundled symbols) nothing is rounded at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from logos.core.money import ZERO, on_step
from logos.core.state import Lot, Position


def apply_fill(
    position: Position, signed_qty: Decimal, price: Decimal, fee: Decimal, cash_step: Decimal
) -> tuple[Position, Decimal, Decimal]:
    """Return the position after a fill, the realized PnL it booked (net of ``fee``) and the
    change of cash it makes (fee included).

    The fill closes the oldest opposite lots first; whatever is left opens a new lot.
    """
    lots = list(position.lots)
    remaining = signed_qty
    realized = flow = -fee
    while remaining and lots and (lots[0].qty > 0) != (remaining > 0):
        lot = lots[0]
        size = abs(lot.qty)
        closed = min(abs(remaining), size)
        if closed == size:
            share = lot.cost
            lots.pop(0)
        else:
            share = on_step(lot.cost * closed / size, cash_step)
            direction = 1 if lot.qty > 0 else -1
            lots[0] = Lot(lot.qty - closed * direction, lot.price, lot.cost - share)
        amount = on_step(closed * price, cash_step)
        proceeds = amount if lot.qty > 0 else -amount  # a long's close sells, a short's buys back
        realized += proceeds - share
        flow += proceeds
        remaining -= closed if remaining > 0 else -closed
    if remaining:
        cost = on_step(remaining * price, cash_step)
        lots.append(Lot(remaining, price, cost))
        flow -= cost
    qty = position.qty + signed_qty
    return Position(qty, tuple(lots), position.realized + realized, position.fees + fee), realized, flow


def unrealized(position: Position, mark: Decimal | None) -> Decimal:
    """What the open lots would realize at ``mark``, before fees: their value less their cost."""
    if mark is None or not position.lots:
        return ZERO
    return sum((mark * lot.qty - lot.cost for lot in position.lots), ZERO)


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
