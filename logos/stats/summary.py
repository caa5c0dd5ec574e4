"""summary.json: the session's statistics as one JSON document, every decimal as a string."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from logos.atomic import write_atomic
from logos.core.portfolio import unrealized
from logos.core.state import FLAT, SessionState
from logos.feeds.csv_format import parse_ts
from logos.live.report import pnl_summary
from logos.stats.equity_curve import EquityCurve, fold_account
from logos.stats.records import Fill, read_fills
from logos.stats.returns import periods_per_year
from logos.stats.round_trips import Trips, round_trips, time_held
from logos.stats.rounding import percent, ratio
from logos.version import __version__

FORMAT = 1
SUMMARY = "summary.json"


def trade_figures(trips: Trips, start: int, end: int) -> dict[str, Any]:
    """Return the trade statistics of one symbol's trips, or of all symbols' trips pooled."""
    wins = [pnl for pnl in trips.pnls if pnl > 0]
    losses = [pnl for pnl in trips.pnls if pnl < 0]
    gross_profit, gross_loss = sum(wins, Decimal(0)), sum(losses, Decimal(0))
    return {
        "fills": trips.fills,
        "round_trips": len(trips.pnls),
        "open_at_end": any(closed is None for _, closed in trips.holding),
        "wins": len(wins),
        "losses": len(losses),
        "win_rate_pct": percent(Decimal(len(wins)), Decimal(len(trips.pnls))),
        "gross_profit": gross_profit,
        "gross_loss": gross_loss,
        "profit_factor": ratio(gross_profit, -gross_loss),
        "average_win": ratio(gross_profit, Decimal(len(wins))),
        "average_loss": ratio(gross_loss, Decimal(len(losses))),
        "time_in_market_pct": percent(Decimal(time_held(trips.holding, start, end)), Decimal(end - start)),
        "traded_notional": trips.traded_notional,
        "fees": trips.fees,
    }


def _pooled(per_symbol: Iterable[Trips]) -> Trips:
    pnls: list[Decimal] = []
    holding: list[tuple[int, int | None]] = []
    fills, notional, fees = 0, Decimal(0), Decimal(0)
    for trips in per_symbol:
        pnls += trips.pnls
        holding += trips.holding
        fills += trips.fills
        notional += trips.traded_notional
        fees += trips.fees
    return Trips(pnls, holding, fills, notional, fees)


def _span(curve: EquityCurve, interval_s: int) -> tuple[int, int]:
    """Market time the session covered: the first bar's open to the last bar's close."""
    if curve.first_ts is None or curve.last_ts is None:
        return 0, 0
    first, last = parse_ts(curve.first_ts), parse_ts(curve.last_ts)
    if first is None or last is None:
        raise ValueError(f"account.csv: a row's ts is not a YYYY-MM-DDTHH:MM:SSZ time ({curve.first_ts!r}, {curve.last_ts!r})")
    return first - interval_s, last


def summarize(state: SessionState, curve: EquityCurve, fills: list[Fill]) -> dict[str, Any]:
    """Return the statistics of a session from its final state, its account rows folded into
    ``curve`` and its fills."""
    params = state.params
    initial = params.initial_cash
    start, end = _span(curve, params.interval_s)
    by_symbol: dict[str, list[Fill]] = {symbol: [] for symbol in params.symbols}
    for fill in fills:  # one pass over the fills, not one per symbol
        own = by_symbol.get(fill.symbol)
        if own is not None:
            own.append(fill)
    trips = {symbol: round_trips(own) for symbol, own in by_symbol.items()}
    equity = pnl_summary(state)["equity"]
    worst = curve.drawdown()
    returns = curve.returns(periods_per_year((params.specs[s].asset_class for s in params.symbols), params.interval_s))
    symbols = {}
    for symbol in params.symbols:
        position = state.positions.get(symbol, FLAT)
        open_pnl = unrealized(position, state.markets[symbol].mark)
        symbols[symbol] = {
            "pnl": position.realized + open_pnl,
            "return_contribution_pct": percent(position.realized + open_pnl, initial),
            "realized": position.realized,
            "unrealized": open_pnl,
            "final_qty": position.qty,
            **trade_figures(trips[symbol], start, end),
        }
    pooled = trade_figures(_pooled(trips.values()), start, end)
    return {
        "format": FORMAT,
        "logos_version": __version__,
        "session_id": params.session_id,
        "status": state.status,
        "halt_causes": list(state.halt_causes),
        "bars": curve.rows,
        "market_time": {"start": curve.first_ts, "end": curve.last_ts},
        "initial_cash": initial,
        "final_equity": equity,
        "return": equity - initial,
        "return_pct": percent(equity - initial, initial),
        "max_drawdown": {
            "depth": worst.depth,
            "bps": worst.bps,
            "pct": percent(worst.depth, worst.peak),
            "peak_equity": worst.peak,
            "trough_equity": worst.trough,
            "start": worst.start,
            "trough": worst.trough_at,
            "recovered": worst.recovered_at is not None,
            "recovery": worst.recovered_at,
        },
        "returns": {
            "periods": returns.periods,
            "periods_per_year": returns.periods_per_year,
            "risk_free_rate": Decimal(0),
            "mean_bps": returns.mean_bps,
            "stdev_bps": returns.stdev_bps,
            "downside_bps": returns.downside_bps,
            "sharpe": returns.sharpe,
            "sortino": returns.sortino,
        },
        "trades": pooled,
        "turnover": ratio(pooled["traded_notional"], initial),
        "symbols": symbols,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no place in summary.json")


def encode_summary(summary: dict[str, Any]) -> bytes:
    """Return summary.json's bytes: keys in the order built, decimals as strings, no float."""
    return (json.dumps(summary, indent=1, default=_plain) + "\n").encode()


def summarize_folder(folder: Path, state: SessionState, curve: EquityCurve | None = None) -> dict[str, Any]:
    """Summarize the session folder with ``state``: its trades.csv, and its account.csv unless
    ``curve`` already holds every row of it (a running session folds them as it writes)."""
    if curve is None:
        curve = fold_account(folder / "account.csv", EquityCurve(state.params.initial_cash))
    return summarize(state, curve, read_fills(folder / "trades.csv"))


def write_summary(folder: Path, state: SessionState, curve: EquityCurve | None = None) -> dict[str, Any]:
    """Summarize the session folder and write its summary.json atomically; return the summary."""
    summary = summarize_folder(folder, state, curve)
    write_atomic(folder / SUMMARY, encode_summary(summary))
    return summary
