"""The imperative shell: gather events, call the pure reducer, perform its effects.

The loop has three steps, always in this order: (1) take the next input event from the
feed, the clock or the kill-switch watcher; (2) ``reduce`` it; (3) execute the effects,
the journal line first. Every ``snapshot_every`` events the state is snapshotted, made
durable on a helper thread while the loop goes on. A ``--speed max`` replay takes its
bars in lists and hands each to ``reduce_events`` in one call (the same as ``reduce`` bar
by bar), cut where a snapshot falls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from logos import paths
from logos.core.effects import AppendJournal, Log, Stop, WriteArtifactRows
from logos.core.events import INPUTS, BarClosed, FeedEnded, KillSwitchTripped, SessionPaused, SessionResumed, SessionStarted
from logos.core.reducer import reduce, reduce_events
from logos.core.session_fsm import COMPLETED, CREATED, HALTED, PAUSED
from logos.core.state import Params, SessionState, initial_state
from logos.core.state_codec import dump
from logos.live.artifacts import ArtifactStreams, write_positions
from logos.live.atomic import write_atomic
from logos.live.journal import JournalWriter
from logos.live.report import render
from logos.live.snapshot import Snapshot, SnapshotWriter, encode_snapshot
from logos.stats.summary import write_summary
from logos.version import __version__
from logos.settings import FAULT_KILL_AFTER_SEQ_ENV

SNAPSHOT = "state.json"
JOURNAL = "state.jsonl"
# --speed max replays bars in lists of this many; the kill switch (a stat call) and an
# operator's stop are looked for between two lists.
KILL_SWITCH_EVERY = 512
PROGRESS_EVERY = 2000
# A --speed max replay holds back fewer than this many fact-free journal lines (~50 KB).
JOURNAL_HOLD_LINES = 256
_INPUT_TYPES = frozenset(INPUTS)


class SessionError(Exception):
    """Something the operator can fix: an existing session id, a damaged folder, a blocked resume."""


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
        }


def config_hash(params: Params) -> str:
    text = json.dumps(dump(params), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def wall_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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

    def __init__(self, setup: SessionSetup, state: SessionState, shell: dict[str, Any], journal: JournalWriter, streams: ArtifactStreams) -> None:
        self.setup = setup
        self.state = state
        self.shell = shell
        self.folder = paths.session_dir(setup.home, setup.params.session_id)
        self.journal = journal
        self.streams = streams
        self.log = session_logger(setup.home, setup.params.session_id)
        self.snapshots = SnapshotWriter(self.folder / SNAPSHOT)
        self.interpreter = Interpreter(journal, streams, self.log, self.snapshots)
        self.since_snapshot = 0
        self.interval_s = setup.params.interval_s
        self.bars = 0
        self.messages: list[str] = []
        self.feed_report: Callable[[], dict[str, Any]] | None = None
        self.stop_signal: int | None = None
        self.on_progress: Callable[[int], None] | None = None  # called every PROGRESS_EVERY bars

    # -- steps 2 and 3 --

    def apply(self, event: Any) -> None:
        state, effects = reduce(self.state, event)
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
        data = encode_snapshot(Snapshot(self.state, journal_bytes, self.journal.crc, sizes, self.shell))
        files = (self.journal.fileno(), *self.streams.filenos())
        if behind:
            self.snapshots.write_behind(data, files)
        else:
            self.snapshots.write(data, files)
        self.since_snapshot = 0

    # -- step 1 and the loop --

    def run(self, events: Iterator[Any]) -> Outcome:
        started = time.perf_counter()
        with self._signals_as_requests():
            self._loop(events)
        self.finish()
        return Outcome(self.state.status, self.state, self.folder, self.bars, time.perf_counter() - started, self.messages)

    def _loop(self, events: Iterator[Any]) -> None:
        """``apply`` for each event until one stops the session, with its lookups hoisted:
        a replay spends most of its time in this loop."""
        interpreter = self.interpreter
        execute = interpreter.execute
        every = self.setup.snapshot_every
        for event in events:
            if type(event) is list:
                self._apply_bars(event)
                if interpreter.stop:
                    break
                continue
            state, effects = reduce(self.state, event)
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
            state, effects, taken = reduce_events(self.state, bars, at, stop)
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

    @contextmanager
    def _signals_as_requests(self) -> Iterator[None]:
        """Turn Ctrl-C and SIGTERM into a request the loop honours between two events.

        An exception raised mid-``apply`` could land after the journal write and before the
        state moved on; the next event would then reuse a journaled seq.
        """
        def request(signum: int, _frame: Any) -> None:
            self.stop_signal = signum

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.signal(s, request) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def count_bar(self, bar: BarClosed) -> None:
        """``count_bars((bar,))`` without grouping, for a bar applied on its own."""
        self._add_bars(bar[0], 1, bar[7] - bar[1] - self.interval_s)  # seen - ts
        self.bars += 1
        if self.on_progress is not None and not self.bars % PROGRESS_EVERY:
            self.on_progress(self.bars)

    def count_bars(self, bars: Sequence[BarClosed]) -> None:
        """Add applied bars to the feed figures (per symbol: bars, worst arrival lag)."""
        before = self.bars
        self.bars += len(bars)
        first = bars[0][0]
        if all([bar[0] == first for bar in bars]):  # one symbol's bars: the common list of a replay
            self._add_bars(first, len(bars), max([bar[7] - bar[1] for bar in bars]) - self.interval_s)
            bars = ()
        tally: dict[str, list[int]] = {}  # symbol -> [bars, worst seen - ts], first-seen order as one by one
        for bar in bars:
            lag = bar[7] - bar[1]
            counts = tally.get(bar[0])
            if counts is None:
                tally[bar[0]] = [1, lag]
            else:
                counts[0] += 1
                if lag > counts[1]:
                    counts[1] = lag
        for symbol, (count, lag) in tally.items():
            self._add_bars(symbol, count, lag - self.interval_s)
        if self.on_progress is not None and self.bars // PROGRESS_EVERY > before // PROGRESS_EVERY:
            self.on_progress(self.bars)

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
        summary = write_summary(self.folder, self.state)
        report = render(self.state, self.shell, self.setup.settings, wall_iso(), summary)
        write_atomic(self.folder / "session.md", report.encode())
        # Last: once the snapshot says the session ended, resume no longer rewrites the files above.
        self.snapshot()
        self.log.info("session %s ended %s at seq %s", self.state.params.session_id, self.state.status, self.state.seq)
        self.streams.close()
        self.journal.close()

    def _absorb_feed_report(self) -> None:
        """Add this run's torn-row counts to the session's running totals."""
        if self.feed_report is None:
            return
        for symbol, report in self.feed_report().items():
            figures = self._feed_figures(symbol)
            figures["torn"] = figures.get("torn", 0) + report.torn_skipped
        self.feed_report = None

    def interruption(self, now: int = 0) -> KillSwitchTripped | SessionPaused | None:
        """Return the event that must stop the session now: the kill switch (a halt), or an
        operator's signal (a pause: working orders stay working)."""
        clock = max(self.state.clock, now)
        if self.setup.kill_switch_path.exists():
            return KillSwitchTripped(clock, self.setup.kill_switch)
        if self.stop_signal is not None:
            name = signal.Signals(self.stop_signal).name
            return SessionPaused(clock, f"paused by the operator ({name})")
        return None


def session_logger(home: Path, session_id: str) -> logging.Logger:
    folder = paths.logs_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"logos.session.{session_id}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    target = str(folder / f"{session_id}.log")
    for stale in [h for h in logger.handlers if getattr(h, "baseFilename", None) != target]:
        # The same id in another home, earlier in this process: its file is not ours.
        logger.removeHandler(stale)
        stale.close()
    if not logger.handlers:
        handler = logging.FileHandler(target)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger


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


def start_session(setup: SessionSetup) -> Session:
    """Create the session folder and journal the start; refuse an id that already exists."""
    folder = paths.session_dir(setup.home, setup.params.session_id)
    if folder.exists():
        raise SessionError(
            f"session {setup.params.session_id} already exists in {folder.parent}; "
            f"use `logos resume {setup.params.session_id}` or pick another --session-id"
        )
    folder.mkdir(parents=True)
    shell: dict[str, Any] = {
        "setup": setup.to_json(), "feed": {}, "resumes": [], "feed_report": {}, "logos_version": __version__,
    }
    state = initial_state(setup.params)
    journal = open_journal(folder / JOURNAL, setup)
    streams = ArtifactStreams(folder)
    session = Session(setup, state, shell, journal, streams)
    session.snapshot()
    clock = int(time.time()) if setup.feed != "cache" else 0  # replay runs on market time
    session.apply(SessionStarted(setup.params.session_id, clock, setup.params.seed, config_hash(setup.params)))
    session.snapshot()  # so `sessions list` shows a crashed session as running, not created
    session.log.info("session %s started (feed %s, speed %s)", setup.params.session_id, setup.feed, setup.speed)
    return session


def resume_event(state: SessionState, reset_guards: tuple[str, ...], clock: int) -> Any:
    if state.status == CREATED:
        return SessionStarted(state.params.session_id, clock, state.params.seed, config_hash(state.params))
    return SessionResumed(max(clock, state.clock), reset_guards)


EXIT_CODES = {COMPLETED: 0, HALTED: 3, PAUSED: 4}


def final_status(status: str) -> int:
    """Exit code for a finished session: 0 completed, 3 halted, 4 paused (1 for anything else)."""
    return EXIT_CODES.get(status, 1)


__all__ = [
    "FeedEnded",
    "Outcome",
    "Session",
    "SessionError",
    "SessionSetup",
    "config_hash",
    "final_status",
    "resume_event",
    "start_session",
]
