"""``logos trade`` and ``logos resume`` start fast: they do not import what only another command needs.

typer builds every command on each run, so ``logos.cli`` imports the module of every command;
those modules import at the top only what ``trade`` and ``resume`` use, and each other command
imports its own machinery when it runs. Each test runs the real command in a fresh process and
lists the modules it had loaded when it exited.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from session_helpers import SIGKILLED, clean_env, session_dir

# Module -> the only reason a process would need it.
OTHER_COMMANDS_ONLY = {
    "logos.live.rehearse": "logos rehearse",
    "logos.diagrams": "logos diagram",
    "logos.adapters.health": "logos adapters check / validate-config",
    "logos.adapters.ib": "logos adapters check ib",
    "logos.adapters.ccxt_check": "logos adapters check ccxt",
    "logos.adapters.alpaca_check": "logos adapters check alpaca",
    "dotenv": "a home with a .env file",
    "rich.progress": "a progress bar, drawn only when stderr is a terminal",
    # typer 0.29 imports pydantic to parse every option (pyproject pins below it).
    "pydantic": "logos adapters check alpaca (alpaca-py's models)",
}

# Runs ``logos ARGS`` like the installed script, then writes sys.modules to the first argument.
PROBE = """
import sys
from pathlib import Path

listing = Path(sys.argv.pop(1))
sys.argv[0] = "logos"
try:
    from logos.cli import main

    main()
finally:
    listing.write_text("\\n".join(sorted(sys.modules)))
"""


def _loaded(args: list[str], home: Path, **extra_env: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    listing = home.parent / f"{home.name}-modules.txt"
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(listing), *args],
        cwd=home, env=clean_env(home, **extra_env), capture_output=True, text=True, timeout=180,
    )
    return run, set(listing.read_text().split()) if listing.exists() else set()


def _unneeded(loaded: set[str]) -> dict[str, str]:
    return {name: why for name, why in OTHER_COMMANDS_ONLY.items() if name in loaded}


def test_trade_with_a_short_session_loads_nothing_only_other_commands_need(tmp_path: Path):
    # Arrange
    home = tmp_path / "home"
    home.mkdir()

    # Act
    run, loaded = _loaded(["trade", "--paper", "--session-id", "quick", "--symbol", "SPY", "--speed", "max"], home)

    # Assert
    assert run.returncode == 0, run.stderr
    assert {"logos.live.runner", "logos.config.validation"} <= loaded, "the probe did not see the session run"
    assert _unneeded(loaded) == {}


def test_resume_after_a_crash_loads_nothing_only_other_commands_need(tmp_path: Path):
    # Arrange: a session that killed itself after journaling seq 40.
    home = tmp_path / "home"
    home.mkdir()
    crashed, _ = _loaded(["trade", "--paper", "--session-id", "crashed", "--symbol", "SPY", "--speed", "max"], home, LOGOS_FAULT_KILL_AFTER_SEQ="40")
    assert crashed.returncode == SIGKILLED, crashed.stderr
    assert not (session_dir(home, "crashed") / "positions.csv").exists()

    # Act
    run, loaded = _loaded(["resume", "crashed"], home)

    # Assert
    assert run.returncode == 0, run.stderr
    assert "logos.live.resume" in loaded, "the probe did not see the resume run"
    assert _unneeded(loaded) == {}
