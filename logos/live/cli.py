"""Session commands: ``trade``, ``resume``, ``stop``, ``status``, ``sessions list|show``, ``diagram`` and ``rehearse``.

``trade``'s setting options are generated from the settings table, so the CLI, the config
file and the environment can never disagree on a name.

Startup time: typer builds every command (signatures, help text) on each run, so this module
only imports what ``trade`` and ``resume`` use. What one other command needs is imported in
that command (diagrams, the rehearsal scenarios), and rich.progress only when stderr is a
terminal, where the live view is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.table import Table

from logos import output, paths
from logos.config.options import setting_options
from logos.config.secrets import scrub
from logos.config.settings import DURATION, SPECS, BadOption, Kind, Settings, load_settings, option_value
from logos.core import guards
from logos.core.guards import RESETTABLE
from logos.core.session_fsm import COMPLETED, HALTED, PAUSED
from logos.live import stop
from logos.live.lock import lock_holder
from logos.live.runner import Outcome, Session, SessionError, SessionFailed, failure_cause, final_status, is_bug, start_session
from logos.output import EXIT_BAD_INPUT, EXIT_FAILED, fail

if TYPE_CHECKING:
    from logos.core.symbols import SymbolSpec
    from logos.live.session_log import LogChoice

out, err = output.out, output.err

# --- trade -------------------------------------------------------------------------------


def _run(session: Session, feed: Any) -> Outcome:
    from logos.live.sources import polling_events, replay_events

    events = replay_events(session, feed) if session.setup.feed == "cache" else polling_events(session, feed)
    if not err.is_terminal:
        # No live view off a terminal, so rich.progress is not even imported: keeps a
        # scripted `trade` / `resume` startup short.
        return session.run(events)
    from logos.live.progress import shown  # only a session watched on a terminal draws its live view

    with shown(session, feed, err):
        return session.run(events)


def _summary(outcome: Outcome, next_step: str | None) -> None:
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
        out.print(f"note: {message}")
    out.print(f"artifacts: {outcome.folder}")
    if next_step is not None:
        out.print(f"{outcome.status}: {next_step}")


def _load(cli: dict[str, Any], duration_s: int | None = None) -> tuple[Settings, dict[str, SymbolSpec]]:
    """Load and validate the settings as `validate-config` does; print every finding, exit 2 on a problem."""
    from logos.adapters.checks import VENUES
    from logos.config.validation import validate

    settings = load_settings(cli)
    findings = validate(settings, VENUES, duration_s=duration_s)
    secrets = settings.secrets()
    if findings.problems:
        message = f"{len(findings.problems)} configuration problem(s); `logos validate-config` lists them too"
        warnings = output.listed(findings.warnings)
        raise output.error(message, EXIT_BAD_INPUT, lines=findings.lines(), secrets=secrets, problems=output.listed(findings.problems), warnings=warnings)
    for line in findings.lines():
        if output.json_wanted():
            output.note(scrub(line, secrets))
        else:
            err.print(scrub(line, secrets), soft_wrap=True)
    return settings, findings.specs


def _option(option: str, kind: Kind, raw: str | None) -> Any:
    """Parse a command's own option as the settings parse theirs; a bad value is one error line."""
    try:
        return None if raw is None else option_value(option, kind, raw)
    except BadOption as exc:
        raise fail(str(exc)) from None


def _finish(outcome: Outcome, session: Session) -> None:
    """Print the session's result (and, after a halt or a pause, the command that continues it); exit with its code."""
    code = final_status(outcome.status)
    stopped = outcome.status in (PAUSED, HALTED)

    def document() -> dict[str, Any]:
        from logos.live.documents import session_document  # only a --json run builds it

        return session_document(outcome, session, resume_command(session) if stopped else None, _resume_hint(session) if stopped else None)

    output.show(document, lambda: _summary(outcome, _resume_hint(session) if stopped else None), code)
    if code:
        raise typer.Exit(code=code)


def resume_command(session: Session) -> str:
    """The exact ``logos resume`` command that continues this session, with the flags its halt needs."""
    home = session.setup.home
    words = ["logos", "resume", session.setup.params.session_id]
    if home != paths.home():
        words += ["--home", str(home)]
    for cause in session.state.halt_causes:
        if cause in RESETTABLE:
            words += ["--reset-guard", cause]
    return " ".join(words)


def _resume_hint(session: Session) -> str:
    command = f"`{resume_command(session)}`"
    if guards.KILL_SWITCH in session.state.halt_causes:
        return f"remove the kill-switch file {session.setup.kill_switch_path}, then continue with {command}"
    return f"continue with {command}"


@setting_options()
def trade(
    cli: dict[str, Any],
    paper: Annotated[bool, typer.Option("--paper", help="Paper trading (the default and the only mode).")] = True,
    live: Annotated[bool, typer.Option("--live", help="Refused: live trading is out of scope.")] = False,
    i_acknowledge_risk: Annotated[bool, typer.Option("--i-acknowledge-risk", help="Required with --live (which is still refused).")] = False,
    session_id: Annotated[
        Optional[str], typer.Option("--session-id", help="Session folder name (default: UTC time, e.g. 20251020-093000-paper).")
    ] = None,
    json_output: output.JsonFlag = False,
    duration: Annotated[
        Optional[str],
        typer.Option("--duration", metavar="SECONDS", help=f"Polling feeds: complete the session after this many seconds ({DURATION.expect})."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Run the strategy twice in memory on the cached bars and compare the journals; start no session (exit 2: not deterministic, or it failed).",
        ),
    ] = False,
) -> None:
    """Run a paper session on the bundled cache (or a poller) and write its artifact bundle."""
    from logos.feeds.errors import FeedError
    from logos.live.setup import build_feed, build_setup, check_session_id, default_session_id

    duration_s = _option("--duration", DURATION, duration)
    if live or not paper:
        if not i_acknowledge_risk:
            raise fail("--live needs --i-acknowledge-risk; paper trading (--paper) is the default")
        raise fail("live trading is out of scope for Logos: only paper sessions run; drop --live")
    with stop.listening():  # from here on a Ctrl-C is a pause the session honours, never a traceback
        given = session_id
        try:
            session_id = check_session_id(given or default_session_id())
        except SessionError as exc:
            raise fail(str(exc)) from None
        settings, specs = _load(cli, duration_s)
        try:
            setup = build_setup(settings, specs, session_id, duration_s)
            if check:
                _check(setup, settings.seed)
                return
            feed = build_feed(setup, settings.seed)
            if setup.feed == "cache" and paths.uses_bundled_cache(setup.home):
                output.note(f"{setup.home} has no data/cache; replaying the fixtures bundled with Logos (read-only)")
            session = start_session(setup, pick_free_id=given is None)
        except SessionFailed as exc:
            raise _failed(exc.session, exc.error) from None
        except SessionError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except FeedError as exc:  # the venue cannot serve the settings (an interval, an exchange)
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(_creation_failed(exc, settings.home), EXIT_FAILED) from None
        _finish(_guarded_run(session, feed), session)


def _check(setup: Any, seed: int) -> None:
    """``trade --check``: fold the session twice in memory over the cached bars; write nothing."""
    from dataclasses import replace

    from logos.feeds.errors import FeedError
    from logos.live.setup import build_feed
    from logos.live.strategy_check import check

    try:
        verdict = check(setup, build_feed(replace(setup, feed="cache"), seed).replay({}))
    except FeedError as exc:
        raise fail(f"{exc}; --check replays the cached bars of the session's symbols") from None
    if not verdict.deterministic:
        raise fail(
            f"strategy {setup.params.strategy} is not deterministic: {verdict.says}; fix: let decide read no clock, "
            "no unseeded randomness and no state of its own (see docs/STRATEGIES.md)"
        )
    failed = [trip.detail for trip in verdict.halted_by if trip.guard == guards.STRATEGY]
    if failed:
        raise fail(f"{failed[0]}; the check stopped there")
    out.print(f"strategy {setup.params.strategy} is deterministic on {verdict.bars} bars: {verdict.says}", markup=False, soft_wrap=True)
    for trip in verdict.halted_by:
        out.print(f"note: the check session halted on {trip.guard} ({trip.detail}); the later bars were not checked", markup=False, soft_wrap=True)


def _creation_failed(exc: OSError, home: Path) -> str:
    import errno

    where = exc.filename or paths.sessions_dir(home)
    fix = "free some space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "make it writable, or pass --home (LOGOS_HOME) naming a writable folder"
    return f"cannot create the session: {where}: {exc.strerror or exc}; {fix}; no session was left behind"


def _guarded_run(session: Session, feed: Any) -> Outcome:
    """Run the session; a run an error ended (already recorded as failed) is one line and its exit code."""
    try:
        return _run(session, feed)
    except Exception as exc:
        raise _failed(session, exc) from None


def _failed(session: Session, exc: Exception) -> typer.Exit:
    """One line for a run an error ended: the cause, where, and the command that continues it."""
    from logos.feeds.errors import FeedError

    sid = session.setup.params.session_id
    code = EXIT_BAD_INPUT if isinstance(exc, FeedError) else EXIT_FAILED
    where = f"session {sid} failed at seq {session.state.seq}: {failure_cause(exc)}"
    if is_bug(exc):
        where += f" (a bug in Logos: the traceback is in {paths.logs_dir(session.setup.home) / f'{sid}.log'})"
    command = resume_command(session)
    return fail(f"{where}; once fixed, continue with `{command}`", code, session_id=sid, seq=session.state.seq, resume_command=command)


# --- resume ------------------------------------------------------------------------------


@setting_options(("home", "log_level", "log_console"))
def resume(
    cli: dict[str, Any],
    session_id: Annotated[str, typer.Argument(help="The session to continue (see `logos sessions list`).")],
    reset_guard: Annotated[
        list[str] | None, typer.Option("--reset-guard", help=f"Clear a halt cause before resuming: {', '.join(RESETTABLE)}.")
    ] = None,
    speed: Annotated[str | None, typer.Option("--speed", help="Override the stored replay speed.")] = None,
    json_output: output.JsonFlag = False,
) -> None:
    """Continue a paused, halted, crashed or failed session from its snapshot and journal."""
    from logos.live.resume import open_for_resume

    with stop.listening():  # from here on a Ctrl-C is a pause the session honours, never a traceback
        checked_id(session_id)
        resets = tuple(reset_guard or ())
        unknown = [g for g in resets if g not in RESETTABLE]
        if unknown:
            raise fail(f"--reset-guard {unknown[0]!r} is not a resettable guard; use one of {', '.join(RESETTABLE)}")
        root = paths.home(cli["home"])
        speed = _option("--speed", SPECS["speed"].kind, speed)
        log = _resume_log(cli, root)
        try:
            session, feed = open_for_resume(root, session_id, resets, speed, log)
        except SessionFailed as exc:
            raise _failed(exc.session, exc.error) from None
        except SessionError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except OSError as exc:
            raise fail(f"session {session_id} cannot be resumed: {failure_cause(exc)}", EXIT_FAILED) from None
        if session.state.status in (COMPLETED, HALTED):
            try:
                session.finish()
            except Exception as exc:
                session.fail(exc)
                raise _failed(session, exc) from None
            session.messages.append(f"the session had {session.state.status} before it stopped; its final artifacts are written now")
            _finish(Outcome(session.state.status, session.state, session.folder, 0, 0.0, session.messages), session)
            return
        if not output.json_wanted():
            out.print(f"resuming {session_id} at seq {session.state.seq}")
        _finish(_guarded_run(session, feed), session)


def _resume_log(cli: dict[str, Any], home: Path) -> LogChoice:
    """Return the log settings of this resume (option, environment, .env, logos.toml); a bad one is one line, exit 2.

    The session's other settings are the ones it was started with, kept in its snapshot.
    """
    from logos.live.setup import log_choice

    settings = load_settings({**cli, "home": str(home)})
    for problem in settings.problems:
        if problem.setting in cli:
            raise fail(scrub(str(problem), settings.secrets()))
    return log_choice(settings)


def checked_id(session_id: str) -> str:
    """Refuse a SESSION_ID that cannot be a session folder's name (``..``, a path), before any file is read."""
    from logos.live.setup import check_session_id

    try:
        return check_session_id(session_id, "SESSION_ID")
    except SessionError as exc:
        raise fail(f"{exc}; `logos sessions list` shows the sessions") from None


# --- stop --------------------------------------------------------------------------------


def stop_session(
    session_id: Annotated[str, typer.Argument(help="The running session to stop (see `logos sessions list`).")],
    home: Annotated[Path | None, typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
    halt: Annotated[bool, typer.Option("--halt", help="Halt instead of pausing: working orders are canceled.")] = False,
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for the session to stop.")] = 60.0,
) -> None:
    """Pause a running session (working orders stay working; `logos resume` continues them), or halt it with --halt.

    Exit 0 once the session has stopped, 1 if it is still running after --wait seconds, 2 if it is not running.
    """
    import os
    import time

    from logos.live.standing import session_standing

    checked_id(session_id)
    folder = paths.session_dir(paths.home(home), session_id)
    if not folder.is_dir():
        raise fail(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    holder = lock_holder(folder)
    time.sleep(0.05)  # a new holder writes its line just after taking the lock: read it once it has
    if holder is None or holder != lock_holder(folder) or holder.pid is None:
        raise fail(f"session {session_id} is not running; `logos sessions list` shows its status")
    try:
        os.kill(holder.pid, stop.HALT_SIGNAL if halt else stop.PAUSE_SIGNALS[1])
    except OSError as exc:
        raise fail(f"cannot signal session {session_id}'s process (pid {holder.pid}): {exc.strerror}; run `logos stop` as its user", EXIT_FAILED) from None
    deadline = time.monotonic() + wait
    try:
        while lock_holder(folder) is not None:
            if time.monotonic() >= deadline:
                raise fail(f"session {session_id} (pid {holder.pid}) was asked to stop but still runs after {wait:g} s", EXIT_FAILED)
            time.sleep(0.05)
    except KeyboardInterrupt:
        raise fail(f"stopped waiting: session {session_id} (pid {holder.pid}) was asked to stop; `logos sessions list` shows when it has", EXIT_FAILED) from None
    out.print(f"session {session_id}: {session_standing(folder)}")


# --- status ------------------------------------------------------------------------------


def status(
    session_id: Annotated[str, typer.Argument(help="The session to look at (see `logos sessions list`).")],
    home: Annotated[Path | None, typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Look again every --every seconds until the session stops running (or Ctrl-C).")] = False,
    every: Annotated[float, typer.Option("--every", min=0.1, help="Seconds between two looks with --watch.")] = 2.0,
    json_output: output.JsonFlag = False,
) -> None:
    """Show what a session is doing, from another terminal: running or not (and its pid), market clock, equity, positions, open orders, the last guard trips.

    Reads the writer lock, the snapshot and the journal after it, and never disturbs the
    writer. With --watch --json, one JSON document a line per look. Exit 0, or 1 when the
    session's snapshot cannot be read, 2 on bad input.
    """
    from logos.live.status import show_status  # only `status` replays a journal's tail

    checked_id(session_id)
    folder = paths.session_dir(paths.home(home), session_id)
    if not folder.is_dir():
        raise fail(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    show_status(folder, watch, every)


# --- sessions ----------------------------------------------------------------------------

sessions_app = typer.Typer(help="List and inspect sessions under the home folder.", no_args_is_help=True)


@sessions_app.command("list", cls=output.JsonCommand)
def sessions_list(
    home: Annotated[Path | None, typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
    json_output: output.JsonFlag = False,
) -> None:
    """List every session with its status (who runs it, the halt causes, what failed), journal seq and equity."""
    from logos.live.documents import session_row
    from logos.live.standing import session_standing

    root = paths.sessions_dir(paths.home(home))
    # a hidden folder is a session still being created (or a creation that died): not a session
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []
    rows = [session_row(folder.name, session_standing(folder)) for folder in folders]
    output.show(lambda: {"sessions_dir": str(root), "sessions": rows}, lambda: _sessions_table(root, rows))


def _sessions_table(root: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        out.print(f"no sessions under {root}")
        return
    table = Table("session", "status", "seq", "equity", "guard trips")
    for row in rows:
        status = f"{row['status']} ({row['detail']})" if row["detail"] else row["status"]
        table.add_row(row["session_id"], status, *("-" if row[k] is None else str(row[k]) for k in ("seq", "equity", "guard_trips")))
    out.print(table)


@sessions_app.command("show", cls=output.JsonCommand)
def sessions_show(
    session_id: Annotated[str, typer.Argument(help="The session to show.")],
    home: Annotated[Path | None, typer.Option("--home", help="Home folder (default: LOGOS_HOME or the current folder).")] = None,
    json_output: output.JsonFlag = False,
) -> None:
    """Print a session's session.md (or its snapshot summary if the report is missing)."""
    from logos.live.documents import show_document
    from logos.live.standing import session_standing

    checked_id(session_id)
    folder = paths.session_dir(paths.home(home), session_id)
    if not folder.is_dir():
        raise fail(f"no session {session_id} under {folder.parent}; `logos sessions list` shows what exists")
    report = folder / "session.md"
    text = report.read_text() if report.is_file() else None
    standing = session_standing(folder)
    if text is None and standing.state is None:
        raise fail(f"session {session_id} has no session.md and {standing.detail}")

    def as_text() -> None:
        if text is not None:
            out.print(text)
        else:
            state = standing.state
            assert state is not None  # checked above: no session.md means a readable state
            out.print(f"session {session_id}: {state.status} at seq {state.seq} (no session.md yet: it is written when the session ends)")
        out.print(f"folder: {folder}")

    output.show(lambda: show_document(folder, standing, text), as_text)


# --- diagram -----------------------------------------------------------------------------


def diagram(
    machine: Annotated[str, typer.Argument(help="Which machine: order or session.")],
    fmt: Annotated[str, typer.Option("--format", help="mermaid (stateDiagram-v2) or dot.")] = "mermaid",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of printing.")] = None,
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
    out.print(f"wrote {out_file}")


# --- rehearse ----------------------------------------------------------------------------


def rehearse(
    home: Annotated[Path | None, typer.Option("--home", help="Home folder the rehearsal goes under (default: LOGOS_HOME or the current folder).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Rehearsal folder (default: <home>/runs/live/rehearsals/<UTC time>); must be new or empty.")] = None,
) -> None:
    """Make every risk guard fire in real paper sessions on the bundled fixtures, and report.

    Exit 0 when every guard behaved, 1 when one did not (see rehearsal.md), 2 on bad input.
    """
    # imported here: only `rehearse` needs the guard scenarios, their checks and the report
    # writer (650 lines); keeps `trade` and `resume` startup short
    from logos.live.rehearse import run_command

    run_command(home, out)
