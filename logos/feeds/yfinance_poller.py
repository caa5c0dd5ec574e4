"""Poll Yahoo Finance minute bars through ``yfinance``, behind a seam tests replace.

``yfinance`` costs about a second to import and reaches the network through ``curl_cffi``,
which pytest-socket does not block, so it is imported only inside ``yfinance_history`` and
every test passes its own ``download``.

The default download calls ``yf.Ticker(t).history(period=..., interval=..., raise_errors=True)``
rather than ``yf.download``: ``download`` logs a failed ticker and returns an empty frame,
which would hide a rate limit, while ``history`` raises and lets the poller retry or stall.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from logos.core.symbols import SymbolSpec
from logos.feeds.errors import PermanentFetchError, TransientFetchError
from logos.feeds.polling import BarPoller, RawBar

# download(ticker, *, period, interval) -> a pandas DataFrame indexed by bar open time with
# Open, High, Low, Close and Volume columns, as ``yfinance.Ticker.history`` returns it.
Download = Callable[..., Any]


def yfinance_history(ticker: str, *, period: str, interval: str) -> Any:
    """Return ``ticker``'s recent bars from Yahoo; raise Transient/PermanentFetchError on failure."""
    import yfinance as yf
    from yfinance.exceptions import YFRateLimitError, YFTickerMissingError

    try:
        return yf.Ticker(ticker).history(
            period=period, interval=interval, prepost=False, actions=False, auto_adjust=False, raise_errors=True
        )
    except YFRateLimitError as exc:
        raise TransientFetchError(f"Yahoo rate limit for {ticker}: {exc}") from exc
    except YFTickerMissingError as exc:
        raise PermanentFetchError(f"Yahoo has no data for {ticker}: {exc}; check the symbol") from exc


def yahoo_ticker(symbol: str, asset_class: str) -> str:
    """Return Yahoo's name for a symbol: EUR/USD -> EURUSD=X, BTC/USDT -> BTC-USDT, AAPL -> AAPL."""
    if asset_class == "forex":
        return symbol.replace("/", "") + "=X"
    return symbol.replace("/", "-")


class YFinancePoller(BarPoller):
    """Poll each symbol's last ``period`` of minute bars from Yahoo Finance."""

    source = "yfinance"

    def __init__(
        self,
        specs: Mapping[str, SymbolSpec],
        cache_dir: Path,
        *,
        seed: int,
        download: Download | None = None,
        period: str = "1d",
        tickers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(specs, cache_dir, seed=seed, **options)
        self.download = download or yfinance_history
        self.period = period
        self.tickers = {symbol: yahoo_ticker(symbol, spec.asset_class) for symbol, spec in self.specs.items()}
        self.tickers.update(tickers or {})

    def _fetch(self, symbol: str, since: int | None, now: int) -> list[RawBar]:
        frame = self.download(self.tickers[symbol], period=self.period, interval=self.interval)
        if frame is None or len(frame) == 0:
            return []
        columns = frame[["Open", "High", "Low", "Close", "Volume"]]
        return [
            RawBar(stamp.value // 1_000_000_000, *values)  # Timestamp.value: ns since the epoch, UTC
            for stamp, values in zip(columns.index, columns.itertuples(index=False, name=None), strict=True)
        ]

    def _is_transient(self, error: BaseException) -> bool:
        # Connection failures, timeouts and curl_cffi's request errors are all OSErrors.
        return isinstance(error, OSError)
