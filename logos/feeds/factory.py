"""Build the feed the runner's ``--feed`` option names: ``cache``, ``yfinance`` or ``ccxt``.

The pollers are imported only when asked for, so a cached paper session never loads
tenacity, pandas, yfinance or ccxt.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from logos.core.symbols import SymbolSpec
from logos.feeds.cache import CacheFeed
from logos.feeds.errors import FeedError

if TYPE_CHECKING:
    from logos.feeds.ccxt_poller import CcxtPoller
    from logos.feeds.yfinance_poller import YFinancePoller

FEED_KINDS = ("cache", "yfinance", "ccxt")


def make_feed(
    kind: str,
    *,
    cache_dir: Path,
    specs: Mapping[str, SymbolSpec],
    seed: int,
    interval: str = "1m",
    interval_s: int = 60,
    exchange_id: str = "binance",
    **options: Any,
) -> CacheFeed | YFinancePoller | CcxtPoller:
    """Return a ``CacheFeed`` (``replay``) or a poller (``poll``) for ``specs``' symbols.

    ``options`` go to the poller (``retry``, ``waits``, ``timeout_s``, ``base_url``,
    ``exchange``, ``cache_folder``, ...).
    """
    if kind == "cache":
        symbols = {symbol: spec.asset_class for symbol, spec in specs.items()}
        return CacheFeed(cache_dir, symbols, interval=interval, interval_s=interval_s)
    if kind == "yfinance":
        from logos.feeds.yfinance_poller import YFinancePoller

        return YFinancePoller(specs, cache_dir, seed=seed, interval=interval, interval_s=interval_s, **options)
    if kind == "ccxt":
        from logos.feeds.ccxt_poller import CcxtPoller

        return CcxtPoller(specs, cache_dir, seed=seed, exchange_id=exchange_id, interval=interval, interval_s=interval_s, **options)
    raise FeedError(f"unknown feed {kind!r}; use --feed {', '.join(FEED_KINDS[:-1])} or {FEED_KINDS[-1]}")
