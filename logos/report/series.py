"""What the page draws, read from the session folder: bars and stops from the journal."""

from __future__ import annotations

import json
import re
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from logos.live.journal_scan import lines_in

# Journal lines keep their fields in declaration order (docs/ARTIFACTS.md), so one pattern
# over the whole file finds every bar, several times faster than decoding each line.
_BAR = re.compile(rb'BarClosed","symbol":"((?:[^"\\]|\\.)*)","ts":(\d+),"open":"[^"]*","high":"[^"]*","low":"[^"]*","close":"([^"]*)"')
_STOPS = ("SessionHalted", "SessionPaused")


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
    bars = _BAR.findall(data)
    names = dict.fromkeys(map(itemgetter(0), bars))  # in the order the symbols first had a bar
    prices = {}
    for name in names:
        mine = bars if len(names) == 1 else [bar for bar in bars if bar[0] == name]
        prices[json.loads(b'"' + name + b'"')] = Prices([int(b[1]) + interval_s for b in mine], [float(b[2]) for b in mine])
    return prices, [_stop(entry) for entry in lines_in(data, _STOPS)]


def _stop(entry: dict[str, Any]) -> Stop:
    why = ", ".join(entry.get("causes", ())) or str(entry.get("reason", ""))
    return Stop(int(entry["ts"]), entry["type"], why)
