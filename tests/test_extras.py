"""A command that needs an extra that is not installed names it in one line, exits 2 and changes nothing.

An uninstalled library is stood in for by ``None`` in ``sys.modules``: the import system then
finds no such module and an import of it fails, as in a core install. `.ci/wheel` runs the
same commands in a real core install.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from logos.extras import EXTRAS, missing_extra
from logos.feeds.errors import FeedError
from logos.live.runner import SessionSetup
from logos.live.setup import build_feed
from session_helpers import invoke, one_line_error, session_dir


def _uninstall(monkeypatch: pytest.MonkeyPatch, extra: str) -> None:
    for module in EXTRAS[extra]:
        monkeypatch.setitem(sys.modules, module, None)


CASES = {
    "trade --feed ccxt": ("ccxt", ["trade", "--paper", "--feed", "ccxt", "--symbol", "BTC/USDT", "--session-id", "s"], "option --feed 'ccxt'"),
    "trade --feed yfinance": ("yfinance", ["trade", "--paper", "--feed", "yfinance", "--symbol", "AAPL", "--session-id", "s"], "option --feed 'yfinance'"),
    "adapters check ccxt": ("ccxt", ["adapters", "check", "ccxt", "--dry-run"], "`logos adapters check ccxt`"),
    "adapters check alpaca": ("alpaca", ["adapters", "check", "alpaca", "--dry-run"], "`logos adapters check alpaca`"),
}


@pytest.mark.parametrize(("extra", "args", "needed_by"), CASES.values(), ids=CASES.keys())
def test_command_without_its_extra_names_it_in_one_line_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, args: list[str], needed_by: str
) -> None:
    # Arrange
    _uninstall(monkeypatch, extra)
    monkeypatch.chdir(tmp_path)

    # Act
    result = invoke([*args, "--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 2, result.output
    line = one_line_error(result.stderr)
    assert f"{needed_by} needs the {extra} extra" in line
    assert f"fix: pip install 'logos-paper[{extra}]' (in a checkout: pip install -e '.[{extra}]')" in line
    assert list(tmp_path.iterdir()) == [], "nothing is written"


def test_validate_config_with_adapter_ccxt_without_its_extra_reports_it_as_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange
    _uninstall(monkeypatch, "ccxt")

    # Act
    result = invoke(["validate-config", "--adapter", "ccxt", "--home", str(tmp_path)])

    # Assert: its one problem, then validate-config's count of them
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "error: adapter: adapter ccxt needs the ccxt extra (ccxt, tenacity not installed); "
        "fix: pip install 'logos-paper[ccxt]' (in a checkout: pip install -e '.[ccxt]')",
        "1 configuration problem(s); fix them and run `logos validate-config` again",
    ]


def test_trade_with_feed_ccxt_without_its_extra_still_reports_every_other_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange
    _uninstall(monkeypatch, "ccxt")

    # Act
    result = invoke(["trade", "--paper", "--feed", "ccxt", "--symbol", "AAPL", "--fill-at", "same_close", "--home", str(tmp_path)])

    # Assert: the missing extra, and what needs no library: an equity on ccxt, a same_close fill
    assert result.exit_code == 2, result.output
    assert [line.split(":")[1].strip() for line in result.stderr.splitlines()] == ["feed", "feed", "fill_at"]
    assert "needs the ccxt extra" in result.stderr and "ccxt serves crypto only, but AAPL is equity" in result.stderr


def test_report_without_the_report_extra_names_it_in_one_line_and_writes_no_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange
    assert invoke(["trade", "--paper", "--session-id", "r", "--home", str(tmp_path), "--symbol", "UPTREND"]).exit_code == 0
    _uninstall(monkeypatch, "report")

    # Act
    result = invoke(["report", "r", "--home", str(tmp_path)])

    # Assert
    assert result.exit_code == 2, result.output
    assert "`logos report` needs the report extra (plotly not installed); fix: pip install 'logos-paper[report]'" in one_line_error(result.stderr)
    assert not (session_dir(tmp_path, "r") / "report.html").exists()


@pytest.mark.parametrize("feed", ["ccxt", "yfinance"])
def test_build_feed_of_a_poller_without_its_extra_raises_feed_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feed: str) -> None:
    # Arrange: a resume builds the feed the session was started with, without validating settings again
    _uninstall(monkeypatch, feed)
    setup = SessionSetup(home=tmp_path, params=None, feed=feed)  # type: ignore[arg-type]

    # Act
    with pytest.raises(FeedError) as raised:
        build_feed(setup, seed=1)

    # Assert
    assert str(raised.value) == missing_extra(feed, f"feed {feed}")
    assert f"pip install 'logos-paper[{feed}]'" in str(raised.value)


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_missing_extra_with_every_module_installed_is_none_and_with_one_absent_names_only_that_one(monkeypatch: pytest.MonkeyPatch, extra: str) -> None:
    # Arrange: the dev install has every extra
    installed = missing_extra(extra, "x")
    absent = EXTRAS[extra][0]
    monkeypatch.setitem(sys.modules, absent, None)

    # Act
    line = missing_extra(extra, "x")

    # Assert
    assert installed is None
    assert line is not None and line.startswith(f"x needs the {extra} extra ({absent} not installed); ")
