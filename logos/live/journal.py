"""The append-only journal ``state.jsonl``: one event a line, written before it is acted on.

Each event's lines go to the OS in one write, so a killed process loses at most the event
it was writing; ``fsync`` (for power loss) follows the durability policy. A ``--speed max``
replay may hold back the lines of events that caused nothing (a bar that moved no order)
and write them with the next event that did, or every ``hold_lines`` lines: such a line
only repeats a bar of the cache file, and a resume reads that bar from the file again.
"""

from __future__ import annotations

import errno
import os
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from logos.core.codec import JournalFormatError, decode, encode_entries


class JournalError(Exception):
    """The journal cannot be written or read as a Logos journal."""


class JournalWriter:
    """Appends event groups; keeps a running CRC-32 of every byte so a snapshot can vouch
    for the journal it covers without a resume having to decode it."""

    def __init__(self, path: Path, fsync_durable: bool, crc: int = 0, hold_lines: int = 0) -> None:
        self.path = path
        self.fsync_durable = fsync_durable
        self.crc = crc
        self.hold_lines = hold_lines
        self._held: list[str] = []
        self._broken = False  # a write failed: the file may end in part of a line, so nothing more goes after it
        try:
            self._file = open(path, "ab", buffering=0)
        except OSError as exc:
            raise JournalError(f"cannot open journal {path}: {exc.strerror}") from None
        self.last_seq = 0

    def append(self, entries: tuple[tuple[int, Any], ...], durable: bool) -> None:
        """Append lines: at once when ``durable``, else held back up to ``hold_lines``."""
        held = self._held
        held += encode_entries(entries)
        self.last_seq = entries[-1][0]
        if durable or len(held) >= self.hold_lines:
            self._write(durable)

    def _write(self, durable: bool = False) -> None:
        held = self._held
        if not held:
            return
        data = ("\n".join(held) + "\n").encode()
        held.clear()
        if self._broken:
            raise JournalError(f"cannot write journal {self.path}: an earlier write failed")
        try:
            written = self._file.write(data)
            while written < len(data):  # an unbuffered write may take only part (a signal, a nearly full disk)
                more = self._file.write(memoryview(data)[written:])
                if not more:
                    raise OSError(errno.ENOSPC, "the journal took no more bytes")
                written += more
            if durable and self.fsync_durable:
                os.fsync(self._file.fileno())
        except OSError as exc:
            self._broken = True
            raise JournalError(f"cannot write journal {self.path}: {exc.strerror}") from None
        self.crc = zlib.crc32(data, self.crc)

    def size(self) -> int:
        """Hand every held line to the OS and return the journal's length."""
        self._write()
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        if self._file.closed:
            return
        try:
            if not self._broken:
                self._write()
        finally:
            self._file.close()


class JournalRead(NamedTuple):
    entries: list[tuple[int, Any, int]]  # (seq, event, byte offset of the line's start)
    good_bytes: int  # where the last complete, well-formed line ends
    torn_bytes: int  # bytes after it (a line cut short by a crash), skipped


def read_journal(path: Path, after_seq: int = 0, start: int = 0, first_seq: int | None = None) -> JournalRead:
    """Read the journal from byte ``start``; a final line without its newline is torn (reported), any bad complete line is an error.

    Offsets in the result are from the start of the file. ``first_seq``, when given, is
    the seq the line at ``start`` must carry.
    """
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            data = handle.read()
    except FileNotFoundError:
        raise JournalError(f"no journal at {path}") from None
    read = _parse(path, data, after_seq, first_seq)
    return JournalRead([(s, e, o + start) for s, e, o in read.entries], read.good_bytes + start, read.torn_bytes)


def _parse(path: Path, data: bytes, after_seq: int, expected: int | None) -> JournalRead:
    entries: list[tuple[int, Any, int]] = []
    offset = 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        if end < 0:
            return JournalRead(entries, offset, len(data) - offset)
        line = data[offset:end]
        try:
            seq, event = decode(line.decode())
        except (JournalFormatError, UnicodeDecodeError) as exc:
            # A write cut short leaves a line without its newline (above); a complete line
            # that is not an event is damage or an edit, even the last one.
            # Seqs are contiguous from 1, so the line after seq N is line N + 1.
            where = f"line {expected} (after seq {expected - 1})" if expected is not None else "its first line"
            raise JournalError(f"{path}: {where} is not a Logos event ({exc})") from None
        if expected is not None and seq != expected:
            raise JournalError(f"{path}: seq {seq} follows seq {expected - 1}; the journal is not contiguous")
        expected = seq + 1
        if seq > after_seq:
            entries.append((seq, event, offset))
        offset = end + 1
    return JournalRead(entries, offset, 0)
