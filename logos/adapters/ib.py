"""Interactive Brokers: a documented stub. Nothing here connects; the text says what would."""

from __future__ import annotations

IB_STUB_LINES = (
    "ib: the Interactive Brokers adapter is a documented stub; it cannot be checked or used.",
    "A working adapter would need:",
    "  - TWS or IB Gateway running and logged in to a paper account (paper ports 7497 TWS / 4002 Gateway),",
    "    with 'Enable ActiveX and Socket Clients' on and the Logos host in 'Trusted IPs';",
    "  - a client library: ib_insync (or its successor ib_async) over the official ibapi;",
    "  - account permissions for each asset class traded, and market data subscriptions for the symbols;",
    "  - settings it would add: IB_HOST, IB_PORT, IB_CLIENT_ID (a vendor-named credential set like CCXT_* / ALPACA_*).",
    "For a dry-run check today use `logos adapters check ccxt --dry-run` or `logos adapters check alpaca --dry-run`.",
)
