"""Effects: what the shell must do. The reducer returns them; it never performs them."""

from __future__ import annotations

from typing import Any, NamedTuple


class AppendJournal(NamedTuple):
    """Append ``(seq, event)`` lines; ``durable`` asks for an fsync under the durability policy."""

    entries: tuple[tuple[int, Any], ...]
    durable: bool


class WriteArtifactRow(NamedTuple):
    """Append one row to ``<artifact>.csv`` (``trades``, ``orders`` or ``account``)."""

    artifact: str
    row: tuple[str, ...]


class Log(NamedTuple):
    level: str  # info | warning | error
    message: str


class Stop(NamedTuple):
    """The session is over (``completed`` or ``halted``): write the final artifacts and exit."""

    status: str
