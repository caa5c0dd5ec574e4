"""Market-data feeds: cache replay and the yfinance / ccxt pollers, built by ``make_feed``."""

from logos.feeds.cache import CacheFeed, SymbolReport
from logos.feeds.errors import FeedError
from logos.feeds.factory import FEED_KINDS, make_feed

__all__ = ["FEED_KINDS", "CacheFeed", "FeedError", "SymbolReport", "make_feed"]
