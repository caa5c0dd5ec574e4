"""`logos report` as an operator meets it: where the page goes, and each refusal in one line."""

from __future__ import annotations

from pathlib import Path

from session_helpers import invoke, one_line_error, run_logos, session_dir

SMALL = ["--symbol", "UPTREND"]


def _session(home: Path) -> Path:
    assert invoke(["trade", "--paper", "--session-id", "r", "--home", str(home), *SMALL]).exit_code == 0
    return session_dir(home, "r")


def test_report_without_out_writes_report_html_in_the_session_folder(tmp_path: Path) -> None:
    # Arrange
    folder = _session(tmp_path)
    # Act
    result = invoke(["report", "r", "--home", str(tmp_path)])
    # Assert
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src" not in page and "<link" not in page  # nothing to fetch
    assert str(folder / "report.html") in " ".join(result.stdout.split())


def test_report_with_unknown_session_exits_2_with_one_line(tmp_path: Path) -> None:
    run = run_logos(["report", "nope"], tmp_path)
    assert run.returncode == 2
    assert "no session nope" in one_line_error(run.stderr)


def test_report_with_unwritable_out_exits_2_with_one_line(tmp_path: Path) -> None:
    _session(tmp_path)
    run = run_logos(["report", "r", "--out", str(tmp_path / "missing" / "page.html")], tmp_path)
    assert run.returncode == 2
    assert "cannot write --out" in one_line_error(run.stderr)
