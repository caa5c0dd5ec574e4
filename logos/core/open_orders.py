"""The session's open orders: an immutable mapping kept oldest first, over a plain tuple.

A session holds a handful of open orders at most, and every bar that has one reads them
in creation order (fills, cancels and expiries go oldest first). A tuple already in that
order beats a hash trie that must be sorted on each read: ``set`` and ``discard`` copy a
few references, and reading needs no sort. Like ``SymbolMap``, it is persistent: each
change returns a new mapping and leaves the old one as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from logos.core.order import Order


def creation_key(order: Order) -> tuple[int, str]:
    # Client ids share the session prefix, so (length, text) orders them by creation seq.
    return len(order.client_id), order.client_id


class OpenOrders(Mapping[str, "Order"]):
    """``client_id -> Order``, iterated in creation order; ``set`` and ``discard`` return a new one."""

    __slots__ = ("_orders",)

    def __init__(self, orders: Iterable[Order] = ()) -> None:
        self._orders = tuple(sorted(orders, key=creation_key))

    @classmethod
    def _of(cls, orders: tuple[Order, ...]) -> OpenOrders:
        new = object.__new__(cls)
        new._orders = orders
        return new

    def __getitem__(self, client_id: str) -> Order:
        for order in self._orders:
            if order.client_id == client_id:
                return order
        raise KeyError(client_id)

    def __iter__(self) -> Iterator[str]:
        return iter([order.client_id for order in self._orders])

    def __len__(self) -> int:
        return len(self._orders)

    def __bool__(self) -> bool:
        return bool(self._orders)

    def values(self) -> tuple[Order, ...]:  # type: ignore[override]
        return self._orders

    def set(self, client_id: str, order: Order) -> OpenOrders:
        orders = self._orders
        for at, held in enumerate(orders):
            if held.client_id == client_id:
                return OpenOrders._of(orders[:at] + (order,) + orders[at + 1 :])
        if orders and creation_key(order) < creation_key(orders[-1]):
            return OpenOrders(orders + (order,))  # not the newest: sort it into place
        return OpenOrders._of(orders + (order,))

    def discard(self, client_id: str) -> OpenOrders:
        orders = self._orders
        for at, held in enumerate(orders):
            if held.client_id == client_id:
                return OpenOrders._of(orders[:at] + orders[at + 1 :])
        return self

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OpenOrders):
            return self._orders == other._orders
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._orders)

    def __repr__(self) -> str:
        return f"OpenOrders({[order.client_id for order in self._orders]!r})"

