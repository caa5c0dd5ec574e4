"""Poll an exchange's public candles through ``ccxt``'s ``fetch_ohlcv``, on the exchange's clock.

``ccxt`` costs about a second to import, so it is imported only when a ccxt feed is built.
The exchange's own rate limiter stays on (``enableRateLimit``). ``base_url`` points every
REST endpoint of the exchange at another host with the same API (a testnet such as
``https://testnet.binance.vision``, a mirror, or the tests' fake exchange): only the scheme
and host of each of ccxt's URLs change, the paths stay.

Every answer the exchange sends is recorded on the thread that asked (``on_rest_response``),
because ccxt's exceptions alone cannot tell Binance's 429 from its 418 ban, nor carry the
``Retry-After`` header.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from logos.core.symbols import SymbolSpec
from logos.feeds.answers import AnswerLog, answer_of, judge
from logos.feeds.errors import FeedError, PermanentFetchError, TransientFetchError, VenueBanned
from logos.feeds.polling import BarPoller, Fetched, RawBar, describe_error


def public_exchange(exchange_id: str, *, base_url: str = "", timeout_s: float = 10.0) -> Any:
    """Return a keyless ccxt client for ``exchange_id`` (public market data needs no key)."""
    import ccxt

    if exchange_id not in ccxt.exchanges:
        raise FeedError(f"unknown ccxt exchange {exchange_id!r}; use an id from ccxt.exchanges such as 'binance'")
    exchange = getattr(ccxt, exchange_id)({"enableRateLimit": True, "timeout": int(timeout_s * 1000)})
    if base_url:
        exchange.urls["api"] = rebased(exchange.urls["api"], base_url)
    markets = exchange.options.get("fetchMarkets")
    if isinstance(markets, dict) and "types" in markets:
        # Logos trades spot pairs: loading the futures and options markets too would cost
        # requests (and rate-limit weight) for nothing.
        markets["types"] = ["spot"]
    return exchange


def rebased(urls: Any, base_url: str) -> Any:
    """Return ccxt's URL table with the scheme and host of every URL replaced by ``base_url``'s."""
    if isinstance(urls, dict):
        return {key: rebased(value, base_url) for key, value in urls.items()}
    if isinstance(urls, str) and urlsplit(urls).scheme in ("http", "https"):
        parts = urlsplit(urls)
        return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    return urls


class CcxtPoller(BarPoller):
    """Poll ``fetch_ohlcv(symbol, timeframe, since, limit)`` from one exchange for each symbol."""

    source = "ccxt"
    requests_per_call = 2  # the markets, the first time, then the candles

    def __init__(
        self,
        specs: Mapping[str, SymbolSpec],
        cache_dir: Path,
        *,
        seed: int,
        exchange_id: str,
        exchange: Any = None,
        base_url: str = "",
        limit: int = 500,
        **options: Any,
    ) -> None:
        super().__init__(specs, cache_dir, seed=seed, **options)
        self.exchange_id = exchange_id
        self.limit = limit
        self.exchange = exchange if exchange is not None else public_exchange(exchange_id, base_url=base_url, timeout_s=self.timeout_s)
        timeframes = getattr(self.exchange, "timeframes", None) or {}
        if timeframes and self.interval not in timeframes:
            raise FeedError(
                f"{exchange_id} has no {self.interval} candles; use --interval one of {', '.join(timeframes)}"
            )
        self.venue_clock = bool((getattr(self.exchange, "has", None) or {}).get("fetchTime"))
        self._answers = AnswerLog()
        self.exchange.on_rest_response = self._record

    def _record(self, code: Any, reason: str, url: str, method: str, headers: Any, body: str, *request: Any) -> str:
        self._answers.last = answer_of(int(code), headers or {}, body or "", url)
        return body.strip()  # what ccxt's own hook returns

    def _venue_time(self) -> float | None:
        try:
            return int(self.exchange.fetch_time()) / 1000
        except Exception as exc:  # translated into the fetch errors the poller knows
            raise self._translate(exc) from exc

    def _fetch(self, symbol: str, since: int | None) -> Fetched:
        # Continue after the last bar seen; with none, take the latest ``limit`` bars.
        start = since + self.interval_s if since is not None else int(time.time()) - self.limit * self.interval_s
        try:
            if not self.exchange.markets:
                # A markets answer ccxt could not read leaves them empty: load them again.
                self.exchange.load_markets(reload=True)
                self._require_json("markets")
            candles = self.exchange.fetch_ohlcv(symbol, timeframe=self.interval, since=start * 1000, limit=self.limit)
            self._require_json("candles")
        except Exception as exc:  # translated into the fetch errors the poller knows
            raise self._translate(exc) from exc
        # A full page after the last bar seen means the session is catching up: more follow.
        return Fetched(candle_rows(candles, self.exchange_id), full=since is not None and len(candles) >= self.limit)

    def _require_json(self, what: str) -> None:
        """Refuse an answer that is not whole JSON: ccxt reads an HTML page or a body cut short
        as no data (or ``None`` values) instead of failing."""
        answer = self._answers.last
        if answer is not None and not answer.whole_json:
            raise TransientFetchError(f"{self.exchange_id} sent a malformed {what} answer: {answer.body[:60]!r}")

    def _translate(self, error: BaseException) -> Exception:
        """Return the fetch error ``error`` stands for: a ban, something worth a retry, or neither."""
        if isinstance(error, (TransientFetchError, PermanentFetchError)):
            return error
        from ccxt.base.errors import BadResponse, DDoSProtection, NetworkError

        message = describe_error(error)
        judged = judge(self._answers.last, message)
        if judged is not None:
            return judged
        if isinstance(error, DDoSProtection) and " 418 " in f" {error} ":
            return VenueBanned(f"HTTP 418: {message}")
        # NetworkError covers RateLimitExceeded, DDoSProtection, RequestTimeout and
        # ExchangeNotAvailable; BadResponse is an answer ccxt could not read. BadSymbol and
        # AuthenticationError are other ExchangeErrors: a retry cannot fix them.
        if isinstance(error, (NetworkError, BadResponse, OSError)):
            return TransientFetchError(message)
        return PermanentFetchError(message)


def candle_rows(candles: Any, exchange_id: str) -> list[RawBar]:
    """Return ccxt's ``[ms, open, high, low, close, volume]`` lists as rows, or raise
    ``TransientFetchError`` for an answer that is not such a list (a truncated or HTML body
    that ccxt parsed into ``None`` values)."""
    if not isinstance(candles, list):
        raise TransientFetchError(f"{exchange_id} sent a malformed answer (not a list of candles)")
    rows = []
    for candle in candles:
        if not isinstance(candle, (list, tuple)) or len(candle) < 6 or not isinstance(candle[0], int) or any(v is None for v in candle[1:6]):
            raise TransientFetchError(f"{exchange_id} sent a malformed answer (a candle reads {str(candle)[:80]})")
        rows.append(RawBar(candle[0] // 1000, *candle[1:6]))
    return rows
