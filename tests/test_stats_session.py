"""summary.json and session.md's statistics on real sessions, checked against the CSVs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from session_helpers import SIGKILLED, invoke, resume_until_done, rows, run_logos, session_dir

from logos.version import __version__


def _no_float(text: str) -> Any:
    raise AssertionError(f"summary.json holds a JSON number with a fraction: {text}")


def _session(home: Path, session_id: str, *options: str, code: int = 0) -> tuple[Path, dict[str, Any]]:
    result = invoke(["trade", "--paper", "--session-id", session_id, "--home", str(home), *options])
    assert result.exit_code == code, result.output
    folder = session_dir(home, session_id)
    return folder, json.loads((folder / "summary.json").read_text(), parse_float=_no_float)


@pytest.mark.parametrize(
    ("options", "code"),
    [((), 0), (("--max-drawdown-bps", "30"), 3), (("--symbol", "UPTREND", "--fee-bps", "5"), 0)],
)
def test_summary_with_real_session_agrees_with_its_csvs(tmp_path: Path, options: tuple[str, ...], code: int) -> None:
    # Act
    folder, summary = _session(tmp_path, "s", *options, code=code)

    # Assert
    account, trades = rows(folder / "account.csv"), rows(folder / "trades.csv")
    assert summary["logos_version"] == __version__
    assert summary["bars"] == len(account)
    assert Decimal(summary["final_equity"]) == Decimal(account[-1]["equity"])
    assert Decimal(summary["max_drawdown"]["bps"]) == max(Decimal(row["drawdown_bps"]) for row in account)
    assert summary["trades"]["fills"] == len(trades)
    assert Decimal(summary["trades"]["fees"]) == sum((Decimal(t["fee"]) for t in trades), Decimal(0))
    notional = sum((Decimal(t["price"]) * Decimal(t["qty"]) for t in trades), Decimal(0))
    assert Decimal(summary["trades"]["traded_notional"]) == notional
    positions = {p["symbol"]: p for p in rows(folder / "positions.csv")}
    for symbol, figures in summary["symbols"].items():
        held = positions[symbol]
        assert Decimal(figures["pnl"]) == Decimal(held["realized_pnl"]) + Decimal(held["unrealized_pnl"])
        assert figures["fills"] == sum(1 for t in trades if t["symbol"] == symbol)
    assert sum(Decimal(f["pnl"]) for f in summary["symbols"].values()) == Decimal(summary["return"])
    assert summary["status"] == ("halted" if code == 3 else "completed")


def test_session_md_with_finished_session_shows_the_summary_figures(tmp_path: Path) -> None:
    # Act
    folder, summary = _session(tmp_path, "md", "--symbol", "UPTREND")

    # Assert
    report = (folder / "session.md").read_text()
    statistics = report.split("## Statistics", 1)[1].split("## Guard trips", 1)[0]
    per_year = summary["returns"]["periods_per_year"]
    assert f"| return (%) | {summary['return_pct']} |" in statistics
    assert f"| Sharpe (per-bar returns × √{per_year}) | {summary['returns']['sharpe'] or '-'} |" in statistics
    trades = summary["trades"]
    assert f"| all | {summary['return']} | {trades['fills']} | {trades['round_trips']} |" in statistics
    assert f"- Logos version: {__version__} (started the session); {__version__} (wrote this file)" in report
    snapshot = json.loads((folder / "state.json").read_text())
    assert snapshot["shell"]["logos_version"] == __version__


def test_summary_keys_with_finished_session_are_each_documented(tmp_path: Path) -> None:
    # Arrange
    _, summary = _session(tmp_path, "doc", "--symbol", "UPTREND")
    docs = (Path(__file__).parents[1] / "docs" / "ARTIFACTS.md").read_text()
    section = docs.split("## summary.json", 1)[1].split("\n## ", 1)[0]
    nested = {"max_drawdown", "returns", "market_time"}

    # Act
    keys = set(summary) | {k for name in nested for k in summary[name]} | set(summary["trades"]) | set(summary["symbols"]["UPTREND"])

    # Assert
    assert [key for key in sorted(keys) if f"`{key}`" not in section] == []


def test_summary_with_crash_and_resume_equals_the_uninterrupted_runs(tmp_path: Path) -> None:
    # Arrange: the same session twice, in two homes; the second is killed mid-run and resumed
    steady, crashed = tmp_path / "steady", tmp_path / "crashed"
    steady.mkdir()
    crashed.mkdir()
    options = ["trade", "--paper", "--session-id", "same", "--symbol", "UPTREND", "--symbol", "GAPDOWN"]
    assert run_logos(options, steady).returncode == 0
    killed = run_logos(options, crashed, crash_after=300)
    assert killed.returncode == SIGKILLED
    assert not (session_dir(crashed, "same") / "summary.json").exists()

    # Act
    resume_until_done(crashed, "same")

    # Assert: byte for byte, so nothing in it depends on the run, the home or the clock
    summary = (session_dir(crashed, "same") / "summary.json").read_bytes()
    assert summary == (session_dir(steady, "same") / "summary.json").read_bytes()


def _with_column(path: Path, target: Path, name: str, at: int) -> None:
    """Copy a CSV with one more column (``name``, filled with numbers) at position ``at``."""
    table = [line.split(",") for line in path.read_text().splitlines()]
    for number, row in enumerate(table):
        row.insert(min(at, len(row)), name if number == 0 else str(number))
    target.write_text("".join(",".join(row) + "\n" for row in table))


@pytest.mark.parametrize("at", [0, 3, 99])
def test_records_with_columns_added_anywhere_read_the_same(tmp_path: Path, at: int) -> None:
    # Arrange: the columns a later version adds (trades: position, unrealized_pnl; account: unrealized_pnl)
    from logos.stats.equity_curve import EquityCurve, fold_account
    from logos.stats.records import read_fills

    def account(folder: Path) -> tuple:
        curve = fold_account(folder / "account.csv", EquityCurve(Decimal(100000)))
        return curve.rows, curve.first_ts, curve.last_ts, curve.drawdown(), curve.returns(525600)

    folder, _ = _session(tmp_path, "cols", "--symbol", "UPTREND")
    wider = tmp_path / "wider"
    wider.mkdir()
    _with_column(folder / "account.csv", wider / "account.csv", "unrealized_pnl", at)
    _with_column(folder / "trades.csv", wider / "step.csv", "position", at)
    _with_column(wider / "step.csv", wider / "trades.csv", "unrealized_pnl", at + 1)

    # Act / Assert
    assert account(wider) == account(folder)
    assert account(folder)[0] > 0
    assert read_fills(wider / "trades.csv") == read_fills(folder / "trades.csv")
