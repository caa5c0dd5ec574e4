"""The resume's seek into a cache file: halving a file of rows in time order lands before the row wanted."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from logos.core.timestamps import iso
from logos.live.provenance import _row_start_before

T0 = 1_760_000_000 - 1_760_000_000 % 60


@given(
    gaps=st.lists(st.integers(1, 5), min_size=1, max_size=3000),
    pick=st.integers(0, 10**9),
    start_at=st.integers(0, 10**9),
)
def test_row_start_before_with_any_file_lands_on_a_row_start_before_the_row_stamped_ts(tmp_path_factory, gaps, pick, start_at):
    # Arrange: rows a few minutes apart, in time order, behind the header
    stamps, ts = [], T0
    for gap in gaps:
        ts += 60 * gap
        stamps.append(ts)
    header = "timestamp,open,high,low,close,volume\n"
    rows = [f"{iso(t)},1.00,1.00,1.00,1.00,1\n" for t in stamps]
    path: Path = tmp_path_factory.mktemp("cache") / "X_1m.csv"
    path.write_text(header + "".join(rows))
    starts = [len(header)]
    for row in rows:
        starts.append(starts[-1] + len(row))
    target = stamps[pick % len(stamps)]
    target_start = starts[stamps.index(target)]
    start = starts[start_at % (stamps.index(target) + 1)]  # a row start at or before the target's

    # Act: halve down to a few rows (the real step is a megabyte, more than this whole file)
    with mock.patch("logos.live.provenance.CHUNK", 100):
        found = _row_start_before(path, target, start)

    # Assert: a row's start (or the given start), never past the row wanted
    assert found in starts
    assert start <= found <= target_start
