"""Every run ends in a known state: a run an error ends is recorded as failed, with its cause.

A bad cache row (a feed error, exit 2) and a bug in the engine (exit 1) each leave a
``session.md`` with status ``failed`` and the cause, a log line with it, and ``sessions
list`` shows the session failed, not running. Once the cause is fixed, ``logos resume``
finishes it with the CSVs of a run that never failed. (A full disk: test_session_disk.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from logos import paths
from session_helpers import CSV_ARTIFACTS, artifact_bytes, flat, invoke, one_line_error, run_logos, session_dir

SID = "bumpy"
TRADE = ["trade", "--paper", "--session-id", SID, "--symbol", "UPTREND", "--snapshot-every", "50"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    home = tmp_path_factory.mktemp("baseline")
    assert invoke([*TRADE, "--home", str(home)]).exit_code == 0
    return artifact_bytes(session_dir(home, SID), CSV_ARTIFACTS)


def _assert_recorded_failed(home: Path, cause: str) -> None:
    folder = session_dir(home, SID)
    report = flat((folder / "session.md").read_text())
    assert "- Status: **failed** (cause: " in report and cause in report
    log = (paths.logs_dir(home) / f"{SID}.log").read_text()
    assert f"session {SID} failed at seq" in log and cause in flat(log)
    listed = flat(invoke(["sessions", "list", "--home", str(home)], COLUMNS="400").stdout)
    assert "failed (" in listed and "running" not in listed


def test_run_stopped_by_a_bad_cache_row_is_recorded_failed_and_resumes_once_the_row_is_fixed(tmp_path: Path, baseline: dict[str, bytes]) -> None:
    # Arrange: a home with its own cache, one row in the middle of UPTREND made unreadable
    shutil.copytree(paths.bundled_data_dir(), tmp_path / "data")
    cache = tmp_path / "data" / "cache" / "equity" / "UPTREND_1m.csv"
    original = cache.read_text()
    lines = original.splitlines(keepends=True)
    number = len(lines) // 2
    cells = lines[number - 1].split(",")
    lines[number - 1] = ",".join([cells[0], "abc", *cells[2:]])
    cache.write_text("".join(lines))

    # Act
    run = run_logos(TRADE, tmp_path)

    # Assert
    assert run.returncode == 2, run.stdout + run.stderr
    line = flat(one_line_error(run.stderr))
    assert f"{cache}:{number}: open 'abc' is not a number" in line
    assert f"continue with `logos resume {SID}`" in line
    _assert_recorded_failed(tmp_path, f"{cache}:{number}")

    # And once the row is fixed, the session resumes to the end of an uninterrupted run
    cache.write_text(original)
    resumed = run_logos(["resume", SID], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "note: the previous run failed at seq" in flat(resumed.stdout)
    assert artifact_bytes(session_dir(tmp_path, SID), CSV_ARTIFACTS) == baseline
    assert "- Status: **completed**" in (session_dir(tmp_path, SID) / "session.md").read_text()


def test_run_ended_by_a_bug_is_recorded_failed_with_the_traceback_in_the_log_and_resumes(
    tmp_path: Path, baseline: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: the reducer's bar path fails once the session is past its 200th bar
    # (a bug, as far as the shell knows)
    from logos.live import runner

    real = runner.reduce_events

    def broken(state, events, start=0, stop=None, strategy=None):  # type: ignore[no-untyped-def]
        if start >= 200:
            raise ZeroDivisionError("a bug")
        return real(state, events, start, stop, strategy)

    monkeypatch.setattr(runner, "reduce_events", broken)

    # Act
    result = invoke([*TRADE, "--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 1, result.output
    line = flat(one_line_error(result.stderr))
    assert "failed at seq" in line and "internal error ZeroDivisionError: a bug" in line
    assert f"the traceback is in {paths.logs_dir(tmp_path) / f'{SID}.log'}" in line
    _assert_recorded_failed(tmp_path, "internal error ZeroDivisionError: a bug")
    assert "Traceback (most recent call last)" in (paths.logs_dir(tmp_path) / f"{SID}.log").read_text()

    # And without the bug the session resumes to the end of an uninterrupted run
    monkeypatch.setattr(runner, "reduce_events", real)
    resumed = invoke(["resume", SID, "--home", str(tmp_path)])
    assert resumed.exit_code == 0, resumed.output
    assert artifact_bytes(session_dir(tmp_path, SID), CSV_ARTIFACTS) == baseline
    report = (session_dir(tmp_path, SID) / "session.md").read_text()
    assert "- The run before failed: internal error ZeroDivisionError: a bug" in report
