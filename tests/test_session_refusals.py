"""A refused resume says why in one line, exits 2 and changes no byte of the session.

Each damaged folder is a copy of a real crashed session (killed mid-run by the fault
injection point, with a snapshot inside the journal), so the only reason to refuse is the
damage the test adds. The whole home is hashed before and after, logs included.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest

from session_helpers import (
    SIGKILLED,
    invoke,
    journal,
    refused,
    run_logos,
    session_dir,
    snapshot_seq,
)

SID = "damaged"
OPTIONS = ["--volume-share", "0.0001", "--snapshot-every", "500"]


@pytest.fixture(scope="module")
def crashed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding one session killed at seq 1700, with a snapshot before that."""
    home = tmp_path_factory.mktemp("crashed")
    run = run_logos(["trade", "--paper", "--session-id", SID, *OPTIONS], home, crash_after=1700)
    assert run.returncode == SIGKILLED, run.stderr
    assert 0 < snapshot_seq(session_dir(home, SID)) < 1690
    return home


@pytest.fixture
def home(crashed_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(crashed_home, copy)
    return copy


def _lines(folder: Path) -> list[bytes]:
    return (folder / "state.jsonl").read_bytes().splitlines(keepends=True)


def _rewrite_line(folder: Path, seq: int, change: Callable[[dict], dict]) -> None:
    lines = _lines(folder)
    index = next(i for i, line in enumerate(lines) if json.loads(line)["seq"] == seq)
    lines[index] = (json.dumps(change(json.loads(lines[index])), separators=(",", ":")) + "\n").encode()
    (folder / "state.jsonl").write_bytes(b"".join(lines))


def test_resume_with_undamaged_copy_succeeds(home: Path) -> None:
    # The control: the same copy, undamaged, resumes to completion.
    result = invoke(["resume", SID, "--home", str(home)])

    assert result.exit_code == 0, result.output
    assert journal(session_dir(home, SID))[-1]["type"] == "SessionCompleted"


def test_resume_with_unknown_id_is_refused_without_changes(home: Path) -> None:
    line = refused(home, ["resume", "no-such-session"])

    assert "no session no-such-session" in line
    assert "logos sessions list" in line


def test_resume_with_completed_session_is_refused_without_changes(tmp_path: Path) -> None:
    # Arrange
    done = invoke(["trade", "--paper", "--session-id", "done", "--symbol", "UPTREND", "--home", str(tmp_path)])
    assert done.exit_code == 0, done.output

    # Act
    line = refused(tmp_path, ["resume", "done"])

    # Assert
    assert "already completed" in line


def test_resume_with_garbled_snapshot_is_refused_without_changes(home: Path) -> None:
    # Arrange
    folder = session_dir(home, SID)
    (folder / "state.json").write_bytes((folder / "state.json").read_bytes()[:200] + b"\x00garbled")

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert "state.json" in line and "not valid JSON" in line


def test_resume_with_snapshot_that_is_json_but_not_a_snapshot_is_refused_without_changes(home: Path) -> None:
    # Arrange
    (session_dir(home, SID) / "state.json").write_text('{"seq": 3}\n')

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert "not a Logos snapshot" in line


def test_resume_with_missing_snapshot_is_refused_without_changes(home: Path) -> None:
    (session_dir(home, SID) / "state.json").unlink()

    line = refused(home, ["resume", SID])

    assert "no snapshot" in line


def test_resume_with_missing_journal_is_refused_without_changes(home: Path) -> None:
    (session_dir(home, SID) / "state.jsonl").unlink()

    line = refused(home, ["resume", SID])

    assert "no journal" in line


@pytest.mark.parametrize("where", ["before_snapshot", "after_snapshot"])
def test_resume_with_garbled_journal_line_in_the_middle_is_refused_without_changes(home: Path, where: str) -> None:
    # Arrange
    folder = session_dir(home, SID)
    snap = snapshot_seq(folder)
    lines = _lines(folder)
    index = snap // 2 if where == "before_snapshot" else snap + (len(lines) - snap) // 2
    lines[index] = b'{"seq":' + lines[index][7:20] + b"#garbled\n"
    (folder / "state.jsonl").write_bytes(b"".join(lines))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"line {index + 1}" in line


def test_resume_with_journal_missing_a_line_is_refused_without_changes(home: Path) -> None:
    # Arrange
    folder = session_dir(home, SID)
    lines = _lines(folder)
    gap = snapshot_seq(folder) + 3
    del lines[gap - 1]
    (folder / "state.jsonl").write_bytes(b"".join(lines))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert "not contiguous" in line


def test_resume_with_snapshot_beyond_the_journal_end_is_refused_without_changes(home: Path) -> None:
    # Arrange: the journal lost its tail, back to before the snapshot's seq.
    folder = session_dir(home, SID)
    snap = snapshot_seq(folder)
    (folder / "state.jsonl").write_bytes(b"".join(_lines(folder)[: snap - 10]))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"covers seq {snap}" in line
    assert f"ends at seq {snap - 10}" in line


def test_resume_with_journal_fact_that_disagrees_with_the_snapshot_is_refused_without_changes(home: Path) -> None:
    # Arrange: a fill after the snapshot claims another quantity than replaying derives.
    folder = session_dir(home, SID)
    snap = snapshot_seq(folder)
    fill = next(e for e in journal(folder) if e["seq"] > snap and e["type"] == "OrderFilled")
    _rewrite_line(folder, fill["seq"], lambda e: {**e, "qty": str(int(e["qty"]) + 1)})

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert "disagree" in line
    assert f"seq {fill['seq']}" in line


def test_resume_with_journal_fact_in_place_of_an_input_is_refused_without_changes(home: Path) -> None:
    # Arrange: the first event after the snapshot becomes a fact the shell never supplies.
    folder = session_dir(home, SID)
    snap = snapshot_seq(folder)
    _rewrite_line(folder, snap + 1, lambda e: {"seq": e["seq"], "type": "SessionCompleted", "ts": 1})

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"seq {snap + 1}" in line


def test_resume_with_journal_rewritten_before_the_snapshot_is_refused_without_changes(home: Path) -> None:
    # Arrange: history the snapshot already covers is edited (a fill made larger).
    folder = session_dir(home, SID)
    snap = snapshot_seq(folder)
    fill = next(e for e in journal(folder) if e["seq"] < snap and e["type"] == "OrderFilled")
    _rewrite_line(folder, fill["seq"], lambda e: {**e, "qty": str(int(e["qty"]) + 1000)})

    # Act
    line = refused(home, ["resume", SID])

    # Assert: the edited line itself is named, not the snapshot's seq as a bound
    assert f"state.jsonl was changed at seq {fill['seq']}, before the snapshot at seq {snap}" in line
    assert f"qty {int(fill['qty']) + 1000}" in line


def test_resume_with_kill_switch_present_is_refused_without_changes(home: Path) -> None:
    # Arrange
    (home / "KILL_SWITCH").touch()

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert "kill-switch file is present" in line


def test_resume_with_unknown_reset_guard_is_refused_without_changes(home: Path) -> None:
    line = refused(home, ["resume", SID, "--reset-guard", "everything"])

    assert "--reset-guard 'everything'" in line


@pytest.mark.parametrize("artifact", ["orders.csv", "account.csv"])
def test_resume_with_artifact_shorter_than_the_snapshot_records_is_refused_without_changes(home: Path, artifact: str) -> None:
    # Arrange: the CSV lost rows the snapshot says were written (a power loss, a bad copy).
    # Resuming would pad it with NUL bytes up to the recorded length and append after them.
    path = session_dir(home, SID) / artifact
    path.write_bytes(path.read_bytes()[:-40])

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert artifact in line


def test_resume_with_missing_artifact_is_refused_without_changes(home: Path) -> None:
    (session_dir(home, SID) / "trades.csv").unlink()

    line = refused(home, ["resume", SID])

    assert "trades.csv" in line
