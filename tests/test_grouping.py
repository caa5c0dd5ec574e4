"""Grouping rows that say the same thing: properties of ``shape`` and ``group_by``."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from logos.live.grouping import ELIDED, group_by, shape

WORDS = st.sampled_from(["AAPL", "S0001/USD", "S0002/USD", "order", "notional", "the", "move", "of", "2025-10-13T14:00:00Z", "1INCH/USDT"])
FIGURES = st.builds(
    lambda whole, places, unit: f"{whole}{'.' + places if places else ''}{unit}",
    st.integers(-10**6, 10**6),
    st.text("0123456789", min_size=0, max_size=4),
    st.sampled_from(["", "s"]),
)
TEMPLATES = st.lists(st.one_of(WORDS, st.just(None)), min_size=1, max_size=8)


def _fill(template: list[str | None], figures: list[str]) -> str:
    it = iter(figures)
    return " ".join(word if word is not None else next(it) for word in template)


@given(TEMPLATES, st.data())
def test_shape_with_texts_differing_only_in_figures_is_the_same(template, data):
    # Arrange
    holes = sum(word is None for word in template)
    one = _fill(template, data.draw(st.lists(FIGURES, min_size=holes, max_size=holes)))
    other = _fill(template, data.draw(st.lists(FIGURES, min_size=holes, max_size=holes)))

    # Act / Assert
    assert shape(one) == shape(other)
    assert shape(one).count(ELIDED) == holes


@given(st.sampled_from(["S0001/USD", "1INCH/USDT", "2025-10-13T14:00:00Z", "v1.2", "EUR-USD"]), st.sampled_from(["S0002/USD", "2INCH/USDT", "2025-10-14T14:00:00Z", "v1.3", "GBP-USD"]))
def test_shape_with_digits_inside_a_word_keeps_the_words_apart(one, other):
    assert shape(f"{one} order notional") != shape(f"{other} order notional")
    assert ELIDED not in shape(one)


ROWS = st.lists(st.tuples(st.sampled_from("abc"), st.decimals(-1000, 1000, places=2).map(str)), max_size=40)


@given(ROWS)
def test_group_by_with_any_rows_accounts_for_each_row_once_in_first_seen_order(rows):
    # Act
    groups = group_by(rows, key=lambda r: r[0], measure=lambda r: r[1])

    # Assert
    assert sum(g.count for g in groups) == len(rows)
    assert [g.first[0] for g in groups] == list(dict.fromkeys(r[0] for r in rows))
    for group in groups:
        mine = [r for r in rows if r[0] == group.first[0]]
        assert (group.first, group.last, group.count) == (mine[0], mine[-1], len(mine))
        values = [Decimal(r[1]) for r in mine]
        assert (Decimal(group.low), Decimal(group.high)) == (min(values), max(values))
        texts = {r[1] for r in mine}
        assert group.measured == (texts.pop() if len(texts) == 1 else f"{group.low} – {group.high}")
