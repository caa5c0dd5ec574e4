"""The snapshot ``state.json``: the state, the journal seq it covers, and the shell's offsets.

It carries a digest (SHA-256 of its canonical JSON), so an edit anywhere in it is seen;
checksums of the journal and artifact bytes it covers; and what the session consumed from
outside (``inputs``: the cache prefix each symbol read), so a resume refuses what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, NamedTuple

from logos.atomic import write_atomic
from logos.core.state import SessionState
from logos.core.state_codec import SnapshotFormatError, dump_state, load_state


class SnapshotError(Exception):
    """A snapshot that is missing or cannot be read."""


class SnapshotEdited(SnapshotError):
    """A snapshot whose contents no longer match its digest; ``body`` is what it now holds."""

    def __init__(self, message: str, body: dict[str, Any]) -> None:
        super().__init__(message)
        self.body = body


class Snapshot(NamedTuple):
    state: SessionState
    journal_bytes: int  # the journal's length when the snapshot was taken
    journal_crc: int  # CRC-32 of those bytes: a resume checks them without decoding them
    artifact_bytes: dict[str, int]  # each streamed artifact's length then
    artifact_crc: dict[str, int]  # and the CRC-32 of those bytes
    inputs: dict[str, Any]  # what the session consumed from outside (see logos.live.provenance)
    shell: dict[str, Any]  # the shell's own running figures (feed counts, resumes, a failure)


def encode_snapshot(snap: Snapshot) -> bytes:
    body = dump_state(snap.state)
    body["seq"] = snap.state.seq
    body["journal_bytes"] = snap.journal_bytes
    body["journal_crc32"] = snap.journal_crc
    body["artifact_bytes"] = snap.artifact_bytes
    body["artifact_crc32"] = snap.artifact_crc
    body["inputs"] = snap.inputs
    body["shell"] = snap.shell
    return _encode(body)


def with_failure(data: bytes, failure: dict[str, Any]) -> bytes:
    """Return the snapshot ``data`` with the shell's record of a failed run set to ``failure``."""
    body = json.loads(data)
    body.pop("digest", None)
    body["shell"]["failure"] = failure
    return _encode(body)


def _compact(body: dict[str, Any]) -> str:
    # Compact: an indent sends json through its pure-Python encoder, ten times slower on a
    # snapshot of thousands of symbols. `python -m json.tool state.json` pretty-prints it.
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _digest(body: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(_compact(body).encode()).hexdigest()


def _encode(body: dict[str, Any]) -> bytes:
    """``body`` with its digest, written as ``_compact`` writes it, in one pass of the encoder.

    The digest covers the body's canonical JSON; the written text is that JSON with
    ``"digest"`` set in its sorted place. The keys before it and after it are encoded
    apart, so the text the digest is taken of is not encoded a second time (at thousands
    of symbols a snapshot is hundreds of KB)."""
    body.pop("digest", None)
    head = _members({key: value for key, value in body.items() if key < "digest"})
    tail = _members({key: value for key, value in body.items() if key > "digest"})
    digest = "sha256:" + hashlib.sha256(_object(head, tail).encode()).hexdigest()
    body["digest"] = digest
    return (_object(head, f'"digest":"{digest}"', tail) + "\n").encode()


def _members(part: dict[str, Any]) -> str:
    """An object's members as ``_compact`` writes them, without the braces."""
    return _compact(part)[1:-1]


def _object(*members: str) -> str:
    return "{" + ",".join(member for member in members if member) + "}"


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
        self.landed: bytes | None = None  # the last snapshot made durable
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
        self.landed = data


def read_snapshot(path: Path) -> Snapshot:
    """Read and check ``state.json``; ``SnapshotEdited`` when it no longer matches its digest."""
    try:
        body = json.loads(path.read_text())
    except FileNotFoundError:
        raise SnapshotError(f"no snapshot at {path}") from None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path} is not valid JSON ({exc})") from None
    if not isinstance(body, dict) or "digest" not in body:
        raise SnapshotError(f"{path} is not a Logos snapshot (it has no digest); an older Logos may have written it: resume it with that version")
    recorded = body.pop("digest")
    if recorded != _digest(body):
        raise SnapshotEdited(f"{path} was edited: its contents no longer match the digest it was written with", body)
    try:
        state = load_state(body)
        snap = Snapshot(
            state,
            int(body["journal_bytes"]),
            int(body["journal_crc32"]),
            dict(body["artifact_bytes"]),
            dict(body["artifact_crc32"]),
            dict(body["inputs"]),
            dict(body["shell"]),
        )
    except (SnapshotFormatError, KeyError, TypeError, ValueError) as exc:
        raise SnapshotError(f"{path} is not a Logos snapshot ({exc})") from None
    if body.get("seq") != state.seq:
        raise SnapshotError(f"{path}: header seq {body.get('seq')} does not match the state's seq {state.seq}")
    return snap
