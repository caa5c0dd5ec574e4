"""Resume refuses whatever changed since the session read or wrote it, and says where.

Each case edits one thing in a copy of a real crashed session whose home holds its own
cache and ``symbols.toml`` (a limit-order session with partial fills, snapshots inside the
journal): the snapshot's state, a journaled bar after the snapshot or before it, an
artifact row, a cache row the session read or one it had yet to read, a symbol's spec, a
journal line Logos never wrote. Every refusal is one line that names the file, the seq or
line, the symbol and time where they apply, and the field with both values; and it changes
no file. Rows appended to the cache are a refresh, not a change. Expected values are read
from the files, never written into the test.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from logos import paths
from logos.core.state_codec import dump_state
from logos.core.timestamps import iso
from logos.live.artifacts import HEADERS
from logos.live.audit import audit
from logos.live.setup import build_feed
from logos.live.snapshot import read_snapshot
from logos.live.resume import load_setup
from session_helpers import SIGKILLED, flat, invoke, journal, refused, rows, run_logos, session_dir, snapshot_seq

SID = "tampered"
OPTIONS = ["--order-type", "limit", "--volume-share", "0.0001", "--snapshot-every", "500"]
CRASH_AT = 1700


@pytest.fixture(scope="module")
def crashed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("tamper")
    shutil.copytree(paths.bundled_data_dir(), home / "data")
    run = run_logos(["trade", "--paper", "--session-id", SID, *OPTIONS], home, crash_after=CRASH_AT)
    assert run.returncode == SIGKILLED, run.stderr
    assert 0 < snapshot_seq(session_dir(home, SID)) < CRASH_AT - 10
    return home


@pytest.fixture
def home(crashed_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(crashed_home, copy)
    return copy


def _folder(home: Path) -> Path:
    return session_dir(home, SID)


def _cache(home: Path, symbol: str = "AAPL") -> Path:
    return home / "data" / "cache" / "equity" / f"{symbol}_1m.csv"


def _edit_journal(home: Path, seq: int, field: str, value: str) -> dict[str, Any]:
    path = _folder(home) / "state.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[seq - 1])
    assert entry["seq"] == seq
    lines[seq - 1] = (json.dumps({**entry, field: value}, separators=(",", ":")) + "\n").encode()
    path.write_bytes(b"".join(lines))
    return entry


def _raise_close(entry: dict[str, Any]) -> str:
    return str(Decimal(entry["close"]) + 1)


def test_resume_with_cash_raised_in_state_json_is_refused_naming_the_field_and_both_values(home: Path) -> None:
    # Arrange
    path = _folder(home) / "state.json"
    body = json.loads(path.read_text())
    cash = body["state"]["cash"]
    body["state"]["cash"] = raised = str(Decimal(cash) + 1_000_000)
    path.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n")

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"state.json was edited: state.cash is {raised}, but replaying state.jsonl to seq {body['seq']} gives {cash}" in line


def test_resume_with_journaled_bar_edited_after_the_snapshot_is_refused_naming_seq_symbol_time_and_values(home: Path) -> None:
    # Arrange
    snap = snapshot_seq(_folder(home))
    bar = next(e for e in journal(_folder(home)) if e["seq"] > snap + 5 and e["type"] == "BarClosed")
    _edit_journal(home, bar["seq"], "close", edited := _raise_close(bar))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    stamp = iso(bar["ts"])
    assert f"state.jsonl seq {bar['seq']}: the journal's {bar['symbol']} bar at {stamp} has close {edited}" in line
    assert f"{_cache(home, bar['symbol'])} has {bar['close']}" in line


def test_resume_with_journaled_bar_edited_before_the_snapshot_names_that_seq_not_a_bound(home: Path) -> None:
    # Arrange: a bar early in the journal, long before the snapshot
    snap = snapshot_seq(_folder(home))
    bar = next(e for e in journal(_folder(home)) if e["seq"] >= 100 and e["type"] == "BarClosed")
    _edit_journal(home, bar["seq"], "close", edited := _raise_close(bar))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"state.jsonl was changed at seq {bar['seq']}, before the snapshot at seq {snap}" in line
    assert f"{bar['symbol']} bar at {iso(bar['ts'])} has close {edited}, but {_cache(home, bar['symbol'])} has {bar['close']}" in line


def test_resume_with_same_length_price_edit_in_trades_csv_is_refused_naming_line_column_and_values(home: Path) -> None:
    # Arrange: the last trade row the snapshot covers gets another price of the same length
    folder = _folder(home)
    covered = json.loads((folder / "state.json").read_text())["artifact_bytes"]["trades"]
    data = (folder / "trades.csv").read_bytes()
    lines = data[:covered].decode().splitlines(keepends=True)
    number = len(lines)
    cells = lines[-1].rstrip("\n").split(",")
    column = HEADERS["trades"].index("price")
    was = cells[column]
    cells[column] = now = was[:-1] + ("2" if was[-1] != "2" else "3")
    lines[-1] = ",".join(cells) + "\n"
    (folder / "trades.csv").write_bytes("".join(lines).encode() + data[covered:])
    assert (folder / "trades.csv").stat().st_size == len(data)

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"trades.csv line {number} (trade_id {cells[0]}): price is {now}, but the journal gives {was}" in line


def test_resume_with_past_cache_bar_altered_and_future_bars_raised_is_refused_naming_the_past_bar(home: Path) -> None:
    # Arrange: one bar the session read gets another close; every bar it had yet to read is raised 30%
    snap = snapshot_seq(_folder(home))
    read = [e for e in journal(_folder(home)) if e["type"] == "BarClosed" and e["symbol"] == "AAPL" and e["seq"] < snap]
    target = read[len(read) // 3]
    stamp = iso(target["ts"])
    lines = _cache(home).read_text().splitlines(keepends=True)
    last_read = iso(read[-1]["ts"])
    for number, text in enumerate(lines):
        cells = text.rstrip("\n").split(",")
        if cells[0] == stamp:
            cells[4] = str(Decimal(cells[4]) + 1)
        elif cells[0] > last_read and number:
            cells[1:5] = [str((Decimal(c) * Decimal("1.3")).quantize(Decimal("0.01"))) for c in cells[1:5]]
        lines[number] = ",".join(cells) + "\n"
    _cache(home).write_text("".join(lines))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    changed = str(Decimal(target["close"]) + 1)
    assert f"{_cache(home)}: AAPL {stamp} close is {changed} but the session read {target['close']} (state.jsonl seq {target['seq']})" in line


def test_resume_with_only_bars_not_yet_read_raised_is_refused_as_rows_the_session_would_have_read(home: Path) -> None:
    # Arrange: the rows after the last bar the session read, present when it started, raised 30%
    bars = [e for e in journal(_folder(home)) if e["type"] == "BarClosed" and e["symbol"] == "AAPL"]
    last_read = iso(bars[-1]["ts"])
    lines = _cache(home).read_text().splitlines(keepends=True)
    for number, text in enumerate(lines[1:], 1):
        cells = text.rstrip("\n").split(",")
        if cells[0] > last_read:
            cells[1:5] = [str((Decimal(c) * Decimal("1.3")).quantize(Decimal("0.01"))) for c in cells[1:5]]
            lines[number] = ",".join(cells) + "\n"
    _cache(home).write_text("".join(lines))

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"{_cache(home)}: rows of AAPL that the file held when the session started" in line
    assert "were changed or removed" in line


def test_resume_with_rows_appended_to_the_cache_is_accepted_as_a_refresh(home: Path) -> None:
    # Arrange
    lines = _cache(home).read_text().splitlines()
    last = lines[-1].split(",")
    appended = [iso(int(_seconds(last[0])) + 60 * k) + "," + ",".join(last[1:]) for k in range(1, 4)]
    _cache(home).write_text("\n".join(lines + appended) + "\n")

    # Act
    result = invoke(["resume", SID, "--home", str(home)])

    # Assert
    assert result.exit_code == 0, result.output
    assert len([r for r in rows(_folder(home) / "account.csv") if r["symbol"] == "AAPL" and r["ts"] in {a[:20] for a in appended}]) == 3


def _seconds(stamp: str) -> int:
    from logos.feeds.csv_format import parse_ts

    seconds = parse_ts(stamp)
    assert seconds is not None
    return seconds


def test_resume_with_price_tick_changed_in_symbols_toml_is_refused_naming_symbol_field_and_values(home: Path) -> None:
    # Arrange
    table = home / "data" / "symbols.toml"
    text = table.read_text()
    start = text.index("[symbols.AAPL]")
    at = text.index("price_tick = ", start)
    end = text.index("\n", at)
    was = text[at:end].split('"')[1]
    now = str(Decimal(was) * 5)
    table.write_text(text[:at] + f'price_tick = "{now}"' + text[end:])

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"{table}: AAPL price_tick is {now} there but the session runs on {was}" in line


def test_resume_with_unknown_complete_last_journal_line_is_refused_not_skipped_as_torn(home: Path) -> None:
    # Arrange: a complete line (with its newline) that is no Logos event, at the very end
    path = _folder(home) / "state.jsonl"
    last = journal(_folder(home))[-1]["seq"]
    with open(path, "ab") as handle:
        handle.write(json.dumps({"seq": last + 1, "type": "Bogus"}).encode() + b"\n")

    # Act
    line = refused(home, ["resume", SID])

    # Assert
    assert f"line {last + 1} (after seq {last}) is not a Logos event" in line


def test_audit_of_an_untouched_session_rebuilds_its_snapshot_state_and_rows_exactly(home: Path) -> None:
    # Arrange: the audit names a difference only where there is one, so on untouched files
    # its replay from the first line must land on the snapshot's state and artifact bytes
    folder = _folder(home)
    snap = read_snapshot(folder / "state.json")
    setup = load_setup(home, snap.state, snap.shell["setup"], None)

    # Act
    result = audit(folder, snap.state.params, snap.state.seq, build_feed(setup, snap.state.params.seed).path)

    # Assert
    assert result.first is None
    assert result.state is not None and dump_state(result.state) == dump_state(snap.state)
    from logos.live.artifacts import csv_text

    for name, size in snap.artifact_bytes.items():
        rebuilt = csv_text(name, [row for rows in result.rows if rows.artifact == name for row in rows.rows]).encode()
        assert rebuilt == (folder / f"{name}.csv").read_bytes()[:size], name


def test_resume_with_untouched_copy_completes_and_reports_no_discrepancy(home: Path) -> None:
    # Act
    result = invoke(["resume", SID, "--home", str(home)])

    # Assert
    assert result.exit_code == 0, result.output
    assert "- Discrepancies: none" in flat((_folder(home) / "session.md").read_text())
