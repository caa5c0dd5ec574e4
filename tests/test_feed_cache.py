"""CacheFeed: replay order, resume, robustness against torn, repeated and malformed rows."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from logos.core.events import BarClosed
from logos.feeds.cache import CacheFeed
from logos.feeds.csv_format import HEADER, day_start, format_ts
from logos.feeds.errors import FeedError
from logos.paths import bundled_data_dir

CACHE = bundled_data_dir() / "cache"
BUNDLES = {
    "AAPL": "equity",
    "MSFT": "equity",
    "SPY": "equity",
    "BTC/USDT": "crypto",
    "ETH/USDT": "crypto",
    "EUR/USD": "forex",
}
OPEN_1330 = day_start("2025-10-13") + 13 * 3600 + 30 * 60


def write_cache(root: Path, symbol: str, text: str, asset_class: str = "equity") -> Path:
    path = root / asset_class / f"{symbol.replace('/', '-')}_1m.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("ascii", "surrogateescape"))
    return path


def row(minute: int, price: str = "10.00", volume: str = "100") -> str:
    return f"{format_ts(OPEN_1330 + minute * 60)},{price},{price},{price},{price},{volume}\n"


def test_replay_with_bundled_fixtures_merges_in_ts_then_symbol_order():
    # Arrange
    feed = CacheFeed(CACHE, BUNDLES)

    # Act
    bars = list(feed.replay())

    # Assert
    assert len(bars) == 3 * 1950 + 2 * 4320 + 7200
    keys = [(bar.ts, bar.symbol) for bar in bars]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_replay_with_bundled_fixtures_yields_exact_bars_seen_at_close():
    bars = list(CacheFeed(CACHE, {"AAPL": "equity"}).replay())

    first = bars[0]
    assert type(first) is BarClosed
    assert BarClosed._make(first) == first, "the fast constructor must fill every BarClosed field"
    assert first.ts == OPEN_1330
    assert first.seen == first.ts + 60
    assert all(type(value) is Decimal for value in first[2:7])
    assert first.open == Decimal("247.66")
    assert all(bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high for bar in bars)


def test_replay_with_after_skips_bars_up_to_each_symbols_resume_point():
    # Arrange
    feed = CacheFeed(CACHE, {"AAPL": "equity", "SPY": "equity"})
    resume_at = OPEN_1330 + 10 * 60

    # Act
    bars = list(feed.replay(after={"AAPL": resume_at}))

    # Assert
    aapl = [bar for bar in bars if bar.symbol == "AAPL"]
    spy = [bar for bar in bars if bar.symbol == "SPY"]
    assert aapl[0].ts == resume_at + 60
    assert spy[0].ts == OPEN_1330
    report = feed.report()["AAPL"]
    assert report.resumed_skipped == 11
    assert report.rows_read == report.bars_yielded + report.resumed_skipped


def test_replay_with_torntail_fixture_skips_and_counts_the_cut_row():
    feed = CacheFeed(CACHE, {"TORNTAIL": "equity"})

    bars = list(feed.replay())

    report = feed.report()["TORNTAIL"]
    assert len(bars) == 389
    assert (report.rows_read, report.bars_yielded, report.torn_skipped) == (390, 389, 1)
    assert report.last_ts == bars[-1].ts == OPEN_1330 + 388 * 60


def test_replay_with_stalled_fixture_ends_at_1500_while_rangebound_continues():
    bars = list(CacheFeed(CACHE, {"STALLED": "equity", "RANGEBOUND": "equity"}).replay())

    stalled = [bar for bar in bars if bar.symbol == "STALLED"]
    assert stalled[-1].seen == day_start("2025-10-13") + 15 * 3600
    assert bars[-1].symbol == "RANGEBOUND"
    assert bars[-1].ts == OPEN_1330 + 389 * 60


def test_replay_with_missing_file_raises_feed_error_naming_path_and_fix(tmp_path):
    feed = CacheFeed(tmp_path, {"NOPE": "equity"})

    with pytest.raises(FeedError) as caught:
        feed.replay()

    message = str(caught.value)
    assert str(tmp_path / "equity" / "NOPE_1m.csv") in message
    assert "python -m logos.feeds.fixtures" in message
    assert "\n" not in message


def test_feed_with_unknown_asset_class_raises_feed_error(tmp_path):
    with pytest.raises(FeedError, match="asset class 'stocks'"):
        CacheFeed(tmp_path, {"AAPL": "stocks"})


@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("2025-10-13T13:31:00Z,10.00,10.00,10.00\n", "expected 6 comma-separated fields"),
        ("2025-10-13 13:31:00,10.00,10.00,10.00,10.00,100\n", "is not ISO-8601 UTC"),
        ("2025-02-30T13:31:00Z,10.00,10.00,10.00,10.00,100\n", "is not ISO-8601 UTC"),
        ("2025-10-13T25:31:00Z,10.00,10.00,10.00,10.00,100\n", "is not ISO-8601 UTC"),
        ("2025-10-13T13:31:00Z,abc,10.00,10.00,10.00,100\n", "open 'abc' is not a number"),
        ("2025-10-13T13:31:00Z,10.00,NaN,10.00,10.00,100\n", "high 'NaN' is not a number"),
        ("2025-10-13T13:31:00Z,10.00,10.00,Infinity,10.00,100\n", "low 'Infinity' is not a number"),
        ("2025-10-13T13:31:00Z,10.00,10.00,10.00,0.00,100\n", "close is '0.00'; prices must be positive"),
        ("2025-10-13T13:31:00Z,-1,10.00,10.00,10.00,100\n", "open is '-1'; prices must be positive"),
        ("2025-10-13T13:31:00Z,10.00,10.00,10.00,10.00,-5\n", "volume is '-5'; a volume must not be negative"),
        ("9999-12-31T23:59:00Z,10.00,10.00,10.00,10.00,100\n", "timestamp '9999-12-31T23:59:00Z' is outside the years 1970 to 9998"),
        ("1969-12-31T23:59:00Z,10.00,10.00,10.00,10.00,100\n", "is outside the years 1970 to 9998"),
        ("2025-10-13T13:31:00Z,1E+13,10.00,10.00,10.00,100\n", "open '1E+13' is above 1000000000000"),
        ("2025-10-13T13:31:00Z,10.00,1000000000000.01,10.00,10.00,100\n", "high '1000000000000.01' is above 1000000000000"),
        ("2025-10-13T13:31:00Z,10.00,10.00,10.00,10.00,1E+16\n", "volume '1E+16' is above 1000000000000000"),
        ("2025-10-13T13:31:00Z,10.\udc9900,10.00,10.00,10.00,100\n", "open"),
    ],
)
def test_replay_with_malformed_middle_row_raises_feed_error_naming_file_and_line(tmp_path, bad_row, problem):
    # Arrange
    path = write_cache(tmp_path, "BAD", HEADER + row(0) + bad_row + row(2))

    # Act
    with pytest.raises(FeedError) as caught:
        list(CacheFeed(tmp_path, {"BAD": "equity"}).replay())

    # Assert
    message = str(caught.value)
    assert message.startswith(f"{path}:3: ")
    assert problem in message
    assert "\n" not in message


def test_replay_with_wrong_header_raises_feed_error_on_line_1(tmp_path):
    path = write_cache(tmp_path, "BAD", "time,o,h,l,c,v\n" + row(0))

    with pytest.raises(FeedError, match=f"^{path}:1: header is 'time,o,h,l,c,v'"):
        list(CacheFeed(tmp_path, {"BAD": "equity"}).replay())


@pytest.mark.parametrize("text", ["", "timestamp,op", HEADER, HEADER + row(0)[:25]])
def test_replay_with_empty_or_torn_file_yields_no_bar(tmp_path, text):
    write_cache(tmp_path, "NEW", text)

    assert list(CacheFeed(tmp_path, {"NEW": "equity"}).replay()) == []


def test_replay_with_complete_looking_last_row_without_newline_skips_it(tmp_path):
    # "...,1000" cut to "...,100" would parse: only the newline proves the row is whole.
    write_cache(tmp_path, "CUT", HEADER + row(0) + row(1, volume="1000")[:-2])
    feed = CacheFeed(tmp_path, {"CUT": "equity"})

    bars = list(feed.replay())

    assert [bar.ts for bar in bars] == [OPEN_1330]
    assert feed.report()["CUT"].torn_skipped == 1


@pytest.mark.parametrize(
    ("rows", "line", "fragment"),
    [
        ([row(0), row(1, "11.00"), row(1, "99.00"), row(2)], 4, "timestamp 2025-10-13T13:31:00Z repeats the timestamp of line 3"),
        ([row(0), row(2), row(1), row(3)], 4, "timestamp 2025-10-13T13:31:00Z is older than line 3 (2025-10-13T13:32:00Z)"),
        # One far-future row must not drop every row after it: the next row names it.
        ([row(0), "2031-01-01T00:00:00Z,10.00,10.00,10.00,10.00,100\n", row(1)], 4, "is older than line 3 (2031-01-01T00:00:00Z)"),
    ],
)
def test_replay_with_row_not_after_the_one_before_raises_naming_both_lines(tmp_path, rows, line, fragment):
    # Arrange
    path = write_cache(tmp_path, "DUP", HEADER + "".join(rows))

    # Act
    with pytest.raises(FeedError) as caught:
        list(CacheFeed(tmp_path, {"DUP": "equity"}).replay())

    # Assert
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ") and fragment in message and "\n" not in message
    assert message.endswith("fix or delete whichever of the two rows is out of place")


def test_replay_with_file_appended_while_reading_never_yields_a_half_bar(tmp_path):
    # Arrange: a writer appends rows, two in three of them in several partial writes.
    count = 800
    path = write_cache(tmp_path, "LIVE", HEADER)
    rows = [row(minute, f"{10 + minute % 7}.{minute % 100:02d}", str(1000 + minute)) for minute in range(count)]
    written = {text.split(",", 1)[0]: text for text in rows}
    started = threading.Event()

    def writer() -> None:
        with path.open("a", encoding="ascii", newline="\n") as out:
            for index, text in enumerate(rows):
                for piece in [text] if index % 3 == 0 else [text[:7], text[7:33], text[33:]]:
                    out.write(piece)
                    out.flush()
                    time.sleep(0)  # let the reader in between the pieces
                started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()

    # Act: replay again and again while the writer runs
    replays = 0
    while thread.is_alive() or replays == 0:
        feed = CacheFeed(tmp_path, {"LIVE": "equity"})
        bars = list(feed.replay())
        replays += 1

        # Assert: every bar is exactly a row that was written in full
        for bar in bars:
            stamp = format_ts(bar.ts)
            assert f"{stamp},{bar.open},{bar.high},{bar.low},{bar.close},{bar.volume}\n" == written[stamp]
        report = feed.report()["LIVE"]
        assert report.rows_read == report.bars_yielded + report.torn_skipped
    thread.join()
    assert len(list(CacheFeed(tmp_path, {"LIVE": "equity"}).replay())) == count
