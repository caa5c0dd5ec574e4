"""Step 1 of the loop: the input events, from a replayed cache or from a poller.

In ``--speed max`` the kill switch is looked for every few hundred bars; when pacing
(``realtime``, a factor, or polling) it is looked for every ``TICK_S`` while waiting, so
a session halts within a second of the file appearing. That includes a poller's retry
backoff: a poller that really sleeps gets a sleep that watches for the kill switch (and
an operator's stop) and ends the poll.
"""

from __future__ import annotations

import time
from itertools import islice
from typing import Any, Callable, Iterator, Protocol

from logos.core.events import ClockTicked, FeedEnded
from logos.core.guards import next_stale_deadline
from logos.live.runner import KILL_SWITCH_EVERY, Session

TICK_S = 0.05


class Poller(Protocol):
    def poll(self, after: dict[str, int], now: int) -> Any: ...


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


class _Interrupted(Exception):
    """Raised from a poller's retry wait when the session must stop: the poll ends there."""


def _watchful_sleep(session: Session) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        if _wait_until(session, time.monotonic() + seconds) is not None:
            raise _Interrupted
    return sleep


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
    setup = session.setup
    if getattr(poller, "sleep", None) is time.sleep:
        # A retry backoff can wait for many seconds; a stand-in's own sleep is left alone.
        poller.sleep = _watchful_sleep(session)  # type: ignore[attr-defined]
    started = time.monotonic()
    next_poll = started
    while True:
        tripped = session.interruption(now=int(time.time()))
        if tripped is not None:
            yield tripped
            return
        now = int(time.time())
        if setup.duration_s is not None and time.monotonic() - started >= setup.duration_s:
            yield FeedEnded(now)
            return
        if time.monotonic() >= next_poll:
            result = poller.poll(after_marks(session), now)
            tripped = session.interruption(now=int(time.time()))
            if tripped is not None:
                # A retry cut short reports its symbol stalled; the interruption is the cause.
                yield tripped
                return
            for bar in sorted(result.bars, key=lambda b: (b.ts, b.symbol)):
                session.count_bar(bar)
                yield bar
            yield from result.stalled
            next_poll = time.monotonic() + setup.poll_interval_s
        state = session.state
        deadline = next_stale_deadline(state.params, state.markets, state.origin or now)
        if deadline is not None and now >= deadline and now > state.clock:
            yield ClockTicked(now)
        time.sleep(TICK_S)
