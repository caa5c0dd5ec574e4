"""Run ``logos trade --feed ccxt|yfinance`` against the fake exchange, reachable and nothing else.

The session runs as a real process. Inside it, pytest-socket's own guard lets Python
sockets (requests, used by ccxt) connect to 127.0.0.1 only, and every proxy variable
points at a closed loopback port with only 127.0.0.1 exempt, so libcurl (yfinance's
``curl_cffi``, which no Python guard sees) cannot reach another host either. The tests
that use this mark themselves ``allow_hosts(["127.0.0.1"])``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from fake_exchange import FakeExchange
from session_helpers import clean_env, journal, session_dir

LOOPBACK_ONLY = ["127.0.0.1"]
_GUARDED_LOGOS = (
    "import sys\n"
    "from pytest_socket import socket_allow_hosts\n"
    "socket_allow_hosts(['127.0.0.1'], allow_unix_socket=True)\n"
    "from logos.cli import main\n"
    "sys.argv[0] = 'logos'\n"
    "main()\n"
)
_DEAD_PROXY = "http://127.0.0.1:9"
FAST = ["--request-timeout-s", "2"]


def guarded_env(home: Path, **extra: str) -> dict[str, str]:
    """The session's environment: no LOGOS_* from outside, no way past loopback, HOME in ``home``."""
    env = clean_env(home, **extra)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = _DEAD_PROXY
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
    env["HOME"] = str(home / "user")  # anything written to ~ would land here, where a test can look
    env["XDG_CACHE_HOME"] = str(home / "user" / ".cache")
    return env


def trade_argv(fx: FakeExchange, feed: str, session_id: str, args: Iterable[str]) -> list[str]:
    base = ["--ccxt-base-url", fx.url] if feed == "ccxt" else ["--yfinance-base-url", fx.url]
    return [sys.executable, "-c", _GUARDED_LOGOS, "trade", "--paper", "--feed", feed, "--session-id", session_id, *base, *FAST, *args]


def run_polled(home: Path, fx: FakeExchange, feed: str, args: Iterable[str], session_id: str = "polled", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a polled session to its end; return the finished process."""
    argv = trade_argv(fx, feed, session_id, args)
    return subprocess.run(argv, cwd=home, env=guarded_env(home), capture_output=True, text=True, timeout=timeout)


def resume_polled(home: Path, session_id: str = "polled", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Resume a polled session (its feed settings come from its snapshot); return the finished process."""
    argv = [sys.executable, "-c", _GUARDED_LOGOS, "resume", session_id]
    return subprocess.run(argv, cwd=home, env=guarded_env(home), capture_output=True, text=True, timeout=timeout)


def start_polled(home: Path, fx: FakeExchange, feed: str, args: Iterable[str], session_id: str = "polled") -> subprocess.Popen[str]:
    """Start a polled session and return the running process."""
    argv = trade_argv(fx, feed, session_id, args)
    return subprocess.Popen(argv, cwd=home, env=guarded_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def folder(home: Path, session_id: str = "polled") -> Path:
    return session_dir(home, session_id)


def entries(home: Path, session_id: str = "polled") -> list[dict[str, Any]]:
    return journal(folder(home, session_id))


def of_type(items: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    return [e for e in items if e["type"] in names]


def shell_feed(home: Path, session_id: str = "polled") -> dict[str, dict[str, int]]:
    """The per-symbol feed figures the snapshot keeps for session.md."""
    return json.loads((folder(home, session_id) / "state.json").read_text())["shell"]["feed"]


def feed_table(home: Path, session_id: str = "polled") -> dict[str, dict[str, str]]:
    """session.md's Feed table, by symbol then column."""
    lines = (folder(home, session_id) / "session.md").read_text().split("## Feed", 1)[1].splitlines()
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if line.startswith("|")]
    head, body = rows[0], rows[2:]
    return {row[0]: dict(zip(head, row)) for row in body}


def bar_values(entry: dict[str, Any]) -> list[Decimal]:
    return [Decimal(entry[k]) for k in ("open", "high", "low", "close", "volume")]


def filling_bars(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pair each OrderFilled fact with the input bar whose reduction produced it."""
    pairs = []
    bar: dict[str, Any] | None = None
    for item in items:
        if item["type"] in ("BarClosed", "WarmupBar"):
            bar = item
        elif item["type"] == "OrderFilled":
            assert bar is not None
            pairs.append((bar, item))
    return pairs


def deciding_bars(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pair each OrderSubmitted fact with the input bar whose reduction decided it."""
    pairs = []
    bar: dict[str, Any] | None = None
    for item in items:
        if item["type"] in ("BarClosed", "WarmupBar", "ClockTicked"):
            bar = item
        elif item["type"] == "OrderSubmitted":
            assert bar is not None
            pairs.append((bar, item))
    return pairs
