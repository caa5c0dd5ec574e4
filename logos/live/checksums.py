"""CRC-32 of a file's byte range, streamed: how a snapshot vouches for the files it covers."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

CHUNK = 1 << 20


def file_crc(path: Path, end: int, start: int = 0, crc: int = 0) -> int:
    """CRC-32 of the bytes ``[start, end)`` of ``path``, continuing ``crc``; never loaded whole."""
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start
        while left > 0:
            chunk = handle.read(min(left, CHUNK))
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            left -= len(chunk)
    return crc


def crc_of_range(fd: int, start: int, end: int, crc: int) -> int:
    """Continue ``crc`` over the bytes ``[start, end)`` of an open file, read back with ``pread``."""
    while start < end:
        chunk = os.pread(fd, min(end - start, CHUNK), start)
        if not chunk:
            raise OSError(f"a file shrank while the session wrote it (expected {end} bytes)")
        crc = zlib.crc32(chunk, crc)
        start += len(chunk)
    return crc
