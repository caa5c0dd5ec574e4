"""The ``logos report`` command. Its machinery (plotly) is imported only when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from logos import paths
from logos.extras import missing_extra
from logos.output import fail, out


def report(
    session_id: Annotated[str, typer.Argument(help="The session to report on (see `logos sessions list`).")],
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the page here (default: <session folder>/report.html).")] = None,
    home: Annotated[Path | None, typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
) -> None:
    """Write one self-contained HTML page: equity, drawdown, prices with fills, guard trips, statistics."""
    folder = paths.session_dir(paths.home(home), session_id)
    if not folder.is_dir():
        raise fail(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    absent = missing_extra("report", "`logos report`")
    if absent:
        raise fail(absent)
    from logos.live.snapshot import SnapshotError
    from logos.report.build import write_report
    from logos.stats.records import RecordsError

    try:
        target = write_report(folder, out_file)
    except (SnapshotError, RecordsError) as exc:
        raise fail(f"cannot report on session {session_id}: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot write --out {out_file or folder / 'report.html'}: {exc.strerror}") from None
    out.print(f"wrote {target}", markup=False, soft_wrap=True)
