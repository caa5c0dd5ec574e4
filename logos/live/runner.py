"""The imperative shell: gather events, call the pure reducer, perform its effects.

The loop has three steps, always in this order: (1) take the next input event from the
feed, the clock or the kill-switch watcher; (2) ``reduce`` it; (3) execute the effects,
the journal line first. Every ``snapshot_every`` events the state is snapshotted, made
durable on a helper thread while the loop goes on. A ``--speed max`` replay takes its
bars in lists and hands each to ``reduce_events`` in one call (the same as ``reduce`` bar
by bar), cut where a snapshot falls.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from logos import paths
from logos.atomic import fsync_dir, write_atomic
from logos.config.settings import FAULT_CREATE_STEP_ENV, FAULT_KILL_AFTER_SEQ_ENV
from logos.core.effects import AppendJournal, Log, Stop, WriteArtifactRows
from logos.core.events import (
    INPUTS,
    BarClosed,
    FeedEnded,
    KillSwitchTripped,
    OperatorHalted,
    SessionPaused,
    SessionResumed,
    SessionStarted,
    WarmupBar,
)
from logos.core.reducer import reduce, reduce_events
from logos.core.session_fsm import COMPLETED, HALTED, PAUSED
from logos.core.state import Params, SessionState, initial_state
from logos.core.state_codec import dump
from logos.core.strategy import Strategy
from logos.live import stop
from logos.live.artifacts import ArtifactStreams, write_positions
from logos.live.journal import JournalError, JournalWriter
from logos.live.lock import LockHeld, WriterLock, acquire, lock_holder
from logos.live.provenance import CachePath, CacheTrail, InputChanged
from logos.live.report import render
from logos.live.session_log import LogChoice, session_logger
from logos.live.snapshot import Snapshot, SnapshotWriter, encode_snapshot, with_failure
from logos.live.unsent import Unsent, read_unsent, unsent_note
from logos.stats.equity_curve import EquityCurve
from logos.stats.summary import summarize_folder, write_summary
from logos.version import __version__

SNAPSHOT = "state.json"
JOURNAL = "state.jsonl"
# --speed max replays bars in lists of this many; the kill switch (a stat call) and an
# operator's stop are looked for between two lists.
KILL_SWITCH_EVERY = 512
# A --speed max replay holds back fewer than this many fact-free journal lines (~50 KB).
JOURNAL_HOLD_LINES = 256
_INPUT_TYPES = frozenset(INPUTS)
# Fault injection for creation tests: ``STEP`` SIGKILLs this process right after that step
# of creating a session, ``STEP:enospc`` fails it there as a full disk would.
CREATION_STEPS = ("folder", "lock", "journal", "artifacts", "started", "snapshot", "renamed")
EXIT_CODES = {COMPLETED: 0, HALTED: 3, PAUSED: 4}


class SessionError(Exception):
    """Something the operator can fix: an existing session id, a damaged folder, a blocked resume."""

    exit_code = 2


class SessionFilesError(SessionError):
    """The session's files cannot be written or locked (a full disk, a read-only folder)."""

    exit_code = 1


class SessionFailed(Exception):
    """A run an error ended after the session existed; it is recorded as failed and resumes once fixed."""

    def __init__(self, session: Session, error: Exception) -> None:
        super().__init__(failure_cause(error))
        self.session = session
        self.error = error


def busy_message(session_id: str, error: LockHeld) -> str:
    holder = error.holder
    who = f"pid {holder.pid}" if holder.pid is not None else "a process"
    return (
        f"session {session_id} is being written by another process ({who}, started {holder.started}); "
        f"wait for it to end, or pause it with `logos stop {session_id}`"
    )


def is_bug(exc: BaseException) -> bool:
    """Say whether an error that ended a run is Logos's own (not the feed's, the disk's or an input's)."""
    from logos.feeds.errors import FeedError

    return not isinstance(exc, (FeedError, JournalError, InputChanged, OSError))


def failure_cause(exc: BaseException) -> str:
    """Say in one line what ended a run: a feed error, a disk error, a changed input, or a bug."""
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot write the session's files{where}: {exc.strerror or exc}"
    if is_bug(exc):
        return f"internal error {type(exc).__name__}: {exc}"
    return str(exc)


@dataclass(frozen=True)
class SessionSetup:
    """What the shell needs beyond the core's params; stored in the snapshot for resume."""

    home: Path
    params: Params
    feed: str = "cache"
    speed: str = "max"  # max | realtime | a positive factor
    snapshot_every: int = 5000
    durability: str = "auto"  # auto | always | end
    kill_switch: str = "KILL_SWITCH"  # as configured; relative paths resolve against home
    settings: dict[str, str] = field(default_factory=dict)  # public settings for session.md
    duration_s: int | None = None  # polling feeds: stop after this long
    poll_interval_s: int = 15
    exchange_id: str = "binance"  # the ccxt feed's exchange (public market data only)
    interval: str = "1m"  # bar interval: cache file names and the pollers' requests
    request_timeout_s: int = 10
    ccxt_base_url: str = ""  # empty: the exchange's own
    yfinance_base_url: str = ""  # empty: Yahoo's own
    log: LogChoice = LogChoice()  # this run's choice, not stored: a resume makes its own
    strategy: Strategy | None = field(default=None, compare=False)  # the loaded strategy the reducer runs

    @property
    def kill_switch_path(self) -> Path:
        path = Path(self.kill_switch).expanduser()
        return path if path.is_absolute() else self.home / path

    @property
    def paced(self) -> bool:
        return self.speed != "max" or self.feed != "cache"

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "speed": self.speed,
            "snapshot_every": self.snapshot_every,
            "durability": self.durability,
            "kill_switch": self.kill_switch,
            "settings": self.settings,
            "duration_s": self.duration_s,
            "poll_interval_s": self.poll_interval_s,
            "exchange_id": self.exchange_id,
            "interval": self.interval,
            "request_timeout_s": self.request_timeout_s,
            "ccxt_base_url": self.ccxt_base_url,
            "yfinance_base_url": self.yfinance_base_url,
        }


def config_hash(params: Params) -> str:
    """A digest of the configuration. The strategy's code is checked by its own fingerprint: left
    out here, so a session's journal does not change with an edit of the strategy's source."""
    config = dump(params)
    for field_name in ("strategy_values", "strategy_fingerprint"):
        del config[field_name]
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def wall_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Interpreter:
    """Performs effects. The only place the reducer's decisions touch the outside world."""

    def __init__(self, journal: JournalWriter, streams: ArtifactStreams, log: logging.Logger, snapshots: SnapshotWriter) -> None:
        self.journal = journal
        self.streams = streams
        self.log = log
        self.snapshots = snapshots
        self.stop: str | None = None
        # Fault injection for crash tests: SIGKILL this process right after journaling this seq,
        # before the event's artifact rows or its snapshot are written (the worst moment). A
        # snapshot already in flight lands first, so a test knows which one a resume starts from.
        crash_at = os.environ.get(FAULT_KILL_AFTER_SEQ_ENV, "")
        self.crash_after = int(crash_at) if crash_at.isdigit() else None

    def execute(self, effects: tuple[Any, ...]) -> None:
        for effect in effects:
            kind = type(effect)
            if kind is AppendJournal:  # every reduce call has one, first
                entries, durable = effect
                if self.crash_after is not None and entries[-1][0] >= self.crash_after:
                    self._crash_after_journaling(entries, durable)
                self.journal.append(entries, durable)
            elif kind is WriteArtifactRows:
                self.streams.write_rows(*effect)
            elif kind is Log:
                self.log.log(logging.getLevelName(effect.level.upper()), effect.message)
            elif kind is Stop:
                self.stop = effect.status

    def _crash_after_journaling(self, entries: tuple[tuple[int, Any], ...], durable: bool) -> None:
        """Journal the events up to the one holding seq ``crash_after``, then die: the fault
        lands before that event's rows, as if the process were killed right there. Events go
        to the writer one at a time, as a paced session hands them over, so lines that carry
        no fact may still be held in memory and die with the process."""
        group: list[tuple[int, Any]] = []
        for seq, event in entries:
            if type(event) in _INPUT_TYPES and group:
                if group[0][0] > self.crash_after:  # type: ignore[operator]
                    break
                self.journal.append(tuple(group), durable and len(group) > 1)
                group = []
            group.append((seq, event))
        if group and group[0][0] <= self.crash_after:  # type: ignore[operator]
            self.journal.append(tuple(group), durable and len(group) > 1)
        self._crash()

    def _crash(self) -> None:
        # The snapshot in flight lands first. One that died in flight would leave the previous
        # snapshot and a stray temp file: what a crash just before it leaves, which the crash
        # tests cover.
        self.snapshots.wait()
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Outcome:
    status: str
    state: SessionState
    folder: Path
    bars: int
    wall_s: float
    messages: list[str] = field(default_factory=list)


class Session:
    """One session folder: its journal, snapshot, artifacts and the loop that feeds them."""

    def __init__(
        self,
        setup: SessionSetup,
        state: SessionState,
        shell: dict[str, Any],
        journal: JournalWriter,
        streams: ArtifactStreams,
        lock: WriterLock,
        inputs: dict[str, Any] | None = None,
        folder: Path | None = None,
    ) -> None:
        self.setup = setup
        self.state = state
        self.shell = shell
        self.inputs = {} if inputs is None else inputs  # what the snapshot records of the inputs consumed
        self.folder = folder or paths.session_dir(setup.home, setup.params.session_id)
        self.journal = journal
        self.streams = streams
        self.lock = lock
        self.log = session_logger(setup.home, setup.params.session_id, setup.log)
        self.snapshots = SnapshotWriter(self.folder / SNAPSHOT)
        self.interpreter = Interpreter(journal, streams, self.log, self.snapshots)
        self.strategy = setup.strategy
        self.since_snapshot = 0
        self.interval_s = setup.params.interval_s
        self.bars = 0
        self.messages: list[str] = []
        self.feed_report: Callable[[], dict[str, Any]] | None = None
        self.trail: CacheTrail | None = None
        self.unsent: Unsent | None = None  # read from the journal when the session ends

    def moved_to(self, folder: Path) -> None:
        """Follow the session folder's rename (creation builds it under a temporary name)."""
        self.folder = folder
        self.snapshots.path = folder / SNAPSHOT
        self.journal.path = folder / JOURNAL

    def read_cache(self, cache_path: CachePath) -> None:
        """Fingerprint, at each snapshot, the prefix of each cache file the session has consumed."""
        self.trail = CacheTrail(cache_path, self.state.params.symbols, self.inputs.get("cache", {}))

    # -- steps 2 and 3 --

    def apply(self, event: Any) -> None:
        state, effects = reduce(self.state, event, self.strategy)
        self.interpreter.execute(effects)
        self.state = state
        self.since_snapshot += 1
        if self.since_snapshot >= self.setup.snapshot_every:
            self.snapshot(behind=True)

    def snapshot(self, behind: bool = False) -> None:
        """Snapshot the state now; with ``behind`` the loop goes on while it is made durable.

        The periodic snapshots go behind; the ones a crash must find (start, a resume's
        record, the end) are durable before this returns.
        """
        journal_bytes = self.journal.size()  # held lines too: every row flushed below has its event in these bytes
        sizes = self.streams.flush()
        if self.trail is not None:
            self.inputs["cache"] = self.trail.advance(self.state.markets)
        snap = Snapshot(self.state, journal_bytes, self.journal.crc, sizes, self.streams.crcs(), self.inputs, self.shell)
        data = encode_snapshot(snap)
        files = (self.journal.fileno(), *self.streams.filenos())
        if behind:
            self.snapshots.write_behind(data, files)
        else:
            self.snapshots.write(data, files)
        self.since_snapshot = 0

    # -- step 1 and the loop --

    def run(self, events: Iterator[Any]) -> Outcome:
        """Run the loop to its end and write the closing record; an error ends the run
        ``failed`` (``fail``) and is raised again for the caller to report."""
        started = time.perf_counter()
        try:
            with stop.listening():
                self._loop(events)
            self.finish()
        except Exception as exc:
            self.fail(exc)
            raise
        return Outcome(self.state.status, self.state, self.folder, self.bars, time.perf_counter() - started, self.messages)

    def _loop(self, events: Iterator[Any]) -> None:
        """``apply`` for each event until one stops the session, with its lookups hoisted:
        a replay spends most of its time in this loop."""
        interpreter = self.interpreter
        execute = interpreter.execute
        every = self.setup.snapshot_every
        strategy = self.strategy
        for event in events:
            if type(event) is list:
                self._apply_bars(event)
                if interpreter.stop:
                    break
                continue
            state, effects = reduce(self.state, event, strategy)
            execute(effects)
            self.state = state
            self.since_snapshot += 1
            if self.since_snapshot >= every:
                self.snapshot(behind=True)
            if interpreter.stop:
                break

    def _apply_bars(self, bars: list[BarClosed]) -> None:
        """Apply a list of replayed bars through ``reduce_events``, in runs cut where a
        snapshot falls, so snapshots fall on the same events as when bars come one by one."""
        execute = self.interpreter.execute
        every = self.setup.snapshot_every
        at, end = 0, len(bars)
        while at < end:
            stop = min(end, at + every - self.since_snapshot)
            state, effects, taken = reduce_events(self.state, bars, at, stop, self.strategy)
            execute(effects)
            self.state = state
            if taken == 1:
                self.count_bar(bars[at])
            else:
                self.count_bars(bars[at : at + taken])
            at += taken
            self.since_snapshot += taken
            if self.since_snapshot >= every:
                self.snapshot(behind=True)
            if self.interpreter.stop:
                return

    def count_bar(self, bar: BarClosed) -> None:
        """``count_bars((bar,))`` without grouping, for a bar applied on its own."""
        self._add_bars(bar[0], 1, bar[7] - bar[1] - self.interval_s)  # seen - ts
        self.bars += 1

    def count_bars(self, bars: Sequence[BarClosed]) -> None:
        """Add applied bars to the feed figures (per symbol: bars, worst arrival lag).

        Counted in C (``Counter`` keeps first-seen order, as one by one would); only bars
        later than one interval can raise a worst lag, and a replay has none, so only
        those are looked at one by one."""
        self.bars += len(bars)
        interval_s = self.interval_s
        feed = self.shell["feed"]
        # A portfolio's run holds about one bar per symbol: the loop body is all there is per symbol.
        for symbol, count in Counter([bar[0] for bar in bars]).items():
            (feed.get(symbol) or self._feed_figures(symbol))["bars"] += count
        for bar in [bar for bar in bars if bar[7] - bar[1] > interval_s]:
            self._add_bars(bar[0], 0, bar[7] - bar[1] - interval_s)

    def count_warmup(self, bar: WarmupBar) -> None:
        """Count a warm-up bar: history, so it adds to no arrival lag."""
        figures = self._feed_figures(bar[0])
        figures["warmup"] = figures.get("warmup", 0) + 1
        self.bars += 1

    def add_feed_counts(self, symbol: str, counts: dict[str, int]) -> None:
        """Add a poll's gap and duplicate counts to the symbol's feed figures."""
        figures = self._feed_figures(symbol)
        for key, count in counts.items():
            figures[key] = figures.get(key, 0) + count

    def _add_bars(self, symbol: str, count: int, worst_lag: int) -> None:
        figures = self._feed_figures(symbol)
        figures["bars"] += count
        if worst_lag > figures["max_lag_s"]:
            figures["max_lag_s"] = worst_lag

    def _feed_figures(self, symbol: str) -> dict[str, int]:
        figures: dict[str, int] | None = self.shell["feed"].get(symbol)
        if figures is None:
            figures = self.shell["feed"][symbol] = {"bars": 0, "max_lag_s": 0}
        return figures

    def finish(self) -> None:
        """Write the closing artifacts; called once the loop ends, whatever ended it."""
        self._absorb_feed_report()
        write_positions(self.folder, self.state)
        self.streams.flush()  # the statistics read the CSVs
        summary = write_summary(self.folder, self.state, self.streams.curve)
        self.journal.size()  # hands the held lines to the OS: the orders not sent are read from the journal
        self.unsent = unsent = read_unsent(self.folder / JOURNAL)
        report = render(self.state, self.shell, self.setup.settings, wall_iso(), summary, unsent=unsent)
        write_atomic(self.folder / "session.md", report.encode())
        note = unsent_note(unsent)
        if note is not None:
            self.log.info(note)
            self.messages.append(note)
        # Last: once the snapshot says the session ended, resume no longer rewrites the files above.
        self.snapshot()
        self.log.info("session %s ended %s at seq %s", self.state.params.session_id, self.state.status, self.state.seq)
        self.streams.close()
        self.journal.close()
        self.lock.release()

    def fail(self, exc: BaseException) -> None:
        """Write what the disk allows of a closing record for a run an error ended: session.md
        with status ``failed`` and the cause, the cause in the last durable snapshot (whose
        state the journal still continues, so the session resumes once the cause is fixed),
        and a log line. Then let go of the session."""
        cause = failure_cause(exc)
        sid = self.state.params.session_id
        with suppress(Exception):
            self.snapshots.wait()  # a snapshot in flight lands, or its error is the one already being reported
        with suppress(Exception):
            self._absorb_feed_report()
            report = render(self.state, self.shell, self.setup.settings, wall_iso(), self._statistics_if_any(), failure=cause)
            write_atomic(self.folder / "session.md", report.encode())
        landed = self.snapshots.landed
        if landed is not None:
            with suppress(OSError):
                data = with_failure(landed, {"cause": cause, "seq": self.state.seq, "at": wall_iso()})
                write_atomic(self.folder / SNAPSHOT, data)
                self.snapshots.landed = data
        with suppress(Exception):
            self.log.error("session %s failed at seq %s: %s", sid, self.state.seq, cause, exc_info=exc if is_bug(exc) else None)
        self.close()

    def _statistics_if_any(self) -> dict[str, Any] | None:
        """The statistics of the CSVs as far as they go, for a failed run's report (None if they cannot be read)."""
        try:
            self.streams.flush()
            return summarize_folder(self.folder, self.state)
        except Exception:
            return None

    def close(self) -> None:
        """Close the session's files without writing more and release its lock (idempotent)."""
        with suppress(Exception):
            self.streams.close()
        with suppress(Exception):
            self.journal.close()
        self.lock.release()

    def _absorb_feed_report(self) -> None:
        """Add this run's torn-row counts to the session's running totals."""
        if self.feed_report is None:
            return
        for symbol, report in self.feed_report().items():
            figures = self._feed_figures(symbol)
            figures["torn"] = figures.get("torn", 0) + report.torn_skipped
        self.feed_report = None

    def interruption(self, now: int = 0) -> KillSwitchTripped | OperatorHalted | SessionPaused | None:
        """Return the event that must stop the session now: the kill switch (a halt), or an
        operator's signal (a pause: working orders stay working; ``logos stop --halt``: a halt)."""
        clock = max(self.state.clock, now)
        if self.setup.kill_switch_path.exists():
            return KillSwitchTripped(clock, self.setup.kill_switch)
        signum = stop.requested()
        if signum is None:
            return None
        if stop.is_halt(signum):
            return OperatorHalted(clock, "halted by the operator (logos stop --halt)")
        return SessionPaused(clock, f"paused by the operator ({signal.Signals(signum).name})")


def fsync_each_durable(setup: SessionSetup) -> bool:
    return setup.durability == "always" or (setup.durability == "auto" and setup.paced)


def open_journal(path: Path, setup: SessionSetup, crc: int = 0) -> JournalWriter:
    """The session's journal writer under its durability policy.

    Only an unpaced replay of the cache holds back the lines of events that caused nothing
    (``JOURNAL_HOLD_LINES`` at most): their bars are in the cache file, so a crash loses
    nothing a resume cannot read again. Paced, polled and ``always`` sessions write every
    line at once.
    """
    hold = JOURNAL_HOLD_LINES if not setup.paced and setup.durability != "always" else 0
    return JournalWriter(path, fsync_each_durable(setup), crc, hold)


def start_session(setup: SessionSetup, *, pick_free_id: bool = False) -> Session:
    """Create the session folder, journal the start, and hold the session's writer lock.

    The folder is built under a hidden temporary name and renamed into place only once it
    holds a journaled start and a snapshot, so a kill or a full disk at any step leaves no
    session or a resumable one. An id that exists is refused; with ``pick_free_id`` (a
    default id, made of the time) the next free ``<id>-2``, ``<id>-3``... is taken instead.
    ``OSError`` (a full disk, a read-only folder) reaches the caller with nothing left behind.
    """
    first = setup.params.session_id
    for number in range(1, 1000):
        session_id = first if number == 1 else f"{first}-{number}"
        candidate = setup if number == 1 else replace(setup, params=setup.params._replace(session_id=session_id))
        final = paths.session_dir(setup.home, session_id)
        session = None if final.exists() else _create(candidate, final)
        if session is not None:
            return session
        if not pick_free_id:
            raise SessionError(f"session {session_id} already exists in {final.parent}; use `logos resume {session_id}` or pick another --session-id")
    raise SessionError(f"every id from {first} to {first}-999 is taken; pick another --session-id")


def _create(setup: SessionSetup, final: Path) -> Session | None:
    """Build the session in a temporary folder and rename it to ``final``; None if another process got there first."""
    sessions = final.parent
    sessions.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(sessions, final.name)
    building = sessions / f".{final.name}.creating-{os.getpid()}"
    building.mkdir()
    session: Session | None = None
    lock: WriterLock | None = None
    try:
        _creation_fault("folder")
        lock = acquire(building)
        _creation_fault("lock")
        journal = open_journal(building / JOURNAL, setup)
        _creation_fault("journal")
        streams = ArtifactStreams(building, EquityCurve(setup.params.initial_cash))
        _creation_fault("artifacts")
        shell: dict[str, Any] = {
            "setup": setup.to_json(),
            "feed": {},
            "resumes": [],
            "feed_report": {},
            "logos_version": __version__,
        }
        session = Session(setup, initial_state(setup.params), shell, journal, streams, lock, folder=building)
        clock = int(time.time()) if setup.feed != "cache" else 0  # replay runs on market time
        session.apply(SessionStarted(setup.params.session_id, clock, setup.params.seed, config_hash(setup.params)))
        _creation_fault("started")
        session.snapshot()
        _creation_fault("snapshot")
        try:
            os.rename(building, final)  # never replaces a session: a non-empty folder refuses it
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            _discard(building, session, lock)
            return None
    except BaseException:
        _discard(building, session, lock)
        raise
    session.moved_to(final)
    try:
        fsync_dir(sessions)
        _creation_fault("renamed")
        session.log.info("session %s started (feed %s, speed %s)", setup.params.session_id, setup.feed, setup.speed)
    except Exception as exc:
        session.fail(exc)
        raise SessionFailed(session, exc) from exc
    return session


def _discard(building: Path, session: Session | None, lock: WriterLock | None) -> None:
    if session is not None:
        session.close()
    elif lock is not None:
        lock.release()
    shutil.rmtree(building, ignore_errors=True)


def _remove_abandoned(sessions: Path, session_id: str) -> None:
    """Remove the temporary folders of creations of this id that died before their rename."""
    for folder in sessions.glob(f".{session_id}.creating-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)) and lock_holder(folder) is None:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _creation_fault(step: str) -> None:
    wanted, _, kind = os.environ.get(FAULT_CREATE_STEP_ENV, "").partition(":")
    if wanted != step:
        return
    if kind == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    os.kill(os.getpid(), signal.SIGKILL)


def resume_event(state: SessionState, reset_guards: tuple[str, ...], clock: int) -> SessionResumed:
    return SessionResumed(max(clock, state.clock), reset_guards)


def final_status(status: str) -> int:
    """Exit code for a finished session: 0 completed, 3 halted, 4 paused (1 for anything else)."""
    return EXIT_CODES.get(status, 1)


__all__ = [
    "FeedEnded",
    "Outcome",
    "Session",
    "SessionError",
    "SessionFailed",
    "SessionFilesError",
    "SessionSetup",
    "busy_message",
    "config_hash",
    "final_status",
    "resume_event",
    "start_session",
]
