"""Step 1 of the loop: the input events, from a replayed cache or from a poller.

In ``--speed max`` the kill switch is looked for every few hundred bars; when pacing
(``realtime``, a factor, or polling) it is looked for every ``TICK_S`` while waiting, so
a session halts within a second of the file appearing. That includes every wait of a
poller: its requests run on helper threads and its sleeps watch for the kill switch (and
an operator's stop), so a hanging request is abandoned, never waited out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import islice
from typing import Any, Protocol

from logos.core.events import ClockTicked, FeedEnded, WarmupBar
from logos.core.guards import next_stale_deadline
from logos.feeds.errors import FetchInterrupted
from logos.feeds.worker import Waits
from logos.live.runner import KILL_SWITCH_EVERY, Session

TICK_S = 0.05


class Poller(Protocol):
    waits: Waits

    def poll(self, after: dict[str, int]) -> Any: ...


def speed_factor(speed: str) -> float | None:
    """None for ``max``; 1.0 for ``realtime``; else the factor (validated by the settings)."""
    if speed == "max":
        return None
    return 1.0 if speed == "realtime" else float(speed)


def after_marks(session: Session) -> dict[str, int]:
    """The last bar each symbol saw: a resumed feed continues after it."""
    return {s: m.last_ts for s, m in session.state.markets.items() if m.last_ts is not None}


def _wait_until(session: Session, due: float) -> Any | None:
    """Sleep until ``due`` (monotonic), returning a stopping event if one comes first."""
    while True:
        tripped = session.interruption()
        if tripped is not None:
            return tripped
        left = due - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(TICK_S, left))


def replay_events(session: Session, feed: Any) -> Iterator[Any]:
    """The replayed bars, paced to ``--speed``; in ``max``, as lists of up to
    ``KILL_SWITCH_EVERY`` bars, with the kill switch and operator stops looked for between
    two lists."""
    factor = speed_factor(session.setup.speed)
    stream = feed.replay(after_marks(session))
    session.feed_report = feed.report
    session.read_cache(feed.path)
    if factor is None:
        # Reading a list ahead of applying it is safe: a bar the session never applies
        # (it halted first) is read from the cache again by a resume.
        for run in iter(lambda: list(islice(stream, KILL_SWITCH_EVERY)), []):
            tripped = session.interruption()
            if tripped is not None:
                yield tripped
                return
            yield run
        yield FeedEnded(session.state.clock)
        return
    base: tuple[float, int] | None = None
    count_bar = session.count_bar
    for bar in stream:
        if base is None:
            base = (time.monotonic(), bar.seen)
        tripped = _wait_until(session, base[0] + (bar.seen - base[1]) / factor)
        if tripped is not None:
            yield tripped
            return
        count_bar(bar)
        yield bar
    yield FeedEnded(session.state.clock)


def polling_events(session: Session, poller: Poller) -> Iterator[Any]:
    """The polled bars, warm-up first, then live; stalls; clock ticks for the stale guard.

    A bar that closed at or before the start (or resume) the shell journaled is a
    ``WarmupBar``: history that fills the windows and never trades. Every later bar is a
    ``BarClosed``. The poller's every wait (a request in flight, a retry's backoff, a
    ``Retry-After``) ends early when the session must stop, when ``--duration`` is over or
    when the stale guard is due, so no network call holds the loop.
    """
    setup = session.setup
    boundary = session.state.clock
    started = time.monotonic()
    ends = None if setup.duration_s is None else started + setup.duration_s

    def stale_due() -> bool:
        state = session.state
        now = int(time.time())
        deadline = next_stale_deadline(state.params, state.markets, state.origin or now)
        return deadline is not None and now >= deadline

    def must_stop() -> bool:
        over = ends is not None and time.monotonic() >= ends
        return over or session.interruption() is not None or stale_due()

    poller.waits = Waits(must_stop)
    next_poll = started
    while True:
        tripped = session.interruption(now=int(time.time()))
        if tripped is not None:
            yield tripped
            return
        now = int(time.time())
        if ends is not None and time.monotonic() >= ends:
            yield FeedEnded(now)
            return
        if time.monotonic() >= next_poll:
            try:
                result = poller.poll(after_marks(session))
            except FetchInterrupted:
                result = None  # the poll is abandoned: a stop or the end (above), or a stale tick (below)
            if result is not None:
                yield from _polled_events(session, result, boundary)
                next_poll = time.monotonic() + (0 if result.more else setup.poll_interval_s)
        state = session.state
        now = int(time.time())
        deadline = next_stale_deadline(state.params, state.markets, state.origin or now)
        if deadline is not None and now >= deadline and now > state.clock:
            yield ClockTicked(now)
        time.sleep(TICK_S)


def _polled_events(session: Session, result: Any, boundary: int) -> Iterator[Any]:
    """One poll's bars (warm-up up to ``boundary``, live after it) and stalls, counted."""
    interval_s = session.interval_s
    for bar in result.bars:
        if bar.ts + interval_s <= boundary:
            session.count_warmup(bar)
            yield WarmupBar(*bar)
        else:
            session.count_bar(bar)
            yield bar
    for symbol, counts in result.counts.items():
        session.add_feed_counts(symbol, counts)
    yield from result.stalled
