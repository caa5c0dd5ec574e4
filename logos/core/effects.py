"""Effects: what the shell must do. The reducer returns them; it never performs them."""

from __future__ import annotations

from typing import Any, NamedTuple


class AppendJournal(NamedTuple):
    """Append ``(seq, event)`` lines; ``durable`` asks for an fsync under the durability policy."""

    entries: tuple[tuple[int, Any], ...]
    durable: bool


def journal_one(seq: int, event: Any) -> AppendJournal:
    """A fact-free event's journal effect, built without ``__new__``'s argument handling (once per bar)."""
    return tuple.__new__(AppendJournal, (((seq, event),), False))


class AppendRun(NamedTuple):
    """Append the lines of a run of input events that caused nothing (quiet bars).

    Such lines carry no fact and only repeat bars of the cache, so the shell may hold them
    back a little, as it may any fact-free line: a resume reads those bars again.
    """

    entries: tuple[tuple[int, Any], ...]


class WriteArtifactRow(NamedTuple):
    """Append one row to ``<artifact>.csv`` (``trades``, ``orders`` or ``account``)."""

    artifact: str
    row: tuple[str, ...]


def artifact_row(artifact: str, row: tuple[str, ...]) -> WriteArtifactRow:
    """``WriteArtifactRow(artifact, row)`` at half the cost (account, order and trade rows)."""
    return tuple.__new__(WriteArtifactRow, (artifact, row))


class WriteArtifactRows(NamedTuple):
    """Append ``rows`` to ``<artifact>.csv`` in order: the account rows of a run of quiet bars."""

    artifact: str
    rows: tuple[tuple[str, ...], ...]


class Log(NamedTuple):
    level: str  # info | warning | error
    message: str


class Stop(NamedTuple):
    """The session is over (``completed`` or ``halted``): write the final artifacts and exit."""

    status: str
