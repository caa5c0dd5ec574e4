"""The snapshot ``state.json``: the state, the journal seq it covers, and the shell's offsets."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, NamedTuple

from logos.core.state import SessionState
from logos.core.state_codec import SnapshotFormatError, dump_state, load_state
from logos.live.atomic import write_atomic


class SnapshotError(Exception):
    """A snapshot that is missing or cannot be read."""


class Snapshot(NamedTuple):
    state: SessionState
    journal_bytes: int  # the journal's length when the snapshot was taken
    journal_crc: int  # CRC-32 of those bytes: a resume checks them without decoding them
    artifact_bytes: dict[str, int]  # each streamed artifact's length then
    shell: dict[str, Any]  # the shell's own running figures (feed counts, resumes)


def encode_snapshot(snap: Snapshot) -> bytes:
    body = dump_state(snap.state)
    body["seq"] = snap.state.seq
    body["journal_bytes"] = snap.journal_bytes
    body["journal_crc32"] = snap.journal_crc
    body["artifact_bytes"] = snap.artifact_bytes
    body["shell"] = snap.shell
    # Compact: an indent sends json through its pure-Python encoder, ten times slower on a
    # snapshot of thousands of symbols. `python -m json.tool state.json` pretty-prints it.
    return (json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n").encode()


class SnapshotWriter:
    """Makes a snapshot durable: fsync the files it measures, then replace ``state.json``.

    The fsyncs come first because a snapshot must never record a length the disk does not
    hold. ``write_behind`` does the same on a helper thread, so a replay's loop does not
    wait for the disk (fsync releases the GIL): the snapshot's bytes are encoded before it
    starts, and the files only ever grow past the lengths recorded. At most one is in
    flight; the next one, and any written inline, wait for it first. A crash before it
    lands leaves the previous snapshot, from which resume replays a little more journal.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._behind: threading.Thread | None = None
        self._error: Exception | None = None

    def write(self, data: bytes, files: tuple[int, ...]) -> None:
        self.wait()
        self._write(data, files)

    def write_behind(self, data: bytes, files: tuple[int, ...]) -> None:
        self.wait()
        # Not a daemon: an exiting process still lets the snapshot in flight land.
        self._behind = threading.Thread(target=self._write_caught, args=(data, files), name="logos-snapshot")
        self._behind.start()

    def wait(self) -> None:
        """Block until the snapshot in flight has landed; raise the error it met, if any."""
        if self._behind is not None:
            self._behind.join()
            self._behind = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _write_caught(self, data: bytes, files: tuple[int, ...]) -> None:
        try:
            self._write(data, files)
        except Exception as exc:  # any of them, not only OSError: raised again at the next wait
            self._error = exc

    def _write(self, data: bytes, files: tuple[int, ...]) -> None:
        for fd in files:  # the journal first, then the artifacts
            os.fsync(fd)
        write_atomic(self.path, data)


def read_snapshot(path: Path) -> Snapshot:
    try:
        body = json.loads(path.read_text())
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot at {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path} is not valid JSON ({exc})") from None
    try:
        state = load_state(body)
        snap = Snapshot(
            state, int(body["journal_bytes"]), int(body["journal_crc32"]), dict(body["artifact_bytes"]), dict(body["shell"])
        )
    except (SnapshotFormatError, KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"{path} is not a Logos snapshot ({exc})") from None
    if body.get("seq") != state.seq:
        raise SnapshotError(f"{path}: header seq {body.get('seq')} does not match the state's seq {state.seq}")
    return snap
