"""Trading decisions: strategy targets become orders; a bar works the open orders."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from logos.core import guards
from logos.core.book import Book, move, open_orders
from logos.core.events import (
    BarClosed,
    IntentSkipped,
    OrderAccepted,
    OrderDenied,
    OrderExpired,
    OrderRejected,
    OrderSubmitted,
)
from logos.core.fills import fill_price, fill_quantity, priced_after_decision
from logos.core.intents import OrderIntent
from logos.core.money import ZERO, bps_of
from logos.core.order import Order
from logos.core.order_fsm import INITIALIZED, ORDER_TABLE, PENDING_CANCEL
from logos.core.session_fsm import MODE_REDUCING
from logos.core.state import spec_of
from logos.core.translator import target_quantity, translate


def act_on(book: Book, bar: BarClosed, targets: Mapping[str, Decimal | int]) -> None:
    """Rebalance each symbol whose target the strategy moved (only a symbol with a mark can trade)."""
    markets = book.markets
    moved = [s for s, t in targets.items() if t != markets[s].signal and markets[s].mark is not None]
    for symbol in sorted(moved):
        signal = targets[symbol]
        markets[symbol] = markets[symbol]._replace(signal=signal)
        _rebalance(book, symbol, signal, bar)


def _rebalance(book: Book, symbol: str, signal: Decimal | int, bar: BarClosed) -> None:
    params = book.params
    ts = bar.seen
    for order in open_orders(book.orders, symbol):
        if order.status != PENDING_CANCEL:
            book.put(book.cancel(order, "target changed", ts, confirm=False), ts)
    holding = book.positions[symbol].qty
    price = book.markets[symbol].mark
    equity = book.equity()
    target = target_quantity(signal, params.sizing, params.sizing_value, equity, price)
    intent = translate(spec_of(params, symbol), target, holding, price, params.order_type, params.limit_offset_bps)
    if intent is None:
        return
    if isinstance(intent, str):
        book.out.fact(IntentSkipped(symbol, target, intent, ts))
        return
    if book.mode == MODE_REDUCING and holding and (intent.signed_qty > 0) != (holding > 0) and intent.qty > abs(holding):
        # Reducing mode lets through only what shrinks exposure: a reversal becomes a close.
        price = intent.limit_price if intent.limit_price is not None else intent.reference_price
        intent = intent._replace(
            qty=abs(holding), notional=abs(holding) * price,
            annotations=intent.annotations + ("cut to a close: trading mode reducing",),
        )
    _submit(book, intent, holding, bar)


def _submit(book: Book, intent: OrderIntent, holding: Decimal, bar: BarClosed) -> None:
    params = book.params
    ts = bar.seen
    out = book.out
    # The order's ordinal, not the event seq: a resume journals one more event, and ids
    # must not shift with it or a resumed session would differ from an uninterrupted one.
    book.created += 1
    client_id = f"{params.session_id}-{book.created}"
    order = Order(
        client_id, intent.symbol, intent.side, intent.qty, intent.order_type, intent.limit_price,
        INITIALIZED, ZERO, 0, ZERO, ZERO, ts,
        params.limit_ttl_bars if intent.order_type == "limit" else 0,
        (INITIALIZED,), "; ".join(intent.annotations),
    )
    violations = guards.pre_trade(params, book.mode, intent, holding, book.exposure_except(intent.symbol))
    if violations:
        for violation in violations:
            book.trip(violation, "deny", ts)
        reasons = tuple(v.guard for v in violations)
        order = move(order, "deny", reason="; ".join(v.detail for v in violations))
        out.fact(OrderDenied(client_id, intent.symbol, intent.side, intent.qty, reasons, ts), durable=True)
        book.put(order, ts)
        return
    order = move(order, "submit")
    out.fact(
        OrderSubmitted(client_id, intent.symbol, intent.side, intent.qty, intent.order_type, intent.limit_price, intent.reference_price, ts),
        durable=True,
    )
    spec = spec_of(params, intent.symbol)
    cost = intent.notional + bps_of(intent.notional, params.fee_bps, spec.cash_step)
    if intent.side == "buy" and cost > book.cash:
        order = move(order, "reject", reason=f"insufficient cash: needs {cost}, has {book.cash}")
        out.fact(OrderRejected(client_id, order.reason, ts), durable=True)
        book.put(order, ts)
        return
    order = move(order, "accept")
    out.fact(OrderAccepted(client_id, ts))
    # Only the deciding bar's own symbol fills at this close; another leg (pairs) waits for
    # its own bar, or it would fill at this symbol's price and volume.
    if params.fill_at == "same_close" and order.order_type == "market" and order.symbol == bar.symbol:
        qty = fill_quantity(order, bar, params, spec)
        if qty:
            order = book.fill(order, qty, fill_price(order, bar, params, spec, at_close=True), ts)  # type: ignore[arg-type]
    book.put(order, ts)


def work_orders(book: Book, bar: BarClosed) -> None:
    """Let this bar act on the symbol's open orders: confirm cancels, fill, expire."""
    params = book.params
    spec = spec_of(params, bar.symbol)
    at_close = params.fill_at == "same_close"
    ts = bar.ts
    for order in open_orders(book.orders, bar.symbol):
        if order.status == PENDING_CANCEL:
            book.put(book.cancel(order, order.reason, ts, confirm=True), ts)
            continue
        if not priced_after_decision(order, bar, at_close):
            continue  # the bar began before the order existed: it neither fills nor ages it
        price = fill_price(order, bar, params, spec, at_close)
        if price is not None:
            qty = fill_quantity(order, bar, params, spec)
            if qty:
                # A fill at the close happens when the bar is seen, any other at its open.
                filled_at = bar.seen if at_close and order.order_type == "market" else ts
                order = book.fill(order, qty, price, filled_at)
        if order.bars_left and order.status not in ORDER_TABLE.terminal:
            order = order._replace(bars_left=order.bars_left - 1)
            if not order.bars_left:
                order = move(order, "expire")
                book.out.fact(OrderExpired(order.client_id, ts), durable=True)
        book.put(order, ts)
