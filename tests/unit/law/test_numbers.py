"""Exact numbers: no binary float ever reaches a legal comparison."""

from decimal import Decimal
from fractions import Fraction

import pytest

from kzreg.law.errors import InputError
from kzreg.law.numbers import exact, fmt, frac, percent_of, round_to, to_decimal, whole_units


def test_the_design_example_is_exactly_thirty():
    """(3·100/7)·0.7 is 30 exactly, not 29.999999999999996 (JO 1199/826 Cr §13)."""
    assert Fraction(3 * 100, 7) * Fraction("0.7") == 30
    assert percent_of(3, 7) * frac("0.7") == 30


@pytest.mark.parametrize("text, expected", [
    ("12.5", Decimal("12.5")), ("1 000,5", Decimal("1000.5")), ("1/3", Fraction(1, 3)),
    (7, Decimal(7)), (Decimal("0.05"), Decimal("0.05")), (Fraction(2, 3), Fraction(2, 3)),
])
def test_exact_accepts_exact_forms(text, expected):
    assert exact(text) == expected


@pytest.mark.parametrize("bad", [0.1, True, "abc", "1/0", "NaN", "Infinity", None, [1]])
def test_exact_refuses_floats_and_garbage_naming_the_field(bad):
    with pytest.raises(InputError) as err:
        exact(bad, field="points")
    assert err.value.field == "points"


@pytest.mark.parametrize("mode, expected", [
    ("half_up", "2.35"), ("half_even", "2.34"), ("down", "2.34"), ("up", "2.35"),
    ("floor", "2.34"), ("ceiling", "2.35"),
])
def test_round_to_uses_the_named_mode(mode, expected):
    assert round_to(Decimal("2.345"), 2, mode) == Decimal(expected)


def test_round_away_from_zero_for_negative_values():
    assert round_to(Decimal("-2.341"), 2, "up") == Decimal("-2.35")


def test_to_decimal_of_a_fraction_is_exact_enough_and_roundable():
    assert to_decimal(Fraction(1, 3), 4) == Decimal("0.3333")
    assert to_decimal(Fraction(1, 8)) == Decimal("0.125")


def test_whole_units_counts_complete_units_only():
    """"For each 5% of export": 14.9% gives 2 units, 15% gives 3."""
    assert whole_units(Decimal("14.9"), 5) == 2
    assert whole_units(Decimal("15"), 5) == 3
    assert whole_units(Decimal("-3"), 5) == 0
    with pytest.raises(InputError):
        whole_units(1, 0)


def test_percent_of_zero_whole_is_an_input_error():
    with pytest.raises(InputError):
        percent_of(1, 0)


def test_fmt_prints_without_float_artefacts():
    assert fmt(Decimal("30.000")) == "30"
    assert fmt(Fraction(1, 4)) == "0.25"
    assert fmt(Fraction(1, 3)) == "1/3"
    assert fmt(Decimal("1E+3")) == "1000"
