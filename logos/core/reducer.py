"""The reducer: ``reduce(state, event) -> (state, effects)``, the only way state changes.

Each input event gets the next ``seq``; the facts it causes (order transitions, fills,
guard trips) get the ones after it. The journal effect always comes first, so the shell
writes what happened before it acts on it.
"""

from __future__ import annotations

from typing import Any, Callable

from logos.core import guards
from logos.core.book import Book, Out, move, open_orders
from logos.core.effects import Stop, artifact_row, journal_one
from logos.core.events import (
    BarClosed,
    ClockTicked,
    FeedEnded,
    FeedStalled,
    KillSwitchTripped,
    OperatorHalted,
    OrderExpired,
    SessionCompleted,
    SessionHalted,
    SessionPaused,
    SessionResumed,
    SessionStarted,
    TradingModeChanged,
    WarmupBar,
)
from logos.core.fsm import IllegalTransition
from logos.core.order_fsm import PENDING_CANCEL
from logos.core.session_fsm import (
    COMPLETED,
    CREATED,
    HALTED,
    HALTING,
    MODE_ACTIVE,
    MODE_HALTED,
    MODE_REDUCING,
    PAUSED,
    RUNNING,
    SESSION_TABLE,
)
from logos.core.quiet import reduce_run
from logos.core.state import Market, SessionState
from logos.core.strategies import roll
from logos.core.trading import account_row, decide, session_strategy, work_orders


class ReducerError(Exception):
    """An event that cannot apply to this state: a bug in whoever sent it, never a user error."""


# --- halting and ending --------------------------------------------------------------------


def _halt(book: Book, violations: list[guards.Violation], ts: int) -> SessionState:
    ordered = guards.in_halt_order(violations)
    for violation in ordered:
        book.trip(violation, "halt", ts)
    causes = tuple(dict.fromkeys(v.guard for v in ordered))
    for order in open_orders(book.orders):
        book.put(book.cancel(order, "session halted", ts, confirm=True), ts)
    status = SESSION_TABLE.next(SESSION_TABLE.next(book.state.status, "halt"), "halted")
    if book.mode != MODE_HALTED:
        book.mode = MODE_HALTED
        book.out.fact(TradingModeChanged(MODE_HALTED, ", ".join(causes), ts), durable=True)
    book.out.fact(SessionHalted(ts, causes), durable=True)
    book.out.stop = Stop(HALTED)
    return book.fold(status=status, halt_causes=causes)




def _require_running(state: SessionState, event: Any) -> None:
    if state.status != RUNNING:
        raise ReducerError(f"{type(event).__name__} arrived while the session is {state.status}")


# --- handlers ------------------------------------------------------------------------------


def _on_started(state: SessionState, event: SessionStarted, out: Out) -> SessionState:
    if event.session_id != state.params.session_id:
        raise ReducerError(f"SessionStarted for {event.session_id} reached session {state.params.session_id}")
    status = SESSION_TABLE.next(state.status, "start")
    out.durable = True
    return state._replace(seq=out.seq, status=status, clock=event.ts, origin=event.ts)


def _on_resumed(state: SessionState, event: SessionResumed, out: Out) -> SessionState:
    trigger = "resume" if state.status in (HALTED, PAUSED) else "recover"
    status = SESSION_TABLE.next(SESSION_TABLE.next(state.status, trigger), "resumed")
    book = Book(state, out)
    peak = state.peak_equity
    if guards.DRAWDOWN in event.reset_guards:
        peak, _ = book.equity_and_exposure()
    if guards.STALE_DATA in event.reset_guards:
        clock = max(state.clock, event.ts)
        book.markets = book.markets.update({s: m._replace(fresh_at=clock) for s, m in book.markets.items()})
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


def _on_bar(state: SessionState, bar: BarClosed, out: Out) -> SessionState:
    return _take_bar(state, bar, out, live=True)


def _on_warmup(state: SessionState, bar: WarmupBar, out: Out) -> SessionState:
    return _take_bar(state, bar, out, live=False)


def _take_bar(state: SessionState, bar: BarClosed | WarmupBar, out: Out, live: bool) -> SessionState:
    """Mark a bar and run the guards on it; a ``live`` bar also works orders and lets the
    strategy decide, and is an account row. A warm-up bar is history: windows and marks only."""
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
        # The bar that completes it carries the halt: it is marked (a drawdown it causes is
        # recorded too) but no order works on it, since the data was stale before it came.
        if clock and origin:
            late = guards.stale(params, state.markets, origin, clock)
            if late:
                halts.append(late)
        origin = origin or bar.seen
        clock = bar.seen
    strategy = session_strategy(params)
    window, sums = roll(strategy, market, bar.close)
    book = Book(state, out)
    if live and book.orders and not halts:
        work_orders(book, bar)
    book.markets = book.markets.set(bar.symbol, Market(bar.close, bar.ts, bar.ts + params.interval_s, window, market.signal, sums))
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
        if live:
            out.rows.append(account_row(bar, book.cash, equity, exposure, peak, book.mode))
        book.state = book.state._replace(clock=clock, origin=origin, peak_equity=peak)
        return _halt(book, halts, bar.seen)
    if not live:
        return book.fold(clock=clock, origin=origin, peak_equity=peak)
    if book.mode != MODE_HALTED:
        fills = book.fills
        decide(book, bar, strategy)
        if book.fills != fills:
            # A same_close fill moved cash and the position after the mark was taken.
            equity, exposure = book.equity_and_exposure()
    out.rows.append(account_row(bar, book.cash, equity, exposure, peak, book.mode))
    return book.fold(clock=clock, origin=origin, peak_equity=peak)


def _on_clock(state: SessionState, event: ClockTicked, out: Out) -> SessionState:
    _require_running(state, event)
    if event.now <= state.clock:
        return state._replace(seq=out.seq)
    origin = state.origin or event.now
    late = guards.stale(state.params, state.markets, origin, event.now)
    if late:
        book = Book(state._replace(clock=event.now, origin=origin), out)
        return _halt(book, [late], event.now)
    return state._replace(seq=out.seq, clock=event.now, origin=origin)


def _halt_now(state: SessionState, out: Out, ts: int, cause: guards.Violation) -> SessionState:
    """Halt for an outside cause, recording every other halt cause present at the same moment."""
    clock = max(state.clock, ts)
    origin = state.origin or clock
    found = [cause]
    late = guards.stale(state.params, state.markets, origin, clock) if cause.guard != guards.STALE_DATA else None
    if late:
        found.append(late)
    book = Book(state._replace(clock=clock, origin=origin), out)
    equity, _ = book.equity_and_exposure()
    deep = guards.drawdown(state.params, equity, state.peak_equity)
    if deep is not None and state.params.drawdown_action == "halt":
        found.append(deep)
    return _halt(book, found, clock)


def _on_kill_switch(state: SessionState, event: KillSwitchTripped, out: Out) -> SessionState:
    _require_running(state, event)
    cause = guards.Violation(guards.KILL_SWITCH, "present", "absent", f"kill-switch file {event.path}")
    return _halt_now(state, out, event.ts, cause)


def _on_operator(state: SessionState, event: OperatorHalted, out: Out) -> SessionState:
    _require_running(state, event)
    return _halt_now(state, out, event.ts, guards.Violation(guards.OPERATOR, "requested", "-", event.reason))


def _on_paused(state: SessionState, event: SessionPaused, out: Out) -> SessionState:
    """Stop without cancelling: working orders stay in the state and go on after a resume."""
    _require_running(state, event)
    out.durable = True
    out.stop = Stop(PAUSED)
    return state._replace(seq=out.seq, status=SESSION_TABLE.next(state.status, "pause"), clock=max(state.clock, event.ts))


def _on_stalled(state: SessionState, event: FeedStalled, out: Out) -> SessionState:
    _require_running(state, event)
    after = state.params.stale_after_s
    limit = "-" if after is None else f"{after}s"  # a feed can fail with no staleness limit set
    cause = guards.Violation(guards.STALE_DATA, "feed failed", limit, f"{event.symbol}: {event.reason}")
    return _halt_now(state, out, event.ts, cause)


def _on_feed_ended(state: SessionState, event: FeedEnded, out: Out) -> SessionState:
    _require_running(state, event)
    book = Book(state, out)
    ts = max(state.clock, event.ts)
    for order in open_orders(book.orders):
        if order.status == PENDING_CANCEL:
            order = book.cancel(order, order.reason, ts, confirm=True)
        else:
            order = move(order, "expire", reason="session ended")
            out.fact(OrderExpired(order.client_id, ts), durable=True)
        book.put(order, ts)
    out.fact(SessionCompleted(ts), durable=True)
    out.stop = Stop(COMPLETED)
    return book.fold(status=SESSION_TABLE.next(state.status, "complete"), clock=ts)


_HANDLERS: dict[type, Callable[[SessionState, Any, Out], SessionState]] = {
    SessionStarted: _on_started,
    SessionResumed: _on_resumed,
    BarClosed: _on_bar,
    WarmupBar: _on_warmup,
    ClockTicked: _on_clock,
    KillSwitchTripped: _on_kill_switch,
    OperatorHalted: _on_operator,
    SessionPaused: _on_paused,
    FeedStalled: _on_stalled,
    FeedEnded: _on_feed_ended,
}


def reduce(state: SessionState, event: Any) -> tuple[SessionState, tuple[Any, ...]]:
    """Apply one input event; return the new state and the effects the shell must perform."""
    if type(event) is BarClosed:
        quiet, effects, taken = reduce_run(state, (event,))
        if taken:  # a quiet bar: the run's effects, in the shape of one event's
            lines, rows = effects
            return quiet, (journal_one(*lines.entries[0]), artifact_row(rows.artifact, rows.rows[0]))
    return reduce_full(state, event)


def reduce_full(state: SessionState, event: Any) -> tuple[SessionState, tuple[Any, ...]]:
    """``reduce`` without trying the quiet path first: for a bar ``reduce_run`` just refused."""
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise ReducerError(f"{type(event).__name__} is not an input event")
    out = Out(state.seq, event)
    try:
        new_state = handler(state, event, out)
    except IllegalTransition as exc:
        raise ReducerError(str(exc)) from exc
    return new_state, out.effects()


def resume_blockers(state: SessionState, reset_guards: tuple[str, ...], kill_switch_present: bool) -> list[str]:
    """Say why a session may not resume yet (empty when it may), one line per reason."""
    if state.status == COMPLETED:
        return ["the session already completed; start a new session instead"]
    if state.status not in (CREATED, RUNNING, HALTING, HALTED, PAUSED):
        return [f"a session in state {state.status} cannot resume"]
    blockers = []
    if kill_switch_present:
        blockers.append("the kill-switch file is present; remove it to resume")
    if guards.DRAWDOWN in state.halt_causes and guards.DRAWDOWN not in reset_guards:
        blockers.append("halted by the drawdown guard; pass --reset-guard drawdown to accept the loss and restart the peak")
    if guards.STALE_DATA in state.halt_causes and guards.STALE_DATA not in reset_guards:
        blockers.append("halted on stale data; pass --reset-guard stale_data once the feed is fresh again")
    return blockers
