"""What a session consumed from outside, and the checks a resume runs against it.

- The cache: for each symbol, the length and CRC-32 of the complete rows its file held
  when the session first read it ("known"), then of the prefix up to the end of the row of
  the last bar the session applied. While that bar is among the known rows the known
  checksum already covers it, and a snapshot only notes the bar's time (a replay of an
  unchanging file, the common case, never reads a cache file again however many symbols it
  trades); past them, each snapshot advances the prefix by reading forward from its previous
  end, so the file is read once over the session and the per-bar path pays nothing. A
  resume refuses a prefix or a known row that changed; rows appended after them are a
  normal refresh of the cache.
- Journaled bars after the snapshot are compared with the rows they came from.
- The symbol specs the session runs on (``state.params.specs``, taken from ``symbols.toml``
  at the start) are compared with ``symbols.toml`` now.

Each refusal names the file, the symbol, the bar's time and the field with both values.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from logos.core.events import BarClosed
from logos.core.state import Market, Params
from logos.core.symbols import SymbolSpec
from logos.core.timestamps import iso
from logos.live.checksums import CHUNK, file_crc

BAR_FIELDS = ("open", "high", "low", "close", "volume")
CachePath = Callable[[str], Path]


class InputChanged(Exception):
    """Something the session consumed is no longer what it was; the message says where."""


def _row_key(ts: int) -> bytes:
    return b"\n" + iso(ts).encode() + b","


class CacheTrail:
    """The consumed prefix of each symbol's cache file, as the snapshot records it, and the
    rows the file already held when the session first read it ("known"): an uninterrupted run
    would have read those too, so a resume refuses them changed as well."""

    def __init__(self, cache_path: CachePath, symbols: Iterable[str], recorded: Mapping[str, Any]) -> None:
        self.cache_path = cache_path
        self.record: dict[str, dict[str, Any]] = {s: dict(r) for s, r in recorded.items()}
        for symbol in symbols:
            if symbol not in self.record:
                known, crc, last_ts = _known_rows(cache_path(symbol))
                self.record[symbol] = {
                    "bytes": 0,
                    "crc32": 0,
                    "last_ts": None,
                    "known_bytes": known,
                    "known_crc32": crc,
                    "known_last_ts": last_ts,
                }

    def advance(self, markets: Mapping[str, Market]) -> dict[str, dict[str, Any]]:
        """Extend each symbol's prefix to the row of its last applied bar; return the record."""
        for symbol, entry in self.record.items():
            last_ts = markets[symbol].last_ts
            if last_ts is not None and entry["last_ts"] != last_ts:
                within = entry.get("known_last_ts")
                if not entry["bytes"] and within is not None and last_ts <= within:
                    entry["last_ts"] = last_ts  # among the known rows: the known checksum covers it
                    continue
                if not entry["bytes"] and within is not None:
                    # Past the known rows for the first time: the prefix starts as all of them.
                    entry["bytes"], entry["crc32"] = entry["known_bytes"], entry["known_crc32"]
                path = self.cache_path(symbol)
                end = _row_end(path, entry["bytes"], last_ts)
                entry["crc32"] = file_crc(path, end, entry["bytes"], entry["crc32"])
                entry["bytes"], entry["last_ts"] = end, last_ts
        return {s: dict(r) for s, r in sorted(self.record.items())}


def _known_rows(path: Path) -> tuple[int, int, int | None]:
    """The length and CRC-32 of a file's complete rows (up to its last newline), and the time
    of the last of them (None: no such row, or not one), in one read of the file: a session
    of thousands of symbols opens each once here, not once per figure. (0, 0, None) if the
    file cannot be read."""
    from logos.feeds.csv_format import parse_ts

    known = known_crc = crc = offset = 0
    tail = last = b""  # the bytes after the last newline read; the last non-blank row before it
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                end = chunk.rfind(b"\n")
                if end >= 0:
                    known, known_crc = offset + end + 1, zlib.crc32(chunk[: end + 1], crc)
                    rows = (tail + chunk[:end]).rstrip(b"\n")
                    if rows:
                        last = rows[rows.rfind(b"\n") + 1 :]
                    tail = chunk[end + 1 :]
                else:
                    tail += chunk
                crc = zlib.crc32(chunk, crc)
                offset += len(chunk)
    except OSError:
        return 0, 0, None
    if not known:
        return 0, 0, None
    return known, known_crc, parse_ts(last.split(b",", 1)[0].decode("ascii", "replace"))


def _row_start_before(path: Path, ts: int, start: int) -> int:
    """A row's start at or after ``start`` and before the row stamped ``ts``, found by halving
    the file (its rows are in ascending time), so a check near the end of a long file reads
    a little of it rather than all of it; ``start`` when that cannot be told."""
    from logos.feeds.csv_format import parse_ts

    low = start
    try:
        with open(path, "rb") as handle:
            high = handle.seek(0, 2)
            while high - low > CHUNK:
                middle = (low + high) // 2
                handle.seek(middle)
                handle.readline()  # the rest of the row the middle falls in
                row_start = handle.tell()
                stamp = parse_ts(handle.readline().split(b",", 1)[0].decode("ascii", "replace"))
                if stamp is not None and stamp < ts and row_start < high:
                    low = row_start
                else:
                    high = middle
    except OSError:
        return start
    return low


def _row_end(path: Path, start: int, ts: int) -> int:
    """Return the offset just past the first row stamped ``ts`` at or after byte ``start``."""
    _, end = _read_to_row(path, start, ts)
    if end is None:
        raise InputChanged(f"{path}: the row of the bar at {iso(ts)} is no longer where the session read it; the file changed while the session ran")
    return end


def _read_to_row(path: Path, start: int, ts: int) -> tuple[bytes, int | None]:
    """Read from byte ``start`` through the first row stamped ``ts``: return the bytes read,
    led by the newline that ends the row before ``start``, and the offset just past that row
    (None when the file ends first)."""
    key = _row_key(ts)
    with open(path, "rb") as handle:
        base = max(start - 1, 0)
        handle.seek(base)
        data = b"" if start else b"\n"  # a file's first row has no newline before it
        base -= len(data)
        searched = 0
        while True:
            chunk = handle.read(CHUNK)
            data += chunk
            at = data.find(key, searched)
            if at >= 0:
                end = data.find(b"\n", at + 1)
                if end >= 0:
                    return data[: end + 1], base + end + 1
            else:
                searched = max(0, len(data) - len(key))
            if not chunk:
                return data, None


# --- checks a resume runs ----------------------------------------------------------------


def check_specs(params: Params, tables: Sequence[tuple[Path, Mapping[str, SymbolSpec]]]) -> None:
    """Refuse a symbol whose spec in the symbol tables (``(file, its specs)`` in the order they
    apply: the last to define a symbol wins) differs from the one the session runs on."""
    for symbol in params.symbols:
        held: SymbolSpec = params.specs[symbol]
        defined = [(path, table[symbol]) for path, table in tables if symbol in table]
        if not defined:
            names = " and ".join(str(path) for path, _ in tables)
            raise InputChanged(f"{names} no longer define symbol {symbol}, which the session trades; restore its table, or start a new session")
        table_path, now = defined[-1]
        for field, was, found in zip(held._fields, held, now):
            if was != found:
                raise InputChanged(
                    f"{table_path}: {symbol} {field} is {found} there but the session runs on {was}; "
                    f'restore {field} = "{was}", or start a new session to trade with the new value'
                )


def check_cache_prefix(record: Mapping[str, Any], cache_path: CachePath, journaled: Callable[[str], list[tuple[int, BarClosed]]]) -> None:
    """Refuse a cache file whose consumed prefix changed; ``journaled(symbol)`` gives the bars to name it."""
    for symbol, entry in sorted(record.items()):
        if not entry["bytes"] and not entry.get("known_bytes"):
            continue  # the file held no complete row when the session started, and none was read
        path = cache_path(symbol)  # the file the resumed feed reads: its bytes must be what the session read
        try:
            size = path.stat().st_size
        except OSError:
            raise InputChanged(
                f"{path} is missing; the session read {entry['bytes']} bytes of it for {symbol}; restore it, or start a new session"
            ) from None
        if size < entry["bytes"]:
            raise InputChanged(
                f"{path} holds {size} bytes, fewer than the {entry['bytes']} the session read for {symbol} (up to {iso(entry['last_ts'])}); "
                "rows were removed: restore the file, or start a new session"
            )
        consumed = file_crc(path, entry["bytes"])
        if consumed != entry["crc32"]:
            raise InputChanged(_locate_prefix_change(path, symbol, entry, journaled(symbol)))
        known = entry.get("known_bytes", 0)
        if known > entry["bytes"] and (size < known or file_crc(path, known, entry["bytes"], consumed) != entry["known_crc32"]):
            if not entry["bytes"] and entry["last_ts"] is not None:
                # The bars the session applied are among the known rows: name one that changed.
                changed = _locate_prefix_change(path, symbol, {**entry, "bytes": known}, journaled(symbol), quiet=True)
                if changed is not None:
                    raise InputChanged(changed)
            after = f"after its last bar ({iso(entry['last_ts'])})" if entry["last_ts"] is not None else "before it read any"
            raise InputChanged(
                f"{path}: rows of {symbol} that the file held when the session started, {after}, were changed or removed "
                f"(its first {known} bytes no longer match); an uninterrupted run would have read them as they were: "
                "restore the file (appending rows is fine), or start a new session"
            )


def _locate_prefix_change(path: Path, symbol: str, entry: Mapping[str, Any], bars: list[tuple[int, BarClosed]], quiet: bool = False) -> str | None:
    """Name the first applied bar whose row in the first ``entry["bytes"]`` bytes changed; when
    none did, a sentence saying the bytes changed anyway (None with ``quiet``)."""
    with open(path, "rb") as handle:
        rows = _rows(handle.read(entry["bytes"]))
    for seq, bar in bars:
        if bar.ts > entry["last_ts"]:
            break
        found = _differs(rows, bar)
        if found == _MISSING:
            return f"{path} has no row for {symbol} at {iso(bar.ts)} any more, which the session read (state.jsonl seq {seq}); restore the file, or start a new session"
        if found is not None:
            field, now, was = found
            return f"{path}: {symbol} {iso(bar.ts)} {field} is {now} but the session read {was} (state.jsonl seq {seq}); restore the file, or start a new session"
    if quiet:
        return None
    return (
        f"{path}: the first {entry['bytes']} bytes, which the session read for {symbol}, changed, though every bar it "
        "applied is still there (the header, or a row it skipped, differs); restore the file, or start a new session"
    )


def check_journaled_bars(record: Mapping[str, Any], cache_path: CachePath, bars: Iterable[tuple[int, BarClosed]]) -> None:
    """Refuse a journaled bar (after the snapshot) that differs from the cache row it came from."""
    wanted: dict[str, list[tuple[int, BarClosed]]] = {}
    for seq, bar in bars:
        wanted.setdefault(bar.symbol, []).append((seq, bar))
    for symbol, mine in sorted(wanted.items()):
        path = cache_path(symbol)
        start = _row_start_before(path, mine[0][1].ts, record.get(symbol, {}).get("bytes", 0))
        rows = _rows_until(path, start, mine[-1][1].ts)
        for seq, bar in mine:
            problem = bar_problem(rows, bar, path)
            if problem is not None:
                raise InputChanged(f"state.jsonl seq {seq}: {problem}; the journal or the cache was edited: restore it, or start a new session")


def bar_problem(rows: Mapping[bytes, bytes], bar: BarClosed, path: Path) -> str | None:
    """Say how a journaled bar differs from its row in the cache file at ``path`` (None if it does not)."""
    found = _differs(rows, bar)
    if found is None:
        return None
    if found == _MISSING:
        return f"the journal holds a {bar.symbol} bar at {iso(bar.ts)}, but {path} has no row for it"
    field, now, was = found
    return f"the journal's {bar.symbol} bar at {iso(bar.ts)} has {field} {was}, but {path} has {now}"


def cache_rows(path: Path) -> dict[bytes, bytes]:
    """Every row of a cache file by stamp (the first of repeats, as the replay keeps); {} if unreadable."""
    try:
        return _rows(path.read_bytes())
    except OSError:
        return {}


def _rows_until(path: Path, start: int, last_ts: int) -> dict[bytes, bytes]:
    """The rows from byte ``start`` up to the first one stamped ``last_ts`` (or the file's end)."""
    try:
        data, _ = _read_to_row(path, start, last_ts)
    except OSError:
        return {}
    return _rows(data)


def _rows(data: bytes) -> dict[bytes, bytes]:
    """Stamp -> the rest of its first complete row, as the replay reads them (a repeat keeps the first)."""
    rows: dict[bytes, bytes] = {}
    for line in data.split(b"\n")[:-1]:  # the last piece is empty or a row not yet complete
        stamp, _, rest = line.partition(b",")
        if stamp not in rows:
            rows[stamp] = rest
    return rows


_MISSING = ("", "", "")


def _differs(rows: Mapping[bytes, bytes], bar: BarClosed) -> tuple[str, str, str] | None:
    """Return (field, the cache's value, the journal's value) for the first field that differs
    (``_MISSING`` when the cache has no row for the bar)."""
    rest = rows.get(iso(bar.ts).encode())
    if rest is None:
        return _MISSING
    values = (bar.open, bar.high, bar.low, bar.close, bar.volume)
    if rest == f"{values[0]},{values[1]},{values[2]},{values[3]},{values[4]}".encode():
        return None  # the row as the journal has it, byte for byte: the usual case, one comparison
    fields = rest.split(b",")
    for index, (name, value) in enumerate(zip(BAR_FIELDS, values)):
        text = fields[index].decode("ascii", "replace") if index < len(fields) else ""
        if _canonical(text) != str(value):
            return (name, text or "empty", str(value))
    return None


def _canonical(text: str) -> str:
    try:
        return str(Decimal(text))
    except InvalidOperation:
        return text
