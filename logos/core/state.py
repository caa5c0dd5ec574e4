"""Session state: immutable records and pyrsistent maps; each handler returns a new one.

Records are ``NamedTuple`` because ``_replace`` costs ~1.5 µs against ~5.4 µs for a
``PRecord.set`` and a bar touches a few of them. Guard trips are a pyrsistent vector, so
a new state shares everything it did not change with the old one; per-symbol state lives
in a ``SymbolMap`` because a session's symbols are fixed, and open orders in an
``OpenOrders`` tuple because a session has a handful, always read oldest first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from pyrsistent import PMap, PVector, pvector

from logos.core.money import ZERO
from logos.core.open_orders import OpenOrders
from logos.core.session_fsm import CREATED, MODE_ACTIVE
from logos.core.symbol_map import SymbolMap
from logos.core.symbols import SymbolSpec


class Params(NamedTuple):
    """Everything fixed for the life of a session; written into the snapshot and session.md."""

    session_id: str
    seed: int
    specs: PMap  # symbol -> SymbolSpec
    symbols: tuple[str, ...]
    strategy: str  # as the operator named it: a built-in, an entry point, module:Class or file.py:Class
    strategy_params: tuple[tuple[str, str], ...]  # the parameters given, sorted (name, JSON text) pairs
    # What the code made of them, and the code itself: every parameter's value (defaults too)
    # and the sha256 of the strategy's source. A resume refuses code or values that differ.
    strategy_values: tuple[tuple[str, str], ...]
    strategy_fingerprint: str
    sizing: str  # notional | equity_fraction | units
    sizing_value: Decimal
    order_type: str  # market | limit
    limit_offset_bps: Decimal
    limit_ttl_bars: int
    fill_at: str  # next_open | same_close
    slippage_bps: Decimal
    fee_bps: Decimal
    volume_share: Decimal
    initial_cash: Decimal
    max_notional: Decimal | None
    max_exposure: Decimal | None
    max_position: Decimal | None
    max_drawdown_bps: Decimal | None
    drawdown_action: str  # halt | reduce
    stale_after_s: int | None
    interval_s: int


class Lot(NamedTuple):
    qty: Decimal  # signed: negative lots are shorts
    price: Decimal
    cost: Decimal  # signed cash it cost, on the cash step: qty x price rounded (a short's is negative)


class Position(NamedTuple):
    qty: Decimal
    lots: tuple[Lot, ...]  # FIFO: the oldest lot closes first
    realized: Decimal  # net of fees
    fees: Decimal


FLAT = Position(ZERO, (), ZERO, ZERO)


class Market(NamedTuple):
    """What the session knows of one symbol's market: its mark, its last bar, its window."""

    mark: Decimal | None
    last_ts: int | None  # open time of the last bar seen
    # Close time of its newest bar, or the clock when a stale-data reset restarted the count:
    # staleness is the clock minus this, so a feed delivering old bars is stale however fast it is.
    fresh_at: int | None
    window: tuple[Decimal, ...]  # recent closes, as many as the strategy needs
    signal: Decimal | int  # the strategy's last target, in [-1, 1]
    sums: tuple[Decimal, ...] = ()  # rolling sums of the last n closes, one per n the strategy names
    highs: tuple[Decimal, ...] = ()  # recent bar highs, only when the strategy declares them
    lows: tuple[Decimal, ...] = ()  # recent bar lows, likewise


NO_MARKET = Market(None, None, None, (), 0, (), (), ())


class SessionState(NamedTuple):
    params: Params
    status: str
    mode: str
    seq: int
    clock: int  # the latest time the shell has told us (0 before the first event)
    origin: int  # clock at session start: staleness of a symbol with no bar yet counts from here
    cash: Decimal
    positions: SymbolMap  # symbol -> Position
    markets: SymbolMap  # symbol -> Market
    orders: OpenOrders  # client_id -> Order, open orders only, oldest first (closed ones are in orders.csv)
    peak_equity: Decimal
    trips: PVector  # GuardTripped, every guard trip in order (the same facts the journal holds)
    halt_causes: tuple[str, ...]
    orders_created: int
    fills_applied: int
    reduce_only: bool  # a reduce-action drawdown trip is in force until --reset-guard drawdown
    realized: Decimal  # realized PnL of every position, net of fees: a running total
    # Running totals over the positions, moved by one symbol's delta per mark or fill (a
    # property holds them equal to a fresh sum after every event):
    market_value: Decimal  # sum of qty x mark
    gross_exposure: Decimal  # sum of abs(qty) x mark
    value_terms: tuple[tuple[int, int], ...]  # (places of qty x mark, how many held symbols have them)
    fresh_floor: int  # at most the oldest fresh_at (or origin): no symbol is stale while clock - this <= the limit


def initial_state(params: Params) -> SessionState:
    return SessionState(
        params=params,
        status=CREATED,
        mode=MODE_ACTIVE,
        seq=0,
        clock=0,
        origin=0,
        cash=params.initial_cash,
        positions=SymbolMap.filled(params.symbols, FLAT),
        markets=SymbolMap.filled(params.symbols, NO_MARKET),
        orders=OpenOrders(),
        peak_equity=params.initial_cash,
        trips=pvector(),
        halt_causes=(),
        orders_created=0,
        fills_applied=0,
        reduce_only=False,
        realized=ZERO,
        market_value=ZERO,
        gross_exposure=ZERO,
        value_terms=(),
        fresh_floor=0,
    )


# The specs of the session last asked about, as (the pmap, the same as a dict): one tuple,
# so swapping it is a single store.
_SPECS_MEMO: list[tuple[PMap | None, dict[str, SymbolSpec]]] = [(None, {})]


def spec_of(params: Params, symbol: str) -> SymbolSpec:
    """``params.specs[symbol]`` through a dict copy of the pmap: ~20x cheaper, five per order."""
    specs, table = _SPECS_MEMO[0]
    if specs is not params.specs:
        table = dict(params.specs)
        _SPECS_MEMO[0] = (params.specs, table)
    return table[symbol]
