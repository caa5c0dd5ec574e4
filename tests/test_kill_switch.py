"""The kill switch halts a session while it waits: for the next bar, for the next poll, in a retry.

(While a request hangs: test_polled_sessions.py, with 30 s answers.)

The bounds here are generous on purpose (they only tell "halted while waiting" from "sat out
the wait"); how fast the halt is, is measured by ``benchmarks/kill_switch_latency.py``.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from fake_exchange import FakeExchange, Fault
from logos.feeds.ccxt_poller import CcxtPoller
from logos.feeds.retry import RetryPolicy
from logos.live.rehearse import guard_table
from logos.live.runner import Outcome, Session, start_session
from logos.live.setup import build_setup
from logos.live.sources import polling_events
from logos.config.settings import load_settings
from logos.config.validation import symbol_specs
from polled_sessions import LOOPBACK_ONLY
from session_helpers import clean_env, journal, logos_argv

GENEROUS_S = 20.0  # far above the benchmark's worst, far below any wait it must cut short


def wait_for(predicate: Any, what: str, timeout: float = GENEROUS_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def assert_halted_by_kill_switch(folder: Path) -> None:
    state = json.loads((folder / "state.json").read_text())["state"]
    assert (state["status"], state["halt_causes"], state["orders"]) == ("halted", ["kill_switch"], {})
    trips = [e for e in journal(folder) if e["type"] == "GuardTripped"]
    assert [(t["guard"], t["measured"], t["limit"], t["action"]) for t in trips] == [("kill_switch", "present", "absent", "halt")]
    assert [row[2:7] for row in guard_table((folder / "session.md").read_text())] == [("1", "kill_switch", "present", "absent", "halt")]


# --- replay paced in real time -----------------------------------------------------------------


def test_realtime_session_with_kill_switch_touched_while_waiting_for_a_bar_halts_with_exit_3(tmp_path: Path):
    # Arrange: a minute between bars, so the session is waiting when the file appears.
    folder = tmp_path / "runs" / "live" / "sessions" / "rt"
    argv = logos_argv() + ["trade", "--paper", "--symbol", "UPTREND", "--speed", "realtime", "--session-id", "rt"]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=clean_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: any(e["type"] == "BarClosed" for e in journal(folder)) if (folder / "state.jsonl").is_file() else False, "the first bar")

        # Act
        (tmp_path / "KILL_SWITCH").touch()
        code = proc.wait(timeout=GENEROUS_S)
    finally:
        proc.kill()
        _, stderr = proc.communicate()

    # Assert
    assert code == 3, stderr
    assert_halted_by_kill_switch(folder)


# --- polling (the real ccxt client against the fake exchange) -----------------------------------


def polling_session(home: Path, fx: FakeExchange, **settings: str) -> Session:
    given = {"home": str(home), "feed": "ccxt", "symbols": "BTC/USDT", "interval": "1s", "ccxt_base_url": fx.url, **settings}
    loaded = load_settings(given, environ={})
    specs, _ = symbol_specs(loaded)
    return start_session(build_setup(loaded, specs, "poll", duration_s=int(GENEROUS_S)))


def poller_for(session: Session, fx: FakeExchange, retry: RetryPolicy = RetryPolicy()) -> CcxtPoller:
    setup = session.setup
    specs = {s: setup.params.specs[s] for s in setup.params.symbols}
    return CcxtPoller(
        specs, setup.home / "data" / "cache", seed=1, exchange_id="binance", base_url=fx.url,
        interval=setup.interval, interval_s=setup.params.interval_s, retry=retry,
    )


def run_touching(session: Session, events: Iterator[Any], fx: FakeExchange, endpoint: str) -> Outcome:
    """Run the session; create the kill-switch file once the venue has answered ``endpoint``."""

    def touch() -> None:
        deadline = time.monotonic() + GENEROUS_S
        while not fx.requests(endpoint) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        session.setup.kill_switch_path.touch()

    toucher = threading.Thread(target=touch)
    toucher.start()
    try:
        return session.run(events)
    finally:
        toucher.join()
        for handler in list(session.log.handlers):
            session.log.removeHandler(handler)
            handler.close()


@pytest.mark.allow_hosts(LOOPBACK_ONLY)
def test_polling_session_with_kill_switch_touched_between_polls_halts(tmp_path: Path):
    # Arrange: a minute between polls, so the session is waiting when the file appears
    with FakeExchange() as fx:
        session = polling_session(tmp_path, fx, poll_interval_s="60")

        # Act
        outcome = run_touching(session, polling_events(session, poller_for(session, fx)), fx, "klines")

    # Assert
    assert outcome.status == "halted"
    assert_halted_by_kill_switch(outcome.folder)


@pytest.mark.allow_hosts(LOOPBACK_ONLY)
@pytest.mark.parametrize("backoff_s", [60.0])
def test_polling_session_with_kill_switch_touched_during_retry_backoff_halts_without_sitting_it_out(tmp_path: Path, backoff_s: float):
    # Arrange: the venue fails every time; the first retry waits at least backoff_s / 2
    with FakeExchange() as fx:
        fx.add(Fault("klines", status=500, body="<html>500</html>", times=None))
        session = polling_session(tmp_path, fx)
        poller = poller_for(session, fx, RetryPolicy(attempts=3, base_s=backoff_s, max_s=backoff_s))
        started = time.monotonic()

        # Act
        outcome = run_touching(session, polling_events(session, poller), fx, "klines")

    # Assert
    assert time.monotonic() - started < backoff_s / 2
    assert len(fx.requests("klines")) == 1
    assert_halted_by_kill_switch(outcome.folder)
