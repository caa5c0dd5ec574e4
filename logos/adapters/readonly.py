"""A view of a vendor client that forwards only an allow-list of read-only attributes.

The dry-run checks never hold the vendor client itself: they hold this view, so an order
method (``create_order``, ``submit_order``, ``cancel_order`` ...) is not reachable from
their code at all, rather than merely not called.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# ccxt: metadata, local precision helpers and read-only endpoints. ``set_sandbox_mode`` and
# ``check_required_credentials`` only touch local configuration.
CCXT_READ_ONLY = frozenset(
    {
        "id",
        "urls",
        "has",
        "markets",
        "requiredCredentials",
        "set_sandbox_mode",
        "check_required_credentials",
        "load_markets",
        "market",
        "fetch_ticker",
        "fetch_balance",
        "amount_to_precision",
        "price_to_precision",
    }
)
ALPACA_READ_ONLY = frozenset({"get_account"})


class NotOnAllowList(AttributeError):
    """An attribute outside the dry-run allow-list was asked for."""


def read_only(target: Any, allowed: Iterable[str], label: str) -> Any:
    """Return a view of ``target`` exposing only ``allowed``; the target is kept in a closure."""
    names = frozenset(allowed)

    class ReadOnlyView:
        __slots__ = ()

        def __getattr__(self, name: str) -> Any:
            if name not in names:
                raise NotOnAllowList(f"{label}.{name} is not on the dry-run allow-list (dry-run never sends orders)")
            return getattr(target, name)

        def __setattr__(self, name: str, value: Any) -> None:
            raise NotOnAllowList(f"{label} is read-only in dry-run")

        def __dir__(self) -> list[str]:
            return sorted(names)

        def __repr__(self) -> str:
            return f"<read-only {label}>"

    return ReadOnlyView()
