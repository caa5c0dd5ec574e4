"""ISO-8601 UTC text for epoch seconds: pure arithmetic, no clock read.

Every account row formats one, so the date part is cached and whole minutes come from a
table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=8)
def day_prefix(day: int) -> str:
    """``YYYY-MM-DDT`` of the UTC day ``day`` (days since the epoch)."""
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")


MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}:00Z" for m in range(1440))  # the rest of a whole minute's stamp


def iso(ts: int) -> str:
    """Format epoch seconds as ISO-8601 UTC (pure arithmetic, no clock read).

    Called for every account row: the date part is cached and whole minutes (every bar
    time) come from a table.
    """
    day, rest = divmod(ts, 86400)
    if not rest % 60:
        return day_prefix(day) + MINUTES[rest // 60]
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{day_prefix(day)}{hours:02d}:{minutes:02d}:{seconds:02d}Z"
