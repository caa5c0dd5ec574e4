"""A stateful fuzz of the reducer (Raiden's ``test_state_changes.py`` is the model).

The machine sends random bars, clock ticks, halts, resumes and feed ends that fit the
session status, and after every step checks the numbered rules below against oracles
written here, independently of the core:

1. orders: filled never exceeds quantity; a terminal order never appears again;
   every closed order has exactly one ``orders`` row that agrees with its fills.
2. money: ``cash + market value == equity`` (the reducer's account row agrees) and
   ``sum(realized) + sum(unrealized) == equity - initial cash``, exactly.
3. replay: the input events alone rebuild the same state and the same effects.
4. FIFO: positions, lots and realized PnL agree with a list-of-lots oracle; cash agrees
   with the sum of the fills.
5. codec: every journal entry and the state round-trip through JSON.
6. seq: journal entries are numbered consecutively across every step.
7. guards: no submitted order breaks a pre-trade limit or the trading mode.
8. totals: the running market value and gross exposure equal a fresh sum over the
   positions after every event, and the account row writes them as that sum would.
9. runs: ``reduce_events`` over a rule's bars equals ``reduce`` bar by bar for as many bars
   as it takes, and it stops only where the session stopped.

Some sessions run ``Quirky``, a strategy handed to the reducer as the shell hands a loaded
one: it trades fractional targets and fails on some bars (raises, or returns a target out of
range), which halts the session with the cause ``strategy``; every rule above still holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any, Mapping

from hypothesis import HealthCheck, settings
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule

from core_factories import crypto_spec, equity_spec, forex_spec, make_params
from logos.core import guards
from logos.core.codec import decode, encode
from logos.core.effects import AppendJournal, Log, Stop, WriteArtifactRows
from logos.core.events import (
    BarClosed,
    ClockTicked,
    FeedEnded,
    FeedStalled,
    GuardTripped,
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
    SessionPaused,
    SessionResumed,
    SessionStarted,
    TradingModeChanged,
    WarmupBar,
)
from logos.core.order_fsm import ORDER_TABLE
from logos.core.portfolio import market_value, unrealized
from logos.core.book import valuation
from logos.core.money import text
from logos.core.reducer import reduce, reduce_events
from logos.core.session_fsm import COMPLETED, HALTED, MODE_HALTED, MODE_REDUCING, PAUSED, RUNNING
from logos.core.state import FLAT, Market, Params, SessionState, initial_state
from logos.core.strategies import Momentum
from logos.core.strategy import Strategy
from logos.core.state_codec import dump_state, load_state

D = Decimal
START = 1_700_000_040
# ODD/USD's fills are finer than its cash step (0.1 x 0.001 against cents), so its cash and
# PnL are rounded on every fill: the identities must hold exactly all the same.
ODD = crypto_spec("ODD/USD", price_tick=D("0.001"), qty_step=D("0.1"), lot_size=D("0.1"), min_notional=D("1"), cash_step=D("0.01"))
SPECS = (equity_spec("AAPL"), crypto_spec("BTC/USDT"), forex_spec("EUR/USD"), ODD)
START_TICKS = {"AAPL": 10_000, "BTC/USDT": 3_000_000, "EUR/USD": 108_000, "ODD/USD": 12_345}  # 100.00, 30000.00, 1.08000, 12.345
VOLUME_UNIT = {"AAPL": D("1"), "BTC/USDT": D("0.01"), "EUR/USD": D("1000"), "ODD/USD": D("0.1")}
SIZING = {
    "units": ("0.5", "3", "10", "2500"),
    "notional": ("1000", "5000", "40000"),
    "equity_fraction": ("0.05", "0.3", "1"),
}
BAR_SHAPES = st.tuples(
    st.integers(0, 1),  # which symbol
    st.sampled_from([1, 1, 1, 2, 5]),  # bars skipped
    st.sampled_from([0, 0, 0, 0, 0, 30, 200]),  # seconds between close and arrival
    st.integers(-40, 40),  # close move
    st.integers(-8, 8),  # open gap
    st.integers(0, 10),  # upper wick
    st.integers(0, 10),  # lower wick
    st.sampled_from([0, 1, 3, 10, 40, 1000, 1_000_000]),  # volume, in lots of VOLUME_UNIT
)
SWING = (12, -7, 20, -25, 5, 9, -14, 3)
DURABLE_FACTS = (OrderSubmitted, OrderDenied, OrderRejected, OrderFilled, OrderCanceled, OrderExpired, GuardTripped, SessionHalted, SessionCompleted)


def rows_of(effects: tuple[Any, ...], artifact: str) -> list[tuple[str, ...]]:
    return [row for e in effects if type(e) is WriteArtifactRows and e.artifact == artifact for row in e.rows]


class Quirky(Momentum):
    """Momentum at half size on closes whose text ends in an odd digit; it raises on closes
    ending in 37 or 38 and returns a target of 1.5 on those ending in 73 or 74 (one bar in 25)."""

    name = "quirky"

    def decide(self, markets: Mapping[str, Market], symbol: str) -> Any:
        digits = markets[symbol].mark.as_tuple().digits  # type: ignore[union-attr]
        if digits[-2:] in ((3, 7), (3, 8)):
            raise ArithmeticError(f"quirky cannot stand {markets[symbol].mark}")
        if digits[-2:] in ((7, 3), (7, 4)):
            return {symbol: D("1.5")}
        targets = super().decide(markets, symbol)
        if targets and digits[-1] % 2:
            return {s: D(t) / 2 for s, t in targets.items()}
        return targets


@st.composite
def session_params(draw: Any) -> tuple[Params, Strategy | None]:
    count = draw(st.integers(1, 2))
    specs = draw(st.permutations(SPECS))[:count]
    names = ["momentum", "mean_reversion"] + (["pairs_trading"] if count == 2 else [])
    strategy = draw(st.sampled_from(names))
    if strategy == "momentum":
        fast = draw(st.integers(1, 2))
        strategy_params: dict[str, object] = {
            "fast": fast,
            "slow": draw(st.integers(fast + 1, fast + 3)),
            "long_only": draw(st.booleans()),
        }
    else:
        strategy_params = {
            "lookback": draw(st.integers(2, 4)),
            "entry_z": draw(st.sampled_from(["0.5", "1"])),
            "exit_z": draw(st.sampled_from(["0", "0.25"])),
        }
        if strategy == "mean_reversion":
            strategy_params["long_only"] = draw(st.booleans())
    sizing = draw(st.sampled_from(sorted(SIZING)))
    optional = lambda values: st.sampled_from([None, None, *values]).map(lambda v: v and D(v))  # noqa: E731
    quirky = strategy == "momentum" and draw(st.booleans())
    return make_params(
        specs,
        strategy=strategy,
        strategy_params=strategy_params,
        sizing=sizing,
        sizing_value=D(draw(st.sampled_from(SIZING[sizing]))),
        order_type=draw(st.sampled_from(["market", "limit"])),
        limit_offset_bps=D(draw(st.sampled_from(["0", "5", "50"]))),
        limit_ttl_bars=draw(st.integers(0, 3)),
        fill_at=draw(st.sampled_from(["next_open", "same_close"])),
        slippage_bps=D(draw(st.sampled_from(["0", "3", "25"]))),
        fee_bps=D(draw(st.sampled_from(["0", "1", "10"]))),
        volume_share=D(draw(st.sampled_from(["0.05", "0.25", "1"]))),
        initial_cash=D(draw(st.sampled_from(["20000", "100000", "1000000"]))),
        max_notional=draw(optional(["3000", "60000"])),
        max_exposure=draw(optional(["20000", "200000"])),
        max_position=draw(optional(["10000", "100000"])),
        max_drawdown_bps=draw(optional(["20", "150", "1000"])),
        drawdown_action=draw(st.sampled_from(["halt", "reduce"])),
        stale_after_s=draw(st.sampled_from([None, None, 180, 900])),
    ), Quirky(**strategy_params) if quirky else None


class FifoOracle:
    """Lots as plain lists [qty, price, cash paid]; written without looking at ``logos.core.portfolio``.

    Every cash amount is a whole number of cash steps: a part of a fill is worth its
    ``qty x price`` rounded half to even, a closed part of a lot takes its share of what the
    lot cost (rounded alike), and the last part takes what is left.
    """

    def __init__(self) -> None:
        self.lots: dict[str, list[list[Decimal]]] = {}
        self.realized: dict[str, Decimal] = {}

    def qty(self, symbol: str) -> Decimal:
        return sum((lot[0] for lot in self.lots.get(symbol, [])), D(0))

    def fill(self, symbol: str, signed: Decimal, price: Decimal, fee: Decimal, step: Decimal) -> tuple[Decimal, Decimal]:
        """Book a fill; return its realized PnL and the cash it moves (both net of the fee)."""
        on_step = lambda x: (x / step).to_integral_value(rounding=ROUND_HALF_EVEN) * step  # noqa: E731
        lots = self.lots.setdefault(symbol, [])
        booked = cash = -fee
        left = signed
        while left != 0 and lots and (lots[0][0] < 0) != (left < 0):
            oldest = lots[0]
            take = min(abs(left), abs(oldest[0]))
            part = oldest[2] if take == abs(oldest[0]) else on_step(oldest[2] * take / abs(oldest[0]))
            worth = on_step(take * price)
            received = worth if oldest[0] > 0 else -worth
            booked += received - part
            cash += received
            oldest[0] += -take if oldest[0] > 0 else take
            oldest[2] -= part
            left += take if left < 0 else -take
            if oldest[0] == 0:
                lots.pop(0)
        if left != 0:
            paid = on_step(left * price)
            lots.append([left, price, paid])
            cash -= paid
        self.realized[symbol] = self.realized.get(symbol, D(0)) + booked
        return booked, cash


@dataclass
class Ledger:
    """Every order the journal ever named, and what it said about them."""

    qty: dict[str, Decimal] = field(default_factory=dict)
    filled: dict[str, Decimal] = field(default_factory=dict)
    limit: dict[str, Decimal | None] = field(default_factory=dict)
    born: dict[str, int] = field(default_factory=dict)  # how many inputs preceded the order's
    decided: dict[str, int] = field(default_factory=dict)  # the clock its deciding bar was seen at
    side: dict[str, str] = field(default_factory=dict)
    symbol: dict[str, str] = field(default_factory=dict)
    canceling: set[str] = field(default_factory=set)
    open: set[str] = field(default_factory=set)
    terminal: set[str] = field(default_factory=set)
    rows: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Checkpoint:
    generation: int
    inputs: int  # how many inputs the snapshot covers
    snapshot: str


def slip(price: Decimal, side: str, bps: Decimal, tick: Decimal) -> Decimal:
    moved = price * (1 + bps / D(10000)) if side == "buy" else price * (1 - bps / D(10000))
    return (moved / tick).to_integral_value(rounding=ROUND_CEILING if side == "buy" else ROUND_FLOOR) * tick


def fee_of(notional: Decimal, fee_bps: Decimal, step: Decimal) -> Decimal:
    if not fee_bps:
        return D(0)
    return (notional * fee_bps / D(10000) / step).to_integral_value(rounding=ROUND_CEILING) * step


class ReducerMachine(RuleBasedStateMachine):
    checkpoints = Bundle("checkpoints")

    def __init__(self) -> None:
        super().__init__()
        self.generation = 0

    # --- driving --------------------------------------------------------------------

    def _begin(self, drawn: tuple[Params, Strategy | None]) -> None:
        params, self.strategy = drawn
        self.generation += 1
        self.params = params._replace(session_id=f"S{self.generation}")
        self.state = initial_state(self.params)
        self.inputs: list[Any] = []
        self.outputs: list[tuple[Any, ...]] = []
        self.last_seq = 0
        self.ledger = Ledger()
        self.fifo = FifoOracle()
        self.cash = self.params.initial_cash
        self.step_effects: tuple[Any, ...] = ()
        self.step_input: Any = None
        self.apply(SessionStarted(self.params.session_id, START, self.params.seed, "cfg"))

    def apply(self, event: Any) -> None:
        before = self.state
        self.state, effects = reduce(before, event, self.strategy)
        self.inputs.append(event)
        self.outputs.append(effects)
        self.step_effects = effects
        self.step_input = event
        self._check_step(before, event, effects)

    @initialize(params=session_params(), patience=st.integers(6, 40), warmup=st.lists(BAR_SHAPES, min_size=6, max_size=16))
    def start(self, params: tuple[Params, Strategy | None], patience: int, warmup: list[tuple[int, ...]]) -> None:
        # Halts and the feed end wait for ``patience`` inputs, so most sessions get to trade.
        self.patience = patience
        self._begin(params)
        self.bar(warmup)

    @property
    def running(self) -> bool:
        return self.state.status == RUNNING

    @precondition(lambda self: self.running)
    @rule(bars=st.lists(BAR_SHAPES, min_size=1, max_size=6))
    def bar(self, bars: list[tuple[int, ...]]) -> None:
        before, sent, steps = self.state, [], []
        for shape in bars:
            if not self.running:
                break
            sent.append(self._next_bar(*shape))
            self.apply(sent[-1])
            steps.append((self.state, self.step_effects))
        self._check_run(before, sent, steps)

    def _check_run(self, before: SessionState, bars: list[BarClosed], steps: list[tuple[SessionState, tuple[Any, ...]]]) -> None:
        """Rule 9: a run of bars applied in one call is the same as bar by bar."""
        state, effects, taken = reduce_events(before, bars, strategy=self.strategy)
        assert taken == len(steps), "the run stopped where the session did not, or went past a stop"
        if not taken:
            return
        note_event(f"run of {taken} bars checked against reduce")
        one_by_one = [effect for _, each in steps for effect in each]
        assert state == steps[-1][0]
        journal = effects[0]
        assert journal.entries == tuple(entry for e in one_by_one if type(e) is AppendJournal for entry in e.entries)
        assert journal.durable == any(e.durable for e in one_by_one if type(e) is AppendJournal)
        for artifact in ("orders", "trades", "account"):
            assert rows_of(effects, artifact) == rows_of(tuple(one_by_one), artifact)
        assert [e for e in effects if type(e) in (Log, Stop)] == [e for e in one_by_one if type(e) in (Log, Stop)]

    def _next_bar(self, pick: int, gap: int, lag: int, move: int, jump: int, up: int, down: int, volume: int) -> BarClosed:
        symbol = self.params.symbols[pick % len(self.params.symbols)]
        spec = self.params.specs[symbol]
        market = self.state.markets[symbol]
        interval = self.params.interval_s
        ts = START + interval * gap if market.last_ts is None else market.last_ts + interval * gap
        last = int(market.mark / spec.price_tick) if market.mark is not None else START_TICKS[symbol]
        # Moves and wicks in tenths of a percent of the last close, never below one tick. A
        # fixed swing is added so that even the plainest draw (all zeros) crosses averages.
        move += SWING[len(self.inputs) % len(SWING)]
        open_ = max(1, last + last * jump // 1000)
        close = max(1, last + last * move // 1000)
        high = max(open_, close) + last * up // 1000
        low = max(1, min(open_, close) - last * down // 1000)
        tick = spec.price_tick
        return BarClosed(symbol, ts, open_ * tick, high * tick, low * tick, close * tick, volume * VOLUME_UNIT[symbol], ts + interval + lag)

    @precondition(lambda self: self.running)
    @rule(shape=BAR_SHAPES)
    def warmup_bar(self, shape: tuple[int, ...]) -> None:
        # History (a poller's first answer, a resume's catch-up): it marks, it never trades.
        bar = WarmupBar(*self._next_bar(*shape))
        before = self.state
        self.apply(bar)
        if self.state.status == RUNNING:
            assert self.state.orders == before.orders and self.state.orders_created == before.orders_created
            assert self.state.cash == before.cash and self.state.positions == before.positions
            assert self.state.markets[bar.symbol].mark == bar.close

    @precondition(lambda self: self.running)
    @rule(delay=st.integers(0, 120))
    def pause(self, delay: int) -> None:
        before = self.state
        self.apply(SessionPaused(self.state.clock + delay, "paused by the operator (SIGINT)"))
        assert self.state.status == PAUSED
        assert self.state.orders == before.orders, "a pause keeps every working order"
        assert self.step_facts == []

    @precondition(lambda self: self.running)
    @rule(delta=st.sampled_from([-30, 0, 1, 60, 121, 301, 900]))
    def clock_tick(self, delta: int) -> None:
        self.apply(ClockTicked(self.state.clock + delta))

    @precondition(lambda self: self.running and len(self.inputs) > self.patience)
    @rule(kind=st.sampled_from(["kill_switch", "operator", "feed_stalled"]), delay=st.integers(0, 120))
    def halt(self, kind: str, delay: int) -> None:
        ts = self.state.clock + delay
        symbol = self.params.symbols[0]
        event = {
            "kill_switch": KillSwitchTripped(ts, "/run/logos/KILL"),
            "operator": OperatorHalted(ts, 'operator said "stop" ✋'),
            "feed_stalled": FeedStalled(ts, symbol, "rate limited"),
        }[kind]
        self.apply(event)

    @precondition(lambda self: self.state.status in (HALTED, PAUSED, RUNNING))
    @rule(reset=st.sets(st.sampled_from(guards.RESETTABLE)), delay=st.integers(0, 600))
    def resume(self, reset: set[str], delay: int) -> None:
        # From running this is a crash recovery; from halted or paused, an operator's resume.
        self.apply(SessionResumed(self.state.clock + delay, tuple(sorted(reset))))

    @precondition(lambda self: self.running and len(self.inputs) > self.patience)
    @rule(delay=st.integers(0, 60))
    def feed_end(self, delay: int) -> None:
        self.apply(FeedEnded(self.state.clock + delay))

    @precondition(lambda self: self.state.status == COMPLETED)
    @rule(params=session_params())
    def new_session(self, params: tuple[Params, Strategy | None]) -> None:
        self._begin(params)

    @rule(target=checkpoints)
    def snapshot(self) -> Checkpoint:
        return Checkpoint(self.generation, len(self.inputs), json.dumps(dump_state(self.state)))

    @rule(checkpoint=checkpoints)
    def restore(self, checkpoint: Checkpoint) -> None:
        # Crash equivalence: a snapshot plus the journal inputs after it rebuilds the state.
        if checkpoint.generation != self.generation:
            return
        state = load_state(json.loads(checkpoint.snapshot))
        for event in self.inputs[checkpoint.inputs :]:
            state, _ = reduce(state, event, self.strategy)
        assert state == self.state

    # --- per-step checks (they need the facts of this step) ---------------------------

    def _check_step(self, before: SessionState, event: Any, effects: tuple[Any, ...]) -> None:
        journal = effects[0]
        assert isinstance(journal, AppendJournal), "the journal effect comes first"
        assert journal.entries[0][1] is event
        facts = [fact for _, fact in journal.entries[1:]]
        for fact in facts:
            note_event(type(fact).__name__)  # --hypothesis-show-statistics: what the runs reached
            if isinstance(fact, OrderFilled) and fact.leaves:
                note_event("partial fill")
            if isinstance(fact, TradingModeChanged):
                note_event(f"mode {fact.mode}")
            if isinstance(fact, GuardTripped) and fact.guard == guards.STRATEGY:
                note_event("strategy halt")
            if isinstance(fact, OrderSubmitted) and self.strategy is not None:
                note_event("order of a handed-over strategy")
        # Rule 6: consecutive seq numbers, and the state remembers the last one.
        seqs = [seq for seq, _ in journal.entries]
        assert seqs == list(range(self.last_seq + 1, self.last_seq + 1 + len(seqs)))
        self.last_seq = seqs[-1]
        assert self.state.seq == self.last_seq
        if any(isinstance(f, DURABLE_FACTS) for f in facts):
            assert journal.durable
        stops = [e for e in effects if isinstance(e, Stop)]
        if self.state.status != before.status and self.state.status in (HALTED, PAUSED, COMPLETED):
            assert stops == [Stop(self.state.status)]
        else:
            assert stops == []
        self.step_facts = facts
        trips = [f for f in facts if isinstance(f, GuardTripped)]
        logged = [e for e in effects if isinstance(e, Log) and e.message.startswith("guard ")]
        assert [m.message.split()[1] for m in logged] == [t.guard for t in trips], "every guard trip is logged"
        self._check_facts(before, event, facts)
        self._check_guards_hold(before, event)
        self._check_order_rows(effects)
        self._check_account_row(event, effects)

    def _check_guards_hold(self, before: SessionState, event: Any) -> None:
        """A session still running after a step is not past a limit that should have stopped it."""
        state, params = self.state, self.params
        if state.status != RUNNING:
            return
        if isinstance(event, ClockTicked) and event.now > before.clock and params.stale_after_s is not None:
            for market in state.markets.values():
                fresh = market.fresh_at if market.fresh_at is not None else state.origin
                assert state.clock - fresh <= params.stale_after_s, "a stale symbol outlived a clock tick"
        equity = state.cash + self._market_value()
        assert state.peak_equity >= equity, "equity above the peak it should have raised"
        if isinstance(event, BarClosed) and params.max_drawdown_bps is not None:
            beyond = (state.peak_equity - equity) * 10000 > params.max_drawdown_bps * state.peak_equity
            # The guard looks at the mark; only a same_close fill after it (its fee, its
            # slippage) can leave equity past the limit without a trip.
            late_fill = params.fill_at == "same_close" and any(isinstance(f, OrderFilled) for f in self.step_facts)
            if beyond and not late_fill:
                assert params.drawdown_action == "reduce" and state.mode == MODE_REDUCING

    def _check_facts(self, before: SessionState, event: Any, facts: list[Any]) -> None:
        ledger = self.ledger
        mode = before.mode
        self.closed_now: set[str] = set()
        for fact in facts:
            cid = getattr(fact, "client_id", None)
            if cid is not None:
                # Rule 1: an order that reached a terminal state is never named again.
                assert cid not in ledger.terminal, f"{type(fact).__name__} names closed order {cid}"
            if isinstance(fact, (OrderSubmitted, OrderDenied)):
                assert cid not in ledger.qty, f"client id {cid} reused"
                assert fact.qty > 0
                ledger.qty[cid] = fact.qty
                ledger.filled[cid] = D(0)
                ledger.side[cid] = fact.side
                ledger.symbol[cid] = fact.symbol
                ledger.limit[cid] = getattr(fact, "limit_price", None)
                ledger.born[cid] = len(self.inputs)
                ledger.decided[cid] = fact.ts
            if isinstance(fact, OrderSubmitted):
                self._check_pre_trade(fact, mode)
                ledger.open.add(cid)
            elif isinstance(fact, OrderDenied):
                assert fact.reasons and list(fact.reasons) == sorted(fact.reasons, key=guards.PRE_TRADE_ORDER.index)
                self._close(cid)
            elif isinstance(fact, (OrderAccepted, OrderCancelRequested)):
                assert cid in ledger.open
                if isinstance(fact, OrderCancelRequested):
                    ledger.canceling.add(cid)
            elif isinstance(fact, (OrderRejected, OrderCanceled, OrderExpired)):
                assert cid in ledger.open
                if isinstance(fact, OrderExpired) and isinstance(event, BarClosed):
                    self._check_expiry(cid, event)
                self._close(cid)
            elif isinstance(fact, OrderFilled):
                self._check_fill(event, fact)
            elif isinstance(fact, TradingModeChanged):
                assert fact.mode != mode
                mode = fact.mode
            elif isinstance(fact, SessionHalted):
                assert fact.causes and list(fact.causes) == sorted(set(fact.causes), key=guards.HALT_ORDER.index)
        assert mode == self.state.mode

    def _close(self, cid: str) -> None:
        self.ledger.open.discard(cid)
        self.ledger.terminal.add(cid)
        self.closed_now.add(cid)

    def _check_fill(self, event: Any, fill: OrderFilled) -> None:
        ledger, params = self.ledger, self.params
        cid = fill.client_id
        assert cid in ledger.open, f"fill for an order that was never accepted: {cid}"
        assert isinstance(event, BarClosed) and event.symbol == fill.symbol, "fills come from the symbol's own bar"
        spec = params.specs[fill.symbol]
        # No look-ahead: every price a fill uses was first seen at or after the decision.
        at_close = params.fill_at == "same_close" and ledger.limit[cid] is None
        assert (event.seen if at_close else event.ts) >= ledger.decided[cid], "a fill at a price older than its order"
        stale = [f for f in self.step_facts if isinstance(f, GuardTripped) and f.guard == "stale_data"]
        assert not stale, "a fill on the bar that found the data stale"
        assert fill.qty > 0
        assert fill.qty <= (event.volume * params.volume_share // spec.qty_step) * spec.qty_step, "volume cap"
        ledger.filled[cid] += fill.qty
        assert ledger.filled[cid] <= ledger.qty[cid], f"{cid} overfilled"
        assert fill.leaves == ledger.qty[cid] - ledger.filled[cid]
        limit = ledger.limit[cid]
        if limit is not None:
            # A limit fills when the bar trades through it, at the limit or a better open.
            assert (event.low <= limit) if fill.side == "buy" else (event.high >= limit)
            better = min(event.open, limit) if fill.side == "buy" else max(event.open, limit)
            assert fill.price == better
        else:
            # No look-ahead: a market order fills at this bar's open (or close) plus slippage.
            base = event.close if params.fill_at == "same_close" else event.open
            assert fill.price == slip(base, fill.side, params.slippage_bps, spec.price_tick)
        assert fill.fee == fee_of(fill.price * fill.qty, params.fee_bps, spec.cash_step)
        signed = fill.qty if fill.side == "buy" else -fill.qty
        # Rule 4: FIFO oracle and cash oracle.
        booked, moved = self.fifo.fill(fill.symbol, signed, fill.price, fill.fee, spec.cash_step)
        assert fill.realized == booked
        self.cash += moved
        for figure in (fill.fee, fill.realized, moved):
            assert figure % spec.cash_step == 0, "cash and PnL sit on the cash step"
        if fill.leaves == 0:
            self._close(cid)

    def _check_expiry(self, cid: str, bar: BarClosed) -> None:
        # A limit order lives for exactly limit_ttl_bars bars of its symbol after the one it was born on.
        born, decided = self.ledger.born[cid], self.ledger.decided[cid]
        worked = [e for e in self.inputs[born:] if isinstance(e, BarClosed) and e.symbol == bar.symbol and e.ts >= decided]
        assert self.ledger.limit[cid] is not None and len(worked) == self.params.limit_ttl_bars

    def _check_pre_trade(self, order: OrderSubmitted, mode: str) -> None:
        # Rule 7: what got through the guards respects them (positions as of this fact).
        params = self.params
        holding = self.fifo.qty(order.symbol)
        after = holding + (order.qty if order.side == "buy" else -order.qty)
        reduces = abs(after) < abs(holding)
        assert mode != MODE_HALTED
        if mode == MODE_REDUCING:
            assert reduces, f"{order.client_id} grows exposure in reducing mode"
        notional = order.qty * (order.limit_price if order.limit_price is not None else order.reference_price)
        if params.max_notional is not None:
            assert notional <= params.max_notional
        if not reduces:
            value = abs(after) * order.reference_price
            if params.max_position is not None:
                assert value <= params.max_position
            if params.max_exposure is not None:
                # Other symbols count at their position plus what their working orders will add.
                elsewhere = sum(
                    (abs(self._projected(s)) * (self.state.markets[s].mark or 0) for s in params.symbols if s != order.symbol),
                    D(0),
                )
                assert elsewhere + value <= params.max_exposure

    def _projected(self, symbol: str) -> Decimal:
        ledger = self.ledger
        working = [c for c in ledger.open - ledger.canceling if ledger.symbol[c] == symbol]
        leaves = (ledger.qty[c] - ledger.filled[c] for c in working)
        return self.fifo.qty(symbol) + sum((q if ledger.side[c] == "buy" else -q for c, q in zip(working, leaves)), D(0))

    def _check_order_rows(self, effects: tuple[Any, ...]) -> None:
        rows = rows_of(effects, "orders")
        ids = [row[0] for row in rows]
        assert sorted(ids) == sorted(self.closed_now), "one orders row per order closed in this step"
        for row in rows:
            cid = row[0]
            assert cid not in self.ledger.rows
            self.ledger.rows.add(cid)
            assert row[9] in ORDER_TABLE.terminal
            assert D(row[4]) == self.ledger.qty[cid] and D(row[6]) == self.ledger.filled[cid]
            lifecycle = row[10].split(">")
            assert lifecycle[0] == ORDER_TABLE.initial and lifecycle[-1] == row[9]
            for a, b in zip(lifecycle, lifecycle[1:]):
                assert any(ORDER_TABLE.allows(a, t) and ORDER_TABLE.next(a, t) == b for t in ORDER_TABLE.triggers)

    def _check_account_row(self, event: Any, effects: tuple[Any, ...]) -> None:
        rows = rows_of(effects, "account")
        # Rule 8: the running totals are a fresh sum, and the row writes them as one would.
        equity, exposure = valuation(self.state.cash, self.state.positions, self.state.markets)
        assert self.state.cash + self.state.market_value == equity
        assert self.state.gross_exposure == exposure
        if isinstance(event, BarClosed):
            assert len(rows) == 1
            assert D(rows[0][3]) == self.state.cash + self._market_value(), "account row equity"
            written = (rows[0][3], rows[0][6])  # equity, gross exposure
            assert written == (text(equity), text(exposure)), "totals written as a fresh sum writes them"
            realized = sum((p.realized for p in self.state.positions.values()), D(0))
            assert (D(rows[0][4]), D(rows[0][5])) == (realized, equity - self.params.initial_cash - realized)
        else:
            assert rows == []  # not a bar, or a warm-up bar

    def _market_value(self) -> Decimal:
        marks = {s: m.mark for s, m in self.state.markets.items()}
        return market_value(self.state.positions, marks)

    # --- invariants -------------------------------------------------------------------

    @invariant()
    def rule1_open_orders_match_the_ledger(self) -> None:
        assert set(self.state.orders) == self.ledger.open
        for cid, order in self.state.orders.items():
            assert order.status not in ORDER_TABLE.terminal
            assert order.filled == self.ledger.filled[cid] < order.qty
        if self.state.status in (HALTED, COMPLETED):
            assert not self.state.orders, "a halted or completed session keeps no open order"

    @invariant()
    def rule2_cash_plus_market_value_is_equity_and_pnl_explains_it(self) -> None:
        state = self.state
        equity = state.cash + self._market_value()
        realized = sum((p.realized for p in state.positions.values()), D(0))
        open_pnl = sum((unrealized(p, state.markets[s].mark) for s, p in state.positions.items()), D(0))
        assert realized + open_pnl == equity - self.params.initial_cash

    @invariant()
    def rule3_replaying_the_inputs_rebuilds_state_and_effects(self) -> None:
        state = initial_state(self.params)
        for event, expected in zip(self.inputs, self.outputs):
            state, effects = reduce(state, event, self.strategy)
            assert effects == expected
        assert state == self.state

    @invariant()
    def rule4_positions_and_cash_match_the_fifo_oracle(self) -> None:
        assert self.state.cash == self.cash
        for symbol in self.params.symbols:
            position = self.state.positions.get(symbol, FLAT)
            assert position.qty == self.fifo.qty(symbol)
            assert [tuple(lot) for lot in position.lots] == [tuple(lot) for lot in self.fifo.lots.get(symbol, [])]
            assert position.realized == self.fifo.realized.get(symbol, D(0))

    @invariant()
    def rule5_journal_and_state_round_trip(self) -> None:
        for effects in self.outputs[-1:]:
            for seq, event in effects[0].entries:
                again = decode(encode(seq, event))
                assert again == (seq, event) and repr(again[1]) == repr(event)
        text = json.dumps(dump_state(self.state))
        loaded = load_state(json.loads(text))
        assert loaded == self.state
        assert json.dumps(dump_state(loaded)) == text

    @invariant()
    def rule7_trading_mode_fits_the_status(self) -> None:
        if self.state.status == RUNNING:
            assert self.state.mode != MODE_HALTED
            # Reducing is the reduce-only drawdown in force, and nothing else.
            assert (self.state.mode == MODE_REDUCING) == self.state.reduce_only
        elif self.state.status == HALTED:
            assert self.state.mode == MODE_HALTED and self.state.halt_causes


ReducerMachine.TestCase.settings = settings(
    settings.default,
    stateful_step_count=50,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
test_reducer_with_random_sessions_keeps_its_invariants = ReducerMachine.TestCase
