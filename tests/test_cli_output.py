"""Text for people, as a pipe receives it: never wrapped, printed as given (no markup, no emoji).

Real processes with stdout and stderr pipes and no ``COLUMNS`` (a pipe has no width), as
``logos sessions show ID | less`` or a log collector sees them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from logos.paths import bundled_data_dir
from session_helpers import clean_env, logos_argv, session_dir

FIXTURES = bundled_data_dir()


def _piped(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(home)
    del env["COLUMNS"]
    return subprocess.run(logos_argv() + args, cwd=home, env=env, capture_output=True, text=True, timeout=180)


def _home_with_a_bad_row_at_line_100(home: Path) -> None:
    (home / "data" / "cache" / "equity").mkdir(parents=True)
    shutil.copy(FIXTURES / "symbols.toml", home / "data" / "symbols.toml")
    lines = (FIXTURES / "cache" / "equity" / "SPY_1m.csv").read_text().splitlines(keepends=True)[:150]
    lines[99] = "garbage,row\n"
    (home / "data" / "cache" / "equity" / "SPY_1m.csv").write_text("".join(lines))


def test_sessions_show_piped_prints_session_md_unwrapped(tmp_path: Path) -> None:
    # Arrange: a session whose session.md has table rows far wider than 80 columns.
    trade = _piped(["trade", "--paper", "--session-id", "wide", "--symbol", "AAPL,MSFT", "--max-notional", "100"], tmp_path)
    report = (session_dir(tmp_path, "wide") / "session.md").read_text()

    # Act
    shown = _piped(["sessions", "show", "wide"], tmp_path)

    # Assert
    assert trade.returncode == 0, trade.stderr
    assert max(len(line) for line in report.splitlines()) > 120
    assert shown.returncode == 0 and shown.stdout.startswith(report), "session.md comes out byte for byte"
    assert shown.stdout[len(report):].strip() == f"folder: {session_dir(tmp_path, 'wide')}"
    note = next(line for line in trade.stdout.splitlines() if line.startswith("note: orders not sent"))
    assert note.endswith("see 'Orders not sent' in session.md"), "a long note stays one line"


def test_error_naming_line_100_of_a_file_prints_the_name_as_given(tmp_path: Path) -> None:
    # Arrange: a cache row that does not parse at line 100 (":100:" is also an emoji code).
    _home_with_a_bad_row_at_line_100(tmp_path)

    # Act
    run = _piped(["trade", "--paper", "--session-id", "bad", "--symbol", "SPY"], tmp_path)
    listed = _piped(["sessions", "list"], tmp_path)

    # Assert
    assert run.returncode == 2
    (line,) = run.stderr.splitlines()
    assert "SPY_1m.csv:100: expected 6 comma-separated fields" in line and "💯" not in run.stderr
    row = next(line for line in listed.stdout.splitlines() if " bad " in line)
    assert "SPY_1m.csv:100: expected 6 comma-separated fields" in row and row.rstrip().endswith("│"), "the table row is one line"


def test_error_naming_rich_markup_prints_the_brackets(tmp_path: Path) -> None:
    run = _piped(["trade", "--paper", "--session-id", "m", "--strategy", "[bold]x[/bold]"], tmp_path)

    assert run.returncode == 2
    assert "no strategy is called '[bold]x[/bold]'" in run.stderr
