"""``--json``: one JSON document on stdout and nothing else there, for a success and a failure.

Every command runs in-process through the real typer app; a few run as real processes with
stdout a pipe, as a script reads them. The figures in each document are checked against the
session's own files (state.json, summary.json, session.md), not against the renderer.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from logos.paths import bundled_data_dir
from session_helpers import invoke, run_logos, session_dir

UPTREND = ["--symbol", "UPTREND"]
HALTING = ["--symbol", "GAPDOWN", "--sizing-value", "90000", "--max-notional", "200000", "--max-position", "200000", "--max-exposure", "200000", "--max-drawdown-bps", "500"]


def _document(args: list[str], code: int) -> dict[str, Any]:
    """Run ``logos ARGS --json`` in-process; return its one document, checked against the exit code."""
    result = invoke([*args, "--json"])
    assert result.exit_code == code, result.output
    document = json.loads(result.stdout)  # the whole of stdout: one document, nothing else
    assert document["exit_code"] == code
    return document


def _trade(home: Path, sid: str, *options: str, code: int = 0) -> dict[str, Any]:
    return _document(["trade", "--paper", "--session-id", sid, "--home", str(home), *options], code)


def _money(figures: dict[str, Any]) -> None:
    """Money stays exact: every PnL figure is a decimal's text, never a JSON number."""
    for name, value in figures["pnl"].items():
        assert isinstance(value, str), name
        Decimal(value)


def test_trade_json_with_completed_session_reports_its_own_files(tmp_path: Path) -> None:
    # Act
    document = _trade(tmp_path, "done", *UPTREND)

    # Assert
    folder = session_dir(tmp_path, "done")
    snapshot = json.loads((folder / "state.json").read_text())
    assert document["command"] == "trade" and document["status"] == "completed"
    assert (document["session_id"], document["folder"]) == ("done", str(folder))
    assert document["seq"] == snapshot["seq"] and document["orders_created"] == snapshot["state"]["orders_created"]
    assert document["statistics"] == json.loads((folder / "summary.json").read_text())
    assert f"| equity | {document['pnl']['equity']} |" in (folder / "session.md").read_text()
    assert document["resume_command"] is None and document["orders_not_sent"] == {"denied": 0, "skipped": 0}
    assert any("bundled with Logos" in note for note in document["notes"]), "the note goes into the document, not before it"
    _money(document)


def test_trade_json_with_guard_halt_gives_the_resume_command_that_continues_it(tmp_path: Path) -> None:
    # Arrange
    document = _trade(tmp_path, "gap", *HALTING, code=3)
    words = document["resume_command"].split()

    # Act: run the command exactly as printed (the home is not the current folder, so it names it).
    resumed = invoke(words[1:] + ["--json"])

    # Assert
    assert document["status"] == "halted" and document["halt_causes"] == ["drawdown"]
    assert words[:3] == ["logos", "resume", "gap"] and "--reset-guard" in words and "drawdown" in words
    assert document["next_step"].endswith(f"`{document['resume_command']}`")
    assert resumed.exit_code in (0, 3), resumed.output
    after = json.loads(resumed.stdout)
    assert after["command"] == "resume" and after["session_id"] == "gap" and after["seq"] > document["seq"]


@pytest.mark.parametrize(
    ("args", "command", "mentions"),
    [
        (["trade", "--paper", "--max-notional", "-5", "--symbol", "NOPE"], "trade", {"max_notional", "symbols"}),
        (["trade", "--paper", "--no-such-option"], "trade", {"--no-such-option"}),
        (["resume", "never-was"], "resume", {"never-was"}),
        (["resume"], "resume", {"session_id"}),
        (["sessions", "show", "never-was"], "sessions show", {"never-was"}),
        (["status", "never-was"], "status", {"never-was"}),
        (["status", "x", "--every", "0"], "status", {"--every"}),
        (["validate-config", "--max-exposure", "lots", "--symbol", "NOPE"], "validate-config", {"max_exposure", "symbols"}),
    ],
)
def test_json_with_bad_input_is_one_error_document_and_exit_2(tmp_path: Path, args: list[str], command: str, mentions: set[str]) -> None:
    # Act
    result = invoke([*args, "--home", str(tmp_path), "--json"])

    # Assert
    assert result.exit_code == 2, result.output
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert (document["command"], document["exit_code"]) == (command, 2)
    said = document["error"] + json.dumps(document.get("problems", []))
    assert all(word in said for word in mentions), said
    assert all(set(problem) == {"setting", "message"} for problem in document.get("problems", []))


def test_sessions_list_json_with_several_sessions_gives_each_status_and_cause(tmp_path: Path) -> None:
    # Arrange
    _trade(tmp_path, "a-done", *UPTREND)
    _trade(tmp_path, "b-halted", *HALTING, code=3)

    # Act
    document = _document(["sessions", "list", "--home", str(tmp_path)], 0)

    # Assert
    rows = {row["session_id"]: row for row in document["sessions"]}
    assert set(rows) == {"a-done", "b-halted"}
    for sid, row in rows.items():
        state = json.loads((session_dir(tmp_path, sid) / "state.json").read_text())
        assert (row["status"], row["seq"], row["halt_causes"]) == (state["state"]["status"], state["seq"], state["state"]["halt_causes"])
    assert rows["b-halted"]["detail"] == "drawdown" and rows["a-done"]["pid"] is None


def test_sessions_show_json_with_finished_session_holds_session_md_and_statistics(tmp_path: Path) -> None:
    _trade(tmp_path, "shown", *UPTREND)
    folder = session_dir(tmp_path, "shown")

    document = _document(["sessions", "show", "shown", "--home", str(tmp_path)], 0)

    assert document["session_md"] == (folder / "session.md").read_text()
    assert document["statistics"] == json.loads((folder / "summary.json").read_text())
    assert document["status"] == "completed" and document["figures"]["seq"] == json.loads((folder / "state.json").read_text())["seq"]
    _money(document["figures"])


def test_validate_config_json_with_good_config_lists_the_settings_secrets_masked(tmp_path: Path) -> None:
    document = _document(["validate-config", "--home", str(tmp_path), "--adapter", "ccxt"], 2)
    assert any(p["setting"].startswith("CCXT") or "CCXT" in p["message"] for p in document["problems"])

    fine = _document(["validate-config", "--home", str(tmp_path), "--max-notional", "12345"], 0)

    assert fine["command"] == "validate-config" and fine["settings"]["max_notional"] == "12345"
    assert fine["warnings"] == []


def test_validate_config_json_with_a_secret_never_prints_it(tmp_path: Path) -> None:
    secret = "sk-live-0123456789abcdef"
    result = invoke(["validate-config", "--home", str(tmp_path), "--adapter", "ccxt", "--json"], CCXT_API_KEY=secret, CCXT_API_SECRET=secret + "x")

    assert secret not in result.stdout
    json.loads(result.stdout)


def test_json_as_a_real_process_with_a_pipe_is_one_document(tmp_path: Path) -> None:
    # Act: what a script does: run it, read stdout from the pipe.
    trade = run_logos(["trade", "--paper", "--session-id", "piped", *UPTREND, "--json"], tmp_path)
    listed = run_logos(["sessions", "list", "--json"], tmp_path)
    refused = run_logos(["trade", "--paper", "--session-id", "piped", *UPTREND, "--json"], tmp_path)

    # Assert
    assert trade.returncode == 0 and trade.stderr == "", trade.stderr
    assert json.loads(trade.stdout)["status"] == "completed"
    assert [row["session_id"] for row in json.loads(listed.stdout)["sessions"]] == ["piped"]
    assert refused.returncode == 2 and "already exists" in json.loads(refused.stdout)["error"]


def test_trade_json_with_a_bad_cache_row_fails_with_the_command_that_continues_it(tmp_path: Path) -> None:
    # Arrange: SPY's row 100 does not parse; the session starts, then fails on it.
    data = bundled_data_dir()
    (tmp_path / "data" / "cache" / "equity").mkdir(parents=True)
    (tmp_path / "data" / "symbols.toml").write_text((data / "symbols.toml").read_text())
    lines = (data / "cache" / "equity" / "SPY_1m.csv").read_text().splitlines(keepends=True)[:150]
    lines[99] = "garbage,row\n"
    (tmp_path / "data" / "cache" / "equity" / "SPY_1m.csv").write_text("".join(lines))

    # Act
    document = _trade(tmp_path, "bad", "--symbol", "SPY", code=2)

    # Assert
    assert "SPY_1m.csv:100:" in document["error"]
    assert document["session_id"] == "bad" and document["resume_command"] == f"logos resume bad --home {tmp_path}"
    assert f"`{document['resume_command']}`" in document["error"]
