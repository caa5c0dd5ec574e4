"""Risk guards: pure functions that return every violation they see, never just the first.

Each limit trips only when strictly exceeded: a value exactly at its limit is allowed.
Causes that halt a session are recorded in ``HALT_ORDER`` so simultaneous trips always
read the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from logos.core.intents import OrderIntent
from logos.core.money import BPS
from logos.core.session_fsm import MODE_ACTIVE, MODE_HALTED, MODE_REDUCING
from logos.core.state import Market, Params

KILL_SWITCH = "kill_switch"
STALE_DATA = "stale_data"
DRAWDOWN = "drawdown"
OPERATOR = "operator"
STRATEGY = "strategy"  # the strategy raised, or returned something that is not a target
HALT_ORDER = (KILL_SWITCH, STALE_DATA, DRAWDOWN, STRATEGY, OPERATOR)

TRADING_MODE = "trading_mode"
MAX_NOTIONAL = "max_notional"
MAX_POSITION = "max_position"
MAX_EXPOSURE = "max_exposure"
PRE_TRADE_ORDER = (TRADING_MODE, MAX_NOTIONAL, MAX_POSITION, MAX_EXPOSURE)

RESETTABLE = (DRAWDOWN, STALE_DATA, STRATEGY)


class Violation(NamedTuple):
    guard: str
    measured: str
    limit: str
    detail: str


def pre_trade(
    params: Params,
    mode: str,
    intent: OrderIntent,
    holding: Decimal,
    exposure_elsewhere: Decimal,
) -> tuple[Violation, ...]:
    """Check an order before it leaves: every violated limit, in ``PRE_TRADE_ORDER``.

    ``holding`` is the symbol's position plus what its open orders will still add;
    ``exposure_elsewhere`` is the gross exposure of every other symbol.
    Orders that shrink the holding pass the exposure and position limits.
    """
    after = holding + intent.signed_qty
    reduces = abs(after) < abs(holding)
    price = intent.reference_price
    found = []
    if mode == MODE_HALTED or (mode == MODE_REDUCING and not reduces):
        found.append(Violation(TRADING_MODE, mode, MODE_ACTIVE, f"{intent.symbol}: trading mode {mode} refuses this order"))
    if params.max_notional is not None and intent.notional > params.max_notional:
        found.append(Violation(MAX_NOTIONAL, str(intent.notional), str(params.max_notional), f"{intent.symbol} order notional"))
    if not reduces:
        position_value = abs(after) * price
        if params.max_position is not None and position_value > params.max_position:
            found.append(Violation(MAX_POSITION, str(position_value), str(params.max_position), f"{intent.symbol} position value after the order"))
        exposure = exposure_elsewhere + position_value
        if params.max_exposure is not None and exposure > params.max_exposure:
            found.append(Violation(MAX_EXPOSURE, str(exposure), str(params.max_exposure), "gross exposure after the order"))
    return tuple(found)


_CENT = Decimal("0.01")
_NO_DRAWDOWN = Decimal("0.00")


def drawdown_bps(equity: Decimal, peak: Decimal) -> Decimal:
    """Drawdown from peak in basis points (0 at or above the peak), to 0.01 bps for reports."""
    if equity >= peak or peak <= 0:
        return _NO_DRAWDOWN
    return ((peak - equity) * BPS / peak).quantize(_CENT)


def drawdown(params: Params, equity: Decimal, peak: Decimal) -> Violation | None:
    limit = params.max_drawdown_bps
    # Cross-multiplied so the check itself is exact; the measured figure is rounded for reading.
    if limit is None or (peak - equity) * BPS <= limit * peak:
        return None
    return Violation(DRAWDOWN, str(drawdown_bps(equity, peak)), str(limit), f"equity {equity} against peak {peak}")


def drawdown_bps_within(limit: Decimal | None, equity: Decimal, peak: Decimal) -> Decimal | None:
    """``drawdown_bps(equity, peak)``, or None where ``drawdown`` trips: the two in one pass,
    sharing the gap, for the quiet path that asks for both on every bar."""
    gap = (peak - equity) * BPS
    if limit is not None and gap > limit * peak:
        return None
    if equity >= peak or peak <= 0:
        return _NO_DRAWDOWN
    return (gap / peak).quantize(_CENT)


def stale_symbols(markets: Mapping[str, Market], origin: int, now: int, stale_after_s: int | None) -> list[tuple[str, int]]:
    """Return ``(symbol, age in seconds)`` for each symbol whose last bar is older than the limit."""
    if stale_after_s is None:
        return []
    found = []
    for symbol in sorted(markets):
        fresh = markets[symbol].fresh_at
        age = now - (fresh if fresh is not None else origin)
        if age > stale_after_s:
            found.append((symbol, age))
    return found


def stale(params: Params, markets: Mapping[str, Market], origin: int, now: int) -> Violation | None:
    limit = params.stale_after_s
    if limit is None:
        return None
    # Checked at every clock step: the common answer (all fresh) costs one pass, no sort.
    for market in markets.values():
        fresh = market.fresh_at
        if now - (fresh if fresh is not None else origin) > limit:
            break
    else:
        return None
    late = stale_symbols(markets, origin, now, limit)
    if not late:
        return None
    worst = max(age for _, age in late)
    detail = ", ".join(f"{symbol} {age}s" for symbol, age in late)
    return Violation(STALE_DATA, f"{worst}s", f"{params.stale_after_s}s", f"no fresh bar: {detail}")


def oldest_seen(markets: Mapping[str, Market], origin: int) -> int:
    """The earliest last-bar time of any symbol (``origin`` for one with no bar yet).

    ``stale`` finds a symbol exactly when ``now - oldest_seen(...)`` exceeds the limit.
    """
    return min([m.fresh_at if m.fresh_at is not None else origin for m in markets.values()], default=origin)


def next_stale_deadline(params: Params, markets: Mapping[str, Market], origin: int) -> int | None:
    """The earliest clock at which some symbol turns stale (the shell ticks the clock then)."""
    if params.stale_after_s is None or not markets:
        return None
    return oldest_seen(markets, origin) + params.stale_after_s + 1


def in_halt_order(violations: Iterable[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: HALT_ORDER.index(v.guard))
