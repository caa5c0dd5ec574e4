"""``logos status`` from another terminal: a paced session's live figures, read without
disturbing its writer, and the standing of sessions that ended, crashed or never ran.

The running session is a real process pacing the UPTREND fixture at 600x (ten bars a
second). Its figures are checked against the journal itself, worked out here: the seq and
positions of the facts journaled up to the seq status reports.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from session_helpers import SIGKILLED, invoke, journal, logos_argv, clean_env, run_logos, session_dir, start_logos, wait_for_writer

PACED = ["trade", "--paper", "--session-id", "live", "--symbol", "UPTREND", "--speed", "600"]


def _last_seq(folder: Path) -> int:
    return journal(folder)[-1]["seq"]


def _positions_at(folder: Path, seq: int) -> dict[str, Decimal]:
    held: dict[str, Decimal] = defaultdict(Decimal)
    for entry in journal(folder):
        if entry["seq"] <= seq and entry["type"] == "OrderFilled":
            qty = Decimal(entry["qty"])
            held[entry["symbol"]] += qty if entry["side"] == "buy" else -qty
    return {symbol: qty for symbol, qty in held.items() if qty}


def _open_at(folder: Path, seq: int) -> set[str]:
    opened, closed = set(), set()
    for entry in journal(folder):
        if entry["seq"] > seq:
            break
        if entry["type"] == "OrderSubmitted":
            opened.add(entry["client_id"])
        elif entry["type"] in ("OrderCanceled", "OrderExpired", "OrderRejected") or (entry["type"] == "OrderFilled" and Decimal(entry["leaves"]) == 0):
            closed.add(entry["client_id"])
    return opened - closed


def _status(home: Path, *args: str) -> dict[str, Any]:
    run = run_logos(["status", "live", "--json", *args], home)
    assert run.returncode == 0 and run.stderr == "", run.stdout + run.stderr
    return json.loads(run.stdout)


def test_status_of_a_paced_running_session_shows_its_pid_and_journaled_figures(tmp_path: Path) -> None:
    # Arrange
    proc = start_logos(PACED, tmp_path)
    folder = session_dir(tmp_path, "live")
    try:
        assert wait_for_writer(tmp_path, "live", proc)
        time.sleep(1.5)  # some fifteen bars

        # Act
        before = _last_seq(folder)
        document = _status(tmp_path)
        after = _last_seq(folder)
        text = run_logos(["status", "live"], tmp_path)
        later = _status(tmp_path)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)

    # Assert: alive, and the figures of the journal's last event, not of the snapshot taken at the start.
    figures = document["figures"]
    snapshot_seq = json.loads((folder / "state.json").read_text())["seq"]
    assert (document["alive"], document["status"], document["pid"]) == (True, "running", proc.pid)
    assert before <= figures["seq"] <= after and document["replayed"] > 0
    assert figures["market_clock"] > "2025-10-13T13:3"
    held = {p["symbol"]: Decimal(p["qty"]) for p in figures["positions"]}
    assert held == _positions_at(folder, figures["seq"])
    assert {o["client_id"] for o in figures["open_orders"]} == _open_at(folder, figures["seq"])
    pnl = {k: Decimal(v) for k, v in figures["pnl"].items()}
    assert pnl["cash"] + pnl["market_value"] == pnl["equity"]
    # The writer went on undisturbed, and paused as asked.
    assert later["figures"]["seq"] > figures["seq"]
    assert proc.returncode == 4, out + err
    assert snapshot_seq > figures["seq"], "the pause wrote the snapshot after status had looked"
    assert text.returncode == 0 and f"session live: running (pid {proc.pid}, since " in text.stdout
    assert "market 2025-10-13T" in text.stdout and "equity " in text.stdout


def test_status_watch_json_follows_the_session_until_it_stops(tmp_path: Path) -> None:
    # Arrange
    proc = start_logos(PACED, tmp_path)
    assert wait_for_writer(tmp_path, "live", proc)
    watch = subprocess.Popen(
        logos_argv() + ["status", "live", "--watch", "--every", "0.3", "--json"],
        cwd=tmp_path, env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )

    # Act: stop the session after a while; the watch ends on its own once nobody runs it.
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    out, err = watch.communicate(timeout=60)

    # Assert
    looks = [json.loads(line) for line in out.splitlines()]
    assert watch.returncode == 0 and err == "", err
    assert len(looks) >= 4
    assert all(look["alive"] for look in looks[:-1]) and not looks[-1]["alive"]
    assert looks[-1]["status"] == "paused"
    seqs = [look["figures"]["seq"] for look in looks]
    assert seqs == sorted(seqs) and seqs[-1] > seqs[0]


def test_status_of_a_crashed_session_replays_the_journal_after_its_snapshot(tmp_path: Path) -> None:
    # Arrange: killed after journaling seq 300; the snapshot is the one taken at the start.
    run = run_logos(["trade", "--paper", "--session-id", "live", "--symbol", "UPTREND"], tmp_path, crash_after=300)
    folder = session_dir(tmp_path, "live")

    # Act
    document = _status(tmp_path)

    # Assert
    assert run.returncode == SIGKILLED
    snapshot_seq = json.loads((folder / "state.json").read_text())["seq"]
    assert document["status"] == "crashed" and not document["alive"]
    assert document["figures"]["seq"] == _last_seq(folder) > snapshot_seq
    assert {p["symbol"]: Decimal(p["qty"]) for p in document["figures"]["positions"]} == _positions_at(folder, document["figures"]["seq"])


def test_status_of_a_completed_session_is_its_final_state(tmp_path: Path) -> None:
    invoke(["trade", "--paper", "--session-id", "live", "--symbol", "UPTREND", "--home", str(tmp_path)])
    folder = session_dir(tmp_path, "live")

    result = invoke(["status", "live", "--home", str(tmp_path), "--json"])

    document = json.loads(result.stdout)
    state = json.loads((folder / "state.json").read_text())
    assert result.exit_code == 0
    assert (document["status"], document["replayed"], document["figures"]["seq"]) == ("completed", 0, state["seq"])
    assert len(document["figures"]["last_guard_trips"]) == min(5, len(state["state"]["trips"]))
