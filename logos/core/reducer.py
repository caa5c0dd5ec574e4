"""The reducer: ``reduce(state, event) -> (state, effects)``, the only way state changes.

Each input event gets the next ``seq``; the facts it causes (order transitions, fills,
guard trips) get the ones after it. The journal effect always comes first, so the shell
writes what happened before it acts on it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping

from logos.core import guards
from logos.core.effects import AppendJournal, Log, Stop, WriteArtifactRow
from logos.core.events import (
    BarClosed,
    ClockTicked,
    FeedEnded,
    FeedStalled,
    GuardTripped,
    IntentSkipped,
    KillSwitchTripped,
    OperatorHalted,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRequested,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    SessionCompleted,
    SessionHalted,
    SessionResumed,
    SessionStarted,
    TradingModeChanged,
)
from logos.core.fills import fill_price, fill_quantity
from logos.core.fsm import IllegalTransition
from logos.core.intents import OrderIntent
from logos.core.money import ZERO, bps_of
from logos.core.order_fsm import INITIALIZED, ORDER_TABLE, PENDING_CANCEL
from logos.core.portfolio import apply_fill
from logos.core.session_fsm import (
    COMPLETED,
    CREATED,
    HALTED,
    HALTING,
    MODE_ACTIVE,
    MODE_HALTED,
    MODE_REDUCING,
    RUNNING,
    SESSION_TABLE,
)
from logos.core.state import FLAT, Market, Order, SessionState
from logos.core.strategies import Strategy, build
from logos.core.translator import target_quantity, translate


class ReducerError(Exception):
    """An event that cannot apply to this state: a bug in whoever sent it, never a user error."""


@lru_cache(maxsize=8)
def _day_prefix(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, timezone.utc).strftime("%Y-%m-%dT")


_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:00Z" for m in range(1440))


def iso(ts: int) -> str:
    """Format epoch seconds as ISO-8601 UTC (pure arithmetic, no clock read).

    Called for every account row: the date part is cached and whole minutes (every bar
    time) come from a table.
    """
    day, rest = divmod(ts, 86400)
    if not rest % 60:
        return _day_prefix(day) + _MINUTES[rest // 60]
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{_day_prefix(day)}{hours:02d}:{minutes:02d}:{seconds:02d}Z"


class _Out:
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


def _order_key(order: Order) -> tuple[int, str]:
    # Client ids share the session prefix, so (length, text) orders them by creation seq.
    return len(order.client_id), order.client_id


def _open_orders(orders: Mapping[str, Order], symbol: str | None = None) -> list[Order]:
    return sorted((o for o in orders.values() if symbol is None or o.symbol == symbol), key=_order_key)


def _move(order: Order, trigger: str, **changes: Any) -> Order:
    status = ORDER_TABLE.next(order.status, trigger)
    lifecycle = order.lifecycle if status == order.status else order.lifecycle + (status,)
    return order._replace(status=status, lifecycle=lifecycle, **changes)


AVG_PRICE_STEP = Decimal("0.0001")


def _average_price(notional: Decimal, qty: Decimal, price_tick: Decimal) -> Decimal:
    """Return ``notional / qty``, cut to four places beyond the tick when it runs longer."""
    avg = notional / qty
    step = price_tick * AVG_PRICE_STEP
    return avg.quantize(step) if avg.as_tuple().exponent < step.as_tuple().exponent else avg


def _order_row(order: Order, ts: int, price_tick: Decimal) -> WriteArtifactRow:
    avg = _average_price(order.filled_notional, order.filled, price_tick) if order.filled else None
    return WriteArtifactRow(
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


class _Book:
    """The mutable working copy of one event's trading state, folded back into a new state.

    Handlers stay short by sharing it; it never outlives the ``reduce`` call that made it.
    """

    __slots__ = ("state", "cash", "positions", "orders", "markets", "trips", "mode", "fills", "created", "out")

    def __init__(self, state: SessionState, out: _Out) -> None:
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
        return self.state._replace(
            seq=self.out.seq,
            cash=self.cash,
            positions=self.positions,
            orders=self.orders,
            markets=self.markets,
            trips=self.trips,
            mode=self.mode,
            fills_applied=self.fills,
            orders_created=self.created,
            **changes,
        )

    # -- order bookkeeping --

    def put(self, order: Order, ts: int) -> None:
        if order.status in ORDER_TABLE.terminal:
            self.orders = self.orders.discard(order.client_id)
            self.out.rows.append(_order_row(order, ts, self.state.params.specs[order.symbol].price_tick))
        else:
            self.orders = self.orders.set(order.client_id, order)

    def fill(self, order: Order, qty: Decimal, price: Decimal, ts: int) -> Order:
        params = self.state.params
        spec = params.specs[order.symbol]
        fee = bps_of(price * qty, params.fee_bps, spec.cash_step)
        signed = qty if order.side == "buy" else -qty
        position, realized = apply_fill(self.positions.get(order.symbol, FLAT), signed, price, fee)
        self.positions = self.positions.set(order.symbol, position)
        self.cash = self.cash - signed * price - fee
        self.fills += 1
        filled = order.filled + qty
        ordinal = order.fills + 1
        order = _move(
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
            WriteArtifactRow(
                "trades",
                (trade_id, order.client_id, order.symbol, order.side, str(qty), str(price), str(fee), str(realized), iso(ts)),
            )
        )
        return order

    def cancel(self, order: Order, reason: str, ts: int, confirm: bool) -> Order:
        """Ask the venue to cancel; with ``confirm`` the paper venue confirms at once."""
        if order.status != PENDING_CANCEL:
            order = _move(order, "request_cancel", reason=reason)
            self.out.fact(OrderCancelRequested(order.client_id, reason, ts), durable=True)
        if confirm:
            order = _move(order, "cancel")
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
        return _valuation(self.cash, self.positions, self.markets)

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


def _valuation(cash: Decimal, positions: Mapping[str, Any], markets: Mapping[str, Market]) -> tuple[Decimal, Decimal]:
    """Return equity and gross exposure at the current marks."""
    value = exposure = ZERO
    for symbol, position in positions.items():
        qty = position.qty
        if qty:
            worth = qty * (markets[symbol].mark or ZERO)
            value += worth
            exposure += worth if worth > 0 else -worth
    return cash + value, exposure


# --- trading decisions -------------------------------------------------------------------


class _Windows(Mapping[str, tuple[Decimal, ...]]):
    """A read-only view of each symbol's closes, without copying them into a dict."""

    __slots__ = ("markets",)

    def __init__(self, markets: Mapping[str, Market]) -> None:
        self.markets = markets

    def __getitem__(self, symbol: str) -> tuple[Decimal, ...]:
        return self.markets[symbol].window

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.markets))

    def __len__(self) -> int:
        return len(self.markets)


class _Signals(Mapping[str, int]):
    """A read-only view of each symbol's current target, for strategies with hysteresis."""

    __slots__ = ("markets",)

    def __init__(self, markets: Mapping[str, Market]) -> None:
        self.markets = markets

    def __getitem__(self, symbol: str) -> int:
        return self.markets[symbol].signal

    def __iter__(self) -> Iterator[str]:
        return iter(self.markets)

    def __len__(self) -> int:
        return len(self.markets)


def _changed_targets(strategy: Strategy, markets: Mapping[str, Market], symbol: str) -> dict[str, int]:
    """Return the targets the strategy moves now (only symbols with a mark can trade)."""
    targets = strategy.decide(_Windows(markets), _Signals(markets), symbol)
    return {s: t for s, t in targets.items() if t != markets[s].signal and markets[s].mark is not None}


def _decide(book: _Book, bar: BarClosed, strategy: Strategy) -> None:
    targets = _changed_targets(strategy, book.markets, bar.symbol)
    for symbol in sorted(targets):
        signal = targets[symbol]
        book.markets = book.markets.set(symbol, book.markets[symbol]._replace(signal=signal))
        _rebalance(book, symbol, signal, bar)


def _rebalance(book: _Book, symbol: str, signal: int, bar: BarClosed) -> None:
    params = book.state.params
    ts = bar.seen
    for order in _open_orders(book.orders, symbol):
        if order.status != PENDING_CANCEL:
            book.put(book.cancel(order, "target changed", ts, confirm=False), ts)
    holding = book.positions.get(symbol, FLAT).qty
    price = book.mark(symbol)
    equity, _ = book.equity_and_exposure()
    target = target_quantity(signal, params.sizing, params.sizing_value, equity, price)  # type: ignore[arg-type]
    intent = translate(params.specs[symbol], target, holding, price, params.order_type, params.limit_offset_bps)  # type: ignore[arg-type]
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


def _submit(book: _Book, intent: OrderIntent, holding: Decimal, bar: BarClosed) -> None:
    params = book.state.params
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
        order = _move(order, "deny", reason="; ".join(v.detail for v in violations))
        out.fact(OrderDenied(client_id, intent.symbol, intent.side, intent.qty, reasons, ts), durable=True)
        book.put(order, ts)
        return
    order = _move(order, "submit")
    out.fact(
        OrderSubmitted(client_id, intent.symbol, intent.side, intent.qty, intent.order_type, intent.limit_price, intent.reference_price, ts),
        durable=True,
    )
    spec = params.specs[intent.symbol]
    cost = intent.notional + bps_of(intent.notional, params.fee_bps, spec.cash_step)
    if intent.side == "buy" and cost > book.cash:
        order = _move(order, "reject", reason=f"insufficient cash: needs {cost}, has {book.cash}")
        out.fact(OrderRejected(client_id, order.reason, ts), durable=True)
        book.put(order, ts)
        return
    order = _move(order, "accept")
    out.fact(OrderAccepted(client_id, ts))
    # Only the deciding bar's own symbol fills at this close; another leg (pairs) waits for
    # its own bar, or it would fill at this symbol's price and volume.
    if params.fill_at == "same_close" and order.order_type == "market" and order.symbol == bar.symbol:
        qty = fill_quantity(order, bar, params, spec)
        if qty:
            order = book.fill(order, qty, fill_price(order, bar, params, spec, at_close=True), ts)  # type: ignore[arg-type]
    book.put(order, ts)


def _work_orders(book: _Book, bar: BarClosed) -> None:
    """Let this bar act on the symbol's open orders: confirm cancels, fill, expire."""
    params = book.state.params
    spec = params.specs[bar.symbol]
    at_close = params.fill_at == "same_close"
    ts = bar.ts
    for order in _open_orders(book.orders, bar.symbol):
        if order.status == PENDING_CANCEL:
            book.put(book.cancel(order, order.reason, ts, confirm=True), ts)
            continue
        price = fill_price(order, bar, params, spec, at_close)
        if price is not None:
            qty = fill_quantity(order, bar, params, spec)
            if qty:
                order = book.fill(order, qty, price, ts)
        if order.bars_left and order.status not in ORDER_TABLE.terminal:
            order = order._replace(bars_left=order.bars_left - 1)
            if not order.bars_left:
                order = _move(order, "expire")
                book.out.fact(OrderExpired(order.client_id, ts), durable=True)
        book.put(order, ts)


# --- halting and ending --------------------------------------------------------------------


def _halt(book: _Book, violations: list[guards.Violation], ts: int) -> SessionState:
    ordered = guards.in_halt_order(violations)
    for violation in ordered:
        book.trip(violation, "halt", ts)
    causes = tuple(dict.fromkeys(v.guard for v in ordered))
    for order in _open_orders(book.orders):
        book.put(book.cancel(order, "session halted", ts, confirm=True), ts)
    status = SESSION_TABLE.next(SESSION_TABLE.next(book.state.status, "halt"), "halted")
    if book.mode != MODE_HALTED:
        book.mode = MODE_HALTED
        book.out.fact(TradingModeChanged(MODE_HALTED, ", ".join(causes), ts), durable=True)
    book.out.fact(SessionHalted(ts, causes), durable=True)
    book.out.stop = Stop(HALTED)
    return book.fold(status=status, halt_causes=causes)


_STRATEGY_MEMO: list[Any] = [None, None, None]  # name, params tuple, strategy


def _strategy(params: Any) -> Strategy:
    """The session's strategy; a one-entry memo spares the per-bar hashing of its params."""
    memo = _STRATEGY_MEMO
    if memo[1] is params.strategy_params and memo[0] == params.strategy:
        return memo[2]  # type: ignore[no-any-return]
    strategy = build(params.strategy, params.strategy_params)
    memo[:] = [params.strategy, params.strategy_params, strategy]
    return strategy


def _require_running(state: SessionState, event: Any) -> None:
    if state.status != RUNNING:
        raise ReducerError(f"{type(event).__name__} arrived while the session is {state.status}")


# --- handlers ------------------------------------------------------------------------------


def _on_started(state: SessionState, event: SessionStarted, out: _Out) -> SessionState:
    if event.session_id != state.params.session_id:
        raise ReducerError(f"SessionStarted for {event.session_id} reached session {state.params.session_id}")
    status = SESSION_TABLE.next(state.status, "start")
    out.durable = True
    return state._replace(seq=out.seq, status=status, clock=event.ts, origin=event.ts)


def _on_resumed(state: SessionState, event: SessionResumed, out: _Out) -> SessionState:
    trigger = "resume" if state.status == HALTED else "recover"
    status = SESSION_TABLE.next(SESSION_TABLE.next(state.status, trigger), "resumed")
    book = _Book(state, out)
    peak = state.peak_equity
    if guards.DRAWDOWN in event.reset_guards:
        peak, _ = book.equity_and_exposure()
    if guards.STALE_DATA in event.reset_guards:
        clock = max(state.clock, event.ts)
        book.markets = book.markets.update({s: m._replace(last_seen=clock) for s, m in book.markets.items()})
    # A reduce-only drawdown stays in force across halts and restarts until it is reset;
    # a halt replaces the mode with ``halted``, so the state keeps it as its own flag.
    reduce_only = state.reduce_only and guards.DRAWDOWN not in event.reset_guards
    mode = MODE_REDUCING if reduce_only else MODE_ACTIVE
    if mode != state.mode:
        book.mode = mode
        out.fact(TradingModeChanged(mode, "session resumed", event.ts), durable=True)
    out.durable = True
    return book.fold(
        status=status, peak_equity=peak, halt_causes=(), clock=max(state.clock, event.ts), reduce_only=reduce_only
    )


def _on_bar(state: SessionState, bar: BarClosed, out: _Out) -> SessionState:
    if state.status != RUNNING:
        _require_running(state, bar)
    params = state.params
    market = state.markets.get(bar.symbol)
    if market is None:
        raise ReducerError(f"bar for {bar.symbol}, which is not in this session")
    if market.last_ts is not None and bar.ts <= market.last_ts:
        raise ReducerError(f"bar for {bar.symbol} at {bar.ts} is not after its last bar at {market.last_ts}")
    halts: list[guards.Violation] = []
    clock, origin = state.clock, state.origin
    if bar.seen > clock:
        # Staleness is judged once a timestamp is complete, i.e. at the clock we are leaving.
        if clock and origin:
            late = guards.stale(params, state.markets, origin, clock)
            if late:
                halts.append(late)
        origin = origin or bar.seen
        clock = bar.seen
    strategy = _strategy(params)
    window = market.window + (bar.close,)
    if len(window) > strategy.window:
        window = window[-strategy.window:]
    if not state.orders:
        # The common bar moves no order: touch only the mark, the window and the guard
        # figures, and build the full working copy only if something is about to trade.
        markets = state.markets.set(bar.symbol, Market(bar.close, bar.ts, bar.seen, window, market.signal))
        equity, exposure = _valuation(state.cash, state.positions, markets)
        peak = equity if equity > state.peak_equity else state.peak_equity
        if not halts and state.mode == MODE_ACTIVE and guards.drawdown(params, equity, peak) is None:
            if not _changed_targets(strategy, markets, bar.symbol):
                out.rows.append(_account_row(bar, state.cash, equity, exposure, peak, state.mode))
                return state._replace(seq=out.seq, markets=markets, clock=clock, origin=origin, peak_equity=peak)
    book = _Book(state, out)
    if book.orders:
        _work_orders(book, bar)
    book.markets = book.markets.set(bar.symbol, Market(bar.close, bar.ts, bar.seen, window, market.signal))
    equity, exposure = book.equity_and_exposure()
    peak = equity if equity > state.peak_equity else state.peak_equity
    deep = guards.drawdown(params, equity, peak)
    if deep is not None:
        if params.drawdown_action == "halt":
            halts.append(deep)
        elif book.mode == MODE_ACTIVE:
            book.trip(deep, "reduce", bar.seen)
            book.mode = MODE_REDUCING
            book.state = book.state._replace(reduce_only=True)
            out.fact(TradingModeChanged(MODE_REDUCING, guards.DRAWDOWN, bar.seen), durable=True)
    if halts:
        out.rows.append(_account_row(bar, book.cash, equity, exposure, peak, book.mode))
        book.state = book.state._replace(clock=clock, origin=origin, peak_equity=peak)
        return _halt(book, halts, bar.seen)
    if book.mode != MODE_HALTED:
        fills = book.fills
        _decide(book, bar, strategy)
        if book.fills != fills:
            # A same_close fill moved cash and the position after the mark was taken.
            equity, exposure = book.equity_and_exposure()
    out.rows.append(_account_row(bar, book.cash, equity, exposure, peak, book.mode))
    return book.fold(clock=clock, origin=origin, peak_equity=peak)


def _account_row(bar: BarClosed, cash: Decimal, equity: Decimal, exposure: Decimal, peak: Decimal, mode: str) -> WriteArtifactRow:
    return WriteArtifactRow(
        "account",
        (iso(bar.seen), bar.symbol, str(cash), str(equity), str(exposure), str(guards.drawdown_bps(equity, peak)), mode),
    )


def _on_clock(state: SessionState, event: ClockTicked, out: _Out) -> SessionState:
    _require_running(state, event)
    if event.now <= state.clock:
        return state._replace(seq=out.seq)
    origin = state.origin or event.now
    late = guards.stale(state.params, state.markets, origin, event.now)
    if late:
        book = _Book(state._replace(clock=event.now, origin=origin), out)
        return _halt(book, [late], event.now)
    return state._replace(seq=out.seq, clock=event.now, origin=origin)


def _halt_now(state: SessionState, out: _Out, ts: int, cause: guards.Violation) -> SessionState:
    """Halt for an outside cause, recording every other halt cause present at the same moment."""
    clock = max(state.clock, ts)
    origin = state.origin or clock
    found = [cause]
    late = guards.stale(state.params, state.markets, origin, clock) if cause.guard != guards.STALE_DATA else None
    if late:
        found.append(late)
    book = _Book(state._replace(clock=clock, origin=origin), out)
    equity, _ = book.equity_and_exposure()
    deep = guards.drawdown(state.params, equity, state.peak_equity)
    if deep is not None and state.params.drawdown_action == "halt":
        found.append(deep)
    return _halt(book, found, clock)


def _on_kill_switch(state: SessionState, event: KillSwitchTripped, out: _Out) -> SessionState:
    _require_running(state, event)
    cause = guards.Violation(guards.KILL_SWITCH, "present", "absent", f"kill-switch file {event.path}")
    return _halt_now(state, out, event.ts, cause)


def _on_operator(state: SessionState, event: OperatorHalted, out: _Out) -> SessionState:
    _require_running(state, event)
    return _halt_now(state, out, event.ts, guards.Violation(guards.OPERATOR, "requested", "-", event.reason))


def _on_stalled(state: SessionState, event: FeedStalled, out: _Out) -> SessionState:
    _require_running(state, event)
    after = state.params.stale_after_s
    limit = "-" if after is None else f"{after}s"  # a feed can fail with no staleness limit set
    cause = guards.Violation(guards.STALE_DATA, "feed failed", limit, f"{event.symbol}: {event.reason}")
    return _halt_now(state, out, event.ts, cause)


def _on_feed_ended(state: SessionState, event: FeedEnded, out: _Out) -> SessionState:
    _require_running(state, event)
    book = _Book(state, out)
    ts = max(state.clock, event.ts)
    for order in _open_orders(book.orders):
        if order.status == PENDING_CANCEL:
            order = book.cancel(order, order.reason, ts, confirm=True)
        else:
            order = _move(order, "expire", reason="session ended")
            out.fact(OrderExpired(order.client_id, ts), durable=True)
        book.put(order, ts)
    out.fact(SessionCompleted(ts), durable=True)
    out.stop = Stop(COMPLETED)
    return book.fold(status=SESSION_TABLE.next(state.status, "complete"), clock=ts)


_HANDLERS: dict[type, Callable[[SessionState, Any, _Out], SessionState]] = {
    SessionStarted: _on_started,
    SessionResumed: _on_resumed,
    BarClosed: _on_bar,
    ClockTicked: _on_clock,
    KillSwitchTripped: _on_kill_switch,
    OperatorHalted: _on_operator,
    FeedStalled: _on_stalled,
    FeedEnded: _on_feed_ended,
}


def reduce(state: SessionState, event: Any) -> tuple[SessionState, tuple[Any, ...]]:
    """Apply one input event; return the new state and the effects the shell must perform."""
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise ReducerError(f"{type(event).__name__} is not an input event")
    out = _Out(state.seq, event)
    try:
        new_state = handler(state, event, out)
    except IllegalTransition as exc:
        raise ReducerError(str(exc)) from exc
    return new_state, out.effects()


def resume_blockers(state: SessionState, reset_guards: tuple[str, ...], kill_switch_present: bool) -> list[str]:
    """Say why a session may not resume yet (empty when it may), one line per reason."""
    if state.status == COMPLETED:
        return ["the session already completed; start a new session instead"]
    if state.status not in (CREATED, RUNNING, HALTING, HALTED):
        return [f"a session in state {state.status} cannot resume"]
    blockers = []
    if kill_switch_present:
        blockers.append("the kill-switch file is present; remove it to resume")
    if guards.DRAWDOWN in state.halt_causes and guards.DRAWDOWN not in reset_guards:
        blockers.append("halted by the drawdown guard; pass --reset-guard drawdown to accept the loss and restart the peak")
    if guards.STALE_DATA in state.halt_causes and guards.STALE_DATA not in reset_guards:
        blockers.append("halted on stale data; pass --reset-guard stale_data once the feed is fresh again")
    return blockers
