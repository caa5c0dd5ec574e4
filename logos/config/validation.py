"""Configuration validation: every problem at once, each one line naming the setting and the fix.

``validate`` is the one check `logos trade`, `logos rehearse` and `logos validate-config` run
before anything is written. To the loader's problems (malformed or out-of-bounds values,
unknown names, a ``.env`` that does not parse) it adds the checks that need the file system
or a vendor library: the home and kill-switch paths, every symbol has metadata (with the
closest known symbol when it has not), the cache feed has a fixture per symbol, the feed
can serve the symbols, its extra is installed and its exchange exists, the strategy accepts its params and finds
its pair legs, the chosen adapter's credentials are present and well formed. Warnings
(mixed trading hours, a ``.env`` others may read) are printed and the run goes on. It
never touches the network.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import NamedTuple, Protocol

from logos import paths
from logos.config.settings import SPECS, Problem, Settings
from logos.config.symbols import SymbolTableError, load_symbol_table
from logos.core.symbols import SymbolSpec
from logos.extras import missing_extra

# When each asset class trades: symbols of two kinds in one session leave one of them without
# bars for hours, and the stale-data guard halts the session.
TRADING_HOURS = {"equity": "exchange session hours", "forex": "24 hours on weekdays", "crypto": "24/7"}
DEFAULT_EXCHANGE = "binance"  # the ccxt feed's exchange when CCXT_EXCHANGE is not set


class Venues(Protocol):
    """The checks only a vendor's library can make, handed in by the shell (``logos.adapters.checks``)
    so that configuration imports no adapter."""

    def exchange_problems(self, settings: Settings, exchange_id: str) -> list[Problem]:
        """Problems with the ccxt exchange id (unknown to ccxt)."""
        ...

    def credential_problems(self, settings: Settings, adapter: str) -> list[Problem]:
        """Problems with the chosen adapter's credentials (``none`` has none)."""
        ...


class Findings(NamedTuple):
    """What ``validate`` found: any problem refuses the run; warnings are printed and it goes on."""

    problems: list[Problem]
    warnings: list[Problem]
    specs: dict[str, SymbolSpec]  # of the configured symbols that have metadata

    def lines(self) -> list[str]:
        """Return the lines to print: one ``error:`` line per problem, one ``warning:`` line per warning."""
        return [_one_line(f"error: {p}") for p in self.problems] + [_one_line(f"warning: {w}") for w in self.warnings]


def _one_line(text: str) -> str:
    # A control character the operator typed (shown back in a path, say) must not split the line.
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def validate(settings: Settings, venues: Venues, *, adapter: str | None = None, duration_s: int | None = None) -> Findings:
    """Return every problem and warning of ``settings`` (no problem: safe to run).

    ``venues`` makes the checks of the vendors' libraries; ``adapter`` overrides ``settings.adapter`` for the credential checks; ``duration_s`` is
    `logos trade --duration`, which only a polling feed honours.
    """
    problems = list(settings.problems)
    home = _home_problems(settings)
    if home or settings.unread:
        # Every other path resolves against the home; and checked against the defaults that
        # stand in for an unreadable file's values, the rest would only mislead.
        return Findings(problems + home, list(settings.warnings), {})
    # A check of a value already refused would run on its default and report a ghost.
    refused = {p.setting for p in problems}
    if "kill_switch_file" not in refused:
        problems += _kill_switch_problems(settings)
    specs: dict[str, SymbolSpec] = {}
    if "symbols" not in refused:
        specs, symbol_problems = symbol_specs(settings)
        problems += symbol_problems
    if not refused & {"symbols", "feed"}:
        problems += _feed_problems(settings, specs, duration_s, venues)
    if not refused & {"symbols", "strategy", "params"}:
        problems += strategy_problems(settings)
    problems += venues.credential_problems(settings, adapter or settings.adapter)
    warnings = list(settings.warnings) + _hours_warnings(settings, specs)
    return Findings(list(dict.fromkeys(problems)), warnings, specs)


def symbol_specs(settings: Settings) -> tuple[dict[str, SymbolSpec], list[Problem]]:
    """Return the specs of the configured symbols and a problem for each one lacking them."""
    try:
        table = load_symbol_table(settings.home)
    except SymbolTableError as exc:
        return {}, [Problem("symbols", str(exc))]
    where = settings.origin("symbols").where(SPECS["symbols"])
    files = " or ".join(str(p) for p in paths.symbols_files(settings.home))
    problems = [
        Problem("symbols", f"{symbol!r} has no metadata in {files}; fix: {_symbol_fix(symbol, table, where, settings.home)}")
        for symbol in settings.symbols
        if symbol not in table
    ]
    return {s: table[s] for s in settings.symbols if s in table}, problems


def _symbol_fix(symbol: str, table: dict[str, SymbolSpec], where: str, home: Path) -> str:
    add = f"add a [symbols.\"{symbol}\"] table to {paths.data_dir(home) / 'symbols.toml'}"
    close = closest_symbol(symbol, table)
    if close is not None:
        return f"did you mean {close}? write it so in {where}, or {add}"
    return f"{add}, or remove {symbol} from {where}"


def closest_symbol(symbol: str, known: dict[str, SymbolSpec]) -> str | None:
    """Return the known symbol ``symbol`` most likely means: same letters in any case and with
    ``-`` for ``/`` (``aapl``, ``ETH-USDT``), else the closest spelling."""
    def bare(name: str) -> str:
        return name.upper().replace("-", "").replace("/", "")

    same = [name for name in known if bare(name) == bare(symbol)]
    if same:
        return same[0]
    close = difflib.get_close_matches(symbol.upper(), sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _home_problems(settings: Settings) -> list[Problem]:
    error = _lookup_error(settings.home)
    if error or not settings.home.is_dir():
        why = f" ({error})" if error else ""
        return [Problem("home", f"{_short(settings.home)} is not an existing folder{why}; fix: create it or set LOGOS_HOME / pass --home to one")]
    return []


def _kill_switch_problems(settings: Settings) -> list[Problem]:
    kill = settings.kill_switch_file
    spec = SPECS["kill_switch_file"]
    fix = settings.origin(spec.name).how_to_fix(spec)
    error = _lookup_error(kill)
    if error:
        return [Problem(spec.name, f"{_short(kill)} cannot be used as a file name ({error}); fix: {fix} to a short path such as KILL_SWITCH")]
    if not kill.parent.is_dir():
        return [Problem(spec.name, f"{kill} is in a folder that does not exist, so the kill switch could never be touched; fix: create {kill.parent} or {fix} to a path in an existing folder")]
    if kill.is_dir():
        return [Problem(spec.name, f"{kill} is a folder, not a file path; fix: {fix} to a file path such as KILL_SWITCH")]
    if kill.exists():
        return [Problem(spec.name, f"{kill} exists, so a session would halt at its first event; fix: delete {kill} once the reason it was created is dealt with, or {fix} to another path")]
    return []


def _lookup_error(path: Path) -> str:
    """Return why the system cannot even look ``path`` up (a name too long, ...), or ""."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return ""
    except (OSError, ValueError) as exc:
        return getattr(exc, "strerror", None) or str(exc)
    return ""


def _short(path: Path, limit: int = 80) -> str:
    text = str(path)
    return text if len(text) <= limit else text[: limit // 2] + "..." + text[-limit // 4 :]


def _feed_problems(settings: Settings, specs: dict[str, SymbolSpec], duration_s: int | None, venues: Venues) -> list[Problem]:
    absent = missing_extra(settings.feed, settings.origin("feed").describe(SPECS["feed"])) if settings.feed != "cache" else None
    problems = [] if absent is None else [Problem("feed", absent)]
    if settings.feed == "cache":
        cache = paths.cache_dir(settings.home)
        for symbol, spec in specs.items():
            fixture = paths.cache_file(cache, spec.asset_class, symbol)
            if not fixture.is_file():
                problems.append(Problem("feed", f"cache has no fixture for {symbol} ({fixture} is missing); fix: add that file, drop {symbol} from symbols, or set feed to yfinance or ccxt"))
        if duration_s is not None:
            problems.append(Problem("feed", "--duration applies to polling feeds only; a cache replay ends with its files; fix: drop --duration, or set feed to yfinance or ccxt"))
    elif settings.feed == "ccxt":
        for symbol, spec in specs.items():
            if spec.asset_class != "crypto":
                problems.append(Problem("feed", f"ccxt serves crypto only, but {symbol} is {spec.asset_class}; fix: drop {symbol} from symbols or set feed to cache or yfinance"))
        if absent is None:
            problems += venues.exchange_problems(settings, settings.ccxt_exchange or DEFAULT_EXCHANGE)
    if settings.feed != "cache" and settings.fill_at == "same_close":
        # A polled bar arrives after its close; filling at that close would trade at a price
        # from before the decision, which a live market never offers.
        fill_at = SPECS["fill_at"]
        where = settings.origin(fill_at.name).where(fill_at)
        problems.append(Problem("fill_at", f"same_close fills at the close the order was decided on, a price a polled feed has already left behind; fix: drop {where} (next_open is the default) or replay the cache with --feed cache"))
    return problems


def strategy_problems(settings: Settings) -> list[Problem]:
    """Return why the strategy cannot be loaded, built from its params, or run on the symbols."""
    # imported here: loading a strategy may run the operator's code
    from logos.strategy_loader import SettingError, configured

    try:
        configured(settings.strategy, settings.params, tuple(settings.symbols), settings.home)
    except SettingError as exc:
        spec = SPECS[exc.setting]
        origin = settings.origin(spec.name)
        if exc.setting == "strategy":
            return [Problem(spec.name, f"{origin.describe(spec)} cannot be loaded: {exc}; fix: {origin.how_to_fix(spec)} to {spec.kind.expect}")]
        if exc.setting == "params":
            return [Problem(spec.name, f"{origin.describe(spec)} does not suit strategy {settings.strategy}: {exc}; fix: {origin.how_to_fix(spec)} to values {settings.strategy} accepts")]
        params_where = settings.origin("params").where(SPECS["params"])
        return [Problem(spec.name, f"{exc}; fix: list the symbols it needs in {origin.where(spec)}, or change its params in {params_where}")]
    return []


def _hours_warnings(settings: Settings, specs: dict[str, SymbolSpec]) -> list[Problem]:
    classes: dict[str, list[str]] = {}
    for symbol, spec in specs.items():
        classes.setdefault(spec.asset_class, []).append(symbol)
    if len(classes) < 2:
        return []
    kinds = "; ".join(f"{', '.join(symbols)} trade{'s' if len(symbols) == 1 else ''} {TRADING_HOURS[c]}" for c, symbols in classes.items())
    return [
        Problem(
            "symbols",
            f"the symbols trade at different hours ({kinds}): while one kind has no bars the stale-data guard "
            f"halts the session after stale_after_s ({settings.stale_after_s}s); fix: trade one asset class per session",
        )
    ]
