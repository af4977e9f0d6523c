"""Identifiers as the acts define them, one case per clause.

BIN/IIN: Law of the RK No 223-III "On national registers of identification numbers",
Art 1, and the Rules for forming identification numbers (Government Decree No 406 of
22.05.2007). FEACN groups: Order 493, Rules §4-6. EAEU membership: the Treaty on the
EAEU of 29.05.2014 and the accession treaties of Armenia and Kyrgyzstan.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.law.identifiers import (
    FeacnCode,
    check_id,
    control_digit,
    in_group,
    is_eaeu_member,
    origin_class,
)


def bin_of(prefix: str) -> str:
    digit = control_digit(prefix)
    assert digit is not None
    return prefix + str(digit)


# --- Rules for forming identification numbers: the five parts of a BIN

def test_bin_part_1_is_year_and_month_of_registration():
    """Part 1: 4 digits, the year (last two digits) and month of (re-)registration."""
    parts = check_id(bin_of("07084000123")).parts
    assert (parts["registration_year"], parts["registration_month"]) == (2007, 8)


@pytest.mark.parametrize(("digit", "meaning"), [
    ("4", "resident legal entity"),
    ("5", "non-resident legal entity"),
    ("6", "individual entrepreneur in joint entrepreneurship"),
])
def test_bin_part_2_is_the_type_of_entity(digit, meaning):
    """Part 2: one digit, 4 residents, 5 non-residents, 6 IE in joint entrepreneurship."""
    assert check_id(bin_of(f"0708{digit}000123")).parts["entity_type_meaning"] == meaning


@pytest.mark.parametrize(("digit", "meaning"), [
    ("0", "head organisation"), ("1", "branch"), ("2", "representative office"),
    ("3", "peasant (farm) enterprise in joint entrepreneurship"),
])
def test_bin_part_3_is_the_additional_feature(digit, meaning):
    """Part 3: one digit, 0 head unit, 1 branch, 2 representative office, 3 peasant farm."""
    assert check_id(bin_of(f"07084{digit}00123")).parts["division_meaning"] == meaning


def test_bin_part_4_is_the_serial_and_part_5_the_control_digit():
    """Part 4: 5-digit registration serial; part 5: one digit computed automatically."""
    number = bin_of("07084012345")
    parts = check_id(number).parts
    assert parts["serial"] == "12345" and parts["control"] == int(number[-1])


def test_control_bit_controls_the_correctness_of_formation():
    """Law 223-III, Art 1(1): the control bit completes the number and controls it."""
    number = bin_of("07084012345")
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert check_id(number).valid and not check_id(wrong).valid


def test_iin_is_formed_from_birth_date_century_and_sex():
    """IIN: YYMMDD, then 1-6 for century and sex (odd male, even female)."""
    parts = check_id(bin_of("9507044" + "0001")).parts
    assert parts == {"birth_date": "1995-07-04", "sex": "female", "century": 20,
                     "serial": "0001", "control": parts["control"]}


# --- Order 493, Rules §4-6: agreements by FEACN code

ORDER_493_NEW_ENTRANT_GROUPS = ["870120101", "8702", "8705", "8703", "8704"]  # R §4


@pytest.mark.parametrize(("code", "group"), [
    ("8701 20 101 3", "870120101"),  # truck tractors (9-digit group, A-G10: prefix match)
    ("8702 10 119 1", "8702"),       # buses
    ("8705 10 000 1", "8705"),       # special equipment
    ("8703 23 198 1", "8703"),       # cars
    ("8704 21 100 0", "8704"),       # trucks
])
def test_r4_new_entrant_codes_fall_within_their_group(code, group):
    """R §4: truck tractors 870120101, buses 8702, special equipment 8705, cars 8703,
    trucks 8704."""
    assert FeacnCode.parse(code).matches(group)
    assert in_group(code, ORDER_493_NEW_ENTRANT_GROUPS)


def test_r4_other_tractors_and_trailers_are_not_new_entrant_codes():
    """R §4 names only new road tractors for semi-trailers (870120101), not 8701 as a
    whole; trailers (8716) are an Appendix 4 code (R §7)."""
    assert not in_group("8701 90 110 0", ORDER_493_NEW_ENTRANT_GROUPS)
    assert not in_group("8716 39 100 2", ORDER_493_NEW_ENTRANT_GROUPS)


def test_r6_multilateral_codes_exclude_cars():
    """R §6: multilateral agreements on codes 8701-8705 except 8703."""
    multilateral = ["8701", "8702", "8704", "8705"]
    assert in_group("8701 20 101 3", multilateral)
    assert not in_group("8703 23 198 1", multilateral)


# --- EAEU membership (origin of components, Order 493 App2 §8 / App3 §7)

@pytest.mark.parametrize(("code", "day"), [
    ("RU", dt.date(2015, 1, 1)), ("BY", dt.date(2015, 1, 1)),
    ("AM", dt.date(2015, 1, 2)), ("KG", dt.date(2015, 8, 12)),
])
def test_member_states_from_the_day_their_treaty_entered_into_force(code, day):
    assert is_eaeu_member(code, on=day)
    assert not is_eaeu_member(code, on=day - dt.timedelta(days=1))


def test_components_are_kazakh_other_eaeu_or_other():
    """App2 §8 / App3 §7 count products made "in the member countries of the EAEU and
    the Republic of Kazakhstan"; starred items need Kazakh production."""
    on = dt.date(2021, 1, 15)
    assert [origin_class(c, on) for c in ("KZ", "RU", "AM", "KG", "CN", "DE")] == [
        "KZ", "EAEU", "EAEU", "EAEU", "OTHER", "OTHER"]
