"""Shared builders for core tests: symbol specs, session params, bars and a small driver.

Everything here is plain values; nothing touches the filesystem, the clock or the network.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from pyrsistent import pmap

from logos.core.effects import AppendJournal, WriteArtifactRows
from logos.core.events import BarClosed, SessionStarted
from logos.core.reducer import reduce
from logos.core.state import Params, SessionState, initial_state
from logos.core.strategy import Strategy
from logos.core.strategy_params import freeze_params
from logos.core.symbols import SymbolSpec

D = Decimal
T0 = 1_700_000_040  # a whole minute, so bar times read as minutes
MINUTE = 60


def equity_spec(symbol: str = "AAPL", **changes: Any) -> SymbolSpec:
    spec = SymbolSpec(symbol, "equity", D("0.01"), D("1"), D("1"), D("1"), D("1000000"), D("0.01"))
    return spec._replace(**changes)


def crypto_spec(symbol: str = "BTC/USDT", **changes: Any) -> SymbolSpec:
    spec = SymbolSpec(symbol, "crypto", D("0.01"), D("0.00001"), D("0.00001"), D("5"), D("1000000"), D("0.00000001"))
    return spec._replace(**changes)


def forex_spec(symbol: str = "EUR/USD", **changes: Any) -> SymbolSpec:
    spec = SymbolSpec(symbol, "forex", D("0.00001"), D("1"), D("1000"), D("1000"), D("10000000"), D("0.01"))
    return spec._replace(**changes)


def make_params(
    specs: Iterable[SymbolSpec] | None = None,
    strategy: str = "momentum",
    strategy_params: dict[str, object] | None = None,
    **changes: Any,
) -> Params:
    """Session params with no guards, no costs and full volume: each test turns on what it checks."""
    specs = tuple(specs) if specs is not None else (equity_spec(),)
    if strategy_params is None:
        strategy_params = {"fast": 1, "slow": 2} if strategy == "momentum" else {}
    params = Params(
        session_id="S",
        seed=7,
        specs=pmap({s.symbol: s for s in specs}),
        symbols=tuple(s.symbol for s in specs),
        strategy=strategy,
        strategy_params=freeze_params(strategy_params),
        strategy_values=(),
        strategy_fingerprint="",
        sizing="units",
        sizing_value=D("10"),
        order_type="market",
        limit_offset_bps=D("0"),
        limit_ttl_bars=0,
        fill_at="next_open",
        slippage_bps=D("0"),
        fee_bps=D("0"),
        volume_share=D("1"),
        initial_cash=D("100000"),
        max_notional=None,
        max_exposure=None,
        max_position=None,
        max_drawdown_bps=None,
        drawdown_action="halt",
        stale_after_s=None,
        interval_s=MINUTE,
    )
    return params._replace(**changes)


def bar(
    symbol: str,
    minute: int,
    close: str | Decimal,
    open: str | Decimal | None = None,
    high: str | Decimal | None = None,
    low: str | Decimal | None = None,
    volume: str | Decimal = "1000000",
    seen: int | None = None,
) -> BarClosed:
    """A bar opening ``minute`` minutes after ``T0``, seen when it closes unless ``seen`` says otherwise."""
    c = D(close)
    o = D(open) if open is not None else c
    h = D(high) if high is not None else max(o, c)
    lo = D(low) if low is not None else min(o, c)
    ts = T0 + minute * MINUTE
    return BarClosed(symbol, ts, o, h, lo, c, D(volume), ts + MINUTE if seen is None else seen)


def started(params: Params, ts: int = T0) -> SessionState:
    state, _ = reduce(initial_state(params), SessionStarted(params.session_id, ts, params.seed, "cfg"))
    return state


class Run:
    """Feed events through the reducer and keep everything it said, for assertions."""

    def __init__(self, params: Params, ts: int = T0, strategy: Strategy | None = None) -> None:
        self.params = params
        self.strategy = strategy  # None: the built-in the params name
        self.state = initial_state(params)
        self.effects: list[Any] = []
        self.facts: list[Any] = []
        self.step(SessionStarted(params.session_id, ts, params.seed, "cfg"))

    def step(self, event: Any) -> list[Any]:
        """Apply one input; return the facts it caused (the input itself excluded)."""
        self.state, effects = reduce(self.state, event, self.strategy)
        self.effects.extend(effects)
        journal = effects[0]
        assert isinstance(journal, AppendJournal)
        caused = [e for _, e in journal.entries[1:]]
        self.facts.extend(caused)
        return caused

    def steps(self, events: Iterable[Any]) -> list[Any]:
        caused: list[Any] = []
        for event in events:
            caused += self.step(event)
        return caused

    def of(self, kind: type) -> list[Any]:
        return [f for f in self.facts if isinstance(f, kind)]

    def rows(self, artifact: str) -> list[tuple[str, ...]]:
        return [row for e in self.effects if isinstance(e, WriteArtifactRows) and e.artifact == artifact for row in e.rows]

    def order_rows(self) -> dict[str, tuple[str, ...]]:
        """Closed orders by client id, from the ``orders`` artifact rows."""
        return {row[0]: row for row in self.rows("orders")}


def walk(symbol: str, closes_in_ticks: Iterable[int], tick: Decimal = D("0.01"), volumes: Iterable[int] | None = None) -> list[BarClosed]:
    """Bars for ``symbol`` one minute apart from a path of closes in ticks (each open is the last close)."""
    bars = []
    last = None
    vols = list(volumes) if volumes is not None else None
    for i, ticks in enumerate(closes_in_ticks):
        close = max(1, ticks) * tick
        open_ = close if last is None else last
        volume = D(vols[i % len(vols)]) if vols else D("1000000")
        bars.append(bar(symbol, i, close, open=open_, volume=volume))
        last = close
    return bars
