"""Reducer throughput: events per second through ``reduce`` alone, no I/O.

    python -m benchmarks.reducer_throughput [--bars 200000] [--repeat 3]

A seeded random walk for one symbol drives a momentum session (the default SMA 10/30,
market orders, fills at the next open). The figure is the best of ``--repeat`` runs, so a
busy machine shows up as spread, not as a slower figure.
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from pyrsistent import pmap

from logos.core.events import BarClosed, SessionStarted
from logos.core.reducer import reduce
from logos.core.state import Params, initial_state
from logos.core.strategy_params import freeze_params
from logos.core.symbols import SymbolSpec

D = Decimal


def make_bars(count: int, seed: int = 7) -> list[BarClosed]:
    rng = random.Random(seed)
    price, start = 100_00, 1_700_000_000
    bars = []
    for i in range(count):
        opened, price = price, max(1_00, price + rng.randint(-30, 30))
        high, low = max(opened, price) + rng.randint(0, 10), min(opened, price) - rng.randint(0, 10)
        ts = start + 60 * i
        bars.append(BarClosed("SYN", ts, D(opened) / 100, D(high) / 100, D(low) / 100, D(price) / 100, D(rng.randint(50, 500)), ts + 60))
    return bars


def params() -> Params:
    spec = SymbolSpec("SYN", "crypto", D("0.01"), D("1"), D("1"), D("0.01"), D("100000000"), D("0.01"))
    return Params(
        "bench", 7, pmap({"SYN": spec}), ("SYN",), "momentum", freeze_params({"fast": 10, "slow": 30}), (), "",
        "units", D(1), "market", D(5), 5, "next_open", D(1), D(1), D("0.25"), D(100000),
        D(1000000), D(1000000), D(1000000), D(5000), "halt", 3600, 60,
    )


def run_once(bars: list[BarClosed]) -> tuple[float, int]:
    state, _ = reduce(initial_state(params()), SessionStarted("bench", 0, 7, "-"))
    started = time.perf_counter()
    for bar in bars:
        state, _ = reduce(state, bar)
    return time.perf_counter() - started, state.fills_applied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bars = make_bars(args.bars)
    runs = [run_once(bars) for _ in range(args.repeat)]
    best = min(seconds for seconds, _ in runs)
    print(f"reducer: {args.bars} bars, {runs[0][1]} fills; best of {args.repeat}: {best:.3f} s = {args.bars / best:,.0f} events/s")
    print("all runs (s): " + ", ".join(f"{seconds:.3f}" for seconds, _ in runs))


if __name__ == "__main__":
    main()
