"""What both pollers share: closed-bar selection on the venue's clock, retries, stall reasons,
gap and duplicate counts, write-through.

A poll asks the library for each symbol's recent bars (every call on a helper thread, see
``worker``), keeps the bars that have *closed at the venue* and are newer than the last bar
the session saw, appends them to the cache, and reports a ``FeedStalled`` for every symbol
it could not fetch.

"Closed" is judged on the venue's clock, never on ours alone: where the venue tells its time
(ccxt's ``fetch_time``) a candle is taken once that clock, at the moment the candles were
asked for, has passed the candle's close plus ``CLOSE_GRACE_S``; where it does not, a candle
is taken once a later candle exists in the answer (the venue has moved on). Either way the
forming candle is never taken.

Library values arrive as floats; they are turned into exact decimals once, here, at the
symbol's precision (``Decimal(repr(x))`` is the shortest decimal that round-trips the float).
"""

from __future__ import annotations

import operator
import random
import re
import time
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import NamedTuple, TypeVar

from logos.core.events import BarClosed, FeedStalled
from logos.core.symbols import SymbolSpec
from logos.feeds.cache_writer import append_bars
from logos.feeds.errors import PermanentFetchError, TransientFetchError, VenueBanned
from logos.feeds.retry import JitteredBackoff, RetryPolicy, call_with_retry
from logos.feeds.worker import Waits
from logos.paths import cache_file

_ZERO = Decimal(0)
T = TypeVar("T")
# A candle is final a moment after its close, not at the very instant: the venue's own
# bookkeeping and our estimate of its clock both need a little room.
CLOSE_GRACE_S = 1.0


class RawBar(NamedTuple):
    """One bar as a library gave it: open time in epoch seconds, values of any numeric type."""

    ts: int
    open: object
    high: object
    low: object
    close: object
    volume: object


class Fetched(NamedTuple):
    """One symbol's answer: its rows, and whether it was a full page (more may follow)."""

    rows: list[RawBar]
    full: bool = False


class PollResult(NamedTuple):
    bars: list[BarClosed]  # closed and new, ordered by (ts, symbol)
    stalled: list[FeedStalled]
    counts: dict[str, dict[str, int]]  # per symbol: gaps and duplicates met in the new bars
    more: bool = False  # an answer was a full page: poll again without waiting


class BarPoller:
    """Poll a market-data library for bars; subclasses supply ``_fetch`` (and may supply ``_venue_time``)."""

    source = "poller"
    requests_per_call = 1  # HTTP requests one ``_fetch`` may make, for its deadline
    venue_clock = False  # whether ``_venue_time`` can tell the venue's clock

    def __init__(
        self,
        specs: Mapping[str, SymbolSpec],
        cache_dir: Path,
        *,
        seed: int,
        retry: RetryPolicy = RetryPolicy(),
        waits: Waits | None = None,
        interval: str = "1m",
        interval_s: int = 60,
        timeout_s: float = 10.0,
        write_through: bool = True,
    ) -> None:
        self.specs = dict(sorted(specs.items()))
        self.cache_dir = Path(cache_dir)
        self.retry = retry
        self.waits = waits or Waits()
        self.interval = interval
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.write_through = write_through
        self._backoff = JitteredBackoff(retry, random.Random(seed))
        self._venue_offset: float | None = None  # venue clock minus ours, last measured

    def poll(self, after: Mapping[str, int]) -> PollResult:
        """Fetch every symbol once (with retries) and return its new closed bars and any stalls.

        A symbol whose fetch fails becomes a ``FeedStalled``; a cache file that cannot be
        written is a ``FeedError``, since the session could not resume from it. A
        ``FetchInterrupted`` (the session must stop) ends the poll at once.
        """
        failed, taken, counts, more = self._gather(after)
        seen = int(time.time())
        bars: list[BarClosed] = []
        for symbol, rows in taken.items():
            spec = self.specs[symbol]
            fresh = [bar for bar in (to_bar(spec, row, seen) for row in rows) if bar is not None]
            counts[symbol]["gaps"] = count_gaps([bar.ts for bar in fresh], after.get(symbol), self.interval_s)
            if fresh and self.write_through:
                append_bars(cache_file(self.cache_dir, spec.asset_class, symbol, self.interval), fresh)
            bars.extend(fresh)
        bars.sort(key=lambda bar: (bar.ts, bar.symbol))
        stalled = [FeedStalled(seen, symbol, self._stall_reason(symbol, error, attempts)) for symbol, error, attempts in failed]
        return PollResult(bars, stalled, counts, more)

    def _gather(self, after: Mapping[str, int]) -> tuple[list[tuple[str, BaseException, int]], dict[str, list[RawBar]], dict[str, dict[str, int]], bool]:
        """Fetch each symbol; return the failures (symbol, error, attempts), the closed new
        rows and the duplicate counts per symbol, and whether an answer was a full page."""
        failed: list[tuple[str, BaseException, int]] = []
        taken: dict[str, list[RawBar]] = {}
        counts: dict[str, dict[str, int]] = {}
        more = False
        ban = self._measure_venue_clock()
        for symbol in self.specs:
            since = after.get(symbol)
            if ban is not None:
                failed.append((symbol, ban, 1))
                continue
            answer, error, attempts = self._with_retry(partial(self._fetch_timed, symbol, since))
            if error is not None:
                failed.append((symbol, error, attempts))
                continue
            assert answer is not None  # a fetch that did not fail answered
            asked_at, fetched = answer
            venue_at = None if self._venue_offset is None else asked_at + self._venue_offset
            taken[symbol], counts[symbol] = self._closed_new(fetched.rows, since, venue_at)
            more = more or fetched.full
        return failed, taken, counts, more

    # --- supplied by each library's poller ------------------------------------------------

    def _fetch(self, symbol: str, since: int | None) -> Fetched:
        """Return the symbol's recent rows; raise only Transient/PermanentFetchError (or VenueBanned)."""
        raise NotImplementedError

    def _venue_time(self) -> float | None:
        """Return the venue's clock in epoch seconds, or None where the venue does not tell it."""
        return None

    # --- shared --------------------------------------------------------------------------

    @property
    def deadline_s(self) -> float:
        """How long one ``_fetch`` may take before it is abandoned as a timeout."""
        return self.timeout_s * self.requests_per_call + 1.0

    def _with_retry(self, fetch: Callable[[], T]) -> tuple[T | None, BaseException | None, int]:
        return call_with_retry(fetch, policy=self.retry, backoff=self._backoff, sleep=self.waits.sleep)

    def _fetch_timed(self, symbol: str, since: int | None) -> tuple[float, Fetched]:
        asked_at = time.time()
        return asked_at, self.waits.call(lambda: self._fetch(symbol, since), self.deadline_s)

    def _measure_venue_clock(self) -> BaseException | None:
        """Refresh the venue clock's offset from ours; return a ban, which stalls every symbol.

        Any other failure keeps the last offset (or none: then a later candle is the proof),
        which is always safe: it can only delay a bar, never take a forming one.
        """

        if not self.venue_clock:
            return None

        def ask() -> float | None:
            before = time.time()
            venue = self.waits.call(self._venue_time, self.timeout_s + 1.0)
            return None if venue is None else venue - (before + time.time()) / 2

        offset, error, _ = self._with_retry(ask)
        if isinstance(error, VenueBanned):
            return error
        if error is None:
            self._venue_offset = offset
        return None

    def _closed_new(self, rows: list[RawBar], since: int | None, venue_at: float | None) -> tuple[list[RawBar], dict[str, int]]:
        """Return the rows that closed at the venue and are newer than ``since`` (first of
        each open time, in time order), and how many repeated rows were dropped among them."""
        if not rows:
            return [], {"duplicates": 0}
        newest_open = max(row.ts for row in rows)
        newest = -(1 << 62) if since is None else since
        interval = self.interval_s
        by_ts: dict[int, RawBar] = {}
        duplicates = 0
        for row in rows:
            if row.ts <= newest:
                continue  # already seen
            closes = row.ts + interval
            if (closes + CLOSE_GRACE_S > venue_at) if venue_at is not None else (closes > newest_open):
                continue  # still forming at the venue
            if row.ts in by_ts:
                duplicates += 1
                continue
            by_ts[row.ts] = row
        return [by_ts[ts] for ts in sorted(by_ts)], {"duplicates": duplicates}

    def _stall_reason(self, symbol: str, error: BaseException, attempts: int) -> str:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        if isinstance(error, VenueBanned):
            verdict = "banned by the venue, not retried"
        elif isinstance(error, TransientFetchError):
            verdict = "gave up"
        else:
            verdict = "permanent error, not retried"
        return f"{self.source} {symbol}: {verdict} after {tries}: {describe_error(error)}"


def count_gaps(stamps: list[int], since: int | None, interval_s: int) -> int:
    """Return how many holes the bar open times ``stamps`` (ascending) leave after ``since``."""
    gaps = 0
    previous = since
    for ts in stamps:
        if previous is not None and ts > previous + interval_s:
            gaps += 1
        previous = ts
    return gaps


def to_bar(spec: SymbolSpec, row: RawBar, seen: int) -> BarClosed | None:
    """Return the row as an exact bar at the symbol's precision, or None if it is not a real bar."""
    try:
        values = [_exact(value) for value in row[1:]]
        if not all(value.is_finite() for value in values):
            return None  # NaN: the library had no trade that minute
        open_, high, low, close = (value.quantize(spec.price_tick, ROUND_HALF_EVEN) for value in values[:4])
        volume = values[4].quantize(spec.qty_step, ROUND_HALF_EVEN)
    except (InvalidOperation, TypeError, ValueError):
        return None  # a missing value, or one too large for the symbol's precision
    if min(open_, high, low, close) <= _ZERO or volume < _ZERO:
        return None  # checked after rounding: a price below half a tick rounds to zero
    return BarClosed(spec.symbol, row.ts, open_, high, low, close, volume, seen)


def _exact(value: object) -> Decimal:
    if isinstance(value, (str, Decimal)):
        return Decimal(value)
    if hasattr(value, "__index__"):  # int, numpy integers
        return Decimal(operator.index(value))
    return Decimal(repr(float(value)))  # type: ignore[arg-type]  # float, numpy floats


_QUERY = re.compile(r"\?\S*")
_SECRET = re.compile(r"(?i)\b(api[_-]?key|secret|token|signature|password|passphrase)\b(\s*[=:]\s*)\S+")


def describe_error(error: BaseException, limit: int = 200) -> str:
    """Return ``Type: first line of the message``, without query strings or credential values."""
    lines = str(error).strip().splitlines()
    message = _SECRET.sub(r"\1\2***", _QUERY.sub("?...", lines[0] if lines else ""))
    if len(message) > limit:
        message = message[:limit] + "..."
    if isinstance(error, (TransientFetchError, PermanentFetchError)):
        return message or type(error).__name__  # our own: the message already names the library's error
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
