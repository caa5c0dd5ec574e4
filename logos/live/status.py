"""``logos status``: what a session is doing, read from another terminal.

Nothing the writer uses is held or changed. The writer lock is probed with a shared lock
for an instant (see ``logos.live.lock``); ``state.json`` is read whole (a writer replaces it
by a rename); the journal is read from the bytes that snapshot covers to its end, and the
input events there are replayed on the snapshot's state (``rederive``), so the figures are
those of the last event journaled, not of the last snapshot. A line still being written is
left for the next look.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, NamedTuple

import typer

from logos import output
from logos.core.state import SessionState
from logos.live.figures import live_figures
from logos.live.journal import JournalError, read_journal
from logos.live.replay import Disagreement, rederive
from logos.live.runner import JOURNAL
from logos.live.standing import Standing, session_standing
from logos.live.view import figures_view

EXIT_UNREADABLE = 1


class Look(NamedTuple):
    standing: Standing
    state: SessionState | None  # the snapshot's, moved on by the journal after it
    replayed: int  # input events replayed from the journal after the snapshot
    problem: str | None  # why the journal after the snapshot could not be replayed (the snapshot's figures stand)


def look(folder: Path) -> Look:
    """Read the session in ``folder`` as it stands now."""
    standing = session_standing(folder)
    snap = standing.snapshot
    if snap is None:
        return Look(standing, None, 0, None)
    try:
        tail = read_journal(folder / JOURNAL, start=snap.journal_bytes, first_seq=snap.state.seq + 1)
        done = rederive(snap.state, tail.entries)
    except (JournalError, Disagreement) as exc:
        return Look(standing, snap.state, 0, f"the journal after seq {snap.state.seq} does not replay ({exc}); showing the snapshot")
    return Look(standing, done.state, done.replayed, None)


def document(folder: Path, seen: Look) -> dict[str, Any]:
    standing = seen.standing
    return {
        "session_id": folder.name,
        "folder": str(folder),
        "alive": standing.kind == "running",
        "status": standing.kind,
        "detail": standing.detail,
        "pid": standing.pid,
        "since": standing.since,
        "replayed": seen.replayed,
        "problem": seen.problem,
        "figures": live_figures(seen.state) if seen.state is not None else None,
    }


def view(folder: Path, seen: Look) -> Any:
    from rich.console import Group
    from rich.text import Text

    lines: list[Any] = [Text(f"session {folder.name}: {seen.standing}")]
    if seen.problem is not None:
        lines.append(Text(f"note: {seen.problem}"))
    if seen.state is not None:
        lines.append(figures_view(live_figures(seen.state)))
    return Group(*lines)


def _code(seen: Look) -> int:
    return EXIT_UNREADABLE if seen.state is None else 0


def _show(folder: Path, seen: Look, *end: str) -> None:
    output.show(lambda: document(folder, seen), lambda: output.out.print(view(folder, seen), *end), _code(seen))


def show_status(folder: Path, watch: bool, every: float) -> None:
    """Print the session's status once, or with ``watch`` every ``every`` seconds until it stops running."""
    if not watch:
        seen = look(folder)
        _show(folder, seen)
        if _code(seen):
            raise typer.Exit(code=_code(seen))
        return
    try:
        if output.out.is_terminal and not output.json_wanted():
            _watch_live(folder, every)
        else:
            _watch_lines(folder, every)
    except KeyboardInterrupt:
        pass  # the operator stopped watching: not an error


def _watch_lines(folder: Path, every: float) -> None:
    """One block (or one JSON document a line) per look, until the session is not running."""
    while True:
        seen = look(folder)
        _show(folder, seen, "\n")
        if seen.standing.kind != "running":
            return
        time.sleep(every)


def _watch_live(folder: Path, every: float) -> None:
    from rich.live import Live

    seen = look(folder)
    with Live(view(folder, seen), console=output.out, auto_refresh=False) as live:
        while seen.standing.kind == "running":
            time.sleep(every)
            seen = look(folder)
            live.update(view(folder, seen), refresh=True)
