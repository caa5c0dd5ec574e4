"""Quiet runs format their account rows' times like ``iso``, whatever the bar times."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core_factories import bar, make_params, started
from logos.core.quiet import reduce_run
from logos.core.timestamps import iso


@given(
    first=st.integers(0, 3_000),
    steps=st.lists(st.tuples(st.integers(1, 700), st.sampled_from([0, 0, 0, 1, 30, 59, 86_400])), min_size=1, max_size=40),
)
def test_quiet_run_with_bars_across_midnights_and_off_minute_arrivals_stamps_rows_like_iso(first: int, steps: list[tuple[int, int]]):
    # Arrange: a flat price keeps momentum's target where it is, so every bar is quiet. Bars
    # are minutes apart (T0 is 22:14 UTC, so runs cross midnight); some arrive seconds late,
    # some a day late.
    state = started(make_params())
    bars, minute = [], first
    for gap, late in steps:
        minute += gap
        made = bar("AAPL", minute, "100")
        bars.append(made._replace(seen=made.seen + late))

    # Act
    _, (_, rows), taken = reduce_run(state, bars)

    # Assert
    assert taken == len(bars)
    assert [row[0] for row in rows.rows] == [iso(b.seen) for b in bars]
