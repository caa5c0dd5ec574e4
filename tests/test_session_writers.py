"""One writer per session: a second ``trade`` or ``resume`` of a session another process is
writing is refused in one line naming the holder, and changes nothing.

Real concurrent processes throughout. To see that a refused attempt writes nothing, the
writer is frozen (SIGSTOP: it keeps its lock) while the attempts run, and the session folder
is hashed before and after; then it goes on, and its journal and CSVs must equal those of a
run nobody disturbed. The issue's own reproduction (a paced ``trade`` in the background, a
``resume --speed max`` five seconds later) runs as written, without freezing anything.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from logos.live.lock import lock_holder
from session_helpers import (
    CSV_ARTIFACTS,
    DETERMINISTIC,
    artifact_bytes,
    flat,
    folder_digest,
    one_line_error,
    run_logos,
    session_dir,
    start_logos,
    uninterrupted,
    wait_for_writer,
)

SID = "shared"
TRADE = ["trade", "--paper", "--session-id", SID, "--symbol", "UPTREND"]
PACED = [*TRADE, "--speed", "20000"]  # 390 bars in about 1.2 s
SLOW = [*TRADE, "--speed", "3000"]  # about 8 s: still running 5 s after its start
LONG = ["trade", "--paper", "--session-id", SID, "--symbol", "SYN/USD", "--max-drawdown-bps", "10000"]
SYNTHETIC_BARS = 50_000


def _wait_for_writer(home: Path, proc: subprocess.Popen[str]) -> int:
    assert wait_for_writer(home, SID, proc), proc.communicate()
    return proc.pid


def _assert_busy(run: tuple[int, str], pid: int) -> None:
    code, stderr = run
    assert code == 2, stderr
    line = flat(one_line_error(stderr))
    assert f"session {SID} is being written by another process (pid {pid}, started 20" in line
    assert f"`logos stop {SID}`" in line


def _attempts(home: Path, intruders: list[list[str]]) -> list[tuple[int, str]]:
    """Start every intruder at once and collect (exit code, stderr)."""
    procs = [start_logos(args, home) for args in intruders]
    return [(p.wait(timeout=120), p.communicate()[1]) for p in procs]


@pytest.fixture(scope="module")
def paced_baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The same session at --speed max: pacing changes when lines are written, not what they say."""
    return uninterrupted(TRADE, tmp_path_factory.mktemp("paced"), SID, DETERMINISTIC)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("synthetic")
    # the benchmarks' seeded series: a long 24/7 symbol, so a max-speed run lasts a while
    code = f"from pathlib import Path; from benchmarks.synthetic import make_home; make_home(Path({str(source)!r}), {SYNTHETIC_BARS})"
    subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1], check=True)
    return source


@pytest.fixture(scope="module")
def long_baseline(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> dict[str, bytes]:
    home = tmp_path_factory.mktemp("long")
    _share(synthetic, home)
    return uninterrupted(LONG, home, SID, DETERMINISTIC)


def _share(source: Path, home: Path) -> None:
    (home / "data").symlink_to(source / "data", target_is_directory=True)


INTRUDERS = {
    "resume --speed max": [["resume", SID, "--speed", "max"]],
    "resume at its stored speed": [["resume", SID]],
    "two resumes at once": [["resume", SID], ["resume", SID, "--speed", "max"]],
}


@pytest.mark.parametrize("intruders", INTRUDERS.values(), ids=INTRUDERS.keys())
@pytest.mark.parametrize("writer", ["paced trade", "max-speed trade"])
def test_resume_while_another_process_writes_is_refused_naming_it_and_changes_nothing(
    tmp_path: Path, request: pytest.FixtureRequest, synthetic: Path, writer: str, intruders: list[list[str]]
) -> None:
    # Arrange: the writer runs, then is frozen with its lock held
    if writer == "paced trade":
        args, baseline = PACED, request.getfixturevalue("paced_baseline")
    else:
        _share(synthetic, tmp_path)
        args, baseline = LONG, request.getfixturevalue("long_baseline")
    proc = start_logos(args, tmp_path)
    pid = _wait_for_writer(tmp_path, proc)
    proc.send_signal(signal.SIGSTOP)
    before = folder_digest(session_dir(tmp_path, SID))

    # Act
    runs = _attempts(tmp_path, intruders)

    # Assert: each refused, naming the writer; not a byte changed
    for run in runs:
        _assert_busy(run, pid)
    assert folder_digest(session_dir(tmp_path, SID)) == before
    proc.send_signal(signal.SIGCONT)
    assert proc.wait(timeout=120) == 0, proc.communicate()
    assert artifact_bytes(session_dir(tmp_path, SID), DETERMINISTIC) == baseline


def test_issue_reproduction_trade_in_background_then_resume_max_is_refused(tmp_path: Path, paced_baseline: dict[str, bytes]) -> None:
    # Act: `logos trade --paper --session-id X --speed 3000 & sleep 5; logos resume X --speed max; wait`
    proc = start_logos(SLOW, tmp_path)
    time.sleep(5)
    assert proc.poll() is None, "the paced session should still be running"
    resumed = run_logos(["resume", SID, "--speed", "max"], tmp_path)

    # Assert
    _assert_busy((resumed.returncode, resumed.stderr), proc.pid)
    assert proc.wait(timeout=120) == 0, proc.communicate()
    assert artifact_bytes(session_dir(tmp_path, SID), DETERMINISTIC) == paced_baseline


def test_two_resumes_at_once_of_a_paused_session_one_writes_the_other_is_refused(tmp_path: Path, paced_baseline: dict[str, bytes]) -> None:
    # Arrange: a paced session paused by Ctrl-C part-way
    proc = start_logos(PACED, tmp_path)
    _wait_for_writer(tmp_path, proc)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 4, proc.communicate()

    # Act: two paced resumes started together
    first, second = start_logos(["resume", SID], tmp_path), start_logos(["resume", SID], tmp_path)
    results = {p.pid: (p.wait(timeout=120), p.communicate()[1]) for p in (first, second)}

    # Assert: exactly one wrote, the other names it
    codes = sorted(code for code, _ in results.values())
    assert codes == [0, 2], results
    winner = next(pid for pid, (code, _) in results.items() if code == 0)
    loser = next(run for run in results.values() if run[0] == 2)
    _assert_busy(loser, winner)
    assert artifact_bytes(session_dir(tmp_path, SID), CSV_ARTIFACTS) == {k: paced_baseline[k] for k in CSV_ARTIFACTS}


def test_writer_killed_frees_the_lock_and_sessions_list_says_crashed(tmp_path: Path) -> None:
    # Arrange
    proc = start_logos(SLOW, tmp_path)
    pid = _wait_for_writer(tmp_path, proc)
    listed = flat(run_logos(["sessions", "list"], tmp_path, COLUMNS="300").stdout)
    assert f"running (pid {pid}, since" in listed

    # Act
    proc.kill()
    proc.wait(timeout=30)

    # Assert
    assert lock_holder(session_dir(tmp_path, SID)) is None
    listed = flat(run_logos(["sessions", "list"], tmp_path, COLUMNS="300").stdout)
    assert f"crashed (pid {pid}, started" in listed
    assert run_logos(["resume", SID, "--speed", "max"], tmp_path).returncode == 0
