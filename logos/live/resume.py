"""Restart: load the snapshot, replay the journal after it, and only then touch any file.

Every check runs on an in-memory replay first, so a refused resume changes nothing on
disk. If the snapshot and the journal disagree, resume refuses and says where.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NamedTuple

from logos import paths
from logos.core.effects import AppendJournal, Stop, WriteArtifactRows
from logos.core.events import INPUTS, BarClosed
from logos.core.reducer import ReducerError, reduce, resume_blockers
from logos.core.session_fsm import COMPLETED, HALTED
from logos.core.state import FLAT, SessionState
from logos.live.artifacts import ArtifactStreams
from logos.live.journal import JournalError, journal_crc, read_journal
from logos.live.runner import JOURNAL, SNAPSHOT, Session, SessionError, SessionSetup, open_journal, resume_event
from logos.live.snapshot import SnapshotError, read_snapshot

_INPUT_TYPES = frozenset(INPUTS)


class Replay(NamedTuple):
    state: SessionState
    rows: list[WriteArtifactRows]
    replayed: int  # input events replayed
    bars: list[BarClosed]  # the bars among them, for the shell's feed figures
    keep_bytes: int  # journal bytes to keep (a torn line or torn event group is cut off)
    torn_bytes: int
    keep_crc: int  # CRC-32 of the kept bytes, for the writer that continues the journal


def replay_journal(folder: Path, snapshot_state: SessionState, snapshot_bytes: int, snapshot_crc: int) -> Replay:
    """Rebuild the state from the snapshot and the journal after it, checking every fact.

    The part the snapshot covers is only checksummed (a 1M-bar journal is ~150 MB); the
    part after it is decoded and every fact re-derived.
    """
    path = folder / JOURNAL
    if not path.is_file():
        raise JournalError(f"no journal at {path}")
    size = path.stat().st_size
    if size < snapshot_bytes:
        whole = read_journal(path)  # an error path: worth reading all of it to say where it ends
        last_seq = whole.entries[-1][0] if whole.entries else 0
        raise SessionError(
            f"{SNAPSHOT} covers seq {snapshot_state.seq} but {JOURNAL} ends at seq {last_seq}; "
            "the journal lost events, so the session cannot be resumed safely"
        )
    prefix_crc = journal_crc(path, snapshot_bytes)
    if prefix_crc != snapshot_crc:
        read_journal(path)  # a damaged line is worth naming: this raises with where it is
        raise SessionError(
            f"{SNAPSHOT} and {JOURNAL} disagree at or before seq {snapshot_state.seq}: the journal's first "
            f"{snapshot_bytes} bytes no longer match the checksum the snapshot recorded; the journal was changed"
        )
    journal = read_journal(path, start=snapshot_bytes, first_seq=snapshot_state.seq + 1)
    entries = journal.entries
    state, rows, bars, replayed, i = snapshot_state, [], [], 0, 0
    keep = journal.good_bytes
    while i < len(entries):
        seq, event, offset = entries[i]
        if type(event) not in _INPUT_TYPES:
            raise SessionError(f"{JOURNAL} seq {seq}: a {type(event).__name__} fact where an input event was expected")
        try:
            new_state, effects = reduce(state, event)
        except ReducerError as exc:
            raise SessionError(f"{JOURNAL} seq {seq} does not apply to the snapshot's state: {exc}") from None
        expected = next(e for e in effects if type(e) is AppendJournal).entries
        found = entries[i : i + len(expected)]
        if len(found) < len(expected) and i + len(found) == len(entries):
            keep = offset  # the crash cut this event's lines short: drop it, the feed sends it again
            break
        for (want_seq, want), (got_seq, got, _) in zip(expected, found):
            if want_seq != got_seq or want != got:
                raise SessionError(f"{SNAPSHOT} and {JOURNAL} disagree at seq {got_seq}: {_difference(got, want)}")
        rows += [e for e in effects if type(e) is WriteArtifactRows]
        if type(event) is BarClosed:
            bars.append(event)
        state, replayed, i = new_state, replayed + 1, i + len(expected)
        if any(type(e) is Stop for e in effects) and i < len(entries):
            raise SessionError(f"{JOURNAL} continues after the session ended at seq {expected[-1][0]}")
    torn = journal.good_bytes + journal.torn_bytes - keep
    return Replay(state, rows, replayed, bars, keep, torn, journal_crc(path, keep, snapshot_bytes, prefix_crc))


def _difference(journaled: Any, derived: Any) -> str:
    """Say what differs between a journaled fact and the one the replay derives."""
    if type(journaled) is not type(derived):
        return f"the journal has {type(journaled).__name__}, replaying the snapshot derives {type(derived).__name__}"
    fields = [f for f, a, b in zip(journaled._fields, journaled, derived) if a != b]
    shown = ", ".join(f"{f} {getattr(journaled, f)!s} (replay: {getattr(derived, f)!s})" for f in fields[:3])
    return f"the journal's {type(journaled).__name__} differs from the replay in {shown}"


def load_setup(home: Path, state: SessionState, stored: dict[str, Any], speed: str | None) -> SessionSetup:
    return SessionSetup(
        home=home,
        params=state.params,
        feed=stored["feed"],
        speed=speed or stored["speed"],
        snapshot_every=stored["snapshot_every"],
        durability=stored["durability"],
        kill_switch=stored["kill_switch"],
        settings=stored["settings"],
        duration_s=stored.get("duration_s"),
        poll_interval_s=stored.get("poll_interval_s", 15),
        exchange_id=stored.get("exchange_id", "binance"),
    )


def check_artifacts(folder: Path, sizes: dict[str, int]) -> None:
    """Refuse artifacts shorter than the snapshot records: cutting them back would pad them with NULs."""
    for name, size in sizes.items():
        path = folder / f"{name}.csv"
        found = path.stat().st_size if path.is_file() else None
        if found is None or found < size:
            held = "is missing" if found is None else f"holds {found} bytes"
            raise SessionError(f"session {folder.name} cannot be resumed: {path.name} {held} but {SNAPSHOT} records {size}")


def open_for_resume(home: Path, session_id: str, reset_guards: tuple[str, ...], speed: str | None = None) -> Session:
    """Return a session ready to continue its feed, or raise ``SessionError`` having changed nothing."""
    folder = paths.session_dir(home, session_id)
    if not folder.is_dir():
        raise SessionError(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    try:
        snap = read_snapshot(folder / SNAPSHOT)
        replay = replay_journal(folder, snap.state, snap.journal_bytes, snap.journal_crc)
    except (SnapshotError, JournalError) as exc:
        raise SessionError(f"session {session_id} cannot be resumed: {exc}") from None
    state = replay.state
    if state.status == COMPLETED and snap.state.status == COMPLETED:
        raise SessionError(f"session {session_id} already completed; start a new session instead")
    # The journal says the session stopped, but the kill came before its closing artifacts.
    finishing = state.status in (COMPLETED, HALTED) and state.seq > snap.state.seq
    setup = load_setup(home, state, snap.shell["setup"], speed)
    if not finishing:
        blockers = resume_blockers(state, reset_guards, setup.kill_switch_path.exists())
        if blockers:
            raise SessionError(f"session {session_id} cannot resume yet: " + "; ".join(blockers))
    check_artifacts(folder, snap.artifact_bytes)
    # From here on files change: cut the journal's torn tail and the artifacts back to the snapshot.
    with open(folder / JOURNAL, "r+b") as handle:
        handle.truncate(replay.keep_bytes)
    streams = ArtifactStreams(folder, snap.artifact_bytes)
    for rows in replay.rows:
        streams.write_rows(rows.artifact, rows.rows)
    journal = open_journal(folder / JOURNAL, setup, replay.keep_crc)
    session = Session(setup, state, snap.shell, journal, streams)
    for bar in replay.bars:  # journaled after the snapshot, so not yet in its feed figures
        session.count_bar(bar)
    session.shell["resumes"].append(
        {
            "snapshot_seq": snap.state.seq,
            "replayed": replay.replayed,
            "torn_bytes": replay.torn_bytes,
            "orders": [f"{o.client_id} {o.status} {o.filled}/{o.qty}" for o in state.orders.values()],  # oldest first
            "positions": [f"{s} {state.positions.get(s, FLAT).qty}" for s in state.params.symbols if state.positions.get(s, FLAT).qty],
            "reset_guards": [] if finishing else list(reset_guards),
            "discrepancies": "none (every journaled fact re-derived identically)",
        }
    )
    if replay.torn_bytes:
        session.messages.append(f"skipped a torn journal tail of {replay.torn_bytes} bytes (an event cut short by the crash)")
    if not finishing:
        clock = int(time.time()) if setup.feed != "cache" else state.clock
        session.apply(resume_event(state, reset_guards, clock))
        session.snapshot()  # this restart's record must survive a crash before the next periodic snapshot
    session.log.info("session %s resumed from seq %s (%s replayed)", session_id, snap.state.seq, replay.replayed)
    return session
