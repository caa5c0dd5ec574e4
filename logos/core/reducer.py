"""The reducer: ``reduce(state, event) -> (state, effects)``, the only way state changes.

Each input event gets the next ``seq``; the facts it causes (order transitions, fills,
guard trips) get the ones after it. The journal effect always comes first, so the shell
writes what happened before it acts on it.

``reduce_events`` applies a run of inputs in one call: one working copy (``Book``) is
opened on the state, every event goes through the same handler it would alone, and the
copy is folded into one new state at the end. A replay at full speed hands it hundreds of
bars at a time; ``reduce`` is a run of one. A property holds a run equal to ``reduce``
event by event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from logos.core import guards
from logos.core.book import Book, Out, move, open_orders
from logos.core.effects import Stop
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
    StrategyChanged,
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
from logos.core.state import Market, SessionState
from logos.core.strategy import Strategy, targets_problem
from logos.core.timestamps import iso
from logos.core.trading import act_on, work_orders


class ReducerError(Exception):
    """An event that cannot apply to this state: a bug in whoever sent it, never a user error."""


# --- halting and ending --------------------------------------------------------------------


def _halt(book: Book, violations: list[guards.Violation], ts: int) -> None:
    ordered = guards.in_halt_order(violations)
    for violation in ordered:
        book.trip(violation, "halt", ts)
    causes = tuple(dict.fromkeys(v.guard for v in ordered))
    for order in open_orders(book.orders):
        book.put(book.cancel(order, "session halted", ts, confirm=True), ts)
    book.status = SESSION_TABLE.next(SESSION_TABLE.next(book.status, "halt"), "halted")
    if book.mode != MODE_HALTED:
        book.mode = MODE_HALTED
        book.out.fact(TradingModeChanged(MODE_HALTED, ", ".join(causes), ts), durable=True)
    book.out.fact(SessionHalted(ts, causes), durable=True)
    book.out.stop = Stop(HALTED)
    book.halt_causes = causes


def _require_running(book: Book, event: Any) -> None:
    if book.status != RUNNING:
        raise ReducerError(f"{type(event).__name__} arrived while the session is {book.status}")


def _stale_at(book: Book, now: int) -> guards.Violation | None:
    """The stale-data violation at ``now``, or None; the full check runs only past the floor."""
    limit = book.params.stale_after_s
    if limit is None or now - book.fresh_floor <= limit:  # no symbol can be stale yet
        return None
    late = guards.stale(book.params, book.markets, book.origin, now)
    if late is None:
        book.fresh_floor = guards.oldest_seen(book.markets, book.origin)
    return late


# --- handlers ------------------------------------------------------------------------------


def _on_started(book: Book, event: SessionStarted) -> None:
    if event.session_id != book.params.session_id:
        raise ReducerError(f"SessionStarted for {event.session_id} reached session {book.params.session_id}")
    book.status = SESSION_TABLE.next(book.status, "start")
    book.out.durable = True
    book.clock = book.origin = event.ts


def _on_resumed(book: Book, event: SessionResumed) -> None:
    trigger = "resume" if book.status in (HALTED, PAUSED) else "recover"
    status = SESSION_TABLE.next(SESSION_TABLE.next(book.status, trigger), "resumed")
    clock = max(book.clock, event.ts)
    if guards.DRAWDOWN in event.reset_guards:
        book.peak = book.equity()
    if guards.STALE_DATA in event.reset_guards:
        for symbol, market in book.markets.items():
            book.markets[symbol] = market._replace(fresh_at=clock)
        book.fresh_floor = clock
    # A reduce-only drawdown stays in force across halts and restarts until it is reset;
    # a halt replaces the mode with ``halted``, so the state keeps it as its own flag.
    book.reduce_only = book.reduce_only and guards.DRAWDOWN not in event.reset_guards
    mode = MODE_REDUCING if book.reduce_only else MODE_ACTIVE
    if mode != book.mode:
        book.mode = mode
        book.out.fact(TradingModeChanged(mode, "session resumed", event.ts), durable=True)
    book.out.durable = True
    book.status, book.halt_causes, book.clock = status, (), clock


def _take_bar(book: Book, bar: BarClosed | WarmupBar) -> None:
    """Mark a bar and run the guards on it; a live bar (``BarClosed``) also works the
    symbol's orders, lets the strategy decide and is an account row. A ``WarmupBar`` is
    history: windows and marks only. Every bar of every session goes through here."""
    if book.status != RUNNING:
        _require_running(book, bar)
    symbol, ts, _, high, low, close, _, seen = bar
    market = book.markets.get(symbol)
    if market is None:
        raise ReducerError(f"bar for {symbol}, which is not in this session")
    if market.last_ts is not None and ts <= market.last_ts:
        raise ReducerError(f"bar for {symbol} at {ts} is not after its last bar at {market.last_ts}")
    live = bar if type(bar) is BarClosed else None  # a live bar; None for a WarmupBar
    params = book.params
    halts = None
    clock = book.clock
    if seen > clock:
        # Staleness is judged once a timestamp is complete, i.e. at the clock we are leaving.
        # The bar that completes it carries the halt: it is marked (a drawdown it causes is
        # recorded too) but no order works on it, since the data was stale before it came.
        if clock and book.origin:
            late = _stale_at(book, clock)
            if late:
                halts = [late]
        book.origin = book.origin or seen
        book.clock = seen
    if live is not None and halts is None and symbol in book.working:
        work_orders(book, live)
    fresh = ts + params.interval_s
    if fresh < book.fresh_floor:
        book.fresh_floor = fresh
    equity = book.remark(symbol, book.roll(market, close, ts, fresh, high, low), market)
    peak = book.peak
    if equity > peak:
        book.peak = peak = equity
    bps = book.drawdown_within(equity, peak)
    if bps is None:
        deep = guards.drawdown(params, equity, peak)
        if params.drawdown_action == "halt":
            halts = (halts or []) + [deep]  # type: ignore[list-item]
        elif book.mode == MODE_ACTIVE:
            book.trip(deep, "reduce", seen)  # type: ignore[arg-type]
            book.mode = MODE_REDUCING
            book.reduce_only = True
            book.out.fact(TradingModeChanged(MODE_REDUCING, guards.DRAWDOWN, seen), durable=True)
    if halts:
        if live is not None:
            book.out.account.append((iso(seen), symbol, *book.row_tail(equity, bps)))
        _halt(book, halts, seen)
        return
    if live is None:
        return
    if book.mode != MODE_HALTED:
        try:
            targets = book.strategy.decide(book.view, symbol)
        except Exception as exc:  # the operator's code: any failure halts the session, never the process
            _strategy_failed(book, bar, equity, bps, exc)
            return
        if targets:
            failed = _targets_problem(targets, book.markets)
            if failed:
                _strategy_failed(book, bar, equity, bps, failed)
                return
            fills = book.fills
            act_on(book, live, targets)
            if book.fills != fills:
                # A same_close fill moved cash and the position after the mark was taken.
                equity, bps = book.equity(), None
    book.out.account.append((iso(seen), symbol, *book.row_tail(equity, bps)))


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _targets_problem(targets: Any, markets: Mapping[str, Market]) -> str | Exception | None:
    """What is wrong with the targets a strategy returned; an odd mapping may raise as it is read."""
    try:
        return targets_problem(targets, markets)
    except Exception as exc:
        return exc


def _strategy_failed(book: Book, bar: BarClosed | WarmupBar, equity: Decimal, bps: Decimal | None, failed: str | Exception) -> None:
    """Halt on a strategy's failure, naming the strategy, the bar and the error: the bar keeps
    its account row. An object's address in the message would differ on a replay, which must
    derive the same halt, so it is left out."""
    error = f"{type(failed).__name__}: {failed}" if isinstance(failed, Exception) else failed
    detail = _ADDRESS.sub("", f"strategy {book.params.strategy} failed on the {bar.symbol} bar of {iso(bar.ts)}: {error}")
    book.out.account.append((iso(bar.seen), bar.symbol, *book.row_tail(equity, bps)))
    _halt(book, [guards.Violation(guards.STRATEGY, "failed", "-", detail)], bar.seen)


def _on_strategy_changed(book: Book, event: StrategyChanged) -> None:
    """Record the strategy code the operator accepted on resume: its fingerprint and values."""
    if book.status == COMPLETED:
        raise ReducerError("StrategyChanged arrived after the session completed")
    values = tuple((name, text) for name, _, text in (value.partition("=") for value in event.values))
    book.params = book.params._replace(strategy_fingerprint=event.fingerprint, strategy_values=values)
    book.out.durable = True


def _on_clock(book: Book, event: ClockTicked) -> None:
    _require_running(book, event)
    if event.now <= book.clock:
        return
    book.origin = book.origin or event.now
    book.clock = event.now
    late = _stale_at(book, event.now)
    if late:
        _halt(book, [late], event.now)


def _halt_now(book: Book, ts: int, cause: guards.Violation) -> None:
    """Halt for an outside cause, recording every other halt cause present at the same moment."""
    book.clock = max(book.clock, ts)
    book.origin = book.origin or book.clock
    found = [cause]
    late = _stale_at(book, book.clock) if cause.guard != guards.STALE_DATA else None
    if late:
        found.append(late)
    deep = guards.drawdown(book.params, book.equity(), book.peak)
    if deep is not None and book.params.drawdown_action == "halt":
        found.append(deep)
    _halt(book, found, book.clock)


def _on_kill_switch(book: Book, event: KillSwitchTripped) -> None:
    _require_running(book, event)
    _halt_now(book, event.ts, guards.Violation(guards.KILL_SWITCH, "present", "absent", f"kill-switch file {event.path}"))


def _on_operator(book: Book, event: OperatorHalted) -> None:
    _require_running(book, event)
    _halt_now(book, event.ts, guards.Violation(guards.OPERATOR, "requested", "-", event.reason))


def _on_paused(book: Book, event: SessionPaused) -> None:
    """Stop without cancelling: working orders stay in the state and go on after a resume."""
    _require_running(book, event)
    book.status = SESSION_TABLE.next(book.status, "pause")
    book.clock = max(book.clock, event.ts)
    book.out.durable = True
    book.out.stop = Stop(PAUSED)


def _on_stalled(book: Book, event: FeedStalled) -> None:
    _require_running(book, event)
    after = book.params.stale_after_s
    limit = "-" if after is None else f"{after}s"  # a feed can fail with no staleness limit set
    _halt_now(book, event.ts, guards.Violation(guards.STALE_DATA, "feed failed", limit, f"{event.symbol}: {event.reason}"))


def _on_feed_ended(book: Book, event: FeedEnded) -> None:
    _require_running(book, event)
    ts = book.clock = max(book.clock, event.ts)
    for order in open_orders(book.orders):
        if order.status == PENDING_CANCEL:
            order = book.cancel(order, order.reason, ts, confirm=True)
        else:
            order = move(order, "expire", reason="session ended")
            book.out.fact(OrderExpired(order.client_id, ts), durable=True)
        book.put(order, ts)
    book.out.fact(SessionCompleted(ts), durable=True)
    book.out.stop = Stop(COMPLETED)
    book.status = SESSION_TABLE.next(book.status, "complete")


_HANDLERS: dict[type, Callable[[Book, Any], None]] = {
    SessionStarted: _on_started,
    SessionResumed: _on_resumed,
    StrategyChanged: _on_strategy_changed,
    BarClosed: _take_bar,
    WarmupBar: _take_bar,
    ClockTicked: _on_clock,
    KillSwitchTripped: _on_kill_switch,
    OperatorHalted: _on_operator,
    SessionPaused: _on_paused,
    FeedStalled: _on_stalled,
    FeedEnded: _on_feed_ended,
}


def reduce(state: SessionState, event: Any, strategy: Strategy | None = None) -> tuple[SessionState, tuple[Any, ...]]:
    """Apply one input event; return the new state and the effects the shell must perform.

    ``strategy`` is the one the shell loaded for the session; None runs the built-in the
    params name.
    """
    new_state, effects, _ = reduce_events(state, (event,), 0, None, strategy)
    return new_state, effects


def reduce_events(
    state: SessionState, events: Sequence[Any], start: int = 0, stop: int | None = None, strategy: Strategy | None = None
) -> tuple[SessionState, tuple[Any, ...], int]:
    """Apply ``events[start:stop]`` in order, as ``reduce`` would one by one, in one call.

    The run ends early after an event that stops the session, or before one that cannot
    apply (which raises when it is the first). Returns the state after the last event
    taken, the run's effects (its journal lines, then its rows, logs and stop) and how many
    events it took.
    """
    out = Out(state.seq)
    book = Book(state, out, strategy)
    handlers = _HANDLERS
    taken = 0
    entries = out.entries
    for event in events[start:stop]:
        handler = handlers.get(type(event))
        if handler is None:
            raise ReducerError(f"{type(event).__name__} is not an input event")
        out.seq += 1
        entries.append((out.seq, event))  # an input's line comes before the facts it causes
        try:
            handler(book, event)
        except ReducerError:
            if not taken:
                raise
            # Handlers refuse before they change anything: the run ends before this event.
            out.entries.pop()
            out.seq -= 1
            break
        except IllegalTransition as exc:
            raise ReducerError(str(exc)) from exc
        taken += 1
        if out.stop is not None:
            break
    return book.fold(), out.effects(), taken


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
    if guards.STRATEGY in state.halt_causes and guards.STRATEGY not in reset_guards:
        blockers.append(f"halted by a failure of strategy {state.params.strategy}; fix it, then pass --reset-guard strategy")
    return blockers
