"""The working copy of the trading state for a run of events, and the bookkeeping on it.

``reduce_events`` opens one ``Book`` on the state, lets each event of the run change it
(bars, fills, cancels, guard trips), and folds it back into one new state at the end; ``Out``
numbers the events and the facts they cause and gathers the effects. Neither outlives the
call that made them, so the core stays pure: nothing outside sees the copy change.

Figures that sum over symbols (market value, gross exposure) are held as running totals,
moved by the changed symbol's delta on each mark and each fill, so a bar costs the same
with one symbol as with five thousand. Their text is what a fresh sum would write: a sum
carries the places of its terms, so the book also counts the places of the terms held.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from logos.core import guards
from logos.core.effects import AppendJournal, Log, Stop, WriteArtifactRows
from logos.core.events import GuardTripped, OrderCanceled, OrderCancelRequested, OrderFilled
from logos.core.money import ZERO, bps_of, text
from logos.core.open_orders import OpenOrders
from logos.core.order import Order
from logos.core.order_fsm import ORDER_TABLE, PENDING_CANCEL
from logos.core.portfolio import apply_fill, unrealized
from logos.core.state import FLAT, Market, Params, SessionState, spec_of
from logos.core.strategies import session_strategy
from logos.core.strategy import Strategy
from logos.core.symbol_map import SymbolMap
from logos.core.timestamps import iso
from logos.core.windows import roller


class Out:
    """Collects what a run of events causes: numbered lines, artifact rows, logs, a stop."""

    __slots__ = ("seq", "entries", "orders", "trades", "account", "logs", "durable", "stop")

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.entries: list[tuple[int, Any]] = []
        self.orders: list[tuple[str, ...]] = []
        self.trades: list[tuple[str, ...]] = []
        self.account: list[tuple[str, ...]] = []
        self.logs: list[Log] = []
        self.durable = False
        self.stop: Stop | None = None

    def fact(self, event: Any, durable: bool = False) -> None:
        self.seq += 1
        self.entries.append((self.seq, event))
        self.durable = self.durable or durable

    def effects(self) -> tuple[Any, ...]:
        effects: list[Any] = [AppendJournal(tuple(self.entries), self.durable)]
        for name, rows in (("orders", self.orders), ("trades", self.trades), ("account", self.account)):
            if rows:
                effects.append(WriteArtifactRows(name, tuple(rows)))
        effects += self.logs
        if self.stop:
            effects.append(self.stop)
        return tuple(effects)


# --- orders -----------------------------------------------------------------------------

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
    exponent = avg.as_tuple().exponent  # an int: the average of finite amounts is finite
    return avg.quantize(step) if isinstance(exponent, int) and exponent < places else avg


def _order_row(order: Order, ts: int, price_tick: Decimal) -> tuple[str, ...]:
    avg = _average_price(order.filled_notional, order.filled, price_tick) if order.filled else None
    return (
        order.client_id,
        order.symbol,
        order.side,
        order.order_type,
        text(order.qty),
        "" if order.limit_price is None else text(order.limit_price),
        text(order.filled),
        "" if avg is None else text(avg),
        text(order.fees),
        order.status,
        ">".join(order.lifecycle),
        iso(order.submitted_ts),
        iso(ts),
        order.reason,
    )


# --- the places a sum of terms carries --------------------------------------------------


def places(value: Decimal) -> int:
    """The exponent of ``value``: how many places its text shows, negated."""
    return value.as_tuple().exponent  # type: ignore[return-value]


@lru_cache(maxsize=64)
def quantum(exponent: int) -> Decimal:
    """``1`` scaled to ``exponent``: what ``quantize`` takes to write that many places."""
    return Decimal((0, (1,), exponent))


_STATE_FIELDS = SessionState._fields


class Book:
    """The mutable working copy of the session state for one run of events.

    Handlers stay short by sharing it; ``fold`` turns it into the next state. The markets
    and positions are dicts private to the run, shown to the strategy read-only. The strategy
    is the one the shell loaded; without one, the built-in the params name (core tests).
    """

    __slots__ = (
        "params",
        "status",
        "mode",
        "clock",
        "origin",
        "cash",
        "positions",
        "markets",
        "view",
        "orders",
        "working",
        "extra",
        "extra_total",
        "_extra_exponents",
        "_unsettled",
        "peak",
        "trips",
        "halt_causes",
        "created",
        "fills",
        "reduce_only",
        "realized",
        "value",
        "exposure",
        "terms",
        "fresh_floor",
        "out",
        "strategy",
        "roll",
        "_keys",
        "_tail",
        "_equity",
        "_drawdown",
        "_cash_places",
        "_cash_text",
        "_realized_text",
        "_unrealized_base",
        "_equity_quantum",
        "_exposure_quantum",
    )

    def __init__(self, state: SessionState, out: Out, strategy: Strategy | None = None) -> None:
        self.params: Params = state.params
        self.status = state.status
        self.mode = state.mode
        self.clock = state.clock
        self.origin = state.origin
        self.cash = state.cash
        self._keys = state.markets.keys_
        self.positions = dict(state.positions.items())
        self.markets = dict(state.markets.items())
        self.view: Mapping[str, Market] = MappingProxyType(self.markets)
        self.orders = state.orders
        self.working = Counter(o.symbol for o in state.orders.values())  # symbol -> its open orders
        # What each symbol's working orders (those on their way out aside) add to gross
        # exposure at its holding and mark: running figures, so a pre-trade check reads them
        # instead of summing every open order of every symbol. An order, a fill or a bar
        # moves one symbol's term, worked out again only when a check next needs it.
        self.extra: dict[str, Decimal] = {}
        self.extra_total = ZERO
        self._extra_exponents: Counter[int] = Counter()  # places of the terms, as exponents
        self._unsettled = set(self.working)  # symbols whose term may have moved
        self.peak = state.peak_equity
        self.trips = state.trips
        self.halt_causes = state.halt_causes
        self.created = state.orders_created
        self.fills = state.fills_applied
        self.reduce_only = state.reduce_only
        self.realized = state.realized
        self.value = state.market_value
        self.exposure = state.gross_exposure
        self.terms = dict(state.value_terms)
        self.fresh_floor = state.fresh_floor
        self.out = out
        self.strategy = session_strategy(self.params) if strategy is None else strategy
        self.roll = roller(self.strategy)
        self._tail: tuple[Any, ...] = (None, None, None, None, None, ())  # the last row's figures and their text
        self._drawdown: tuple[Any, ...] = (None, None, None)  # the last bar's equity, peak and drawdown
        self._money_moved()

    def _money_moved(self) -> None:
        """Work out again what account rows need of cash and realized PnL, which only fills move."""
        self._cash_places = places(self.cash)
        self._cash_text, self._realized_text = text(self.cash), text(self.realized)
        self._unrealized_base = self.params.initial_cash + self.realized
        self._terms_moved()

    def _terms_moved(self) -> None:
        """Work out again the places the totals are written with, which change only when the
        set of held terms does: a fresh sum has those of its terms, and of cash for equity."""
        self._equity: Decimal | None = None
        if not self.terms:
            self._equity_quantum = self._exposure_quantum = None
            return
        exponent = min(0, *self.terms)
        self._exposure_quantum = quantum(exponent)
        self._equity_quantum = quantum(min(exponent, self._cash_places))

    def fold(self) -> SessionState:
        """The new state: everything the run changed, in one record."""
        keys = self._keys
        return SessionState(
            self.params,
            self.status,
            self.mode,
            self.out.seq,
            self.clock,
            self.origin,
            self.cash,
            SymbolMap(keys, tuple(self.positions.values())),
            SymbolMap(keys, tuple(self.markets.values())),
            self.orders,
            self.peak,
            self.trips,
            self.halt_causes,
            self.created,
            self.fills,
            self.reduce_only,
            self.realized,
            self.value,
            self.exposure,
            tuple(sorted(self.terms.items())),
            self.fresh_floor,
        )

    # -- order bookkeeping --

    def put(self, order: Order, ts: int) -> None:
        held = len(self.orders)
        if order.status in ORDER_TABLE.terminal:
            self.orders = self.orders.discard(order.client_id)
            self.out.orders.append(_order_row(order, ts, spec_of(self.params, order.symbol).price_tick))
        else:
            self.orders = self.orders.set(order.client_id, order)
        # The count moves only when an order opens or closes, which the length tells: a count
        # kept, not the open orders scanned on every change (a portfolio holds hundreds).
        moved = len(self.orders) - held
        if moved:
            symbol = order.symbol
            left = self.working[symbol] + moved
            if left:
                self.working[symbol] = left
            else:
                del self.working[symbol]
        self._unsettled.add(order.symbol)

    def _settle(self, symbol: str) -> None:
        """Work out ``symbol``'s term again: its working orders' leaves summed from zero in
        creation order, as a fresh sum does (a sum moved by deltas would keep the places of
        orders gone), at its holding and mark now."""
        old = self.extra.pop(symbol, None)
        if old is not None:
            self.extra_total -= old
            self._extra_exponents[places(old)] -= 1
        pending = None
        for order in self.orders.values():
            if order.symbol == symbol and order.status != PENDING_CANCEL:
                pending = (ZERO if pending is None else pending) + order.signed_leaves
        if pending is not None:
            held = self.positions[symbol].qty
            new = (abs(held + pending) - abs(held)) * (self.markets[symbol].mark or ZERO)
            self.extra[symbol] = new
            self.extra_total += new
            self._extra_exponents[places(new)] += 1

    def fill(self, order: Order, qty: Decimal, price: Decimal, ts: int) -> Order:
        params = self.params
        spec = spec_of(params, order.symbol)
        fee = bps_of(price * qty, params.fee_bps, spec.cash_step)
        signed = qty if order.side == "buy" else -qty
        before = self.positions[order.symbol]
        position, realized, flow = apply_fill(before, signed, price, fee, spec.cash_step)
        self.positions[order.symbol] = position
        self._hold(order.symbol, before.qty, position.qty)
        self.cash += flow
        self.realized += realized
        self._money_moved()
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
        # The fill record: its realized PnL, then the position it left and what that would
        # realize at the fill's price (the mark at that moment).
        self.out.trades.append(
            (
                trade_id,
                order.client_id,
                order.symbol,
                order.side,
                text(qty),
                text(price),
                text(fee),
                text(realized),
                text(position.qty),
                text(unrealized(position, price)),
                iso(ts),
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

    # -- valuation: running totals, moved by one symbol's delta --

    def remark(self, symbol: str, market: Market, old: Market) -> Decimal:
        """Set ``symbol``'s market; move the totals by what its new mark changes; return equity."""
        self.markets[symbol] = market
        if symbol in self.working:
            self._unsettled.add(symbol)  # its orders' term moves with the mark
        qty = self.positions[symbol].qty
        if not qty:
            return self.equity()
        mark, old_mark = market.mark, old.mark
        assert mark is not None and old_mark is not None  # a held position has been marked
        # A mark equal in value but written with more places (103 after 103.00) moves
        # nothing but the places the totals are written with: those are counted too.
        if mark != old_mark or not mark.same_quantum(old_mark):
            step = mark - old_mark
            self._equity = None
            self.value += qty * step
            self.exposure += (qty if qty > 0 else -qty) * step
            if not mark.same_quantum(old_mark):
                self._count(places(qty) + places(old_mark), -1)
                self._count(places(qty) + places(mark), 1)
        return self.equity()

    def _hold(self, symbol: str, before: Decimal, after: Decimal) -> None:
        """Move the totals by a change of ``symbol``'s position at its current mark."""
        mark = self.markets[symbol].mark
        if mark is None:  # never: a symbol trades only once it has a mark
            return
        if before:
            self._count(places(before) + places(mark), -1)
        if after:
            self._count(places(after) + places(mark), 1)
        self._equity = None
        if not self.terms:
            self.value = self.exposure = ZERO  # nothing held: exactly what an empty sum is
            return
        self.value += (after - before) * mark
        self.exposure += (abs(after) - abs(before)) * mark

    def _count(self, exponent: int, change: int) -> None:
        count = self.terms.get(exponent, 0) + change
        if count:
            self.terms[exponent] = count
        else:
            del self.terms[exponent]
        self._terms_moved()

    def equity(self) -> Decimal:
        """Cash plus market value, with the places a fresh sum over the held positions has
        (it is journaled in guard details and kept as the peak, so it must read the same).
        Kept until cash, a mark of a held symbol or a position moves: in a portfolio most
        bars are of a symbol not held, and the same object lets ``row_tail`` see that."""
        equity = self._equity
        if equity is None:
            equity = (self.cash + self.value).quantize(self._equity_quantum) if self.terms else self.cash  # type: ignore[arg-type]
            self._equity = equity
        return equity

    def drawdown_within(self, equity: Decimal, peak: Decimal) -> Decimal | None:
        """``guards.drawdown_bps_within`` at the session's limit, kept while equity and peak
        are the objects it was worked out for: on a bar of a symbol not held neither moves."""
        last_equity, last_peak, bps = self._drawdown
        if equity is not last_equity or peak is not last_peak:
            bps = guards.drawdown_bps_within(self.params.max_drawdown_bps, equity, peak)
            self._drawdown = (equity, peak, bps)
        return bps

    def row_tail(self, equity: Decimal, bps: Decimal | None) -> tuple[str, ...]:
        """An account row after its time and symbol: cash, equity, realized and unrealized
        PnL, gross exposure, drawdown and mode as text (``bps`` is the drawdown if already
        known). Rows repeat while nothing they show moves (a flat book, or a bar of a symbol
        not held), so the last one's is kept: the figures are the same objects until they move."""
        cash, peak, mode, exposure = self.cash, self.peak, self.mode, self.exposure
        last_cash, last_equity, last_peak, last_mode, last_exposure, tail = self._tail
        if equity is last_equity and cash is last_cash and peak is last_peak and mode == last_mode and exposure is last_exposure:
            return tail
        held = self._exposure_quantum is not None
        if bps is None:
            bps = guards.drawdown_bps(equity, peak)
        shown = text(exposure.quantize(self._exposure_quantum)) if held else "0"  # type: ignore[arg-type]
        unrealized = text(equity - self._unrealized_base)
        tail = (self._cash_text, text(equity), self._realized_text, unrealized, shown, str(bps), mode)
        self._tail = (cash, equity, peak, mode, exposure, tail)
        return tail

    def exposure_except(self, symbol: str) -> Decimal:
        """Gross exposure of every other symbol, counting what its working orders will add:
        the running figures less ``symbol``'s own, written with the places the sum over every
        other symbol's terms has (each term's places are counted, so none need be summed)."""
        total = self.exposure - abs(self.positions[symbol].qty) * (self.markets[symbol].mark or ZERO)
        working = self.working
        if len(working) == (symbol in working):  # no other symbol has an open order
            return total
        for other in self._unsettled:
            self._settle(other)
        self._unsettled.clear()
        extra = self.extra
        mine = extra.get(symbol)
        if len(extra) == (mine is not None):  # each other symbol's orders are on their way out
            return total
        skip = None if mine is None else places(mine)
        exponent = min(places(total), *(e for e, n in self._extra_exponents.items() if n > (e == skip)))
        others = self.extra_total if mine is None else self.extra_total - mine
        return (total + others).quantize(quantum(exponent))


def valuation(cash: Decimal, positions: Mapping[str, Any], markets: Mapping[str, Market]) -> tuple[Decimal, Decimal]:
    """Equity and gross exposure summed afresh over every position: what the totals must equal."""
    value = exposure = ZERO
    for symbol, position in positions.items():
        qty = position.qty
        if qty:
            worth = qty * (markets[symbol].mark or ZERO)
            value += worth
            exposure += worth if worth > 0 else -worth
    return cash + value, exposure


def open_orders(orders: OpenOrders, symbol: str | None = None) -> list[Order]:
    """The open orders (of ``symbol``, when given), oldest first."""
    return [o for o in orders.values() if symbol is None or o.symbol == symbol]


__all__ = ["FLAT", "Book", "Out", "move", "open_orders", "valuation"]
