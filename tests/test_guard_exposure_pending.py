"""Max exposure with orders in flight: two symbols' entries on the same bar.

Momentum wants to enter UPTREND and DOWNTREND on the same bar with 20,000 each under a
30,000 ``max_exposure``. The first order is accepted but unfilled (market orders fill at
the next bar's open); the second must count it, be denied, and so keep gross exposure
under the cap once the first fills.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path


from session_helpers import invoke, journal, rows


def test_max_exposure_with_two_entries_on_one_bar_never_lets_gross_exposure_pass_the_cap(tmp_path: Path):
    # Arrange
    args = ["trade", "--paper", "--session-id", "x", "--symbol", "UPTREND,DOWNTREND", "--sizing-value", "20000", "--max-exposure", "30000"]

    # Act
    result = invoke(args + ["--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 0, result.output
    folder = tmp_path / "runs" / "live" / "sessions" / "x"
    events = journal(folder)
    first = next(e for e in events if e["type"] == "OrderSubmitted")
    same_bar_denials = [
        e for e in events
        if e["type"] == "GuardTripped" and e["guard"] == "max_exposure" and e["ts"] == first["ts"]
    ]
    assert same_bar_denials, "the second entry on the first order's bar was not denied for max_exposure"
    peak = max(Decimal(r["gross_exposure"]) for r in rows(folder / "account.csv"))
    assert peak <= Decimal("30000"), f"gross exposure reached {peak} with max_exposure 30000 and no trip"
