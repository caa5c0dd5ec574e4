"""Strategy parameters, declared once: name, type, default, bounds and one line of help.

A strategy declares each parameter as a class attribute (Freqtrade's typed parameters are the
model). The one declaration validates ``--params``, fills in the defaults, is what a session
records, and is what ``logos strategies list`` shows. Values are exact: a JSON number arrives
as the ``Decimal`` of its text (``json.loads(..., parse_float=Decimal)``), never a float.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, overload

T = TypeVar("T")


class StrategyError(ValueError):
    """A strategy, or a parameter of one, that the operator got wrong: one line saying which."""


class Param(Generic[T]):
    """One declared parameter of a strategy; a subclass says its type."""

    type_name = ""

    if TYPE_CHECKING:
        # A strategy's instance holds the checked value under the parameter's name (it shadows
        # this declaration); the checker is told so, the run time needs no descriptor.
        @overload
        def __get__(self, instance: None, owner: type) -> Self: ...
        @overload
        def __get__(self, instance: object, owner: type) -> T: ...
        def __get__(self, instance: object, owner: type) -> Self | T: ...

    def __init__(self, default: Any, *, low: Any = None, high: Any = None, help: str = "") -> None:
        self.name = ""  # the attribute it is declared as (``__set_name__``)
        self.low = None if low is None else self.convert(low)
        self.high = None if high is None else self.convert(high)
        self.help = help
        self.default = default if default is None else self.convert(default)
        if self.default is not None and not self.within(self.default):
            raise ValueError(f"default {default!r} is outside the bounds declared with it")

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def convert(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ``ValueError``."""
        raise NotImplementedError

    def parse(self, value: Any, strategy: str) -> Any:
        """Return the checked value of this parameter, or raise ``StrategyError`` naming it."""
        try:
            checked = self.convert(value)
        except (ValueError, TypeError, ArithmeticError):
            checked = None
        if checked is None or not self.within(checked):
            raise StrategyError(f"{strategy}'s parameter {self.name} must be {self.describe()}, got {shown(value)}")
        return checked

    def within(self, value: Any) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        """Say the type and bounds: ``an int in [1, 500]``, ``a decimal >= 0``."""
        article = "an" if self.type_name[0] in "aeiou" else "a"
        if self.low is not None and self.high is not None:
            return f"{article} {self.type_name} in [{self.low}, {self.high}]"
        if self.low is not None:
            return f"{article} {self.type_name} >= {self.low}"
        if self.high is not None:
            return f"{article} {self.type_name} <= {self.high}"
        return f"{article} {self.type_name}"

    def text(self, value: Any) -> str:
        """Return ``value`` as the JSON text a session records (exact for decimals)."""
        return exact_json(value)


class IntParam(Param[int]):
    """A whole number: a JSON ``2.5`` or ``"30"`` is refused rather than rounded or guessed."""

    type_name = "int"

    def convert(self, value: Any) -> int:
        if type(value) is not int:
            raise TypeError(f"{value!r} is not an int")
        return value


class DecimalParam(Param[Decimal]):
    """An exact decimal: a JSON number, a whole number or a numeric string such as ``"0.5"``."""

    type_name = "decimal"

    def convert(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
            raise TypeError(f"{value!r} is not a decimal")
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        if not number.is_finite():
            raise ValueError(f"{value!r} is not finite")
        return number


class BoolParam(Param[bool]):
    """``true`` or ``false``."""

    type_name = "bool"

    def convert(self, value: Any) -> bool:
        if type(value) is not bool:
            raise TypeError(f"{value!r} is not true or false")
        return value


class SymbolsParam(Param["tuple[str, ...] | None"]):
    """A list of ``count`` distinct symbols, or null for the strategy's own choice."""

    type_name = "symbols"

    def __init__(self, count: int, *, help: str = "") -> None:
        self.count = count
        super().__init__(None, help=help)

    def convert(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or len(value) != self.count or len(set(value)) != self.count:
            raise TypeError(f"{value!r} is not {self.count} symbols")
        if not all(isinstance(item, str) and item for item in value):
            raise TypeError(f"{value!r} is not a list of symbols")
        return tuple(value)

    def parse(self, value: Any, strategy: str) -> Any:
        return None if value is None else super().parse(value, strategy)

    def describe(self) -> str:
        return f"a list of {self.count} distinct symbols, or null"

    def text(self, value: Any) -> str:
        return exact_json(None if value is None else list(value))


def shown(value: Any) -> str:
    """``value`` as the operator wrote it in JSON (a decimal as its text, not ``Decimal('...')``)."""
    try:
        return exact_json(value)
    except TypeError:
        return repr(value)


def exact_json(value: Any, *, compact: bool = False) -> str:
    """Return ``value`` as JSON with sorted keys, a ``Decimal`` written as the exact number it holds.

    The stdlib encoder knows no Decimal, and a float would round ``2.5000000000000001``.
    """
    item, pair = (",", ":") if compact else (", ", ": ")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} has no JSON text")
        return str(value)  # JSON number syntax for a finite Decimal
    if isinstance(value, Mapping):
        return "{" + item.join(json.dumps(k) + pair + exact_json(v, compact=compact) for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + item.join(exact_json(v, compact=compact) for v in value) + "]"
    return json.dumps(value)


def read_json(text: str) -> Any:
    """Read JSON text as ``exact_json`` wrote it: a number with a fraction becomes a ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def freeze_params(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Turn a params mapping into the sorted ``(name, JSON text)`` pairs a session records."""
    return tuple(sorted((key, exact_json(value)) for key, value in values.items()))


def resolve(declared: Iterable[Param], given: Mapping[str, Any], strategy: str) -> dict[str, Any]:
    """Return every declared parameter's value: the given one checked, else its default.

    An unknown name is refused with the closest declared one, its type and bounds.
    """
    table = {param.name: param for param in declared}
    for name in given:
        if name not in table:
            raise StrategyError(unknown(name, table, strategy))
    return {name: param.parse(given[name], strategy) if name in given else param.default for name, param in table.items()}


def unknown(name: str, table: Mapping[str, Param], strategy: str) -> str:
    if not table:
        return f"{strategy} takes no parameters, got {name!r}"
    close = difflib.get_close_matches(name, list(table), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r} ({table[close[0]].describe()})? " if close else ""
    return f"{strategy} has no parameter {name!r}; {hint}its parameters are {', '.join(table)}"

