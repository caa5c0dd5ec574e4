"""The paper venue's fill model: no look-ahead, volume-capped, exact.

Market orders fill at the open of the first bar after the decision (plus slippage), or at
the deciding bar's close when ``fill_at`` is ``same_close``. Limit orders fill when the bar
trades through the limit, at the limit or a better open. Each fill takes at most
``volume_share`` of the bar's volume, so large orders fill partially over several bars.
"""

from __future__ import annotations

from decimal import Decimal

from logos.core.events import BarClosed
from logos.core.money import BPS, ONE, ceil_to_step, floor_to_step
from logos.core.state import Order, Params
from logos.core.symbols import SymbolSpec


def slipped(price: Decimal, side: str, slippage_bps: Decimal, tick: Decimal) -> Decimal:
    """Move ``price`` against the order by the slippage, rounded to the tick against it too."""
    if not slippage_bps:
        return price
    if side == "buy":
        return ceil_to_step(price * (ONE + slippage_bps / BPS), tick)
    return floor_to_step(price * (ONE - slippage_bps / BPS), tick)


def fill_price(order: Order, bar: BarClosed, params: Params, spec: SymbolSpec, at_close: bool) -> Decimal | None:
    """Return the price this bar fills ``order`` at, or None if it does not trade there."""
    if order.order_type == "market":
        return slipped(bar.close if at_close else bar.open, order.side, params.slippage_bps, spec.price_tick)
    limit = order.limit_price
    if order.side == "buy":
        return min(bar.open, limit) if bar.low <= limit else None  # type: ignore[type-var, operator]
    return max(bar.open, limit) if bar.high >= limit else None  # type: ignore[type-var, operator]


def fill_quantity(order: Order, bar: BarClosed, params: Params, spec: SymbolSpec) -> Decimal:
    """Return how much of the order this bar's volume allows (possibly zero)."""
    cap = floor_to_step(bar.volume * params.volume_share, spec.qty_step)
    leaves = order.qty - order.filled
    return leaves if leaves <= cap else cap
