"""The one atomic writer: a reader or a crash sees a file's old content or its new, never half.

Feeds (cache files, fixtures) and the session shell (state.json, session.md, the CSV bundle's
rewrites, summary.json, reports) all replace files through ``write_atomic``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` durably: a temp file in the same folder, fsync, rename,
    fsync of the folder. On an error (a full disk) the old file stays and no temp file is left."""
    # A unique temp name: two cache writers (two sessions fetching one symbol) never share one.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; these are ordinary shared files
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new entry in ``folder`` durable: it is only once the folder is on disk."""
    if os.name != "posix":
        return  # Windows cannot open a folder
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
