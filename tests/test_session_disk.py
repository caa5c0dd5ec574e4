"""A real full disk and real read-only folders: one clear line, exit 1, never a traceback.

Each test runs ``logos`` in a mount namespace of its own (``unshare -m``) on a small tmpfs,
so the disk really fills up and a read-only mount really refuses writes, whoever the user
is. A session that fills the disk mid-run resumes, once there is room again, to the CSVs of
a run that never met a full disk. Skipped where the machine allows no mount namespace.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from session_helpers import CSV_ARTIFACTS, artifact_bytes, clean_env, flat, logos_argv, one_line_error, run_logos, session_dir

SID = "disk"
TRADE = f"trade --paper --session-id {SID} --symbol UPTREND"


def _unshare(tmp_path: Path) -> list[str]:
    probe = tmp_path / "probe"
    probe.mkdir()
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        if shutil.which(prefix[0]) is None:
            break
        done = subprocess.run([*prefix, "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {probe}"], capture_output=True)
        if done.returncode == 0:
            return prefix
    pytest.skip("no mount namespace here (unshare -m is not permitted)")


def _script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Run ``body`` (sh) in its own mount namespace; ``$LOGOS`` runs logos, ``$OUT`` survives it."""
    out = tmp_path / "out"
    out.mkdir()
    env = clean_env(None, LOGOS=" ".join(shlex.quote(a) for a in logos_argv()), OUT=str(out), HOME_DIR=str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return subprocess.run([*_unshare(tmp_path), "sh", "-c", "set -u\n" + body], env=env, capture_output=True, text=True, timeout=300)


def _read(tmp_path: Path, name: str) -> str:
    return (tmp_path / "out" / name).read_text()


def test_trade_on_a_full_disk_is_one_line_exit_1_and_leaves_no_session(tmp_path: Path) -> None:
    # Act: a disk too small for even the session's first files
    done = _script(
        tmp_path,
        f"""mount -t tmpfs -o size=8k tmpfs "$HOME_DIR" && cd "$HOME_DIR"
        $LOGOS {TRADE} > "$OUT/stdout" 2> "$OUT/stderr"; echo $? > "$OUT/rc"
        ls -A runs/live/sessions > "$OUT/sessions" 2>/dev/null || true""",
    )

    # Assert
    assert done.returncode == 0, done.stderr
    assert _read(tmp_path, "rc").strip() == "1"
    line = flat(one_line_error(_read(tmp_path, "stderr")))
    assert "No space left on device; free some space; no session was left behind" in line
    assert _read(tmp_path, "sessions").split() == []


def test_trade_filling_the_disk_mid_run_is_one_line_and_resumes_once_there_is_room(tmp_path: Path) -> None:
    # Arrange
    reference = tmp_path / "reference"
    reference.mkdir()
    assert run_logos(TRADE.split(), reference).returncode == 0

    # Act: room for the start, not for the whole journal; then room again, and resume
    done = _script(
        tmp_path,
        f"""mount -t tmpfs -o size=48k tmpfs "$HOME_DIR" && cd "$HOME_DIR"
        $LOGOS {TRADE} > "$OUT/stdout" 2> "$OUT/stderr"; echo $? > "$OUT/rc"
        $LOGOS sessions list > "$OUT/list" 2>&1
        mount -o remount,size=10m "$HOME_DIR"
        $LOGOS resume {SID} > "$OUT/resume_stdout" 2> "$OUT/resume_stderr"; echo $? > "$OUT/resume_rc"
        cp -r runs "$OUT/runs\"""",
    )

    # Assert
    assert done.returncode == 0, done.stderr
    assert _read(tmp_path, "rc").strip() == "1"
    line = flat(one_line_error(_read(tmp_path, "stderr")))
    assert f"session {SID} failed at seq" in line and "No space left on device" in line
    assert f"continue with `logos resume {SID}`" in line
    listed = flat(_read(tmp_path, "list"))
    assert "running" not in listed
    assert _read(tmp_path, "resume_rc").strip() == "0", _read(tmp_path, "resume_stderr")
    folder = tmp_path / "out" / "runs" / "live" / "sessions" / SID
    assert artifact_bytes(folder, CSV_ARTIFACTS) == artifact_bytes(session_dir(reference, SID), CSV_ARTIFACTS)


@pytest.mark.parametrize("read_only", ["home", "sessions folder", "logs folder"])
def test_trade_with_a_read_only_folder_is_one_line_exit_1_and_leaves_no_session(tmp_path: Path, read_only: str) -> None:
    # Arrange
    mount = {
        "home": 'mount -o remount,ro "$HOME_DIR"',
        "sessions folder": 'mkdir -p runs/live/sessions && mount -t tmpfs -o ro tmpfs runs/live/sessions',
        "logs folder": 'mkdir -p logos/logs && mount -t tmpfs -o ro tmpfs logos/logs',
    }[read_only]

    # Act
    done = _script(
        tmp_path,
        f"""mount -t tmpfs -o size=1m tmpfs "$HOME_DIR" && cd "$HOME_DIR" && {mount}
        $LOGOS {TRADE} > "$OUT/stdout" 2> "$OUT/stderr"; echo $? > "$OUT/rc"
        ls -A runs/live/sessions > "$OUT/sessions" 2>/dev/null || true""",
    )

    # Assert
    assert done.returncode == 0, done.stderr
    assert _read(tmp_path, "rc").strip() == "1"
    line = flat(one_line_error(_read(tmp_path, "stderr")))
    assert "Read-only file system; make it writable, or pass --home" in line
    assert _read(tmp_path, "sessions").split() == []


def test_resume_in_a_read_only_folder_is_one_line_exit_1(tmp_path: Path) -> None:
    # Act: a session killed mid-run, then its home made read-only
    done = _script(
        tmp_path,
        f"""mount -t tmpfs -o size=1m tmpfs "$HOME_DIR" && cd "$HOME_DIR"
        LOGOS_FAULT_KILL_AFTER_SEQ=100 $LOGOS {TRADE} > /dev/null 2>&1
        mount -o remount,ro "$HOME_DIR"
        $LOGOS resume {SID} > "$OUT/stdout" 2> "$OUT/stderr"; echo $? > "$OUT/rc\"""",
    )

    # Assert
    assert done.returncode == 0, done.stderr
    assert _read(tmp_path, "rc").strip() == "1"
    line = flat(one_line_error(_read(tmp_path, "stderr")))
    assert f"session {SID} cannot be resumed: cannot lock" in line and "Read-only file system" in line
