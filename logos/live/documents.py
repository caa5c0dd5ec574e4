"""The ``--json`` documents of the session commands (see ``logos.output`` for the envelope).

Each is built from what the text form shows, read from the same records: the state's
figures (``live_figures``), ``summary.json`` for the statistics, and ``session.md`` itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from logos.live.figures import live_figures
from logos.live.report import pnl_summary
from logos.live.runner import Outcome, Session
from logos.live.standing import Standing
from logos.stats.summary import SUMMARY


def _statistics(folder: Path) -> Any:
    """``summary.json`` as written, or None before the session has ended."""
    try:
        return json.loads((folder / SUMMARY).read_text())
    except (FileNotFoundError, ValueError):
        return None


def session_document(outcome: Outcome, session: Session, resume: str | None, next_step: str | None) -> dict[str, Any]:
    """The result of ``trade`` or ``resume``: how the run ended, the figures, what was not
    sent, and after a halt or a pause the exact command that continues it."""
    denied, skipped = session.unsent.counts() if session.unsent is not None else (0, 0)
    return {
        "session_id": outcome.state.params.session_id,
        "folder": str(outcome.folder),
        "bars": outcome.bars,
        "wall_s": round(outcome.wall_s, 3),
        **live_figures(outcome.state),
        "orders_not_sent": {"denied": denied, "skipped": skipped},
        "resume_command": resume,
        "next_step": next_step,
        "notes": list(outcome.messages),
        "statistics": _statistics(outcome.folder),
    }


def session_row(session_id: str, standing: Standing) -> dict[str, Any]:
    """One session of ``sessions list``."""
    state = standing.state
    row: dict[str, Any] = {"session_id": session_id, "status": standing.kind, "detail": standing.detail, "pid": standing.pid}
    if state is None:
        return {**row, "halt_causes": None, "seq": None, "equity": None, "guard_trips": None}
    return {
        **row,
        "halt_causes": list(state.halt_causes),
        "seq": state.seq,
        "equity": str(pnl_summary(state)["equity"]),
        "guard_trips": len(state.trips),
    }


def show_document(folder: Path, standing: Standing, report: str | None) -> dict[str, Any]:
    """``sessions show``: the status, the state's figures, the statistics and session.md's text."""
    return {
        "session_id": folder.name,
        "folder": str(folder),
        "status": standing.kind,
        "detail": standing.detail,
        "figures": live_figures(standing.state) if standing.state is not None else None,
        "statistics": _statistics(folder),
        "session_md": report,
    }
