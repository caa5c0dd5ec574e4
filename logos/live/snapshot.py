"""The snapshot ``state.json``: the state, the journal seq it covers, and the shell's offsets."""

from __future__ import annotations

import json
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


def write_snapshot(path: Path, snap: Snapshot) -> None:
    body = dump_state(snap.state)
    body["seq"] = snap.state.seq
    body["journal_bytes"] = snap.journal_bytes
    body["journal_crc32"] = snap.journal_crc
    body["artifact_bytes"] = snap.artifact_bytes
    body["shell"] = snap.shell
    write_atomic(path, (json.dumps(body, indent=1, sort_keys=True) + "\n").encode())


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
