"""A session as it stands, in JSON-ready figures: market clock, equity, positions, open
orders and the latest guard trips.

``logos status`` prints them (or their JSON); the live view of ``trade`` and ``resume``
draws them. Money stays exact: every decimal is its text.
"""

from __future__ import annotations

from typing import Any

from logos.core.order import Order
from logos.core.state import FLAT, SessionState
from logos.core.timestamps import iso
from logos.live.artifacts import POSITIONS_HEADER, position_row
from logos.live.report import pnl_summary

LAST_TRIPS = 5


def order_figures(order: Order) -> dict[str, Any]:
    return {
        "client_id": order.client_id,
        "symbol": order.symbol,
        "side": order.side,
        "order_type": order.order_type,
        "qty": str(order.qty),
        "limit_price": None if order.limit_price is None else str(order.limit_price),
        "filled_qty": str(order.filled),
        "status": order.status,
        "submitted_at": iso(order.submitted_ts),
    }


def live_figures(state: SessionState, last_trips: int = LAST_TRIPS) -> dict[str, Any]:
    """Return the state's figures; positions are the symbols held, as ``positions.csv`` has them."""
    held = [s for s in state.params.symbols if state.positions.get(s, FLAT).qty]
    return {
        "status": state.status,
        "trading_mode": state.mode,
        "halt_causes": list(state.halt_causes),
        "seq": state.seq,
        "market_clock": iso(state.clock) if state.clock else None,
        "pnl": {name: str(value) for name, value in pnl_summary(state).items()},
        "orders_created": state.orders_created,
        "fills": state.fills_applied,
        "positions": [dict(zip(POSITIONS_HEADER, position_row(state, s))) for s in held],
        "open_orders": [order_figures(o) for o in state.orders.values()],
        "guard_trips": len(state.trips),
        "last_guard_trips": [
            {"time": iso(t.ts) if t.ts else None, "guard": t.guard, "measured": t.measured, "limit": t.limit, "action": t.action, "detail": t.detail}
            for t in state.trips[max(0, len(state.trips) - last_trips) :]
        ],
    }
