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


def bundled_data_dir() -> Path:
    """Return the data folder shipped inside the package (fixtures and symbol metadata).

    It lies in the package (``logos/data``) so a wheel carries it and an installed Logos finds
    it wherever it is run from; its layout is a home's ``data/`` folder (``cache/<class>/...``
    and ``symbols.toml``).
    """
    return Path(__file__).resolve().parent / "data"


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


def yfinance_cache_dir(root: Path) -> Path:
    """Return where yfinance keeps its time-zone and cookie caches: inside the home."""
    return root / "data" / "yfinance"


def symbol_filename(symbol: str) -> str:
    return symbol.replace("/", "-")


def symbols_files(root: Path) -> tuple[Path, ...]:
    """Return the symbol metadata files in the order they apply: the bundled table, then the
    home's own (which adds symbols and replaces the bundled entry of a symbol it defines)."""
    bundled = bundled_data_dir() / "symbols.toml"
    own = root / "data" / "symbols.toml"
    try:
        has_own = own != bundled and own.is_file()
    except OSError:  # a home path too long to look up has no file of its own
        has_own = False
    return (bundled, own) if has_own else (bundled,)


def sessions_dir(root: Path) -> Path:
    return root / "runs" / "live" / "sessions"


def session_dir(root: Path, session_id: str) -> Path:
    return sessions_dir(root) / session_id


def rehearsals_dir(root: Path) -> Path:
    return root / "runs" / "live" / "rehearsals"


def logs_dir(root: Path) -> Path:
    return root / "logos" / "logs"
