"""Read the session's CSVs by column name, so added columns change nothing here."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple


class RecordsError(Exception):
    """A session CSV that is missing or lacks a column the statistics need."""


class Account(NamedTuple):
    """``account.csv``: one entry per row, in file order."""

    times: list[str]  # ISO close time of the bar the row values
    equity: list[Decimal]


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


def read_columns(path: Path, names: tuple[str, ...]) -> list[list[str]]:
    """Read the named columns of ``account.csv`` as text, one list per name, rows in file order."""
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise RecordsError(f"no {path.name} in {path.parent}") from None
    if not lines:
        raise RecordsError(f"{path} is empty; is it a Logos session file?")
    body = [line for line in lines[1:] if line]
    return [_column(body, index) for index in _columns(path, lines[0].split(","), names)]


def _column(lines: list[str], index: int) -> list[str]:
    # account.csv holds numbers, ISO times, symbols and mode names: never a quoted field, so
    # a plain split reads it. One column at a time: a list per row kept alive for a 1M-row
    # file wakes the garbage collector over and over (five times slower).
    return [line.split(",", index + 1)[index] for line in lines]


def read_account(path: Path) -> Account:
    """Read the time and equity of every ``account.csv`` row, in one pass over the file.

    Equity often repeats row after row (a flat book): a repeated text is parsed once and its
    row shares the same ``Decimal``, which the statistics then skip by identity.
    """
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise RecordsError(f"no {path.name} in {path.parent}") from None
    if not lines:
        raise RecordsError(f"{path} is empty; is it a Logos session file?")
    at_time, at_equity = _columns(path, lines[0].split(","), ("ts", "equity"))
    cut = max(at_time, at_equity) + 1
    times: list[str] = []
    equity: list[Decimal] = []
    keep_time, keep_equity = times.append, equity.append
    last_text, last = None, Decimal(0)
    for line in lines[1:]:
        if not line:
            continue
        cells = line.split(",", cut)  # account.csv never quotes a field (see _column)
        keep_time(cells[at_time])
        text = cells[at_equity]
        if text != last_text:
            last, last_text = Decimal(text), text
        keep_equity(last)
    return Account(times, equity)


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
