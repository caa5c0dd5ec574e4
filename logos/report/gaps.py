"""Stretches of market time with no bar at all (nights, weekends), cut out of the time axes.

An equity session spends two thirds of the calendar closed; drawn on a plain time axis its
bars would be squeezed between long flat joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

# A silence this many bars long or longer is a market closure, not a quiet stretch.
GAP_BARS = 30
# More closures than this (years of equity bars) and the axis keeps them: each costs plotly
# work on every redraw.
MAX_GAPS = 600


def closures(closes: Sequence[int], interval_s: int) -> list[tuple[int, int]]:
    """Return ``(last close, next open)`` of each gap of at least ``GAP_BARS`` bars between
    consecutive bar close times (epoch seconds, in order); none when there are too many."""
    found = [
        (before, after - interval_s)
        for before, after in pairwise(closes)
        if after - before > GAP_BARS * interval_s
    ]
    return found if len(found) <= MAX_GAPS else []
