"""Errors the feeds raise: one clear line naming the input and the fix."""

from __future__ import annotations


class FeedError(Exception):
    """A feed cannot go on: a missing or malformed cache file, an unknown feed kind."""


class TransientFetchError(Exception):
    """A fetch failed for a reason that may pass (rate limit, outage): worth a retry."""


class PermanentFetchError(Exception):
    """A fetch failed for a reason a retry cannot fix (unknown symbol, bad credentials)."""
