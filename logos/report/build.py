"""Read a session folder and write its report page."""

from __future__ import annotations

from pathlib import Path

from logos.atomic import write_atomic
from logos.live.snapshot import read_snapshot
from logos.report.page import render_page
from logos.report.series import read_journal
from logos.stats.equity_curve import EquityCurve
from logos.stats.records import read_columns, read_fills
from logos.stats.summary import summarize

REPORT = "report.html"
ACCOUNT_COLUMNS = ("ts", "equity", "drawdown_bps")


def build_report(folder: Path) -> str:
    """Return the report page of the session in ``folder``, from its snapshot, CSVs and journal."""
    state = read_snapshot(folder / "state.json").state
    account = dict(zip(ACCOUNT_COLUMNS, read_columns(folder / "account.csv", ACCOUNT_COLUMNS)))
    fills = read_fills(folder / "trades.csv")
    curve = EquityCurve(state.params.initial_cash)
    curve.add_rows(zip(account["ts"], account["equity"]))
    summary = summarize(state, curve, fills)
    prices, stops = read_journal(folder / "state.jsonl", state.params.interval_s)
    return render_page(state, summary, account, prices, fills, stops)


def write_report(folder: Path, out: Path | None = None) -> Path:
    """Write the page to ``out`` (default ``<folder>/report.html``) atomically; return where."""
    target = out if out is not None else folder / REPORT
    write_atomic(target, build_report(folder).encode())
    return target
