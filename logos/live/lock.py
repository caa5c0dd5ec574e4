"""One writer per session: an OS lock on ``writer.lock`` in the session folder.

``trade`` and ``resume`` take it before they write anything and hold it for the life of the
session, so the kernel frees it when the process ends, however it ends (a crash included).
While held, the file names its holder (pid and start time). A writer that ends empties it;
an attempt that is refused after taking the lock puts back the bytes it found, so it leaves
the folder byte-identical. A crashed holder's line stays behind, which ``sessions list``
shows.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
from pathlib import Path
from typing import NamedTuple

LOCK_FILE = "writer.lock"
# A probe (``lock_holder``) holds a shared lock for microseconds; a writer that meets one
# tries again for this long before it calls the session busy.
PROBE_GRACE_S = 0.5


class Holder(NamedTuple):
    pid: int | None  # None while a new holder has the lock but has not yet written its line
    started: str  # wall-clock UTC time the holder took the lock


class LockHeld(Exception):
    """Another process writes this session."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(holder)
        self.holder = holder


class WriterLock:
    """The lock this process holds on one session folder."""

    def __init__(self, fd: int, previous: bytes) -> None:
        self._fd: int | None = fd
        self._previous = previous

    def release(self, restore: bool = False) -> None:
        """Let the next writer in, emptying the file (with ``restore``: putting back what it held); idempotent."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _rewrite(fd, self._previous if restore else b"")
        except OSError:
            pass  # a full disk: the stale line names a process that no longer holds the lock
        finally:
            os.close(fd)  # closing the descriptor is what releases the lock


def acquire(folder: Path) -> WriterLock:
    """Take the session's writer lock or raise ``LockHeld`` naming whoever has it.

    ``OSError`` (a read-only or full disk) reaches the caller: nothing was written.
    """
    path = folder / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _lock(fd, path)
        previous = _read(fd)
        line = json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        _rewrite(fd, (line + "\n").encode())
    except BaseException:
        os.close(fd)
        raise
    return WriterLock(fd, previous)


def lock_holder(folder: Path) -> Holder | None:
    """Return who holds the session's writer lock, or None when nobody does."""
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return None  # no lock file: no writer has ever run here
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(_read(fd))
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def last_holder(folder: Path) -> Holder | None:
    """Return the holder the lock file names, without asking whether it still holds it."""
    try:
        data = (folder / LOCK_FILE).read_bytes()
    except OSError:
        return None
    return _holder(data) if data.strip() else None


def _lock(fd: int, path: Path) -> None:
    deadline = time.monotonic() + PROBE_GRACE_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockHeld(_holder(_read(fd))) from None
            time.sleep(0.02)
        except OSError as exc:
            if exc.errno == errno.ENOLCK:
                raise OSError(exc.errno, f"{path}: the file system does not support locks") from None
            raise


def _read(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0) if size else b""


def _rewrite(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    written = 0
    while written < len(data):
        written += os.pwrite(fd, data[written:], written)


def _holder(data: bytes) -> Holder:
    try:
        body = json.loads(data)
        return Holder(int(body["pid"]), str(body["started"]))
    except (ValueError, KeyError, TypeError):
        return Holder(None, "unknown")
