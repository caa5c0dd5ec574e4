"""Symbol metadata: what the translator and fill model need to quantize exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class SymbolSpec(NamedTuple):
    """Trading rules of one symbol, loaded by the shell from ``data/symbols.toml``."""

    symbol: str
    asset_class: str  # equity | crypto | forex
    price_tick: Decimal  # smallest price increment
    qty_step: Decimal  # smallest quantity increment
    lot_size: Decimal  # orders are whole multiples of this (a multiple of qty_step)
    min_notional: Decimal  # smaller orders are not sent
    max_order_notional: Decimal  # the venue's per-order cap; larger targets are clipped
    cash_step: Decimal  # precision of cash, fees and PnL in the quote currency
