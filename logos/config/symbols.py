"""Load ``symbols.toml`` into exact ``SymbolSpec`` records, refusing anything doubtful.

The bundled table comes first; a home's ``data/symbols.toml`` adds to it, and a symbol it
defines replaces the bundled entry whole. Every value has stated bounds (see
``docs/DATA-FORMAT.md``), so no symbol the loader accepts can make the core's exact
arithmetic round or overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from logos import paths
from logos.config.settings import MAX_AMOUNT, MAX_PLACES, Invalid, TomlError, bounded_decimal, read_toml
from logos.core.symbols import SymbolSpec
from logos.paths import ASSET_CLASSES

_STEP_FIELDS = ("price_tick", "qty_step", "lot_size", "cash_step")
# field -> (low, high, low is allowed)
BOUNDS: dict[str, tuple[Decimal, Decimal, bool]] = {
    **{name: (Decimal(1).scaleb(-MAX_PLACES), Decimal(10) ** 6, True) for name in _STEP_FIELDS},
    "min_notional": (Decimal(0), MAX_AMOUNT, True),
    "max_order_notional": (Decimal(0), MAX_AMOUNT, False),
}
_DECIMAL_FIELDS = ("price_tick", "qty_step", "lot_size", "min_notional", "max_order_notional", "cash_step")


class SymbolTableError(ValueError):
    """A malformed symbol file; the message is one line naming the file and the symbol."""


def load_symbol_table(home: Path) -> dict[str, SymbolSpec]:
    """Return the bundled symbols with the home's own added on top (its entry wins for a symbol in both)."""
    table: dict[str, SymbolSpec] = {}
    for path in paths.symbols_files(home):
        table.update(load_symbol_specs(path))
    return table


def load_symbol_specs(path: Path) -> dict[str, SymbolSpec]:
    """Return the specs in ``path`` keyed by symbol; raise ``SymbolTableError`` on any flaw."""
    try:
        data = read_toml(path)
    except FileNotFoundError:
        raise SymbolTableError(f"{path}: file not found; fix: create it or set LOGOS_HOME to a folder with data/symbols.toml") from None
    except TomlError as exc:
        raise SymbolTableError(f"{exc}; fix: correct the file") from None
    except OSError as exc:
        raise SymbolTableError(f"{path}: cannot be read ({exc.strerror}); fix: check its permissions") from None
    table = data.get("symbols")
    if not isinstance(table, dict) or not table:
        raise SymbolTableError(f"{path}: no [symbols.<SYMBOL>] tables; fix: add one table per symbol")
    return {symbol: _spec(path, symbol, fields) for symbol, fields in table.items()}


def _spec(path: Path, symbol: str, fields: Any) -> SymbolSpec:
    def fail(what: str) -> SymbolTableError:
        return SymbolTableError(f"{path}: symbol {_clip(symbol)}: {what}")

    if not isinstance(fields, dict):
        raise fail("is not a table; fix: write it as [symbols.\"" + symbol + "\"] with its fields")
    expected = {"asset_class", *_DECIMAL_FIELDS}
    missing = sorted(expected - fields.keys())
    if missing:
        raise fail(f"missing {', '.join(missing)}; fix: add them as decimal strings, e.g. price_tick = \"0.01\"")
    unknown = sorted(fields.keys() - expected)
    if unknown:
        raise fail(f"unknown field {', '.join(str(u)[:40] for u in unknown)}; fix: remove it (fields: {', '.join(sorted(expected))})")
    asset_class = fields["asset_class"]
    if asset_class not in ASSET_CLASSES:
        raise fail(f"asset_class {_clip(asset_class)} is not one of {', '.join(ASSET_CLASSES)}; fix: use one of them")
    values = {name: _decimal(fields[name], name, fail) for name in _DECIMAL_FIELDS}
    if values["lot_size"] % values["qty_step"] != 0:
        raise fail(f"lot_size {values['lot_size']} is not a multiple of qty_step {values['qty_step']}; fix: make it one")
    return SymbolSpec(symbol=symbol, asset_class=asset_class, **values)


def _decimal(raw: Any, name: str, fail: Callable[[str], SymbolTableError]) -> Decimal:
    low, high, low_allowed = BOUNDS[name]
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise fail(f"{name} = {_clip(raw)} is not a decimal; fix: write it as a string such as \"0.01\"")
    if isinstance(raw, int) and raw.bit_length() > 128:  # str() of one past 4300 digits raises
        raise fail(f"{name} is a whole number far above {high}; fix: correct the value")
    try:
        return bounded_decimal(str(raw).strip(), low, high, low_open=not low_allowed)
    except Invalid as exc:
        reason = "is not a decimal" if str(exc) in ("is empty", "is not a number") else str(exc)
        fix = "write it as a string such as \"0.01\"" if reason == "is not a decimal" else f"use a value from {low:f} to {high:f}"
        raise fail(f"{name} = {_clip(raw)} {reason}; fix: {fix}") from None


def _clip(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
