"""The session log an operator steers: its level, a copy on stderr, UTC ISO-8601 stamps, no secret.

The level and the console copy are settings like any other (``--log-level``,
``LOGOS_LOG_LEVEL``, ``log_level`` in logos.toml; ``log_console`` likewise), honoured by
``trade`` and ``resume``; the log still lands in ``<home>/logos/logs/<id>.log``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from logos.live.session_log import LogChoice, session_logger
from logos.config.secrets import Secret, mask
from session_helpers import folder_digest, invoke, one_line_error, run_logos, session_dir

LINE = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z (DEBUG|INFO|WARNING|ERROR) (.*)")
LEVELS = ("debug", "info", "warning", "error")
# The runbook's drawdown drill: an INFO line at the start, a WARNING at the trip, an INFO at the halt.
DRILL = ["--symbol", "GAPDOWN", "--sizing-value", "90000", "--max-notional", "200000", "--max-position", "200000",
         "--max-exposure", "200000", "--max-drawdown-bps", "500"]
SID = "drill"


def _log(home: Path, session_id: str = SID) -> list[str]:
    return (home / "logos" / "logs" / f"{session_id}.log").read_text().splitlines()


def _records(lines: list[str]) -> list[tuple[str, str]]:
    """(level, message) of each log line; every line must be one."""
    matches = [LINE.fullmatch(line) for line in lines]
    assert all(matches), lines
    return [(m.group(2), m.group(3)) for m in matches if m]


def _at_least(records: list[tuple[str, str]], level: str) -> list[tuple[str, str]]:
    floor = logging.getLevelName(level.upper())
    return [r for r in records if logging.getLevelName(r[0]) >= floor]


def _drill(home: Path, *extra: str, **env: str | None) -> int:
    home.mkdir(parents=True, exist_ok=True)
    return invoke(["trade", "--paper", "--session-id", SID, "--home", str(home), *DRILL, *extra], **env).exit_code


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    home = tmp_path_factory.mktemp("debug")
    assert _drill(home, "--log-level", "debug") == 3
    records = _records(_log(home))
    assert {level for level, _ in records} == {"INFO", "WARNING"}, "the drill logs at two levels"
    return records


@pytest.mark.parametrize("layer", ["option", "environment", "logos.toml"])
@pytest.mark.parametrize("level", LEVELS)
def test_log_level_from_any_layer_keeps_exactly_the_lines_at_or_above_it(
    tmp_path: Path, reference: list[tuple[str, str]], level: str, layer: str
) -> None:
    # Arrange
    home = tmp_path / "home"
    home.mkdir()
    extra: list[str] = []
    env: dict[str, str | None] = {}
    if layer == "option":
        extra = ["--log-level", level]
    elif layer == "environment":
        env = {"LOGOS_LOG_LEVEL": level.upper()}
    else:
        (home / "logos.toml").write_text(f'log_level = "{level}"\n')

    # Act
    code = _drill(home, *extra, **env)

    # Assert
    assert code == 3
    lines = _log(home)
    assert _records(lines) == _at_least(reference, level)


def test_log_with_a_local_time_zone_stamps_each_line_in_utc_iso_8601(tmp_path: Path) -> None:
    # Arrange: five hours west of UTC, so a local stamp could not pass for a UTC one
    before = datetime.now(timezone.utc).replace(microsecond=0)

    # Act
    run = run_logos(["trade", "--paper", "--session-id", "tz", "--symbol", "UPTREND"], tmp_path, TZ="EST+5")
    after = datetime.now(timezone.utc)

    # Assert
    assert run.returncode == 0, run.stderr
    lines = _log(tmp_path, "tz")
    stamps = [datetime.fromisoformat(LINE.fullmatch(line).group(1)).replace(tzinfo=timezone.utc) for line in lines]  # type: ignore[union-attr]
    assert len(stamps) == 2 and all(before <= stamp <= after for stamp in stamps), (before, lines, after)
    assert stamps == sorted(stamps)


@pytest.mark.parametrize("how", [("--log-console", "true"), ("LOGOS_LOG_CONSOLE", "1")], ids=["option", "environment"])
def test_log_console_copies_every_log_line_to_stderr_and_keeps_the_file(tmp_path: Path, how: tuple[str, str]) -> None:
    # Arrange
    name, value = how
    args = ["trade", "--paper", "--session-id", SID, *DRILL]
    env = {}
    if name.startswith("--"):
        args += [name, value]
    else:
        env[name] = value

    # Act
    run = run_logos(args, tmp_path, **env)

    # Assert
    assert run.returncode == 3, run.stderr
    file_lines = _log(tmp_path)
    assert len(file_lines) == 3
    assert [line for line in run.stderr.splitlines() if LINE.fullmatch(line)] == file_lines
    assert not any(LINE.fullmatch(line) for line in run.stdout.splitlines()), "the copy goes to stderr only"


def test_log_without_console_setting_writes_no_log_line_to_stderr(tmp_path: Path) -> None:
    # Act
    run = run_logos(["trade", "--paper", "--session-id", SID, *DRILL], tmp_path)

    # Assert
    assert run.returncode == 3
    assert len(_log(tmp_path)) == 3
    assert not any(LINE.fullmatch(line) for line in run.stderr.splitlines())


def test_resume_with_its_own_log_settings_applies_them_to_the_lines_it_adds(tmp_path: Path) -> None:
    # Arrange: a halted drill logged at the default level
    assert run_logos(["trade", "--paper", "--session-id", SID, *DRILL], tmp_path).returncode == 3
    before = _log(tmp_path)

    # Act: errors only to the file, with a console copy
    run = run_logos(["resume", SID, "--reset-guard", "drawdown", "--log-console", "on"], tmp_path, LOGOS_LOG_LEVEL="error")
    quiet = _log(tmp_path)
    rerun = run_logos(["trade", "--paper", "--session-id", "again", *DRILL], tmp_path)
    loud = run_logos(["resume", "again", "--reset-guard", "drawdown", "--log-console", "on"], tmp_path)

    # Assert
    assert run.returncode == 0 and rerun.returncode == 3 and loud.returncode == 0, run.stderr + loud.stderr
    assert quiet == before, "at level error the resume adds no line"
    assert not any(LINE.fullmatch(line) for line in run.stderr.splitlines())
    added = _log(tmp_path, "again")[3:]
    assert [re.sub(r" (from|at) seq .*", "", message) for _, message in _records(added)] == ["session again resumed", "session again ended completed"]
    assert [line for line in loud.stderr.splitlines() if LINE.fullmatch(line)] == added


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["--log-level", "loud"], {}, "log_level: option --log-level 'loud' is not one of debug, info, warning, error"),
        ([], {"LOGOS_LOG_CONSOLE": "maybe"}, "log_console: environment variable LOGOS_LOG_CONSOLE='maybe' is not true or false"),
    ],
    ids=["level", "console"],
)
def test_trade_and_resume_with_a_bad_log_setting_refuse_in_one_line_and_change_nothing(
    tmp_path: Path, args: list[str], env: dict[str, str], fragment: str
) -> None:
    # Arrange
    assert _drill(tmp_path) == 3
    before = folder_digest(tmp_path)

    # Act
    trade = invoke(["trade", "--paper", "--session-id", "other", "--home", str(tmp_path), *args], **env)
    resume = invoke(["resume", SID, "--reset-guard", "drawdown", "--home", str(tmp_path), *args], **env)

    # Assert
    for result in (trade, resume):
        assert result.exit_code == 2, result.output
        assert fragment in one_line_error(result.stderr)
    assert folder_digest(tmp_path) == before


def test_session_logger_with_secrets_scrubs_them_from_file_and_console_tracebacks_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Arrange
    planted = "PLANTED-SECRET-7c1e9"
    logger = session_logger(tmp_path, "s", LogChoice("info", True, (Secret(planted),)))

    # Act
    logger.info("request with key %s", planted)
    try:
        raise RuntimeError(f"venue refused {planted}")
    except RuntimeError:
        logger.error("failed", exc_info=True)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()

    # Assert
    written = (tmp_path / "logos" / "logs" / "s.log").read_text()
    shown = capsys.readouterr().err
    for text in (written, shown):
        assert planted not in text
        assert f"request with key {mask(planted)}" in text and f"RuntimeError: venue refused {mask(planted)}" in text
    assert written == shown

