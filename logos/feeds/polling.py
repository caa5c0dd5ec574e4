"""What both pollers share: closed-bar filtering, retries, stall reasons, freshness, write-through.

A poller asks its library for recent minute bars of each symbol, keeps the bars that have
closed (``ts + interval_s <= now``) and are newer than the last bar the session saw, appends
them to the cache, and reports a ``FeedStalled`` for every symbol it could not fetch.
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
from typing import NamedTuple

from logos.core.events import BarClosed, FeedStalled
from logos.core.symbols import SymbolSpec
from logos.feeds.cache_writer import append_bars
from logos.feeds.errors import PermanentFetchError, TransientFetchError
from logos.feeds.retry import JitteredBackoff, RetryPolicy, call_with_retry
from logos.paths import cache_file

_ZERO = Decimal(0)


class RawBar(NamedTuple):
    """One bar as a library gave it: open time in epoch seconds, values of any numeric type."""

    ts: int
    open: object
    high: object
    low: object
    close: object
    volume: object


class PollResult(NamedTuple):
    bars: list[BarClosed]  # closed and new, ordered by (ts, symbol)
    stalled: list[FeedStalled]


class BarPoller:
    """Poll a market-data library for minute bars; subclasses supply ``_fetch`` and ``_is_transient``."""

    source = "poller"

    def __init__(
        self,
        specs: Mapping[str, SymbolSpec],
        cache_dir: Path,
        *,
        seed: int,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        interval: str = "1m",
        interval_s: int = 60,
        write_through: bool = True,
    ) -> None:
        self.specs = dict(sorted(specs.items()))
        self.cache_dir = Path(cache_dir)
        self.retry = retry
        self.sleep = sleep
        self.interval = interval
        self.interval_s = interval_s
        self.write_through = write_through
        self._backoff = JitteredBackoff(retry, random.Random(seed))
        self._newest: dict[str, int] = {}
        self._freshness: dict[str, int] = {}

    def poll(self, after: Mapping[str, int], now: int) -> PollResult:
        """Fetch every symbol once (with retries) and return its new closed bars and any stalls.

        A symbol whose fetch fails becomes a ``FeedStalled``; a cache file that cannot be
        written is a ``FeedError``, since the session could not resume from it.
        """
        bars: list[BarClosed] = []
        stalled: list[FeedStalled] = []
        for symbol, spec in self.specs.items():
            since = after.get(symbol)
            fresh: list[BarClosed] = []
            raw, error, attempts = call_with_retry(
                partial(self._fetch, symbol, since, now),
                policy=self.retry,
                backoff=self._backoff,
                is_transient=self._retryable,
                sleep=self.sleep,
            )
            if error is not None:
                stalled.append(FeedStalled(now, symbol, self._stall_reason(symbol, error, attempts)))
            else:
                fresh = self._closed_bars(spec, raw or [], since, now)
                if fresh and self.write_through:
                    append_bars(cache_file(self.cache_dir, spec.asset_class, symbol, self.interval), fresh)
                bars.extend(fresh)
            self._note_freshness(symbol, since, fresh, now)
        bars.sort(key=lambda bar: (bar.ts, bar.symbol))
        return PollResult(bars, stalled)

    def freshness(self) -> dict[str, int]:
        """Return, per symbol, how many seconds before the latest poll its newest bar closed."""
        return dict(self._freshness)

    # --- supplied by each library's poller ------------------------------------------------

    def _fetch(self, symbol: str, since: int | None, now: int) -> list[RawBar]:
        raise NotImplementedError

    def _is_transient(self, error: BaseException) -> bool:
        raise NotImplementedError

    # --- shared --------------------------------------------------------------------------

    def _retryable(self, error: BaseException) -> bool:
        if isinstance(error, TransientFetchError):
            return True
        if isinstance(error, PermanentFetchError):
            return False
        return self._is_transient(error)

    def _closed_bars(self, spec: SymbolSpec, raw: list[RawBar], since: int | None, now: int) -> list[BarClosed]:
        newest = -(1 << 62) if since is None else since
        by_ts: dict[int, BarClosed] = {}
        for row in raw:
            if row.ts <= newest or row.ts + self.interval_s > now or row.ts in by_ts:
                continue  # already seen, still forming, or repeated
            bar = to_bar(spec, row, now)
            if bar is not None:
                by_ts[row.ts] = bar
        return [by_ts[ts] for ts in sorted(by_ts)]

    def _note_freshness(self, symbol: str, since: int | None, fresh: list[BarClosed], now: int) -> None:
        known = [ts for ts in (self._newest.get(symbol), since) if ts is not None]
        known += [bar.ts for bar in fresh]
        if known:
            self._newest[symbol] = max(known)
            self._freshness[symbol] = now - (self._newest[symbol] + self.interval_s)

    def _stall_reason(self, symbol: str, error: BaseException, attempts: int) -> str:
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        verdict = "gave up" if self._retryable(error) else "permanent error, not retried"
        return f"{self.source} {symbol}: {verdict} after {tries}: {describe_error(error)}"


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
        return Decimal(operator.index(value))  # type: ignore[arg-type]
    return Decimal(repr(float(value)))  # type: ignore[arg-type]  # float, numpy floats


_QUERY = re.compile(r"\?\S*")
_SECRET = re.compile(r"(?i)\b(api[_-]?key|secret|token|signature|password|passphrase)\b(\s*[=:]\s*)\S+")


def describe_error(error: BaseException, limit: int = 200) -> str:
    """Return ``Type: first line of the message``, without query strings or credential values."""
    lines = str(error).strip().splitlines()
    message = _SECRET.sub(r"\1\2***", _QUERY.sub("?...", lines[0] if lines else ""))
    if len(message) > limit:
        message = message[:limit] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
