"""Retry a flaky fetch with exponential backoff whose jitter is drawn from the session seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

T = TypeVar("T")


class RetryPolicy(NamedTuple):
    """How hard a poller tries before it reports a symbol stalled."""

    attempts: int = 4  # calls in all, the first included
    base_s: float = 1.0  # ceiling of the first wait; it doubles on each retry
    max_s: float = 30.0  # no wait is longer


class JitteredBackoff:
    """Wait ``[ceiling / 2, ceiling)`` with ``ceiling = min(max_s, base_s * 2 ** (n - 1))``.

    Half fixed, half random ("equal jitter"): retries from many sessions spread out, yet
    each wait is longer than the one before until the cap. The random half comes from a
    ``random.Random`` seeded with the session seed, so a rerun waits exactly as long.
    """

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self.policy = policy
        self.rng = rng

    def __call__(self, state: RetryCallState) -> float:
        ceiling = min(self.policy.max_s, self.policy.base_s * 2 ** (state.attempt_number - 1))
        return ceiling / 2 + self.rng.random() * ceiling / 2


def call_with_retry(
    fetch: Callable[[], T],
    *,
    policy: RetryPolicy,
    backoff: JitteredBackoff,
    is_transient: Callable[[BaseException], bool],
    sleep: Callable[[float], None],
) -> tuple[T | None, BaseException | None, int]:
    """Call ``fetch`` until it succeeds, fails for good, or runs out of attempts.

    Return ``(result, None, attempts)`` or ``(None, last_error, attempts)``.
    """
    attempts = 0

    def attempt() -> T:
        nonlocal attempts
        attempts += 1
        return fetch()

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts),
        wait=backoff,
        retry=retry_if_exception(is_transient),
        sleep=sleep,
        reraise=True,
    )
    try:
        return retrying(attempt), None, attempts
    except Exception as exc:  # noqa: BLE001 - every failure becomes a FeedStalled reason
        return None, exc, attempts
