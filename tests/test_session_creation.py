"""Creating a session is atomic: a kill or a full disk at any step leaves no session or a
resumable one, and two sessions started in the same second never share an id.

``LOGOS_FAULT_CREATE_STEP=STEP`` SIGKILLs ``trade`` right after that step of creating the
session; ``STEP:enospc`` fails it there as a full disk does. Before the folder is renamed
into place there must be no session at all (``trade`` with the same id then simply works);
after it, ``resume`` must finish a session equal to one never interrupted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from logos.live.runner import CREATION_STEPS
from logos.config.settings import FAULT_CREATE_STEP_ENV
from session_helpers import (
    CSV_ARTIFACTS,
    SIGKILLED,
    artifact_bytes,
    flat,
    invoke,
    one_line_error,
    run_logos,
    session_dir,
    start_logos,
    uninterrupted,
)

SID = "made"
TRADE = ["trade", "--paper", "--session-id", SID, "--symbol", "UPTREND"]
RENAMED = CREATION_STEPS.index("renamed")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return uninterrupted(TRADE, tmp_path_factory.mktemp("baseline"), SID)


def _entries(home: Path) -> tuple[list[str], list[str]]:
    """(visible session folders, hidden ones) under the home's sessions folder."""
    root = home / "runs" / "live" / "sessions"
    names = sorted(p.name for p in root.iterdir()) if root.is_dir() else []
    return [n for n in names if not n.startswith(".")], [n for n in names if n.startswith(".")]


def _assert_no_session_then_trade_works(home: Path, baseline: dict[str, bytes]) -> None:
    assert _entries(home)[0] == [], "a creation cut short must leave no session"
    assert "no sessions under" in flat(invoke(["sessions", "list", "--home", str(home)]).stdout)
    assert "no session made" in flat(invoke(["resume", SID, "--home", str(home)]).stderr)
    again = run_logos(TRADE, home)
    assert again.returncode == 0, again.stderr
    assert _entries(home) == ([SID], []), "the abandoned temporary folder should be gone"
    assert artifact_bytes(session_dir(home, SID), CSV_ARTIFACTS) == baseline


def _assert_resumes_to_baseline(home: Path, baseline: dict[str, bytes]) -> None:
    assert _entries(home) == ([SID], [])
    resumed = run_logos(["resume", SID], home)
    assert resumed.returncode == 0, resumed.stderr
    assert artifact_bytes(session_dir(home, SID), CSV_ARTIFACTS) == baseline


@pytest.mark.parametrize("step", CREATION_STEPS)
def test_trade_killed_at_a_creation_step_leaves_no_session_or_a_resumable_one(tmp_path: Path, baseline: dict[str, bytes], step: str) -> None:
    # Act
    run = run_logos(TRADE, tmp_path, **{FAULT_CREATE_STEP_ENV: step})

    # Assert
    assert run.returncode == SIGKILLED, run.stderr
    if CREATION_STEPS.index(step) < RENAMED:
        _assert_no_session_then_trade_works(tmp_path, baseline)
    else:
        assert "crashed" in flat(invoke(["sessions", "list", "--home", str(tmp_path)]).stdout)
        _assert_resumes_to_baseline(tmp_path, baseline)


@pytest.mark.parametrize("step", CREATION_STEPS)
def test_trade_with_full_disk_at_a_creation_step_is_one_line_and_leaves_no_session_or_a_resumable_one(
    tmp_path: Path, baseline: dict[str, bytes], step: str
) -> None:
    # Act
    run = run_logos(TRADE, tmp_path, **{FAULT_CREATE_STEP_ENV: f"{step}:enospc"})

    # Assert
    assert run.returncode == 1, run.stdout + run.stderr
    line = flat(one_line_error(run.stderr))
    assert "No space left on device" in line
    if CREATION_STEPS.index(step) < RENAMED:
        assert "no session was left behind" in line
        assert _entries(tmp_path) == ([], [])
        _assert_no_session_then_trade_works(tmp_path, baseline)
    else:
        assert f"continue with `logos resume {SID}`" in line
        listed = flat(invoke(["sessions", "list", "--home", str(tmp_path)], COLUMNS="400").stdout)
        assert "failed (cannot write" in listed and "No space left" in listed
        _assert_resumes_to_baseline(tmp_path, baseline)


def test_trade_with_default_ids_in_the_same_second_gives_each_its_own_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange: the clock-made default id is the same for both
    from logos.live import setup

    monkeypatch.setattr(setup, "default_session_id", lambda: "20251020-093000-paper")
    args = ["trade", "--paper", "--symbol", "UPTREND", "--home", str(tmp_path)]

    # Act
    first, second = invoke(args), invoke(args)

    # Assert
    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert _entries(tmp_path) == (["20251020-093000-paper", "20251020-093000-paper-2"], [])
    assert "20251020-093000-paper-2" in flat(second.stdout)


def test_trade_with_default_ids_in_two_processes_at_once_creates_two_sessions(tmp_path: Path) -> None:
    # Act: two real processes started together, each with the default id
    procs = [start_logos(["trade", "--paper", "--symbol", "UPTREND"], tmp_path) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]

    # Assert
    assert [p.returncode for p in procs] == [0, 0], results
    visible, hidden = _entries(tmp_path)
    assert len(visible) == 2 and hidden == []
