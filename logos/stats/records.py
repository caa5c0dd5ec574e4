"""Read the session's CSVs by column name, so added columns change nothing here."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple


class RecordsError(Exception):
    """A session CSV that is missing or lacks a column the statistics need."""


class Fill(NamedTuple):
    """One ``trades.csv`` row."""

    symbol: str
    side: str  # buy | sell
    qty: Decimal
    price: Decimal
    fee: Decimal
    realized: Decimal  # net of this fill's fee
    ts: str


def _columns(path: Path, header: list[str], names: tuple[str, ...]) -> list[int]:
    missing = [name for name in names if name not in header]
    if missing:
        raise RecordsError(f"{path} has no column {missing[0]!r}; is it a Logos session file?")
    return [header.index(name) for name in names]


def account_columns(path: Path, header: str, names: tuple[str, ...]) -> list[int]:
    """Return where ``names`` are in ``account.csv``'s ``header`` line."""
    if not header:
        raise RecordsError(f"{path} is empty; is it a Logos session file?")
    return _columns(path, header.rstrip("\r\n").split(","), names)


def read_columns(path: Path, names: tuple[str, ...]) -> list[list[str]]:
    """Read the named columns of ``account.csv`` as text, one list per name, rows in file order."""
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise RecordsError(f"no {path.name} in {path.parent}") from None
    at = account_columns(path, lines[0] if lines else "", names)
    body = [line for line in lines[1:] if line]
    return [_column(body, index) for index in at]


def _column(lines: list[str], index: int) -> list[str]:
    # account.csv holds numbers, ISO times, symbols and mode names: never a quoted field, so
    # a plain split reads it. One column at a time: a list per row kept alive for a 1M-row
    # file wakes the garbage collector over and over (five times slower).
    return [line.split(",", index + 1)[index] for line in lines]


def read_fills(path: Path) -> list[Fill]:
    """Read every ``trades.csv`` row, in the order the fills happened."""
    try:
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            at = _columns(path, header, Fill._fields[:-2] + ("realized_pnl", "ts"))
            return [
                Fill(row[at[0]], row[at[1]], Decimal(row[at[2]]), Decimal(row[at[3]]), Decimal(row[at[4]]), Decimal(row[at[5]]), row[at[6]])
                for row in reader
                if row
            ]
    except FileNotFoundError:
        raise RecordsError(f"no {path.name} in {path.parent}") from None
