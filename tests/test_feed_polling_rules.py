"""The pollers' shared rules, without a network: closed bars, gaps, duplicates, retries, answers.

What a real client does with a real HTTP answer is tested against the fake exchange
(test_feed_fake_exchange.py); here the rules themselves, as properties where they can be.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from decimal import Decimal
from email.utils import formatdate
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logos.core.symbols import SymbolSpec
from logos.feeds.answers import Answer, answer_of, judge
from logos.feeds.cache import CacheFeed
from logos.feeds.cache_writer import append_bars
from logos.feeds.csv_format import HEADER, day_start
from logos.feeds.errors import FeedError, FetchInterrupted, TransientFetchError, VenueBanned
from logos.feeds.factory import make_feed
from logos.feeds.polling import CLOSE_GRACE_S, BarPoller, RawBar, count_gaps, describe_error, to_bar
from logos.feeds.retry import JitteredBackoff, RetryPolicy, call_with_retry, retry_after_seconds
from logos.feeds.worker import Waits

OPEN = day_start("2025-10-13") + 13 * 3600 + 30 * 60
AAPL = SymbolSpec("AAPL", "equity", Decimal("0.01"), Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1000000"), Decimal("0.01"))


def poller(interval_s: int = 60) -> BarPoller:
    return BarPoller({"AAPL": AAPL}, Path("/nonexistent"), seed=1, interval_s=interval_s)


def row(ts: int, close: float = 1.0) -> RawBar:
    return RawBar(ts, 1.0, 1.0, 1.0, close, 10)


# --- closed, new, first of each ---------------------------------------------------------------

rows_st = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3)), max_size=60)


@given(rows=rows_st, since=st.none() | st.integers(-1, 40), venue=st.none() | st.floats(0, 45 * 60, allow_nan=False))
def test_closed_new_with_any_answer_takes_only_closed_new_bars_once_each_in_time_order(rows, since, venue):
    # Arrange: minute rows (some repeated, in any order), a last bar seen, a venue clock or none
    answer = [row(OPEN + minute * 60, close=version) for minute, version in rows]
    since_ts = None if since is None else OPEN + since * 60
    venue_at = None if venue is None else OPEN + venue

    # Act
    taken, counts = poller()._closed_new(answer, since_ts, venue_at)

    # Assert
    stamps = [r.ts for r in taken]
    assert stamps == sorted(set(stamps))
    assert since_ts is None or all(ts > since_ts for ts in stamps)
    if venue_at is None:
        newest_open = max((r.ts for r in answer), default=0)
        assert all(ts + 60 <= newest_open for ts in stamps), "a candle with no later one may be forming"
    else:
        assert all(ts + 60 + CLOSE_GRACE_S <= venue_at for ts in stamps)
    eligible = [r for r in answer if r.ts in set(stamps)]
    assert counts["duplicates"] == len(eligible) - len(stamps)
    for r in taken:
        assert r == next(a for a in answer if a.ts == r.ts), "the first of repeated rows is kept"


@given(stamps=st.lists(st.integers(0, 100), unique=True, max_size=30).map(sorted), since=st.none() | st.integers(-5, 0))
def test_count_gaps_counts_each_hole_after_the_last_bar_seen(stamps, since):
    chain = ([since] if since is not None else []) + stamps
    expected = sum(1 for a, b in zip(chain, chain[1:]) if b > a + 1)

    assert count_gaps(stamps, since, 1) == expected


@pytest.mark.parametrize(
    "values",
    [(0.004, 1.0, 1.0, 1.0, 10), (1.0, 1.0, 1.0, 1.0, -1), (None, 1.0, 1.0, 1.0, 10), (1e40, 1.0, 1.0, 1.0, 10), (float("nan"), 1.0, 1.0, 1.0, 1)],
    ids=["price-rounds-to-zero", "negative-volume", "missing", "too-large", "nan"],
)
def test_to_bar_with_unusable_values_returns_none(values):
    assert to_bar(AAPL, RawBar(OPEN, *values), OPEN) is None


def test_to_bar_with_floats_gives_the_shortest_exact_decimals_at_the_symbols_precision():
    bar = to_bar(AAPL, RawBar(OPEN, 247.5 + 1e-9, 247.755, 247.25, 247.51, 1000.4), OPEN + 90)

    assert bar is not None
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume, bar.seen) == (
        Decimal("247.50"), Decimal("247.76"), Decimal("247.25"), Decimal("247.51"), Decimal("1000"), OPEN + 90
    )


# --- retries and Retry-After ---------------------------------------------------------------------


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def failing(*errors: BaseException, result: object = "ok"):
    script = list(errors)

    def fetch() -> object:
        if script:
            raise script.pop(0)
        return result

    return fetch


def retry(fetch, policy: RetryPolicy, seed: int = 1, sleeps: Sleeps | None = None):
    return call_with_retry(fetch, policy=policy, backoff=JitteredBackoff(policy, random.Random(seed)), sleep=sleeps if sleeps is not None else Sleeps())


def test_retry_with_transient_errors_backs_off_growing_jittered_then_succeeds():
    policy = RetryPolicy(attempts=4, base_s=1.0, max_s=30.0)
    sleeps = Sleeps()

    result, error, attempts = retry(failing(*[TransientFetchError("down")] * 3), policy, seed=42, sleeps=sleeps)

    assert (result, error, attempts) == ("ok", None, 4)
    for attempt, waited in enumerate(sleeps, start=1):
        ceiling = policy.base_s * 2 ** (attempt - 1)
        assert ceiling / 2 <= waited < ceiling
    assert len({round(w / 2**i, 9) for i, w in enumerate(sleeps)}) > 1, "jitter should vary"


def test_retry_with_same_seed_waits_the_same_and_with_another_differently():
    def waits(seed: int) -> list[float]:
        sleeps = Sleeps()
        retry(failing(*[TransientFetchError("down")] * 4), RetryPolicy(), seed=seed, sleeps=sleeps)
        return list(sleeps)

    assert waits(7) == waits(7) != waits(8)


@given(asked=st.floats(0, 3600, allow_nan=False), base=st.floats(0.01, 5))
def test_retry_with_retry_after_never_waits_less_than_the_venue_asked(asked, base):
    sleeps = Sleeps()

    retry(failing(TransientFetchError("429", retry_after_s=asked)), RetryPolicy(attempts=2, base_s=base, max_s=base), sleeps=sleeps)

    assert len(sleeps) == 1 and sleeps[0] >= asked


def test_retry_with_a_ban_or_a_permanent_error_tries_once():
    for error in (VenueBanned("HTTP 418"), FeedError("no")):
        sleeps = Sleeps()
        result, got, attempts = retry(failing(error), RetryPolicy(), sleeps=sleeps)
        assert (result, got, attempts, sleeps) == (None, error, 1, [])


def test_retry_with_an_interruption_raises_it_instead_of_reporting_a_failure():
    def stop(_seconds: float) -> None:
        raise FetchInterrupted

    with pytest.raises(FetchInterrupted):
        call_with_retry(failing(TransientFetchError("x")), policy=RetryPolicy(), backoff=JitteredBackoff(RetryPolicy(), random.Random(1)), sleep=stop)


def test_retry_after_seconds_reads_both_forms_and_ignores_nonsense():
    now = 1_700_000_000.0

    assert retry_after_seconds("30", now) == 30.0
    assert retry_after_seconds(formatdate(now + 90, usegmt=True), now) == pytest.approx(90.0, abs=1.0)
    assert retry_after_seconds(formatdate(now - 90, usegmt=True), now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


# --- what an answer says ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (418, "{}", VenueBanned),
        (403, "<html>The WAF Limit (Web Application Firewall) has been violated</html>", VenueBanned),
        (403, '{"msg":"IP banned until 1700000000000"}', VenueBanned),
        (403, "<html>403 Forbidden</html>", None),
        (429, "{}", TransientFetchError),
        (503, "{}", TransientFetchError),
        (500, "{}", TransientFetchError),
        (404, "{}", None),
        (200, "[]", None),
    ],
)
def test_judge_with_each_status_tells_a_ban_from_a_rate_limit_from_an_outage(status, body, expected):
    judged = judge(answer_of(status, {"Retry-After": "7"}, body), "GET /klines")

    assert (type(judged) if judged is not None else None) is expected
    if expected is VenueBanned:
        assert str(judged).startswith(f"HTTP {status}; it asks to wait 7 s (Retry-After)")
    if status == 429:
        assert judged.retry_after_s == 7.0


@pytest.mark.parametrize(("body", "whole"), [("[[1,2]]", True), (' {"a": 1}\n', True), ("[[1,\"2", False), ("[[1,2],[3,4]", False), ("<html></html>", False), ("", False)])
def test_answer_of_marks_bodies_that_are_not_whole_json(body, whole):
    assert answer_of(200, {}, body).whole_json is whole
    assert isinstance(answer_of(200, {}, body), Answer)


def test_describe_error_with_secrets_in_the_message_leaves_them_out():
    error = ConnectionError("GET https://api.example.com/klines?apiKey=SECRET123&signature=abc failed; apiKey=SECRET123")

    assert describe_error(error) == "ConnectionError: GET https://api.example.com/klines?... failed; apiKey=***"


# --- waits -----------------------------------------------------------------------------------------


def test_waits_call_returns_the_result_or_raises_the_error_of_the_helper_thread():
    waits = Waits()

    assert waits.call(lambda: 42, 5.0) == 42
    with pytest.raises(KeyError):
        waits.call(failing(KeyError("x")), 5.0)


def test_waits_call_that_outlives_its_deadline_is_a_transient_timeout():
    with pytest.raises(TransientFetchError, match=r"no answer within 0.2 s"):
        Waits().call(lambda: time.sleep(5), 0.2)


def test_waits_sleep_ends_with_an_interruption_once_the_session_must_stop():
    stops = iter([False, False, True])

    with pytest.raises(FetchInterrupted):
        Waits(lambda: next(stops), step_s=0.001).sleep(60)


# --- factory and imports ---------------------------------------------------------------------------


def test_make_feed_with_each_kind_builds_the_matching_feed(tmp_path):
    from logos.feeds.ccxt_poller import CcxtPoller
    from logos.feeds.yfinance_poller import YFinancePoller

    btc = AAPL._replace(symbol="BTC/USDT", asset_class="crypto")
    cache = make_feed("cache", cache_dir=tmp_path, specs={"AAPL": AAPL}, seed=1, interval="5m", interval_s=300)
    yahoo = make_feed("yfinance", cache_dir=tmp_path, specs={"AAPL": AAPL}, seed=1, cache_folder=tmp_path / "yf")
    ccxt = make_feed("ccxt", cache_dir=tmp_path, specs={"BTC/USDT": btc}, seed=1, interval="1s", interval_s=1, base_url="http://127.0.0.1:9")

    assert isinstance(cache, CacheFeed) and cache.path("AAPL").name == "AAPL_5m.csv"
    assert isinstance(yahoo, YFinancePoller) and yahoo.period == "1d"
    assert isinstance(ccxt, CcxtPoller) and ccxt.venue_clock
    assert ccxt.exchange.urls["api"]["public"] == "http://127.0.0.1:9/api/v3"


def test_make_feed_with_unknown_kind_raises_feed_error_listing_the_kinds(tmp_path):
    with pytest.raises(FeedError, match=r"^unknown feed 'csv'; use --feed cache, yfinance or ccxt$"):
        make_feed("csv", cache_dir=tmp_path, specs={}, seed=1)


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("ccxt", {"exchange_id": "nowhere"}, "unknown ccxt exchange 'nowhere'"),
        ("yfinance", {"interval": "1s", "interval_s": 1, "cache_folder": Path("/nonexistent")}, "Yahoo has no 1s bars; use --interval one of 1m, 5m"),
        ("ccxt", {"interval": "2h", "interval_s": 7200, "exchange_id": "kraken"}, "kraken has no 2h candles"),
    ],
)
def test_make_feed_with_what_the_venue_cannot_serve_raises_feed_error(tmp_path, kind, options, message):
    with pytest.raises(FeedError, match=message):
        make_feed(kind, cache_dir=tmp_path, specs={"AAPL": AAPL}, seed=1, **options)


def test_cache_replay_with_fresh_interpreter_imports_no_network_library():
    code = (
        "import sys\n"
        "from logos.feeds import make_feed\n"
        "from logos.paths import bundled_data_dir\n"
        "from logos.core.symbols import SymbolSpec\n"
        "from decimal import Decimal as D\n"
        "spec = SymbolSpec('AAPL', 'equity', D('0.01'), D(1), D(1), D(1), D(1), D('0.01'))\n"
        "feed = make_feed('cache', cache_dir=bundled_data_dir() / 'cache', specs={'AAPL': spec}, seed=1)\n"
        "assert sum(1 for _ in feed.replay()) == 1950\n"
        "print(sorted(m for m in ('yfinance', 'ccxt', 'pandas', 'tenacity', 'curl_cffi') if m in sys.modules))\n"
    )

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent)

    assert out.stdout.strip() == "[]"


# --- write-through ---------------------------------------------------------------------------------


def test_append_bars_with_torn_tail_from_another_writer_drops_it_and_stays_valid(tmp_path):
    # Arrange
    path = tmp_path / "equity" / "AAPL_1m.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + "2025-10-13T13:30:00Z,1.00,1.00,1.00,1.00,5\n2025-10-13T13:31:00Z,1.0")
    bars = [to_bar(AAPL, row(OPEN + m * 60), OPEN + 300) for m in range(3)]

    # Act
    added = append_bars(path, bars)

    # Assert
    assert added == 2
    replayed = list(CacheFeed(tmp_path, {"AAPL": "equity"}).replay())
    assert [bar.ts for bar in replayed] == [OPEN, OPEN + 60, OPEN + 120]
    assert replayed[0].close == Decimal("1.00")
    assert append_bars(path, bars) == 0


def test_append_bars_with_foreign_file_raises_feed_error_naming_it(tmp_path):
    path = tmp_path / "AAPL_1m.csv"
    path.write_text("date,price\n")

    with pytest.raises(FeedError, match="does not start with"):
        append_bars(path, [])
