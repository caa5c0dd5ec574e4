"""The terminal's picture of ``live_figures``: one line of figures, then positions, open
orders and the latest guard trips as tables (each only when it has rows)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

POSITION_COLUMNS = ("symbol", "qty", "avg_cost", "mark", "unrealized_pnl", "realized_pnl")
ORDER_COLUMNS = ("client_id", "symbol", "side", "order_type", "qty", "limit_price", "filled_qty", "status", "submitted_at")
TRIP_COLUMNS = ("time", "guard", "measured", "limit", "action", "detail")


def figures_line(figures: dict[str, Any]) -> str:
    pnl = figures["pnl"]
    return (
        f"market {figures['market_clock'] or '-'} · equity {pnl['equity']} (return {pnl['return']}) · "
        f"drawdown {pnl['drawdown_bps']} bps · orders {figures['orders_created']} · fills {figures['fills']} · "
        f"guard trips {figures['guard_trips']}"
    )


def _table(title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Table:
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        table.add_row(*("-" if row[c] in (None, "") else str(row[c]) for c in columns))
    return table


def figures_view(figures: dict[str, Any], tables: bool = True) -> RenderableType:
    """Return the figures line and, with ``tables``, the positions, open orders and latest trips."""
    parts: list[RenderableType] = [Text(figures_line(figures))]
    if tables:
        for title, columns, rows in (
            ("positions", POSITION_COLUMNS, figures["positions"]),
            ("open orders", ORDER_COLUMNS, figures["open_orders"]),
            (f"last guard trips (of {figures['guard_trips']})", TRIP_COLUMNS, figures["last_guard_trips"]),
        ):
            if rows:
                parts.append(_table(title, columns, rows))
    return Group(*parts)
