"""ISO-8601 UTC text for epoch seconds: pure arithmetic, no clock read.

Every account row formats one, so the date part is cached and whole minutes come from a
table.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache


@lru_cache(maxsize=8)
def _day_prefix(day: int) -> str:
    return datetime.fromtimestamp(day * 86400, timezone.utc).strftime("%Y-%m-%dT")


_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:00Z" for m in range(1440))


def iso(ts: int) -> str:
    """Format epoch seconds as ISO-8601 UTC (pure arithmetic, no clock read).

    Called for every account row: the date part is cached and whole minutes (every bar
    time) come from a table.
    """
    day, rest = divmod(ts, 86400)
    if not rest % 60:
        return _day_prefix(day) + _MINUTES[rest // 60]
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{_day_prefix(day)}{hours:02d}:{minutes:02d}:{seconds:02d}Z"
