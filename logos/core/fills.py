"""The paper venue's fill model: no look-ahead, volume-capped, exact.

Market orders fill at the open of the first bar that opens at or after the decision (plus
slippage), or at the deciding bar's close when ``fill_at`` is ``same_close``. Limit orders
fill when such a bar trades through the limit, at the limit or a better open. Each fill
takes at most ``volume_share`` of the bar's volume, so large orders fill partially over
several bars.

"After the decision" is measured on the clock that decided: an order is stamped with the
time its deciding bar was seen. In a replay that is the bar's close, so the next bar opens
exactly then; a polled bar arrives some seconds after its close, and the bar that opened
in between began before the decision, so its prices are never used.
"""

from __future__ import annotations

from decimal import Decimal

from logos.core.events import BarClosed
from logos.core.money import BPS, ONE, ceil_to_step, floor_to_step
from logos.core.order import Order
from logos.core.state import Params
from logos.core.symbols import SymbolSpec


def slipped(price: Decimal, side: str, slippage_bps: Decimal, tick: Decimal) -> Decimal:
    """Move ``price`` against the order by the slippage, rounded to the tick against it too."""
    if slippage_bps:
        price = price * (ONE + slippage_bps / BPS) if side == "buy" else price * (ONE - slippage_bps / BPS)
    return against(price, side, tick)


def against(price: Decimal, side: str, tick: Decimal) -> Decimal:
    """``price`` on the tick, rounded against the order: up for a buy, down for a sell.

    A venue trades only on its tick; a bar's price off it (a cache row written by hand)
    fills at the nearest tick that is no better for the order.
    """
    if not price % tick:
        return price  # on the tick already: kept as written
    return ceil_to_step(price, tick) if side == "buy" else floor_to_step(price, tick)


def fill_price(order: Order, bar: BarClosed, params: Params, spec: SymbolSpec, at_close: bool) -> Decimal | None:
    """Return the price this bar fills ``order`` at, or None if it does not trade there."""
    if order.order_type == "market":
        return slipped(bar.close if at_close else bar.open, order.side, params.slippage_bps, spec.price_tick)
    limit = order.limit_price
    assert limit is not None  # a limit order carries its price
    if order.side == "buy":
        return against(min(bar.open, limit), "buy", spec.price_tick) if bar.low <= limit else None
    return against(max(bar.open, limit), "sell", spec.price_tick) if bar.high >= limit else None


def priced_after_decision(order: Order, bar: BarClosed, at_close: bool) -> bool:
    """Whether the prices this bar would fill ``order`` at were first seen after it was decided.

    A close (``same_close`` market orders) is known once the bar is seen; any other fill may
    take any price of the bar, so the bar must open at or after the decision.
    """
    if at_close and order.order_type == "market":
        return bar.seen >= order.submitted_ts
    return bar.ts >= order.submitted_ts


def fill_quantity(order: Order, bar: BarClosed, params: Params, spec: SymbolSpec) -> Decimal:
    """Return how much of the order this bar's volume allows (possibly zero), in whole lots:
    an order is a whole number of lots, so every part of it is too and the last can close."""
    cap = floor_to_step(bar.volume * params.volume_share, spec.lot_size)
    leaves = order.qty - order.filled
    return leaves if leaves <= cap else cap
