"""Write polled bars through to the cache so a later replay (or a resume) sees them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from logos.atomic import write_atomic
from logos.core.events import BarClosed
from logos.feeds.csv_format import HEADER, format_row, parse_ts
from logos.feeds.errors import FeedError


def append_bars(path: Path, bars: Iterable[BarClosed]) -> int:
    """Add the bars newer than the file's last row to ``path``; return how many were added.

    The whole file is rewritten through a temp file and a rename, so a crash or a concurrent
    reader sees either the old file or the new one, never a torn row.
    """
    text, last = _complete_rows(path)
    rows = []
    for bar in sorted(bars, key=lambda bar: bar.ts):
        if bar.ts > last:
            rows.append(format_row(bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume))
            last = bar.ts
    if rows:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, (text + "".join(rows)).encode("ascii"))
        except OSError as exc:
            raise FeedError(f"cannot write cache file {path}: {exc.strerror or exc}; check free disk space and permissions") from None
    return len(rows)


def _complete_rows(path: Path) -> tuple[str, int]:
    """Return the file's complete lines and the timestamp of its last row."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return HEADER, -(1 << 62)
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(f"cannot read cache file {path}: {exc}; move it aside and poll again") from None
    text = text[: text.rfind("\n") + 1]  # a torn tail left by some other writer is dropped
    if not text.startswith(HEADER):
        raise FeedError(f"cache file {path} does not start with {HEADER.rstrip()!r}; move it aside and poll again")
    rows = text[len(HEADER) :]
    if not rows:
        return text, -(1 << 62)
    last_line = rows[rows.rfind("\n", 0, len(rows) - 1) + 1 :]
    last = parse_ts(last_line.split(",", 1)[0])
    if last is None:
        raise FeedError(f"cache file {path} ends with a malformed row {last_line.rstrip()!r}; move it aside and poll again")
    return text, last
