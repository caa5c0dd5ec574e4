"""Where a session's files changed: what resume says once a checksum has failed.

A checksum tells that something changed, not where. The audit replays the whole journal
from its first line (from the initial state of ``state.json``'s params), comparing every
derived fact with the journal, every journaled bar with the cache row it came from and
every line with the bytes Logos writes for it; and it compares the state and the artifact
rows it rebuilds at the snapshot's seq with what the files now hold. It decodes every line,
so it runs only on this error path, never on a normal resume.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from logos.core.codec import encode
from logos.core.effects import WriteArtifactRows
from logos.core.events import BarClosed, SessionStarted
from logos.core.state import Params, SessionState, initial_state
from logos.core.state_codec import dump_state
from logos.core.strategy import Strategy
from logos.core.strategy_params import StrategyError
from logos.live.artifacts import HEADERS, csv_text
from logos.live.journal import JournalError, read_journal
from logos.live.provenance import CachePath, bar_problem, cache_rows
from logos.live.replay import Disagreement, rederive
from logos.live.runner import JOURNAL, SNAPSHOT, config_hash


class Audit(NamedTuple):
    first: Disagreement | None  # the first line of the journal that is not what Logos wrote
    state: SessionState | None  # the state rebuilt at the snapshot's seq (None past a disagreement)
    rows: list[WriteArtifactRows]  # the artifact rows rebuilt up to the snapshot's seq


def audit(folder: Path, params: Params, upto_seq: int, cache_path: CachePath | None, strategy: Strategy | None = None) -> Audit:
    """Replay ``folder``'s journal from its first line up to ``upto_seq`` with the session's
    ``strategy``; a damaged line raises ``JournalError``."""
    path = folder / JOURNAL
    data = path.read_bytes()
    entries = [e for e in read_journal(path).entries if e[0] <= upto_seq]
    found: list[Disagreement] = []
    if entries and type(entries[0][1]) is SessionStarted and entries[0][1].config_hash != config_hash(params):
        found.append(Disagreement(entries[0][0], f"the session started with config hash {entries[0][1].config_hash}, but {SNAPSHOT}'s params hash to {config_hash(params)}"))
    found += _rewritten_line(data, entries)
    if cache_path is not None:
        found += _bar_not_in_cache(entries, cache_path)
    try:
        replay = rederive(initial_state(params), entries, upto_seq, strategy)
        state, rows = replay.state, replay.rows
    except Disagreement as exc:
        found.append(exc)
        state, rows = None, []
    except StrategyError:  # no strategy to re-derive with (its code cannot be loaded)
        state, rows = None, []
    return Audit(min(found, key=lambda d: d.seq, default=None), state, rows)


def _rewritten_line(data: bytes, entries: list[tuple[int, Any, int]]) -> list[Disagreement]:
    for seq, event, offset in entries:
        end = data.index(b"\n", offset)
        if data[offset:end] != encode(seq, event).encode():
            return [Disagreement(seq, "the line was rewritten: it decodes, but not to the bytes Logos wrote for it")]
    return []


def _bar_not_in_cache(entries: list[tuple[int, Any, int]], cache_path: CachePath) -> list[Disagreement]:
    rows: dict[str, dict[bytes, bytes]] = {}
    for seq, event, _ in entries:
        if type(event) is not BarClosed:
            continue
        if event.symbol not in rows:
            rows[event.symbol] = cache_rows(cache_path(event.symbol))
        problem = bar_problem(rows[event.symbol], event, cache_path(event.symbol))
        if problem is not None:
            return [Disagreement(seq, problem)]
    return []


# --- the messages ------------------------------------------------------------------------


def journal_changed(folder: Path, params: Params, snapshot_seq: int, cache_path: CachePath | None, strategy: Strategy | None = None) -> str:
    """Say where the journal changed before the snapshot (its checksum failed); a damaged line raises ``JournalError``."""
    first = audit(folder, params, snapshot_seq, cache_path, strategy).first
    if first is None:
        return (
            f"{JOURNAL} changed before seq {snapshot_seq} (its bytes no longer match the checksum {SNAPSHOT} recorded), "
            "yet every line still re-derives the same; restore the journal from a backup"
        )
    return f"{JOURNAL} was changed at seq {first.seq}, before the snapshot at seq {snapshot_seq}: {first.detail}; restore the journal from a backup"


def snapshot_changed(folder: Path, body: dict[str, Any], params: Params | None, cache_path: CachePath | None) -> str:
    """Say what was edited in a snapshot whose digest failed, replaying the journal to its seq."""
    generic = f"{SNAPSHOT} was edited: its contents no longer match the digest it was written with; restore it from a backup"
    seq = body.get("seq")
    if params is None or not isinstance(seq, int):
        return generic
    try:
        result = audit(folder, params, seq, cache_path)
    except JournalError:
        return generic
    if result.first is not None and result.first.seq == 1:
        return f"{SNAPSHOT} was edited: {result.first.detail}; restore it from a backup"
    if result.state is None:
        return generic
    where = _first_difference("state", body.get("state"), dump_state(result.state)["state"])
    if where is None:
        return f"{SNAPSHOT} was edited outside its state (its digest no longer matches); restore it from a backup"
    name, edited, replayed = where
    return f"{SNAPSHOT} was edited: {name} is {edited}, but replaying {JOURNAL} to seq {seq} gives {replayed}; restore it from a backup"


def artifact_changed(
    folder: Path, name: str, size: int, params: Params, snapshot_seq: int, cache_path: CachePath | None, strategy: Strategy | None = None
) -> str:
    """Say which line and column of an artifact changed, against the rows the journal re-derives."""
    path = folder / f"{name}.csv"
    generic = f"{path.name}'s first {size} bytes no longer match the checksum {SNAPSHOT} recorded (the file was edited); restore it from a backup"
    try:
        result = audit(folder, params, snapshot_seq, cache_path, strategy)
    except JournalError:
        return generic
    if result.state is None:
        return generic
    expected = csv_text(name, [row for rows in result.rows if rows.artifact == name for row in rows.rows]).splitlines()
    with open(path, "rb") as handle:
        held = handle.read(size).decode("utf-8", "replace").splitlines()
    header = HEADERS[name]
    for number, (now, was) in enumerate(zip(held, expected), 1):
        if now != was:
            cells = list(zip(header, now.split(","), was.split(",")))
            column = next(((c, a, b) for c, a, b in cells if a != b), None)
            if column is None:
                return f"{path.name} line {number} was edited ({now!r}, the journal gives {was!r}); restore it from a backup"
            key = f" ({header[0]} {was.split(',')[0]})" if number > 1 else ""
            return f"{path.name} line {number}{key}: {column[0]} is {column[1]}, but the journal gives {column[2]}; restore it from a backup"
    return generic


def _first_difference(name: str, edited: Any, replayed: Any) -> tuple[str, Any, Any] | None:
    if isinstance(edited, dict) and isinstance(replayed, dict):
        for key in sorted(set(edited) | set(replayed)):
            found = _first_difference(f"{name}.{key}", edited.get(key), replayed.get(key))
            if found is not None:
                return found
        return None
    if isinstance(edited, list) and isinstance(replayed, list) and len(edited) == len(replayed):
        for index, (a, b) in enumerate(zip(edited, replayed)):
            found = _first_difference(f"{name}[{index}]", a, b)
            if found is not None:
                return found
        return None
    return None if edited == replayed else (name, edited, replayed)
