"""Quiet bars: the bars that move a mark, a window and the account row, and nothing else.

No open order, no guard at its limit, no target changed: that is most bars of a session.
``reduce_run`` folds a stretch of them in one pass. What they change (the markets, the
clock, the peak, the seq) stays in locals instead of becoming a new state, a journal
effect and a row effect per bar, and the stretch ends at the first bar that might do
more, which ``reduce`` then takes on its own. ``reduce`` takes a lone quiet bar through
the same code, so there is one definition of quiet; a property test holds a run to the
fold of ``reduce`` over its bars.
"""

from __future__ import annotations

from typing import Any, Sequence

from logos.core import guards
from logos.core.book import valuation
from logos.core.effects import AppendRun, WriteArtifactRows
from logos.core.events import BarClosed
from logos.core.money import ZERO
from logos.core.session_fsm import MODE_ACTIVE, RUNNING
from logos.core.state import SessionState, advance, market_at
from logos.core.strategies import EXACT
from logos.core.timestamps import MINUTES, day_prefix, iso
from logos.core.trading import session_strategy

NOT_QUIET: tuple[Any, tuple[Any, ...], int] = (None, (), 0)


def reduce_run(
    state: SessionState, bars: Sequence[BarClosed], start: int = 0, stop: int | None = None
) -> tuple[SessionState, tuple[Any, ...], int]:
    """Fold ``reduce`` over ``bars[start:stop]`` for as long as each bar is quiet.

    Returns the state after the last quiet bar, the run's effects (its journal lines, then
    its account rows) and how many bars it took. When ``bars[start]`` is not quiet it takes
    none and returns ``(None, (), 0)``: the caller hands that bar to ``reduce``.
    """
    if state.status != RUNNING or state.mode != MODE_ACTIVE or state.orders:
        return NOT_QUIET
    params = state.params
    strategy = session_strategy(params)
    decide = strategy.decide
    lengths, keep, zeros = strategy.sums, strategy.window, (ZERO,) * len(strategy.sums)
    pair = len(lengths) == 2
    n_a, n_b = lengths if pair else (0, 0)
    add, subtract = EXACT.add, EXACT.subtract
    stale_limit, interval_s = params.stale_after_s, params.interval_s
    drawdown_limit, drawdown_bps_within = params.max_drawdown_bps, guards.drawdown_bps_within
    # No symbol can be stale while ``now - oldest <= stale_limit`` (see guards.oldest_seen);
    # a bar only lowers ``oldest`` when it is seen earlier, so the full check runs only when
    # the clock gets that far, and then tightens the bound.
    oldest = guards.oldest_seen(state.markets, state.origin)
    cash = state.cash
    clock, origin, peak, seq = state.clock, state.origin, state.peak_equity, state.seq
    # A working copy of the markets, private to this call: the strategy and the guards
    # read it as they would the state's, and the new state gets it once, at the end.
    markets = dict(state.markets.items())
    # Quiet bars never change a target, so the run compares every decision with these.
    signals = {symbol: market.signal for symbol, market in markets.items()}
    # Quiet bars never trade, so cash and positions hold for the whole run.
    held = [(symbol, position.qty) for symbol, position in state.positions.items() if position.qty]
    equity, exposure = valuation(cash, state.positions, markets)
    if held:
        tail = None
    else:
        # Nothing held: equity, exposure and so the peak and the drawdown hold too.
        peak = equity if equity > peak else peak
        if guards.drawdown(params, equity, peak) is not None:
            return NOT_QUIET
        tail = (str(cash), str(equity), str(exposure), str(guards.drawdown_bps(equity, peak)), MODE_ACTIVE)
    cash_text = str(cash)
    day_start, day_text = 0, ""  # iso() inlined: the day of the last stamp, and its text
    entries: list[tuple[int, BarClosed]] = []
    rows: list[tuple[str, ...]] = []
    for bar in bars[start:stop]:
        symbol, ts, _, _, _, close, _, seen = bar
        market = markets.get(symbol)
        if market is None or (market.last_ts is not None and ts <= market.last_ts):
            break  # not this session's symbol, or out of order: reduce says which
        now, first = clock, origin
        if seen > now:
            # Staleness is judged once a timestamp is complete, i.e. at the clock we are leaving.
            if now and first and stale_limit is not None and now - oldest > stale_limit:
                if guards.stale(params, markets, first, now):
                    break
                oldest = guards.oldest_seen(markets, first)
            first = first or seen
            now = seen
        # roll(), unrolled (the same operations in the same exact context): once per bar.
        window = market.window
        kept = len(window)
        if pair:
            # Two sums (momentum's fast and slow) without a comprehension: half the cost.
            total_a, total_b = market.sums or zeros
            sums = (
                subtract(add(total_a, close), window[-n_a]) if kept >= n_a else add(total_a, close),
                subtract(add(total_b, close), window[-n_b]) if kept >= n_b else add(total_b, close),
            )
        elif lengths:
            sums = tuple(
                [
                    subtract(add(total, close), window[-n]) if kept >= n else add(total, close)
                    for total, n in zip(market.sums or zeros, lengths)
                ]
            )
        else:
            sums = market.sums
        window += (close,)
        if kept >= keep:
            window = window[-keep:]
        fresh = ts + interval_s
        markets[symbol] = market_at(close, ts, fresh, window, market.signal, sums)
        if fresh < oldest:
            oldest = fresh
        targets = decide(markets, symbol)
        if targets and not targets.items() <= signals.items():
            markets[symbol] = market  # a target moved: not quiet
            break
        since = seen - day_start
        if 0 <= since < 86400 and not since % 60:
            stamp = day_text + MINUTES[since // 60]
        else:
            stamp = iso(seen)
            day_start, day_text = seen - seen % 86400, day_prefix(seen // 86400)
        if tail is None:
            # valuation(), unrolled over what is held (the same operations in the same order).
            value = exposure = ZERO
            for held_symbol, qty in held:
                worth = qty * (markets[held_symbol].mark or ZERO)
                value += worth
                exposure += worth if worth > 0 else -worth
            equity = cash + value
            top = equity if equity > peak else peak
            bps = drawdown_bps_within(drawdown_limit, equity, top)
            if bps is None:  # the drawdown guard trips: not quiet
                markets[symbol] = market
                break
            peak = top
            row = (stamp, symbol, cash_text, str(equity), str(exposure), str(bps), MODE_ACTIVE)
        else:
            row = (stamp, symbol, *tail)
        seq += 1
        clock, origin = now, first
        entries.append((seq, bar))
        rows.append(row)
    if not entries:
        return NOT_QUIET
    effects = (AppendRun(tuple(entries)), WriteArtifactRows("account", tuple(rows)))
    return advance(state, seq, clock, origin, state.markets.update(markets), peak), effects, len(entries)
