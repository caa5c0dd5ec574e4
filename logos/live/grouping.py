"""Rows that say the same thing become one row with a count, so 200 trips of one guard read as one.

Two rows say the same thing when they differ only in their figures (a number standing as a
word of its own: ``9961.60``, ``-0.29``, ``130s``) and their time. A symbol's digits
(``S0001/USD``) or a date are part of a word, so they still tell rows apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

Row = TypeVar("Row")
FIGURE = re.compile(r"(?<![\w./:-])-?\d+(?:\.\d+)?s?(?![\w/:-]|\.\w)")
ELIDED = "…"


def shape(text: str) -> str:
    """Return ``text`` with each figure replaced by ``…``: what rows that say the same thing share."""
    return FIGURE.sub(ELIDED, text)


class Group:
    """Rows with one key: how many, the first and the last (rows come in time order), and
    the lowest and highest of the figure ``group_by`` was asked to measure."""

    __slots__ = ("first", "last", "count", "low", "high")

    def __init__(self, first: Any, value: str) -> None:
        self.first = self.last = first
        self.count = 1
        self.low = self.high = value

    @property
    def measured(self) -> str:
        """The measured figure: one value, or ``lowest – highest``."""
        return self.low if self.low == self.high else f"{self.low} – {self.high}"


def group_by(rows: Iterable[Row], key: Callable[[Row], Hashable], measure: Callable[[Row], str] | None = None) -> list[Group]:
    """Group ``rows`` by ``key``, in the order of each group's first row; with ``measure``,
    keep each group's lowest and highest value of it, ordered by the figure it starts with."""
    groups: dict[Hashable, Group] = {}
    for row in rows:
        k = key(row)
        value = measure(row) if measure is not None else ""
        group = groups.get(k)
        if group is None:
            groups[k] = Group(row, value)
            continue
        group.last = row
        group.count += 1
        if measure is not None:
            if _order(value) < _order(group.low):
                group.low = value
            if _order(value) > _order(group.high):
                group.high = value
    return list(groups.values())


def _order(value: str) -> tuple[int, Decimal, str]:
    found = FIGURE.match(value)
    return (0, Decimal(found.group().rstrip("s")), value) if found else (1, Decimal(0), value)
