"""The cache CSV format (see ``docs/DATA-FORMAT.md``): one minute bar per line.

Shared by the fixture generator, the poller write-through and the replay reader, so the
three can never disagree about a byte.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

HEADER = "timestamp,open,high,low,close,volume\n"
FIELDS = tuple(HEADER.rstrip().split(","))
# Bounds of a row, so no bar can overflow the core's exact arithmetic or its clock: a bar's
# close (open time + interval) must still be a date Python can write, and the engine's clocks
# count up from epoch 0 (1970-01-01T00:00:00Z), so a bar before it would run them backwards.
YEARS = (1970, 9998)
MAX_PRICE = Decimal(10) ** 12
MAX_VOLUME = Decimal(10) ** 15
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d):([0-5]\d)")


class _DayStarts(dict[str, int]):
    """``YYYY-MM-DD`` -> epoch second of its midnight, learned on first sight."""

    def __missing__(self, text: str) -> int:
        if not _DAY.fullmatch(text):
            raise ValueError(f"{text!r} is not a YYYY-MM-DD date")
        if not YEARS[0] <= int(text[:4]) <= YEARS[1]:
            raise ValueError(f"{text!r} is outside the years {YEARS[0]} to {YEARS[1]}")
        self[text] = start = day_start(text)  # ValueError for a day that does not exist
        return start


class _TimesOfDay(dict[str, int]):
    """``HH:MM:SS`` -> seconds since midnight, learned on first sight."""

    def __missing__(self, text: str) -> int:
        match = _TIME.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not an HH:MM:SS time")
        hh, mm, ss = match.groups()
        self[text] = seconds = int(hh) * 3600 + int(mm) * 60 + int(ss)
        return seconds


# A replay meets the same few days and times of day again and again: parse each once.
DAY_STARTS = _DayStarts()
TIMES_OF_DAY = _TimesOfDay()


def day_start(iso_date: str) -> int:
    """Return the epoch second of midnight UTC on ``YYYY-MM-DD`` (ValueError if no such day)."""
    return (date.fromisoformat(iso_date).toordinal() - _EPOCH_ORDINAL) * 86400


def is_stamp_shaped(text: str) -> bool:
    """Say whether ``text`` has the separators of ``YYYY-MM-DDTHH:MM:SSZ`` where the parts end."""
    return len(text) == 20 and text[10] == "T" and text[19] == "Z"


def parse_ts(text: str) -> int | None:
    """Return the epoch seconds of ``YYYY-MM-DDTHH:MM:SSZ`` in ``YEARS``, or None if ``text`` is not one."""
    if not is_stamp_shaped(text):
        return None
    try:
        return DAY_STARTS[text[:10]] + TIMES_OF_DAY[text[11:19]]
    except ValueError:
        return None


def stamp_problem(text: str) -> str:
    """Say what keeps ``text`` from being a timestamp of the format (``""`` when it is one)."""
    if parse_ts(text) is not None:
        return ""
    if is_stamp_shaped(text) and _DAY.fullmatch(text[:10]) and not YEARS[0] <= int(text[:4]) <= YEARS[1]:
        return f"is outside the years {YEARS[0]} to {YEARS[1]}"
    return "is not ISO-8601 UTC like 2025-10-13T13:30:00Z"


def format_ts(ts: int) -> str:
    """Return epoch seconds as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_row(ts: int, open_: Decimal, high: Decimal, low: Decimal, close: Decimal, volume: Decimal) -> str:
    """Return one complete CSV line, newline included.

    ``:f`` keeps every value a plain decimal: ``str(Decimal("0E-8"))`` would be exponent form.
    """
    return f"{format_ts(ts)},{open_:f},{high:f},{low:f},{close:f},{volume:f}\n"
