"""An operator's stop: a signal becomes a request the loop honours between two events.

SIGINT (Ctrl-C), SIGTERM and ``logos stop ID`` pause a session: working orders stay in the
snapshot and go on after ``logos resume``. SIGUSR1 (``logos stop ID --halt``) halts it as an
operator halt, which cancels working orders. An exception raised mid-event could land after
the journal write and before the state moved on, so a signal never raises: it is only
recorded here. ``trade`` and ``resume`` listen from their first line, so a signal that comes
while a session is still being opened is honoured as soon as its loop starts.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PAUSE_SIGNALS = (signal.SIGINT, signal.SIGTERM)
HALT_SIGNAL = signal.SIGUSR1

_requested: list[int] = []  # the signals received while listening, first first
_depth = [0]


@contextmanager
def listening() -> Iterator[None]:
    """Record pause and halt signals instead of letting them stop the process; nestable."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _depth[0]:
        _depth[0] += 1
        try:
            yield
        finally:
            _depth[0] -= 1
        return

    def record(signum: int, _frame: Any) -> None:
        _requested.append(signum)

    _requested.clear()
    previous = {s: signal.signal(s, record) for s in (*PAUSE_SIGNALS, HALT_SIGNAL)}
    _depth[0] = 1
    try:
        yield
    finally:
        _depth[0] = 0
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _requested.clear()


def requested() -> int | None:
    """Return the signal that asks the session to stop (a halt wins over a pause), if any."""
    if not _requested:
        return None
    return HALT_SIGNAL if HALT_SIGNAL in _requested else _requested[0]


def is_halt(signum: int) -> bool:
    return signum == HALT_SIGNAL
