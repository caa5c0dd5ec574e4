"""Downsampling for drawing keeps every bucket's extremes and ends, in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logos.report.downsample import keep
from logos.report.gaps import GAP_BARS, MAX_GAPS, closures

values = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), max_size=400)


@given(values, st.integers(min_value=1, max_value=30))
def test_keep_with_any_series_keeps_each_buckets_first_last_lowest_and_highest(series, buckets) -> None:
    # Act
    kept = keep(series, buckets)

    # Assert
    assert kept == sorted(set(kept)) and all(0 <= i < len(series) for i in kept)
    if len(series) <= 4 * buckets:
        assert kept == list(range(len(series)))
        return
    assert len(kept) <= 4 * buckets
    assert {0, len(series) - 1} <= set(kept)
    for bucket in range(buckets):  # buckets of consecutive points, as even as whole points allow
        low, high = bucket * len(series) // buckets, (bucket + 1) * len(series) // buckets
        inside = [i for i in kept if low <= i < high]
        stretch = series[low:high]
        assert {low, high - 1} <= set(inside)
        assert min(series[i] for i in inside) == min(stretch)
        assert max(series[i] for i in inside) == max(stretch)
    assert max(series[i] for i in kept) == max(series) and min(series[i] for i in kept) == min(series)


@given(st.lists(st.integers(min_value=1, max_value=200), max_size=60))
def test_closures_with_any_bar_times_cut_each_long_silence_only(steps) -> None:
    # Arrange: bar close times a whole number of one-minute bars apart
    times, at = [], 1_760_000_000
    for step in steps:
        at += 60 * step
        times.append(at)

    # Act
    gaps = closures(times, 60)

    # Assert: no bar (open to close) falls inside a cut, and every long silence is cut
    assert all(not (start < close and close - 60 < end) for start, end in gaps for close in times)
    silences = [(a, b) for a, b in zip(times, times[1:]) if b - a > GAP_BARS * 60]
    if len(silences) <= MAX_GAPS:
        assert all(any(start <= a and b - 60 <= end for start, end in gaps) for a, b in silences)
        assert len(gaps) == len(silences)
    else:
        assert gaps == []
