"""`logos adapters check ib`: a documented stub that explains itself and exits 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from logos.adapters.ib import IB_STUB_LINES
from logos.cli import app

RUNBOOK = Path(__file__).resolve().parent.parent / "docs" / "LIVE-RUNBOOK.md"


def test_check_ib_with_any_flags_explains_the_stub_and_exits_2():
    # Act
    result = CliRunner().invoke(app, ["adapters", "check", "ib", "--dry-run"])

    # Assert
    assert result.exit_code == 2
    assert result.stdout.splitlines() == list(IB_STUB_LINES)
    assert "TWS or IB Gateway" in result.stdout and "ib_insync" in result.stdout


def test_runbook_with_ib_section_carries_the_same_text():
    text = RUNBOOK.read_text()
    assert all(line.strip() in text for line in IB_STUB_LINES)
