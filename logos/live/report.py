"""``session.md``: what a reviewer reads first. Only the marked header line holds wall-clock time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from logos.core.events import GuardTripped
from logos.core.guards import drawdown_bps
from logos.core.portfolio import unrealized
from logos.core.state import FLAT, SessionState
from logos.core.timestamps import iso
from logos.live.grouping import group_by, shape
from logos.live.unsent import DENIED_HINT, SKIPPED_HINT, Unsent, unsent_rows
from logos.version import __version__

# The key of the configuration table that says where the seed came from (``--seed``, a file...).
SEED_SOURCE = "seed_source"


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def pnl_summary(state: SessionState) -> dict[str, Decimal]:
    cash = state.cash
    value = realized = unreal = fees = Decimal(0)
    for symbol in state.params.symbols:
        position = state.positions.get(symbol, FLAT)
        mark = state.markets[symbol].mark
        value += position.qty * (mark or 0)
        realized += position.realized
        unreal += unrealized(position, mark)
        fees += position.fees
    equity = cash + value
    return {
        "cash": cash,
        "market_value": value,
        "equity": equity,
        "realized": realized,
        "unrealized": unreal,
        "fees": fees,
        "return": equity - state.params.initial_cash,
        "peak_equity": state.peak_equity,
        "drawdown_bps": drawdown_bps(equity, state.peak_equity),
    }


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


TRADE_COLUMNS = (
    "fills", "round_trips", "wins", "losses", "win_rate_pct", "profit_factor", "average_win", "average_loss",
    "time_in_market_pct", "traded_notional", "fees",
)


def statistics_tables(summary: Mapping[str, Any]) -> tuple[list[tuple[str, str]], tuple[str, ...], list[tuple[str, ...]]]:
    """Return summary.json's figures as two tables: (figure, value) rows, and the trade
    table's header and rows (one per symbol, then ``all``). session.md and the HTML report
    both show these."""
    worst, returns, trades = summary["max_drawdown"], summary["returns"], summary["trades"]
    root = f"per-bar returns × √{returns['periods_per_year']}"
    figures = [
        ("return (%)", summary["return_pct"]),
        ("max drawdown", f"{worst['depth']} ({worst['bps']} bps) from peak {worst['peak_equity']} to {worst['trough_equity']}"),
        ("max drawdown start / trough", f"{worst['start'] or 'session start'} / {_shown(worst['trough'])}"),
        ("max drawdown recovered", worst["recovery"] or ("no" if worst["depth"] else "-")),
        (f"Sharpe ({root})", returns["sharpe"]),
        (f"Sortino ({root})", returns["sortino"]),
        ("return periods", returns["periods"]),
        ("turnover (traded notional / initial cash)", summary["turnover"]),
    ]
    rows = [(symbol, own["pnl"], *(own[c] for c in TRADE_COLUMNS)) for symbol, own in summary["symbols"].items()]
    rows.append(("all", summary["return"], *(trades[c] for c in TRADE_COLUMNS)))
    return (
        [(name, _shown(value)) for name, value in figures],
        ("symbol", "pnl", *TRADE_COLUMNS),
        [tuple(_shown(value) for value in row) for row in rows],
    )


def _statistics(summary: Mapping[str, Any]) -> list[str]:
    figures, header, rows = statistics_tables(summary)
    out = ["## Statistics", ""] + _table(("figure", "value"), figures)
    return out + ["", "### Trades", ""] + _table(header, rows) + [""]


GROUPED = "rows that differ only in their figures and time are one row, with a count"
TRIP_HEADER = ("first", "last", "trips", "guard", "measured", "limit", "action", "detail")


def _when(ts: int) -> str:
    return iso(ts) if ts else "-"


def trip_rows(trips: Iterable[GuardTripped]) -> list[tuple[str, ...]]:
    """Rows of the guard-trip table: trips of one guard, limit and action whose details
    differ only in their figures are one row (the first trip's detail, the measured span)."""
    groups = group_by(trips, lambda t: (t.guard, t.limit, t.action, shape(t.detail)), measure=lambda t: t.measured)
    return [
        (_when(g.first.ts), _when(g.last.ts), str(g.count), g.first.guard, g.measured, g.first.limit, g.first.action, g.first.detail)
        for g in groups
    ]


def _guard_trips(trips: Sequence[GuardTripped]) -> list[str]:
    if not trips:
        return ["No guard tripped."]
    return [f"{len(trips)} trip(s); {GROUPED}.", ""] + _table(TRIP_HEADER, trip_rows(trips))


def _unsent(unsent: Unsent) -> list[str]:
    denied, skipped = unsent.counts()
    if not denied and not skipped:
        return ["Every order the strategy asked for was sent."]
    out = [f"{denied} order(s) denied by a guard, {skipped} target(s) skipped by the translator; {GROUPED}.", ""]
    out += _table(("first", "last", "count", "symbol", "what", "why (the last one)"), unsent_rows(unsent))
    out.append("")
    out += [f"- {hint}" for hint, count in ((DENIED_HINT, denied), (SKIPPED_HINT, skipped)) if count]
    return out


def _worst_age(state: SessionState, symbol: str, figures: Mapping[str, Any]) -> int:
    """The oldest the symbol's newest bar was against the clock, as the stale-data guard measures
    it: when a bar arrived (its lag) or at the end (a feed that stopped ages until then)."""
    market = state.markets.get(symbol)
    fresh = market.fresh_at if market is not None and market.fresh_at is not None else state.origin
    end_age = state.clock - fresh if state.clock and fresh else 0
    return max(int(figures.get("max_lag_s", 0)), end_age)


def render(
    state: SessionState,
    shell: Mapping[str, Any],
    settings: Mapping[str, str],
    generated_at: str,
    statistics: Mapping[str, Any] | None,
    failure: str | None = None,
    unsent: Unsent | None = None,
) -> str:
    """Return session.md; ``failure`` is the cause of a run an error ended (status ``failed``),
    whose statistics may be missing (None) when its files could not be read; ``unsent``
    (read from the journal) adds the orders not sent."""
    p = state.params
    if failure is not None:
        status = f"- Status: **failed** (cause: {failure}); `logos resume {p.session_id}` continues it once the cause is fixed"
    else:
        status = f"- Status: **{state.status}**" + (f" (causes: {', '.join(state.halt_causes)})" if state.halt_causes else "")
    out = [
        f"# Session {p.session_id}",
        "",
        f"Generated (wall clock, not part of the reproducible record): {generated_at}",
        "",
        status,
        f"- Trading mode: {state.mode}",
        f"- Logos version: {shell.get('logos_version', 'not recorded')} (started the session); {__version__} (wrote this file)",
        f"- Seed: {p.seed} (from {settings.get(SEED_SOURCE, 'a source this session did not record')})",
        f"- Journal seq: {state.seq}",
        f"- Market clock: {iso(state.clock) if state.clock else '-'}",
        f"- Orders created: {state.orders_created}; fills: {state.fills_applied}; open orders: {len(state.orders)}",
        "",
        "## PnL summary",
        "",
    ]
    summary = pnl_summary(state)
    out += _table(("figure", "value"), [(k, v) for k, v in summary.items()])
    out += [""] + (_statistics(statistics) if statistics is not None else [])
    out += ["## Guard trips", ""] + _guard_trips(state.trips)
    if unsent is not None:
        out += ["", "## Orders not sent", ""] + _unsent(unsent)
    out += ["", "## Feed", ""]
    feed = shell.get("feed", {})
    out.append(f"- Source: {shell.get('setup', {}).get('feed', '-')}")
    if feed:
        out += [""] + _table(
            ("symbol", "bars", "warm-up bars", "max lag (s)", "worst bar age (s)", "gaps", "duplicates dropped", "torn/partial skipped"),
            [
                (
                    s, f.get("bars", 0), f.get("warmup", 0), f.get("max_lag_s", 0), _worst_age(state, s, f), f.get("gaps", 0),
                    f.get("duplicates", 0), f.get("torn", 0),
                )
                for s, f in sorted(feed.items())
            ],
        )
        out.append("")
        out.append(
            "Warm-up bars closed before the session started or resumed: they fill the strategy's windows and never trade. "
            "Gaps and duplicates are holes in, and repeated candles of, a polled feed."
        )
    out += ["", "## Reconciliation", ""]
    resumes = shell.get("resumes", [])
    if not resumes:
        out.append("The session ran without a restart.")
    for number, item in enumerate(resumes, 1):
        out += [
            f"### Restart {number}",
            "",
            f"- From snapshot at seq {item['snapshot_seq']}; journal entries replayed: {item['replayed']}",
            f"- Torn journal tail skipped: {item['torn_bytes']} bytes",
            f"- Orders restored: {', '.join(item['orders']) or 'none'}",
            f"- Positions: {', '.join(item['positions']) or 'flat'}",
            f"- Guards reset: {', '.join(item['reset_guards']) or 'none'}",
            f"- Discrepancies: {item['discrepancies']}",
        ]
        if item.get("previous_failure"):
            out.append(f"- The run before failed: {item['previous_failure']}")
        out.append("")
    out += ["", "## Configuration", ""]
    out += _table(("setting", "value"), sorted(settings.items()))
    out.append("")
    return "\n".join(out)
