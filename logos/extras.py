"""The optional parts of Logos, the extra that installs each, and the one line that names it.

The core install runs paper sessions on cached bars. Polling a live feed, checking a broker
adapter and drawing the report need vendor libraries of tens of megabytes each, so each comes
with an extra of the distribution (``pip install 'logos-paper[ccxt]'``); a command that needs
one that is missing says which, before it does anything. Whether a module is installed is
asked of the import system without importing it, so the check costs nothing.
"""

from __future__ import annotations

import importlib.util

DISTRIBUTION = "logos-paper"
# extra -> the top-level modules Logos imports from it (pyproject.toml lists its requirements)
EXTRAS = {
    "ccxt": ("ccxt", "tenacity"),
    "yfinance": ("yfinance", "curl_cffi", "tenacity"),
    "alpaca": ("alpaca",),
    "report": ("plotly",),
}


def missing_extra(extra: str, needed_by: str) -> str | None:
    """Return the line saying ``needed_by`` needs ``extra`` and how to install it; None when it is installed."""
    absent = [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]
    if not absent:
        return None
    return (
        f"{needed_by} needs the {extra} extra ({', '.join(absent)} not installed); "
        f"fix: pip install '{DISTRIBUTION}[{extra}]' (in a checkout: pip install -e '.[{extra}]')"
    )
