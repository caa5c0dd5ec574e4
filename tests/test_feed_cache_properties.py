"""Property tests: random caches with torn tails, repeated and out-of-order rows."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

import pytest

from logos.core.events import BarClosed
from logos.feeds.cache import CacheFeed, _merge
from logos.feeds.csv_format import HEADER, day_start, format_ts
from logos.feeds.errors import FeedError

START = day_start("2025-10-13")
SYMBOLS = ("AAA", "BBB", "CCC")
D1 = Decimal(1)

rows = st.lists(
    st.tuples(
        st.integers(0, 40),  # minute: small range, so repeats and reorderings are common
        st.integers(1, 99999),  # price in cents
        st.integers(0, 10**6),  # volume
    ),
    max_size=40,
)
files = st.dictionaries(
    st.sampled_from(SYMBOLS),
    st.tuples(rows, st.one_of(st.none(), st.integers(1, 80))),  # rows, torn tail length
    min_size=1,
)
afters = st.dictionaries(st.sampled_from(SYMBOLS), st.integers(-1, 41).map(lambda m: START + m * 60))


def render_row(minute: int, cents: int, volume: int) -> str:
    price = f"{cents // 100}.{cents % 100:02d}"
    return f"{format_ts(START + minute * 60)},{price},{price},{price},{price},{volume}\n"


def write_files(root: Path, spec: dict) -> None:
    for symbol, (symbol_rows, torn) in spec.items():
        text = HEADER + "".join(render_row(*r) for r in symbol_rows)
        if torn is not None:
            tail = render_row(41, 12345, 678)
            text += tail[: min(torn, len(tail) - 1)]
        path = root / "equity" / f"{symbol}_1m.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def first_out_of_order(spec: dict) -> tuple[str, int] | None:
    """Model: the first (symbol, line) whose timestamp is not after the row before it, by file order."""
    for symbol in sorted(spec):
        minutes = [minute for minute, _, _ in spec[symbol][0]]
        for index in range(1, len(minutes)):
            if minutes[index] <= minutes[index - 1]:
                return symbol, index + 2  # the header is line 1
    return None


def expected_bars(spec: dict, after: dict) -> list[tuple]:
    """Model: every complete row, when each is newer than the one before it."""
    out = []
    for symbol, (symbol_rows, _) in spec.items():
        for minute, cents, volume in symbol_rows:
            ts = START + minute * 60
            if ts > after.get(symbol, START - 10**6):
                out.append((ts, symbol, Decimal(cents) / 100, Decimal(volume)))
    return sorted(out)


@given(spec=files, after=afters)
def test_replay_with_random_caches_is_ordered_repeatable_and_matches_the_complete_rows(spec, after):
    with tempfile.TemporaryDirectory() as folder:
        # Arrange
        root = Path(folder)
        write_files(root, spec)
        feed = CacheFeed(root, {symbol: "equity" for symbol in spec})
        bad = first_out_of_order(spec)

        # Act / Assert: a row not after the one before it is an error naming it, wherever it is
        if bad is not None:
            with pytest.raises(FeedError) as caught:
                list(feed.replay(after))
            assert "is older than line" in str(caught.value) or "repeats the timestamp of line" in str(caught.value)
            symbol, line = bad
            if len(spec) == 1:
                assert str(caught.value).startswith(f"{feed.path(symbol)}:{line}: ")
            return
        first = list(feed.replay(after))
        report = feed.report()
        second = list(feed.replay(after))

        assert first == second
        keys = [(bar.ts, bar.symbol) for bar in first]
        assert keys == sorted(set(keys))
        assert [(bar.ts, bar.symbol, bar.close, bar.volume) for bar in first] == expected_bars(spec, after)
        assert all(bar.seen == bar.ts + 60 for bar in first)
        for symbol, (symbol_rows, torn) in spec.items():
            counts = report[symbol]
            assert counts.rows_read == len(symbol_rows) + (torn is not None)
            assert counts.torn_skipped == (torn is not None)
            assert counts.rows_read == counts.bars_yielded + counts.torn_skipped + counts.resumed_skipped
            assert counts.bars_yielded == sum(1 for bar in first if bar.symbol == symbol)


streams_of_times = st.lists(st.lists(st.integers(0, 60), max_size=30).map(lambda ts: sorted(set(ts))), min_size=2, max_size=6)


@given(times=streams_of_times, budget=st.integers(1, 40))
def test_block_merge_hands_out_every_bar_once_in_time_then_symbol_order_whatever_the_budget(times, budget):
    # Arrange: stream k is symbol S<k> (streams come in symbol order), with its own sparse or dense times
    streams = [
        [BarClosed(f"S{k}", START + 60 * m, D1, D1, D1, D1, D1, START + 60 * m + 60) for m in minutes]
        for k, minutes in enumerate(times)
    ]
    pulled = [0] * len(streams)

    def counted(k):
        for bar in streams[k]:
            pulled[k] += 1
            yield bar

    # Act
    merged = _merge([counted(k) for k in range(len(streams))], budget)
    first = next(merged, None)
    ahead = sum(pulled)
    rest = list(merged)

    # Assert: the (ts, symbol) order of a sort, nothing lost or repeated, and reading ahead bounded
    out = ([first] if first is not None else []) + rest
    assert [(b.ts, b.symbol) for b in out] == sorted((b.ts, b.symbol) for s in streams for b in s)
    assert ahead <= len(streams) * max(1, budget // len(streams))


# Texts of one price written with different places, so a field parsed from memory must
# keep the places its own text has, not those of an equal value seen before.
price_texts = st.sampled_from(["1", "1.0", "1.00", "2.5", "2.50", "0.1", "0.10", "7", "7.000", "12.25"])
volume_texts = st.sampled_from(["0", "0.0", "3", "3.00", "10"])
field_rows = st.lists(st.tuples(price_texts, price_texts, price_texts, price_texts, volume_texts), max_size=30)


@given(files=st.tuples(field_rows, field_rows), known=st.integers(1, 12))
def test_each_field_reads_as_its_own_text_parsed_however_full_the_parsed_texts_are(files, known):
    # Arrange: two symbols' rows, each field one of a few texts; the replay's memory of
    # parsed texts, shared by both files, small enough to fill and be cleared within them
    with tempfile.TemporaryDirectory() as folder, mock.patch("logos.feeds.cache.KNOWN_TEXTS", known):
        root = Path(folder)
        for symbol, rows_of in zip(("AAA", "BBB"), files, strict=True):
            lines = [f"{format_ts(START + 60 * i)},{','.join(fields)}\n" for i, fields in enumerate(rows_of)]
            path = root / "equity" / f"{symbol}_1m.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(HEADER + "".join(lines))

        # Act
        bars = list(CacheFeed(root, {"AAA": "equity", "BBB": "equity"}).replay({}))

    # Assert: value, sign, digits and exponent of every field are a fresh parse of its text
    for symbol, rows_of in zip(("AAA", "BBB"), files, strict=True):
        read = [(bar.open, bar.high, bar.low, bar.close, bar.volume) for bar in bars if bar.symbol == symbol]
        assert len(read) == len(rows_of)
        for values, fields in zip(read, rows_of, strict=True):
            assert [value.as_tuple() for value in values] == [Decimal(text).as_tuple() for text in fields]
