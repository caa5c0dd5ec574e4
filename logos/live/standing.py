"""What a session folder is now: running (and who runs it), crashed, halted, paused, failed
or completed, read from its writer lock and its snapshot without disturbing a writer."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from logos.core.session_fsm import COMPLETED, HALTED, PAUSED
from logos.core.state import SessionState
from logos.live.lock import last_holder, lock_holder
from logos.live.snapshot import Snapshot, SnapshotError, read_snapshot


class Standing(NamedTuple):
    kind: str  # running | crashed | halted | paused | failed | completed | damaged
    detail: str  # who runs it, the halt causes, the failure's cause, what is damaged; "" if nothing more
    snapshot: Snapshot | None  # None when it cannot be read
    pid: int | None  # the writer's while running; the last writer's after a crash
    since: str | None  # when that writer took the lock (wall clock, UTC)

    @property
    def state(self) -> SessionState | None:
        return None if self.snapshot is None else self.snapshot.state

    def __str__(self) -> str:
        return f"{self.kind} ({self.detail})" if self.detail else self.kind


def session_standing(folder: Path) -> Standing:
    """Say what the session in ``folder`` is now, with the state of its snapshot."""
    holder = lock_holder(folder)
    snap: Snapshot | None
    try:
        snap = read_snapshot(folder / "state.json")
    except SnapshotError as exc:
        snap, damage = None, str(exc)
    if holder is not None:
        who = f"pid {holder.pid}, " if holder.pid is not None else ""
        return Standing("running", f"{who}since {holder.started}", snap, holder.pid, holder.started)
    if snap is None:
        return Standing("damaged", damage, None, None, None)
    state = snap.state
    failure = snap.shell.get("failure")
    if failure is not None:
        return Standing("failed", str(failure["cause"]), snap, None, None)
    if state.status == HALTED:
        return Standing("halted", ", ".join(state.halt_causes), snap, None, None)
    if state.status in (COMPLETED, PAUSED):
        return Standing(state.status, "", snap, None, None)
    last = last_holder(folder)
    if last is None or last.pid is None:
        return Standing("crashed", "", snap, None, None)
    return Standing("crashed", f"pid {last.pid}, started {last.started}", snap, last.pid, last.started)
