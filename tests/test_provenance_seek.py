"""The resume's seek into a cache file: halving a file of rows in time order lands before the row wanted."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from hypothesis import example, given
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


@example(lines=["row", "blank"], torn="", chunk=1)  # a chunk holding only a blank line: the row before stays the last
@given(
    lines=st.lists(st.sampled_from(["row", "blank", "junk"]), max_size=40),
    torn=st.sampled_from(["", "2025-10", "\r"]),
    chunk=st.integers(1, 90),
)
def test_known_rows_with_any_file_and_chunk_size_gives_the_complete_rows_length_crc_and_last_time(tmp_path_factory, lines, torn, chunk):
    # Arrange: rows, blank lines and an unparsable one behind the header, maybe a torn tail
    import zlib

    from logos.feeds.csv_format import parse_ts
    from logos.live import provenance

    text, stamps, ts = "timestamp,open,high,low,close,volume\n", [], T0
    for kind in lines:
        ts += 60
        text += {"row": f"{iso(ts)},1.00,1.00,1.00,1.00,1\n", "blank": "\n", "junk": "x,y\n"}[kind]
    data = (text + torn).encode()
    path: Path = tmp_path_factory.mktemp("cache") / "X_1m.csv"
    path.write_bytes(data)

    # Act: read in chunks smaller than a row, so rows and blank runs straddle them
    with mock.patch.object(provenance, "CHUNK", chunk):
        known, crc, last = provenance._known_rows(path)

    # Assert: the model reads the whole file at once; the last time is the last non-blank row's
    complete = data[: data.rfind(b"\n") + 1]
    final = complete.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode()
    assert known == len(complete)
    assert crc == zlib.crc32(complete)
    assert last == parse_ts(final.split(",", 1)[0])
    if lines and lines[-1] == "row":
        assert last == ts
