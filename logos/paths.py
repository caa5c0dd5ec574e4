"""Every location Logos reads or writes, resolved against one home folder.

The home is ``LOGOS_HOME`` (default: the current directory). Nothing else in the
project builds a path from scratch, so a test can point the whole engine at a
temporary folder by setting one variable.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SEED = 20251020
ASSET_CLASSES = ("equity", "crypto", "forex")


def home(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the home folder: the override, else ``LOGOS_HOME``, else the cwd."""
    if override is not None:
        return Path(override).expanduser().resolve()
    env = os.environ.get("LOGOS_HOME")
    return Path(env).expanduser().resolve() if env else Path.cwd().resolve()


def env_seed() -> int:
    """Return the session seed: ``LOGOS_SEED`` when set, else a fixed default.

    Every random choice in Logos draws from this value so reruns are identical.
    """
    raw = os.environ.get("LOGOS_SEED", "").strip()
    if not raw:
        return DEFAULT_SEED
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"LOGOS_SEED={raw!r} is not an integer; set it to a whole number such as 42") from None


def bundled_data_dir() -> Path:
    """Return the data folder shipped with the package (fixtures and symbol metadata)."""
    return Path(__file__).resolve().parent.parent / "data"


def data_dir(root: Path) -> Path:
    return root / "data"


def cache_dir(root: Path) -> Path:
    """Return the home's cache folder, or the bundled one when the home has none."""
    own = root / "data" / "cache"
    return own if own.is_dir() else bundled_data_dir() / "cache"


def uses_bundled_cache(root: Path) -> bool:
    return not (root / "data" / "cache").is_dir()


def cache_file(cache: Path, asset_class: str, symbol: str, interval: str = "1m") -> Path:
    """Return ``<cache>/<asset_class>/<SYMBOL>_<interval>.csv`` (``/`` in pairs becomes ``-``)."""
    return cache / asset_class / f"{symbol_filename(symbol)}_{interval}.csv"


def symbol_filename(symbol: str) -> str:
    return symbol.replace("/", "-")


def symbols_file(root: Path) -> Path:
    """Return the symbol metadata file: the home's own, else the bundled one."""
    own = root / "data" / "symbols.toml"
    return own if own.is_file() else bundled_data_dir() / "symbols.toml"


def sessions_dir(root: Path) -> Path:
    return root / "runs" / "live" / "sessions"


def session_dir(root: Path, session_id: str) -> Path:
    return sessions_dir(root) / session_id


def rehearsals_dir(root: Path) -> Path:
    return root / "runs" / "live" / "rehearsals"


def logs_dir(root: Path) -> Path:
    return root / "logos" / "logs"
