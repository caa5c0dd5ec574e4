"""Replay minute bars from the CSV cache as one lazy, time-ordered stream of ``BarClosed``.

Rules (see ``docs/DATA-FORMAT.md``):
- Only a line that ends in ``\\n`` is complete. A last line without one (a torn row, a file
  still being written) is skipped, counted, and ends the file: reading on could return the
  rest of that row as if it were a row of its own.
- A complete line that does not parse, or holds a value out of the format's bounds, is a
  ``FeedError`` naming the file and the line, wherever it is in the file.
- So is a row whose timestamp is not after the row before it (a repeat, or one out of
  order): dropping it would let one far-future row silently drop every row after it.
- In replay the clock is market time: a bar is seen when it closes (``seen = ts + interval_s``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, TextIO

from logos.core.events import BarClosed
from logos.feeds.csv_format import DAY_STARTS, FIELDS, HEADER, MAX_PRICE, MAX_VOLUME, TIMES_OF_DAY, format_ts, stamp_problem
from logos.feeds.errors import FeedError
from logos.paths import ASSET_CLASSES, cache_file

_BEFORE_ALL = -(1 << 62)  # older than any timestamp a file can hold
_ZERO = Decimal(0)
_TS = itemgetter(1)  # a bar's open time
MERGE_BUDGET = 4096  # bars a multi-symbol replay reads ahead, over all its streams
# Field texts a replay keeps parsed, over all its files. A series revisits its recent
# prices, so most fields repeat a text already seen (about 70% of the benchmark walk's): a
# dict lookup instead of a Decimal parse, and the windows then share Decimal objects.
# Cleared when full: one bound for the replay (under 1 MB), however many symbols it reads.
KNOWN_TEXTS = 4096


class _StampTimes(dict[str, int]):
    """``THH:MM:SSZ`` (a stamp from its ``T`` on) -> seconds since midnight, learned on first sight.

    One lookup per row then checks the ``T``, the ``Z`` and the stamp's length as well as the
    time, instead of three more comparisons on every row.
    """

    def __missing__(self, text: str) -> int:
        if len(text) != 10 or text[0] != "T" or text[9] != "Z":
            raise ValueError(f"{text!r} is not a THH:MM:SSZ time")
        self[text] = seconds = TIMES_OF_DAY[text[1:9]]  # ValueError for a time that does not exist
        return seconds


_STAMP_TIMES = _StampTimes()


class SymbolReport(NamedTuple):
    """What replaying one symbol's file did to its rows.

    ``rows_read == bars_yielded + torn_skipped + resumed_skipped`` once the stream is exhausted.
    """

    symbol: str
    path: str
    rows_read: int
    bars_yielded: int
    torn_skipped: int
    resumed_skipped: int  # bars at or before the resume point ``after[symbol]``
    first_ts: int | None  # first and last yielded bar
    last_ts: int | None


@dataclass
class _Counts:
    rows_read: int = 0
    bars_yielded: int = 0
    torn_skipped: int = 0
    resumed_skipped: int = 0
    first_ts: int | None = None
    last_ts: int | None = None


class CacheFeed:
    """Replay ``<cache_dir>/<asset_class>/<SYMBOL>_<interval>.csv`` for several symbols."""

    def __init__(
        self,
        cache_dir: Path,
        symbols: Mapping[str, str],
        interval: str = "1m",
        interval_s: int = 60,
    ) -> None:
        for symbol, asset_class in symbols.items():
            if asset_class not in ASSET_CLASSES:
                raise FeedError(f"symbol {symbol!r} has asset class {asset_class!r}; use one of {', '.join(ASSET_CLASSES)} in data/symbols.toml")
        self.cache_dir = Path(cache_dir)
        self.symbols = dict(sorted(symbols.items()))
        self.interval = interval
        self.interval_s = interval_s
        self._counts: dict[str, _Counts] = {}
        self._paths: dict[str, Path] = {}

    def path(self, symbol: str) -> Path:
        # Asked for each symbol by the replay, its report and the session's cache trail:
        # joined once, as a pathlib join costs more than a dict lookup at thousands of symbols.
        path = self._paths.get(symbol)
        if path is None:
            path = self._paths[symbol] = cache_file(self.cache_dir, self.symbols[symbol], symbol, self.interval)
        return path

    def replay(self, after: Mapping[str, int] | None = None) -> Iterator[BarClosed]:
        """Return every bar newer than ``after[symbol]``, ordered by (ts, symbol).

        All files are opened now, so a missing one fails here rather than mid-session.
        """
        after = after or {}
        self._counts = {symbol: _Counts() for symbol in self.symbols}
        files: list[TextIO] = []
        try:
            for symbol in self.symbols:
                files.append(self._open(symbol))
        except FeedError:
            for file in files:
                file.close()
            raise
        known: dict[str, Decimal] = {}  # field text -> its Decimal, shared by the streams
        streams = [self._read(symbol, file, after.get(symbol, _BEFORE_ALL), known) for symbol, file in zip(self.symbols, files, strict=True)]
        # One symbol's stream is already in order: handing it out as is saves a generator hop per bar.
        return streams[0] if len(streams) == 1 else _merge(streams)

    def report(self) -> dict[str, SymbolReport]:
        """Return per-symbol counts of the latest replay (complete once it is exhausted)."""
        return {symbol: SymbolReport(symbol, str(self.path(symbol)), *vars(counts).values()) for symbol, counts in self._counts.items()}

    def row_count(self) -> int:
        """Return the complete rows of every file, its header excluded: the bars a whole
        replay reads. A count of newlines, not a parse: about 0.15 s a million rows."""
        rows = 0
        for symbol in self.symbols:
            try:
                with open(self.path(symbol), "rb") as handle:
                    rows += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1
            except FileNotFoundError:
                continue  # replay() says so, naming the file
        return max(rows, 0)

    def _open(self, symbol: str) -> TextIO:
        path = self.path(symbol)
        try:
            # newline="\n": split on \n only, so a stray \r cannot split a row in two;
            # surrogateescape: a stray byte becomes a malformed row, never a decode crash.
            return open(path, encoding="ascii", errors="surrogateescape", newline="\n")
        except FileNotFoundError:
            raise FeedError(
                f"no cache file for {symbol} at {path}; run `python -m logos.feeds.fixtures` to "
                f"generate the fixtures, or check the symbol and its asset class in data/symbols.toml"
            ) from None

    def _read(self, symbol: str, file: TextIO, after: int, known: dict[str, Decimal]) -> Iterator[BarClosed]:
        counts = self._counts[symbol]
        path = self.path(symbol)
        interval_s = self.interval_s
        new_bar = tuple.__new__  # skips BarClosed's generated __new__: a third of the cost
        days, times, stamp_times = DAY_STARTS, TIMES_OF_DAY, _STAMP_TIMES
        top, top_volume = MAX_PRICE, MAX_VOLUME
        seen = known.get
        with file:
            header = file.readline()
            if header != HEADER:
                if header.endswith("\n"):
                    raise FeedError(f"{path}:1: header is {_clip(header.rstrip())}; the first line must be {HEADER.rstrip()!r}")
                return  # empty, or a header still being written: no rows yet
            last = _BEFORE_ALL
            # The line number is only needed for an error: the header is line 1, so it is rows_read + 1.
            for line in file:
                counts.rows_read += 1
                # A file never yields an empty line, and indexing is cheaper than endswith().
                if line[-1] != "\n":
                    counts.torn_skipped += 1
                    return
                if last < after and line[10:11] == "T" and line[19:21] == "Z,":
                    # Before the resume point only the time matters: a resumed 1M-bar session
                    # would otherwise parse ~1M rows' prices just to discard them.
                    try:
                        ts = days[line[:10]] + times[line[11:19]]
                    except ValueError:
                        ts = _BEFORE_ALL
                    if last < ts <= after:
                        last = ts
                        counts.resumed_skipped += 1
                        continue
                try:
                    stamp, o, h, lo, c, v = line.split(",")
                    # A zero (volume) is falsy, so it is parsed each time: still exact.
                    op = seen(o) or _parse(o, known)
                    hp = seen(h) or _parse(h, known)
                    lp = seen(lo) or _parse(lo, known)
                    cp = seen(c) or _parse(c, known)
                    vol = seen(v) or _parse(v, known)
                    # stamp[10:] must be exactly "THH:MM:SSZ": that also pins the stamp's length to 20.
                    ts = days[stamp[:10]] + stamp_times[stamp[10:]]
                    # Comparing a NaN raises (so the row is not valid); the upper bound refuses Infinity.
                    valid = _ZERO < op <= top and _ZERO < hp <= top and _ZERO < lp <= top and _ZERO < cp <= top and _ZERO <= vol <= top_volume
                except (ValueError, ArithmeticError):
                    valid = False
                if not valid:
                    raise FeedError(f"{path}:{counts.rows_read + 1}: {describe_bad_row(line)}")
                if ts <= last:
                    raise FeedError(f"{path}:{counts.rows_read + 1}: {_out_of_order(stamp, ts == last, last, counts.rows_read)}")
                last = ts
                if ts <= after:
                    counts.resumed_skipped += 1
                    continue
                if counts.first_ts is None:
                    counts.first_ts = ts
                counts.last_ts = ts
                counts.bars_yielded += 1
                yield new_bar(BarClosed, (symbol, ts, op, hp, lp, cp, vol, ts + interval_s))


def _parse(text: str, known: dict[str, Decimal]) -> Decimal:
    """Parse a field that ``known`` does not hold yet, and keep it there."""
    if len(known) >= KNOWN_TEXTS:
        known.clear()
    value = known[text] = Decimal(text)
    return value


def _out_of_order(stamp: str, repeated: bool, last: int, previous_line: int) -> str:
    # Every row before this one was taken (or the file would have ended), so ``last`` is line ``previous_line``'s.
    what = "repeats the timestamp of" if repeated else "is older than"
    return (
        f"timestamp {stamp} {what} line {previous_line} ({format_ts(last)}); rows are in ascending time "
        "order, one per timestamp; fix or delete whichever of the two rows is out of place"
    )


def describe_bad_row(line: str) -> str:
    """Say in one line what is wrong with a complete row that did not parse, and the fix."""
    body = line[:-1]
    fields = body.split(",")
    if len(fields) != len(FIELDS):
        return f"expected {len(FIELDS)} comma-separated fields ({','.join(FIELDS)}), found {len(fields)} in {_clip(body)}; fix or delete the row"
    problem = stamp_problem(fields[0])
    if problem:
        return f"timestamp {_clip(fields[0])} {problem}; fix or delete the row"
    for name, value in zip(FIELDS[1:], fields[1:], strict=True):
        try:
            number = Decimal(value)
            finite = number.is_finite()
        except ArithmeticError:
            finite = False
        if not finite:
            return f"{name} {_clip(value)} is not a number; fix or delete the row"
        if number < 0 or (number == 0 and name != "volume"):
            kind = "a volume must not be negative" if name == "volume" else "prices must be positive"
            return f"{name} is {_clip(value)}; {kind}; fix or delete the row"
        top = MAX_VOLUME if name == "volume" else MAX_PRICE
        if number > top:
            return f"{name} {_clip(value)} is above {top:f}, the largest the format allows; fix or delete the row"
    return f"row {_clip(body)} does not parse; fix or delete the row"


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _merge(streams: list[Iterator[BarClosed]], budget: int = MERGE_BUDGET) -> Iterator[BarClosed]:
    """Merge streams opened in symbol order into one ordered by (ts, symbol), a block at a time.

    Each stream is strictly increasing in ts, so once every open stream has been read past a
    time (the horizon: the least of their last-read times), every bar up to it has been read
    and can be handed out. Each round refills only the streams read no further than the
    horizon, a block each, then hands out every buffered bar up to the horizon: gathered in
    stream order and sorted stably by ts alone, equal times keep symbol order. A bar then
    costs a share of a C sort on integer keys instead of a Python-level heap step, and a
    stream is parsed a block at a time. At most about ``budget`` bars are held however many
    streams there are (a block is ``budget // len(streams)``, at least one).
    """
    block = max(1, budget // len(streams))
    buffers: list[list[BarClosed]] = [[] for _ in streams]
    last_read: list[int | None] = [None] * len(streams)  # ts of each open stream's last bar read; None: refill
    open_streams = dict(enumerate(streams))
    while open_streams:
        for rank, stream in list(open_streams.items()):
            if last_read[rank] is None:
                got = list(islice(stream, block))
                if got:
                    buffers[rank] += got
                    last_read[rank] = got[-1][1]
                else:
                    del open_streams[rank]
        horizon = min([last_read[rank] for rank in open_streams], default=None)  # type: ignore[type-var]
        out: list[BarClosed] = []
        for rank, held in enumerate(buffers):
            if held and (horizon is None or held[0][1] <= horizon):
                cut = len(held) if horizon is None else bisect_right(held, horizon, key=_TS)
                out += held[:cut]
                del held[:cut]
                if not held and rank in open_streams:
                    last_read[rank] = None
        out.sort(key=_TS)  # stable: equal times stay in stream (symbol) order
        yield from out
