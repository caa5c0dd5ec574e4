"""Profile the benchmark session: ``python -m benchmarks.hot_path [--bars N] [--symbols N] [--fill-at F] [--out DIR]``.

Runs the workload's Logos session once, in a process of its own under cProfile (the same
command line as the timed runs), and writes the profile where pstats or a viewer can read
it, with the functions that take the most time printed as a table. A profiler slows
small Python calls by about half again, so these figures say where the time goes, not how
much there is: the timings are ``python -m benchmarks.run``'s.
"""

from __future__ import annotations

import argparse
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import NEXT_OPEN, SAME_CLOSE, SEED, SLOW
from benchmarks.logos_runs import allow_open_files, clean_env, trade_options
from benchmarks.synthetic import make_home


def profile_session(home: Path, bars: int, symbols: list[str], fill_at: str, out: Path) -> Path:
    """Run the session under cProfile; return the ``.prof`` file it wrote."""
    suffix = "" if len(symbols) == 1 else f"x{len(symbols)}"
    profile = out / f"logos-{fill_at}-{bars}{suffix}.prof"
    command = [
        sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "logos.live",
        "trade", "--paper", "--home", str(home), "--session-id", f"profile-{fill_at}", "--fill-at", fill_at, *trade_options(symbols),
    ]
    done = subprocess.run(command, env=clean_env(), capture_output=True, text=True)
    if done.returncode != 0:
        tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise RuntimeError(f"the profiled session exited {done.returncode}: {tail}")
    return profile


def top_table(profile: Path, top: int, order: str) -> str:
    """The ``top`` functions of ``profile`` by ``order`` (tottime or cumulative), as pstats prints them."""
    text = io.StringIO()
    stats = pstats.Stats(str(profile), stream=text)
    stats.strip_dirs().sort_stats(order).print_stats(top)
    return text.getvalue()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hot_path", description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000, help="bars in the series (default: 100000)")
    parser.add_argument("--symbols", type=int, default=1, help="symbols to split the bars over (default: 1)")
    parser.add_argument("--fill-at", choices=(NEXT_OPEN, SAME_CLOSE), default=NEXT_OPEN, help="fill convention (default: next_open)")
    parser.add_argument("--top", type=int, default=30, help="functions to list (default: 30)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the synthetic series (default: {SEED})")
    parser.add_argument("--out", type=Path, default=Path("runs") / "bench" / "profile", help="folder for the profile (default: runs/bench/profile)")
    args = parser.parse_args(argv)
    if args.bars < 2 * SLOW or args.top < 1 or args.symbols < 1:
        parser.error(f"--bars must be at least {2 * SLOW}, --top and --symbols at least 1")
    if args.bars % args.symbols:
        parser.error(f"--bars {args.bars} does not split evenly over --symbols {args.symbols}; pick counts that divide it")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: cannot create --out {args.out}: {exc.strerror}; pick a folder you can write to", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="logos-profile-"))
    try:
        allow_open_files(args.symbols)
        symbols = list(make_home(home, args.bars, args.seed, args.symbols))
        print(f"profiling a {args.bars:,}-bar session over {args.symbols:,} symbols ({args.fill_at}) under cProfile", file=sys.stderr, flush=True)
        profile = profile_session(home, args.bars, symbols, args.fill_at, args.out)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(home, ignore_errors=True)
    report = "\n".join(
        [f"# By own time (tottime), top {args.top}", top_table(profile, args.top, "tottime"),
         f"# By cumulative time, top {args.top}", top_table(profile, args.top, "cumulative")]
    )
    summary = profile.with_suffix(".txt")
    summary.write_text(report)
    print(report)
    print(f"wrote {profile} (pstats, or a viewer such as snakeviz) and {summary}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
