"""The session commands as an operator meets them: trade, resume, sessions, diagram.

Most tests run the typer app in-process; the ones about what a real process prints or how
it is started (``python -m logos.live``, an empty working folder) run a subprocess.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from session_helpers import (
    DETERMINISTIC,
    artifact_bytes,
    flat,
    folder_digest,
    header,
    invoke,
    one_line_error,
    rows,
    run_logos,
    session_dir,
    start_logos,
    wait_for_writer,
)

SESSION_FILES = {"state.jsonl", "state.json", "orders.csv", "trades.csv", "positions.csv", "account.csv", "session.md", "summary.json", "writer.lock"}
SMALL = ["--symbol", "UPTREND"]  # one 390-bar fixture: a full session in a fraction of a second


def _trade(home: Path, session_id: str, *options: str, code: int = 0) -> str:
    result = invoke(["trade", "--paper", "--session-id", session_id, "--home", str(home), *options])
    assert result.exit_code == code, result.output
    return result.stdout


def test_trade_with_empty_folder_uses_bundled_fixtures_and_says_so(tmp_path: Path) -> None:
    # Act: no --home, no LOGOS_HOME: the working folder is the home.
    run = run_logos(["trade", "--paper", "--session-id", "s1"], tmp_path, env_home=False)

    # Assert
    assert run.returncode == 0, run.stderr
    assert f"note: {tmp_path} has no data/cache; replaying the fixtures bundled with Logos (read-only)" in flat(run.stdout)
    assert {p.name for p in session_dir(tmp_path, "s1").iterdir()} == SESSION_FILES
    assert not (tmp_path / "data").exists(), "the bundled fixtures are read in place, never copied"
    assert (tmp_path / "logos" / "logs" / "s1.log").is_file()
    assert len(rows(session_dir(tmp_path, "s1") / "trades.csv")) > 0


def test_trade_with_python_m_logos_live_is_the_same_command(tmp_path: Path) -> None:
    # Arrange
    module_home, script_home = tmp_path / "module", tmp_path / "script"
    module_home.mkdir()
    script_home.mkdir()

    # Act
    run = run_logos(["trade", "--paper", "--session-id", "m", *SMALL], module_home, module=True)
    _trade(script_home, "m", *SMALL)

    # Assert
    assert run.returncode == 0, run.stderr
    assert artifact_bytes(session_dir(module_home, "m")) == artifact_bytes(session_dir(script_home, "m"))
    assert "Session m" in run.stdout


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--live"], "--live needs --i-acknowledge-risk"),
        (["--live", "--i-acknowledge-risk"], "live trading is out of scope"),
    ],
    ids=["without_acknowledgement", "with_acknowledgement"],
)
def test_trade_with_live_flag_exits_2_and_creates_no_session(tmp_path: Path, flags: list[str], message: str) -> None:
    # Act
    result = invoke(["trade", *flags, "--session-id", "live", "--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 2
    assert message in one_line_error(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_trade_with_existing_session_id_is_refused_without_touching_it(tmp_path: Path) -> None:
    # Arrange
    _trade(tmp_path, "taken", *SMALL)
    before = folder_digest(tmp_path)

    # Act
    result = invoke(["trade", "--paper", "--session-id", "taken", "--home", str(tmp_path), *SMALL])

    # Assert
    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert "session taken already exists" in line and "logos resume taken" in line
    assert folder_digest(tmp_path) == before


@pytest.mark.parametrize(
    ("option", "value", "setting"),
    [
        ("--max-notional", "-5", "max_notional"),
        ("--max-notional", "0", "max_notional"),
        ("--symbol", "NOPE", "symbols"),
        ("--volume-share", "1.5", "volume_share"),
        ("--strategy", "astrology", "strategy"),
        ("--snapshot-every", "0", "snapshot_every"),
        ("--params", "{not json", "params"),
    ],
)
def test_trade_with_bad_option_value_exits_2_naming_the_setting(tmp_path: Path, option: str, value: str, setting: str) -> None:
    # Act
    result = invoke(["trade", "--paper", "--session-id", "bad", "--home", str(tmp_path), option, value])

    # Assert
    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert line.startswith(f"error: {setting}: ")
    assert option in line
    assert "fix" in line
    assert not session_dir(tmp_path, "bad").exists()


def test_trade_with_bad_environment_value_exits_2_naming_setting_and_variable(tmp_path: Path) -> None:
    result = invoke(["trade", "--paper", "--session-id", "bad", "--home", str(tmp_path)], LOGOS_MAX_NOTIONAL="-5")

    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert line.startswith("error: max_notional: ") and "LOGOS_MAX_NOTIONAL" in line
    assert not session_dir(tmp_path, "bad").exists()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--symbol", "AAPL"], "pairs_trading trades two symbols, the session has 1"),
        (["--symbol", "AAPL,MSFT", "--params", '{"pair": ["AAPL", "SPY"]}'], "pair names SPY, which the session does not trade"),
    ],
)
def test_trade_with_pairs_trading_lacking_a_leg_exits_2_with_the_fix(tmp_path: Path, extra: list[str], expected: str) -> None:
    result = invoke(["trade", "--paper", "--session-id", "bad", "--home", str(tmp_path), "--strategy", "pairs_trading", *extra])

    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert expected in line and "fix: " in line
    assert not session_dir(tmp_path, "bad").exists()


def test_trade_with_unusable_session_id_exits_2_with_one_line(tmp_path: Path) -> None:
    result = invoke(["trade", "--paper", "--session-id", "../escape", "--home", str(tmp_path)])

    assert result.exit_code == 2
    assert "--session-id '../escape' is not usable" in one_line_error(result.stderr)
    assert not (tmp_path / "runs").exists()


def test_refusal_with_narrow_terminal_is_still_one_line_in_a_real_process(tmp_path: Path) -> None:
    # The console must not wrap an error into several lines, whatever the terminal width.
    run = run_logos(["resume", "no-such-session-with-a-rather-long-name"], tmp_path, COLUMNS="40")

    assert run.returncode == 2
    assert "no session no-such-session-with-a-rather-long-name under" in one_line_error(run.stderr)


def test_sessions_list_with_several_sessions_shows_each_status(tmp_path: Path) -> None:
    # Arrange: completed; halted by the drawdown guard; paused by Ctrl-C; killed mid-run; a damaged snapshot.
    _trade(tmp_path, "done", *SMALL)
    gap_long = ["--sizing-value", "90000", "--max-notional", "200000", "--max-position", "200000", "--max-exposure", "200000"]
    _trade(tmp_path, "stopped", "--symbol", "GAPDOWN", *gap_long, "--max-drawdown-bps", "500", code=3)
    _paused_by_ctrl_c(tmp_path, "resting")
    _trade(tmp_path, "broken", *SMALL)
    (session_dir(tmp_path, "broken") / "state.json").write_text("{")
    killed = run_logos(["trade", "--paper", "--session-id", "killed", *SMALL], tmp_path, crash_after=50)
    assert killed.returncode == -9

    # Act
    result = invoke(["sessions", "list", "--home", str(tmp_path)], COLUMNS="300")

    # Assert
    assert result.exit_code == 0, result.output
    names = ("done", "stopped", "resting", "broken", "killed")
    table = {line.split()[1]: line for line in result.stdout.splitlines() if line.split()[1:2] in [[n] for n in names]}
    assert "completed" in table["done"]
    assert "halted (drawdown)" in table["stopped"]
    assert "damaged" in table["broken"]
    assert "paused" in table["resting"]
    assert "crashed (pid " in table["killed"]


def _paused_by_ctrl_c(home: Path, session_id: str) -> None:
    proc = start_logos(["trade", "--paper", "--session-id", session_id, *SMALL, "--speed", "3000"], home)
    assert wait_for_writer(home, session_id, proc), proc.communicate()
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 4


def test_sessions_list_with_no_sessions_says_so(tmp_path: Path) -> None:
    result = invoke(["sessions", "list", "--home", str(tmp_path)])

    assert result.exit_code == 0
    assert "no sessions under" in flat(result.stdout)


def test_sessions_show_with_finished_session_prints_its_report(tmp_path: Path) -> None:
    # Arrange
    _trade(tmp_path, "shown", *SMALL)

    # Act
    result = invoke(["sessions", "show", "shown", "--home", str(tmp_path)], COLUMNS="200")

    # Assert
    assert result.exit_code == 0
    assert "# Session shown" in result.stdout
    assert "## PnL summary" in result.stdout
    assert str(session_dir(tmp_path, "shown")) in flat(result.stdout)


def test_sessions_show_with_unfinished_session_summarizes_its_snapshot(tmp_path: Path) -> None:
    # Arrange: a session whose report was never written (it was killed before the end).
    _trade(tmp_path, "unfinished", *SMALL)
    (session_dir(tmp_path, "unfinished") / "session.md").unlink()

    # Act
    result = invoke(["sessions", "show", "unfinished", "--home", str(tmp_path)], COLUMNS="200")

    # Assert
    assert result.exit_code == 0
    assert "session unfinished: completed at seq" in flat(result.stdout)
    assert "no session.md yet" in result.stdout


def test_sessions_show_with_unknown_id_exits_2(tmp_path: Path) -> None:
    result = invoke(["sessions", "show", "ghost", "--home", str(tmp_path)])

    assert result.exit_code == 2
    assert "no session ghost" in one_line_error(result.stderr)


@pytest.mark.parametrize("command", [["sessions", "show"], ["resume"], ["stop"]])
@pytest.mark.parametrize("session_id", ["../../..", "..", "a/../../b", "/etc", ".hidden"])
def test_session_commands_with_an_id_that_is_a_path_exit_2_and_read_nothing_outside(
    tmp_path: Path, command: list[str], session_id: str
) -> None:
    # Arrange: a session.md three folders up from the sessions folder, where "../../.." points
    home = tmp_path / "home"
    (home / "runs" / "live" / "sessions").mkdir(parents=True)
    (home / "session.md").write_text("# outside the sessions folder\n")

    # Act
    result = invoke([*command, session_id, "--home", str(home)])

    # Assert
    assert result.exit_code == 2
    line = one_line_error(result.stderr)
    assert f"SESSION_ID {session_id!r} is not usable as a folder name" in flat(line)
    assert "outside the sessions folder" not in result.output


def test_diagram_with_dot_format_and_out_file_writes_the_file(tmp_path: Path) -> None:
    # Arrange
    target = tmp_path / "order.dot"

    # Act
    result = invoke(["diagram", "order", "--format", "dot", "--out", str(target)])

    # Assert
    assert result.exit_code == 0
    text = target.read_text()
    assert text.startswith('digraph "order" {')
    for state in ("initialized", "submitted", "accepted", "partially_filled", "pending_cancel", "filled", "canceled", "expired"):
        assert f'"{state}"' in text
    assert f"wrote {target}" in flat(result.stdout)


def test_diagram_with_unknown_machine_exits_2(tmp_path: Path) -> None:
    result = invoke(["diagram", "portfolio"])

    assert result.exit_code == 2
    assert "unknown machine 'portfolio'" in one_line_error(result.stderr)


def test_diagram_with_session_machine_prints_mermaid(tmp_path: Path) -> None:
    result = invoke(["diagram", "session"])

    assert result.exit_code == 0
    assert "stateDiagram-v2" in result.stdout
    assert "halted" in result.stdout and "completed" in result.stdout


def test_artifacts_with_finished_session_have_the_documented_headers(tmp_path: Path) -> None:
    # Arrange
    _trade(tmp_path, "headers", *SMALL)
    folder = session_dir(tmp_path, "headers")

    # Act
    headers = {name: header(folder / name) for name in DETERMINISTIC if name.endswith(".csv")}

    # Assert
    assert headers == {
        "orders.csv": [
            "client_id", "symbol", "side", "order_type", "qty", "limit_price", "filled_qty", "avg_fill_price",
            "fees", "status", "lifecycle", "submitted_at", "closed_at", "reason",
        ],
        "trades.csv": ["trade_id", "client_id", "symbol", "side", "qty", "price", "fee", "realized_pnl", "position", "unrealized_pnl", "ts"],
        "positions.csv": [
            "symbol", "qty", "avg_cost", "mark", "market_value", "realized_pnl", "unrealized_pnl", "fees", "lots",
        ],
        "account.csv": ["ts", "symbol", "cash", "equity", "realized_pnl", "unrealized_pnl", "gross_exposure", "drawdown_bps", "mode"],
    }


def test_session_md_with_guard_halt_and_resume_reports_seed_pnl_guards_and_reconciliation(tmp_path: Path) -> None:
    # Arrange: a tight drawdown limit halts the session (exit 3) with positions open.
    _trade(tmp_path, "guarded", "--max-drawdown-bps", "30", code=3)
    folder = session_dir(tmp_path, "guarded")
    held = [f"{p['symbol']} {p['qty']}" for p in rows(folder / "positions.csv") if p["qty"] != "0"]
    halted = (folder / "session.md").read_text()
    refused = invoke(["resume", "guarded", "--home", str(tmp_path)])

    # Act
    resumed = invoke(["resume", "guarded", "--home", str(tmp_path), "--reset-guard", "drawdown"])

    # Assert
    assert "- Status: **halted** (causes: drawdown)" in halted
    assert "| drawdown | 30." in halted
    assert refused.exit_code == 2
    assert "--reset-guard drawdown" in one_line_error(refused.stderr)
    assert resumed.exit_code in (0, 3), resumed.output
    report = (folder / "session.md").read_text()
    assert "- Seed: 20251020 (from the default)" in report
    pnl = report.split("## PnL summary", 1)[1].split("## Guard trips", 1)[0]
    for figure in ("cash", "market_value", "equity", "realized", "unrealized", "fees", "return", "peak_equity", "drawdown_bps"):
        assert f"| {figure} |" in pnl
    guards = report.split("## Guard trips", 1)[1].split("## Feed", 1)[0]
    assert "| drawdown | 30." in guards
    reconciliation = report.split("## Reconciliation", 1)[1].split("## Configuration", 1)[0]
    assert "### Restart 1" in reconciliation
    assert "- Orders restored: " in reconciliation
    assert f"- Positions: {', '.join(held)}" in reconciliation
    assert "- Guards reset: drawdown" in reconciliation
    assert "- Discrepancies: none (every journaled fact re-derived identically)" in reconciliation


def test_session_md_without_restart_says_it_ran_without_one(tmp_path: Path) -> None:
    _trade(tmp_path, "plain", *SMALL)

    report = (session_dir(tmp_path, "plain") / "session.md").read_text()

    assert "The session ran without a restart." in report
    assert "No guard tripped." in report
    assert "Generated (wall clock, not part of the reproducible record): " in report
