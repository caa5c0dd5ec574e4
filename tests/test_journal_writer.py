"""The journal writer's holding policy: what may sit in memory, and what must reach the file.

Lines that are not durable (bars that caused nothing, facts a resume re-derives anyway)
may be held back, fewer than ``hold_lines`` at any time; a durable group (an order, a
fill, a trip) is written at once with everything held before it. Whatever was held, the file ends up with every
line in order, and the writer's CRC is the CRC of the file.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from core_factories import bar
from logos.core.codec import encode
from logos.core.events import OrderAccepted
from logos.live.journal import JournalWriter, read_journal

# ("bar", n): one fact-free bar (n unused); ("run", n): n quiet bars at once;
# ("fact", n): a bar and n non-durable facts; ("durable", n): a bar and n durable facts.
CALLS = st.lists(st.tuples(st.sampled_from(["bar", "run", "fact", "durable"]), st.integers(1, 9)), max_size=40)


@given(calls=CALLS, hold_lines=st.sampled_from([0, 1, 3, 8]))
def test_journal_writer_holds_fewer_than_hold_lines_and_never_a_fact(tmp_path_factory, calls, hold_lines) -> None:
    # Arrange
    path: Path = tmp_path_factory.mktemp("journal") / "state.jsonl"
    writer = JournalWriter(path, fsync_durable=False, hold_lines=hold_lines)
    seq, lines = 0, []

    def entries(count: int, fact: bool) -> tuple:
        nonlocal seq
        made = []
        for i in range(count):
            seq += 1
            event = OrderAccepted(f"S-{seq}", seq) if fact and i else bar("AAPL", seq, "101.5")
            made.append((seq, event))
        lines.extend(encode(s, e) for s, e in made)
        return tuple(made)

    for kind, n in calls:
        # Act
        if kind == "run":
            writer.append(entries(n, fact=False), durable=False)
        elif kind == "bar":
            writer.append(entries(1, fact=False), durable=False)
        else:
            writer.append(entries(n + 1, fact=True), durable=kind == "durable")

        # Assert
        written = path.read_bytes().decode().splitlines()
        assert lines[: len(written)] == written, "lines reached the file out of order"
        held = len(lines) - len(written)
        assert held < max(hold_lines, 1)
        if kind == "durable":
            assert held == 0, "a durable group was held back"
        assert writer.last_seq == seq

    writer.close()
    data = path.read_bytes()
    assert data.decode().splitlines() == lines
    assert writer.crc == zlib.crc32(data)
    assert [s for s, _, _ in read_journal(path).entries] == list(range(1, seq + 1))


class _ShortWrites:
    """A raw file that takes at most ``most`` bytes per write, as a write cut short by a signal does."""

    def __init__(self, raw, most: int) -> None:
        self.raw = raw
        self.most = most
        self.calls = 0

    def write(self, data) -> int:
        self.calls += 1
        return self.raw.write(bytes(data[: self.most]))

    def __getattr__(self, name):
        return getattr(self.raw, name)


@given(most=st.integers(1, 64), groups=st.lists(st.integers(1, 6), min_size=1, max_size=12))
def test_journal_writer_with_short_writes_writes_every_byte_in_order(tmp_path_factory, most, groups) -> None:
    # Arrange
    path: Path = tmp_path_factory.mktemp("short") / "state.jsonl"
    writer = JournalWriter(path, fsync_durable=False)
    short = writer._file = _ShortWrites(writer._file, most)
    seq, lines = 0, []

    # Act
    for size in groups:
        made = []
        for i in range(size):
            seq += 1
            made.append((seq, OrderAccepted(f"S-{seq}", seq) if i else bar("AAPL", seq, "101.5")))
        lines += [encode(s, e) for s, e in made]
        writer.append(tuple(made), durable=True)
    writer.close()

    # Assert
    data = path.read_bytes()
    assert data.decode().splitlines() == lines
    assert writer.crc == zlib.crc32(data)
    assert short.calls >= len(data) // most
