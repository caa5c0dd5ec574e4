"""Configuration validation: every problem at once, each one line naming the setting and the fix.

``validate`` adds to the loader's problems (malformed values) the checks that need the file
system or a vendor library: the home and kill-switch folders exist, every symbol has
metadata, the cache feed has a fixture per symbol, the feed can serve the symbols' asset
classes, and the chosen adapter's credentials are present and well formed. It never
touches the network.
"""

from __future__ import annotations

from logos import paths
from logos.core.symbols import SymbolSpec
from logos.settings import SPECS, Problem, Settings
from logos.symbol_table import SymbolTableError, load_symbol_specs

ADAPTERS = ("none", "ccxt", "alpaca", "ib")


def validate(settings: Settings, *, adapter: str | None = None) -> list[Problem]:
    """Return every problem with ``settings`` (empty: safe to run).

    ``adapter`` overrides ``settings.adapter`` for the credential checks.
    """
    problems = list(settings.problems)
    problems += _location_problems(settings)
    specs, symbol_problems = symbol_specs(settings)
    problems += symbol_problems
    problems += _feed_problems(settings, specs)
    problems += adapter_problems(settings, adapter or settings.adapter)
    return list(dict.fromkeys(problems))


def symbol_specs(settings: Settings) -> tuple[dict[str, SymbolSpec], list[Problem]]:
    """Return the specs of the configured symbols and a problem for each one lacking them."""
    path = paths.symbols_file(settings.home)
    try:
        table = load_symbol_specs(path)
    except SymbolTableError as exc:
        return {}, [Problem("symbols", str(exc))]
    where = settings.origin("symbols").where(SPECS["symbols"])
    problems = [
        Problem("symbols", f"{symbol!r} has no metadata in {path}; fix: add a [symbols.\"{symbol}\"] table there, or remove {symbol} from {where}")
        for symbol in settings.symbols
        if symbol not in table
    ]
    return {s: table[s] for s in settings.symbols if s in table}, problems


def _location_problems(settings: Settings) -> list[Problem]:
    problems = []
    if not settings.home.is_dir():
        problems.append(Problem("home", f"{settings.home} is not an existing folder; fix: create it or set LOGOS_HOME / pass --home to one"))
        return problems
    kill = settings.kill_switch_file
    spec = SPECS["kill_switch_file"]
    fix = settings.origin(spec.name).how_to_fix(spec)
    if not kill.parent.is_dir():
        problems.append(Problem(spec.name, f"{kill} is in a folder that does not exist, so the kill switch could never be touched; fix: create {kill.parent} or {fix} to a path in an existing folder"))
    elif kill.is_dir():
        problems.append(Problem(spec.name, f"{kill} is a folder, not a file path; fix: {fix} to a file path such as KILL_SWITCH"))
    return problems


def _feed_problems(settings: Settings, specs: dict[str, SymbolSpec]) -> list[Problem]:
    problems = []
    if settings.feed == "cache":
        cache = paths.cache_dir(settings.home)
        for symbol, spec in specs.items():
            fixture = paths.cache_file(cache, spec.asset_class, symbol)
            if not fixture.is_file():
                problems.append(Problem("feed", f"cache has no fixture for {symbol} ({fixture} is missing); fix: add that file, drop {symbol} from symbols, or set feed to yfinance or ccxt"))
    elif settings.feed == "ccxt":
        for symbol, spec in specs.items():
            if spec.asset_class != "crypto":
                problems.append(Problem("feed", f"ccxt serves crypto only, but {symbol} is {spec.asset_class}; fix: drop {symbol} from symbols or set feed to cache or yfinance"))
    return problems


def adapter_problems(settings: Settings, adapter: str) -> list[Problem]:
    """Return the credential problems of ``adapter`` (``none`` has none)."""
    if adapter == "ccxt":
        from logos.adapters.ccxt_check import prepare

        return prepare(settings)[1]
    if adapter == "alpaca":
        from logos.adapters.alpaca_check import credential_problems

        return credential_problems(settings)
    if adapter == "ib":
        return [Problem("adapter", "ib is a documented stub and cannot be used (see `logos adapters check ib`); fix: choose ccxt, alpaca or none")]
    if adapter != "none":
        return [Problem("adapter", f"{adapter!r} is not one of {', '.join(ADAPTERS)}; fix: pass --adapter with one of them")]
    return []
