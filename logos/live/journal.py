"""The append-only journal ``state.jsonl``: one event a line, written before it is acted on.

Each event's lines go to the OS in one write, so a killed process loses at most the event
it was writing; ``fsync`` (for power loss) follows the durability policy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from logos.core.codec import JournalFormatError, decode, encode


class JournalError(Exception):
    """The journal cannot be written or read as a Logos journal."""


class JournalWriter:
    def __init__(self, path: Path, fsync_durable: bool) -> None:
        self.path = path
        self.fsync_durable = fsync_durable
        try:
            self._file = open(path, "ab", buffering=0)
        except OSError as exc:
            raise JournalError(f"cannot open journal {path}: {exc.strerror}") from None
        self.last_seq = 0

    def append(self, entries: tuple[tuple[int, Any], ...], durable: bool) -> None:
        data = "".join(encode(seq, event) + "\n" for seq, event in entries).encode()
        try:
            self._file.write(data)
            if durable and self.fsync_durable:
                os.fsync(self._file.fileno())
        except OSError as exc:
            raise JournalError(f"cannot write journal {self.path}: {exc.strerror}") from None
        self.last_seq = entries[-1][0]

    def sync(self) -> None:
        os.fsync(self._file.fileno())

    def size(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


class JournalRead(NamedTuple):
    entries: list[tuple[int, Any, int]]  # (seq, event, byte offset of the line's start)
    good_bytes: int  # where the last complete, well-formed line ends
    torn_bytes: int  # bytes after it (a line cut short by a crash), skipped


def read_journal(path: Path, after_seq: int = 0) -> JournalRead:
    """Read the journal; a torn final line is reported, a bad line elsewhere is an error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"no journal at {path}") from None
    entries: list[tuple[int, Any, int]] = []
    offset = 0
    expected = None
    while offset < len(data):
        end = data.find(b"\n", offset)
        if end < 0:
            return JournalRead(entries, offset, len(data) - offset)
        line = data[offset:end]
        try:
            seq, event = decode(line.decode())
        except (JournalFormatError, UnicodeDecodeError) as exc:
            if data.find(b"\n", end + 1) < 0 and end + 1 >= len(data):
                # A garbled final line is a write cut short; it is skipped like a torn one.
                return JournalRead(entries, offset, len(data) - offset)
            raise JournalError(f"{path} line {len(entries) + 1}: {exc}") from None
        if expected is not None and seq != expected:
            raise JournalError(f"{path}: seq {seq} follows seq {expected - 1}; the journal is not contiguous")
        expected = seq + 1
        if seq > after_seq:
            entries.append((seq, event, offset))
        offset = end + 1
    return JournalRead(entries, offset, 0)
