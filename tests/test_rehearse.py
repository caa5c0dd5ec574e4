"""The guard rehearsal: every scenario's halt or denial, read back from the session's own files.

The rehearsal runs once per module (about a second); the assertions below read the
artifacts directly, not the rehearsal's verdicts, so a rehearsal that checks too little
cannot pass these tests by itself.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from logos.core.timestamps import iso
from logos.live import rehearse
from session_helpers import flat, folder_digest, invoke, journal, one_line_error, rows


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[rehearse.Result], list[str]]:
    folder = tmp_path_factory.mktemp("rehearsal")
    lines: list[str] = []
    results = rehearse.run_rehearsal(folder, echo=lines.append)
    return folder, results, lines


def session(rehearsal: tuple[Path, list[rehearse.Result], list[str]], key: str) -> Path:
    folder, _, _ = rehearsal
    return folder / rehearse.HOME / "runs" / "live" / "sessions" / key


def trips(folder: Path) -> list[dict[str, str]]:
    return [e for e in journal(folder) if e["type"] == "GuardTripped"]


def state(folder: Path) -> dict:
    return json.loads((folder / "state.json").read_text())


def guard_rows(folder: Path) -> list[tuple[str, ...]]:
    return rehearse.guard_table((folder / "session.md").read_text())


def number(text: str) -> Decimal:
    return Decimal(text.removesuffix("s"))


# --- the whole rehearsal ------------------------------------------------------------------


def test_rehearsal_with_bundled_fixtures_every_scenario_passes(rehearsal):
    # Arrange
    folder, results, lines = rehearsal

    # Act
    report = (folder / rehearse.REPORT).read_text()

    # Assert
    assert [r.scenario.key for r in results if not r.passed] == []
    assert len(lines) == len(rehearse.SCENARIOS)
    assert all(" PASS " in line for line in lines)
    assert f"**PASS**: {len(results)} of {len(results)} scenarios" in report
    for r in results:
        assert f"## {results.index(r) + 1}. {r.scenario.key}" in report


def test_rehearsal_with_bundled_fixtures_each_scenario_in_its_own_session(rehearsal):
    for scenario in rehearse.SCENARIOS:
        folder = session(rehearsal, scenario.key)
        assert (folder / "session.md").is_file(), scenario.key
        assert json.loads((folder / "state.json").read_text())["state"]["params"]["session_id"] == scenario.key


@pytest.fixture()
def halted(tmp_path: Path):
    """Run one rehearsal scenario (without its resume attempts) in a fresh home."""

    def run(key: str) -> Path:
        scenario = next(s for s in rehearse.SCENARIOS if s.key == key)
        result = rehearse.run_scenario(dataclasses.replace(scenario, resumes=()), tmp_path)
        assert not result.crash, result.crash
        return tmp_path

    return run


# --- denials: the order is denied, the session completes ------------------------------------


@pytest.mark.parametrize(
    ("key", "guard", "limit"),
    [("max-notional", "max_notional", "25000"), ("max-exposure", "max_exposure", "30000"), ("max-position", "max_position", "20000")],
)
def test_cap_scenario_with_order_above_cap_denies_it_and_completes(rehearsal, key, guard, limit):
    # Arrange
    folder = session(rehearsal, key)

    # Act
    tripped = trips(folder)
    orders = rows(folder / "orders.csv")
    entries = journal(folder)

    # Assert
    assert tripped and {t["guard"] for t in tripped} == {guard}
    assert all(t["action"] == "deny" and t["limit"] == limit and number(t["measured"]) > number(limit) for t in tripped)
    denied = [o for o in orders if o["status"] == "denied"]
    assert len(denied) == len(tripped) and all(o["lifecycle"] == "initialized>denied" for o in denied)
    assert [e["client_id"] for e in entries if e["type"] == "OrderDenied"] == [o["client_id"] for o in denied]
    assert entries[-1]["type"] == "SessionCompleted"
    assert state(folder)["state"]["status"] == "completed"
    (detail,) = {t["detail"] for t in tripped}
    measured = sorted((t["measured"] for t in tripped), key=number)
    span = measured[0] if measured[0] == measured[-1] else f"{measured[0]} – {measured[-1]}"
    first, last = iso(tripped[0]["ts"]), iso(tripped[-1]["ts"])
    assert guard_rows(folder) == [(first, last, str(len(tripped)), guard, span, limit, "deny", detail)], "alike trips are one row"


def test_max_exposure_scenario_with_denials_keeps_gross_exposure_under_the_cap(rehearsal):
    account = rows(session(rehearsal, "max-exposure") / "account.csv")
    assert max(Decimal(r["gross_exposure"]) for r in account) <= Decimal("30000")


# --- halts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "causes", "limits"),
    [
        ("drawdown-halt", ["drawdown"], ["500"]),
        ("stale-data", ["stale_data"], ["300s"]),
        ("kill-switch", ["kill_switch"], ["absent"]),
        ("drawdown-and-stale", ["stale_data", "drawdown"], ["3570s", "300"]),
    ],
)
def test_halt_scenario_with_guard_past_limit_halts_with_each_cause_recorded(halted, key, causes, limits):
    # Arrange
    folder = halted(key) / "runs" / "live" / "sessions" / key

    # Act
    entries = journal(folder)
    tripped = trips(folder)
    snap = state(folder)["state"]

    # Assert
    assert snap["status"] == "halted" and snap["mode"] == "halted"
    assert snap["halt_causes"] == causes
    assert snap["orders"] == {}
    assert [t["guard"] for t in tripped] == causes
    assert [t["limit"] for t in tripped] == limits
    assert all(t["action"] == "halt" for t in tripped)
    halts = [e for e in entries if e["type"] == "SessionHalted"]
    assert len(halts) == 1 and halts[0]["causes"] == causes
    assert entries[-1]["type"] == "SessionHalted"
    assert guard_rows(folder) == [(iso(t["ts"]), iso(t["ts"]), "1", t["guard"], t["measured"], t["limit"], "halt", t["detail"]) for t in tripped]
    assert all(o["status"] in {"filled", "canceled", "denied", "rejected", "expired"} for o in rows(folder / "orders.csv"))


def test_drawdown_halt_scenario_with_gap_down_measures_drawdown_past_the_limit(rehearsal):
    (trip,) = trips(session(rehearsal, "drawdown-halt"))
    assert number(trip["measured"]) > Decimal("500")
    assert trip["detail"].startswith("equity ")


def test_stale_data_scenario_with_stalled_symbol_names_it_and_its_age(rehearsal):
    (trip,) = trips(session(rehearsal, "stale-data"))
    assert number(trip["measured"]) > 300
    assert "STALLED" in trip["detail"] and "RANGEBOUND" not in trip["detail"]


def test_kill_switch_scenario_with_order_working_cancels_it_and_halts(rehearsal):
    # Arrange
    folder = session(rehearsal, "kill-switch")

    # Act
    (trip,) = trips(folder)
    orders = rows(folder / "orders.csv")

    # Assert
    assert (trip["measured"], trip["limit"]) == ("present", "absent")
    canceled = [o for o in orders if o["status"] == "canceled"]
    assert canceled and canceled[0]["lifecycle"].endswith("pending_cancel>canceled")
    assert canceled[0]["reason"] == "session halted"


def test_drawdown_and_stale_scenario_with_one_bar_records_both_causes_on_that_event(rehearsal):
    # Arrange
    entries = journal(session(rehearsal, "drawdown-and-stale"))

    # Act
    halt_at = next(i for i, e in enumerate(entries) if e["type"] == "SessionHalted")
    cause_at = max(i for i, e in enumerate(entries[:halt_at]) if e["type"] == "BarClosed")
    group = entries[cause_at + 1 : halt_at]

    # Assert
    assert [e["guard"] for e in group if e["type"] == "GuardTripped"] == ["stale_data", "drawdown"]
    assert {e["ts"] for e in group if e["type"] == "GuardTripped"} == {entries[halt_at]["ts"]}


def test_drawdown_reduce_scenario_with_gap_down_switches_to_reducing_and_completes(rehearsal):
    # Arrange
    folder = session(rehearsal, "drawdown-reduce")

    # Act
    tripped = trips(folder)
    entries = journal(folder)
    snap = state(folder)["state"]

    # Assert
    assert (tripped[0]["guard"], tripped[0]["action"], tripped[0]["limit"]) == ("drawdown", "reduce", "500")
    assert {t["guard"] for t in tripped[1:]} == {"trading_mode"}
    assert any(e["type"] == "TradingModeChanged" and e["mode"] == "reducing" for e in entries)
    assert snap["status"] == "completed" and snap["mode"] == "reducing"
    reduce_seq = tripped[0]["seq"]
    after = [e for e in entries if e["type"] == "OrderSubmitted" and e["seq"] > reduce_seq]
    # The position was long: in reducing mode only closing sells leave, and it never turns short.
    assert all(e["side"] == "sell" for e in after)
    assert Decimal(snap["positions"]["GAPDOWN"]["qty"]) >= 0


# --- resume after a halt ---------------------------------------------------------------------


def test_resume_with_kill_switch_file_present_is_refused_and_changes_nothing(halted):
    # Arrange
    home = halted("kill-switch")
    folder = home / "runs" / "live" / "sessions" / "kill-switch"
    before = folder_digest(folder)

    # Act
    refused = invoke(["resume", "kill-switch", "--home", str(home), "--speed", "max"])

    # Assert
    assert refused.exit_code == 2
    assert "kill-switch file is present; remove it to resume" in flat(one_line_error(refused.stderr))
    assert folder_digest(folder) == before


def test_resume_with_kill_switch_file_removed_continues_to_completion(halted):
    # Arrange
    home = halted("kill-switch")
    (home / "KILL_SWITCH.kill-switch").unlink()

    # Act
    resumed = invoke(["resume", "kill-switch", "--home", str(home), "--speed", "max"])

    # Assert
    assert resumed.exit_code == 0, resumed.output
    entries = journal(home / "runs" / "live" / "sessions" / "kill-switch")
    assert [e["type"] for e in entries if e["type"] in {"SessionHalted", "SessionResumed", "SessionCompleted"}] == [
        "SessionHalted", "SessionResumed", "SessionCompleted",
    ]


def test_resume_of_drawdown_halt_without_reset_is_refused_and_changes_nothing(halted):
    # Arrange
    home = halted("drawdown-halt")
    folder = home / "runs" / "live" / "sessions" / "drawdown-halt"
    before = folder_digest(folder)

    # Act
    refused = invoke(["resume", "drawdown-halt", "--home", str(home)])

    # Assert
    assert refused.exit_code == 2
    assert "--reset-guard drawdown" in flat(one_line_error(refused.stderr))
    assert folder_digest(folder) == before


def test_resume_of_drawdown_halt_with_reset_guard_drawdown_completes(halted):
    # Arrange
    home = halted("drawdown-halt")

    # Act
    resumed = invoke(["resume", "drawdown-halt", "--home", str(home), "--reset-guard", "drawdown"])

    # Assert
    assert resumed.exit_code == 0, resumed.output
    entries = journal(home / "runs" / "live" / "sessions" / "drawdown-halt")
    assert [e["reset_guards"] for e in entries if e["type"] == "SessionResumed"] == [["drawdown"]]
    assert entries[-1]["type"] == "SessionCompleted"


def test_resume_of_two_cause_halt_with_one_reset_is_refused_and_changes_nothing(halted):
    # Arrange
    home = halted("drawdown-and-stale")
    folder = home / "runs" / "live" / "sessions" / "drawdown-and-stale"
    before = folder_digest(folder)

    # Act
    refused = invoke(["resume", "drawdown-and-stale", "--home", str(home), "--reset-guard", "drawdown"])

    # Assert
    assert refused.exit_code == 2
    assert "--reset-guard stale_data" in flat(one_line_error(refused.stderr))
    assert folder_digest(folder) == before


# --- the command ---------------------------------------------------------------------------


def test_rehearse_command_with_bundled_fixtures_exits_zero_and_writes_the_report(tmp_path: Path):
    # Act
    result = invoke(["rehearse", "--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "runs" / "live" / "rehearsals").iterdir()
    assert (folder / "rehearsal.md").is_file()
    progress = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(progress) == len(rehearse.SCENARIOS) and all(" PASS " in line for line in progress)


def test_rehearse_command_with_a_scenario_whose_guard_never_fires_exits_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Arrange: the cap is raised above the order, so the expected denial never happens.
    calm = dataclasses.replace(rehearse.SCENARIOS[0], options={**rehearse.SCENARIOS[0].options, "max_notional": "50000"})
    monkeypatch.setattr(rehearse, "SCENARIOS", (calm, rehearse.SCENARIOS[1]))
    out = tmp_path / "r"

    # Act
    result = invoke(["rehearse", "--out", str(out)])

    # Assert
    assert result.exit_code == 1
    report = (out / "rehearsal.md").read_text()
    assert "**FAIL**: 1 of 2 scenarios" in report
    assert "- FAIL journal GuardTripped, first trips: none (expected max_notional deny)" in report
    assert "[1/2] max-notional         FAIL" in result.stdout


def test_rehearse_command_with_a_wrong_expectation_exits_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Arrange: the stale-data halt is expected to complete instead.
    stale = next(s for s in rehearse.SCENARIOS if s.key == "stale-data")
    monkeypatch.setattr(rehearse, "SCENARIOS", (dataclasses.replace(stale, status="completed"),))

    # Act
    result = invoke(["rehearse", "--out", str(tmp_path / "r")])

    # Assert
    assert result.exit_code == 1
    assert "- FAIL exit status 3 (expected 0)" in (tmp_path / "r" / "rehearsal.md").read_text()


def test_rehearse_command_with_used_out_folder_refuses_in_one_line(tmp_path: Path):
    # Arrange
    (tmp_path / "keep.txt").write_text("operator's file")
    before = folder_digest(tmp_path)

    # Act
    result = invoke(["rehearse", "--out", str(tmp_path)])

    # Assert
    assert result.exit_code == 2
    assert "pass a new or empty folder" in flat(one_line_error(result.stderr))
    assert folder_digest(tmp_path) == before


def test_rehearse_command_with_missing_home_refuses_in_one_line_and_creates_nothing(tmp_path: Path):
    # Act
    result = invoke(["rehearse", "--home", str(tmp_path / "typo")])

    # Assert
    assert result.exit_code == 2
    assert "is not an existing folder" in flat(one_line_error(result.stderr))
    assert list(tmp_path.iterdir()) == []
