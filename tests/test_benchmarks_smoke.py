"""Smoke test of the benchmark harness: it runs end to end and reports Logos. No timing asserted."""

from __future__ import annotations

import json
import pstats
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_run_with_1000_bars_and_no_peers_reports_a_logos_row(tmp_path: Path) -> None:
    # Arrange
    out = tmp_path / "bench"
    command = [sys.executable, "-m", "benchmarks.run", "--bars", "1000", "--skip-peers", "--out", str(out)]

    # Act
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)

    # Assert
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text())
    logos = [r for r in results["rows"] if r["engine"] == "logos" and r["bars"] == 1000]
    assert {r["fill_at"] for r in logos} == {"next_open", "same_close"}
    assert all(r["fills"] > 0 for r in logos)
    assert results["resume"]["artifacts_identical"] is True
    assert results["startup"][0]["engine"] == "logos"
    table = (out / "results.md").read_text()
    assert "| logos | next_open | 1,000 |" in table


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
