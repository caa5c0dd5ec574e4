"""End to end: ``logos trade --paper --feed ccxt|yfinance`` against the fake exchange.

Each test runs the real CLI as a process whose only reachable host is the fake venue on
127.0.0.1 (see polled_sessions.py), with the real ccxt or yfinance client making the HTTP
requests, and checks the end result in the session's files: which bars were journaled as
warm-up and which as live, that no forming candle was journaled, that orders were decided
only on bars that closed after the start and filled at prices first seen after the
decision, how a fault ended the session and what session.md says about it.

One-second candles (which Binance serves) keep the ccxt sessions short; the yfinance
sessions use Yahoo's one-minute bars and, where they need live bars, a venue clock that
runs fast.
"""

from __future__ import annotations

import json
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest

from fake_exchange import FakeExchange, Fault
from logos.core.state import initial_state
from logos.live.artifacts import ArtifactStreams, write_positions
from logos.stats.equity_curve import EquityCurve
from logos.live.journal import read_journal
from logos.live.replay import rederive
from logos.live.snapshot import read_snapshot
from polled_sessions import (
    LOOPBACK_ONLY,
    bar_values,
    deciding_bars,
    entries,
    feed_table,
    filling_bars,
    folder,
    of_type,
    resume_polled,
    run_polled,
    shell_feed,
    start_polled,
)
from session_helpers import CSV_ARTIFACTS

pytestmark = pytest.mark.allow_hosts(LOOPBACK_ONLY)

PAIRS = ["--symbol", "BTC/USDT,ETH/USDT"]
ONE_SECOND = ["--interval", "1s", "--poll-interval-s", "1"]
TRADING = ["--strategy", "momentum", "--params", '{"fast": 2, "slow": 4}', "--slippage-bps", "0", "--sizing-value", "2000"]
BAN_BODY = '{"code":-1003,"msg":"Way too many requests; IP(127.0.0.1) banned until 1999999999000."}'
GENEROUS_S = 10.0  # far above what a halt takes, far below the 30 s a hanging answer takes


@pytest.fixture
def fx():
    with FakeExchange() as venue:
        yield venue


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "user").mkdir()
    return tmp_path


def finished(run, code: int = 0) -> None:
    assert run.returncode == code, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr


def assert_bars_are_final(fx: FakeExchange, items, interval: str) -> None:
    bars = of_type(items, "BarClosed", "WarmupBar")
    assert bars
    for bar in bars:
        assert bar_values(bar)[:4] == fx.final(bar["symbol"], bar["ts"], interval)[:4], f"{bar['symbol']} {bar['ts']} journaled while forming"


def assert_warm_up_exactly_before(items, interval_s: int) -> None:
    """Every bar that closed at or before the start is warm-up, every later one live."""
    start = of_type(items, "SessionStarted")[0]["ts"]
    for bar in of_type(items, "BarClosed", "WarmupBar"):
        assert (bar["type"] == "WarmupBar") == (bar["ts"] + interval_s <= start), bar


def assert_trades_only_after_the_start_at_prices_seen_after_the_decision(items, interval_s: int) -> None:
    start = of_type(items, "SessionStarted")[0]["ts"]
    decided = deciding_bars(items)
    assert decided, "the strategy traded"
    submitted = {}
    for bar, order in decided:
        assert bar["type"] == "BarClosed" and bar["ts"] + interval_s > start, f"{order['client_id']} decided on a bar that closed before the start"
        submitted[order["client_id"]] = order["ts"]
    fills = filling_bars(items)
    assert fills, "orders filled"
    for bar, fill in fills:
        assert bar["type"] == "BarClosed"
        assert bar["ts"] >= submitted[fill["client_id"]], f"{fill['trade_id']} filled on a bar that opened before its decision"
        assert Decimal(fill["price"]) == Decimal(bar["open"]), "a market order fills at the open (no slippage here)"


def replayed_csvs(session: Path, out: Path) -> dict[str, bytes]:
    """Re-derive the session from its journal alone and write the CSVs that gives."""
    params = read_snapshot(session / "state.json").state.params
    replay = rederive(initial_state(params), read_journal(session / "state.jsonl").entries)
    out.mkdir()
    streams = ArtifactStreams(out, EquityCurve(params.initial_cash))
    for rows in replay.rows:
        streams.write_rows(rows.artifact, rows.rows)
    streams.close()
    write_positions(out, replay.state)
    return {name: (out / name).read_bytes() for name in CSV_ARTIFACTS}


# --- warm-up, live bars, fills --------------------------------------------------------------------


def test_ccxt_session_with_startup_history_trades_only_live_bars_and_fills_after_each_decision(fx, home, tmp_path):
    # Act: the first poll returns 500 one-second candles of history per symbol
    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, *TRADING, "--duration", "8"])

    # Assert
    finished(run)
    items = entries(home)
    assert fx.requests("time") and fx.requests("klines", "BTC/USDT") and fx.requests("klines", "ETH/USDT")
    assert_bars_are_final(fx, items, "1s")
    assert_warm_up_exactly_before(items, 1)
    assert_trades_only_after_the_start_at_prices_seen_after_the_decision(items, 1)
    table, figures = feed_table(home), shell_feed(home)
    for symbol in ("BTC/USDT", "ETH/USDT"):
        warm = [b for b in of_type(items, "WarmupBar") if b["symbol"] == symbol]
        live = [b for b in of_type(items, "BarClosed") if b["symbol"] == symbol]
        assert len(warm) >= 450 and live
        assert (table[symbol]["warm-up bars"], table[symbol]["bars"]) == (str(len(warm)), str(len(live)))
        assert (figures[symbol]["warmup"], figures[symbol]["bars"]) == (len(warm), len(live))
    session = folder(home)
    assert replayed_csvs(session, tmp_path / "replayed") == {name: (session / name).read_bytes() for name in CSV_ARTIFACTS}, (
        "the journal alone replays to the same CSVs"
    )


def test_yfinance_session_with_the_days_history_journals_it_as_warm_up_and_keeps_caches_in_the_home(fx, home):
    # Act
    # (long enough for the first poll's cookie, crumb and chart requests on a loaded machine)
    run = run_polled(home, fx, "yfinance", ["--symbol", "AAPL", "--duration", "8"])

    # Assert
    finished(run)
    items = entries(home)
    assert fx.requests("cookie") and fx.requests("crumb") and fx.requests("chart", "AAPL")
    warm = of_type(items, "WarmupBar")
    assert len(warm) >= 30
    assert_warm_up_exactly_before(items, 60)
    assert_bars_are_final(fx, items, "1m")
    # The history never trades: an order (if a minute closed during the run) follows a live bar.
    first_live = min((e["seq"] for e in of_type(items, "BarClosed")), default=None)
    assert all(first_live is not None and e["seq"] > first_live for e in of_type(items, "OrderSubmitted"))
    assert feed_table(home)["AAPL"]["warm-up bars"] == str(len(warm))
    assert {p.name for p in (home / "data" / "yfinance").iterdir()} >= {"tkr-tz.db", "cookies.db"}
    assert [p for p in (home / "user").rglob("*") if p.is_file()] == [], "nothing is written outside the home"


def test_yfinance_session_with_a_fast_venue_trades_live_bars_after_each_decision(fx, home):
    # Arrange: the venue's minute passes in one of our seconds
    fx.speed = 60.0
    fx.history = 60

    # Act
    run = run_polled(home, fx, "yfinance", ["--symbol", "AAPL", "--poll-interval-s", "1", *TRADING, "--duration", "9"])

    # Assert
    finished(run)
    items = entries(home)
    assert_bars_are_final(fx, items, "1m")
    assert_warm_up_exactly_before(items, 60)
    assert_trades_only_after_the_start_at_prices_seen_after_the_decision(items, 60)


def test_ccxt_session_resumed_after_a_halt_journals_the_bars_of_the_downtime_as_warm_up(fx, home):
    # Arrange: a session halted by the kill switch, left alone for a few seconds
    proc = start_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, *TRADING, "--duration", "4"])
    try:
        wait_for_start(home, proc)
        time.sleep(2)
        (home / "KILL_SWITCH").touch()
        assert proc.wait(timeout=GENEROUS_S) == 3
    finally:
        proc.kill()
        proc.communicate()
    (home / "KILL_SWITCH").unlink()
    time.sleep(2)

    # Act
    run = resume_polled(home)

    # Assert
    finished(run)
    items = entries(home)
    [resumed] = of_type(items, "SessionResumed")
    after = items[items.index(resumed):]
    warm = of_type(after, "WarmupBar")
    assert warm, "the bars of the downtime came in"
    for bar in of_type(after, "BarClosed", "WarmupBar"):
        assert (bar["type"] == "WarmupBar") == (bar["ts"] + 1 <= resumed["ts"]), bar
    for bar, order in deciding_bars(after):
        assert bar["type"] == "BarClosed"
    assert_bars_are_final(fx, items, "1s")


# --- the venue's clock ------------------------------------------------------------------------------


def test_ccxt_session_with_the_venue_clock_five_seconds_behind_journals_no_forming_candle(fx, home):
    fx.skew_s = -5.0

    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, "--duration", "9"])

    finished(run)
    assert fx.forming_closed_locally, "the venue served candles our clock alone would have called closed"
    items = entries(home)
    assert of_type(items, "BarClosed")
    assert_bars_are_final(fx, items, "1s")


# --- freshness ------------------------------------------------------------------------------------------


def test_ccxt_session_with_a_feed_that_stops_halts_on_stale_data(fx, home):
    fx.stop_at = fx.now() + 2

    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, "--stale-after-s", "3", "--duration", "40"])

    finished(run, 3)
    state = json.loads((folder(home) / "state.json").read_text())["state"]
    assert state["halt_causes"] == ["stale_data"]
    [trip] = of_type(entries(home), "GuardTripped")
    assert trip["guard"] == "stale_data" and "no fresh bar" in trip["detail"]
    # session.md's worst bar age shows how long the stopped feed aged, past the 3 s limit
    assert all(int(feed_table(home)[s]["worst bar age (s)"]) > 3 for s in ("BTC/USDT", "ETH/USDT"))


def test_ccxt_session_with_bars_thirty_minutes_old_halts_on_their_age(fx, home):
    # Arrange: the venue's clock (and so its newest closed minute) is half an hour behind
    fx.skew_s = -1800.0

    # Act
    run = run_polled(home, fx, "ccxt", [*PAIRS, "--interval", "1m", "--poll-interval-s", "1", "--duration", "30"])

    # Assert
    finished(run, 3)
    [trip] = of_type(entries(home), "GuardTripped")
    assert trip["guard"] == "stale_data" and int(trip["measured"].rstrip("s")) > 1700
    assert not of_type(entries(home), "OrderSubmitted")
    assert all(int(feed_table(home)[s]["worst bar age (s)"]) > 1700 for s in ("BTC/USDT", "ETH/USDT"))


# --- rate limits, bans, outages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [(418, BAN_BODY), (403, "<html>403 Forbidden: the WAF Limit (Web Application Firewall) has been violated</html>")],
    ids=["418", "403-ban-page"],
)
def test_ccxt_session_with_a_ban_halts_at_once_naming_it(fx, home, status, body):
    fx.add(Fault("klines", symbol="BTC/USDT", status=status, body=body, headers={"Retry-After": "300"}, times=None))

    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, "--duration", "20"])

    finished(run, 3)
    assert len(fx.requests("klines", "BTC/USDT")) == 1, "a ban is never retried"
    [stall] = of_type(entries(home), "FeedStalled")
    assert stall["reason"].startswith(f"ccxt BTC/USDT: banned by the venue, not retried after 1 attempt: HTTP {status}; it asks to wait 300 s")
    assert "banned by the venue" in (folder(home) / "session.md").read_text()


def test_ccxt_session_with_429_and_retry_after_waits_as_asked_and_goes_on(fx, home):
    fx.add(Fault("klines", symbol="BTC/USDT", status=429, body='{"code":-1003,"msg":"Too many requests"}', headers={"Retry-After": "2"}))

    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, "--duration", "5"])

    finished(run)
    asked = fx.requests("klines", "BTC/USDT")
    assert asked[0].status == 429 and asked[1].at - asked[0].at >= 2.0
    items = entries(home)
    assert not of_type(items, "FeedStalled")
    assert [b for b in of_type(items, "BarClosed") if b["symbol"] == "BTC/USDT"]


def test_ccxt_session_with_slow_and_malformed_answers_retries_and_goes_on(fx, home):
    fx.add(
        Fault("klines", symbol="BTC/USDT", kind="slow", delay_s=3.0),
        Fault("klines", symbol="ETH/USDT", kind="truncated"),
        Fault("klines", symbol="ETH/USDT", kind="html"),
        Fault("klines", status=500, body="<html>500</html>"),
    )

    # The first poll meets all four faults, each retried after a backoff: about 8 s.
    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, "--duration", "12"])

    finished(run)
    assert [r.fault for r in fx.log if r.fault].count("slow") == 1
    items = entries(home)
    assert not of_type(items, "FeedStalled")
    assert_bars_are_final(fx, items, "1s")


@pytest.mark.parametrize(
    "fault",
    [
        Fault("chart", status=500, body='{"chart":{"result":null,"error":{"code":"Internal Server Error","description":"x"}}}', times=2),
        Fault("chart", kind="truncated"),
    ],
    ids=["500-yahoo-json-error", "truncated-json"],
)
def test_yfinance_session_with_a_transient_error_retries_and_goes_on(fx, home, fault):
    fx.add(fault)

    run = run_polled(home, fx, "yfinance", ["--symbol", "AAPL", "--duration", "4"])

    finished(run)
    items = entries(home)
    assert not of_type(items, "FeedStalled")
    assert of_type(items, "WarmupBar")


def test_yfinance_session_with_an_unknown_symbol_halts_without_retrying(fx, home):
    run = run_polled(home, fx, "yfinance", ["--symbol", "SPY", "--duration", "20"])

    finished(run, 3)
    [stall] = of_type(entries(home), "FeedStalled")
    assert stall["reason"].startswith("yfinance SPY: permanent error, not retried after 1 attempt: Yahoo has no symbol SPY")


# --- gaps and duplicates ---------------------------------------------------------------------------------


def test_ccxt_session_with_missing_and_repeated_candles_counts_them_in_session_md_and_the_snapshot(fx, home):
    # Arrange: two candles of the history are never served, one of each symbol is served twice
    now = int(fx.now())
    fx.missing = {("BTC/USDT", now - 5), ("BTC/USDT", now - 7)}
    fx.duplicated = {("BTC/USDT", now - 6), ("ETH/USDT", now - 6)}

    # Act
    run = run_polled(home, fx, "ccxt", [*PAIRS, *ONE_SECOND, "--duration", "3"])

    # Assert
    finished(run)
    items = entries(home)
    btc = [b["ts"] for b in of_type(items, "BarClosed", "WarmupBar") if b["symbol"] == "BTC/USDT"]
    assert now - 5 not in btc and now - 7 not in btc and btc.count(now - 6) == 1
    assert_bars_are_final(fx, items, "1s")
    table, figures = feed_table(home), shell_feed(home)
    assert (table["BTC/USDT"]["gaps"], table["BTC/USDT"]["duplicates dropped"]) == ("2", "1")
    assert (table["ETH/USDT"]["gaps"], table["ETH/USDT"]["duplicates dropped"]) == ("0", "1")
    assert (figures["BTC/USDT"]["gaps"], figures["BTC/USDT"]["duplicates"]) == (2, 1)


# --- the kill switch, signals and the end of --duration beat a hanging request ---------------------------


def wait_until(predicate, what: str) -> None:
    deadline = time.monotonic() + 60
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def wait_for_start(home: Path, proc) -> None:
    deadline = time.monotonic() + 60
    journal = folder(home) / "state.jsonl"
    while not (journal.is_file() and journal.stat().st_size):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the session did not start"
        time.sleep(0.02)


@pytest.mark.parametrize("feed", ["ccxt", "yfinance"])
def test_polled_session_with_30_s_answers_halts_on_the_kill_switch_without_waiting_for_them(fx, home, feed):
    # Arrange: every answer takes 30 s
    fx.delay_all_s = 30.0
    symbols = PAIRS if feed == "ccxt" else ["--symbol", "AAPL,MSFT"]
    proc = start_polled(home, fx, feed, [*symbols, "--request-timeout-s", "60", "--duration", "120"])
    try:
        wait_for_start(home, proc)
        wait_until(lambda: fx.log, "a request in flight")
        time.sleep(0.3)

        # Act
        (home / "KILL_SWITCH").touch()
        touched = time.monotonic()
        code = proc.wait(timeout=GENEROUS_S)
        took = time.monotonic() - touched
    finally:
        proc.kill()
        _, stderr = proc.communicate()

    # Assert
    assert code == 3, stderr
    assert took < GENEROUS_S
    session = folder(home)
    state = json.loads((session / "state.json").read_text())["state"]
    assert (state["status"], state["halt_causes"]) == ("halted", ["kill_switch"])
    assert all((session / name).is_file() for name in (*CSV_ARTIFACTS, "session.md"))


def test_polled_session_with_a_hanging_request_pauses_on_sigterm_at_once(fx, home):
    fx.delay_all_s = 30.0
    proc = start_polled(home, fx, "ccxt", [*PAIRS, "--request-timeout-s", "60", "--duration", "120"])
    try:
        wait_for_start(home, proc)
        wait_until(lambda: fx.log, "a request in flight")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=GENEROUS_S)
    finally:
        proc.kill()
        _, stderr = proc.communicate()

    assert code == 4, stderr
    state = json.loads((folder(home) / "state.json").read_text())["state"]
    assert state["status"] == "paused"


def test_polled_session_with_a_hanging_request_completes_when_its_duration_is_over(fx, home):
    fx.delay_all_s = 30.0
    started = time.monotonic()

    run = run_polled(home, fx, "ccxt", [*PAIRS, "--request-timeout-s", "60", "--duration", "2"])

    finished(run)
    assert time.monotonic() - started < 2 + GENEROUS_S
    assert of_type(entries(home), "SessionCompleted")
