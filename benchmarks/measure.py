"""Run one command as a child process and measure it: wall time, peak RSS, marked stdout lines.

``os.wait4`` returns the resource usage of exactly that child, so the peak RSS of one
engine never mixes with another's (``RUSAGE_CHILDREN`` would keep the largest so far).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple


class Measured(NamedTuple):
    returncode: int  # negative: killed by that signal
    wall_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str
    marks: dict[str, float]  # seconds from the start until a line matched each pattern


def measure(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    marks: Mapping[str, str] | None = None,
) -> Measured:
    """Run ``command`` to its end; ``marks`` maps a name to a regex searched in each stdout line."""
    patterns = {name: re.compile(pattern) for name, pattern in (marks or {}).items()}
    seen: dict[str, float] = {}
    started = time.perf_counter()
    child = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(env) if env is not None else None, cwd=cwd
    )
    errors: list[str] = []
    drain = threading.Thread(target=lambda: errors.extend(child.stderr), daemon=True)  # type: ignore[arg-type]
    drain.start()
    lines = []
    for line in child.stdout:  # type: ignore[union-attr]
        now = time.perf_counter() - started
        lines.append(line)
        for name, pattern in patterns.items():
            if name not in seen and pattern.search(line):
                seen[name] = now
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # so Popen never waits on it again
    drain.join()
    child.stdout.close()  # type: ignore[union-attr]
    child.stderr.close()  # type: ignore[union-attr]
    return Measured(child.returncode, wall, usage.ru_maxrss / 1024, "".join(lines), "".join(errors), seen)
