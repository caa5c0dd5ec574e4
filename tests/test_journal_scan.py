"""Finding journal lines by type with a byte search: the same lines decoding every line finds.

The journals here are written by the real encoder; a reason text may quote a type marker
(the encoder escapes it), the file may be empty or end in a line a crash cut short, and a
line may sit across the 4 MiB offset where a chunked read used to cut the file.
"""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from logos.core.codec import encode
from logos.core.events import BarClosed, IntentSkipped, OrderDenied
from logos.live.journal_scan import lines_of

TYPES = ("OrderDenied", "IntentSkipped")
OLD_CHUNK = 1 << 22  # the offset at which the chunked read cut the file in two

REASONS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(['quoted "type":"OrderDenied", in a reason', '{"seq":1,"type":"IntentSkipped"}', "rounds to zero lots\n"]),
)
EVENTS = st.one_of(
    st.builds(BarClosed, st.just("AAPL"), st.integers(0, 10**9), *[st.just(Decimal("1.5"))] * 5, st.integers(0, 10**9)),
    st.builds(OrderDenied, st.text("abc0123", min_size=1, max_size=8), st.sampled_from(["AAPL", "BTC/USDT"]), st.sampled_from(["buy", "sell"]), st.just(Decimal("2")), st.lists(REASONS, max_size=2).map(tuple), st.integers(0, 10**9)),
    st.builds(IntentSkipped, st.sampled_from(["AAPL", "BTC/USDT"]), st.just(Decimal("0.3")), REASONS, st.integers(0, 10**9)),
)


def _journal(folder: Path, lines: list[str], torn: str = "") -> Path:
    path = folder / "state.jsonl"
    path.write_bytes("".join(line + "\n" for line in lines).encode() + torn.encode())
    return path


def _decoded(lines: list[str], types: tuple[str, ...]) -> list[dict[str, Any]]:
    return [body for body in map(json.loads, lines) if body["type"] in types]


@given(st.lists(EVENTS, max_size=30), st.sampled_from([TYPES, TYPES[:1], TYPES[1:], ("BarClosed",)]), st.integers(0, 200))
def test_lines_of_with_any_journal_finds_what_decoding_each_line_finds(events, types, cut):
    # Arrange: the last event's line is cut short after ``cut`` bytes, as a crash leaves it.
    lines = [encode(seq, event) for seq, event in enumerate(events, 1)]
    torn = encode(len(events) + 1, IntentSkipped("AAPL", Decimal("1"), "cut", 0))[:cut]
    with tempfile.TemporaryDirectory() as folder:
        path = _journal(Path(folder), lines, torn)

        # Act
        found = lines_of(path, types)

    # Assert
    assert found == _decoded(lines, types)


def test_lines_of_with_an_empty_journal_finds_nothing(tmp_path: Path) -> None:
    # Arrange
    path = _journal(tmp_path, [])

    # Act / Assert
    assert lines_of(path, TYPES) == []


def test_lines_of_with_lines_across_the_old_chunk_boundary_finds_each_whole(tmp_path: Path) -> None:
    # Arrange: bars up to just before 4 MiB, then a skip and a denial whose lines span it.
    bar = encode(1, BarClosed("AAPL", 0, *[Decimal("1.5")] * 5, 0))
    lines = [bar] * ((OLD_CHUNK - 100) // (len(bar) + 1))
    lines.append(encode(len(lines) + 1, IntentSkipped("AAPL", Decimal("0.3"), "x" * 500, 7)))
    lines.append(encode(len(lines) + 1, OrderDenied("c1", "AAPL", "buy", Decimal("2"), ("y" * (OLD_CHUNK + 10),), 8)))
    path = _journal(tmp_path, lines, torn=lines[-1][:50])
    spans = [sum(len(line) + 1 for line in lines[:i]) for i in (len(lines) - 2, len(lines))]

    # Act
    found = lines_of(path, TYPES)

    # Assert
    assert spans[0] < OLD_CHUNK < spans[1], "the two lines sit across the old boundary"
    assert [(e["type"], e["ts"]) for e in found] == [("IntentSkipped", 7), ("OrderDenied", 8)]
    assert found[0]["reason"] == "x" * 500 and found[1]["reasons"] == ["y" * (OLD_CHUNK + 10)]
