"""Crash equivalence: SIGKILL the real process at a chosen journal seq, resume, compare.

``LOGOS_FAULT_KILL_AFTER_SEQ=N`` makes the shell SIGKILL itself right after journaling seq N,
before that event's artifact rows and before any snapshot: the worst instant. Whatever N,
``logos resume`` (repeated if the resume is killed too) must end with CSV artifacts
byte-identical to a run that was never interrupted.

A small ``--volume-share`` makes orders fill over several bars, so some kills land between
the fills of one order; a small ``--snapshot-every`` puts snapshots inside the session.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest

from logos.live.runner import JOURNAL_HOLD_LINES
from session_helpers import (
    CSV_ARTIFACTS,
    INPUT_NAMES,
    SIGKILLED,
    artifact_bytes,
    flat,
    invoke,
    journal,
    partial_fill_seqs,
    resume_until_done,
    rows,
    run_logos,
    session_dir,
    snapshot_points,
    snapshot_seq,
)

SID = "crash"
SNAPSHOT_EVERY = 500
MARKET = ["--volume-share", "0.0001", "--snapshot-every", str(SNAPSHOT_EVERY)]
LIMIT = ["--order-type", "limit", *MARKET]


class Baseline(NamedTuple):
    options: list[str]
    folder: Path
    entries: list[dict]
    csvs: dict[str, bytes]
    report: str


def _uninterrupted(home: Path, options: list[str], exit_code: int = 0) -> Baseline:
    run = run_logos(["trade", "--paper", "--session-id", SID, *options], home)
    assert run.returncode == exit_code, run.stderr
    folder = session_dir(home, SID)
    return Baseline(options, folder, journal(folder), artifact_bytes(folder, CSV_ARTIFACTS), (folder / "session.md").read_text())


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return _uninterrupted(tmp_path_factory.mktemp("market-baseline"), MARKET)


@pytest.fixture(scope="module")
def halting(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """A session the drawdown guard halts (exit 3) part-way through."""
    return _uninterrupted(tmp_path_factory.mktemp("halting-baseline"), [*MARKET, "--max-drawdown-bps", "30"], exit_code=3)


@pytest.fixture(scope="module")
def limit(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return _uninterrupted(tmp_path_factory.mktemp("limit-baseline"), LIMIT)


def _crash(home: Path, base: Baseline, seq: int) -> Path:
    """Start the baseline's session in ``home`` and let it kill itself after journaling ``seq``."""
    run = run_logos(["trade", "--paper", "--session-id", SID, *base.options], home, crash_after=seq)
    assert run.returncode == SIGKILLED, f"expected a SIGKILL after seq {seq}, got rc={run.returncode}\n{run.stderr}"
    folder = session_dir(home, SID)
    written = journal(folder)[-1]["seq"]
    # At --speed max the lines of bars that caused nothing may still be held back in memory
    # and die with the process (a resume reads those bars from the cache again); every
    # fact, and the event that caused it, must have reached the file.
    last_fact = max((e["seq"] for e in base.entries if e["seq"] <= seq and e["type"] not in INPUT_NAMES), default=0)
    assert written >= last_fact
    assert written >= seq - JOURNAL_HOLD_LINES
    assert not (folder / "positions.csv").exists(), "a killed session must not have written its closing artifacts"
    return folder


def _assert_converged(folder: Path, base: Baseline, status: str = "completed") -> None:
    got = artifact_bytes(folder, CSV_ARTIFACTS)
    differing = [name for name in CSV_ARTIFACTS if got[name] != base.csvs[name]]
    assert differing == [], f"{differing} differ from the uninterrupted run"
    trades = rows(folder / "trades.csv")
    trade_ids = [t["trade_id"] for t in trades]
    assert len(trade_ids) == len(set(trade_ids)), "a fill was booked twice"
    orders = [o["client_id"] for o in rows(folder / "orders.csv")]
    assert len(orders) == len(set(orders))
    assert set(orders) == {f"{SID}-{n}" for n in range(1, len(orders) + 1)}, "an order id is missing"
    assert {t["client_id"] for t in trades} <= set(orders)
    assert f"- Status: **{status}**" in (folder / "session.md").read_text()


def _section(report: str, title: str) -> str:
    return report.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_resume_with_kill_before_first_snapshot_mid_partial_fill_matches_uninterrupted_run(tmp_path: Path, market: Baseline) -> None:
    # Arrange
    first_snapshot = snapshot_points(market.entries, SNAPSHOT_EVERY)[0]
    seq = next(s for s in partial_fill_seqs(market.entries) if s < first_snapshot)
    folder = _crash(tmp_path, market, seq)
    assert snapshot_seq(folder) == 1, "the only snapshot should be the one written after SessionStarted"

    # Act
    resume_until_done(tmp_path, SID)

    # Assert
    _assert_converged(folder, market)


def test_resume_with_kill_mid_partial_fill_and_again_during_resume_matches_uninterrupted_run(tmp_path: Path, market: Baseline) -> None:
    # Arrange: a kill between two fills of one order in the middle of the session, then a
    # second kill during the resume, again between two fills (the resume journals one extra
    # event, SessionResumed, so the baseline's seqs move up by one).
    last = market.entries[-1]["seq"]
    points = set(snapshot_points(market.entries, SNAPSHOT_EVERY))
    partials = [s for s in partial_fill_seqs(market.entries) if last * 2 // 5 < s and not points & set(range(s - 3, s + 3))]
    first, second = partials[0], next(s for s in partials if s > partials[0] + 100)
    folder = _crash(tmp_path, market, first)
    crashed = journal(folder)
    killed = crashed[-1]
    assert killed["type"] == "OrderFilled" and Decimal(killed["leaves"]) > 0
    cid = killed["client_id"]
    ordered = next(e["qty"] for e in crashed if e["type"] == "OrderSubmitted" and e["client_id"] == cid)
    filled = sum(Decimal(e["qty"]) for e in crashed if e["type"] == "OrderFilled" and e["client_id"] == cid)

    # Act
    runs = resume_until_done(tmp_path, SID, crashes=[second + 1])

    # Assert
    assert [r.returncode for r in runs] == [SIGKILLED, 0]
    _assert_converged(folder, market)
    restarts = _section((folder / "session.md").read_text(), "Reconciliation")
    first_restart = restarts.split("### Restart 2", 1)[0]
    assert f"{cid} partially_filled {filled}/{ordered}" in first_restart
    assert restarts.count("- Discrepancies: none (every journaled fact re-derived identically)") == 2


def test_resume_with_kill_during_resume_lists_every_restart_in_session_md(tmp_path: Path, market: Baseline) -> None:
    # Arrange: the first resume is killed soon after it starts, before it would snapshot.
    seq = partial_fill_seqs(market.entries)[len(partial_fill_seqs(market.entries)) // 2]
    folder = _crash(tmp_path, market, seq)

    # Act
    resume_until_done(tmp_path, SID, crashes=[seq + 30])

    # Assert
    restarts = _section((folder / "session.md").read_text(), "Reconciliation")
    assert "### Restart 1" in restarts
    assert "### Restart 2" in restarts
    _assert_converged(folder, market)


def test_resume_with_kill_right_after_a_snapshot_matches_uninterrupted_run(tmp_path: Path, market: Baseline) -> None:
    # Arrange
    snapshot_at = snapshot_points(market.entries, SNAPSHOT_EVERY)[1]
    folder = _crash(tmp_path, market, snapshot_at + 1)
    assert snapshot_seq(folder) == snapshot_at, "the kill should land just after the second snapshot"

    # Act
    runs = resume_until_done(tmp_path, SID)

    # Assert
    assert runs[-1].returncode == 0
    _assert_converged(folder, market)


def test_resume_with_kill_while_quiet_bar_lines_are_held_back_rereads_them_and_matches_uninterrupted_run(
    tmp_path: Path, market: Baseline
) -> None:
    # Arrange: kill on a bar that caused nothing, in the longest run of such bars after a
    # snapshot, so its journal line (and those before it) are still held in memory
    points = snapshot_points(market.entries, SNAPSHOT_EVERY)
    inputs = [e for e in market.entries if e["type"] in INPUT_NAMES]
    factless = {e["seq"] for e in inputs} - {e["seq"] - 1 for e in market.entries if e["type"] not in INPUT_NAMES}
    seq = next(s for s in sorted(factless) if s > points[1] + 20 and all(x in factless for x in range(s - 20, s + 1)))
    folder = _crash(tmp_path, market, seq)
    assert journal(folder)[-1]["seq"] < seq, "the quiet bars' lines should have died with the process"

    # Act
    runs = resume_until_done(tmp_path, SID)

    # Assert: the resume read the lost bars from the cache again
    assert runs[-1].returncode == 0
    _assert_converged(folder, market)


def test_resume_with_kill_on_the_last_bar_matches_uninterrupted_run(tmp_path: Path, market: Baseline) -> None:
    # Arrange: every bar is journaled, the feed's end is not.
    last_bar = max(e["seq"] for e in market.entries if e["type"] == "BarClosed")
    folder = _crash(tmp_path, market, last_bar)
    assert journal(folder)[-1]["type"] != "SessionCompleted"

    # Act
    resume_until_done(tmp_path, SID)

    # Assert
    _assert_converged(folder, market)
    assert _section((folder / "session.md").read_text(), "Feed") == _section(market.report, "Feed")


def test_resume_with_kill_after_completion_was_journaled_writes_the_closing_artifacts(tmp_path: Path, market: Baseline) -> None:
    # Arrange: the journal says the session completed; positions.csv and session.md are missing.
    folder = _crash(tmp_path, market, market.entries[-1]["seq"])
    assert journal(folder)[-1]["type"] == "SessionCompleted"

    # Act
    runs = resume_until_done(tmp_path, SID)

    # Assert
    assert "had completed before it stopped" in flat(runs[-1].stdout)
    _assert_converged(folder, market)
    assert journal(folder) == market.entries


@pytest.mark.parametrize("damage", ["cut_mid_line", "garbled_without_newline"])
def test_resume_with_torn_journal_tail_says_so_and_matches_uninterrupted_run(tmp_path: Path, market: Baseline, damage: str) -> None:
    # Arrange: kill right after a bar and the fill it caused, then cut the fill's line in half
    # (or garble its second half, as a power loss can leave it), as if the crash had
    # interrupted the write: either way the last line has no newline. A complete line that
    # is not an event is refused instead (test_session_refusals).
    seq = partial_fill_seqs(market.entries)[-1]
    folder = _crash(tmp_path, market, seq)
    data = (folder / "state.jsonl").read_bytes()
    last_line_start = data.rindex(b"\n", 0, len(data) - 1) + 1
    cut = last_line_start + (len(data) - last_line_start) // 2
    tail = b"" if damage == "cut_mid_line" else b"\x00\xff#garbled\x00\x00"
    (folder / "state.jsonl").write_bytes(data[:cut] + tail)
    assert b'"type":"OrderFilled"' in data[last_line_start:]

    # Act
    runs = resume_until_done(tmp_path, SID)

    # Assert
    note = flat(runs[0].stdout)
    assert note.count("skipped a torn journal tail of") == 1, "the note is printed once"
    torn = int(note.split("skipped a torn journal tail of ", 1)[1].split()[0])
    assert torn >= cut - last_line_start
    assert f"- Torn journal tail skipped: {torn} bytes" in (folder / "session.md").read_text()
    _assert_converged(folder, market)


def test_resume_with_kill_while_limit_order_rests_matches_uninterrupted_run(tmp_path: Path, limit: Baseline) -> None:
    # Arrange: kill while a limit order is open (accepted, neither filled nor expired yet),
    # then kill the resume as that order's life ends.
    entries = limit.entries
    closes = {e["client_id"]: e["seq"] for e in entries if e["type"] in ("OrderExpired", "OrderCanceled")}
    accepted = [e for e in entries if e["type"] == "OrderAccepted" and e["client_id"] in closes]
    middle = accepted[len(accepted) // 2]
    resting = middle["seq"] + (closes[middle["client_id"]] - middle["seq"]) // 2
    folder = _crash(tmp_path, limit, resting)
    later = accepted[len(accepted) // 2 + 5]

    # Act
    resume_until_done(tmp_path, SID, crashes=[closes[later["client_id"]] + 1])

    # Assert
    _assert_converged(folder, limit)
    assert any(o["status"] == "expired" for o in rows(folder / "orders.csv"))


@pytest.mark.parametrize("moment", ["before_the_trip", "after_the_halt_was_journaled"])
def test_resume_with_kill_around_a_guard_halt_halts_like_the_uninterrupted_run(tmp_path: Path, halting: Baseline, moment: str) -> None:
    # Arrange: the uninterrupted run halts on drawdown; kill it shortly before the trip, or
    # right after the halt is journaled but before its closing artifacts are written.
    halted_at = next(e["seq"] for e in halting.entries if e["type"] == "SessionHalted")
    seq = halted_at - 40 if moment == "before_the_trip" else halted_at
    folder = _crash(tmp_path, halting, seq)

    # Act
    run = run_logos(["resume", SID], tmp_path)

    # Assert
    assert run.returncode == 3, run.stdout + run.stderr
    _assert_converged(folder, halting, status="halted")
    assert _section((folder / "session.md").read_text(), "Guard trips") == _section(halting.report, "Guard trips")
    if moment == "after_the_halt_was_journaled":
        assert "had halted before it stopped" in flat(run.stdout)
        assert journal(folder) == halting.entries


def test_resume_with_session_md_write_failed_at_the_end_finishes_the_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange: the last step of a session, writing session.md, fails (a full disk); the
    # snapshot must not yet say the session ended, or resume could never write it.
    from logos.live import runner

    small = ["trade", "--paper", "--session-id", SID, "--symbol", "UPTREND"]
    clean_home, failing_home = tmp_path / "clean", tmp_path / "failing"
    clean_home.mkdir()
    failing_home.mkdir()
    assert invoke([*small, "--home", str(clean_home)]).exit_code == 0
    real_write = runner.write_atomic

    def full_disk(path: Path, data: bytes) -> None:
        if path.name == "session.md":
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(runner, "write_atomic", full_disk)
    failed = invoke([*small, "--home", str(failing_home)])
    monkeypatch.setattr(runner, "write_atomic", real_write)
    folder = session_dir(failing_home, SID)
    assert failed.exit_code == 1
    assert not (folder / "session.md").exists()

    # Act
    resumed = invoke(["resume", SID, "--home", str(failing_home)])

    # Assert
    assert resumed.exit_code == 0, resumed.output
    assert "had completed before it stopped" in flat(resumed.stdout)
    clean = session_dir(clean_home, SID)
    assert artifact_bytes(folder, CSV_ARTIFACTS) == artifact_bytes(clean, CSV_ARTIFACTS)
    assert "- Status: **completed**" in (folder / "session.md").read_text()
