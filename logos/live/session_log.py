"""The session log: ``logos/logs/<id>.log`` under the home, and a copy on stderr if asked.

An operator steers it with two settings: ``log_level`` (the least severe level recorded)
and ``log_console`` (also write each line to stderr). Each line starts with its wall time in
UTC, ISO-8601 to the millisecond (``2025-10-20T09:30:00.123Z``), so logs of machines in
different time zones read the same. The configured secrets are scrubbed from every line
(traceback included) before any handler sees it. A line the disk or the console cannot take
is lost, never a traceback on stderr.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from logos import paths
from logos.config.secrets import ScrubFilter, Secret


class LogChoice(NamedTuple):
    """What the operator chose for this run's log; never part of the session's record."""

    level: str = "info"  # debug | info | warning | error
    console: bool = False
    secrets: tuple[Secret, ...] = ()


class UtcFormatter(logging.Formatter):
    """``<UTC ISO-8601 time> <LEVEL> <message>``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        return f"{stamp:%Y-%m-%dT%H:%M:%S}.{int(record.msecs):03d}Z"


class _LogFile(logging.FileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        pass


class _Console(logging.Handler):
    """Write to ``sys.stderr`` as it is at each line: a progress bar on a terminal redirects it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def session_logger(home: Path, session_id: str, choice: LogChoice = LogChoice()) -> logging.Logger:
    """Return the logger of session ``session_id``, writing to ``<home>/logos/logs/<id>.log`` as ``choice`` says."""
    folder = paths.logs_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(f"logos.session.{session_id}")
    logger.setLevel(choice.level.upper())
    logger.propagate = False
    # One logger per id in a process: a session opened earlier here (another home, another
    # choice) lets go of its handlers.
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    for scrubber in list(logger.filters):
        logger.removeFilter(scrubber)
    logger.addFilter(ScrubFilter(choice.secrets))
    handlers: list[logging.Handler] = [_LogFile(folder / f"{session_id}.log")]
    if choice.console:
        handlers.append(_Console())
    for handler in handlers:
        handler.setFormatter(UtcFormatter())
        logger.addHandler(handler)
    return logger
