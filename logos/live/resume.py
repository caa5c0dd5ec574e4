"""Restart: take the session's writer lock, check everything, and only then touch any file.

The checks, in order: the snapshot's digest; the symbol specs against ``symbols.toml``;
the artifacts' lengths and checksums; the journal's checksum up to the snapshot; the
consumed prefix of each cache file; the journaled bars after the snapshot against their
cache rows; and every fact after the snapshot, re-derived. They run on an in-memory replay,
so a refused resume changes nothing on disk. A refusal names where the difference is (a
failed checksum is located by ``logos.live.audit``); resume never guesses.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NamedTuple

from logos import paths
from logos.config.symbols import SymbolTableError, load_symbol_specs
from logos.core.effects import WriteArtifactRows
from logos.core.events import BarClosed, StrategyChanged, WarmupBar
from logos.core.guards import STRATEGY
from logos.core.session_fsm import COMPLETED, HALTED
from logos.core.state import FLAT, SessionState
from logos.core.state_codec import SnapshotFormatError, load_state
from logos.core.strategy import Strategy
from logos.core.strategy_params import StrategyError
from logos.live import audit
from logos.live.artifacts import ArtifactStreams
from logos.live.checksums import file_crc
from logos.live.journal import JournalError, read_journal
from logos.live.lock import LockHeld, WriterLock, acquire
from logos.live.provenance import CachePath, InputChanged, check_cache_prefix, check_journaled_bars, check_specs
from logos.live.replay import Disagreement, rederive
from logos.live.runner import (
    JOURNAL,
    SNAPSHOT,
    Session,
    SessionError,
    SessionFailed,
    SessionFilesError,
    SessionSetup,
    busy_message,
    open_journal,
    resume_event,
)
from logos.live.session_log import LogChoice
from logos.live.snapshot import Snapshot, SnapshotEdited, SnapshotError, read_snapshot
from logos.stats.equity_curve import EquityCurve
from logos.strategy_loader import changes, load_recorded


class Replay(NamedTuple):
    state: SessionState
    rows: list[WriteArtifactRows]
    replayed: int  # input events replayed
    bars: list[tuple[int, BarClosed | WarmupBar]]  # (seq, bar) among them, for the shell's feed figures
    keep_bytes: int  # journal bytes to keep (a torn line or torn event group is cut off)
    torn_bytes: int
    keep_crc: int  # CRC-32 of the kept bytes, for the writer that continues the journal


def replay_journal(folder: Path, snap: Snapshot, cache_path: CachePath | None, strategy: Strategy | None = None) -> Replay:
    """Rebuild the state from the snapshot and the journal after it, checking every fact.

    The part the snapshot covers is only checksummed (a 1M-bar journal is ~150 MB); the
    part after it is decoded, its bars compared with the cache and every fact re-derived.
    """
    path = folder / JOURNAL
    if not path.is_file():
        raise JournalError(f"no journal at {path}")
    size = path.stat().st_size
    snapshot_seq = snap.state.seq
    if size < snap.journal_bytes:
        whole = read_journal(path)  # an error path: worth reading all of it to say where it ends
        last_seq = whole.entries[-1][0] if whole.entries else 0
        raise SessionError(
            f"{SNAPSHOT} covers seq {snapshot_seq} but {JOURNAL} ends at seq {last_seq}; "
            "the journal lost events, so the session cannot be resumed safely"
        )
    prefix_crc = file_crc(path, snap.journal_bytes)
    if prefix_crc != snap.journal_crc:
        raise SessionError(f"session {folder.name} cannot be resumed: {audit.journal_changed(folder, snap.state.params, snapshot_seq, cache_path, strategy)}")
    journal = read_journal(path, start=snap.journal_bytes, first_seq=snapshot_seq + 1)
    entries = journal.entries
    if cache_path is not None:
        bars = [(seq, event) for seq, event, _ in entries if type(event) is BarClosed]
        check_journaled_bars(snap.inputs.get("cache", {}), cache_path, bars)
    try:
        done = rederive(snap.state, entries, strategy=strategy)
    except Disagreement as exc:
        raise SessionError(f"{SNAPSHOT} and {JOURNAL} disagree at seq {exc.seq}: {exc.detail}") from None
    keep = journal.good_bytes if done.cut_offset is None else done.cut_offset  # a cut event is fed again
    torn = journal.good_bytes + journal.torn_bytes - keep
    return Replay(done.state, done.rows, done.replayed, done.bars, keep, torn, file_crc(path, keep, snap.journal_bytes, prefix_crc))


def load_setup(
    home: Path, state: SessionState, stored: dict[str, Any], speed: str | None, log: LogChoice = LogChoice(), strategy: Strategy | None = None
) -> SessionSetup:
    return SessionSetup(
        home=home,
        params=state.params,
        strategy=strategy,
        feed=stored["feed"],
        speed=speed or stored["speed"],
        snapshot_every=stored["snapshot_every"],
        durability=stored["durability"],
        kill_switch=stored["kill_switch"],
        settings=stored["settings"],
        duration_s=stored.get("duration_s"),
        poll_interval_s=stored.get("poll_interval_s", 15),
        exchange_id=stored.get("exchange_id", "binance"),
        interval=stored.get("interval", "1m"),
        request_timeout_s=stored.get("request_timeout_s", 10),
        ccxt_base_url=stored.get("ccxt_base_url", ""),
        yfinance_base_url=stored.get("yfinance_base_url", ""),
        log=log,
    )


def check_artifacts(folder: Path, snap: Snapshot, cache_path: CachePath | None, strategy: Strategy | None = None) -> None:
    """Refuse artifacts shorter than the snapshot records (cutting them back would pad them
    with NULs), or whose bytes up to there changed."""
    for name, size in snap.artifact_bytes.items():
        path = folder / f"{name}.csv"
        found = path.stat().st_size if path.is_file() else None
        if found is None or found < size:
            held = "is missing" if found is None else f"holds {found} bytes"
            raise SessionError(f"session {folder.name} cannot be resumed: {path.name} {held} but {SNAPSHOT} records {size}")
        if file_crc(path, size) != snap.artifact_crc[name]:
            where = audit.artifact_changed(folder, name, size, snap.state.params, snap.state.seq, cache_path, strategy)
            raise SessionError(f"session {folder.name} cannot be resumed: {where}")


def open_for_resume(
    home: Path, session_id: str, reset_guards: tuple[str, ...], speed: str | None = None, log: LogChoice = LogChoice()
) -> tuple[Session, Any]:
    """Return a session ready to continue, with its feed, or raise ``SessionError`` having changed nothing."""
    folder = paths.session_dir(home, session_id)
    if not folder.is_dir():
        raise SessionError(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    try:
        lock = acquire(folder)
    except LockHeld as exc:
        raise SessionError(busy_message(session_id, exc)) from None
    except OSError as exc:
        raise SessionFilesError(f"session {session_id} cannot be resumed: cannot lock {folder}: {exc.strerror}") from None
    try:
        return _open_locked(home, folder, session_id, reset_guards, speed, log, lock)
    except BaseException:
        lock.release(restore=True)
        raise


def _read_checked(folder: Path, session_id: str, home: Path) -> Snapshot:
    try:
        return read_snapshot(folder / SNAPSHOT)
    except SnapshotEdited as exc:
        params = _params_of(exc.body)
        cache_path = _cache_path_for(home, params, exc.body) if params is not None else None
        raise SessionError(f"session {session_id} cannot be resumed: {audit.snapshot_changed(folder, exc.body, params, cache_path)}") from None
    except SnapshotError as exc:
        raise SessionError(f"session {session_id} cannot be resumed: {exc}") from None


def _params_of(body: dict[str, Any]) -> Any:
    try:
        return load_state(body).params
    except (SnapshotFormatError, KeyError, TypeError, ValueError):
        return None


def _cache_path_for(home: Path, params: Any, body: dict[str, Any]) -> CachePath | None:
    stored = body.get("shell", {}).get("setup", {})
    if stored.get("feed") != "cache":
        return None
    from logos.live.setup import build_feed

    setup = SessionSetup(home=home, params=params, feed="cache")
    return build_feed(setup, params.seed).path


def _open_locked(
    home: Path, folder: Path, session_id: str, reset_guards: tuple[str, ...], speed: str | None, log: LogChoice, lock: WriterLock
) -> tuple[Session, Any]:
    from logos.feeds.errors import FeedError
    from logos.live.setup import build_feed

    refused = f"session {session_id} cannot be resumed"
    snap = _read_checked(folder, session_id, home)
    try:
        source, strategy = load_recorded(snap.state.params, home)
    except StrategyError as exc:
        raise SessionError(f"{refused}: strategy {snap.state.params.strategy}: {exc}") from None
    setup = load_setup(home, snap.state, snap.shell["setup"], speed, log, strategy)
    try:
        check_specs(snap.state.params, [(path, load_symbol_specs(path)) for path in paths.symbols_files(home)])
        feed = build_feed(setup, snap.state.params.seed)
    except (InputChanged, SymbolTableError, FeedError) as exc:
        raise SessionError(f"{refused}: {exc}") from None
    cache_path: CachePath | None = feed.path if setup.feed == "cache" else None
    try:
        check_artifacts(folder, snap, cache_path, strategy)
        if cache_path is not None:
            check_cache_prefix(snap.inputs.get("cache", {}), cache_path, lambda symbol: _journaled_bars(folder, symbol))
        replay = replay_journal(folder, snap, cache_path, strategy)
    except (JournalError, InputChanged) as exc:
        raise SessionError(f"{refused}: {exc}") from None
    except SessionError as exc:
        changed = changes(snap.state.params, source, strategy)
        if changed:  # the journal after the snapshot was derived by the code the session ran, not by this one
            raise SessionError(
                f"{refused}: strategy {snap.state.params.strategy} changed since the session ran it ({'; '.join(changed)}), "
                f"and the journal after the snapshot at seq {snap.state.seq} was derived by the code it ran ({exc}); "
                "restore that code to resume, and change it once the session has paused or halted"
            ) from None
        raise
    state = replay.state
    changed = changes(state.params, source, strategy)
    if changed and STRATEGY not in reset_guards:
        raise SessionError(
            f"{refused}: strategy {state.params.strategy} changed since the session ran it: {'; '.join(changed)}; "
            "restore it, or pass --reset-guard strategy to run on with the changed code"
        )
    if state.status == COMPLETED and snap.state.status == COMPLETED:
        raise SessionError(f"session {session_id} already completed; start a new session instead")
    # The journal says the session stopped, but the kill came before its closing artifacts.
    finishing = state.status in (COMPLETED, HALTED) and state.seq > snap.state.seq
    if not finishing:
        from logos.core.reducer import resume_blockers

        blockers = resume_blockers(state, reset_guards, setup.kill_switch_path.exists())
        if blockers:
            raise SessionError(f"session {session_id} cannot resume yet: " + "; ".join(blockers))
    # From here on files change: cut the journal's torn tail and the artifacts back to the snapshot.
    with open(folder / JOURNAL, "r+b") as handle:
        handle.truncate(replay.keep_bytes)
    streams = ArtifactStreams(folder, EquityCurve(state.params.initial_cash), snap.artifact_bytes, snap.artifact_crc)
    for rows in replay.rows:
        streams.write_rows(rows.artifact, rows.rows)
    journal = open_journal(folder / JOURNAL, setup, replay.keep_crc)
    failure = snap.shell.pop("failure", None)
    session = Session(setup, state, snap.shell, journal, streams, lock, snap.inputs)
    accepted = StrategyChanged(0, source.fingerprint, tuple(f"{k}={v}" for k, v in strategy.values())) if changed else None
    try:
        _record_restart(session, snap, replay, reset_guards, finishing, failure, accepted)
    except Exception as exc:
        session.fail(exc)
        raise SessionFailed(session, exc) from exc
    return session, feed


def _record_restart(
    session: Session, snap: Snapshot, replay: Replay, reset_guards: tuple[str, ...], finishing: bool, failure: dict[str, Any] | None,
    accepted: StrategyChanged | None,
) -> None:
    """Journal the restart (``SessionResumed``, after ``StrategyChanged`` when the operator accepted
    changed strategy code) and snapshot it, with its reconciliation for session.md."""
    state, setup = replay.state, session.setup
    for _, bar in replay.bars:  # journaled after the snapshot, so not yet in its feed figures
        if isinstance(bar, WarmupBar):
            session.count_warmup(bar)
        else:
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
            "previous_failure": None if failure is None else failure["cause"],
        }
    )
    if failure is not None:
        session.messages.append(f"the previous run failed at seq {failure['seq']}: {failure['cause']}")
    if replay.torn_bytes:
        session.messages.append(f"skipped a torn journal tail of {replay.torn_bytes} bytes (an event cut short by the crash)")
    if not finishing:
        clock = int(time.time()) if setup.feed != "cache" else state.clock
        if accepted is not None:
            session.apply(accepted._replace(ts=max(clock, state.clock)))
        session.apply(resume_event(session.state, reset_guards, clock))
        session.snapshot()  # this restart's record must survive a crash before the next periodic snapshot
    session.log.info("session %s resumed from seq %s (%s replayed)", state.params.session_id, snap.state.seq, replay.replayed)


def _journaled_bars(folder: Path, symbol: str) -> list[tuple[int, BarClosed]]:
    """Every bar of ``symbol`` in the journal, to name a changed cache row (an error path)."""
    try:
        entries = read_journal(folder / JOURNAL).entries
    except JournalError:
        return []
    return [(seq, event) for seq, event, _ in entries if type(event) is BarClosed and event.symbol == symbol]
