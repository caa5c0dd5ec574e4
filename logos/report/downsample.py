"""Fewer points to draw, same picture: per bucket keep the first, lowest, highest and last.

A chart a reader sees is about 1,500 pixels wide, so a million-bar series is cut into that
many buckets of consecutive points; keeping each bucket's extremes means a one-bar spike
still shows, and keeping its ends keeps the line joined. The statistics never see this.
"""

from __future__ import annotations

from collections.abc import Sequence

BUCKETS = 1500


def keep(values: Sequence[float], buckets: int = BUCKETS) -> list[int]:
    """Return the indices to draw, in order: all of them when there are few enough."""
    count = len(values)
    if count <= 4 * buckets:
        return list(range(count))
    kept: list[int] = []
    at = values.__getitem__
    for bucket in range(buckets):
        low, high = bucket * count // buckets, (bucket + 1) * count // buckets
        span = range(low, high)
        kept += sorted({low, min(span, key=at), max(span, key=at), high - 1})
    return kept
