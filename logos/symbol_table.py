"""Load ``data/symbols.toml`` into exact ``SymbolSpec`` records, refusing anything doubtful."""

from __future__ import annotations

import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from logos.core.symbols import SymbolSpec
from logos.paths import ASSET_CLASSES

_DECIMAL_FIELDS = ("price_tick", "qty_step", "lot_size", "min_notional", "max_order_notional", "cash_step")
_MAY_BE_ZERO = {"min_notional"}


class SymbolTableError(ValueError):
    """A malformed symbol file; the message is one line naming the file and the symbol."""


def load_symbol_specs(path: Path) -> dict[str, SymbolSpec]:
    """Return the specs in ``path`` keyed by symbol; raise ``SymbolTableError`` on any flaw."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise SymbolTableError(f"{path}: file not found; fix: create it or set LOGOS_HOME to a folder with data/symbols.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise SymbolTableError(f"{path}: not valid TOML ({exc}); fix: correct the file") from None
    table = data.get("symbols")
    if not isinstance(table, dict) or not table:
        raise SymbolTableError(f"{path}: no [symbols.<SYMBOL>] tables; fix: add one table per symbol")
    return {symbol: _spec(path, symbol, fields) for symbol, fields in table.items()}


def _spec(path: Path, symbol: str, fields: Any) -> SymbolSpec:
    def fail(what: str) -> SymbolTableError:
        return SymbolTableError(f"{path}: symbol {symbol!r}: {what}")

    if not isinstance(fields, dict):
        raise fail("is not a table; fix: write it as [symbols.\"" + symbol + "\"] with its fields")
    expected = {"asset_class", *_DECIMAL_FIELDS}
    missing = sorted(expected - fields.keys())
    if missing:
        raise fail(f"missing {', '.join(missing)}; fix: add them as decimal strings, e.g. price_tick = \"0.01\"")
    unknown = sorted(fields.keys() - expected)
    if unknown:
        raise fail(f"unknown field {', '.join(unknown)}; fix: remove it (fields: {', '.join(sorted(expected))})")
    asset_class = fields["asset_class"]
    if asset_class not in ASSET_CLASSES:
        raise fail(f"asset_class {asset_class!r} is not one of {', '.join(ASSET_CLASSES)}; fix: use one of them")
    values = {name: _decimal(fields[name], name, fail) for name in _DECIMAL_FIELDS}
    if values["lot_size"] % values["qty_step"] != 0:
        raise fail(f"lot_size {values['lot_size']} is not a multiple of qty_step {values['qty_step']}; fix: make it one")
    return SymbolSpec(symbol=symbol, asset_class=asset_class, **values)


def _decimal(raw: Any, name: str, fail: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise fail(f"{name} = {raw!r} is not a decimal; fix: write it as a string such as \"0.01\"")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise fail(f"{name} = {raw!r} is not a decimal; fix: write it as a string such as \"0.01\"") from None
    if not value.is_finite() or value < 0 or (value == 0 and name not in _MAY_BE_ZERO):
        bound = "at least 0" if name in _MAY_BE_ZERO else "greater than 0"
        raise fail(f"{name} = {raw!r} must be {bound}; fix: correct the value")
    return value
