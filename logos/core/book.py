"""One event's working copy of the trading state, and the order bookkeeping on it.

A handler opens a ``Book`` on the state, lets fills, cancels and guard trips change it, and
folds it back into a new state; ``Out`` numbers the facts the event causes and gathers the
effects. Neither outlives the ``reduce`` call that made it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any, Mapping

from logos.core import guards
from logos.core.effects import AppendJournal, Log, Stop, WriteArtifactRow, artifact_row
from logos.core.events import (
    GuardTripped,
    OrderCanceled,
    OrderCancelRequested,
    OrderFilled,
)
from logos.core.money import ZERO, bps_of
from logos.core.order_fsm import ORDER_TABLE, PENDING_CANCEL
from logos.core.portfolio import apply_fill
from logos.core.open_orders import OpenOrders
from logos.core.state import FLAT, Market, Order, SessionState, spec_of
from logos.core.timestamps import iso


class Out:
    """Collects what one event causes: numbered facts, artifact rows, logs, a stop."""

    __slots__ = ("seq", "entries", "rows", "logs", "durable", "stop")

    def __init__(self, seq: int, event: Any) -> None:
        self.seq = seq + 1
        self.entries: list[tuple[int, Any]] = [(self.seq, event)]
        self.rows: list[WriteArtifactRow] = []
        self.logs: list[Log] = []
        self.durable = False
        self.stop: Stop | None = None

    def fact(self, event: Any, durable: bool = False) -> None:
        self.seq += 1
        self.entries.append((self.seq, event))
        self.durable = self.durable or durable

    def effects(self) -> tuple[Any, ...]:
        effects: list[Any] = [AppendJournal(tuple(self.entries), self.durable)]
        effects += self.rows
        if self.logs:
            effects += self.logs
        if self.stop:
            effects.append(self.stop)
        return tuple(effects)


# --- orders -----------------------------------------------------------------------------


def open_orders(orders: OpenOrders, symbol: str | None = None) -> list[Order]:
    """The open orders (of ``symbol``, when given), oldest first."""
    return [o for o in orders.values() if symbol is None or o.symbol == symbol]


_ORDER_AT = {name: at for at, name in enumerate(Order._fields)}
_STATUS, _LIFECYCLE = _ORDER_AT["status"], _ORDER_AT["lifecycle"]


def move(order: Order, trigger: str, **changes: Any) -> Order:
    """The order after ``trigger`` (the order machine says where it goes), with ``changes``.

    Built by position rather than by ``_replace``: three moves per order, on the trading
    bars' path. A test holds it equal to ``_replace``.
    """
    status = ORDER_TABLE.next(order.status, trigger)
    values = list(order)
    if status != order.status:
        values[_STATUS] = status
        values[_LIFECYCLE] = order.lifecycle + (status,)
    for name, value in changes.items():
        values[_ORDER_AT[name]] = value
    return tuple.__new__(Order, values)


AVG_PRICE_STEP = Decimal("0.0001")


@lru_cache(maxsize=64)
def _average_step(price_tick: Decimal) -> tuple[Decimal, int]:
    step = price_tick * AVG_PRICE_STEP
    return step, step.as_tuple().exponent  # type: ignore[return-value]


def _average_price(notional: Decimal, qty: Decimal, price_tick: Decimal) -> Decimal:
    """Return ``notional / qty``, cut to four places beyond the tick when it runs longer."""
    avg = notional / qty
    step, places = _average_step(price_tick)
    return avg.quantize(step) if avg.as_tuple().exponent < places else avg


def _order_row(order: Order, ts: int, price_tick: Decimal) -> WriteArtifactRow:
    avg = _average_price(order.filled_notional, order.filled, price_tick) if order.filled else None
    return artifact_row(
        "orders",
        (
            order.client_id,
            order.symbol,
            order.side,
            order.order_type,
            str(order.qty),
            "" if order.limit_price is None else str(order.limit_price),
            str(order.filled),
            "" if avg is None else str(avg),
            str(order.fees),
            order.status,
            ">".join(order.lifecycle),
            iso(order.submitted_ts),
            iso(ts),
            order.reason,
        ),
    )


_STATE_AT = {name: at for at, name in enumerate(SessionState._fields)}
_SEQ, _CASH, _POSITIONS, _ORDERS, _MARKETS, _TRIPS, _MODE, _FILLS, _CREATED = (
    _STATE_AT[name]
    for name in ("seq", "cash", "positions", "orders", "markets", "trips", "mode", "fills_applied", "orders_created")
)


class Book:
    """The mutable working copy of one event's trading state, folded back into a new state.

    Handlers stay short by sharing it; it never outlives the ``reduce`` call that made it.
    """

    __slots__ = ("state", "cash", "positions", "orders", "markets", "trips", "mode", "fills", "created", "out")

    def __init__(self, state: SessionState, out: Out) -> None:
        self.state = state
        self.cash = state.cash
        self.positions = state.positions
        self.orders = state.orders
        self.markets = state.markets
        self.trips = state.trips
        self.mode = state.mode
        self.fills = state.fills_applied
        self.created = state.orders_created
        self.out = out

    def fold(self, **changes: Any) -> SessionState:
        """The new state: the working copy, plus ``changes`` (built by position, once per event)."""
        values = list(self.state)
        values[_SEQ], values[_CASH], values[_POSITIONS], values[_ORDERS] = self.out.seq, self.cash, self.positions, self.orders
        values[_MARKETS], values[_TRIPS], values[_MODE] = self.markets, self.trips, self.mode
        values[_FILLS], values[_CREATED] = self.fills, self.created
        for name, value in changes.items():
            values[_STATE_AT[name]] = value
        return tuple.__new__(SessionState, values)

    # -- order bookkeeping --

    def put(self, order: Order, ts: int) -> None:
        if order.status in ORDER_TABLE.terminal:
            self.orders = self.orders.discard(order.client_id)
            self.out.rows.append(_order_row(order, ts, spec_of(self.state.params, order.symbol).price_tick))
        else:
            self.orders = self.orders.set(order.client_id, order)

    def fill(self, order: Order, qty: Decimal, price: Decimal, ts: int) -> Order:
        params = self.state.params
        spec = spec_of(params, order.symbol)
        fee = bps_of(price * qty, params.fee_bps, spec.cash_step)
        signed = qty if order.side == "buy" else -qty
        position, realized = apply_fill(self.positions.get(order.symbol, FLAT), signed, price, fee)
        self.positions = self.positions.set(order.symbol, position)
        self.cash = self.cash - signed * price - fee
        self.fills += 1
        filled = order.filled + qty
        ordinal = order.fills + 1
        order = move(
            order,
            "fill" if filled == order.qty else "fill_partial",
            filled=filled,
            fills=ordinal,
            filled_notional=order.filled_notional + price * qty,
            fees=order.fees + fee,
        )
        trade_id = f"{order.client_id}-F{ordinal}"
        self.out.fact(
            OrderFilled(order.client_id, trade_id, order.symbol, order.side, qty, price, fee, realized, order.leaves, ts),
            durable=True,
        )
        self.out.rows.append(
            artifact_row(
                "trades",
                (trade_id, order.client_id, order.symbol, order.side, str(qty), str(price), str(fee), str(realized), iso(ts)),
            )
        )
        return order

    def cancel(self, order: Order, reason: str, ts: int, confirm: bool) -> Order:
        """Ask the venue to cancel; with ``confirm`` the paper venue confirms at once."""
        if order.status != PENDING_CANCEL:
            order = move(order, "request_cancel", reason=reason)
            self.out.fact(OrderCancelRequested(order.client_id, reason, ts), durable=True)
        if confirm:
            order = move(order, "cancel")
            self.out.fact(OrderCanceled(order.client_id, ts), durable=True)
        return order

    def trip(self, violation: guards.Violation, action: str, ts: int) -> None:
        tripped = GuardTripped(ts, violation.guard, violation.measured, violation.limit, action, violation.detail)
        self.trips = self.trips.append(tripped)
        self.out.fact(tripped, durable=True)
        self.out.logs.append(
            Log(
                "warning",
                f"guard {violation.guard} tripped at {iso(ts)}: measured {violation.measured}, "
                f"limit {violation.limit}, action {action} ({violation.detail})",
            )
        )

    # -- valuation --

    def mark(self, symbol: str) -> Decimal | None:
        return self.markets[symbol].mark

    def equity_and_exposure(self) -> tuple[Decimal, Decimal]:
        return valuation(self.cash, self.positions, self.markets)

    def exposure_except(self, symbol: str) -> Decimal:
        """Gross exposure of every other symbol, counting what its working orders will add."""
        working: dict[str, Decimal] = {}
        for order in self.orders.values():
            if order.symbol != symbol and order.status != PENDING_CANCEL:
                working[order.symbol] = working.get(order.symbol, ZERO) + order.signed_leaves
        markets = self.markets
        total = ZERO
        for other, position in self.positions.items():
            qty = position.qty + working.get(other, ZERO)
            if other != symbol and qty:
                total += abs(qty) * (markets[other].mark or ZERO)
        return total


def valuation(cash: Decimal, positions: Mapping[str, Any], markets: Mapping[str, Market]) -> tuple[Decimal, Decimal]:
    """Return equity and gross exposure at the current marks."""
    value = exposure = ZERO
    for symbol, position in positions.items():
        qty = position.qty
        if qty:
            worth = qty * (markets[symbol].mark or ZERO)
            value += worth
            exposure += worth if worth > 0 else -worth
    return cash + value, exposure
