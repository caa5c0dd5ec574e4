"""Kill-switch latency: from the file's creation to a halted, exited ``logos trade`` process.

Each trial starts a real ``logos trade --paper`` subprocess in a fresh home, waits until
its session has started (and, polling, until a request is in flight), waits a random
moment more, creates the kill-switch file and times until the process has exited with
code 3 (halted by a guard) with its whole bundle written: ``session.md`` naming the kill
switch, the four CSVs and ``state.json``. Kinds of wait:

- ``hanging``: ``--feed ccxt`` with two symbols against the tests' fake exchange
  (tests/fake_exchange.py, on 127.0.0.1), every answer of which takes 30 s, so the session
  is always waiting for a request that will not come back in time;
- ``hanging-yfinance``: the same through yfinance (two symbols, 30 s answers);
- ``realtime``: the bundled UPTREND fixture replayed with ``--speed realtime``, so the
  session spends almost all its time waiting a minute for the next bar.

The requirement is a halt within 1 s of the file appearing, whatever the network does; the
run fails (exit 1) if the worst trial is slower or any trial did not halt with code 3.

    python -m benchmarks.kill_switch_latency --trials 20 --mode hanging
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

from logos.config.settings import env_seed
from logos.paths import session_dir

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the fake exchange is the tests' own
from fake_exchange import FakeExchange  # noqa: E402

LIMIT_S = 1.0
SESSION_ID = "latency"
KILL_SWITCH = "KILL_SWITCH"
STARTUP_TIMEOUT_S = 60.0
EXIT_TIMEOUT_S = 10.0
HALTED = 3
ANSWER_S = 30.0
BUNDLE = ("session.md", "state.json", "orders.csv", "trades.csv", "positions.csv", "account.csv")


def _logos() -> list[str]:
    """The installed ``logos`` script next to this interpreter, else ``python -m logos.live``."""
    script = Path(sys.executable).with_name("logos")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "logos.live"]


def _polled(feed: str, symbols: str, url: str) -> list[str]:
    base = "--ccxt-base-url" if feed == "ccxt" else "--yfinance-base-url"
    return _logos() + [
        "trade", "--paper", "--feed", feed, "--symbol", symbols, base, url,
        "--request-timeout-s", str(int(ANSWER_S * 2)), "--duration", "600",
    ]


MODES = ("hanging", "hanging-yfinance", "realtime")


def command(mode: str, url: str) -> list[str]:
    if mode == "hanging":
        return _polled("ccxt", "BTC/USDT,ETH/USDT", url)
    if mode == "hanging-yfinance":
        return _polled("yfinance", "AAPL,MSFT", url)
    return _logos() + ["trade", "--paper", "--symbol", "UPTREND", "--speed", "realtime"]


class Trial(NamedTuple):
    mode: str
    waited_s: float  # from the session start to the file's creation
    written_s: float  # from the file's creation to session.md's last write (its mtime)
    latency_s: float  # from the file's creation to the process's exit
    code: int
    bundle: bool  # every file of the bundle written, session.md naming the kill switch

    @property
    def ok(self) -> bool:
        return self.code == HALTED and self.bundle and self.latency_s <= LIMIT_S


def _clean_env() -> dict[str, str]:
    """The caller's environment without Logos settings, so only the options below apply."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_") or k == "LOGOS_SEED"}


def _wait_for_start(journal: Path, proc: subprocess.Popen[bytes], venue: FakeExchange | None) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not (journal.is_file() and journal.stat().st_size) or (venue is not None and not venue.log):
        if proc.poll() is not None:
            raise RuntimeError(f"logos trade exited with code {proc.returncode} before the session started")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the session did not start within {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(0.005)


def run_trial(mode: str, delay_s: float) -> Trial:
    home = Path(tempfile.mkdtemp(prefix="logos-kill-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, home, ignore_errors=True)
        venue = None
        if mode != "realtime":
            venue = stack.enter_context(FakeExchange())
            venue.delay_all_s = ANSWER_S
        folder = session_dir(home, SESSION_ID)
        argv = command(mode, venue.url if venue else "") + ["--home", str(home), "--session-id", SESSION_ID, "--kill-switch-file", KILL_SWITCH]
        proc = subprocess.Popen(argv, cwd=home, env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for_start(folder / "state.jsonl", proc, venue)
        started = time.perf_counter()
        time.sleep(delay_s)
        watchdog = threading.Timer(EXIT_TIMEOUT_S, proc.kill)
        created, created_wall = time.perf_counter(), time.time()
        (home / KILL_SWITCH).touch(exist_ok=False)
        watchdog.start()
        # wait() without a timeout blocks in waitpid: the exit is seen the moment it happens.
        code = proc.wait()
        exited = time.perf_counter()
        watchdog.cancel()
        proc.stderr.close()  # type: ignore[union-attr]
        report = folder / "session.md"
        bundle = all((folder / name).is_file() for name in BUNDLE) and "kill_switch" in report.read_text()
        written = report.stat().st_mtime - created_wall if report.is_file() else float("nan")
        trial = Trial(mode, created - started, written, exited - created, code, bundle)
    return trial


def _figures(trials: list[Trial]) -> str:
    latencies = [t.latency_s for t in trials]
    written = [t.written_s for t in trials]
    return (
        f"exited with code 3: median {statistics.median(latencies) * 1000:.0f} ms, worst {max(latencies) * 1000:.0f} ms "
        f"(session.md written: median {statistics.median(written) * 1000:.0f} ms, worst {max(written) * 1000:.0f} ms) "
        f"over {len(trials)} trials"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kill_switch_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20, help="trials per kind of wait (default 20)")
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all", help="which wait to measure (default all)")
    args = parser.parse_args(argv)
    if args.trials < 1:
        parser.error("--trials must be at least 1")
    rng = random.Random(env_seed())
    modes = list(MODES) if args.mode == "all" else [args.mode]
    trials: list[Trial] = []
    for mode in modes:
        for number in range(1, args.trials + 1):
            try:
                trial = run_trial(mode, rng.uniform(0.05, 0.8))
            except RuntimeError as exc:
                print(f"error: {mode} trial {number}: {exc}", file=sys.stderr)
                return 1
            trials.append(trial)
            flag = "" if trial.ok else f"  <- exit {trial.code}, bundle {'ok' if trial.bundle else 'incomplete'}"
            print(f"{mode:<16} {number:>3}/{args.trials}  file after {trial.waited_s:.2f}s  session.md in {trial.written_s * 1000:5.1f} ms, exited in {trial.latency_s * 1000:6.1f} ms{flag}")
        print(f"{mode}: {_figures([t for t in trials if t.mode == mode])}")
    worst = max(t.latency_s for t in trials)
    failed = [t for t in trials if not t.ok]
    print(f"all: {_figures(trials)}; requirement: halted and exited within {LIMIT_S:.0f} s")
    if failed:
        print(f"FAIL: {len(failed)} trial(s) missed it (worst {worst * 1000:.0f} ms)", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
