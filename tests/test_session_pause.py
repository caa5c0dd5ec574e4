"""Pause is not halt: Ctrl-C, SIGTERM and ``logos stop`` pause a session, its working orders
stay working, and ``logos resume`` continues them, so the finished CSVs equal an
uninterrupted run's.

The equivalence test pauses a real paced session with limit orders that fill in parts (a
small ``--volume-share``) by SIGINT at seeded-random instants, resumes it each time, and
compares the four CSVs byte for byte with a run nobody interrupted. ``logos stop --halt``
is the operator's halt: it cancels working orders, as a guard halt does.
"""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

import pytest

from session_helpers import CSV_ARTIFACTS, artifact_bytes, flat, journal, run_logos, session_dir, start_logos, uninterrupted, wait_for_writer

SID = "paused"
# Limit orders that rest up to 30 bars and fill in parts: over half of all instants find one partly filled.
LIMIT = ["--order-type", "limit", "--volume-share", "0.0001", "--limit-ttl-bars", "30"]
TRADE = ["trade", "--paper", "--session-id", SID, *LIMIT]
SPEED = "8000"  # 1,950 bar times of 60 s: about 15 s of pacing in all
PAUSES = 20
SEED = 20251020


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return uninterrupted(TRADE, tmp_path_factory.mktemp("uninterrupted"), SID)


def _working_orders(folder: Path) -> list[dict]:
    return list(json.loads((folder / "state.json").read_text())["state"]["orders"].values())


def test_session_paused_by_sigint_at_random_instants_and_resumed_equals_an_uninterrupted_run(tmp_path: Path, baseline: dict[str, bytes]) -> None:
    # Arrange
    rng = random.Random(SEED)
    folder = session_dir(tmp_path, SID)
    args = [*TRADE, "--speed", SPEED]
    paused, with_working, with_partial = 0, 0, 0

    # Act: SIGINT at a random instant, resume (paced), again; after the last pause, resume at max speed
    while True:
        proc = start_logos(args, tmp_path)
        if wait_for_writer(tmp_path, SID, proc) and paused < PAUSES:
            time.sleep(rng.uniform(0.0, 0.5))
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=180)
        if proc.returncode == 0:
            break
        assert proc.returncode == 4, f"rc={proc.returncode}\n{out}\n{err}"
        assert f"paused: continue with `logos resume {SID}`" in flat(out)
        paused += 1
        working = _working_orders(folder)
        with_working += bool(working)
        with_partial += any(o["status"] == "partially_filled" for o in working)
        args = ["resume", SID] if paused < PAUSES else ["resume", SID, "--speed", "max"]

    # Assert
    assert paused == PAUSES
    assert with_working >= 5 and with_partial >= 3, (with_working, with_partial)
    entries = journal(folder)
    assert sum(e["type"] == "SessionPaused" for e in entries) == paused
    assert sum(e["type"] == "SessionResumed" for e in entries) == paused
    assert not any(e["type"] == "OrderCanceled" and "operator" in json.dumps(e) for e in entries)
    got = artifact_bytes(folder, CSV_ARTIFACTS)
    assert [name for name in CSV_ARTIFACTS if got[name] != baseline[name]] == []


def test_logos_stop_pauses_the_running_session_and_prints_how_to_continue(tmp_path: Path, baseline: dict[str, bytes]) -> None:
    # Arrange
    proc = start_logos([*TRADE, "--speed", SPEED], tmp_path)
    assert wait_for_writer(tmp_path, SID, proc)
    time.sleep(1.0)

    # Act
    stopped = run_logos(["stop", SID], tmp_path)

    # Assert
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 4
    assert stopped.returncode == 0, stopped.stderr
    assert f"session {SID}: paused" in flat(stopped.stdout)
    assert f"paused: continue with `logos resume {SID}`" in flat(out)
    assert journal(session_dir(tmp_path, SID))[-1]["reason"] == "paused by the operator (SIGTERM)"
    assert run_logos(["resume", SID, "--speed", "max"], tmp_path).returncode == 0
    assert artifact_bytes(session_dir(tmp_path, SID), CSV_ARTIFACTS) == baseline


def test_logos_stop_halt_cancels_working_orders_and_the_session_resumes(tmp_path: Path) -> None:
    # Arrange: slow pacing and long-lived limit orders; stop once the first order is accepted
    proc = start_logos([*TRADE, "--speed", "500"], tmp_path)
    assert wait_for_writer(tmp_path, SID, proc)
    folder = session_dir(tmp_path, SID)
    deadline = time.monotonic() + 60
    while not any(e["type"] == "OrderAccepted" for e in journal(folder)):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)

    # Act
    stopped = run_logos(["stop", SID, "--halt"], tmp_path)

    # Assert: every order working when the operator's halt was journaled is canceled by it
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert f"session {SID}: halted (operator)" in flat(stopped.stdout)
    assert f"halted: continue with `logos resume {SID}`" in flat(out)
    entries = journal(folder)
    halted = next(e["seq"] for e in entries if e["type"] == "OperatorHalted")
    closing = {"OrderFilled", "OrderExpired", "OrderCanceled", "OrderRejected"}
    working = {e["client_id"] for e in entries if e["type"] == "OrderAccepted" and e["seq"] < halted}
    working -= {e["client_id"] for e in entries if e["seq"] < halted and e["type"] in closing and (e["type"] != "OrderFilled" or e["leaves"] == "0")}
    canceled = {e["client_id"] for e in entries if e["type"] == "OrderCanceled" and e["seq"] > halted}
    assert working and working == canceled
    assert _working_orders(folder) == []
    assert run_logos(["resume", SID, "--speed", "max"], tmp_path).returncode == 0


def test_logos_stop_with_no_running_session_is_one_line_exit_2(tmp_path: Path, baseline: dict[str, bytes]) -> None:
    # Arrange
    assert run_logos(TRADE, tmp_path).returncode == 0

    # Act
    stopped = run_logos(["stop", SID], tmp_path)

    # Assert
    assert stopped.returncode == 2
    assert f"error: session {SID} is not running" in flat(stopped.stderr)
