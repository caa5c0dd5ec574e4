"""Exact JSON encoding of events: Decimals travel as strings, so nothing is rounded.

A journal line is ``{"seq": N, "type": "<EventName>", <fields in declaration order>}``.
Field kinds come from each event's type hints, so a new event type needs no codec code.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from logos.core.events import EVENT_TYPES, BarClosed


class JournalFormatError(ValueError):
    """A journal line that is not a well-formed event."""


def _decimal(value: Any) -> Decimal:
    # Only the strings the encoder writes: a JSON number would arrive as a binary float.
    if not isinstance(value, str):
        raise TypeError(f"decimal {value!r} is not a string")
    number = Decimal(value)
    if not number.is_finite():
        raise ArithmeticError(f"decimal {value!r} is not finite")
    return number


def _exactly(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is not kind:  # bool is an int subclass; a journal never holds one
            raise TypeError(f"{value!r} is not {kind.__name__}")
        return value

    return check


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{value!r} is not a list of strings")
    return tuple(value)


def _decoder(hint: Any) -> Callable[[Any], Any]:
    """Return a decoder that refuses a value of the wrong JSON kind instead of passing it on."""
    if hint is Decimal:
        return _decimal
    args = typing.get_args(hint)
    if args and Decimal in args:  # Decimal | None
        return lambda v: None if v is None else _decimal(v)
    if typing.get_origin(hint) is tuple:
        return _strings
    return _exactly(hint)


_DECODERS = {
    name: tuple((field, _decoder(hint)) for field, hint in typing.get_type_hints(cls).items())
    for name, cls in EVENT_TYPES.items()
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def event_to_dict(seq: int, event: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"seq": seq, "type": type(event).__name__}
    for field, value in zip(event._fields, event):
        body[field] = _plain(value)
    return body


class _QuotedSymbols(dict[str, str]):
    """Symbol -> its JSON text, computed once per symbol rather than once per bar."""

    def __missing__(self, symbol: str) -> str:
        self[symbol] = quoted = json.encoder.encode_basestring(symbol)  # as json.dumps(ensure_ascii=False)
        return quoted


_QUOTED = _QuotedSymbols()
_BAR_LINE = (
    '{"seq":%s,"type":"BarClosed","symbol":%s,"ts":%s,"open":"%s",'
    '"high":"%s","low":"%s","close":"%s","volume":"%s","seen":%s}'
)


# Field texts exactly as ``json.dumps(..., separators=(",", ":"), ensure_ascii=False)``
# writes them; a test holds every event type's line to json.dumps of its dict.
_string = json.encoder.encode_basestring


def _decimal_text(value: Decimal) -> str:
    return f'"{value!s}"'


def _optional_decimal_text(value: Decimal | None) -> str:
    return "null" if value is None else f'"{value!s}"'


def _strings_text(value: tuple[str, ...]) -> str:
    return "[" + ",".join([_string(v) for v in value]) + "]"


def _int_text(value: int) -> str:
    return str(value) if type(value) is int else json.dumps(value)


def _text_of(hint: Any) -> Callable[[Any], str]:
    if hint is Decimal:
        return _decimal_text
    if Decimal in typing.get_args(hint):
        return _optional_decimal_text
    if typing.get_origin(hint) is tuple:
        return _strings_text
    writers: dict[Any, Callable[[Any], str]] = {str: _string, int: _int_text}
    return writers[hint]


def _line_writer(cls: type) -> Callable[[int, Any], str]:
    """Write ``cls`` events as journal lines without building a dict for json.dumps each time."""
    head = '{"seq":%s,"type":' + json.dumps(cls.__name__)
    fields = tuple((f",{json.dumps(field)}:", _text_of(hint)) for field, hint in typing.get_type_hints(cls).items())

    def write(seq: int, event: Any) -> str:
        return head % seq + "".join([key + text(value) for (key, text), value in zip(fields, event)]) + "}"

    return write


_WRITERS = {cls: _line_writer(cls) for cls in EVENT_TYPES.values()}


def encode(seq: int, event: Any) -> str:
    """Return one journal line (without the newline)."""
    if type(event) is BarClosed:
        # The hot path: bars are most of the journal, so they skip the generic walk. %s
        # calls str() directly; an f-string goes through Decimal.__format__, 3x slower.
        s, ts, o, h, lo, c, v, seen = event
        return _BAR_LINE % (seq, _QUOTED[s], ts, o, h, lo, c, v, seen)
    write = _WRITERS.get(type(event))
    if write is None:
        return json.dumps(event_to_dict(seq, event), separators=(",", ":"), ensure_ascii=False)
    return write(seq, event)


def encode_entries(entries: tuple[tuple[int, Any], ...]) -> list[str]:
    """``[encode(seq, event) for seq, event in entries]``, bars without a call per line."""
    quoted, bar_line = _QUOTED, _BAR_LINE
    return [
        bar_line % ((seq, quoted[event[0]]) + event[1:]) if type(event) is BarClosed else encode(seq, event)
        for seq, event in entries
    ]


def event_from_dict(body: dict[str, Any]) -> tuple[int, Any]:
    try:
        name = body["type"]
        decoders = _DECODERS[name]
        seq = body["seq"]
        values = [decode(body[field]) for field, decode in decoders]
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise JournalFormatError(f"not a Logos event: {exc!r}") from None
    if type(seq) is not int:
        raise JournalFormatError(f"seq {seq!r} is not an integer")
    return seq, EVENT_TYPES[name](*values)


def decode(line: str) -> tuple[int, Any]:
    """Parse one journal line back into ``(seq, event)``."""
    try:
        body = json.loads(line)
    except json.JSONDecodeError as exc:
        raise JournalFormatError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(body, dict):
        raise JournalFormatError("not a JSON object")
    return event_from_dict(body)
