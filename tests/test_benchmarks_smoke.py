"""Smoke test of the benchmark harness: it runs end to end, over one symbol and several, and reports Logos. No timing asserted."""

from __future__ import annotations

import json
import pstats
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from benchmarks import FAST, NEXT_OPEN, SAME_CLOSE, SEED, SLOW, SYMBOL, UNITS
from benchmarks.report import agreement
from benchmarks.synthetic import bars, make_home, series_seed, symbol_names

REPO = Path(__file__).resolve().parent.parent


def sma_fills(bars_each: int, seed: int, fill_at: str) -> int:
    """Count the workload's fills on one walk, straight from its ticks: a model of the strategy apart from every engine.

    The target changes when the exact averages cross (a tie keeps it); each change is one
    fill of one unit, except that an order of the last bar fills only at that bar's close.
    """
    closes: list[int] = []
    target, fills = 0, 0
    for index, bar in enumerate(bars(bars_each, seed)):
        closes = [*closes[-(SLOW - 1):], bar.close]
        if len(closes) < SLOW:
            continue
        fast, slow = sum(closes[-FAST:]) * SLOW, sum(closes) * FAST
        wanted = UNITS if fast > slow else 0 if fast < slow else target
        if wanted != target:
            target = wanted
            fills += fill_at == SAME_CLOSE or index < bars_each - 1
    return fills


def test_benchmark_run_over_1_and_4_symbols_without_peers_fills_every_symbol_as_the_strategy_says(tmp_path: Path) -> None:
    # Arrange
    out = tmp_path / "bench"
    command = [sys.executable, "-m", "benchmarks.run", "--bars", "1200", "--symbols", "1", "4", "--skip-peers", "--out", str(out)]

    # Act
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)

    # Assert
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text())
    rows = {(r["symbols"], r["fill_at"]): r for r in results["rows"] if r["engine"] == "logos" and r["bars"] == 1200}
    assert set(rows) == {(count, fill_at) for count in (1, 4) for fill_at in (NEXT_OPEN, SAME_CLOSE)}
    for (count, fill_at), row in rows.items():
        expected = {name: sma_fills(1200 // count, series_seed(SEED, index), fill_at) for index, name in enumerate(symbol_names(count))}
        assert row["fills_by_symbol"] == {name: fills for name, fills in expected.items() if fills}
        assert row["fills"] == sum(expected.values()) > 0
    assert len(rows[4, NEXT_OPEN]["fills_by_symbol"]) == 4
    assert [(r["symbols"], r["artifacts_identical"]) for r in results["resumes"]] == [(1, True), (4, True)]
    assert results["startup"][0]["engine"] == "logos"
    table = (out / "results.md").read_text()
    assert "| logos | next_open | 1,200 | 1 |" in table
    assert "| logos | same_close | 1,200 | 4 |" in table


def test_benchmark_run_with_bars_that_do_not_split_over_the_symbols_says_so(tmp_path: Path) -> None:
    # Arrange
    command = [sys.executable, "-m", "benchmarks.run", "--bars", "1000", "--symbols", "3", "--skip-peers", "--out", str(tmp_path / "bench")]

    # Act
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)

    # Assert
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("--bars 1000 does not split evenly over --symbols 3; pick counts that divide it")
    assert not (tmp_path / "bench").exists()


def test_a_home_of_several_symbols_keeps_the_one_symbol_series_first_and_gives_the_others_their_own(tmp_path: Path) -> None:
    # Arrange
    alone = make_home(tmp_path / "one", 300, SEED)

    # Act
    several = make_home(tmp_path / "four", 1200, SEED, 4)

    # Assert
    assert list(alone) == [SYMBOL]
    assert list(several) == ["SYN0/USD", "SYN1/USD", "SYN2/USD", "SYN3/USD"]
    texts = [csv.read_text() for csv in several.values()]
    assert texts[0] == alone[SYMBOL].read_text()
    assert len(set(texts)) == 4
    assert all(text.count("\n") == 301 for text in texts)
    assert {text.splitlines()[-1][:20] for text in texts} == {"2024-01-01T04:59:00Z"}
    assert (tmp_path / "four" / "data" / "symbols.toml").read_text().count("[symbols.") == 4


@given(
    fills=st.dictionaries(st.sampled_from(symbol_names(20)), st.integers(1, 50), min_size=1),
    data=st.data(),
)
def test_agreement_at_the_close_forgives_a_peer_exactly_the_last_bar_orders_it_left_unfilled(fills: dict[str, int], data: st.DataObject) -> None:
    # Arrange
    unfilled = data.draw(st.sets(st.sampled_from(sorted(fills))))
    # With next_open fills Logos lets such an order expire too: left open, yet the counts agree.
    expired = data.draw(st.sets(st.sampled_from(symbol_names(20)))) - unfilled
    peer_fills = {s: n - (s in unfilled) for s, n in fills.items() if n - (s in unfilled)}
    logos = {"fills_by_symbol": fills, "final_equity": 100.0}
    left_open = dict.fromkeys(unfilled | expired, 1)
    peer = {"engine": "backtrader", "fill_at": SAME_CLOSE, "fills_by_symbol": peer_fills, "open_by_symbol": left_open, "final_equity": 100.0}

    # Act
    verdict = agreement(logos, peer)
    at_next_open = agreement(logos, {**peer, "fill_at": NEXT_OPEN})

    # Assert
    if unfilled:
        assert verdict == f"yes, but for {len(unfilled)} order{'s' * (len(unfilled) != 1)} of a symbol's last bar, which backtrader never fills"
        assert at_next_open.startswith(f"NO: fills differ in {len(unfilled)} symbol")
    else:
        assert verdict == at_next_open == "yes"


@given(
    fills=st.dictionaries(st.sampled_from(symbol_names(20)), st.integers(0, 50), min_size=1),
    data=st.data(),
)
def test_agreement_says_no_when_a_symbol_differs_beyond_its_unfilled_orders_or_equity_differs(fills: dict[str, int], data: st.DataObject) -> None:
    # Arrange
    symbol = data.draw(st.sampled_from(sorted(fills)))
    shift = data.draw(st.integers(-min(3, fills[symbol]), 3).filter(bool))
    peer_fills = {**fills, symbol: fills[symbol] + shift}
    equity_off = data.draw(st.booleans())
    logos = {"fills_by_symbol": fills, "final_equity": 100.0}
    peer = {"engine": "nautilus_trader", "fill_at": SAME_CLOSE, "fills_by_symbol": peer_fills, "open_by_symbol": {}, "final_equity": 100.0 + equity_off}

    # Act
    verdict = agreement(logos, peer)
    same_fills_other_equity = agreement(logos, {**peer, "fills_by_symbol": fills, "final_equity": 100.5})

    # Assert
    assert verdict.startswith(f"NO: fills differ in 1 symbol (first {symbol}: Logos {fills[symbol]}, nautilus_trader {fills[symbol] + shift})")
    assert same_fills_other_equity == "NO: final equity differs"


def test_hot_path_with_1000_bars_writes_a_profile_of_the_reducer(tmp_path: Path) -> None:
    # Arrange
    command = [sys.executable, "-m", "benchmarks.hot_path", "--bars", "1000", "--top", "5", "--out", str(tmp_path)]

    # Act
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)

    # Assert
    assert done.returncode == 0, done.stderr
    profile = tmp_path / "logos-next_open-1000.prof"
    functions = {name for _, _, name in pstats.Stats(str(profile)).stats}  # type: ignore[attr-defined]
    assert {"reduce_events", "_take_bar"} <= functions
    assert "By own time (tottime), top 5" in (tmp_path / "logos-next_open-1000.txt").read_text()


def test_hot_path_with_out_under_a_file_says_so_in_one_line(tmp_path: Path) -> None:
    # Arrange
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    command = [sys.executable, "-m", "benchmarks.hot_path", "--bars", "1000", "--out", str(blocker / "profile")]

    # Act
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)

    # Assert
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: cannot create --out {blocker / 'profile'}: Not a directory; pick a folder you can write to"]
    assert blocker.read_text() == ""
