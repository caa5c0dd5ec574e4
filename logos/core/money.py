"""Exact decimal helpers shared by the translator, the fill model and the portfolio."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
BPS = Decimal(10000)


def decimal_places(value: Decimal) -> int:
    """Return how many places after the point ``value`` needs (``1.50`` needs one, ``100`` none)."""
    _, digits, exponent = value.as_tuple()
    if not any(digits):
        return 0  # zero (0E-8 too) and the non-finite values, which have no digits
    places = -exponent  # type: ignore[operator]  # finite here: the exponent is an int
    for digit in reversed(digits):
        if places <= 0 or digit:
            break
        places -= 1
    return max(places, 0)


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    """Round ``value`` toward zero to a whole number of ``step``."""
    return ((value / step).to_integral_value(rounding=ROUND_DOWN) * step).quantize(step)


def round_to_step(value: Decimal, step: Decimal) -> Decimal:
    """Round ``value`` to the nearest whole number of ``step`` (ties to even)."""
    return ((value / step).to_integral_value(rounding=ROUND_HALF_EVEN) * step).quantize(step)


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    """Round ``value`` away from zero to a whole number of ``step``."""
    return ((value / step).to_integral_value(rounding=ROUND_UP) * step).quantize(step)


def bps_of(amount: Decimal, bps: Decimal, step: Decimal) -> Decimal:
    """Return ``bps`` basis points of ``amount``, rounded up to ``step`` (fees never round to free)."""
    if not bps:
        return ZERO
    return ceil_to_step(amount * bps / BPS, step)


def text(value: Decimal) -> str:
    """``value`` as an artifact cell: plain digits and a point, never an exponent.

    ``str`` writes a tiny or zero crypto amount as ``1E-8`` or ``0E-8``; only those are
    rewritten, so the common cell costs one ``str``.
    """
    written = str(value)
    return format(value, "f") if "E" in written else written


def on_step(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded to a whole number of ``step`` (ties to even), kept as written when it is one."""
    return value if not value % step else round_to_step(value, step)
