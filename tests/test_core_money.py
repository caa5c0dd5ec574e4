"""Exact decimal helpers: the places a value needs, and an artifact cell in plain digits."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from logos.core.money import decimal_places, text


def test_decimal_places_with_trailing_zeros_counts_only_the_places_a_value_needs():
    cases = ("1.50", "100", "1E+2", "0.00001", "0E-8", "-2.500", "7", "2.0", "1.000", "0.0100", "Infinity")
    assert [decimal_places(Decimal(c)) for c in cases] == [1, 0, 0, 5, 0, 1, 0, 0, 0, 2, 0]


def test_text_with_tiny_and_zero_crypto_amounts_writes_plain_digits():
    assert (text(Decimal("1E-8")), text(Decimal("0E-8")), text(Decimal("-2.5E-7"))) == ("0.00000001", "0.00000000", "-0.00000025")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=8, allow_nan=False, allow_infinity=False))
def test_text_with_any_amount_reads_back_as_the_same_decimal_with_no_exponent(value: Decimal):
    written = text(value)

    assert "E" not in written
    assert Decimal(written).as_tuple() == value.as_tuple()
