"""OrderIntent: a quantized order request, the translator's output and the guards' input."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class OrderIntent(NamedTuple):
    symbol: str
    asset_class: str
    side: str  # buy | sell
    qty: Decimal  # positive, a whole number of lots
    order_type: str  # market | limit
    limit_price: Decimal | None
    reference_price: Decimal  # the close the decision was made on
    notional: Decimal  # qty * (limit price, else reference price)
    annotations: tuple[str, ...]  # what quantization and caps did to the request

    @property
    def signed_qty(self) -> Decimal:
        return self.qty if self.side == "buy" else -self.qty
