"""Find the journal lines of a few event types without decoding the others.

Every line starts ``{"seq":N,"type":"<name>",`` and a quote inside a string is escaped, so
``"type":"<name>"`` appears only where a line of that type is: a byte search finds them
several times faster than decoding each line. A last line without its ``\\n`` is one a
crash cut short; it is skipped, as resume skips it.
"""

from __future__ import annotations

import json
import mmap
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def lines_in(data: bytes | mmap.mmap, types: Iterable[str]) -> list[dict[str, Any]]:
    """Return the complete lines of ``data`` whose event type is one of ``types``, in journal order."""
    found: list[tuple[int, bytes]] = []
    for name in types:
        marker = f'"type":"{name}"'.encode()
        at = data.find(marker)
        while at >= 0:
            start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
            if end < 0:
                break
            found.append((start, data[start:end]))
            at = data.find(marker, end)
    return [json.loads(line) for _, line in sorted(found)]


def lines_of(path: Path, types: Iterable[str]) -> list[dict[str, Any]]:
    """Return the lines of the journal at ``path`` whose event type is one of ``types``.

    The file is mapped, not read: the search runs over the page cache without a copy.
    """
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return []
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return lines_in(data, types)
