"""Benchmark harness: the same SMA-cross workload in Logos, backtrader and NautilusTrader.

The workload, fixed here so every engine runs exactly the same thing: one synthetic
minute-bar symbol, SMA cross fast=10 / slow=30 on the close, long 1 unit while the fast
average is above the slow one, flat while it is below (a tie keeps the current target, as
Logos's momentum strategy does), market orders, 100,000 starting cash, no fees, no slippage.
Run it with ``python -m benchmarks.run``; see ``benchmarks/README.md``.
"""

from __future__ import annotations

SYMBOL = "SYN/USD"
ASSET_CLASS = "crypto"
FAST = 10
SLOW = 30
UNITS = 1
INITIAL_CASH = 100_000
SEED = 7
# Two prices are "equal" for the peers' float SMAs when they are closer than this; the
# series is on a 0.01 grid, so a real difference between the averages is far larger.
TIE_EPSILON = 1e-9


def sma_target(gap: float) -> int | None:
    """The peers' target for ``fast - slow``: long above, flat below, None (keep) on a tie."""
    if gap > TIE_EPSILON:
        return UNITS
    if gap < -TIE_EPSILON:
        return 0
    return None  # a tie keeps the current target, as Logos's momentum does
# Fill conventions, named as Logos's --fill-at values.
NEXT_OPEN = "next_open"
SAME_CLOSE = "same_close"
