"""Poll Yahoo Finance bars through ``yfinance``'s ``Ticker.history``.

``yfinance`` costs about a second to import and is imported only when a poll fetches. It
reaches Yahoo through the ``YahooSession`` (``yahoo_session``), which caps every request's
timeout, records every answer for judging a failure, and, with ``base_url``, sends every
request to that URL instead of Yahoo's hosts (a mirror, or the tests' fake exchange).
yfinance's own caches (time zones, cookies) live under the home, in ``cache_folder``.

Error classes: a ban is never retried; a rate limit, a 5xx, a timeout, or a truncated or
non-JSON body is retried with the same policy as ccxt; only Yahoo saying it has no such
symbol is permanent.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from logos.core.symbols import SymbolSpec
from logos.feeds.answers import AnswerLog, judge
from logos.feeds.errors import FeedError, PermanentFetchError, TransientFetchError
from logos.feeds.polling import BarPoller, Fetched, RawBar, describe_error

# How much history one poll asks for, per bar interval Yahoo serves: enough for the
# strategies' windows at the start, small enough to fetch on every poll.
YAHOO_PERIODS = {"1m": "1d", "5m": "5d", "15m": "1mo", "30m": "1mo", "1h": "3mo", "1d": "1y"}
# Yahoo's chart and quote APIs say this (with a 404) for a symbol they do not know.
_SYMBOL_APIS = ("/v8/finance/chart/", "/v10/finance/quoteSummary/", "/v7/finance/quote")
_UNKNOWN_SYMBOL = ('"Not Found"', "No data found", "symbol may be delisted", "Quote not found")
# yfinance opens its caches once per process, so the first session's home keeps them (a
# process runs one session; the tests' in-process polls share the first folder).
_cache_folder: list[str] = []


def yahoo_ticker(symbol: str, asset_class: str) -> str:
    """Return Yahoo's name for a symbol: EUR/USD -> EURUSD=X, BTC/USDT -> BTC-USDT, AAPL -> AAPL."""
    if asset_class == "forex":
        return symbol.replace("/", "") + "=X"
    return symbol.replace("/", "-")


def yfinance_history(ticker: str, *, period: str, interval: str, session: Any, timeout_s: float, cache_folder: Path) -> Any:
    """Return ``ticker``'s recent bars as yfinance's DataFrame; raise what yfinance raises."""
    import yfinance as yf

    if not _cache_folder:
        cache_folder.mkdir(parents=True, exist_ok=True)
        yf.set_tz_cache_location(str(cache_folder))  # the cookie and ISIN caches follow it
        _cache_folder.append(str(cache_folder))
    # Errors are raised, never logged and swallowed (an empty frame would hide a failure);
    # yfinance's own log lines and warnings stay out of the operator's terminal.
    yf.config.debug.hide_exceptions = False
    logger = logging.getLogger("yfinance")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return yf.Ticker(ticker, session=session).history(
                period=period, interval=interval, prepost=False, actions=False, auto_adjust=False, timeout=timeout_s
            )
    except Exception:
        # yfinance keeps the answers of some requests (the time-zone lookup) in an in-memory
        # cache: a truncated one would fail every later attempt. Forget them all.
        from yfinance.data import YfData

        YfData.cache_get.cache_clear()
        raise


class YFinancePoller(BarPoller):
    """Poll each symbol's recent bars from Yahoo Finance (or a base URL speaking its chart API)."""

    source = "yfinance"
    requests_per_call = 4  # the cookie, the crumb and the time zone, the first time; then the bars

    def __init__(
        self,
        specs: Mapping[str, SymbolSpec],
        cache_dir: Path,
        *,
        seed: int,
        cache_folder: Path,
        base_url: str = "",
        tickers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(specs, cache_dir, seed=seed, **options)
        if self.interval not in YAHOO_PERIODS:
            raise FeedError(f"Yahoo has no {self.interval} bars; use --interval one of {', '.join(YAHOO_PERIODS)}")
        self.period = YAHOO_PERIODS[self.interval]
        self.base_url = base_url
        self.cache_folder = Path(cache_folder)
        self.tickers = {symbol: yahoo_ticker(symbol, spec.asset_class) for symbol, spec in self.specs.items()}
        self.tickers.update(tickers or {})
        self._answers = AnswerLog()
        self._session: Any = None

    def _fetch(self, symbol: str, since: int | None) -> Fetched:
        ticker = self.tickers[symbol]
        try:
            frame = yfinance_history(
                ticker, period=self.period, interval=self.interval, session=self._http(),
                timeout_s=self.timeout_s, cache_folder=self.cache_folder,
            )
            return Fetched(frame_rows(frame))
        except Exception as exc:  # translated into the fetch errors the poller knows
            raise self._translate(ticker, exc) from exc

    def _http(self) -> Any:
        if self._session is None:
            from logos.feeds.yahoo_session import YahooSession

            self._session = YahooSession(base_url=self.base_url, timeout_s=self.timeout_s, answers=self._answers)
        return self._session

    def _translate(self, ticker: str, error: BaseException) -> Exception:
        """Return the fetch error ``error`` stands for; only an unknown symbol is permanent."""
        if isinstance(error, (TransientFetchError, PermanentFetchError)):
            return error
        message = describe_error(error)
        answer = self._answers.last
        if (
            answer is not None and answer.status == 404 and answer.path.startswith(_SYMBOL_APIS)
            and any(mark in answer.body for mark in _UNKNOWN_SYMBOL)
        ):
            return PermanentFetchError(f"Yahoo has no symbol {ticker}: {message}; check the symbol")
        judged = judge(answer, message)
        if judged is not None:
            return judged
        from yfinance.exceptions import YFRateLimitError

        if isinstance(error, YFRateLimitError):
            return TransientFetchError(f"rate limited: {message}", answer.retry_after_s if answer else None)
        # Timeouts and connection failures (curl_cffi's errors are OSErrors), a truncated or
        # non-JSON body (ValueError), or a JSON body of the wrong shape (KeyError, TypeError):
        # all may pass on the next attempt.
        return TransientFetchError(message)


def frame_rows(frame: Any) -> list[RawBar]:
    """Return yfinance's DataFrame (indexed by bar open time) as rows."""
    if frame is None or len(frame) == 0:
        return []
    columns = frame[["Open", "High", "Low", "Close", "Volume"]]
    return [
        RawBar(stamp.value // 1_000_000_000, *values)  # Timestamp.value: ns since the epoch, UTC
        for stamp, values in zip(columns.index, columns.itertuples(index=False, name=None), strict=True)
    ]
