"""Exact numbers for points, shares and money.

A binary float never enters a legal comparison: (3·100/7)·0.7 must be exactly 30, or a
subject changes risk band (JO 1199/826, Cr §13). Values are `Decimal` for figures the
acts write in decimal notation and `Fraction` where a quotient must stay exact until the
act says to round.
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)
from fractions import Fraction
from typing import Literal

from kzreg.law.errors import InputError

Exact = Decimal | Fraction | int
RoundingMode = Literal["half_up", "half_even", "down", "up", "floor", "ceiling"]

_MODES = {
    "half_up": ROUND_HALF_UP,      # the school rule, the usual reading of "rounded"
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,            # truncation towards zero
    "floor": ROUND_FLOOR,
    "ceiling": ROUND_CEILING,
}


def exact(value: object, field: str = "value") -> Decimal | Fraction:
    """Return `value` as an exact number; refuse floats and malformed text.

    Accepts int, Decimal, Fraction and strings such as "12.5", "1/3", "1 000,5".
    """
    if isinstance(value, bool):
        raise InputError("expected a number, got a boolean", field=field)
    if isinstance(value, float):
        raise InputError("binary floats are not accepted; give the number as text",
                         field=field)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InputError("must be a finite number", field=field)
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            if "/" in text:
                return Fraction(text)
            number = Decimal(text)
        except (InvalidOperation, ValueError, ZeroDivisionError):
            raise InputError(f"{value!r} is not a number", field=field) from None
        if not number.is_finite():
            raise InputError("must be a finite number", field=field)
        return number
    raise InputError(f"expected a number, got {type(value).__name__}", field=field)


def frac(value: object, field: str = "value") -> Fraction:
    """`value` as a Fraction, for exact quotients (Fraction and Decimal do not mix)."""
    return Fraction(exact(value, field))


def to_decimal(value: Exact, places: int | None = None,
               mode: RoundingMode = "half_up") -> Decimal:
    """Convert to Decimal; with `places`, round as the act prescribes (`mode`)."""
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 60
            value = Decimal(value.numerator) / Decimal(value.denominator)
            if places is None:
                return +value
    elif not isinstance(value, Decimal):
        value = Decimal(value)
    if places is None:
        return value
    return round_to(value, places, mode)


def round_to(value: Exact, places: int, mode: RoundingMode = "half_up") -> Decimal:
    """Round to `places` decimal places (0 = whole units) with the named mode."""
    if mode == "up":   # away from zero
        rounding = ROUND_CEILING if value >= 0 else ROUND_FLOOR
    else:
        rounding = _MODES[mode]
    if isinstance(value, Fraction):
        value = to_decimal(value)
    quantum = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value).quantize(quantum, rounding=rounding)


def whole_units(amount: Exact, unit: Exact) -> int:
    """How many whole `unit`s fit in `amount` (e.g. points "for each 5% of export")."""
    if unit <= 0:
        raise InputError("unit must be positive", field="unit")
    return int(Fraction(amount) // Fraction(unit)) if amount > 0 else 0


def percent_of(part: Exact, whole: Exact) -> Fraction:
    """part·100/whole, exactly."""
    if whole == 0:
        raise InputError("cannot take a share of zero", field="whole")
    return Fraction(part) * 100 / Fraction(whole)


def fmt(value: Exact) -> str:
    """Human text for an exact number: integers plain, others without float artefacts."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        dec = to_decimal(value)
        if Fraction(dec) == value:
            return _plain(dec)
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return _plain(value)
    return str(value)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
