"""Errors the feeds raise: one clear line naming the input and the fix."""

from __future__ import annotations


class FeedError(Exception):
    """A feed cannot go on: a missing or malformed cache file, an unknown feed kind."""


class TransientFetchError(Exception):
    """A fetch failed for a reason that may pass (rate limit, outage, timeout): worth a retry.

    ``retry_after_s`` is how long the venue asked to be left alone (its Retry-After header);
    the next attempt waits at least that long.
    """

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentFetchError(Exception):
    """A fetch failed for a reason a retry cannot fix (unknown symbol, bad credentials)."""


class VenueBanned(PermanentFetchError):
    """The venue banned this client (HTTP 418, a ban page): every retry would prolong the ban."""


class FetchInterrupted(Exception):
    """A wait for the venue was cut short because the session must stop (kill switch, signal)."""
