"""What the page draws, read from the session folder: bars and stops from the journal."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, NamedTuple

# Journal lines keep their fields in declaration order (docs/ARTIFACTS.md), so one pattern
# over the whole file finds every bar, about ten times faster than decoding each line.
_BAR = re.compile(rb'"type":"BarClosed","symbol":"((?:[^"\\]|\\.)*)","ts":(\d+),[^\n]*?"close":"([^"]+)"')
_STOP = re.compile(rb'^\{"seq":\d+,"type":"(?:SessionHalted|SessionPaused)",[^\n]*$', re.MULTILINE)


class Prices(NamedTuple):
    """One symbol's bars as drawn: close time (epoch seconds) and close."""

    times: list[int]
    closes: list[float]


class Stop(NamedTuple):
    ts: int
    kind: str  # SessionHalted | SessionPaused
    why: str  # the halt causes, or the pause's reason


def read_journal(path: Path, interval_s: int) -> tuple[dict[str, Prices], list[Stop]]:
    """Return each symbol's bars and every halt and pause the journal ``path`` holds."""
    data = path.read_bytes()
    raw: dict[bytes, Prices] = {}  # by the symbol as the journal spells it, decoded once at the end
    for match in _BAR.finditer(data):
        series = raw.get(match.group(1))
        if series is None:
            series = raw[match.group(1)] = Prices([], [])
        series.times.append(int(match.group(2)) + interval_s)
        series.closes.append(float(match.group(3)))
    prices = {json.loads(b'"' + name + b'"'): series for name, series in raw.items()}
    return prices, [_stop(json.loads(line)) for line in _STOP.findall(data)]


def _stop(entry: dict[str, Any]) -> Stop:
    why = ", ".join(entry.get("causes", ())) or str(entry.get("reason", ""))
    return Stop(int(entry["ts"]), entry["type"], why)
