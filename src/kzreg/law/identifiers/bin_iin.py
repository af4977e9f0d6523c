"""BIN and IIN: the 12-digit business and individual identification numbers.

Sources: Law of the RK No 223-III of 12.01.2007 "On national registers of identification
numbers", Art 1; Rules for forming identification numbers, approved by Government Decree
No 406 of 22.05.2007.

* IIN: YYMMDD birth date, 7th digit century and sex (1/2 = 1800s male/female, 3/4 = 1900s,
  5/6 = 2000s), 4-digit serial, control digit.
* BIN: YYMM of (re-)registration, 5th digit entity type (4 resident legal entity,
  5 non-resident legal entity, 6 individual entrepreneur in joint entrepreneurship),
  6th digit division (0 head organisation, 1 branch, 2 representative office, 3 peasant
  (farm) enterprise in joint entrepreneurship), 5-digit serial, control digit.

The 5th digit tells them apart: in an IIN it is the tens digit of the day (0-3).

Control digit: the sum of digits 1-11 weighted 1..11, mod 11; if that is 10, the sum
weighted 3,4,5,6,7,8,9,10,11,1,2, mod 11; if that is 10 too, the number is never issued.
What it does not catch (see tests/unit/law/test_identifiers.py): the 11th digit has
weight 11 ≡ 0 in the first pass, so when the first pass gives 0-9 (about 10 numbers in
11) a change of the 11th digit passes unseen: 940140000385 and 940140000305 both pass.
A change of digits 1-10, or an adjacent transposition, that moves the first-pass result
to or from 10 switches weight sets and then passes about one time in ten. Every other
single-digit change and adjacent transposition is caught; in all about 9% of
single-digit errors go through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import mul
from typing import Any, Literal
from zoneinfo import ZoneInfo

from kzreg.law.errors import InputError

ID_LEGAL_BASIS = ("Law of the RK No 223-III of 12.01.2007 'On national registers of "
                  "identification numbers', Art 1; Rules for forming identification numbers "
                  "(Government Decree No 406 of 22.05.2007)")

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_ZEROS = ord("0") * 66  # summing byte values adds 48 × the weights' sum, 66 for both sets

BIN_ENTITY_TYPES = {
    "4": "resident legal entity",
    "5": "non-resident legal entity",
    "6": "individual entrepreneur in joint entrepreneurship",
}
BIN_DIVISIONS = {
    "0": "head organisation",
    "1": "branch",
    "2": "representative office",
    "3": "peasant (farm) enterprise in joint entrepreneurship",
}
_IIN_CENTURY_SEX = {"1": (1800, "male"), "2": (1800, "female"), "3": (1900, "male"),
                    "4": (1900, "female"), "5": (2000, "male"), "6": (2000, "female")}

IdKind = Literal["BIN", "IIN"]


@dataclass(frozen=True)
class IdCheck:
    """The outcome of checking a BIN/IIN: valid or not, which kind, its decoded parts."""

    number: str
    valid: bool
    kind: IdKind | None = None
    parts: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "valid": self.valid, "kind": self.kind}
        if self.parts:
            data["parts"] = self.parts
        if self.reason:
            data["reason"] = self.reason
        return data


_Invalid = Callable[..., IdCheck]


def _control(digits: str) -> int | None:
    """Control digit for the first 11 of `digits` (ASCII digits); None if never issued."""
    raw = digits.encode("ascii")  # map() stops after the 11 weights: the 12th is left out
    result = (sum(map(mul, _WEIGHTS_1, raw)) - _ZEROS) % 11
    if result == 10:
        result = (sum(map(mul, _WEIGHTS_2, raw)) - _ZEROS) % 11
        if result == 10:
            return None
    return result


def control_digit(prefix: str) -> int | None:
    """The 12th digit for an 11-digit prefix, or None for a prefix that is never issued."""
    if len(prefix) != 11 or not (prefix.isascii() and prefix.isdigit()):
        raise InputError(f"expected 11 digits, got {prefix!r}", field="prefix")
    return _control(prefix)


def _almaty_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Almaty")).date()


def _first_non_digit(text: str) -> tuple[int, str]:
    return next((i, c) for i, c in enumerate(text, 1) if not "0" <= c <= "9")


def check_id(text: str, *, today: dt.date | None = None) -> IdCheck:
    """Check a BIN or IIN (whitespace ignored) and decode it.

    `today` only decides the century of a BIN's two-digit registration year (the latest
    year not after today); it defaults to today's date in Almaty.
    """
    number = "".join(str(text).split())

    def invalid(reason: str, kind: IdKind | None = None) -> IdCheck:
        return IdCheck(number, False, kind, {}, reason)

    if not number:
        return invalid("is empty; a BIN/IIN has 12 digits")
    if not (number.isascii() and number.isdigit()):
        position, char = _first_non_digit(number)
        return invalid(f"must contain only digits; found {char!r} at position {position}")
    if len(number) != 12:
        return invalid(f"must have 12 digits, got {len(number)}")
    fifth = number[4]
    kind: IdKind | None = "IIN" if fifth <= "3" else "BIN" if fifth in BIN_ENTITY_TYPES else None
    expected = _control(number)
    if expected is None:
        return invalid("digits 1-11 give 10 under both weight sets: such a number is "
                       "never issued", kind)
    got = ord(number[11]) - 48
    if got != expected:
        return invalid(f"bad control digit: expected {expected}, got {got}", kind)
    if kind == "IIN":
        return _decode_iin(number, invalid)
    if kind == "BIN":
        return _decode_bin(number, invalid, today)
    return invalid(f"5th digit {fifth} is neither the tens digit of an IIN's birth day "
                   "(0-3) nor a BIN entity type (4, 5, 6)")


def _decode_iin(number: str, invalid: _Invalid) -> IdCheck:
    century_sex = _IIN_CENTURY_SEX.get(number[6])
    if century_sex is None:
        return invalid(f"7th digit {number[6]} must be 1-6 (century and sex)", "IIN")
    base, sex = century_sex
    year, month, day = base + int(number[:2]), int(number[2:4]), int(number[4:6])
    if not 1 <= month <= 12:
        return invalid(f"impossible month {number[2:4]} in the birth date", "IIN")
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return invalid(f"impossible birth date {year:04d}-{month:02d}-{day:02d}", "IIN")
    return IdCheck(number, True, "IIN", {
        "birth_date": born.isoformat(), "sex": sex, "century": base // 100 + 1,
        "serial": number[7:11], "control": int(number[11])})


def _decode_bin(number: str, invalid: _Invalid, today: dt.date | None) -> IdCheck:
    month = int(number[2:4])
    if not 1 <= month <= 12:
        return invalid(f"impossible registration month {number[2:4]}", "BIN")
    division = number[5]
    if division not in BIN_DIVISIONS:
        return invalid(f"6th digit {division} is not a BIN division code (0-3)", "BIN")
    year = 2000 + int(number[:2])
    if year > (today or _almaty_today()).year:
        year -= 100
    return IdCheck(number, True, "BIN", {
        "registration_year": year, "registration_month": month,
        "entity_type": number[4], "entity_type_meaning": BIN_ENTITY_TYPES[number[4]],
        "division": division, "division_meaning": BIN_DIVISIONS[division],
        "serial": number[6:11], "control": int(number[11])})


def _validated(text: str, field: str, want: IdKind | None) -> str:
    result = check_id(text)
    if not result.valid:
        raise InputError(str(result.reason), field=field)
    if want is not None and result.kind != want:
        article = {"BIN": "a BIN", "IIN": "an IIN"}
        raise InputError(f"{result.number} is {article[str(result.kind)]}, not "
                         f"{article[want]} (5th digit {result.number[4]})", field=field)
    return result.number


def validate_bin(text: str, field: str = "bin") -> str:
    """The normalised BIN, or InputError naming `field` with the precise reason."""
    return _validated(text, field, "BIN")


def validate_iin(text: str, field: str = "iin") -> str:
    """The normalised IIN, or InputError naming `field` with the precise reason."""
    return _validated(text, field, "IIN")


def validate_bin_or_iin(text: str, field: str = "bin_iin") -> str:
    """A BIN or an IIN (e.g. a personal entrepreneur is identified by the IIN)."""
    return _validated(text, field, None)
