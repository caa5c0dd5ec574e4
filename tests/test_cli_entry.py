"""How the command line is started: the ``logos`` script, ``python -m logos``, ``--version``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from session_helpers import clean_env, run_logos, session_dir

from logos.version import __version__


def test_version_with_installed_script_prints_the_package_version(tmp_path: Path) -> None:
    # Act
    run = run_logos(["--version"], tmp_path)

    # Assert
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"logos {__version__}\n"


def test_python_m_logos_with_a_session_runs_the_same_command(tmp_path: Path) -> None:
    # Act: the second run starts in a home that now has logos/logs/, shadowing nothing
    trade = subprocess.run(
        [sys.executable, "-m", "logos", "trade", "--paper", "--session-id", "m", "--symbol", "UPTREND"],
        cwd=tmp_path, capture_output=True, text=True, env=clean_env(tmp_path), timeout=120,
    )
    version = subprocess.run(
        [sys.executable, "-m", "logos", "--version"], cwd=tmp_path, capture_output=True, text=True, env=clean_env(tmp_path), timeout=60
    )

    # Assert
    assert trade.returncode == 0, trade.stderr
    assert (tmp_path / "logos" / "logs").is_dir()
    assert version.stdout == f"logos {__version__}\n", version.stderr
    assert (session_dir(tmp_path, "m") / "summary.json").is_file()
