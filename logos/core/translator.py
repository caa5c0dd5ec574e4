"""Translator: a target position becomes a quantized OrderIntent, or a reason for none."""

from __future__ import annotations

from decimal import Decimal

from logos.core.intents import OrderIntent
from logos.core.money import BPS, ONE, ceil_to_step, floor_to_step
from logos.core.symbols import SymbolSpec


def target_quantity(signal: Decimal | int, sizing: str, sizing_value: Decimal, equity: Decimal, price: Decimal) -> Decimal:
    """Return the signed (unquantized) quantity a target in [-1, 1] asks for under the sizing rule."""
    if not signal:
        return Decimal(0)
    if sizing == "units":
        return sizing_value * signal
    if sizing == "notional":
        budget = sizing_value
    else:
        # An account with no equity left sizes nothing; a negative budget would flip the side.
        budget = equity * sizing_value if equity > 0 else Decimal(0)
    return budget * signal / price


def translate(
    spec: SymbolSpec,
    target: Decimal,
    current: Decimal,
    price: Decimal,
    order_type: str = "market",
    limit_offset_bps: Decimal = Decimal(0),
) -> OrderIntent | str | None:
    """Return the order that moves ``current`` toward ``target``; a string says why none.

    ``None`` means there is nothing to do (already at target).
    """
    delta = target - current
    if not delta:
        return None
    side = "buy" if delta > 0 else "sell"
    qty = floor_to_step(abs(delta), spec.lot_size)
    if not qty:
        return f"{spec.symbol}: the move of {delta} rounds to zero lots of {spec.lot_size}"
    limit = None
    if order_type == "limit":
        # A passive limit: below the close to buy, above it to sell.
        offset = limit_offset_bps / BPS
        raw = price * (ONE - offset) if side == "buy" else price * (ONE + offset)
        limit = floor_to_step(raw, spec.price_tick) if side == "buy" else ceil_to_step(raw, spec.price_tick)
    px = limit if limit is not None else price
    annotations: tuple[str, ...] = ()
    if qty * px > spec.max_order_notional:
        qty = floor_to_step(spec.max_order_notional / px, spec.lot_size)
        annotations = (f"clipped to max_order_notional {spec.max_order_notional}",)
        if not qty:
            return f"{spec.symbol}: one lot at {px} exceeds max_order_notional {spec.max_order_notional}"
    notional = qty * px
    if notional < spec.min_notional:
        return f"{spec.symbol}: notional {notional} is below min_notional {spec.min_notional}"
    return OrderIntent(spec.symbol, spec.asset_class, side, qty, order_type, limit, price, notional, annotations)
