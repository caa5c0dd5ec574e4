"""The wheel is Logos as a user installs it: it carries the bundled fixtures and symbol table,
and the package imported from it finds them from any folder.

The wheel is built offline (no build isolation: the dev install brings setuptools) and
unpacked rather than pip-installed, so no package index is needed; `.ci/wheel` also installs
it with its dependencies into a fresh venv and runs a session there.
"""

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from session_helpers import clean_env, session_dir

ROOT = Path(__file__).resolve().parent.parent
# Runs ``logos ARGS`` as the installed script would, after saying where its bundled data is.
PROBE = """
import sys
from logos import paths
from logos.cli import main

print("bundled:", paths.bundled_data_dir())
sys.argv[0] = "logos"
main()
"""


def _checkout_files() -> list[str]:
    """The checkout's files as a clean clone would have them (tracked or new, never ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    return [name for name in listed if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy: setuptools' build/ folder in the checkout may hold files since removed.
    source = tmp_path_factory.mktemp("source")
    for name in _checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(dist)]
    built = subprocess.run(command, cwd=dist, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = dist.glob("*.whl")
    return found


def test_wheel_with_every_bundled_file_in_the_checkout_carries_each(wheel: Path) -> None:
    # Arrange
    listed = [name for name in _checkout_files() if name.startswith("logos/data/")]

    # Act
    names = set(zipfile.ZipFile(wheel).namelist())

    # Assert
    assert "logos/data/symbols.toml" in listed and any(name.endswith(".csv") for name in listed)
    assert sorted(set(listed) - names) == [], "files of logos/data the wheel does not carry"


def test_wheel_unpacked_and_run_from_an_empty_folder_completes_a_paper_session_on_its_own_data(tmp_path: Path, wheel: Path) -> None:
    # Arrange
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()

    # Act
    run = subprocess.run(
        [sys.executable, "-c", PROBE, "trade", "--paper", "--session-id", "w", "--symbol", "UPTREND"],
        cwd=empty, env=clean_env(PYTHONPATH=str(site)), capture_output=True, text=True, timeout=180,
    )

    # Assert
    assert run.returncode == 0, run.stdout + run.stderr
    bundled = Path(run.stdout.split("bundled:", 1)[1].split()[0])
    assert bundled == site / "logos" / "data", "the package imported is the wheel's, and its data is inside it"
    assert "replaying the fixtures bundled with Logos" in " ".join(run.stdout.split())
    assert "- Status: **completed**" in (session_dir(empty, "w") / "session.md").read_text()
    assert (empty / "logos" / "logs" / "w.log").is_file()


def test_wheel_metadata_with_its_licence_names_the_distribution_the_command_and_a_core_without_vendor_libraries(wheel: Path) -> None:
    # Arrange
    archive = zipfile.ZipFile(wheel)
    info = next(name.split("/")[0] for name in archive.namelist() if name.endswith(".dist-info/METADATA"))

    # Act
    metadata = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
    entry_points = archive.read(f"{info}/entry_points.txt").decode()

    # Assert
    assert metadata["Name"] == "logos-paper"
    assert metadata["License-Expression"] == "Apache-2.0"
    assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
    assert "logos = logos.cli:main" in entry_points
    core = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    vendors = ("ccxt", "yfinance", "alpaca-py", "pandas", "plotly", "tenacity", "numpy")
    assert [r for r in core if re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0] in vendors] == []
    assert set(metadata.get_all("Provides-Extra")) >= {"ccxt", "yfinance", "alpaca", "report", "bench", "dev"}
