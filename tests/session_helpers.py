"""Helpers for the end-to-end session tests: run the real CLI, read what a session leaves.

A session runs either in-process through typer's ``CliRunner`` (fast) or as a real process
(needed for a SIGKILL, a different hash seed, or ``python -m logos.live``). Every run gets
an environment without the caller's ``LOGOS_*`` variables, so nothing outside the test
decides a setting.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

from typer.testing import CliRunner, Result

from logos.cli import app
from logos.core.events import INPUTS

CRASH_ENV = "LOGOS_FAULT_KILL_AFTER_SEQ"
CSV_ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
DETERMINISTIC = ("state.jsonl",) + CSV_ARTIFACTS
TERMINAL_ORDER_STATES = frozenset({"denied", "rejected", "filled", "canceled", "expired"})
INPUT_NAMES = frozenset(cls.__name__ for cls in INPUTS)
SIGKILLED = -signal.SIGKILL


# --- running the CLI -----------------------------------------------------------------------


def clean_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """Return the process environment minus every ``LOGOS_*`` variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_")}
    env["COLUMNS"] = "200"
    if home is not None:
        env["LOGOS_HOME"] = str(home)
    env.update(extra)
    return env


def logos_argv() -> list[str]:
    """Return the argv of the installed ``logos`` script next to this interpreter."""
    script = Path(sys.executable).with_name("logos")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from logos.cli import main; main()"]


def run_logos(
    args: Iterable[str],
    home: Path,
    *,
    crash_after: int | None = None,
    module: bool = False,
    env_home: bool = True,
    **extra_env: str,
) -> subprocess.CompletedProcess[str]:
    """Run ``logos ARGS`` as a real process in ``home`` (also ``LOGOS_HOME`` unless ``env_home`` is false)."""
    env = clean_env(home if env_home else None, **extra_env)
    if crash_after is not None:
        env[CRASH_ENV] = str(crash_after)
    argv = [sys.executable, "-m", "logos.live"] if module else logos_argv()
    return subprocess.run(argv + list(args), cwd=home, env=env, capture_output=True, text=True, timeout=180)


def uninterrupted(args: Iterable[str], home: Path, session_id: str, names: Iterable[str] = CSV_ARTIFACTS) -> dict[str, bytes]:
    """Run ``logos ARGS`` in ``home`` to its end, as the reference run; return the session's files ``names``."""
    run = run_logos(args, home)
    assert run.returncode == 0, run.stdout + run.stderr
    return artifact_bytes(session_dir(home, session_id), names)


def start_logos(args: Iterable[str], home: Path) -> subprocess.Popen[str]:
    """Start ``logos ARGS`` as a real process in ``home`` (``LOGOS_HOME`` too), stdout and stderr piped."""
    return subprocess.Popen(logos_argv() + list(args), cwd=home, env=clean_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_writer(home: Path, session_id: str, proc: subprocess.Popen[str]) -> bool:
    """Wait until ``proc`` holds the session's writer lock (from then on it honours signals as
    stop requests); False if it ended first."""
    from logos.live.lock import lock_holder

    folder = session_dir(home, session_id)
    while proc.poll() is None:
        holder = lock_holder(folder) if folder.is_dir() else None
        if holder is not None and holder.pid == proc.pid:
            return True
        time.sleep(0.005)
    return False


def invoke(args: Iterable[str], **env: str | None) -> Result:
    """Run ``logos ARGS`` in this process; the fault-injection variable is always unset here."""
    cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("LOGOS_")}
    cleared.update(env)
    cleared[CRASH_ENV] = None  # a SIGKILL here would kill pytest itself
    return CliRunner().invoke(app, list(args), env=cleared, catch_exceptions=False)


def resume_until_done(home: Path, session_id: str, crashes: Iterable[int] = (), limit: int = 6) -> list[subprocess.CompletedProcess[str]]:
    """Resume (as real processes) until the session completes; the first resumes crash at ``crashes``."""
    pending = list(crashes)
    runs: list[subprocess.CompletedProcess[str]] = []
    for _ in range(limit):
        crash = pending.pop(0) if pending else None
        run = run_logos(["resume", session_id], home, crash_after=crash)
        runs.append(run)
        if run.returncode == 0:
            return runs
        assert run.returncode == SIGKILLED and crash is not None, f"resume failed: rc={run.returncode}\n{run.stdout}\n{run.stderr}"
    raise AssertionError(f"session {session_id} did not complete after {limit} resumes")


def one_line_error(stderr: str) -> str:
    """Assert ``stderr`` is exactly one ``error:`` line with no traceback; return it."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def refused(home: Path, args: Iterable[str], code: int = 2) -> str:
    """Run ``logos ARGS --home HOME`` in-process; assert a one-line refusal that changed no file; return the line."""
    before = folder_digest(home)
    result = invoke([*args, "--home", str(home)])
    assert result.exit_code == code, result.output
    line = one_line_error(result.stderr)
    assert result.stdout == ""
    assert folder_digest(home) == before, "a refused command must not change any file"
    return flat(line)


def flat(text: str) -> str:
    """Collapse the console's line wrapping so a message can be matched whole."""
    return " ".join(text.split())


# --- reading a session folder --------------------------------------------------------------


def session_dir(home: Path, session_id: str) -> Path:
    return home / "runs" / "live" / "sessions" / session_id


def folder_digest(folder: Path) -> dict[str, str]:
    """Return ``{relative path: sha256}`` for every file under ``folder`` (hidden ones too)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def artifact_bytes(folder: Path, names: Iterable[str] = DETERMINISTIC) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in names}


def journal(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "state.jsonl").read_text().splitlines()]


def snapshot_seq(folder: Path) -> int:
    return json.loads((folder / "state.json").read_text())["seq"]


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    with open(path, newline="") as handle:
        return next(csv.reader(handle))


def partial_fill_seqs(entries: list[dict[str, Any]]) -> list[int]:
    """Seqs of ``OrderFilled`` lines that leave part of the order open."""
    return [e["seq"] for e in entries if e["type"] == "OrderFilled" and Decimal(e["leaves"]) != 0]


def snapshot_points(entries: list[dict[str, Any]], every: int) -> list[int]:
    """Seqs a run snapshots at: after SessionStarted, then at the end of every ``every``-th input event after it."""
    starts = [e["seq"] for e in entries if e["type"] in INPUT_NAMES]
    last = entries[-1]["seq"]
    ends = [nxt - 1 for nxt in starts[1:]] + [last]
    return [ends[k - 1] for k in range(1 + every, len(ends) + 1, every)]


# --- an independent FIFO book, to check positions.csv against trades.csv ------------------


@dataclass
class Book:
    """FIFO lots of one symbol, written from the README's definition, not from the engine."""

    lots: deque[list[Decimal]] = field(default_factory=deque)  # [signed qty, price]
    realized: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)

    @property
    def qty(self) -> Decimal:
        return sum((lot[0] for lot in self.lots), Decimal(0))

    def fill(self, signed_qty: Decimal, price: Decimal, fee: Decimal) -> Decimal:
        """Book a fill; return its realized PnL net of ``fee``."""
        pnl = -fee
        left = signed_qty
        while left != 0 and self.lots and (self.lots[0][0] > 0) != (left > 0):
            lot = self.lots[0]
            closing = min(abs(left), abs(lot[0]))
            if lot[0] > 0:  # selling out of a long lot
                pnl += (price - lot[1]) * closing
                lot[0] -= closing
                left += closing
            else:  # buying back a short lot
                pnl += (lot[1] - price) * closing
                lot[0] += closing
                left -= closing
            if lot[0] == 0:
                self.lots.popleft()
        if left != 0:
            self.lots.append([left, price])
        self.realized += pnl
        self.fees += fee
        return pnl


def replay_trades(trades: list[dict[str, str]]) -> tuple[dict[str, Book], list[str]]:
    """Book every trade row; return the books and a list of rows whose realized PnL differs."""
    books: dict[str, Book] = defaultdict(Book)
    mismatches = []
    for row in trades:
        qty = Decimal(row["qty"])
        signed = qty if row["side"] == "buy" else -qty
        pnl = books[row["symbol"]].fill(signed, Decimal(row["price"]), Decimal(row["fee"]))
        if pnl != Decimal(row["realized_pnl"]):
            mismatches.append(f"{row['trade_id']}: trades.csv says {row['realized_pnl']}, FIFO gives {pnl}")
    return dict(books), mismatches


def money_text_problems(folder: Path, names: Iterable[str] = CSV_ARTIFACTS, max_places: int = 12) -> list[str]:
    """Cells that look like binary floats: an exponent, or more decimal places than money has."""
    problems = []
    for name in names:
        with open(folder / name, newline="") as handle:
            for line_no, row in enumerate(csv.reader(handle), 1):
                for cell in row:
                    for token in cell.replace("@", " ").split():
                        if _float_looking(token, max_places):
                            problems.append(f"{name} line {line_no}: {token}")
    return problems


def _float_looking(token: str, max_places: int) -> bool:
    body = token.lstrip("+-")
    if any(c in body for c in "eE") and body.replace("e", "").replace("E", "").replace(".", "").replace("-", "").replace("+", "").isdigit():
        return True
    if body.lower() in {"nan", "inf", "infinity"}:
        return True
    whole, dot, places = body.partition(".")
    return bool(dot) and whole.isdigit() and places.isdigit() and len(places) > max_places


def multiple_of(value: Decimal, step: Decimal) -> bool:
    return value % step == 0


def by_symbol(items: Iterable[Mapping[str, str]]) -> dict[str, Mapping[str, str]]:
    return {item["symbol"]: item for item in items}
