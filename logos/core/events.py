"""Events: what happened. Inputs come from the shell; facts are derived by the reducer.

Both kinds are journaled, one JSON line each, with the ``seq`` the reducer gave them, so the
journal is a complete audit trail and a replay can check that it derives the same facts.
Times are whole seconds since the Unix epoch (UTC); money is ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

# --- inputs: supplied by the shell ------------------------------------------------------


class SessionStarted(NamedTuple):
    session_id: str
    ts: int
    seed: int
    config_hash: str


class SessionResumed(NamedTuple):
    ts: int
    reset_guards: tuple[str, ...]


class StrategyChanged(NamedTuple):
    """The operator resumed on changed strategy code (``--reset-guard strategy``): from here on
    the session runs that code, and a later resume compares against it."""

    ts: int
    fingerprint: str  # sha256 of the strategy's source
    values: tuple[str, ...]  # every parameter as ``name=JSON text``


class BarClosed(NamedTuple):
    """One minute bar. ``ts`` is the bar's open time; ``seen`` is the clock when it arrived."""

    symbol: str
    ts: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    seen: int


class WarmupBar(NamedTuple):
    """A bar that closed before the session started or resumed: history, not a trading signal.

    It fills the strategy's windows and moves the mark, but never creates or fills an order:
    a polled session's first poll returns hours of bars, and trading on them would trade the
    past. Same fields as ``BarClosed``; journaled as its own type so a replay treats it alike.
    """

    symbol: str
    ts: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    seen: int


class ClockTicked(NamedTuple):
    """The shell's clock moved while no bar arrived (real-time pacing and polling)."""

    now: int


class FeedStalled(NamedTuple):
    """A poller gave up on a symbol (network error, rate limit) after its retries."""

    ts: int
    symbol: str
    reason: str


class KillSwitchTripped(NamedTuple):
    ts: int
    path: str


class OperatorHalted(NamedTuple):
    ts: int
    reason: str


class SessionPaused(NamedTuple):
    """The operator stopped the session (Ctrl-C, SIGTERM, ``logos stop``): working orders stay working."""

    ts: int
    reason: str


class FeedEnded(NamedTuple):
    """Every symbol's feed is exhausted: the session completes."""

    ts: int


# --- facts: derived by the reducer ------------------------------------------------------


class OrderSubmitted(NamedTuple):
    client_id: str
    symbol: str
    side: str
    qty: Decimal
    order_type: str
    limit_price: Decimal | None
    reference_price: Decimal
    ts: int


class OrderDenied(NamedTuple):
    client_id: str
    symbol: str
    side: str
    qty: Decimal
    reasons: tuple[str, ...]
    ts: int


class OrderAccepted(NamedTuple):
    client_id: str
    ts: int


class OrderRejected(NamedTuple):
    client_id: str
    reason: str
    ts: int


class OrderFilled(NamedTuple):
    client_id: str
    trade_id: str
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    fee: Decimal
    realized: Decimal
    leaves: Decimal
    ts: int


class OrderCancelRequested(NamedTuple):
    client_id: str
    reason: str
    ts: int


class OrderCanceled(NamedTuple):
    client_id: str
    ts: int


class OrderExpired(NamedTuple):
    client_id: str
    ts: int


class IntentSkipped(NamedTuple):
    symbol: str
    target: Decimal
    reason: str
    ts: int


class GuardTripped(NamedTuple):
    ts: int
    guard: str
    measured: str
    limit: str
    action: str
    detail: str


class TradingModeChanged(NamedTuple):
    mode: str
    reason: str
    ts: int


class SessionHalted(NamedTuple):
    ts: int
    causes: tuple[str, ...]


class SessionCompleted(NamedTuple):
    ts: int


INPUTS = (
    SessionStarted,
    SessionResumed,
    StrategyChanged,
    BarClosed,
    WarmupBar,
    ClockTicked,
    FeedStalled,
    KillSwitchTripped,
    OperatorHalted,
    SessionPaused,
    FeedEnded,
)
FACTS = (
    OrderSubmitted,
    OrderDenied,
    OrderAccepted,
    OrderRejected,
    OrderFilled,
    OrderCancelRequested,
    OrderCanceled,
    OrderExpired,
    IntentSkipped,
    GuardTripped,
    TradingModeChanged,
    SessionHalted,
    SessionCompleted,
)
EVENT_TYPES = {cls.__name__: cls for cls in INPUTS + FACTS}
