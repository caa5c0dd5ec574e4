"""Pollers: stand-ins replace yfinance and ccxt; nothing here may reach the network."""

from __future__ import annotations

import socket
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from ccxt.base.errors import AuthenticationError, BadSymbol, DDoSProtection, NetworkError, RateLimitExceeded

from logos.core.events import FeedStalled
from logos.core.symbols import SymbolSpec
from logos.feeds import yfinance_poller
from logos.feeds.cache import CacheFeed
from logos.feeds.cache_writer import append_bars
from logos.feeds.ccxt_poller import CcxtPoller
from logos.feeds.csv_format import HEADER, day_start
from logos.feeds.errors import FeedError, PermanentFetchError, TransientFetchError
from logos.feeds.factory import make_feed
from logos.feeds.polling import RawBar, to_bar
from logos.feeds.retry import RetryPolicy
from logos.feeds.yfinance_poller import YFinancePoller, yahoo_ticker

REAL_YFINANCE_HISTORY = yfinance_poller.yfinance_history
OPEN_1330 = day_start("2025-10-13") + 13 * 3600 + 30 * 60
NOW = OPEN_1330 + 5 * 60 + 30  # 13:35:30Z: the 13:35 bar is still forming
AAPL = SymbolSpec("AAPL", "equity", Decimal("0.01"), Decimal("1"), Decimal("1"), Decimal("1"), Decimal("1000000"), Decimal("0.01"))
BTC = SymbolSpec(
    "BTC/USDT", "crypto", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001"), Decimal("5"), Decimal("1000000"), Decimal("0.00000001")
)
EURUSD = SymbolSpec("EUR/USD", "forex", Decimal("0.00001"), Decimal("1"), Decimal("1000"), Decimal("1000"), Decimal("10000000"), Decimal("0.01"))
FAST_RETRY = RetryPolicy(attempts=4, base_s=1.0, max_s=30.0)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Record any socket a test opens, and make the real yfinance call impossible."""
    opened: list[tuple] = []

    class RecordingSocket:
        def __init__(self, *args, **kwargs):
            opened.append(args)
            raise RuntimeError("a test tried to open a socket")

    def refuse_yfinance(*args, **kwargs):
        raise AssertionError("the real yfinance download ran in a test")

    monkeypatch.setattr(socket, "socket", RecordingSocket)
    monkeypatch.setattr(socket, "create_connection", RecordingSocket)
    monkeypatch.setattr(yfinance_poller, "yfinance_history", refuse_yfinance)
    yield
    assert opened == []


class Sleeps(list):
    """Sleep stand-in: remembers each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeDownload:
    """Stand-in for the yfinance download seam: plays a script of frames and errors."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls: list[tuple] = []

    def __call__(self, ticker, *, period, interval):
        self.calls.append((ticker, period, interval))
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


class FakeExchange:
    """Stand-in for a ccxt exchange: plays a script of candle lists and errors."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls: list[tuple] = []

    def fetch_ohlcv(self, symbol, timeframe="1m", since=None, limit=None, params=None):
        self.calls.append((symbol, timeframe, since, limit))
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item


def yahoo_frame(minutes: range, nan_at: int | None = None) -> pd.DataFrame:
    """Return bars like Ticker.history: float prices, New York time index."""
    index = pd.to_datetime([OPEN_1330 + m * 60 for m in minutes], unit="s", utc=True).tz_convert("America/New_York")
    rows = [[247.5 + m * 0.01 + 1e-9, 247.75 + m * 0.01, 247.25, 247.5 + m * 0.01, 1000.0 + m] for m in minutes]
    frame = pd.DataFrame(rows, index=index, columns=["Open", "High", "Low", "Close", "Volume"])
    if nan_at is not None:
        frame.iloc[nan_at] = float("nan")
    return frame


def candles(minutes: range) -> list[list]:
    return [[(OPEN_1330 + m * 60) * 1000, 115000.5 + m, 115010.25, 114990.125, 115001.0 + m, 1.234567] for m in minutes]


# --- yfinance -------------------------------------------------------------------------------


def test_yfinance_poll_with_stand_in_returns_only_closed_new_bars_as_exact_decimals(tmp_path):
    # Arrange: bars 13:30..13:35; the session saw 13:30; 13:35 is still forming at NOW
    download = FakeDownload(yahoo_frame(range(6)))
    poller = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=1, download=download, sleep=Sleeps())

    # Act
    result = poller.poll({"AAPL": OPEN_1330}, NOW)

    # Assert
    assert download.calls == [("AAPL", "1d", "1m")]
    assert [bar.ts for bar in result.bars] == [OPEN_1330 + m * 60 for m in range(1, 5)]
    first = result.bars[0]
    assert (first.open, first.high, first.low, first.close, first.volume) == (
        Decimal("247.51"), Decimal("247.76"), Decimal("247.25"), Decimal("247.51"), Decimal("1001")
    )
    assert all(bar.seen == NOW for bar in result.bars)
    assert result.stalled == []


def test_yfinance_poll_with_nan_row_skips_it(tmp_path):
    poller = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=1, download=FakeDownload(yahoo_frame(range(5), nan_at=2)))

    result = poller.poll({}, NOW)

    assert [(bar.ts - OPEN_1330) // 60 for bar in result.bars] == [0, 1, 3, 4]


@pytest.mark.parametrize(
    "values",
    [(0.004, 1.0, 1.0, 1.0, 10), (1.0, 1.0, 1.0, 1.0, -1), (None, 1.0, 1.0, 1.0, 10), (1e40, 1.0, 1.0, 1.0, 10)],
    ids=["price-rounds-to-zero", "negative-volume", "missing", "too-large"],
)
def test_to_bar_with_unusable_values_returns_none(values):
    assert to_bar(AAPL, RawBar(OPEN_1330, *values), NOW) is None


def test_yfinance_poll_with_forex_symbol_asks_yahoo_for_its_x_ticker(tmp_path):
    download = FakeDownload(yahoo_frame(range(0)))
    poller = YFinancePoller({"EUR/USD": EURUSD}, tmp_path, seed=1, download=download)

    poller.poll({}, NOW)

    assert download.calls == [("EURUSD=X", "1d", "1m")]
    assert yahoo_ticker("BTC/USDT", "crypto") == "BTC-USDT"


def test_yfinance_poll_with_connection_errors_backs_off_growing_jittered_then_succeeds(tmp_path):
    # Arrange
    sleeps = Sleeps()
    errors = [ConnectionError("connection reset"), TimeoutError("read timed out"), TransientFetchError("rate limit")]
    download = FakeDownload(*errors, yahoo_frame(range(3)))
    poller = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=42, download=download, retry=FAST_RETRY, sleep=sleeps)

    # Act
    result = poller.poll({}, NOW)

    # Assert
    assert len(download.calls) == 4
    assert len(result.bars) == 3 and result.stalled == []
    assert len(sleeps) == 3
    for attempt, waited in enumerate(sleeps, start=1):
        ceiling = FAST_RETRY.base_s * 2 ** (attempt - 1)
        assert ceiling / 2 <= waited < ceiling
    assert sleeps == sorted(sleeps)
    assert len({round(waited / (2 ** i), 9) for i, waited in enumerate(sleeps)}) > 1, "jitter should vary"


def test_yfinance_retry_with_same_seed_waits_the_same_and_with_other_seed_differently(tmp_path):
    def waits(seed: int) -> list[float]:
        sleeps = Sleeps()
        download = FakeDownload(*[ConnectionError("down")] * 4)
        YFinancePoller({"AAPL": AAPL}, tmp_path, seed=seed, download=download, retry=FAST_RETRY, sleep=sleeps).poll(
            {}, NOW
        )
        return list(sleeps)

    assert waits(7) == waits(7)
    assert waits(7) != waits(8)


def test_yfinance_retry_with_cap_never_waits_longer_than_max(tmp_path):
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=6, base_s=2.0, max_s=5.0)
    download = FakeDownload(*[ConnectionError("down")] * 6)

    YFinancePoller({"AAPL": AAPL}, tmp_path, seed=3, download=download, retry=policy, sleep=sleeps).poll({}, NOW)

    assert len(sleeps) == 5
    assert all(waited < 5.0 for waited in sleeps)
    assert all(waited >= 2.5 for waited in sleeps[2:])


def test_yfinance_poll_with_errors_after_all_retries_ends_in_one_line_feed_stalled(tmp_path):
    # Arrange
    sleeps = Sleeps()
    download = FakeDownload(*[ConnectionError("Failed to perform, curl: (6) Could not resolve host\ndetails")] * 4)
    poller = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=1, download=download, retry=FAST_RETRY, sleep=sleeps)

    # Act
    result = poller.poll({"AAPL": OPEN_1330}, NOW)

    # Assert
    assert result.bars == []
    assert len(download.calls) == 4 and len(sleeps) == 3
    [stall] = result.stalled
    assert isinstance(stall, FeedStalled)
    assert (stall.ts, stall.symbol) == (NOW, "AAPL")
    assert stall.reason == (
        "yfinance AAPL: gave up after 4 attempts: ConnectionError: Failed to perform, curl: (6) Could not resolve host"
    )
    assert not (tmp_path / "equity" / "AAPL_1m.csv").exists()


def test_yfinance_poll_with_permanent_error_stalls_at_once_without_retry(tmp_path):
    sleeps = Sleeps()
    download = FakeDownload(PermanentFetchError("Yahoo has no data for ZZZZ: possibly delisted; check the symbol"))
    poller = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=1, download=download, retry=FAST_RETRY, sleep=sleeps)

    result = poller.poll({}, NOW)

    assert len(download.calls) == 1 and sleeps == []
    assert result.stalled[0].reason.startswith("yfinance AAPL: permanent error, not retried after 1 attempt: ")


def test_yfinance_history_with_fake_library_passes_the_real_arguments_and_translates_errors(monkeypatch):
    # Arrange: a fake yfinance package, so the real one is neither imported nor run
    calls = []

    class YFRateLimitError(Exception):
        pass

    class YFTickerMissingError(Exception):
        pass

    outcomes = [pd.DataFrame(), YFRateLimitError("Too Many Requests"), YFTickerMissingError("$ZZZZ: possibly delisted")]

    class Ticker:
        def __init__(self, ticker):
            self.ticker = ticker

        def history(self, **kwargs):
            calls.append((self.ticker, kwargs))
            outcome = outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    fake = types.ModuleType("yfinance")
    fake.Ticker = Ticker
    fake_exceptions = types.ModuleType("yfinance.exceptions")
    fake_exceptions.YFRateLimitError = YFRateLimitError
    fake_exceptions.YFTickerMissingError = YFTickerMissingError
    monkeypatch.setitem(sys.modules, "yfinance", fake)
    monkeypatch.setitem(sys.modules, "yfinance.exceptions", fake_exceptions)

    # Act / Assert
    assert REAL_YFINANCE_HISTORY("AAPL", period="1d", interval="1m").empty
    assert calls[0] == (
        "AAPL",
        {"period": "1d", "interval": "1m", "prepost": False, "actions": False, "auto_adjust": False, "raise_errors": True},
    )
    with pytest.raises(TransientFetchError, match="rate limit"):
        REAL_YFINANCE_HISTORY("AAPL", period="1d", interval="1m")
    with pytest.raises(PermanentFetchError, match="check the symbol"):
        REAL_YFINANCE_HISTORY("ZZZZ", period="1d", interval="1m")


# --- write-through and freshness -----------------------------------------------------------


def test_yfinance_poll_with_write_through_leaves_a_cache_file_cachefeed_replays(tmp_path):
    # Arrange
    download = FakeDownload(yahoo_frame(range(3)), yahoo_frame(range(6)))
    poller = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=1, download=download)

    # Act: two polls, the second overlapping the first
    first = poller.poll({}, OPEN_1330 + 3 * 60)
    second = poller.poll({"AAPL": first.bars[-1].ts}, NOW)

    # Assert
    replayed = list(CacheFeed(tmp_path, {"AAPL": "equity"}).replay())
    polled = first.bars + second.bars
    assert [bar[:7] for bar in replayed] == [bar[:7] for bar in polled]
    assert len(replayed) == 5
    text = (tmp_path / "equity" / "AAPL_1m.csv").read_text()
    assert text.startswith(HEADER) and text.endswith("\n")
    assert [p.name for p in (tmp_path / "equity").iterdir()] == ["AAPL_1m.csv"], "no temp file left behind"


def test_append_bars_with_torn_tail_from_another_writer_drops_it_and_stays_valid(tmp_path):
    # Arrange
    path = tmp_path / "equity" / "AAPL_1m.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + "2025-10-13T13:30:00Z,1.00,1.00,1.00,1.00,5\n2025-10-13T13:31:00Z,1.0")
    bars = YFinancePoller({"AAPL": AAPL}, tmp_path, seed=1, download=FakeDownload(yahoo_frame(range(3)))).poll(
        {}, NOW
    ).bars

    # Act: the poll above already wrote through; writing the same bars again adds nothing
    added_again = append_bars(path, bars)

    # Assert
    assert added_again == 0
    replayed = list(CacheFeed(tmp_path, {"AAPL": "equity"}).replay())
    assert [bar.ts for bar in replayed] == [OPEN_1330, OPEN_1330 + 60, OPEN_1330 + 120]
    assert replayed[0].close == Decimal("1.00")


def test_append_bars_with_foreign_file_raises_feed_error_naming_it(tmp_path):
    path = tmp_path / "AAPL_1m.csv"
    path.write_text("date,price\n")

    with pytest.raises(FeedError, match="does not start with"):
        append_bars(path, [])


def test_poll_with_bars_and_stalls_reports_freshness_per_symbol(tmp_path):
    # Arrange: AAPL answers up to 13:34; MSFT fails and last saw 13:31
    def download(ticker, *, period, interval):
        if ticker == "MSFT":
            raise ConnectionError("down")
        return yahoo_frame(range(6))

    specs = {"AAPL": AAPL, "MSFT": AAPL._replace(symbol="MSFT")}
    poller = YFinancePoller(specs, tmp_path, seed=1, download=download, retry=RetryPolicy(attempts=2), sleep=Sleeps())

    # Act
    result = poller.poll({"MSFT": OPEN_1330 + 60}, NOW)

    # Assert
    assert [stall.symbol for stall in result.stalled] == ["MSFT"]
    assert poller.freshness() == {"AAPL": NOW - (OPEN_1330 + 5 * 60), "MSFT": NOW - (OPEN_1330 + 2 * 60)}


# --- ccxt ------------------------------------------------------------------------------------


def test_ccxt_poll_with_stand_in_calls_fetch_ohlcv_after_the_last_bar_seen(tmp_path):
    # Arrange
    exchange = FakeExchange(candles(range(1, 6)))
    poller = CcxtPoller({"BTC/USDT": BTC}, tmp_path, seed=1, exchange_id="binance", exchange=exchange)

    # Act
    result = poller.poll({"BTC/USDT": OPEN_1330}, NOW)

    # Assert
    assert exchange.calls == [("BTC/USDT", "1m", (OPEN_1330 + 60) * 1000, 500)]
    assert [bar.ts for bar in result.bars] == [OPEN_1330 + m * 60 for m in range(1, 5)]
    bar = result.bars[0]
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
        Decimal("115001.50"), Decimal("115010.25"), Decimal("114990.12"), Decimal("115002.00"), Decimal("1.23457")
    )
    assert (tmp_path / "crypto" / "BTC-USDT_1m.csv").is_file()


def test_ccxt_poll_with_nothing_seen_asks_for_the_latest_limit_bars(tmp_path):
    exchange = FakeExchange([])
    poller = CcxtPoller({"BTC/USDT": BTC}, tmp_path, seed=1, exchange_id="binance", exchange=exchange, limit=100)

    poller.poll({}, NOW)

    assert exchange.calls == [("BTC/USDT", "1m", (NOW - 100 * 60) * 1000, 100)]


@pytest.mark.parametrize(
    "error",
    [NetworkError("binance GET https://api.binance.com/api/v3/klines?symbol=BTCUSDT 502"), RateLimitExceeded("429"), DDoSProtection("418")],
    ids=lambda error: type(error).__name__,
)
def test_ccxt_poll_with_transient_error_retries_then_succeeds(tmp_path, error):
    sleeps = Sleeps()
    exchange = FakeExchange(error, error, candles(range(2)))
    poller = CcxtPoller(
        {"BTC/USDT": BTC}, tmp_path, seed=5, exchange_id="binance", exchange=exchange, retry=FAST_RETRY, sleep=sleeps
    )

    result = poller.poll({}, NOW)

    assert len(exchange.calls) == 3 and len(sleeps) == 2 and sleeps[0] < sleeps[1]
    assert len(result.bars) == 2 and result.stalled == []


@pytest.mark.parametrize(
    "error", [BadSymbol("binance does not have market symbol BTC/XYZ"), AuthenticationError("invalid key")], ids=lambda e: type(e).__name__
)
def test_ccxt_poll_with_permanent_error_stalls_at_once_without_retry(tmp_path, error):
    sleeps = Sleeps()
    exchange = FakeExchange(error)
    poller = CcxtPoller(
        {"BTC/USDT": BTC}, tmp_path, seed=5, exchange_id="binance", exchange=exchange, retry=FAST_RETRY, sleep=sleeps
    )

    result = poller.poll({}, NOW)

    assert len(exchange.calls) == 1 and sleeps == []
    [stall] = result.stalled
    assert stall.reason.startswith(f"ccxt BTC/USDT: permanent error, not retried after 1 attempt: {type(error).__name__}: ")


def test_ccxt_stall_reason_with_secrets_in_the_message_leaves_them_out(tmp_path):
    error = NetworkError("GET https://api.example.com/klines?apiKey=SECRET123&signature=abc failed; apiKey=SECRET123")
    exchange = FakeExchange(*[error] * 2)
    poller = CcxtPoller(
        {"BTC/USDT": BTC}, tmp_path, seed=5, exchange_id="binance", exchange=exchange, retry=RetryPolicy(attempts=2), sleep=Sleeps()
    )

    [stall] = poller.poll({}, NOW).stalled

    assert "SECRET123" not in stall.reason and "abc" not in stall.reason
    assert stall.reason == "ccxt BTC/USDT: gave up after 2 attempts: NetworkError: GET https://api.example.com/klines?... failed; apiKey=***"


# --- factory and imports ---------------------------------------------------------------------


def test_make_feed_with_each_kind_builds_the_matching_feed(tmp_path):
    specs = {"AAPL": AAPL}

    cache = make_feed("cache", cache_dir=tmp_path, specs=specs, seed=1)
    yahoo = make_feed("yfinance", cache_dir=tmp_path, specs=specs, seed=1, download=FakeDownload())
    ccxt = make_feed("ccxt", cache_dir=tmp_path, specs={"BTC/USDT": BTC}, seed=1, exchange=FakeExchange())

    assert isinstance(cache, CacheFeed) and cache.symbols == {"AAPL": "equity"}
    assert isinstance(yahoo, YFinancePoller)
    assert isinstance(ccxt, CcxtPoller) and ccxt.exchange_id == "binance"


def test_make_feed_with_unknown_kind_raises_feed_error_listing_the_kinds(tmp_path):
    with pytest.raises(FeedError, match=r"^unknown feed 'csv'; use --feed cache, yfinance or ccxt$"):
        make_feed("csv", cache_dir=tmp_path, specs={}, seed=1)


def test_ccxt_poller_with_unknown_exchange_id_raises_feed_error(tmp_path):
    with pytest.raises(FeedError, match="unknown ccxt exchange 'nowhere'"):
        CcxtPoller({"BTC/USDT": BTC}, tmp_path, seed=1, exchange_id="nowhere")


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
