"""Poll an exchange's public minute candles through ``ccxt``'s ``fetch_ohlcv``.

``ccxt`` costs about a second to import, so it is imported only when a poll needs it.
Tests inject ``exchange`` (any object with ``fetch_ohlcv``) and never reach the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from logos.core.symbols import SymbolSpec
from logos.feeds.errors import FeedError
from logos.feeds.polling import BarPoller, RawBar


def public_exchange(exchange_id: str) -> Any:
    """Return a keyless ccxt client for ``exchange_id`` (public market data needs no key)."""
    import ccxt

    if exchange_id not in ccxt.exchanges:
        raise FeedError(f"unknown ccxt exchange {exchange_id!r}; use an id from ccxt.exchanges such as 'binance'")
    return getattr(ccxt, exchange_id)({"enableRateLimit": True})


class CcxtPoller(BarPoller):
    """Poll ``fetch_ohlcv(symbol, timeframe, since, limit)`` from one exchange for each symbol."""

    source = "ccxt"

    def __init__(
        self,
        specs: Mapping[str, SymbolSpec],
        cache_dir: Path,
        *,
        seed: int,
        exchange_id: str,
        exchange: Any = None,
        limit: int = 500,
        **options: Any,
    ) -> None:
        super().__init__(specs, cache_dir, seed=seed, **options)
        self.exchange_id = exchange_id
        self.limit = limit
        self.exchange = exchange if exchange is not None else public_exchange(exchange_id)

    def _fetch(self, symbol: str, since: int | None, now: int) -> list[RawBar]:
        # Continue after the last bar seen; with none, take the latest ``limit`` bars.
        start = since + self.interval_s if since is not None else now - self.limit * self.interval_s
        candles = self.exchange.fetch_ohlcv(symbol, timeframe=self.interval, since=start * 1000, limit=self.limit)
        return [RawBar(int(candle[0]) // 1000, *candle[1:6]) for candle in candles]

    def _is_transient(self, error: BaseException) -> bool:
        # NetworkError covers RateLimitExceeded, DDoSProtection, RequestTimeout and
        # ExchangeNotAvailable; BadSymbol and AuthenticationError are ExchangeErrors and stall at once.
        from ccxt.base.errors import NetworkError

        return isinstance(error, (NetworkError, OSError))
