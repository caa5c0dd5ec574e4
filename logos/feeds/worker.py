"""Wait for the venue without ever blocking the loop: fetches on a helper thread, short sleeps.

Every network call of a poller runs on its own daemon thread while the caller waits in steps
of ``STEP_S``, asking ``must_stop`` at each step. When the session must stop (kill switch,
signal, the end of ``--duration``) the wait ends at once with ``FetchInterrupted`` and the
call in flight is abandoned: its thread finishes or dies with the process, and whatever it
returns is dropped. A call that outlives its deadline is abandoned the same way and counts
as a timeout, in case a library does not honour its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from logos.feeds.errors import FetchInterrupted, TransientFetchError

T = TypeVar("T")
STEP_S = 0.05


def never() -> bool:
    return False


class Waits:
    """Sleeps and fetches that end early once ``must_stop()`` is true."""

    def __init__(self, must_stop: Callable[[], bool] = never, step_s: float = STEP_S) -> None:
        self.must_stop = must_stop
        self.step_s = step_s

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``; raise ``FetchInterrupted`` as soon as the session must stop."""
        due = time.monotonic() + seconds
        while True:
            if self.must_stop():
                raise FetchInterrupted
            left = due - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(self.step_s, left))

    def call(self, fetch: Callable[[], T], deadline_s: float) -> T:
        """Return ``fetch()`` run on a helper thread, or raise what it raised.

        Raise ``FetchInterrupted`` when the session must stop first, and a
        ``TransientFetchError`` when no answer came within ``deadline_s``.
        """
        done = threading.Event()
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append((True, fetch()))
            except BaseException as exc:  # handed to the waiting thread
                outcome.append((False, exc))
            done.set()

        threading.Thread(target=run, name="logos-fetch", daemon=True).start()
        due = time.monotonic() + deadline_s
        while not done.wait(self.step_s):
            if self.must_stop():
                raise FetchInterrupted
            if time.monotonic() >= due:
                raise TransientFetchError(f"no answer within {deadline_s:g} s (abandoned)")
        ok, value = outcome[0]
        if not ok:
            raise value
        return value
