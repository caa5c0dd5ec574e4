"""The live view of a session on a terminal, refreshed on time, never per bar.

rich's refresh thread redraws it ``REFRESH_PER_SECOND`` times a second and reads, as it
draws, the bars the session has counted and its state (immutable, so a read between two
events is always whole). The loop never calls it, so a ``--speed max`` replay pays nothing
per bar. A cache replay shows the bars done of the cache's rows, counted up front (see
``CacheFeed.row_count``), with the rate and an ETA; a paced or polled session also shows
the market clock, equity, positions, open orders and the latest guard trips, so each bar is
on screen within a refresh of its arrival.

Imported only when stderr is a terminal: a scripted session never loads rich.progress.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from logos.live.figures import live_figures
from logos.live.runner import Session
from logos.live.view import figures_view

REFRESH_PER_SECOND = 4


def bars_done(session: Session) -> int:
    """Bars the session has applied since it started, every run counted (the shell's feed figures)."""
    # tuple(): one step the loop cannot interleave with, should it add a symbol's figures meanwhile
    return sum(figures["bars"] for figures in tuple(session.shell["feed"].values()))


class SessionProgress(Progress):
    """A progress bar whose count, and the session's figures below it, are read at each refresh."""

    def __init__(self, session: Session, total: int | None, console: Console) -> None:
        columns: Iterable[Any]
        if total is None:  # a poller: no end known
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} bars"), TimeElapsedColumn())
        else:
            columns = (
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            )
        self.session = session
        self.task: TaskID | None = None  # Progress draws once while it is being made
        super().__init__(*columns, console=console, transient=True, refresh_per_second=REFRESH_PER_SECOND)
        # Starting from the bars already done keeps a resume's ETA on this run's rate.
        self.task = self.add_task(f"session {session.setup.params.session_id}", total=total, completed=bars_done(session))

    def get_renderables(self) -> Iterator[RenderableType]:
        if self.task is not None:
            self.update(self.task, completed=bars_done(self.session))
        yield from super().get_renderables()
        yield figures_view(live_figures(self.session.state), tables=self.session.setup.paced)


@contextmanager
def shown(session: Session, feed: Any, console: Console) -> Iterator[None]:
    """Show the session's live view on ``console`` while the block runs."""
    total = feed.row_count() if session.setup.feed == "cache" else None
    with SessionProgress(session, total, console):
        yield
