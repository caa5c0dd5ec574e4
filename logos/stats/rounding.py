"""How the statistics round: exact sums, divisions carried at high precision, rounded once."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

PLACES = 4
_STEP = Decimal(1).scaleb(-PLACES)
# Divisions and square roots are carried to this many significant digits, then rounded once.
WORKING = Context(prec=50)
HUNDRED = Decimal(100)


def rounded(value: Decimal) -> Decimal:
    """Round ``value`` half-even to ``PLACES`` decimal places (a tiny negative reads 0.0000, not -0.0000)."""
    return value.quantize(_STEP, rounding=ROUND_HALF_EVEN, context=WORKING) + 0


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """Return ``numerator / denominator`` rounded, or None when the denominator is zero."""
    if not denominator:
        return None
    return rounded(WORKING.divide(numerator, denominator))


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """Return ``100 × numerator / denominator`` rounded, or None when the denominator is zero."""
    return ratio(numerator * HUNDRED, denominator)
