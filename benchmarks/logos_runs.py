"""Logos in the benchmark: full paper sessions through the real CLI, each in its own process.

Besides the workload itself this measures a crash and its resume (the session SIGKILLs
itself right after journaling a chosen seq, then ``logos resume`` restores it and finishes
the feed) and the whole-process time of a short session (imports and startup dominate).
"""

from __future__ import annotations

import csv
import filecmp
import os
import re
import resource
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import FAST, INITIAL_CASH, SLOW, SYMBOL, UNITS
from benchmarks.measure import Measured, measure

LOOSE = "1000000000"  # risk limits far above anything one unit per symbol can reach
STALE_OFF = "2592000"  # the largest stale limit (30 days): the 24/7 series has no gap near it
STRATEGY_OPTIONS = (
    "--strategy", "momentum",
    "--params", f'{{"fast":{FAST},"slow":{SLOW},"long_only":true}}',
    "--sizing", "units",
    "--sizing-value", str(UNITS),
    "--fee-bps", "0",
    "--slippage-bps", "0",
    "--volume-share", "1",
    "--speed", "max",
    "--max-notional", LOOSE,
    "--max-exposure", LOOSE,
    "--max-position", LOOSE,
    "--max-drawdown-bps", "10000",
    "--stale-after-s", STALE_OFF,
)
# Artifacts an interrupted-and-resumed session must reproduce byte for byte. The journal
# is left out: it records the crash and the resume as events of their own.
EQUIVALENT_ARTIFACTS = ("orders.csv", "trades.csv", "positions.csv", "account.csv")
CRASH_ENV = "LOGOS_FAULT_KILL_AFTER_SEQ"
SPARE_FILES = 256  # descriptors beyond one per symbol's CSV: the journal, artifacts, imports
_LOOP = re.compile(r"(\d+) in (\d+(?:\.\d+)?)s")
_JOURNAL_HEAD = re.compile(r'\{"seq":(\d+),"type":"(\w+)"')


def trade_options(symbols: Sequence[str]) -> list[str]:
    """Return the workload's ``logos trade`` options for ``symbols``, with cash for each of them.

    Every symbol gets ``INITIAL_CASH``, so however many are long at once, cash never limits
    an order (a peer's broker would reject one that Logos fills, or the other way round).
    """
    return ["--symbol", ",".join(symbols), *STRATEGY_OPTIONS, "--initial-cash", str(INITIAL_CASH * len(symbols))]


TRADE_OPTIONS = tuple(trade_options([SYMBOL]))  # the one-symbol workload, SYN/USD alone


def logos_command() -> list[str]:
    """Return the ``logos`` console script next to this Python, else ``python -m logos.live``."""
    script = Path(sys.executable).with_name("logos")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "logos.live"]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without LOGOS_* settings, so only the options given apply."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_")}
    env.update(PYTHONUNBUFFERED="1", COLUMNS="120", **extra)
    return env


def session_folder(home: Path, session_id: str) -> Path:
    return home / "runs" / "live" / "sessions" / session_id


def read_session(folder: Path) -> dict[str, Any]:
    """Return status, final journal seq, fills (in all and per symbol) and final equity from a finished session."""
    report = (folder / "session.md").read_text()
    status = re.search(r"- Status: \*\*(\w+)\*\*", report)
    seq = re.search(r"- Journal seq: (\d+)", report)
    equity = re.search(r"^\| equity \| (\S+) \|$", report, re.MULTILINE)
    with (folder / "trades.csv").open(newline="") as handle:
        fills = Counter(row["symbol"] for row in csv.DictReader(handle))
    return {
        "status": status.group(1) if status else "unknown",
        "seq": int(seq.group(1)) if seq else None,
        "fills": fills.total(),
        "fills_by_symbol": dict(fills),
        "final_equity": float(equity.group(1)) if equity else None,
    }


def kill_seq_before_snapshot(folder: Path, latest: int) -> int:
    """Return the seq, at most ``latest``, to crash at for the slowest restore.

    The shell snapshots after every ``snapshot_every``-th input event, and the crash point
    kills it after journaling an input but before that input's snapshot. Crashing on an
    input that would have been snapshotted leaves the most journal to replay: a full
    interval. (Should the shell's snapshot rule change, this is still a valid crash point;
    the report shows how much was replayed.)
    """
    from logos.core.events import INPUTS

    inputs = {cls.__name__ for cls in INPUTS}
    setting = re.search(r"^\| snapshot_every \| (\d+) \|$", (folder / "session.md").read_text(), re.MULTILINE)
    every = int(setting.group(1)) if setting else 5000
    count, chosen = 0, latest
    with (folder / "state.jsonl").open() as journal:
        for line in journal:
            head = _JOURNAL_HEAD.match(line)
            if head is None or head.group(2) not in inputs:
                continue
            seq = int(head.group(1))
            if seq > latest:
                break
            count += 1
            if count % every == 0:
                chosen = seq
    return chosen


def allow_open_files(symbols: int) -> None:
    """Raise the soft limit on open files so a session can hold every symbol's CSV open at once.

    Logos opens each symbol's cache file when the replay starts; 5,000 symbols need more
    than the common soft limit of 1,024. The children inherit the raised limit.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = symbols + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            raise RuntimeError(f"{symbols:,} symbols need {wanted:,} open files but the hard limit is {hard:,}; raise it (ulimit -Hn) or use fewer --symbols")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _loop_seconds(measured: Measured) -> float | None:
    found = _LOOP.search(measured.stdout)
    return float(found.group(2)) if found else None


def _failure(what: str, measured: Measured) -> RuntimeError:
    tail = (measured.stderr or measured.stdout).strip().splitlines()[-3:]
    return RuntimeError(f"{what} exited {measured.returncode}: {' | '.join(tail)}")


def trade_command(home: Path, session_id: str, fill_at: str, symbols: Sequence[str]) -> list[str]:
    return [*logos_command(), "trade", "--paper", "--home", str(home), "--session-id", session_id, "--fill-at", fill_at, *trade_options(symbols)]


def run_session(home: Path, session_id: str, fill_at: str, symbols: Sequence[str]) -> tuple[Measured, dict[str, Any]]:
    """Run the workload on ``symbols`` as one ``logos trade --paper`` process; return its measure and results."""
    command = trade_command(home, session_id, fill_at, symbols)
    measured = measure(command, env=clean_env())
    if measured.returncode != 0:
        raise _failure(f"logos trade ({session_id})", measured)
    result = read_session(session_folder(home, session_id))
    result["engine_s"] = _loop_seconds(measured)
    return measured, result


def crash_and_resume(
    home: Path, reference: Path, session_id: str, fill_at: str, symbols: Sequence[str], kill_at_seq: int
) -> dict[str, Any]:
    """Kill a session right after journaling ``kill_at_seq``, resume it, compare with ``reference``.

    The restore time runs from starting ``logos resume`` to its line "resuming <id> at seq N",
    printed once the snapshot is loaded, the journal tail replayed and verified and the
    artifacts cut back; the total runs to the end of the resumed session.
    """
    crashed = measure(trade_command(home, session_id, fill_at, symbols), env=clean_env(**{CRASH_ENV: str(kill_at_seq)}))
    if crashed.returncode != -9:
        raise _failure(f"the crash run (expected SIGKILL after seq {kill_at_seq})", crashed)
    resumed = measure(
        [*logos_command(), "resume", session_id, "--home", str(home)],
        env=clean_env(),
        marks={"restored": rf"^resuming {re.escape(session_id)} at seq \d+"},
    )
    if resumed.returncode != 0:
        raise _failure(f"logos resume {session_id}", resumed)
    folder = session_folder(home, session_id)
    at_seq = re.search(r"^resuming \S+ at seq (\d+)", resumed.stdout, re.MULTILINE)
    report = (folder / "session.md").read_text()
    snapshot = re.search(r"From snapshot at seq (\d+)", report)
    replayed = re.search(r"journal entries replayed: (\d+)", report)
    result = read_session(folder)
    differing = [name for name in EQUIVALENT_ARTIFACTS if not filecmp.cmp(folder / name, reference / name, shallow=False)]
    return {
        "kill_at_seq": kill_at_seq,
        "crash_run_wall_s": crashed.wall_s,
        "resumed_at_seq": int(at_seq.group(1)) if at_seq else None,
        "snapshot_seq": int(snapshot.group(1)) if snapshot else None,
        "journal_replayed": int(replayed.group(1)) if replayed else None,
        "restore_s": resumed.marks.get("restored"),
        "resume_total_s": resumed.wall_s,
        "resume_loop_s": _loop_seconds(resumed),
        "resume_peak_rss_mb": resumed.peak_rss_mb,
        "fills": result["fills"],
        "final_equity": result["final_equity"],
        "status": result["status"],
        "artifacts_identical": not differing,
        "artifacts_differing": differing,
    }


def remove_session(home: Path, session_id: str) -> None:
    shutil.rmtree(session_folder(home, session_id), ignore_errors=True)
