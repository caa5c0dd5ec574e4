"""The pollers with the real ccxt and yfinance clients, over HTTP to the fake exchange on 127.0.0.1.

Each test scripts a fault into the fake venue's timeline, polls once (or a few times) and
checks what the poller made of it: which bars, which stall and why, how many requests and
how far apart. Bounds on time are generous on purpose: how fast is the benchmarks' job.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from email.utils import formatdate
from pathlib import Path

import pytest

from fake_exchange import FakeExchange, Fault
from logos.core.symbols import SymbolSpec
from logos.feeds.ccxt_poller import CcxtPoller
from logos.feeds.errors import FetchInterrupted
from logos.feeds.polling import CLOSE_GRACE_S
from logos.feeds.retry import RetryPolicy
from logos.feeds.worker import Waits
from logos.feeds.yfinance_poller import YFinancePoller
from polled_sessions import LOOPBACK_ONLY

pytestmark = pytest.mark.allow_hosts(LOOPBACK_ONLY)

BTC = SymbolSpec("BTC/USDT", "crypto", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001"), Decimal("5"), Decimal("1000000"), Decimal("0.00000001"))
AAPL = SymbolSpec("AAPL", "equity", Decimal("0.01"), Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1000000"), Decimal("0.01"))
SPY = AAPL._replace(symbol="SPY")
QUICK = RetryPolicy(attempts=4, base_s=0.05, max_s=0.2)
BAN_BODY = '{"code":-1003,"msg":"Way too many requests; IP(127.0.0.1) banned until 1999999999000."}'
YAHOO_ERROR = '{"chart":{"result":null,"error":{"code":"Internal Server Error","description":"Backend error"}}}'


@pytest.fixture
def fx():
    with FakeExchange() as venue:
        yield venue


def ccxt_poller(fx: FakeExchange, tmp_path: Path, *, interval: str = "1s", retry: RetryPolicy = QUICK, timeout_s: float = 2.0, **options) -> CcxtPoller:
    seconds = {"1s": 1, "1m": 60}[interval]
    return CcxtPoller(
        {"BTC/USDT": BTC}, tmp_path / "cache", seed=1, exchange_id="binance", base_url=fx.url, interval=interval,
        interval_s=seconds, retry=retry, timeout_s=timeout_s, limit=30, **options,
    )


def yf_poller(fx: FakeExchange, tmp_path: Path, specs=None, *, retry: RetryPolicy = QUICK, timeout_s: float = 2.0) -> YFinancePoller:
    return YFinancePoller(
        specs or {"AAPL": AAPL}, tmp_path / "cache", seed=1, base_url=fx.url, cache_folder=tmp_path / "yf",
        retry=retry, timeout_s=timeout_s,
    )


def assert_final(fx: FakeExchange, bars, interval: str) -> None:
    """Every bar carries the values its candle has once closed: no forming candle was taken."""
    assert bars
    for bar in bars:
        final = fx.final(bar.symbol, bar.ts, interval)
        assert [bar.open, bar.high, bar.low, bar.close] == final[:4], f"{bar.symbol} {bar.ts} was taken while forming"


# --- the venue's clock decides "closed" ----------------------------------------------------


@pytest.mark.parametrize("skew_s", [-5.0, 5.0], ids=["venue-behind", "venue-ahead"])
def test_ccxt_poll_with_skewed_venue_clock_takes_candles_only_once_closed_at_the_venue(fx, tmp_path, skew_s):
    # Arrange: the venue's clock is off ours by five one-second candles
    fx.skew_s = skew_s
    poller = ccxt_poller(fx, tmp_path)
    bars = []

    # Act: poll for a few seconds, as the loop does
    for _ in range(6):
        result = poller.poll({"BTC/USDT": bars[-1].ts} if bars else {})
        bars += result.bars
        time.sleep(0.5)

    # Assert
    assert fx.requests("time"), "the venue's clock was asked for"
    assert_final(fx, bars, "1s")
    venue_now = fx.now()
    assert all(bar.ts + 1 + CLOSE_GRACE_S <= venue_now for bar in bars)
    if skew_s < 0:
        assert fx.forming_closed_locally, "the venue served candles our clock alone would have taken"


def test_yfinance_poll_takes_no_forming_candle_whatever_the_clocks(fx, tmp_path):
    # Arrange: Yahoo tells no time; its newest candle is forming
    fx.skew_s = -20.0
    poller = yf_poller(fx, tmp_path)

    # Act
    result = poller.poll({})

    # Assert
    assert fx.requests("chart", "AAPL")
    assert_final(fx, result.bars, "1m")
    newest_served = int(fx.market_now() // 60) * 60
    assert result.bars[-1].ts == newest_served - 60
    assert result.stalled == []


# --- rate limits and bans: ccxt --------------------------------------------------------------


@pytest.mark.parametrize(("status", "form"), [(429, "seconds"), (503, "http-date")], ids=["429-seconds", "503-http-date"])
def test_ccxt_poll_with_retry_after_waits_as_long_as_the_venue_asks(fx, tmp_path, status, form):
    # Arrange: "2 s from the answer", or "not before this (whole) second"
    poller = ccxt_poller(fx, tmp_path)
    until = int(time.time()) + 3
    header = "2" if form == "seconds" else formatdate(until, usegmt=True)
    fx.add(Fault("klines", status=status, body='{"code":-1003,"msg":"Too many requests"}', headers={"Retry-After": header}))

    # Act
    result = poller.poll({})

    # Assert
    first, second = fx.requests("klines")[:2]
    assert (first.status, second.status) == (status, 200)
    if form == "seconds":
        assert second.at - first.at >= 2.0
    else:
        assert second.at >= until
    assert result.bars and result.stalled == []


@pytest.mark.parametrize(
    ("status", "body"),
    [(418, BAN_BODY), (403, "<html><h1>403 Forbidden</h1>The WAF Limit (Web Application Firewall) has been violated.</html>")],
    ids=["418", "403-ban-page"],
)
def test_ccxt_poll_with_a_ban_stalls_at_once_naming_it_and_never_retries(fx, tmp_path, status, body):
    # Arrange
    fx.add(Fault("klines", status=status, body=body, headers={"Retry-After": "120"}, times=None))
    poller = ccxt_poller(fx, tmp_path)

    # Act
    result = poller.poll({})

    # Assert
    assert len(fx.requests("klines")) == 1
    [stall] = result.stalled
    assert stall.reason.startswith(f"ccxt BTC/USDT: banned by the venue, not retried after 1 attempt: HTTP {status}; it asks to wait 120 s")
    assert result.bars == []


def test_ccxt_poll_with_a_ban_on_the_time_endpoint_stalls_every_symbol(fx, tmp_path):
    fx.add(Fault("time", status=418, body=BAN_BODY, times=None))
    poller = ccxt_poller(fx, tmp_path)

    result = poller.poll({})

    assert len(fx.requests("time")) == 1 and fx.requests("klines") == []
    assert [stall.symbol for stall in result.stalled] == ["BTC/USDT"]
    assert "banned by the venue" in result.stalled[0].reason


def test_ccxt_poll_with_a_plain_403_retries_it_as_an_outage(fx, tmp_path):
    fx.add(Fault("klines", status=403, body="<html>403 Forbidden</html>"))
    poller = ccxt_poller(fx, tmp_path)

    result = poller.poll({})

    assert [r.status for r in fx.requests("klines")] == [403, 200]
    assert result.bars and result.stalled == []


# --- transient failures: ccxt -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault("klines", status=500, body="<html>500 Internal Server Error</html>", times=2),
        Fault("klines", kind="slow", delay_s=5.0),
        Fault("klines", kind="html"),
        Fault("klines", kind="truncated"),
        Fault("exchangeInfo", kind="truncated"),
    ],
    ids=["500-twice", "slower-than-the-timeout", "html-page", "truncated-json", "truncated-markets"],
)
def test_ccxt_poll_with_a_transient_failure_retries_and_gets_the_bars(fx, tmp_path, fault):
    # Arrange
    fx.add(fault)
    poller = ccxt_poller(fx, tmp_path, timeout_s=2.0)

    # Act
    result = poller.poll({})

    # Assert
    assert any(r.fault for r in fx.log), "the fault was served"
    assert result.stalled == []
    assert_final(fx, result.bars, "1s")


def test_ccxt_poll_with_a_failure_that_lasts_gives_up_after_the_attempts(fx, tmp_path):
    fx.add(Fault("klines", status=500, body="<html>500</html>", times=None))
    poller = ccxt_poller(fx, tmp_path, retry=RetryPolicy(attempts=3, base_s=0.05, max_s=0.1))

    result = poller.poll({})

    assert len(fx.requests("klines")) == 3
    [stall] = result.stalled
    assert stall.reason.startswith("ccxt BTC/USDT: gave up after 3 attempts: venue error, HTTP 500: ")


def test_ccxt_poll_with_unknown_symbol_stalls_at_once(fx, tmp_path):
    ghost = BTC._replace(symbol="GHOST/USDT")
    fx.market.prices["GHOST/USDT"] = Decimal(1)
    fx.add(Fault("klines", symbol="GHOST/USDT", status=400, body='{"code":-1121,"msg":"Invalid symbol."}', times=None))
    poller = CcxtPoller({"GHOST/USDT": ghost}, tmp_path, seed=1, exchange_id="binance", base_url=fx.url, interval="1s", interval_s=1, retry=QUICK)

    result = poller.poll({})

    assert len(fx.requests("klines")) == 1
    assert result.stalled[0].reason.startswith("ccxt GHOST/USDT: permanent error, not retried after 1 attempt: BadSymbol: ")


# --- gaps and duplicates -----------------------------------------------------------------------


def test_ccxt_poll_with_missing_and_repeated_candles_counts_them_and_keeps_the_first(fx, tmp_path):
    # Arrange: candles 10 and 20 seconds back are missing; 15 back is served twice
    now = int(fx.now())
    fx.missing = {("BTC/USDT", now - 10), ("BTC/USDT", now - 20)}
    fx.duplicated = {("BTC/USDT", now - 15)}
    poller = ccxt_poller(fx, tmp_path)

    # Act
    result = poller.poll({})

    # Assert
    stamps = [bar.ts for bar in result.bars]
    assert now - 10 not in stamps and now - 20 not in stamps
    assert stamps.count(now - 15) == 1
    assert result.counts["BTC/USDT"] == {"gaps": 2, "duplicates": 1}
    assert_final(fx, result.bars, "1s")


# --- yfinance error classes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault("chart", status=500, body="<html>500 Internal Server Error</html>", times=2),
        Fault("chart", status=500, body=YAHOO_ERROR, times=2),
        Fault("chart", status=502, body="", times=2),
        Fault("chart", kind="truncated"),
        Fault("chart", kind="html"),
        Fault("chart", status=429, body="Too Many Requests", headers={"Retry-After": "1"}, times=2),
        Fault("chart", kind="slow", delay_s=5.0),
    ],
    ids=["500-page", "500-yahoo-json-error", "502-empty", "truncated-json", "not-json", "429", "slower-than-the-timeout"],
)
def test_yfinance_poll_with_a_transient_failure_retries_and_gets_the_bars(fx, tmp_path, fault):
    # Arrange: yfinance retries a >=400 itself once (with its other cookie strategy), so
    # "times=2" is one failed attempt of ours
    fx.add(fault)
    poller = yf_poller(fx, tmp_path, timeout_s=2.0)

    # Act
    result = poller.poll({})

    # Assert
    assert any(r.fault for r in fx.log), "the fault was served"
    assert result.stalled == [], result.stalled
    assert_final(fx, result.bars, "1m")


def test_yfinance_poll_with_unknown_symbol_is_the_one_permanent_error(fx, tmp_path):
    poller = yf_poller(fx, tmp_path, {"SPY": SPY})

    result = poller.poll({})

    assert fx.requests("chart", None), "the chart API was asked"
    [stall] = result.stalled
    assert stall.reason.startswith("yfinance SPY: permanent error, not retried after 1 attempt: Yahoo has no symbol SPY")


def test_yfinance_poll_with_a_failure_that_lasts_gives_up_after_the_attempts(fx, tmp_path):
    fx.add(Fault("chart", status=500, body=YAHOO_ERROR, times=None))
    poller = yf_poller(fx, tmp_path, retry=RetryPolicy(attempts=2, base_s=0.05, max_s=0.1))

    result = poller.poll({})

    [stall] = result.stalled
    assert stall.reason.startswith("yfinance AAPL: gave up after 2 attempts: venue error, HTTP 500: ")


# --- no wait outlasts a stop -----------------------------------------------------------------------


def test_poll_with_a_hanging_venue_is_abandoned_when_the_session_must_stop(fx, tmp_path):
    # Arrange: every answer takes 30 s; the stop comes 0.3 s into the poll
    fx.delay_all_s = 30.0
    stop = threading.Event()
    poller = ccxt_poller(fx, tmp_path, timeout_s=60.0, waits=Waits(stop.is_set))
    threading.Timer(0.3, stop.set).start()
    started = time.monotonic()

    # Act / Assert
    with pytest.raises(FetchInterrupted):
        poller.poll({})
    assert time.monotonic() - started < 10.0, "the poll sat out the hanging request"
    assert fx.requests("time"), "a request was in flight"


def test_poll_with_a_retry_after_longer_than_the_session_has_is_cut_short_by_the_stop(fx, tmp_path):
    fx.add(Fault("klines", status=429, body="{}", headers={"Retry-After": "60"}))
    stop = threading.Event()
    poller = ccxt_poller(fx, tmp_path, waits=Waits(stop.is_set))
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()

    with pytest.raises(FetchInterrupted):
        poller.poll({})
    assert time.monotonic() - started < 10.0
    assert len(fx.requests("klines")) == 1
