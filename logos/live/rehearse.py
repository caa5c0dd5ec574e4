"""``logos rehearse``: real paper sessions that make each risk guard fire, checked and reported.

Every scenario is a ``logos trade`` session on the bundled fixtures, run through the same
steps (settings loader and validator, setup, feed, ``start_session``, ``replay_events``,
``Session.run``) in a home of the rehearsal's own: it never meets the operator's sessions,
config file, ``.env`` or ``LOGOS_*`` variables (only ``LOGOS_SEED`` passes through), so the
limits rehearsed are the ones written here. The verdict is read back from what a reviewer
reads: the exit status, ``state.json``, the ``GuardTripped`` lines of ``state.jsonl``,
``orders.csv``, ``account.csv`` and the guard table of ``session.md``. Halted sessions are
then resumed the wrong way (refused, not one byte changed) and the right way.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

import typer

from logos import paths
from logos.atomic import write_atomic
from logos.config.settings import Settings, load_settings
from logos.core import guards
from logos.core.events import (
    INPUTS,
    GuardTripped,
    KillSwitchTripped,
    OrderDenied,
    OrderFilled,
    OrderSubmitted,
    SessionCompleted,
    SessionHalted,
    SessionResumed,
)
from logos.core.order_fsm import ORDER_TABLE
from logos.core.session_fsm import COMPLETED, HALTED, MODE_ACTIVE, MODE_HALTED, MODE_REDUCING, PAUSED
from logos.core.state import SessionState
from logos.core.timestamps import iso
from logos.live.journal import read_journal
from logos.live.report import trip_rows
from logos.live.runner import JOURNAL, SNAPSHOT, Session, SessionError, final_status, start_session
from logos.live.snapshot import read_snapshot

REPORT = "rehearsal.md"
HOME = "home"  # the rehearsal's own Logos home, inside its folder
# The kill-switch scenario replays at this many times real time (a minute bar every 1 ms)
# so the kill-switch watcher of the paced loop looks for the file before every bar.
KILL_SWITCH_SPEED = "60000"
_INPUT_TYPES = frozenset(INPUTS)


# --- what is rehearsed -----------------------------------------------------------------------


class Check(NamedTuple):
    ok: bool
    says: str


@dataclass(frozen=True)
class Resume:
    """One resume attempt after a halt: refused (and nothing changed) or accepted and run."""

    says: str
    reset: tuple[str, ...] = ()
    remove_kill_switch: bool = False
    refused_because: str | None = None  # text the refusal must contain; None: it must resume
    ends: str = COMPLETED  # status once an accepted resume has run to its end


@dataclass(frozen=True)
class Scenario:
    key: str  # also the session id
    title: str
    options: Mapping[str, str]  # settings as given to `logos trade`; the rest keep their defaults
    should: str  # what a reviewer should see, in words
    status: str
    mode: str
    trips: tuple[tuple[str, str], ...]  # the first trips, (guard, action), in journal order
    causes: tuple[str, ...] = ()
    kill_switch_when_order_working: bool = False
    extra: tuple[Callable[[Evidence, Settings], Check], ...] = ()
    resumes: tuple[Resume, ...] = ()

    @property
    def exit_code(self) -> int:
        return final_status(self.status)


@dataclass
class Evidence:
    """What one session left on disk, parsed."""

    folder: Path
    exit_code: int
    state: SessionState
    journal: list[tuple[int, Any]]
    orders: list[dict[str, str]]
    account: list[dict[str, str]]
    guard_table: list[tuple[str, ...]]
    killed_at: int | None  # market clock when the rehearsal created the kill-switch file

    def of(self, kind: type) -> list[tuple[int, Any]]:
        return [(seq, e) for seq, e in self.journal if type(e) is kind]

    @property
    def trips(self) -> list[tuple[int, GuardTripped]]:
        return self.of(GuardTripped)


def _exposure_held(ev: Evidence, settings: Settings) -> Check:
    worst = max((Decimal(row["gross_exposure"]) for row in ev.account), default=Decimal(0))
    return Check(worst <= settings.max_exposure, f"gross exposure in account.csv never passed the cap (peak {worst}, cap {settings.max_exposure})")


def _reducing_only_shrinks(ev: Evidence, settings: Settings) -> Check:
    """After the reduce trip, every order that left the process shrank its position."""
    tripped = next((seq for seq, t in ev.trips if t.guard == guards.DRAWDOWN and t.action == "reduce"), None)
    if tripped is None:
        return Check(False, "no drawdown trip with action reduce to check the orders after")
    held: dict[str, Decimal] = {}
    grew = []
    for seq, event in ev.journal:
        if type(event) is OrderFilled:
            held[event.symbol] = held.get(event.symbol, Decimal(0)) + (event.qty if event.side == "buy" else -event.qty)
        elif type(event) is OrderSubmitted and seq > tripped:
            before = held.get(event.symbol, Decimal(0))
            after = before + (event.qty if event.side == "buy" else -event.qty)
            if abs(after) >= abs(before):
                grew.append(event.client_id)
    refused = [e.client_id for seq, e in ev.of(OrderDenied) if seq > tripped and guards.TRADING_MODE in e.reasons]
    return Check(
        not grew and bool(refused),
        f"in reducing mode {len(refused)} order(s) that would grow the position were denied (trading_mode)"
        + (f"; but {', '.join(grew)} went out" if grew else "; none went out"),
    )


def _kill_switch_seen_at_once(ev: Evidence, settings: Settings) -> Check:
    tripped = ev.of(KillSwitchTripped)
    if ev.killed_at is None or not tripped:
        return Check(False, "the kill-switch file was never created, or never seen")
    seen = tripped[0][1].ts
    return Check(seen == ev.killed_at, f"the watcher saw the file before the next bar (file created at market clock {iso(ev.killed_at)}, tripped at {iso(seen)})")


def _working_order_canceled(ev: Evidence, settings: Settings) -> Check:
    canceled = [r["client_id"] for r in ev.orders if r["status"] == "canceled" and r["reason"] == "session halted"]
    return Check(bool(canceled), f"the order working when the file appeared was canceled by the halt ({', '.join(canceled) or 'none'})")


_BIG = {"max_notional": "200000", "max_position": "200000", "max_exposure": "200000"}
_GAPDOWN_LONG = {"symbols": "GAPDOWN", "sizing_value": "90000", **_BIG, "max_drawdown_bps": "500"}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "max-notional",
        "Max notional: an order above the per-order cap is denied, the session goes on",
        {"symbols": "UPTREND", "sizing_value": "30000", "max_notional": "25000", "max_position": "100000"},
        "momentum buys about 30,000 of UPTREND at 14:00; the order is denied before it leaves "
        "(max_notional 25,000), it appears in orders.csv as denied, and the session runs to the end of the feed.",
        COMPLETED, MODE_ACTIVE, ((guards.MAX_NOTIONAL, "deny"),),
    ),
    Scenario(
        "max-exposure",
        "Max exposure: an order that would take gross exposure across symbols above the cap is denied",
        {"symbols": "UPTREND,DOWNTREND", "strategy": "mean_reversion", "sizing_value": "20000", "max_exposure": "30000"},
        "mean reversion shorts about 20,000 of UPTREND first; its later 20,000 buy of DOWNTREND would take "
        "gross exposure to about 40,000, above max_exposure 30,000, so it is denied; the session completes.",
        COMPLETED, MODE_ACTIVE, ((guards.MAX_EXPOSURE, "deny"),), extra=(_exposure_held,),
    ),
    Scenario(
        "max-position",
        "Max position: an order that would make one symbol's position too large is denied",
        {"symbols": "UPTREND", "sizing_value": "30000", "max_notional": "50000", "max_position": "20000"},
        "the 30,000 UPTREND buy passes max_notional 50,000 but would leave a 30,000 position, above "
        "max_position 20,000, so it is denied; the session completes.",
        COMPLETED, MODE_ACTIVE, ((guards.MAX_POSITION, "deny"),),
    ),
    Scenario(
        "drawdown-halt",
        "Drawdown (halt): a gap down on a large long position halts the session",
        _GAPDOWN_LONG,
        "the session holds about 90,000 of GAPDOWN when the 16:00 bar opens 15% lower; drawdown from peak "
        "passes max_drawdown_bps 500, the session halts (exit 3). Resuming needs --reset-guard drawdown.",
        HALTED, MODE_HALTED, ((guards.DRAWDOWN, "halt"),), causes=(guards.DRAWDOWN,),
        resumes=(
            Resume("resume without --reset-guard drawdown is refused", refused_because="--reset-guard drawdown"),
            Resume("resume with --reset-guard drawdown restarts the peak and runs to the end", reset=(guards.DRAWDOWN,)),
        ),
    ),
    Scenario(
        "drawdown-reduce",
        "Drawdown (reduce): the same gap with --drawdown-action reduce moves trading to reducing",
        {**_GAPDOWN_LONG, "drawdown_action": "reduce"},
        "the same gap trips the drawdown guard with action reduce: the trading mode goes to reducing, "
        "orders that would grow a position are denied (trading_mode), and the session runs on to completion.",
        COMPLETED, MODE_REDUCING, ((guards.DRAWDOWN, "reduce"), (guards.TRADING_MODE, "deny")),
        extra=(_reducing_only_shrinks,),
    ),
    Scenario(
        "stale-data",
        "Stale data: one symbol's bars stop while another's go on",
        {"symbols": "STALLED,RANGEBOUND", "stale_after_s": "300"},
        "STALLED's last bar closes at 15:00 while RANGEBOUND goes on; once STALLED is more than 300 s old "
        "the session halts with cause stale_data (exit 3). Resuming needs --reset-guard stale_data.",
        HALTED, MODE_HALTED, ((guards.STALE_DATA, "halt"),), causes=(guards.STALE_DATA,),
        resumes=(Resume("resume without --reset-guard stale_data is refused", refused_because="--reset-guard stale_data"),),
    ),
    Scenario(
        "kill-switch",
        "Kill switch: the file appears mid-session while an order is working",
        {"symbols": "UPTREND", "speed": KILL_SWITCH_SPEED},
        f"the session replays paced (--speed {KILL_SWITCH_SPEED}); the rehearsal creates the kill-switch file "
        "right after the first bar that leaves an order working; the loop sees it before the next bar, cancels "
        "the order and halts with cause kill_switch (exit 3). A resume is refused while the file exists.",
        HALTED, MODE_HALTED, ((guards.KILL_SWITCH, "halt"),), causes=(guards.KILL_SWITCH,),
        kill_switch_when_order_working=True, extra=(_kill_switch_seen_at_once, _working_order_canceled),
        resumes=(
            Resume("resume while the kill-switch file exists is refused", refused_because="kill-switch file is present"),
            Resume("after removing the file the session resumes and runs to the end", remove_kill_switch=True),
        ),
    ),
    Scenario(
        "drawdown-and-stale",
        "Two at once: drawdown and stale data trip on the same bar",
        {"symbols": "STALLED,GAPDOWN", "sizing_value": "45000", **_BIG, "max_drawdown_bps": "300", "stale_after_s": "3570"},
        "STALLED stops at 15:00 and turns stale (3,570 s) exactly when GAPDOWN's 16:00 bar gaps down on a "
        "long position: the one bar records both causes, stale_data then drawdown (the fixed order), and halts.",
        HALTED, MODE_HALTED, ((guards.STALE_DATA, "halt"), (guards.DRAWDOWN, "halt")), causes=(guards.STALE_DATA, guards.DRAWDOWN),
        resumes=(
            Resume("resume with only --reset-guard drawdown is refused: stale data still blocks", reset=(guards.DRAWDOWN,), refused_because="--reset-guard stale_data"),
        ),
    ),
)


# --- running a scenario ------------------------------------------------------------------------


@dataclass
class Attempted:
    resume: Resume
    message: str  # the refusal, or how the resumed session ended
    checks: list[Check]


@dataclass
class Result:
    scenario: Scenario
    folder: Path
    wall_s: float = 0.0
    settings: Settings | None = None
    evidence: Evidence | None = None
    checks: list[Check] = field(default_factory=list)
    attempts: list[Attempted] = field(default_factory=list)
    crash: str = ""

    @property
    def passed(self) -> bool:
        return not self.crash and all(c.ok for c in self.checks) and all(c.ok for a in self.attempts for c in a.checks)


def _environ() -> dict[str, str]:
    seed = os.environ.get("LOGOS_SEED")
    return {} if seed is None else {"LOGOS_SEED": seed}


def _settings(scenario: Scenario, home: Path) -> Settings:
    given = {"home": str(home), "kill_switch_file": f"KILL_SWITCH.{scenario.key}", **scenario.options}
    return load_settings(given, environ=_environ())


def _release(session: Session) -> None:
    """Close the session's log file: a rehearsal runs many sessions in one process."""
    for handler in list(session.log.handlers):
        session.log.removeHandler(handler)
        handler.close()


def _touch_when_order_working(events: Iterator[Any], session: Session, note: dict[str, int]) -> Iterator[Any]:
    """Pass events through; once an order is working, create the kill-switch file (once)."""
    for event in events:
        yield event
        if "clock" not in note and session.state.orders:
            session.setup.kill_switch_path.touch()
            note["clock"] = session.state.clock


def run_scenario(scenario: Scenario, home: Path) -> Result:
    """Run one scenario's session in ``home`` and check what it left; never raises."""
    from logos.adapters.checks import VENUES
    from logos.config.validation import validate
    from logos.live.setup import build_feed, build_setup
    from logos.live.sources import replay_events

    result = Result(scenario, paths.session_dir(home, scenario.key))
    started = time.perf_counter()
    try:
        settings = result.settings = _settings(scenario, home)
        findings = validate(settings, VENUES)
        if findings.problems:
            result.checks = [Check(False, f"configuration refused: {p}") for p in findings.problems]
            return result
        setup = build_setup(settings, findings.specs, scenario.key)
        session = start_session(setup)
        note: dict[str, int] = {}
        events = replay_events(session, build_feed(setup, settings.seed))
        if scenario.kill_switch_when_order_working:
            events = _touch_when_order_working(events, session, note)
        try:
            outcome = session.run(events)
        finally:
            _release(session)
        result.evidence = read_evidence(result.folder, final_status(outcome.status), note.get("clock"))
        result.checks = common_checks(scenario, result.evidence, settings)
        result.checks += [check(result.evidence, settings) for check in scenario.extra]
        for resume in scenario.resumes:
            result.attempts.append(attempt_resume(home, scenario, resume, setup.kill_switch_path))
    except Exception:  # a crash of the engine is a finding to report, not a reason to stop
        result.crash = traceback.format_exc()
    finally:
        result.wall_s = time.perf_counter() - started
    return result


def attempt_resume(home: Path, scenario: Scenario, resume: Resume, kill_switch: Path) -> Attempted:
    """Resume as ``logos resume ID --speed max [--reset-guard G]`` does, and check the outcome."""
    from logos.live.resume import open_for_resume
    from logos.live.sources import replay_events

    folder = paths.session_dir(home, scenario.key)
    if resume.remove_kill_switch:
        kill_switch.unlink(missing_ok=True)
    before = fingerprint(folder)
    try:
        session, feed = open_for_resume(home, scenario.key, resume.reset, speed="max")
    except SessionError as exc:
        text = str(exc)
        if resume.refused_because is None:
            return Attempted(resume, text, [Check(False, "the resume was refused, but it should have been accepted")])
        return Attempted(
            resume,
            text,
            [
                Check(resume.refused_because in text, f"refused, naming the cause ({resume.refused_because!r})"),
                Check(fingerprint(folder) == before, "the session folder is byte-identical after the refusal"),
            ],
        )
    try:
        outcome = session.run(replay_events(session, feed))
    finally:
        _release(session)
    message = f"resumed; the session ended {outcome.status}" + (f" ({', '.join(outcome.state.halt_causes)})" if outcome.state.halt_causes else "")
    if resume.refused_because is not None:
        return Attempted(resume, message, [Check(False, "the resume was accepted, but it should have been refused")])
    ev = read_evidence(folder, final_status(outcome.status), None)
    resumed = ev.of(SessionResumed)
    return Attempted(
        resume,
        message,
        [
            Check(bool(resumed) and resumed[-1][1].reset_guards == resume.reset, f"SessionResumed journaled (guards reset: {', '.join(resume.reset) or 'none'})"),
            Check(ev.state.status == resume.ends, f"state.json status {ev.state.status} (expected {resume.ends})"),
            Check(not ev.state.orders and _all_closed(ev), "no order left open"),
        ],
    )


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a digest of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- reading the artifacts -------------------------------------------------------------------------


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


_CELL = re.compile(r"(?<!\\)\|")


def guard_table(report: str) -> list[tuple[str, ...]]:
    """The rows of ``session.md``'s guard-trip table (empty when no guard tripped)."""
    rows: list[tuple[str, ...]] = []
    section = report.split("\n## Guard trips\n", 1)[-1].split("\n## ", 1)[0]
    for line in section.splitlines():
        if line.startswith("|") and not line.startswith("|---") and not line.startswith("| first |"):
            cells = _CELL.split(line.strip())[1:-1]
            rows.append(tuple(cell.strip().replace("\\|", "|") for cell in cells))
    return rows


def read_evidence(folder: Path, exit_code: int, killed_at: int | None) -> Evidence:
    journal = read_journal(folder / JOURNAL)
    return Evidence(
        folder=folder,
        exit_code=exit_code,
        state=read_snapshot(folder / SNAPSHOT).state,
        journal=[(seq, event) for seq, event, _ in journal.entries],
        orders=_csv(folder / "orders.csv"),
        account=_csv(folder / "account.csv"),
        guard_table=guard_table((folder / "session.md").read_text()),
        killed_at=killed_at,
    )


# --- checking it ---------------------------------------------------------------------------------


def configured_limit(guard: str, settings: Settings) -> str:
    """The limit a trip of ``guard`` must report, as the journal writes it."""
    return {
        guards.MAX_NOTIONAL: str(settings.max_notional),
        guards.MAX_EXPOSURE: str(settings.max_exposure),
        guards.MAX_POSITION: str(settings.max_position),
        guards.DRAWDOWN: str(settings.max_drawdown_bps),
        guards.STALE_DATA: f"{settings.stale_after_s}s",
        guards.KILL_SWITCH: "absent",
        guards.TRADING_MODE: MODE_ACTIVE,
    }.get(guard, "")


def beyond(trip: GuardTripped) -> bool:
    """Whether the measured value really is past the limit (strictly: at the limit is allowed)."""
    try:
        return Decimal(trip.measured.removesuffix("s")) > Decimal(trip.limit.removesuffix("s"))
    except InvalidOperation:
        return trip.measured != trip.limit


def _all_closed(ev: Evidence) -> bool:
    return all(row["status"] in ORDER_TABLE.terminal for row in ev.orders) and len(ev.orders) == ev.state.orders_created


def common_checks(scenario: Scenario, ev: Evidence, settings: Settings) -> list[Check]:
    state = ev.state
    trips = [t for _, t in ev.trips]
    got = tuple((t.guard, t.action) for t in trips[: len(scenario.trips)])
    checks = [
        Check(ev.exit_code == scenario.exit_code, f"exit status {ev.exit_code} (expected {scenario.exit_code})"),
        Check(state.status == scenario.status, f"state.json status {state.status} (expected {scenario.status})"),
        Check(state.mode == scenario.mode, f"trading mode {state.mode} (expected {scenario.mode})"),
        Check(
            tuple(state.halt_causes) == scenario.causes,
            f"halt causes {', '.join(state.halt_causes) or 'none'} (expected {', '.join(scenario.causes) or 'none'})",
        ),
        Check(got == scenario.trips, "journal GuardTripped, first trips: " + (", ".join(f"{g} {a}" for g, a in got) or "none") + f" (expected {', '.join(f'{g} {a}' for g, a in scenario.trips)})"),
        Check(
            bool(trips) and all(t.limit == configured_limit(t.guard, settings) and beyond(t) for t in trips),
            "every trip records the configured limit and a measured value past it",
        ),
        Check(
            ev.guard_table == trip_rows(trips) and sum(int(row[2]) for row in ev.guard_table) == len(trips),
            f"session.md guard table accounts for the {len(trips)} journaled trip(s), those alike grouped with a count",
        ),
        Check(not state.orders and _all_closed(ev), f"no order left open ({len(ev.orders)} order(s) in orders.csv, all in a final state)"),
    ]
    denied_journal = [e.client_id for _, e in ev.of(OrderDenied)]
    denied_csv = [r["client_id"] for r in ev.orders if r["status"] == "denied"]
    lifecycles_ok = all(r["lifecycle"] == "initialized>denied" for r in ev.orders if r["status"] == "denied")
    checks.append(Check(denied_journal == denied_csv and lifecycles_ok, f"orders.csv lists the {len(denied_csv)} denied order(s) of the journal as denied (initialized>denied)"))
    if scenario.trips[0][1] == "deny":
        first = scenario.trips[0][0]
        hit = [e for _, e in ev.of(OrderDenied) if first in e.reasons]
        completed = ev.of(SessionCompleted)
        denied_at = ev.of(OrderDenied)[0][0] if denied_journal else None
        checks.append(Check(bool(hit), f"{len(hit)} order(s) denied naming {first}"))
        checks.append(Check(bool(completed) and denied_at is not None and completed[0][0] > denied_at, "the session went on after the denial and completed at the end of the feed"))
    if scenario.causes:
        checks.append(_halted_on_one_event(ev, scenario.causes))
    return checks


def _halted_on_one_event(ev: Evidence, causes: tuple[str, ...]) -> Check:
    halted = ev.of(SessionHalted)
    if not halted:
        return Check(False, "no SessionHalted in the journal")
    halt_seq, halt = halted[0]
    cause_seq = max(seq for seq, e in ev.journal if seq < halt_seq and type(e) in _INPUT_TYPES)
    group = [t.guard for seq, t in ev.trips if cause_seq < seq < halt_seq and t.action == "halt"]
    return Check(
        tuple(halt.causes) == causes and tuple(group) == causes,
        f"SessionHalted causes {', '.join(halt.causes)}, each journaled as a trip of the same input event (seq {cause_seq})",
    )


# --- the report -----------------------------------------------------------------------------------


def _flags(options: Mapping[str, str]) -> str:
    def flag(name: str) -> str:
        return "--symbol" if name == "symbols" else "--" + name.replace("_", "-")

    return " ".join(f"{flag(k)} {v}" for k, v in options.items())


def _happened(result: Result) -> str:
    ev = result.evidence
    if ev is None:
        return "the session crashed" if result.crash else "no session ran"
    state = ev.state
    causes = f" ({', '.join(state.halt_causes)})" if state.halt_causes else ""
    denied = sum(1 for r in ev.orders if r["status"] == "denied")
    if ev.trips:
        first = ev.trips[0][1]
        trip = f"first trip {first.guard} {first.action} at {iso(first.ts)}, measured {first.measured} vs limit {first.limit}"
    else:
        trip = "no guard tripped"
    return f"exit {ev.exit_code}, {state.status}{causes}, mode {state.mode}; {trip}; {len(ev.trips)} trip(s), {denied} order(s) denied"


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render_report(rehearsal_id: str, folder: Path, results: list[Result], generated_at: str) -> str:
    passed = sum(r.passed for r in results)
    verdict = _mark(passed == len(results))
    out = [
        f"# Guard rehearsal {rehearsal_id}",
        "",
        f"Generated (wall clock): {generated_at}",
        "",
        f"**{verdict}**: {passed} of {len(results)} scenarios behaved as the guards promise.",
        "",
        (
            "Each scenario is a real paper session (`logos trade`) on the fixtures bundled with Logos, "
            f"in this rehearsal's own home `{HOME}/` so it never touches the operator's sessions or settings. "
            "Every verdict is read back from the session's files: exit status, `state.json`, the `GuardTripped` "
            "lines of `state.jsonl`, `orders.csv`, `account.csv` and the guard table of `session.md`."
        ),
        "",
        f"- Rehearsal folder: `{folder}`",
        f"- Fixtures: `{paths.cache_dir(folder / HOME)}`",
        "",
        "| # | scenario | expected | what happened | result |",
        "|---|---|---|---|---|",
    ]
    for number, r in enumerate(results, 1):
        s = r.scenario
        expected = f"exit {s.exit_code}, {s.status}, first trip {s.trips[0][0]} {s.trips[0][1]}"
        out.append(f"| {number} | [{s.key}](#{number}-{s.key}) | {expected} | {_happened(r)} | {_mark(r.passed)} |")
    for number, r in enumerate(results, 1):
        out += ["", *_section(number, r, folder)]
    out.append("")
    return "\n".join(out)


def _resumed(r: Result) -> bool:
    return any(a.resume.refused_because is None and a.message.startswith("resumed") for a in r.attempts)


def _section(number: int, r: Result, folder: Path) -> list[str]:
    s = r.scenario
    rel = r.folder.relative_to(folder) if r.folder.is_relative_to(folder) else r.folder
    out = [
        f"## {number}. {s.key}",
        "",
        f"**{_mark(r.passed)}** — {s.title}. Session folder: `{rel}/` ({r.wall_s:.2f} s)"
        + ("; it also holds the accepted resume below, so its files now end with that run" if _resumed(r) else ""),
        "",
        (
            f"- Configuration: `logos trade --paper --session-id {s.key} {_flags(s.options)}` (everything else at its default; "
            f"kill-switch file `KILL_SWITCH.{s.key}` in the rehearsal home)"
        ),
        f"- Should happen: {s.should}",
        f"- What happened: {_happened(r)}",
        "",
    ]
    ev = r.evidence
    if ev is not None and ev.trips:
        shown = ev.trips[:8]
        out += ["| seq | time | guard | measured | limit | action | detail |", "|---|---|---|---|---|---|---|"]
        out += [f"| {seq} | {iso(t.ts)} | {t.guard} | {t.measured} | {t.limit} | {t.action} | {t.detail} |" for seq, t in shown]
        if len(ev.trips) > len(shown):
            out.append(f"\n… and {len(ev.trips) - len(shown)} more trip(s) in `session.md`.")
        out.append("")
    out += ["Checks:", ""]
    out += [f"- {_mark(c.ok)} {c.says}" for c in r.checks]
    if r.crash:
        out += ["- FAIL the rehearsal of this scenario raised:", "", "```", r.crash.rstrip(), "```"]
    if r.attempts:
        out += ["", "Resume after the halt:", ""]
        for a in r.attempts:
            command = f"logos resume {s.key} --speed max" + "".join(f" --reset-guard {g}" for g in a.resume.reset)
            prefix = "rm the kill-switch file; " if a.resume.remove_kill_switch else ""
            out.append(f"- {_mark(all(c.ok for c in a.checks))} {a.resume.says}: `{prefix}{command}` → {a.message}")
            out += [f"  - {_mark(c.ok)} {c.says}" for c in a.checks]
    return out


# --- the command ------------------------------------------------------------------------------------


def new_folder(root: Path, out: Path | None) -> Path:
    """The rehearsal's folder: ``out``, or a new one under ``runs/live/rehearsals/``; refuse a used one."""
    if out is not None:
        folder = out.expanduser().resolve()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise SessionError(f"--out {folder} already exists and is not an empty folder; pass a new or empty folder")
        return folder
    if not root.is_dir():
        raise SessionError(f"home {root} is not an existing folder; create it, or pass --home or --out to an existing one")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = paths.rehearsals_dir(root)
    folder, n = base / stamp, 1
    while folder.exists():
        n += 1
        folder = base / f"{stamp}-{n}"
    return folder


def run_rehearsal(folder: Path, scenarios: tuple[Scenario, ...] | None = None, echo: Callable[[str], None] = print) -> list[Result]:
    """Run every scenario under ``folder/home`` and write ``folder/rehearsal.md``."""
    chosen = SCENARIOS if scenarios is None else scenarios
    home = folder / HOME
    home.mkdir(parents=True, exist_ok=True)
    results = []
    for number, scenario in enumerate(chosen, 1):
        result = run_scenario(scenario, home)
        results.append(result)
        echo(f"[{number}/{len(chosen)}] {scenario.key:<20} {_mark(result.passed)}  {_happened(result)} ({result.wall_s:.2f}s)")
        if result.evidence is not None and result.evidence.state.status == PAUSED:
            echo("stopped by the operator: the remaining scenarios were not run")
            break
    generated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_atomic(folder / REPORT, render_report(folder.name, folder, results, generated).encode())
    return results


def run_command(home: Path | None, out: Path | None) -> None:
    """The body of ``logos rehearse``: make the folder, run every scenario, exit 1 if one misbehaved.

    The command itself (options and help) is ``logos.live.cli.rehearse``, which imports this
    module only when ``rehearse`` runs.
    """
    from logos.output import fail

    try:
        folder = new_folder(paths.home(home), out)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / HOME).mkdir()
    except SessionError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot create the rehearsal folder {exc.filename or ''}: {exc.strerror}; pass --home or --out to a writable folder") from None
    typer.echo(f"rehearsing {len(SCENARIOS)} guard scenarios in {folder}")
    results = run_rehearsal(folder, echo=typer.echo)
    passed = sum(r.passed for r in results)
    typer.echo(f"{_mark(passed == len(results))}: {passed} of {len(results)} scenarios behaved; report: {folder / REPORT}")
    if passed != len(results):
        raise typer.Exit(code=1)
