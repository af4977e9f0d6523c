"""BIN/IIN, FEACN codes and countries (kzreg.law.identifiers, `kzreg id`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kzreg.commands.ids import app
from kzreg.law.errors import InputError, NotFound
from kzreg.law.identifiers import (
    FeacnCode,
    all_countries,
    check_id,
    control_digit,
    country,
    eaeu_members,
    in_group,
    is_eaeu_member,
    matching_groups,
    origin_class,
    validate_bin,
    validate_bin_or_iin,
    validate_iin,
)

# BINs published for well-known Kazakh companies. Found with the search tools in public
# material that quotes them with the company's name (payment details, registry extracts):
PUBLISHED_BINS = {
    # Halyk Bank (АО «Народный Банк Казахстана», BIK HSBKKZKX): "БИН 940140000385" in bank
    # statements and payment fixtures; also in python-stdnum tests/test_kz_bin.doctest.
    "940140000385": "Halyk Bank",
    # Kaspi Bank: egov open-data register (gbd_ul) row 'Акционерное общество "Kaspi Bank"'
    # quoted in a public client; bank-statement export "ПлательщикБИН_ИИН=971240001315".
    "971240001315": "Kaspi Bank",
    # Bank CenterCredit: guarantee text "АО Банк ЦентрКредит БИК KCJBKZKX БИН 980640000093".
    "980640000093": "Bank CenterCredit",
    # Development Bank of Kazakhstan (kdb.kz): bank catalogue with address and BIN.
    "010540001007": "Development Bank of Kazakhstan",
    # NC KazMunayGas: listed "verified via adata.kz + DFO depository" (opi.dfo.kz).
    "020240000555": "NC KazMunayGas",
    # NAC Kazatomprom: same list of public-interest filers as KazMunayGas.
    "970240000816": "NAC Kazatomprom",
    # KEGOC: document quoted in full, 'АО "KEGOC" (БИН 970740000838, г. Астана,
    # пр. Тәуелсіздік, зд. 59)'.
    "970740000838": "KEGOC",
    # Bank of China Kazakhstan: bank catalogue; also in python-stdnum's list.
    "930440000156": "Bank of China Kazakhstan",
}

WEIGHTS_1 = range(1, 12)


def first_pass(number: str) -> int:
    return sum(w * int(c) for w, c in zip(WEIGHTS_1, number, strict=False)) % 11


def with_control(prefix: str) -> str:
    digit = control_digit(prefix)
    assert digit is not None, prefix
    return prefix + str(digit)


def passes_control(number: str) -> bool:
    return control_digit(number[:11]) == int(number[11])


def escapes_check(original: str, changed: str, position: int) -> bool:
    """The documented blind spots: a change the control digit cannot see."""
    if position == 10:  # 11th digit: weight 11 ≡ 0 in the first pass
        return first_pass(original) != 10
    return position < 10 and 10 in (first_pass(original), first_pass(changed))


# --------------------------------------------------------------------------- BIN / IIN

@pytest.mark.parametrize("number", sorted(PUBLISHED_BINS))
def test_published_bins_are_valid_resident_head_organisations(number):
    result = check_id(number)
    assert result.valid, (PUBLISHED_BINS[number], result.reason)
    assert result.kind == "BIN"
    assert result.parts["entity_type"] == "4" and result.parts["division"] == "0"
    assert validate_bin(number) == number


@pytest.mark.parametrize("number", sorted(PUBLISHED_BINS))
def test_altered_published_bins_fail_except_the_documented_blind_spots(number):
    for position in range(12):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1:]
            expected = escapes_check(number, changed, position) and passes_control(changed)
            assert passes_control(changed) == expected, changed
            if position == 10 and first_pass(number) != 10:
                assert passes_control(changed)  # the blind spot is real
            if not expected:
                assert not check_id(changed).valid
    for position in range(11):  # adjacent transpositions
        if number[position] != number[position + 1]:
            swapped = (number[:position] + number[position + 1] + number[position]
                       + number[position + 2:])
            if 10 not in (first_pass(number), first_pass(swapped)):
                assert not check_id(swapped).valid, swapped


def test_the_eleventh_digit_blind_spot_example():
    assert check_id("940140000385").valid and check_id("940140000305").valid


digits11 = st.text(alphabet="0123456789", min_size=11, max_size=11)


@given(digits11)
def test_control_digit_completes_any_prefix_unless_unissuable(prefix):
    expected = control_digit(prefix)
    for digit in "0123456789":
        reason = check_id(prefix + digit).reason or ""
        if expected is None:
            assert "never issued" in reason
        else:
            assert ("control digit" in reason) == (int(digit) != expected)


@settings(max_examples=300)
@given(digits11, st.integers(0, 11), st.integers(1, 9))
def test_single_digit_change_is_caught_unless_in_a_blind_spot(prefix, position, delta):
    if control_digit(prefix) is None:
        return
    number = with_control(prefix)
    digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + digit + number[position + 1:]
    if passes_control(changed):
        assert escapes_check(number, changed, position)
    if position == 10 and first_pass(number) != 10:
        assert passes_control(changed)


def test_unissuable_prefix_and_second_weight_set():
    assert control_digit("20014000130") is None
    assert check_id("200140001300").reason.endswith("never issued")
    # first pass gives 10, the second pass gives 1
    assert first_pass("20014000050") == 10 and control_digit("20014000050") == 1
    assert check_id("200140000501").valid


def test_bin_decoding():
    result = check_id("940140000385", today=dt.date(2025, 1, 1))
    assert result.to_dict() == {
        "number": "940140000385", "valid": True, "kind": "BIN",
        "parts": {"registration_year": 1994, "registration_month": 1, "entity_type": "4",
                  "entity_type_meaning": "resident legal entity", "division": "0",
                  "division_meaning": "head organisation", "serial": "00038",
                  "control": 5}}


@pytest.mark.parametrize(("fifth", "sixth", "type_meaning", "division_meaning"), [
    ("5", "1", "non-resident legal entity", "branch"),
    ("6", "3", "individual entrepreneur in joint entrepreneurship",
     "peasant (farm) enterprise in joint entrepreneurship"),
    ("4", "2", "resident legal entity", "representative office"),
])
def test_bin_entity_types_and_divisions(fifth, sixth, type_meaning, division_meaning):
    parts = check_id(with_control(f"1905{fifth}{sixth}12345")).parts
    assert parts["entity_type_meaning"] == type_meaning
    assert parts["division_meaning"] == division_meaning
    assert (parts["registration_year"], parts["registration_month"]) == (2019, 5)


def test_bin_century_is_the_latest_year_not_after_today():
    number = with_control("30054000001")
    assert check_id(number, today=dt.date(2029, 12, 31)).parts["registration_year"] == 1930
    assert check_id(number, today=dt.date(2030, 1, 1)).parts["registration_year"] == 2030


def test_iin_decoding():
    assert check_id("830115300573").parts == {
        "birth_date": "1983-01-15", "sex": "male", "century": 20, "serial": "0057",
        "control": 3}
    girl = check_id(with_control("0602296" + "0123"))  # not a leap year: invalid
    assert girl.reason == "impossible birth date 2006-02-29"
    girl = check_id(with_control("0802296" + "0123"))
    assert girl.parts["birth_date"] == "2008-02-29" and girl.parts["sex"] == "female"
    assert girl.parts["century"] == 21
    old = check_id(with_control("9912312" + "0001"))
    assert old.parts["birth_date"] == "1899-12-31" and old.parts["century"] == 19


@pytest.mark.parametrize(("text", "reason"), [
    ("", "is empty; a BIN/IIN has 12 digits"),
    ("94014000038", "must have 12 digits, got 11"),
    ("9401400003851", "must have 12 digits, got 13"),
    ("94014000038X", "must contain only digits; found 'X' at position 12"),
    ("９40140000385", "must contain only digits; found '９' at position 1"),
    ("940140000384", "bad control digit: expected 5, got 4"),
])
def test_format_reasons(text, reason):
    result = check_id(text)
    assert not result.valid and result.reason == reason


@pytest.mark.parametrize(("prefix", "kind", "reason"), [
    ("94134000038", "BIN", "impossible registration month 13"),
    ("94004000038", "BIN", "impossible registration month 00"),
    ("94014500038", "BIN", "6th digit 5 is not a BIN division code (0-3)"),
    ("94017000038", None, "5th digit 7 is neither the tens digit of an IIN's birth day (0-3) "
                          "nor a BIN entity type (4, 5, 6)"),
    ("83011570057", "IIN", "7th digit 7 must be 1-6 (century and sex)"),
    ("83011500057", "IIN", "7th digit 0 must be 1-6 (century and sex)"),
    ("83131530057", "IIN", "impossible month 13 in the birth date"),
    ("83023030057", "IIN", "impossible birth date 1983-02-30"),
])
def test_structure_reasons(prefix, kind, reason):
    result = check_id(with_control(prefix))
    assert (result.valid, result.kind, result.reason) == (False, kind, reason)


def test_whitespace_is_ignored():
    assert check_id(" 940 140 000 385\n").number == "940140000385"


def test_validate_errors_name_the_field():
    with pytest.raises(InputError) as err:
        validate_bin("940140000384", field="supplier.bin")
    assert err.value.field == "supplier.bin"
    assert str(err.value) == "supplier.bin: bad control digit: expected 5, got 4"
    with pytest.raises(InputError, match="830115300573 is an IIN, not a BIN"):
        validate_bin("830115300573")
    with pytest.raises(InputError, match="is a BIN, not an IIN") as err:
        validate_iin("940140000385")
    assert err.value.field == "iin"
    assert validate_iin("830115300573") == "830115300573"
    assert validate_bin_or_iin("830 115 300 573") == "830115300573"
    with pytest.raises(InputError) as err:
        validate_bin_or_iin("12")
    assert err.value.field == "bin_iin"


def test_control_digit_rejects_bad_prefixes():
    with pytest.raises(InputError):
        control_digit("1234567890")


# --------------------------------------------------------------------------- FEACN

def test_feacn_code_normalised_and_formatted():
    code = FeacnCode.parse(" 8703 21 109 0 ")
    assert code.digits == "8703211090" and str(code) == "8703 21 109 0"
    assert code.level == "10-digit code"
    assert [FeacnCode.parse(t).level for t in ("87", "8703", "870321", "87032110")] == [
        "chapter", "heading", "subheading", "8-digit subheading"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "feacn_code: is empty; expected a FEACN code"),
    ("8703.21", "feacn_code: a FEACN code is digits only; found '.' at position 5"),
    ("8", "feacn_code: a FEACN code has 2 to 10 digits, got 1"),
    ("87032110901", "feacn_code: a FEACN code has 2 to 10 digits, got 11"),
    ("870120101", "feacn_code: a FEACN code has 2, 4, 6, 8 or 10 digits, got 9"),
])
def test_feacn_code_errors_name_the_field(text, message):
    with pytest.raises(InputError) as err:
        FeacnCode.parse(text)
    assert str(err.value).startswith(message)
    assert err.value.field == "feacn_code"


def test_feacn_prefix_matching():
    car = FeacnCode.parse("8703 21 109 0")
    assert car.matches("8703") and car.matches("87") and car.matches(car)
    assert not car.matches("8704")
    tractor = FeacnCode.parse("8701201013")
    group = FeacnCode.parse("870120101", prefix=True)  # Order 493's 9-digit group
    assert group.level == "9-digit prefix" and tractor.matches(group)
    assert not FeacnCode.parse("8701201090").matches(group)
    groups = ["870120101", "8702", "8703", "8704", "8705"]
    assert in_group("8704 21 100 0", groups) and not in_group("8711", groups)
    assert [g.digits for g in matching_groups(car, ["87", "8703", "8704"])] == ["87", "8703"]
    with pytest.raises(InputError) as err:
        in_group("8703", ["87x"])
    assert err.value.field == "group"


def test_feacn_codes_are_ordered_values():
    assert FeacnCode("8703") == FeacnCode.parse("87 03")
    assert sorted([FeacnCode("8704"), FeacnCode("8703")])[0].digits == "8703"
    with pytest.raises(InputError):
        FeacnCode("87a3")


# --------------------------------------------------------------------------- countries

def test_all_iso_codes_present_with_both_names():
    every = all_countries()
    assert len(every) == 249
    assert all(len(c.code) == 2 and c.name_en and c.name_ru for c in every)
    assert country("no").name_en == "Norway"  # YAML must not read NO as false
    assert country(" kz ").name_ru == "Казахстан"


@pytest.mark.parametrize(("code", "since"), [
    ("KZ", dt.date(2015, 1, 1)), ("RU", dt.date(2015, 1, 1)), ("BY", dt.date(2015, 1, 1)),
    ("AM", dt.date(2015, 1, 2)), ("KG", dt.date(2015, 8, 12)),
])
def test_eaeu_membership_starts_on_its_day(code, since):
    assert not is_eaeu_member(code, on=since - dt.timedelta(days=1))
    assert is_eaeu_member(code, on=since)


def test_eaeu_members_and_non_members():
    assert {c.code for c in eaeu_members(dt.date(2025, 1, 1))} == {"KZ", "RU", "BY", "AM", "KG"}
    assert {c.code for c in eaeu_members(dt.date(2015, 1, 1))} == {"KZ", "RU", "BY"}
    assert not is_eaeu_member("UZ", on=dt.date(2025, 1, 1))


def test_origin_class():
    on = dt.date(2021, 6, 1)
    assert origin_class("KZ", on) == "KZ"
    assert origin_class("by", on) == "EAEU"
    assert origin_class("CN", on) == "OTHER"
    assert origin_class("KG", dt.date(2015, 8, 11)) == "OTHER"
    assert origin_class("KZ", dt.date(2014, 1, 1)) == "KZ"


def test_country_errors_name_the_field():
    with pytest.raises(NotFound) as err:
        country("XX", field="origin")
    assert str(err.value) == "origin: no country with ISO 3166-1 alpha-2 code 'XX'"
    with pytest.raises(InputError) as err:
        origin_class("KAZ", dt.date(2021, 1, 1))
    assert err.value.field == "origin_country"
    with pytest.raises(InputError) as err:
        is_eaeu_member("KZ", on="2021-01-01")
    assert err.value.field == "on"
    with pytest.raises(InputError):
        is_eaeu_member("KZ", on=dt.datetime(2021, 1, 1))


# --------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_check_valid_bin():
    result = runner.invoke(app, ["check", "940140000385"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["valid"] and data["kind"] == "BIN"
    assert data["parts"]["registration_year"] == 1994
    assert data["parts"]["entity_type_meaning"] == "resident legal entity"


def test_cli_check_valid_iin():
    result = runner.invoke(app, ["check", "830115300573"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["parts"]["birth_date"] == "1983-01-15"


def test_cli_check_invalid_prints_json_and_error():
    result = runner.invoke(app, ["check", "940140000384"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["reason"] == "bad control digit: expected 5, got 4"
    assert result.stderr.strip() == "error: bad control digit: expected 5, got 4"


def test_cli_feacn_with_groups():
    result = runner.invoke(app, ["feacn", "8701 20 101 3", "--group", "870120101",
                                 "-g", "8703"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["formatted"] == "8701 20 101 3" and data["in_group"] is True
    assert data["groups"][0]["matches"] and "prefix" in data["groups"][0]["note"]
    assert data["groups"][1] == {"group": "8703", "matches": False}


def test_cli_country():
    result = runner.invoke(app, ["country", "am", "--on", "2015-01-01"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["code"] == "AM" and data["eaeu_member"] is False
    assert data["origin_class"] == "OTHER" and data["eaeu_member_since"] == "2015-01-02"


def test_cli_bad_input_raises_kzreg_errors():
    assert isinstance(runner.invoke(app, ["feacn", "87x"]).exception, InputError)
    assert isinstance(runner.invoke(app, ["country", "QQ"]).exception, NotFound)
    assert isinstance(runner.invoke(app, ["country", "KZ", "--on", "1.1.2020"]).exception,
                      InputError)


KZREG = Path(sys.executable).with_name("kzreg")


@pytest.mark.skipif(not KZREG.exists(), reason="the kzreg script is not installed")
@pytest.mark.parametrize(("args", "code", "stderr"), [
    (["check", "971240001315"], 0, ""),
    (["check", "971240001314"], 2, "error: bad control digit: expected 5, got 4"),
    (["feacn", "870120101"], 2, "error: code: a FEACN code has 2, 4, 6, 8 or 10 digits"),
    (["country", "ZZ", "--on", "2015-08-12"], 2,
     "error: code: no country with ISO 3166-1 alpha-2 code 'ZZ'"),
])
def test_kzreg_script(args, code, stderr):
    env = {**os.environ, "KZREG_DEBUG": ""}
    done = subprocess.run([str(KZREG), "id", *args], capture_output=True, text=True,
                          timeout=60, env=env)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == code, done.stderr
    assert done.stderr.strip().startswith(stderr) if stderr else done.stderr == ""
    if code == 0 or args[0] == "check":
        json.loads(done.stdout)
