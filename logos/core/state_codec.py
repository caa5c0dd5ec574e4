"""Exact JSON round-trip of the whole session state (the ``state.json`` snapshot).

Records become objects in field order, pyrsistent maps and open orders become objects with sorted keys,
Decimals become strings. Decoding follows each record's type hints, so ``load(dump(s)) == s``
holds for every state without per-record code.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pyrsistent import PMap, PVector, pmap, pvector

from logos.core.events import GuardTripped
from logos.core.open_orders import OpenOrders
from logos.core.order import Order
from logos.core.state import Market, Params, Position, SessionState
from logos.core.symbol_map import SymbolMap
from logos.core.symbols import SymbolSpec

FORMAT_VERSION = 4  # 2: Market.sums; 3: Market.fresh_at (staleness from the bar close), paused sessions;
# 4: Market.highs and lows, fractional targets, the strategy's values and fingerprint in Params

# pyrsistent containers carry no element type in their hints; this says what they hold.
_CONTAINER_OF: dict[tuple[type, str], type] = {
    (Params, "specs"): SymbolSpec,
    (SessionState, "positions"): Position,
    (SessionState, "markets"): Market,
    (SessionState, "trips"): GuardTripped,
}


class SnapshotFormatError(ValueError):
    """A snapshot that does not decode into a session state."""


def dump(value: Any) -> Any:
    """Return a JSON-ready form of a state (or any record inside it)."""
    dumper = _RECORD_DUMPERS.get(type(value))
    if dumper is not None:
        return dumper(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        dumper = _RECORD_DUMPERS[type(value)] = _record_dumper(type(value))
        return dumper(value)
    if isinstance(value, PMap):
        return {key: dump(value[key]) for key in sorted(value)}
    if isinstance(value, OpenOrders):
        return {key: dump(value[key]) for key in sorted(value)}  # as the pmap it replaced wrote it
    if isinstance(value, SymbolMap):
        return {key: dump(item) for key, item in value.items()}  # the session's symbol order
    if isinstance(value, (tuple, list, PVector)):
        return [dump(item) for item in value]
    return value


def _field_dumper(hint: Any) -> Callable[[Any], Any]:
    """How one field of a record is dumped, chosen once from its type hint (a snapshot of
    thousands of symbols dumps each market's window: the common kinds skip ``dump``'s tests)."""
    if hint in (int, str, bool):
        return _same
    if hint is Decimal:
        return str
    if Decimal in typing.get_args(hint) and type(None) in typing.get_args(hint):
        return _optional_decimal
    if typing.get_origin(hint) is tuple and typing.get_args(hint)[:1] == (Decimal,):
        return _decimals
    return dump


def _same(value: Any) -> Any:
    return value


def _optional_decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimals(values: tuple[Decimal, ...]) -> list[str]:
    return [str(value) for value in values]


def _record_dumper(kind: type) -> Callable[[Any], dict[str, Any]]:
    fields = tuple((name, _field_dumper(hint)) for name, hint in typing.get_type_hints(kind).items())

    def dump_record(record: Any) -> dict[str, Any]:
        return {name: each(item) for (name, each), item in zip(fields, record)}

    return dump_record


_RECORD_DUMPERS: dict[type, Callable[[Any], Any]] = {}


def _load_as(hint: Any, raw: Any, owner: type, field: str) -> Any:
    if raw is None:
        if type(None) in typing.get_args(hint):
            return None
        raise SnapshotFormatError(f"{owner.__name__}.{field}: null where a value is required")
    if hint is Decimal:
        # Only the strings dump writes: a JSON number would arrive as a binary float.
        if not isinstance(raw, str) or not Decimal(raw).is_finite():
            raise SnapshotFormatError(f"{owner.__name__}.{field}: expected a finite decimal string, got {raw!r}")
        return Decimal(raw)
    if hint in (int, str, bool):
        if type(raw) is not hint:  # bool is an int subclass
            raise SnapshotFormatError(f"{owner.__name__}.{field}: expected {hint.__name__}, got {raw!r}")
        return raw
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is getattr(__import__("types"), "UnionType", None):
        real = [a for a in args if a is not type(None)]
        # ``Decimal | int`` (a target): an int was dumped as a JSON number, a Decimal as a string.
        return _load_as(int if int in real and type(raw) is int else real[0], raw, owner, field)
    if origin is tuple:
        inner = args[0]
        return tuple(_load_as(inner, item, owner, field) for item in raw)
    if hint is PMap:
        kind = _CONTAINER_OF[(owner, field)]
        return pmap({key: load(kind, item) for key, item in raw.items()})
    if hint is OpenOrders:
        return OpenOrders(load(Order, item) for item in raw.values())
    if hint is SymbolMap:
        kind = _CONTAINER_OF[(owner, field)]
        return SymbolMap(tuple(raw), tuple(load(kind, item) for item in raw.values()))
    if hint is PVector:
        kind = _CONTAINER_OF[(owner, field)]
        return pvector(load(kind, item) for item in raw)
    if isinstance(hint, type) and hasattr(hint, "_fields"):
        return load(hint, raw)
    raise SnapshotFormatError(f"{owner.__name__}.{field}: no decoder for {hint!r}")


_HINTS: dict[type, dict[str, Any]] = {}


def load(kind: type[Any], raw: Any) -> Any:
    """Rebuild a record of type ``kind`` from its ``dump`` form."""
    hints = _HINTS.get(kind)
    if hints is None:
        hints = _HINTS[kind] = typing.get_type_hints(kind)
    if not isinstance(raw, dict):
        raise SnapshotFormatError(f"{kind.__name__}: expected an object, got {type(raw).__name__}")
    try:
        return kind(*(_load_as(hints[field], raw[field], kind, field) for field in kind._fields))
    except KeyError as exc:
        raise SnapshotFormatError(f"{kind.__name__}: missing field {exc.args[0]}") from None
    except (ArithmeticError, TypeError, AttributeError) as exc:
        raise SnapshotFormatError(f"{kind.__name__}: {exc}") from None


def dump_state(state: SessionState) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, "state": dump(state)}


def load_state(raw: Any) -> SessionState:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_VERSION:
        found = raw.get("format") if isinstance(raw, dict) else None
        if isinstance(found, int):
            # An older format lacks fields this one needs: the session was started by an older Logos.
            raise SnapshotFormatError(
                f"not a format-{FORMAT_VERSION} Logos snapshot: it is format {found}, from another Logos version; "
                f"resume it with that version, or start a new session"
            )
        raise SnapshotFormatError(f"not a format-{FORMAT_VERSION} Logos snapshot")
    return load(SessionState, raw["state"])
