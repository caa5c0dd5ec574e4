"""``logos trade --check``: run the session's strategy twice on the same bars and compare.

Two sessions are folded in memory, side by side, over the cached bars the session would
replay (nothing is written). Each gets the same strategy object and the same bars, a few
hundred at a time, and their journal lines and artifact rows must agree byte for byte. A
strategy that reads the clock, draws unseeded random numbers, or keeps state of its own
between calls decides differently the second time, and the first line where the two
differ is reported. What the check cannot see: randomness that repeats within one process
(a fixed seed, string hashing), which a resume in another process would not repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, NamedTuple

from logos.core.codec import encode_entries
from logos.core.effects import AppendJournal, Stop, WriteArtifactRows
from logos.core.events import BarClosed, FeedEnded, GuardTripped, SessionStarted
from logos.core.reducer import reduce, reduce_events
from logos.core.state import SessionState, initial_state
from logos.core.strategy import Strategy
from logos.live.runner import SessionSetup, config_hash

CHUNK = 512  # bars each run takes before the two are compared


class Verdict(NamedTuple):
    deterministic: bool
    bars: int
    lines: int  # journal lines and artifact rows compared
    says: str  # the first difference, or what agreed
    halted_by: tuple[GuardTripped, ...]  # the halting trips of the first run, if it halted


class _Fold:
    """One in-memory session: its state and the text it would write."""

    def __init__(self, setup: SessionSetup) -> None:
        self.strategy: Strategy | None = setup.strategy
        params = setup.params
        self.state: SessionState = initial_state(params)
        self.stopped = False
        self.out: list[str] = []
        self._take(reduce(self.state, SessionStarted(params.session_id, 0, params.seed, config_hash(params)), self.strategy))

    def feed(self, events: list[Any]) -> list[str]:
        """Apply ``events`` until they run out or the session stops; return what they wrote."""
        at = 0
        while at < len(events) and not self.stopped:
            state, effects, taken = reduce_events(self.state, events, at, None, self.strategy)
            self._take((state, effects))
            at += taken
        written, self.out = self.out, []
        return written

    def _take(self, result: tuple[SessionState, tuple[Any, ...]]) -> None:
        self.state, effects = result
        for effect in effects:
            if type(effect) is AppendJournal:
                self.out += encode_entries(effect.entries)
            elif type(effect) is WriteArtifactRows:
                self.out += [f"{effect.artifact}.csv: " + ",".join(row) for row in effect.rows]
            elif type(effect) is Stop:
                self.stopped = True


def check(setup: SessionSetup, bars: Iterable[BarClosed]) -> Verdict:
    """Fold two sessions of ``setup`` over ``bars`` and say whether they wrote the same."""
    first, second = _Fold(setup), _Fold(setup)
    count = lines = 0
    stream: Iterator[BarClosed] = iter(bars)
    while not first.stopped:
        chunk: list[Any] = list(islice(stream, CHUNK)) or [FeedEnded(first.state.clock)]
        count += sum(1 for event in chunk if type(event) is BarClosed)
        one, two = first.feed(chunk), second.feed(chunk)
        for a, b in zip(one, two):
            if a != b:
                return Verdict(False, count, lines, f"the two runs differ at line {lines + 1}: {_short(a)} | {_short(b)}", _halts(first.state))
            lines += 1
        if len(one) != len(two):
            return Verdict(False, count, lines, f"one run wrote {abs(len(one) - len(two))} more line(s) after line {lines}", _halts(first.state))
    return Verdict(True, count, lines, f"both runs wrote the same {lines} journal lines and rows", _halts(first.state))


def _halts(state: SessionState) -> tuple[GuardTripped, ...]:
    return tuple(trip for trip in state.trips if trip.action == "halt")


def _short(line: str, limit: int = 160) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"
