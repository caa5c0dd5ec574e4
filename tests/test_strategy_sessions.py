"""An operator's own strategy through the real CLI: loaded by path, module or entry point,
listed, checked for determinism, crashed and resumed, refused after an edit, halted on failure."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from session_helpers import (
    CSV_ARTIFACTS,
    SIGKILLED,
    artifact_bytes,
    flat,
    folder_digest,
    journal,
    one_line_error,
    resume_until_done,
    run_logos,
    session_dir,
    uninterrupted,
)

SID = "own"
# Small fills spread each order over several bars; snapshots fall inside the session.
SLOW = ["--volume-share", "0.0005", "--snapshot-every", "400"]

# A strategy an operator would write: nothing from the repository but the protocol.
CHANNEL_SOURCE = textwrap.dedent(
    '''
    """A strategy written outside the Logos repository."""

    from decimal import Decimal

    from logos.core.strategy import Strategy
    from logos.core.strategy_params import DecimalParam, IntParam


    class Channel(Strategy):
        """Long in the upper part of the recent range, short in the lower part."""

        lookback = IntParam(15, low=2, high=500, help="bars the range spans")
        band = DecimalParam("0.25", low=0, high=Decimal("0.5"), help="share of the range at each end that trades")

        def setup(self):
            self.highs = self.lows = self.lookback

        def decide(self, markets, symbol):
            market = markets[symbol]
            if len(market.highs) < self.lookback:
                return None
            top, bottom = max(market.highs), min(market.lows)
            if top == bottom:
                return None
            where = (market.mark - bottom) / (top - bottom)
            target = 1 if where > 1 - self.band else -1 if where < self.band else market.signal
            return None if target == market.signal else {symbol: target}
    '''
)


@pytest.fixture
def strategy_file(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"  # a fresh folder outside the repository and the home
    folder.mkdir()
    path = folder / "channel.py"
    path.write_text(CHANNEL_SOURCE)
    return path


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    home.mkdir()
    return home


def _trade(path: Path, *extra: str) -> list[str]:
    return ["trade", "--paper", "--session-id", SID, "--strategy", f"{path}:Channel", *SLOW, *extra]


def test_own_strategy_by_path_is_listed_with_its_parameters(tmp_path: Path, strategy_file: Path) -> None:
    run = run_logos(["strategies", "list", "--path", str(strategy_file.parent)], _home(tmp_path, "home"))

    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    at = lines.index(f"{strategy_file}:Channel: Long in the upper part of the recent range, short in the lower part.")
    assert lines[at + 1].split() == ["lookback", "an", "int", "in", "[2,", "500]", "default", "15:", "bars", "the", "range", "spans"]
    assert lines[at + 2].startswith("  band ") and "a decimal in [0, 0.5]" in lines[at + 2] and "default 0.25:" in lines[at + 2]
    assert lines[0].startswith("momentum: "), "the built-ins are listed too"


def test_own_strategy_by_path_survives_a_kill_and_resume_with_identical_csvs(tmp_path: Path, strategy_file: Path) -> None:
    # Arrange: the reference run, never interrupted
    expected = uninterrupted(_trade(strategy_file), _home(tmp_path, "reference"), SID)
    assert expected["trades.csv"].count(b"\n") > 10, "the strategy trades"
    home = _home(tmp_path, "crashed")

    # Act: killed mid-session, then resumed (and killed once more during the resume)
    crashed = run_logos(_trade(strategy_file), home, crash_after=900)
    assert crashed.returncode == SIGKILLED, crashed.stderr
    runs = resume_until_done(home, SID, crashes=[2500])

    # Assert
    assert [r.returncode for r in runs] == [SIGKILLED, 0]
    assert artifact_bytes(session_dir(home, SID), CSV_ARTIFACTS) == expected


def test_own_strategy_edited_after_a_kill_is_refused_on_resume_naming_what_changed(tmp_path: Path, strategy_file: Path) -> None:
    # Arrange
    expected = uninterrupted(_trade(strategy_file), _home(tmp_path, "reference"), SID)
    home = _home(tmp_path, "home")
    assert run_logos(_trade(strategy_file), home, crash_after=900).returncode == SIGKILLED
    ran = hashlib.sha256(strategy_file.read_bytes()).hexdigest()
    strategy_file.write_text(CHANNEL_SOURCE.replace("IntParam(15,", "IntParam(12,"))
    now = hashlib.sha256(strategy_file.read_bytes()).hexdigest()
    folder = session_dir(home, SID)
    before = folder_digest(folder)

    # Act
    refused = run_logos(["resume", SID], home)
    forced = run_logos(["resume", SID, "--reset-guard", "strategy"], home)

    # Assert: refused, naming the file, both fingerprints and the parameter, and nothing changed;
    # a reset cannot help, as the journal after the snapshot was derived by the code that ran
    assert refused.returncode == 2
    line = flat(one_line_error(refused.stderr))
    assert f"strategy {strategy_file}:Channel changed since the session ran it" in line
    assert f"file {strategy_file}: fingerprint {ran[:16]} -> {now[:16]}" in line
    assert "parameter lookback: 15 -> 12" in line
    assert forced.returncode == 2
    assert "was derived by the code it ran" in flat(one_line_error(forced.stderr))
    assert folder_digest(folder) == before

    # Act: the code restored, the resume goes on
    strategy_file.write_text(CHANNEL_SOURCE)
    resumed = run_logos(["resume", SID], home)

    # Assert
    assert resumed.returncode == 0, resumed.stderr
    assert artifact_bytes(folder, CSV_ARTIFACTS) == expected


def test_own_strategy_edited_without_changing_what_it_does_is_accepted_with_a_reset(tmp_path: Path, strategy_file: Path) -> None:
    # Arrange
    expected = uninterrupted(_trade(strategy_file), _home(tmp_path, "reference"), SID)
    home = _home(tmp_path, "home")
    assert run_logos(_trade(strategy_file), home, crash_after=900).returncode == SIGKILLED
    strategy_file.write_text(CHANNEL_SOURCE + "# reviewed\n")
    now = hashlib.sha256(strategy_file.read_bytes()).hexdigest()
    folder = session_dir(home, SID)

    # Act
    refused = run_logos(["resume", SID], home)
    accepted = run_logos(["resume", SID, "--reset-guard", "strategy"], home)

    # Assert: even a comment is a change, until the operator accepts it; the journal records it
    assert refused.returncode == 2 and "pass --reset-guard strategy" in flat(refused.stderr)
    assert accepted.returncode == 0, accepted.stderr
    entries = journal(folder)
    changed = [e for e in entries if e["type"] == "StrategyChanged"]
    assert [(e["fingerprint"], e["values"]) for e in changed] == [(now, ["lookback=15", "band=0.25"])]
    resumed = next(e for e in entries if e["type"] == "SessionResumed")
    assert resumed["seq"] == changed[0]["seq"] + 1 and resumed["reset_guards"] == ["strategy"]
    assert artifact_bytes(folder, CSV_ARTIFACTS) == expected


# --- a strategy that fails -----------------------------------------------------------------

FAILING = CHANNEL_SOURCE + textwrap.dedent(
    '''

    class Failing(Channel):
        """Channel that divides by zero once the price passes 250."""

        def decide(self, markets, symbol):
            if markets[symbol].mark > 250:
                return {symbol: 1 / 0}
            return super().decide(markets, symbol)
    '''
)


def test_failing_strategy_halts_naming_it_the_bar_and_the_error_then_resumes_once_fixed(tmp_path: Path, strategy_file: Path) -> None:
    # Arrange
    strategy_file.write_text(FAILING)
    home = _home(tmp_path, "home")
    spec = f"{strategy_file}:Failing"

    # Act
    run = run_logos(["trade", "--paper", "--session-id", SID, "--strategy", spec], home)

    # Assert: halted (exit 3) with one strategy trip naming the strategy, the bar and the error
    assert run.returncode == 3, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    folder = session_dir(home, SID)
    trips = [e for e in journal(folder) if e["type"] == "GuardTripped"]
    assert [t["guard"] for t in trips] == ["strategy"]
    assert trips[0]["detail"].startswith(f"strategy {spec} failed on the ")
    assert trips[0]["detail"].endswith(": ZeroDivisionError: division by zero")
    assert "| strategy | failed | - | halt |" in (folder / "session.md").read_text()
    assert "--reset-guard strategy" in flat(run.stdout)

    # Act: without the reset the resume is refused; fixed and reset, it completes
    blocked = run_logos(["resume", SID], home)
    strategy_file.write_text(FAILING.replace("1 / 0", "1"))
    fixed = run_logos(["resume", SID, "--reset-guard", "strategy"], home)

    # Assert
    assert blocked.returncode == 2
    assert "halted by a failure of strategy" in flat(one_line_error(blocked.stderr))
    assert fixed.returncode == 0, fixed.stderr
    changed = [e for e in journal(folder) if e["type"] == "StrategyChanged"]
    assert [e["fingerprint"] for e in changed] == [hashlib.sha256(strategy_file.read_bytes()).hexdigest()]


# --- determinism check ---------------------------------------------------------------------

IMPURE = {
    "Lucky": """
import random


class Lucky(Channel):
    def decide(self, markets, symbol):
        if random.random() < 0.01:
            return {symbol: random.choice([-1, 1])}
        return super().decide(markets, symbol)
""",
    "Counting": """
class Counting(Channel):
    def decide(self, markets, symbol):
        self.calls = getattr(self, "calls", 0) + 1  # state of its own: the second run starts elsewhere
        if self.calls == 400:
            return {symbol: -markets[symbol].signal or 1}
        return super().decide(markets, symbol)
""",
}


@pytest.mark.parametrize("name", sorted(IMPURE))
def test_check_with_an_impure_strategy_exits_2_naming_the_first_difference_and_writes_nothing(tmp_path: Path, strategy_file: Path, name: str) -> None:
    strategy_file.write_text(CHANNEL_SOURCE + IMPURE[name])
    home = _home(tmp_path, "home")

    run = run_logos(["trade", "--paper", "--check", "--strategy", f"{strategy_file}:{name}"], home)

    assert run.returncode == 2
    line = flat(one_line_error(run.stderr))
    assert f"strategy {strategy_file}:{name} is not deterministic: the two runs differ at line " in line
    assert not (home / "runs").exists()


def test_check_with_a_pure_strategy_passes_and_writes_nothing(tmp_path: Path, strategy_file: Path) -> None:
    home = _home(tmp_path, "home")

    run = run_logos(["trade", "--paper", "--check", "--strategy", f"{strategy_file}:Channel"], home)

    assert run.returncode == 0, run.stderr
    assert f"strategy {strategy_file}:Channel is deterministic on 5850 bars" in flat(run.stdout)
    assert not (home / "runs").exists()


# --- the other ways to name a strategy -----------------------------------------------------


def test_relative_strategy_path_is_taken_from_the_home_not_the_current_folder(tmp_path: Path) -> None:
    home = _home(tmp_path, "home")
    (home / "strategies").mkdir()
    (home / "strategies" / "channel.py").write_text(CHANNEL_SOURCE)
    elsewhere = _home(tmp_path, "cwd")

    run = subprocess.run(
        [*_argv(), "trade", "--paper", "--session-id", SID, "--strategy", "strategies/channel.py:Channel", "--home", str(home)],
        cwd=elsewhere, env=_env(), capture_output=True, text=True, timeout=180,
    )

    assert run.returncode == 0, run.stderr
    assert session_dir(home, SID).is_dir()


def test_strategy_by_module_path_imports_it_from_pythonpath(tmp_path: Path) -> None:
    package = tmp_path / "lib" / "mystrats"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "channel.py").write_text(CHANNEL_SOURCE)
    home = _home(tmp_path, "home")

    run = run_logos(["trade", "--paper", "--session-id", SID, "--strategy", "mystrats.channel:Channel"], home, PYTHONPATH=str(tmp_path / "lib"))

    assert run.returncode == 0, run.stderr
    assert (session_dir(home, SID) / "trades.csv").read_text().count("\n") > 1


def _wheel(folder: Path) -> Path:
    """A wheel of a package registering Channel under ``logos.strategies`` (built by hand: no build backend offline)."""
    files = {
        "mystrats/__init__.py": "",
        "mystrats/channel.py": CHANNEL_SOURCE,
        "mystrats-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: mystrats\nVersion: 1.0\n",
        "mystrats-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "mystrats-1.0.dist-info/entry_points.txt": "[logos.strategies]\nchannel = mystrats.channel:Channel\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    record.append("mystrats-1.0.dist-info/RECORD,,")
    path = folder / "mystrats-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
        wheel.writestr("mystrats-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def test_strategy_registered_by_an_installed_package_is_listed_and_runs_by_name(tmp_path: Path) -> None:
    # Arrange: pip installs the wheel into a folder of its own, put on PYTHONPATH
    site = tmp_path / "site"
    wheel = _wheel(tmp_path)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        capture_output=True, text=True, timeout=180,
    )
    assert install.returncode == 0, install.stderr
    home = _home(tmp_path, "home")

    # Act
    listed = run_logos(["strategies", "list"], home, PYTHONPATH=str(site))
    run = run_logos(["trade", "--paper", "--session-id", SID, "--strategy", "channel"], home, PYTHONPATH=str(site))

    # Assert
    assert listed.returncode == 0, listed.stderr
    assert "channel: Long in the upper part of the recent range, short in the lower part." in listed.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    assert (session_dir(home, SID) / "trades.csv").read_text().count("\n") > 1


def _argv() -> list[str]:
    from session_helpers import logos_argv

    return logos_argv()


def _env() -> dict[str, str]:
    from session_helpers import clean_env

    return clean_env()


# --- the catalogue and the documented example ----------------------------------------------


def test_strategies_show_with_any_form_prints_parameters_windows_and_fingerprint(tmp_path: Path, strategy_file: Path) -> None:
    home = _home(tmp_path, "home")

    shown = run_logos(["strategies", "show", f"{strategy_file}:Channel"], home)
    builtin = run_logos(["strategies", "show", "momentum"], home)

    assert shown.returncode == 0, shown.stderr
    text = flat(shown.stdout)
    assert "kept per symbol at the defaults: 1 closes; rolling sums of closes: none; 15 highs; 15 lows" in text
    assert f"source: {strategy_file} (sha256 {hashlib.sha256(strategy_file.read_bytes()).hexdigest()})" in text
    assert "rolling sums of closes: last 10, last 30" in flat(builtin.stdout)


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("momentm", "no strategy is called 'momentm' (did you mean 'momentum'?)"),
        ("{file}:Chanel", "has no strategy class 'Chanel'; did you mean 'Channel'? the strategies it defines: Channel"),
        ("{folder}/missing.py:Channel", "missing.py does not exist (a relative path is taken from the home folder)"),
        ("no_such_module:Channel", "no module 'no_such_module' to load a strategy from"),
    ],
)
def test_strategies_show_with_a_strategy_that_cannot_be_found_is_one_line_exit_2(tmp_path: Path, strategy_file: Path, spec: str, said: str) -> None:
    run = run_logos(["strategies", "show", spec.format(file=strategy_file, folder=strategy_file.parent)], _home(tmp_path, "home"))

    assert run.returncode == 2
    assert said in flat(one_line_error(run.stderr))


def test_strategies_list_with_a_file_that_does_not_load_names_it_and_exits_2(tmp_path: Path, strategy_file: Path) -> None:
    (strategy_file.parent / "broken.py").write_text("def decide(:\n")

    run = run_logos(["strategies", "list", "--path", str(strategy_file.parent)], _home(tmp_path, "home"))

    assert run.returncode == 2
    assert f"cannot be loaded: strategy file {strategy_file.parent / 'broken.py'} cannot be loaded: SyntaxError" in flat(run.stdout)
    assert f"{strategy_file}:Channel: " in run.stdout, "the files that load are still listed"


def test_docs_strategies_example_runs_as_written(tmp_path: Path) -> None:
    # Arrange: the example of docs/STRATEGIES.md, saved where the doc says
    doc = (Path(__file__).resolve().parent.parent / "docs" / "STRATEGIES.md").read_text()
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    home = _home(tmp_path, "home")
    (home / "strategies").mkdir()
    (home / "strategies" / "mean_gap.py").write_text(code)
    spec = "strategies/mean_gap.py:MeanGap"

    # Act: the doc's commands
    checked = run_logos(["trade", "--paper", "--strategy", spec, "--params", '{"gap": 0.001}', "--check"], home)
    run = run_logos(["trade", "--paper", "--session-id", SID, "--strategy", spec, "--params", '{"gap": 0.001}'], home)

    # Assert
    assert checked.returncode == 0, checked.stderr
    assert run.returncode == 0, run.stderr
    trades = (session_dir(home, SID) / "trades.csv").read_text().splitlines()
    assert len(trades) > 10
