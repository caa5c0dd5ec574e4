"""Session commands: ``trade``, ``resume``, ``sessions list|show``, ``diagram`` and ``rehearse``.

``trade``'s setting options are generated from the settings table, so the CLI, the config
file and the environment can never disagree on a name.

Startup time: typer builds every command (signatures, help text) on each run, so this module
only imports what ``trade`` and ``resume`` use. What one other command needs is imported in
that command (diagrams, the rehearsal scenarios), and rich.progress only when stderr is a
terminal, where the progress bar is shown.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from logos import paths
from logos.core.guards import RESETTABLE
from logos.core.session_fsm import COMPLETED, HALTED
from logos.live.journal import JournalError
from logos.live.runner import Outcome, Session, SessionError, final_status, start_session
from logos.live.snapshot import SnapshotError, read_snapshot
from logos.secrets import scrub
from logos.settings import DURATION, SETTINGS, SPECS, BadOption, Kind, Settings, load_settings, option_value

if TYPE_CHECKING:
    from logos.core.symbols import SymbolSpec

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    err.print(f"error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(code=code)


# --- trade -------------------------------------------------------------------------------


def _run(session: Session, feed: Any) -> Outcome:
    from logos.live.sources import polling_events, replay_events

    events = replay_events(session, feed) if session.setup.feed == "cache" else polling_events(session, feed)
    if not err.is_terminal:
        # No progress bar off a terminal (a disabled Progress draws nothing), so rich.progress
        # is not even imported: keeps a scripted `trade` / `resume` startup short.
        return session.run(events)
    # imported here: only a session watched on a terminal draws the progress bar
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    )
    with progress:
        task = progress.add_task(f"session {session.setup.params.session_id}", total=None)
        session.on_progress = lambda bars: progress.update(task, completed=bars)
        return session.run(events)


def _summary(outcome: Outcome) -> None:
    from logos.live.report import pnl_summary

    state = outcome.state
    figures = pnl_summary(state)
    table = Table(title=f"Session {state.params.session_id}", show_header=False)
    rows = [
        ("status", state.status + (f" ({', '.join(state.halt_causes)})" if state.halt_causes else "")),
        ("bars", f"{outcome.bars} in {outcome.wall_s:.2f}s"),
        ("orders / fills", f"{state.orders_created} / {state.fills_applied}"),
        ("equity", str(figures["equity"])),
        ("return", str(figures["return"])),
        ("realized / unrealized", f"{figures['realized']} / {figures['unrealized']}"),
        ("drawdown (bps)", str(figures["drawdown_bps"])),
        ("guard trips", str(len(state.trips))),
    ]
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    for message in outcome.messages:
        out.print(f"note: {message}", markup=False)
    out.print(f"artifacts: {outcome.folder}", markup=False, soft_wrap=True)


def _load(cli: dict[str, Any], duration_s: int | None = None) -> tuple[Settings, dict[str, SymbolSpec]]:
    """Load and validate the settings as `validate-config` does; print every finding, exit 2 on a problem."""
    from logos.validation import validate

    settings = load_settings(cli)
    findings = validate(settings, duration_s=duration_s)
    for line in findings.lines():
        err.print(scrub(line, settings.secrets()), markup=False, soft_wrap=True)
    if findings.problems:
        raise typer.Exit(code=EXIT_BAD_INPUT)
    return settings, findings.specs


def _option(option: str, kind: Kind, raw: str | None) -> Any:
    """Parse a command's own option as the settings parse theirs; a bad value is one error line."""
    try:
        return None if raw is None else option_value(option, kind, raw)
    except BadOption as exc:
        raise fail(str(exc)) from None


def _finish(outcome: Outcome) -> None:
    _summary(outcome)
    code = final_status(outcome.status)
    if code:
        raise typer.Exit(code=code)


def trade(**options: Any) -> None:
    """Run a paper session on the bundled cache (or a poller) and write its artifact bundle."""
    from logos.live.setup import build_feed, build_setup, check_session_id, default_session_id

    paper, live, acknowledged = options.pop("paper"), options.pop("live"), options.pop("i_acknowledge_risk")
    session_id, duration = options.pop("session_id"), _option("--duration", DURATION, options.pop("duration"))
    if live or not paper:
        if not acknowledged:
            raise fail("--live needs --i-acknowledge-risk; paper trading (--paper) is the default")
        raise fail("live trading is out of scope for Logos: only paper sessions run; drop --live")
    try:
        session_id = check_session_id(session_id or default_session_id())
    except SessionError as exc:
        raise fail(str(exc)) from None
    settings, specs = _load(options, duration)
    try:
        setup = build_setup(settings, specs, session_id, duration)
        feed = build_feed(setup, settings.seed)
        if setup.feed == "cache" and paths.uses_bundled_cache(setup.home):
            out.print(f"note: {setup.home} has no data/cache; replaying the fixtures bundled with Logos (read-only)", markup=False)
        session = start_session(setup)
    except SessionError as exc:
        raise fail(str(exc)) from None
    _finish(_guarded_run(session, feed))


def _guarded_run(session: Session, feed: Any) -> Outcome:
    from logos.feeds.errors import FeedError

    try:
        return _run(session, feed)
    except FeedError as exc:
        raise fail(f"{exc}; the session stopped at seq {session.state.seq}, resume it once fixed") from None
    except (JournalError, OSError) as exc:
        raise fail(f"cannot write the session's files ({exc}); stopped at seq {session.state.seq}", EXIT_FAILED) from None


def _trade_signature() -> inspect.Signature:
    params = [
        inspect.Parameter(
            "paper", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
            default=typer.Option(True, "--paper", help="Paper trading (the default and the only mode)."),
        ),
        inspect.Parameter(
            "live", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
            default=typer.Option(False, "--live", help="Refused: live trading is out of scope."),
        ),
        inspect.Parameter(
            "i_acknowledge_risk", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
            default=typer.Option(False, "--i-acknowledge-risk", help="Required with --live (which is still refused)."),
        ),
        inspect.Parameter(
            "session_id", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[str],
            default=typer.Option(None, "--session-id", help="Session folder name (default: UTC time, e.g. 20251020-093000-paper)."),
        ),
        inspect.Parameter(
            "duration", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[str],
            default=typer.Option(None, "--duration", metavar="SECONDS", help=f"Polling feeds: complete the session after this many seconds ({DURATION.expect})."),
        ),
    ]
    for spec in SETTINGS:
        if not spec.on_cli:
            continue
        annotation = Optional[list[str]] if spec.name == "symbols" else Optional[str]
        help_text = f"{spec.help} (env {spec.env}; default {spec.default or 'none'})"
        params.append(
            inspect.Parameter(
                spec.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                default=typer.Option(None, spec.option, help=help_text, show_default=False),
            )
        )
    return inspect.Signature(params)


trade.__signature__ = _trade_signature()  # type: ignore[attr-defined]


# --- resume ------------------------------------------------------------------------------


def resume(
    session_id: Annotated[str, typer.Argument(help="The session to continue (see `logos sessions list`).")],
    home: Annotated[Optional[Path], typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
    reset_guard: Annotated[
        Optional[list[str]], typer.Option("--reset-guard", help=f"Clear a halt cause before resuming: {', '.join(RESETTABLE)}.")
    ] = None,
    speed: Annotated[Optional[str], typer.Option("--speed", help="Override the stored replay speed.")] = None,
) -> None:
    """Continue a crashed or halted session from its snapshot and journal."""
    from logos.live.resume import open_for_resume
    from logos.live.setup import build_feed

    resets = tuple(reset_guard or ())
    unknown = [g for g in resets if g not in RESETTABLE]
    if unknown:
        raise fail(f"--reset-guard {unknown[0]!r} is not a resettable guard; use one of {', '.join(RESETTABLE)}")
    root = paths.home(home)
    speed = _option("--speed", SPECS["speed"].kind, speed)
    try:
        session = open_for_resume(root, session_id, resets, speed)
    except SessionError as exc:
        raise fail(str(exc)) from None
    for message in session.messages:
        out.print(f"note: {message}", markup=False)
    if session.state.status in (COMPLETED, HALTED):
        session.finish()
        out.print(f"note: the session had {session.state.status} before it stopped; its final artifacts are written now", markup=False)
        _finish(Outcome(session.state.status, session.state, session.folder, 0, 0.0, []))
        return
    out.print(f"resuming {session_id} at seq {session.state.seq}", markup=False)
    _finish(_guarded_run(session, build_feed(session.setup, session.state.params.seed)))


# --- sessions ----------------------------------------------------------------------------

sessions_app = typer.Typer(help="List and inspect sessions under the home folder.", no_args_is_help=True)


@sessions_app.command("list")
def sessions_list(
    home: Annotated[Optional[Path], typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
) -> None:
    """List every session with its status, journal seq and equity."""
    from logos.live.report import pnl_summary

    root = paths.sessions_dir(paths.home(home))
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not folders:
        out.print(f"no sessions under {root}", markup=False)
        return
    table = Table("session", "status", "seq", "equity", "guard trips")
    for folder in folders:
        try:
            state = read_snapshot(folder / "state.json").state
        except SnapshotError as exc:
            table.add_row(folder.name, "damaged", "-", "-", str(exc))
            continue
        table.add_row(folder.name, state.status, str(state.seq), str(pnl_summary(state)["equity"]), str(len(state.trips)))
    out.print(table)


@sessions_app.command("show")
def sessions_show(
    session_id: Annotated[str, typer.Argument(help="The session to show.")],
    home: Annotated[Optional[Path], typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
) -> None:
    """Print a session's session.md (or its snapshot summary if the report is missing)."""
    folder = paths.session_dir(paths.home(home), session_id)
    if not folder.is_dir():
        raise fail(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    report = folder / "session.md"
    if report.is_file():
        out.print(report.read_text(), markup=False)
    else:
        try:
            state = read_snapshot(folder / "state.json").state
        except SnapshotError as exc:
            raise fail(f"session {session_id} has no session.md and {exc}") from None
        out.print(f"session {session_id}: {state.status} at seq {state.seq} (no session.md yet: it is written when the session ends)", markup=False)
    out.print(f"folder: {folder}", markup=False, soft_wrap=True)


# --- diagram -----------------------------------------------------------------------------


def diagram(
    machine: Annotated[str, typer.Argument(help="Which machine: order or session.")],
    fmt: Annotated[str, typer.Option("--format", help="mermaid (stateDiagram-v2) or dot.")] = "mermaid",
    out_file: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of printing.")] = None,
) -> None:
    """Print the order or session state machine, drawn from the table the engine runs on."""
    from logos.diagrams import FORMATS, TABLES, render

    if machine not in TABLES:
        raise fail(f"unknown machine {machine!r}; use one of {', '.join(TABLES)}")
    if fmt not in FORMATS:
        raise fail(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    text = render(machine, fmt)
    if out_file is None:
        typer.echo(text, nl=False)
        return
    try:
        out_file.write_text(text)
    except OSError as exc:
        raise fail(f"cannot write --out {out_file}: {exc.strerror}") from None
    out.print(f"wrote {out_file}", markup=False)


# --- rehearse ----------------------------------------------------------------------------


def rehearse(
    home: Annotated[Optional[Path], typer.Option("--home", help="Home folder the rehearsal goes under (default: LOGOS_HOME or the current folder).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Rehearsal folder (default: <home>/runs/live/rehearsals/<UTC time>); must be new or empty.")] = None,
) -> None:
    """Make every risk guard fire in real paper sessions on the bundled fixtures, and report.

    Exit 0 when every guard behaved, 1 when one did not (see rehearsal.md), 2 on bad input.
    """
    # imported here: only `rehearse` needs the guard scenarios, their checks and the report
    # writer (650 lines); keeps `trade` and `resume` startup short
    from logos.live.rehearse import run_command

    run_command(home, out)
