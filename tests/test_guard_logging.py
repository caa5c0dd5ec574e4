"""A guard trip reaches the session log, as user story 2 asks ("blocks submissions, logs the violation").

The trip is journaled (``GuardTripped``) and listed in ``session.md``, but the reducer emits
no ``Log`` effect for it and the shell logs only the session's start and end, so
``logos/logs/<id>.log`` never mentions a denial or a halt cause.
"""

from __future__ import annotations

from pathlib import Path


from session_helpers import invoke


def test_session_log_with_order_denied_by_max_notional_names_the_violation(tmp_path: Path):
    # Arrange
    args = ["trade", "--paper", "--session-id", "n", "--symbol", "UPTREND", "--sizing-value", "30000", "--home", str(tmp_path)]

    # Act
    result = invoke(args)

    # Assert
    assert result.exit_code == 0, result.output
    log = (tmp_path / "logos" / "logs" / "n.log").read_text()
    assert "max_notional" in log
