"""Kill-switch latency: from the file's creation to a halted, exited ``logos trade`` process.

Each trial starts a real ``logos trade --paper`` subprocess in a fresh home, waits until
its journal holds the session start, waits a random moment more, creates the kill-switch
file and times until the process has exited with code 3 (halted by a guard) with its
``session.md`` written. Two kinds of wait are measured:

- ``realtime``: the bundled UPTREND fixture replayed with ``--speed realtime``, so the
  session spends almost all its time waiting a minute for the next bar;
- ``polling``: ``--feed yfinance`` with the poller replaced by one that never has a new bar
  (no network), so the session sits in the polling loop between polls;
- ``retrying``: the same, with a venue that times out every time, so the session sits in
  the poller's retry backoff (the default policy: 0.5-1 s, then 1-2 s, then 2-4 s).

The requirement is a halt within 1 s of the file appearing, even while waiting; the run
fails (exit 1) if the worst trial is slower or any trial did not halt with code 3.

    python -m benchmarks.kill_switch_latency --trials 20
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
from pathlib import Path
from typing import NamedTuple

from logos.paths import env_seed, session_dir

LIMIT_S = 1.0
SESSION_ID = "latency"
KILL_SWITCH = "KILL_SWITCH"
STARTUP_TIMEOUT_S = 30.0
EXIT_TIMEOUT_S = 10.0
HALTED = 3

# The polling trials' child: the real CLI, with only the market-data poller replaced
# (sys.argv[1] names the stand-in; no network is touched).
_POLLING_CHILD = """
import sys
import logos.live.setup
from logos import paths
from logos.feeds.errors import TransientFetchError
from logos.feeds.polling import BarPoller, PollResult

class NoNewBars:
    def poll(self, after, now):
        return PollResult([], [])

class Unreachable(BarPoller):
    source = "stand-in"
    def _fetch(self, symbol, since, now):
        raise TransientFetchError("timed out")
    def _is_transient(self, error):
        return True

def build_feed(setup, seed):
    if sys.argv[1] == "polling":
        return NoNewBars()
    specs = {s: setup.params.specs[s] for s in setup.params.symbols}
    return Unreachable(specs, paths.data_dir(setup.home) / "cache", seed=seed)

logos.live.setup.build_feed = build_feed
from logos.cli import main
sys.argv = ["logos", *sys.argv[2:]]
main()
"""


def _logos() -> list[str]:
    """The installed ``logos`` script next to this interpreter, else ``python -m logos.live``."""
    script = Path(sys.executable).with_name("logos")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "logos.live"]


def _polling(stand_in: str) -> list[str]:
    return [sys.executable, "-c", _POLLING_CHILD, stand_in]


MODES = {
    "realtime": _logos() + ["trade", "--paper", "--symbol", "UPTREND", "--speed", "realtime"],
    "polling": _polling("polling") + ["trade", "--paper", "--feed", "yfinance", "--symbol", "AAPL"],
    "retrying": _polling("retrying") + ["trade", "--paper", "--feed", "yfinance", "--symbol", "AAPL"],
}


class Trial(NamedTuple):
    mode: str
    waited_s: float  # from the session start to the file's creation
    written_s: float  # from the file's creation to session.md's last write (its mtime)
    latency_s: float  # from the file's creation to the process's exit
    code: int
    report: bool  # session.md written and naming the kill switch

    @property
    def ok(self) -> bool:
        return self.code == HALTED and self.report and self.latency_s <= LIMIT_S


def _clean_env() -> dict[str, str]:
    """The caller's environment without Logos settings, so only the options below apply."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LOGOS_") or k == "LOGOS_SEED"}


def _wait_for_start(journal: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not (journal.is_file() and journal.stat().st_size):
        if proc.poll() is not None:
            raise RuntimeError(f"logos trade exited with code {proc.returncode} before the session started")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the session did not start within {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(0.005)


def run_trial(mode: str, delay_s: float) -> Trial:
    home = Path(tempfile.mkdtemp(prefix="logos-kill-"))
    try:
        folder = session_dir(home, SESSION_ID)
        command = MODES[mode] + ["--home", str(home), "--session-id", SESSION_ID, "--kill-switch-file", KILL_SWITCH]
        proc = subprocess.Popen(command, cwd=home, env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait_for_start(folder / "state.jsonl", proc)
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
        named = report.is_file() and "kill_switch" in report.read_text()
        written = report.stat().st_mtime - created_wall if report.is_file() else float("nan")
        return Trial(mode, created - started, written, exited - created, code, named)
    finally:
        shutil.rmtree(home, ignore_errors=True)


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
            flag = "" if trial.ok else f"  <- exit {trial.code}, session.md {'ok' if trial.report else 'missing'}"
            print(f"{mode:<9} {number:>3}/{args.trials}  file after {trial.waited_s:.2f}s  session.md in {trial.written_s * 1000:5.1f} ms, exited in {trial.latency_s * 1000:6.1f} ms{flag}")
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
