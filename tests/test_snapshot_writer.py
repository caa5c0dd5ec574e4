"""The snapshot writer: the files a snapshot measures are fsync'd before it replaces
``state.json``, a snapshot written behind the loop lands before the next one, and an
error it meets reaches the session as one line."""

from __future__ import annotations

import errno
import json
import threading
from pathlib import Path
from typing import Any

import pytest

import logos.live.snapshot as snapshot_module
from logos.live.snapshot import SnapshotWriter
from session_helpers import invoke, journal, run_logos, session_dir


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real_fsync, real_write = snapshot_module.os.fsync, snapshot_module.write_atomic

    def fsync(fd: int) -> None:
        calls.append(("fsync", fd))
        real_fsync(fd)

    def write_atomic(path: Path, data: bytes) -> None:
        calls.append(("replace", data))
        real_write(path, data)

    monkeypatch.setattr(snapshot_module.os, "fsync", fsync)
    monkeypatch.setattr(snapshot_module, "write_atomic", write_atomic)
    return calls


@pytest.mark.parametrize("behind", [False, True])
def test_snapshot_with_measured_files_fsyncs_each_before_it_replaces_state_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, behind: bool
) -> None:
    # Arrange
    calls = _recording(monkeypatch)
    files = [open(tmp_path / name, "ab") for name in ("state.jsonl", "orders.csv")]
    writer = SnapshotWriter(tmp_path / "state.json")

    # Act
    (writer.write_behind if behind else writer.write)(b"{}\n", tuple(f.fileno() for f in files))
    writer.wait()

    # Assert (write_atomic's own fsyncs, of its temp file and the folder, come after)
    assert calls[:3] == [("fsync", files[0].fileno()), ("fsync", files[1].fileno()), ("replace", b"{}\n")]
    assert (tmp_path / "state.json").read_bytes() == b"{}\n"
    for f in files:
        f.close()


def test_snapshot_with_one_in_flight_lands_that_one_before_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange: the snapshot written behind is held up until a moment after the next one is asked for
    real_write = snapshot_module.write_atomic
    release = threading.Event()
    landed: list[bytes] = []

    def slow_first(path: Path, data: bytes) -> None:
        if data == b"first":
            release.wait(5)
        real_write(path, data)
        landed.append(data)

    monkeypatch.setattr(snapshot_module, "write_atomic", slow_first)
    writer = SnapshotWriter(tmp_path / "state.json")
    writer.write_behind(b"first", ())
    threading.Timer(0.05, release.set).start()

    # Act
    writer.write(b"second", ())

    # Assert: written the other way round, the older snapshot would have replaced the newer one
    assert landed == [b"first", b"second"]
    assert (tmp_path / "state.json").read_bytes() == b"second"


def test_snapshot_behind_with_a_write_error_raises_it_at_the_next_wait_only(tmp_path: Path) -> None:
    # Arrange
    writer = SnapshotWriter(tmp_path / "missing" / "state.json")
    writer.write_behind(b"{}", ())

    # Act / Assert
    with pytest.raises(FileNotFoundError):
        writer.wait()
    writer.wait()  # reported once, not again


def test_snapshot_behind_with_an_unexpected_error_raises_it_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not only disk errors: nothing the helper thread meets may be lost with it.
    def broken(path: Path, data: bytes) -> None:
        raise ValueError("encoder bug")

    monkeypatch.setattr(snapshot_module, "write_atomic", broken)
    writer = SnapshotWriter(tmp_path / "state.json")
    writer.write_behind(b"{}", ())

    with pytest.raises(ValueError, match="encoder bug"):
        writer.wait()


def test_session_with_a_full_disk_at_a_periodic_snapshot_stops_with_one_line_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: the third snapshot (the first periodic one, written behind the loop) meets a full disk
    real_write = snapshot_module.write_atomic
    written: list[int] = []

    def full_on_third(path: Path, data: bytes) -> None:
        written.append(json.loads(data)["seq"])
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(snapshot_module, "write_atomic", full_on_third)
    args = ["trade", "--paper", "--session-id", "full", "--symbol", "UPTREND", "--home", str(tmp_path)]

    # Act
    result = invoke([*args, "--snapshot-every", "40"])

    # Assert: one line that names the cause, a failure exit, and the journal kept
    assert result.exit_code == 1, result.output
    problem = [line for line in result.output.splitlines() if "cannot write the session's files" in line]
    assert len(problem) == 1 and "No space left on device" in problem[0]
    assert len(written) == 3
    folder = session_dir(tmp_path, "full")
    assert journal(folder)[-1]["seq"] >= written[2]
    assert json.loads((folder / "state.json").read_text())["seq"] == written[1]

    # And once the disk has room again, the session resumes to its end
    monkeypatch.setattr(snapshot_module, "write_atomic", real_write)
    resumed = run_logos(["resume", "full"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert journal(folder)[-1]["type"] == "SessionCompleted"
