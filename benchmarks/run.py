"""Run the benchmark: ``python -m benchmarks.run [--bars 100000 1000000] [--symbols 1] [--skip-peers] [--out DIR]``.

For each bar count and symbol count: write the synthetic series (the bars split evenly
over the symbols) into a temporary Logos home, run the workload in Logos (both fill
conventions) and in every installed peer (backtrader in both, NautilusTrader in its own),
each as a process of its own; then crash and resume the largest Logos session of each
symbol count, and time a 1,000-bar session from process start to exit. Prints the
markdown report and writes ``results.md`` and ``results.json`` into ``--out``.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks import FAST, INITIAL_CASH, NEXT_OPEN, SAME_CLOSE, SEED, SLOW, UNITS
from benchmarks.logos_runs import allow_open_files, crash_and_resume, kill_seq_before_snapshot, run_session, session_folder
from benchmarks.measure import Measured, measure
from benchmarks.report import render
from benchmarks.synthetic import make_home, share_home, symbol_names, tie_bars, write_series

REPO = Path(__file__).resolve().parent.parent
# peer -> (its distribution name, its module here, the fill conventions it can run)
PEERS = {
    "backtrader": ("backtrader", "benchmarks.peers_backtrader", (NEXT_OPEN, SAME_CLOSE)),
    "nautilus_trader": ("nautilus_trader", "benchmarks.peers_nautilus", (SAME_CLOSE,)),
}
STARTUP_BARS = 1_000
CRASH_AT = 0.98  # share of the reference session's journal after which the twin crashes
Run = Callable[[int], tuple[Measured, dict[str, Any]]]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def installed_peers(wanted: list[str]) -> tuple[list[str], list[str]]:
    have = [p for p in wanted if importlib.util.find_spec(PEERS[p][0]) is not None]
    return have, [p for p in wanted if p not in have]


# --- one configuration, measured ``repeat`` times ------------------------------------------


def peer_run(peer: str, series: Path, fill_at: str, scratch: Path) -> Run:
    module = PEERS[peer][1]

    def once(attempt: int) -> tuple[Measured, dict[str, Any]]:
        handle, name = tempfile.mkstemp(prefix=f"{peer}-{fill_at}-{attempt}-", suffix=".json", dir=scratch)
        os.close(handle)
        result_file = Path(name)
        command = [sys.executable, "-m", module, str(series), "--result", str(result_file)]
        if len(PEERS[peer][2]) > 1:
            command += ["--fill-at", fill_at]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        measured = measure(command, env=env, cwd=REPO)
        if measured.returncode != 0:
            tail = measured.stderr.strip().splitlines()[-3:]
            raise RuntimeError(f"{peer} exited {measured.returncode}: {' | '.join(tail)}")
        return measured, json.loads(result_file.read_text())

    return once


def logos_run(home: Path, bars: int, symbols: list[str], fill_at: str) -> Run:
    def once(attempt: int) -> tuple[Measured, dict[str, Any]]:
        measured, result = run_session(home, session_id(bars, len(symbols), fill_at, attempt), fill_at, symbols)
        return measured, {"engine": "logos", "version": version("logos"), "fill_at": fill_at, "bars": bars, "symbols": len(symbols), **result}

    return once


def session_id(bars: int, symbols: int, fill_at: str, attempt: int) -> str:
    return f"bench-{bars}x{symbols}-{fill_at}-r{attempt}"


def row(runs: list[tuple[Measured, dict[str, Any]]], notes: list[str]) -> dict[str, Any]:
    """Fold the repeats of one configuration into its row: medians, and the outcome once."""
    first = runs[0][1]
    outcomes = {(r["fills"], r["final_equity"]) for _, r in runs}
    if len(outcomes) > 1:
        notes.append(
            f"{first['engine']} {first['fill_at']} {first['bars']} bars x {first['symbols']} symbols: "
            f"repeats disagree on fills/equity {sorted(outcomes)}"
        )
    wall = statistics.median(m.wall_s for m, _ in runs)
    loops = [r["engine_s"] for _, r in runs if r.get("engine_s") is not None]
    return {
        **{k: first[k] for k in ("engine", "version", "fill_at", "bars", "symbols", "fills", "final_equity")},
        "wall_s": wall,
        "bars_per_s": first["bars"] / wall,
        "engine_s": statistics.median(loops) if loops else None,
        "peak_rss_mb": statistics.median(m.peak_rss_mb for m, _ in runs),
        "wall_s_each": [m.wall_s for m, _ in runs],
        "seq": first.get("seq"),
        "fills_by_symbol": first["fills_by_symbol"],
        "open_by_symbol": first.get("open_by_symbol", {}),
    }


def measure_all(configs: list[tuple[str, Run]], repeat: int, notes: list[str]) -> list[dict[str, Any]]:
    """Run every configuration ``repeat`` times, interleaved, so machine noise spreads evenly."""
    runs: dict[str, list[tuple[Measured, dict[str, Any]]]] = {label: [] for label, _ in configs}
    rows = []
    for attempt in range(1, repeat + 1):
        for label, once in configs:
            try:
                measured, result = once(attempt)
            except RuntimeError as exc:
                if label.startswith("logos"):
                    raise
                notes.append(f"{label}: {exc}")
                say(f"  {label}: FAILED ({exc})")
                continue
            runs[label].append((measured, result))
            say(f"  {label} (run {attempt}/{repeat}): {measured.wall_s:.2f} s, {measured.peak_rss_mb:.0f} MB, {result['fills']} fills")
    for label, _ in configs:
        if runs[label]:
            rows.append(row(runs[label], notes))
    return rows


# --- the whole benchmark -----------------------------------------------------------------


def collect(args: argparse.Namespace, peers: list[str], root: Path, notes: list[str]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    resumes: list[dict[str, Any]] = []
    sizes = sorted(set(args.bars))
    counts = sorted(set(args.symbols))
    for bars in sizes:
        for count in counts:
            home, series, symbols = write_size(root, bars, count, args.seed)
            configs: list[tuple[str, Run]] = [(f"logos {f}", logos_run(home, bars, symbols, f)) for f in (NEXT_OPEN, SAME_CLOSE)]
            if runs_peers(args, bars, count):
                configs += [(f"{p} {fill_at}", peer_run(p, series, fill_at, root)) for p in peers for fill_at in PEERS[p][2]]
            rows += measure_all(configs, args.repeat, notes)
            if bars == sizes[-1] and not args.no_resume:
                resumes.append(measure_resume(home, root, bars, symbols))
    say(f"startup: {STARTUP_BARS:,}-bar sessions")
    startup_home, startup_series, symbols = write_size(root / "startup", STARTUP_BARS, 1, args.seed)
    configs = [("logos next_open", logos_run(startup_home, STARTUP_BARS, symbols, NEXT_OPEN))]
    configs += [(f"{p} {PEERS[p][2][0]}", peer_run(p, startup_series, PEERS[p][2][0], root)) for p in peers]
    startup = measure_all(configs, args.repeat, notes)
    say("counting tie bars")
    return {
        "rows": rows,
        "resumes": resumes,
        "startup": startup,
        "ties": [{"bars": n, "symbols": c, "ties": tie_bars(n, args.seed, c)} for n in sizes for c in counts],
    }


def write_size(root: Path, bars: int, count: int, seed: int) -> tuple[Path, Path, list[str]]:
    """Write a home of ``bars`` bars over ``count`` symbols and the peers' map of it; return both and the symbols."""
    say(f"{bars:,} bars over {count:,} symbols: writing the series")
    home = root / f"home-{bars}x{count}"
    series = root / f"series-{bars}x{count}.json"
    csvs = make_home(home, bars, seed, count)
    write_series(series, csvs)
    return home, series, list(csvs)


def runs_peers(args: argparse.Namespace, bars: int, symbols: int) -> bool:
    """Whether the peers run on this size (``--peer-max-bars``, ``--peer-max-symbols``)."""
    bars_fit = args.peer_max_bars is None or bars <= args.peer_max_bars
    return bars_fit and (args.peer_max_symbols is None or symbols <= args.peer_max_symbols)


def measure_resume(home: Path, root: Path, bars: int, symbols: list[str]) -> dict[str, Any]:
    """Crash a session near its end, resume it, and compare it with an uninterrupted twin.

    The twin runs right before the crash (not reused from the timed runs), so both see the
    same Logos code even while the working tree changes under a long benchmark.
    """
    same_id = "bench-resume"
    say(f"resume ({len(symbols):,} symbols): an uninterrupted reference session")
    _, reference = run_session(home, same_id, NEXT_OPEN, symbols)
    final_seq = reference["seq"]
    kill_at = kill_seq_before_snapshot(session_folder(home, same_id), int(final_seq * CRASH_AT))
    crash_home = root / f"crash-{bars}x{len(symbols)}"
    share_home(home, crash_home)
    say(f"resume: crash at seq {kill_at:,} of {final_seq:,}, then resume")
    result = crash_and_resume(crash_home, session_folder(home, same_id), same_id, NEXT_OPEN, symbols, kill_at)
    say(f"  restore {result['restore_s']:.2f} s, resume total {result['resume_total_s']:.2f} s, identical: {result['artifacts_identical']}")
    return {"bars": bars, "symbols": len(symbols), "fill_at": NEXT_OPEN, "final_seq": final_seq, **result}


def code_revision() -> str:
    """Return the commit measured, flagged when ``logos/`` has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "logos"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" + uncommitted changes in logos/" if dirty else "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, nargs="+", default=[100_000, 1_000_000], help="bar counts to run (default: 100000 1000000)")
    parser.add_argument(
        "--symbols", type=int, nargs="+", default=[1], help="symbol counts to split each bar count over (default: 1, SYN/USD alone)"
    )
    parser.add_argument("--skip-peers", action="store_true", help="run Logos only")
    parser.add_argument("--peers", nargs="+", choices=sorted(PEERS), default=sorted(PEERS), help="peers to run when installed (default: all)")
    parser.add_argument("--peer-max-bars", type=int, default=None, help="run peers only on bar counts up to this (default: all)")
    parser.add_argument("--peer-max-symbols", type=int, default=None, help="run peers only on symbol counts up to this (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measure; the report shows medians (default: 1)")
    parser.add_argument("--no-resume", action="store_true", help="skip the crash-and-resume measure")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the synthetic series (default: {SEED})")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default: runs/bench/<UTC time>)")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary Logos homes (printed) for inspection")
    args = parser.parse_args(argv)
    if min(args.bars) < 2 * SLOW or min(args.symbols) < 1 or args.repeat < 1:
        parser.error(f"--bars must each be at least {2 * SLOW}, --symbols at least 1 and --repeat at least 1")
    uneven = next(((b, s) for b in args.bars for s in args.symbols if b % s), None)
    if uneven:
        parser.error(f"--bars {uneven[0]} does not split evenly over --symbols {uneven[1]}; pick counts that divide it")
    return args


def counted(symbols: list[int]) -> str:
    counts = sorted(set(symbols))
    if counts == [1]:
        return f"1 symbol ({symbol_names(1)[0]})"
    return ", ".join(f"{c:,}" for c in counts) + " symbols"


def compile_logos() -> None:
    """Compile Logos's modules to bytecode, as pip does when it installs the wheel.

    The peers run from installed packages with their bytecode; a Logos checkout in an
    environment that sets PYTHONDONTWRITEBYTECODE would otherwise recompile its source at
    every start (about 0.2 s a process here), which no installed copy does.
    """
    spec = importlib.util.find_spec("logos")
    for folder in spec.submodule_search_locations if spec and spec.submodule_search_locations else ():
        compileall.compile_dir(folder, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    compile_logos()
    started = datetime.now(timezone.utc)
    revision = code_revision()
    out = args.out or Path("runs") / "bench" / started.strftime("%Y%m%d-%H%M%S")
    wanted = [] if args.skip_peers else args.peers
    peers, missing = installed_peers(wanted)
    if missing:
        say(f"peers not installed, skipped: {', '.join(missing)} (install them with: pip install -e \".[bench]\")")
    notes: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="logos-bench-"))
    try:
        allow_open_files(max(args.symbols))
        measured = collect(args, peers, root, notes)
    except RuntimeError as exc:
        say(f"error: {exc}")
        return 1
    finally:
        if args.keep_home:
            say(f"temporary homes kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    results = {
        "started": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{platform.platform()}, {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.2f} at the end",
        "revision": revision,
        "versions": ", ".join(f"{name} {version(name) or '-'}" for name in ("logos", *peers)) + f", Python {platform.python_version()}",
        "workload": (
            f"synthetic 1-minute bars (seed {args.seed}), each bar count split evenly over {counted(args.symbols)}, "
            f"one walk per symbol; SMA cross fast={FAST} slow={SLOW} on close, per symbol; "
            f"long {UNITS} unit while fast > slow, flat while fast < slow, a tie keeps the target; market orders; "
            f"cash {INITIAL_CASH:,} per symbol; no fees, no slippage"
        ),
        "repeat": args.repeat,
        "missing_peers": missing,
        "notes": notes,
        **measured,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = render(results)
    (out / "results.md").write_text(text)
    print(text)
    say(f"wrote {out / 'results.md'} and {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
