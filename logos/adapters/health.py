"""What a dry-run check reports, and the two ways it can fail.

Exit codes: 0 healthy; 1 the adapter was unreachable or unhealthy (the venue said no, or a
sample order would not pass its rules); 2 the input is wrong (bad or missing settings,
no ``--dry-run``, an adapter that is only a stub) and nothing was contacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logos.config.settings import Problem

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """The configuration is wrong; nothing was contacted."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} configuration problem(s)")
        self.problems = problems


class Unhealthy(Exception):
    """The venue could not be reached or refused; ``line`` is the one-line, scrubbed reason."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


@dataclass
class HealthReport:
    adapter: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def row(self, label: str, value: str) -> None:
        self.rows.append((label, value))

    def fail(self, reason: str) -> None:
        self.failures.append(reason)

    @property
    def healthy(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        width = max((len(label) for label, _ in self.rows), default=0)
        out = [f"{self.adapter} dry-run check"]
        out += [f"  {label.ljust(width)}  {value}" for label, value in self.rows]
        out += [f"  unhealthy: {reason}" for reason in self.failures]
        out.append("healthy: no order was sent" if self.healthy else f"{self.adapter}: unhealthy; no order was sent")
        return out
