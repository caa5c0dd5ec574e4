"""Retry a flaky fetch with exponential backoff whose jitter is drawn from the session seed.

A venue that says how long to wait (``Retry-After`` on a 429 or 503) is obeyed: the next
attempt waits at least that long, whatever the backoff says.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import NamedTuple, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from logos.feeds.errors import FetchInterrupted, TransientFetchError

T = TypeVar("T")


class RetryPolicy(NamedTuple):
    """How hard a poller tries before it reports a symbol stalled."""

    attempts: int = 4  # calls in all, the first included
    base_s: float = 1.0  # ceiling of the first wait; it doubles on each retry
    max_s: float = 30.0  # no backoff wait is longer (a venue's Retry-After may be)


class JitteredBackoff:
    """Wait ``[ceiling / 2, ceiling)`` with ``ceiling = min(max_s, base_s * 2 ** (n - 1))``.

    Half fixed, half random ("equal jitter"): retries from many sessions spread out, yet
    each wait is longer than the one before until the cap. The random half comes from a
    ``random.Random`` seeded with the session seed, so a rerun waits exactly as long. A
    ``Retry-After`` the failed attempt carried raises the wait to what the venue asked.
    """

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self.policy = policy
        self.rng = rng

    def __call__(self, state: RetryCallState) -> float:
        ceiling = min(self.policy.max_s, self.policy.base_s * 2 ** (state.attempt_number - 1))
        wait = ceiling / 2 + self.rng.random() * ceiling / 2
        error = state.outcome.exception() if state.outcome is not None else None
        asked = getattr(error, "retry_after_s", None)
        return max(wait, asked) if asked is not None else wait


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Return the wait a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None  # neither form: as if the venue had not asked
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    clock = time.time() if now is None else now
    return max(0.0, when.timestamp() - clock)


def call_with_retry(
    fetch: Callable[[], T],
    *,
    policy: RetryPolicy,
    backoff: JitteredBackoff,
    sleep: Callable[[float], None],
) -> tuple[T | None, BaseException | None, int]:
    """Call ``fetch`` until it succeeds, fails for good, or runs out of attempts.

    Only a ``TransientFetchError`` is retried. Return ``(result, None, attempts)`` or
    ``(None, last_error, attempts)``; a ``FetchInterrupted`` (the session must stop) is
    raised, not returned.
    """
    attempts = 0

    def attempt() -> T:
        nonlocal attempts
        attempts += 1
        return fetch()

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=backoff,
        retry=retry_if_exception_type(TransientFetchError),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt), None, attempts
    except FetchInterrupted:
        raise
    except Exception as exc:  # every failure becomes a FeedStalled reason
        return None, exc, attempts
