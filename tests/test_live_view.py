"""The live view of ``trade`` on a terminal: drawn on time by rich's refresh thread.

Real processes whose stderr is a pseudo-terminal (200 columns), as an operator's is; the
frames it drew are read back from the terminal with their escape codes taken out.
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import termios
from pathlib import Path

from logos.paths import bundled_data_dir
from session_helpers import clean_env, logos_argv

FIXTURES = bundled_data_dir() / "cache" / "equity"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _on_a_terminal(args: list[str], home: Path) -> tuple[int, str, str]:
    """Run ``logos ARGS`` with stderr on a pseudo-terminal; return its exit code, stdout and what the terminal showed."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    env = clean_env(home)
    del env["COLUMNS"]
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen(logos_argv() + args, cwd=home, env=env, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    out = proc.stdout.read() if proc.stdout else ""
    proc.wait(timeout=60)
    return proc.returncode, out, ESCAPES.sub("", shown.decode(errors="replace")).replace("\r", "\n")


def _rows(symbol: str) -> int:
    return (FIXTURES / f"{symbol}_1m.csv").read_text().count("\n") - 1


def test_paced_replay_on_a_terminal_shows_bars_of_total_eta_and_the_market(tmp_path: Path) -> None:
    # Act: 390 bars at 6000x: a bar every 10 ms, some four seconds in all.
    code, out, shown = _on_a_terminal(["trade", "--paper", "--session-id", "v", "--symbol", "UPTREND", "--speed", "6000"], tmp_path)

    # Assert
    assert code == 0, shown
    counts = [int(n) for n in re.findall(r"(\d+)/390\b", shown)]
    assert len(set(counts)) >= 5, "refreshed on time while the bars came"
    assert counts == sorted(counts) and counts[-1] > 300
    assert "ETA" in shown
    clocks = re.findall(r"market (2025-10-13T\d\d:\d\d:00Z) · equity (-?\d+(?:\.\d+)?)", shown)
    assert len({clock for clock, _ in clocks}) >= 5, "the market clock moves with the bars"
    assert "positions" in shown and "UPTREND" in shown, "a held position is on screen"
    assert "Session v" in out, "the summary still goes to stdout"


def test_max_speed_replay_on_a_terminal_counts_the_cache_rows_as_its_total(tmp_path: Path) -> None:
    code, _, shown = _on_a_terminal(["trade", "--paper", "--session-id", "m", "--symbol", "AAPL,MSFT,SPY"], tmp_path)

    total = sum(_rows(s) for s in ("AAPL", "MSFT", "SPY"))
    assert code == 0, shown
    assert re.search(rf"\b\d+/{total}\b", shown), shown[:2000]


def test_row_count_with_a_torn_last_row_is_the_bars_a_whole_replay_yields(tmp_path: Path) -> None:
    # Arrange: SPY and AAPL, SPY's last row cut short as by a writer still writing it.
    from logos.feeds.cache import CacheFeed

    (tmp_path / "equity").mkdir()
    for symbol in ("SPY", "AAPL"):
        (tmp_path / "equity" / f"{symbol}_1m.csv").write_text((FIXTURES / f"{symbol}_1m.csv").read_text())
    spy = tmp_path / "equity" / "SPY_1m.csv"
    spy.write_text(spy.read_text() + "2025-10-20T13:30:00Z,1")
    feed = CacheFeed(tmp_path, {"SPY": "equity", "AAPL": "equity"})

    # Act / Assert
    assert feed.row_count() == len(list(feed.replay())) == _rows("SPY") + _rows("AAPL")
