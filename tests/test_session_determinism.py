"""Same fixtures, config, seed and session id => byte-identical journal and CSV artifacts.

Each pair of runs happens in two real processes with different homes (one named by
``--home``, one by ``LOGOS_HOME``) and different ``PYTHONHASHSEED`` values, so neither a
home path nor set/dict ordering can leak into the record.
"""

from __future__ import annotations

import json

from pathlib import Path
from typing import Callable

import pytest

from session_helpers import DETERMINISTIC, artifact_bytes, invoke, journal, partial_fill_seqs, rows, run_logos, session_dir

CONFIGS = {
    "default": [],
    "crypto_mean_reversion_partial_fills": [
        "--symbol", "BTC/USDT", "--symbol", "ETH/USDT", "--strategy", "mean_reversion", "--volume-share", "0.002",
    ],
    "limit_orders": ["--order-type", "limit", "--snapshot-every", "700"],
}


Pair = Callable[[str], tuple[Path, Path]]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """Run a configuration twice, once per module, whichever tests ask for it first."""
    made: dict[str, tuple[Path, Path]] = {}

    def get(name: str) -> tuple[Path, Path]:
        if name not in made:
            made[name] = _two_runs(tmp_path_factory.mktemp(name), CONFIGS[name])
        return made[name]

    return get


def _two_runs(tmp_path: Path, options: list[str]) -> tuple[Path, Path]:
    first, second = tmp_path / "first home", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    args = ["trade", "--paper", "--session-id", "same", *options]
    a = run_logos([*args, "--home", str(first)], first, env_home=False, PYTHONHASHSEED="1")
    b = run_logos(args, second, PYTHONHASHSEED="2")
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    return session_dir(first, "same"), session_dir(second, "same")


@pytest.mark.parametrize("name", CONFIGS)
def test_rerun_with_same_inputs_seed_and_id_is_byte_identical(pair: Pair, name: str) -> None:
    # Arrange / Act
    a, b = pair(name)

    # Assert
    first, second = artifact_bytes(a), artifact_bytes(b)
    differing = [name for name in DETERMINISTIC if first[name] != second[name]]
    assert differing == []
    assert len(rows(a / "trades.csv")) >= 20, "the configuration should trade, or the comparison proves little"
    assert len(rows(a / "account.csv")) >= 1000


def test_rerun_with_small_volume_share_compares_sessions_with_partial_fills_and_cancels(pair: Pair) -> None:
    # The crypto configuration is meant to exercise orders filled over several bars.
    # Arrange
    folder, _ = pair("crypto_mean_reversion_partial_fills")

    # Act
    entries = journal(folder)

    # Assert
    assert partial_fill_seqs(entries)
    assert any(e["type"] == "OrderCanceled" for e in entries)
    fills = [e for e in entries if e["type"] == "OrderFilled"]
    assert len({e["client_id"] for e in fills}) < len(fills)


def test_session_md_with_different_logos_seed_records_each_seed(tmp_path: Path) -> None:
    # Arrange
    homes = {seed: tmp_path / seed for seed in ("7", "8")}
    for home in homes.values():
        home.mkdir()

    # Act
    for seed, home in homes.items():
        result = invoke(["trade", "--paper", "--session-id", "seeded", "--symbol", "UPTREND", "--home", str(home)], LOGOS_SEED=seed)
        assert result.exit_code == 0, result.output

    # Assert
    for seed, home in homes.items():
        folder = session_dir(home, "seeded")
        report = (folder / "session.md").read_text()
        assert f"- Seed: {seed} (from LOGOS_SEED in the environment)" in report.splitlines()
        assert journal(folder)[0]["seed"] == int(seed)
    seven, eight = (session_dir(h, "seeded") / "state.jsonl" for h in homes.values())
    assert seven.read_bytes() != eight.read_bytes()


def test_session_md_without_logos_seed_records_the_fixed_default(tmp_path: Path) -> None:
    # Act
    result = invoke(["trade", "--paper", "--session-id", "unseeded", "--symbol", "UPTREND", "--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 0, result.output
    assert "- Seed: 20251020 (from the default)" in (session_dir(tmp_path, "unseeded") / "session.md").read_text()


def test_rerun_in_one_process_after_other_sessions_matches_a_fresh_process(tmp_path: Path, pair: Pair) -> None:
    # Nothing a session leaves behind in the process (caches, loggers) may change the next one.
    # Arrange
    fresh, _ = pair("default")
    other, same = tmp_path / "other", tmp_path / "same"
    other.mkdir()
    same.mkdir()
    earlier = invoke(["trade", "--paper", "--session-id", "same", "--home", str(other), *CONFIGS["limit_orders"]])
    assert earlier.exit_code == 0, earlier.output

    # Act
    result = invoke(["trade", "--paper", "--session-id", "same", "--home", str(same)])

    # Assert
    assert result.exit_code == 0, result.output
    assert artifact_bytes(session_dir(same, "same")) == artifact_bytes(fresh)


@pytest.mark.parametrize(
    ("name", "options", "exit_code"),
    [
        ("partial_fills", CONFIGS["crypto_mean_reversion_partial_fills"], 0),
        ("drawdown_halt", ["--volume-share", "0.0001", "--max-drawdown-bps", "30"], 3),
    ],
)
def test_max_speed_replay_in_quiet_runs_matches_a_paced_replay_bar_by_bar(tmp_path: Path, name: str, options: list[str], exit_code: int) -> None:
    # --speed max folds stretches of quiet bars in one reducer call; a paced replay hands the
    # reducer one bar at a time. The record must not tell them apart, even where a guard
    # halts the session in the middle of a stretch.
    # Arrange
    homes = {speed: tmp_path / speed for speed in ("max", "1000000")}

    # Act
    for speed, home in homes.items():
        home.mkdir()
        run = run_logos(["trade", "--paper", "--session-id", name, "--speed", speed, *options], home)
        assert run.returncode == exit_code, run.stderr

    # Assert
    fast, paced = (artifact_bytes(session_dir(home, name)) for home in homes.values())
    assert [n for n in DETERMINISTIC if fast[n] != paced[n]] == []
    # The feed figures (bars and worst lag per symbol, counted in lists or one by one) agree too.
    fast_feed, paced_feed = (json.loads((session_dir(h, name) / "state.json").read_text())["shell"]["feed"] for h in homes.values())
    assert fast_feed == paced_feed and sum(f["bars"] for f in fast_feed.values()) > 0
    entries = journal(session_dir(homes["max"], name))
    assert sum(e["type"] == "OrderFilled" for e in entries) >= 10
    if exit_code == 3:
        assert entries[-1]["type"] == "SessionHalted" and entries[-1]["causes"] == ["drawdown"]
