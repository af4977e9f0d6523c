"""BIN/IIN, FEACN codes, country codes and command-line dates under hostile text.

Properties: any text is either accepted (and then normalised, 12 ASCII digits with a
right control digit) or refused with an InputError naming the field; never another
exception. A valid number survives whitespace and its normal form is a fixed point.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given
from hypothesis import strategies as st

from hostile.budget import budget
from hostile.strategies import NASTY_TOKENS
from kzreg.commands._common import iso_date
from kzreg.law.errors import InputError, NotFound
from kzreg.law.identifiers import (
    FeacnCode,
    check_id,
    control_digit,
    country,
    validate_bin,
    validate_bin_or_iin,
    validate_iin,
)

hostile_text = st.one_of(st.text(max_size=30), st.sampled_from(NASTY_TOKENS),
                         st.text(alphabet="0123456789 \t\n\u00a0\u2007٠١²", max_size=16))
twelve_digits = st.text(alphabet="0123456789", min_size=12, max_size=12)


@budget(300)
@given(st.one_of(hostile_text, twelve_digits), st.dates())
def test_check_id_never_raises(text, today):
    result = check_id(text, today=today)
    if result.valid:
        assert len(result.number) == 12 and result.number.isascii() and result.number.isdigit()
        assert control_digit(result.number[:11]) == int(result.number[11])
        assert result.kind in ("BIN", "IIN")
    else:
        assert result.reason


@budget(300)
@given(st.one_of(hostile_text, twelve_digits))
def test_validators_accept_normalised_or_refuse_with_the_field(text):
    for validate, field in ((validate_bin, "bin"), (validate_iin, "iin"),
                            (validate_bin_or_iin, "bin_iin")):
        try:
            number = validate(text)
        except InputError as error:
            assert error.field == field and error.message
        else:
            assert validate(number) == number           # the normal form is a fixed point
            assert validate(f" {number[:6]} {number[6:]}\n") == number


@budget(200)
@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.data())
def test_every_issued_prefix_has_one_control_digit(prefix, data):
    digit = control_digit(prefix)
    assume(digit is not None)
    others = [d for d in "0123456789" if d != str(digit)]
    assert not check_id(prefix + data.draw(st.sampled_from(others))).valid


@budget(200)
@given(hostile_text, st.booleans())
def test_feacn_parse_accepts_digits_or_refuses(text, prefix):
    try:
        code = FeacnCode.parse(text, prefix=prefix)
    except InputError as error:
        assert error.field == "feacn_code"
    else:
        assert FeacnCode.parse(str(code), prefix=prefix) == code


@budget(200)
@given(hostile_text)
def test_country_codes(text):
    try:
        found = country(text)
    except (InputError, NotFound) as error:
        assert error.field == "country"
    else:
        assert len(found.code) == 2 and found.code.isupper()


@budget(300)
@given(st.one_of(hostile_text, st.dates().map(dt.date.isoformat),
                 st.sampled_from(["2024-02-29", "2023-02-29", "0000-01-01", "10000-01-01",
                                  "2024-W01-1", "20240101", "2024-1-1", " 2024-03-01 ",
                                  "2024-03-01T00:00", "+2024-03-01", "２０２４-０３-０１"])))
def test_iso_date_parses_or_names_the_option(text):
    try:
        day = iso_date(text, "--as-of")
    except InputError as error:
        assert error.field == "--as-of"
    else:
        assert day.isoformat() == text.strip()  # only YYYY-MM-DD, no other ISO form


def test_iso_date_refuses_the_other_iso_forms():
    for text in ("20240301", "2024-W09-5", "2024-061", "2024-03-01T00:00"):
        try:
            iso_date(text, "--on")
        except InputError as error:
            assert error.field == "--on"
        else:
            raise AssertionError(f"{text!r} was read as a date")
