"""Effects: what the shell must do. The reducer returns them; it never performs them."""

from __future__ import annotations

from typing import Any, NamedTuple


class AppendJournal(NamedTuple):
    """Append ``(seq, event)`` lines, in order.

    ``durable`` (the lines hold an order, a fill, a guard trip or an end) asks for them to
    be written now and fsync'd under the durability policy. Lines without it only repeat
    inputs and what they re-derive, so the shell may hold them back a little: a crash loses
    nothing a resume cannot read from the feed again.
    """

    entries: tuple[tuple[int, Any], ...]
    durable: bool


class WriteArtifactRows(NamedTuple):
    """Append ``rows`` to ``<artifact>.csv`` (``orders``, ``trades`` or ``account``), in order."""

    artifact: str
    rows: tuple[tuple[str, ...], ...]


class Log(NamedTuple):
    level: str  # info | warning | error
    message: str


class Stop(NamedTuple):
    """The session is over for this process (``completed``, ``halted`` or ``paused``)."""

    status: str
