"""An order as the state holds it: what was asked, what has filled, and its lifecycle so far."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Order(NamedTuple):
    client_id: str
    symbol: str
    side: str  # buy | sell
    qty: Decimal
    order_type: str
    limit_price: Decimal | None
    status: str
    filled: Decimal
    fills: int  # fill ordinal of the last fill applied (trade ids are derived from it)
    filled_notional: Decimal
    fees: Decimal
    submitted_ts: int
    bars_left: int  # limit orders expire when it reaches zero; 0 for orders that never expire
    lifecycle: tuple[str, ...]
    reason: str

    @property
    def leaves(self) -> Decimal:
        return self.qty - self.filled

    @property
    def signed_leaves(self) -> Decimal:
        return self.leaves if self.side == "buy" else -self.leaves
