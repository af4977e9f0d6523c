"""Passwords, tokens and scopes: the pure parts of `kzreg.platform.users`, no database."""

from __future__ import annotations

import pytest

from kzreg.law.errors import InputError
from kzreg.platform.actors import Role
from kzreg.platform.users import (
    User,
    check_password_strength,
    check_scope,
    hash_password,
    new_token,
    normalize_bin,
    normalize_offices,
    parse_role,
    sha256,
    token_prefix,
    verify_password,
)
from kzreg.web.i18n import choose_language, parse_accept_language

VALID_BIN = "150340012340"


# --- passwords ----------------------------------------------------------------------------

def test_password_hash_is_argon2id_and_salted():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second                    # a fresh salt each time
    assert "correct horse" not in first


def test_password_verifies_only_itself():
    stored = hash_password("correct horse")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horse ")
    assert not verify_password(stored, "")
    assert not verify_password("not-a-hash", "correct horse")


def test_short_password_refused_naming_the_field(monkeypatch):
    monkeypatch.delenv("KZREG_PASSWORD_MIN_LENGTH", raising=False)
    with pytest.raises(InputError) as err:
        check_password_strength("123456789")
    assert err.value.field == "password"
    check_password_strength("1234567890")


def test_password_minimum_is_a_setting(monkeypatch):
    monkeypatch.setenv("KZREG_PASSWORD_MIN_LENGTH", "16")
    with pytest.raises(InputError):
        check_password_strength("fifteen chars!!")
    check_password_strength("short", min_length=4)  # the demo's override


# --- tokens -------------------------------------------------------------------------------

def test_token_format_and_prefix():
    token, prefix = new_token()
    assert token.startswith(f"kzr_{prefix}_")
    assert token_prefix(token) == prefix
    assert len(token) > 40


def test_tokens_are_unique_and_stored_only_as_hash():
    tokens = {new_token()[0] for _ in range(200)}
    assert len(tokens) == 200
    token = next(iter(tokens))
    digest = sha256(token)
    assert len(digest) == 64 and token not in digest


@pytest.mark.parametrize("junk", ["", "Bearer x", "kzr_short_x", "kzr_ABCDEFGH_",
                                  "abc_ABCDEFGH_" + "x" * 40])
def test_malformed_token_has_no_prefix(junk):
    assert token_prefix(junk) is None


# --- roles and scopes ---------------------------------------------------------------------

def test_roles_parse_and_system_is_not_a_person():
    assert parse_role("Manufacturer") is Role.MANUFACTURER
    with pytest.raises(InputError) as err:
        parse_role("king")
    assert err.value.field == "role"
    with pytest.raises(InputError):
        parse_role("system")


@pytest.mark.parametrize("role", [Role.MANUFACTURER, Role.CARRIER, Role.DECLARANT,
                                  Role.CONTRACTOR])
def test_business_roles_require_a_bin(role):
    with pytest.raises(InputError) as err:
        check_scope(role, bin=None, offices=[], clearance=0)
    assert err.value.field == "bin"
    check_scope(role, bin=VALID_BIN, offices=[], clearance=0)


def test_bin_is_checked_with_its_control_digit():
    assert normalize_bin(" 150340012340 ") == VALID_BIN
    with pytest.raises(InputError) as err:
        normalize_bin("150340012341")
    assert err.value.field == "bin"


def test_officials_have_no_bin():
    with pytest.raises(InputError) as err:
        check_scope(Role.INSPECTOR, bin=VALID_BIN, offices=[], clearance=0)
    assert err.value.field == "bin"


@pytest.mark.parametrize("role", [Role.CUSTOMS_OFFICER, Role.CUSTOMS_HEAD])
def test_customs_roles_require_an_office(role):
    with pytest.raises(InputError) as err:
        check_scope(role, bin=None, offices=[], clearance=0)
    assert err.value.field == "offices"
    check_scope(role, bin=None, offices=["50511"], clearance=0)


def test_office_codes_are_5_or_8_digits_and_deduplicated():
    assert normalize_offices(["50511", " 50511", "10130090"]) == ["50511", "10130090"]
    for bad in ("5051", "ALMATY", "505111"):
        with pytest.raises(InputError) as err:
            normalize_offices([bad])
        assert err.value.field == "offices"


def test_defense_officer_requires_clearance_within_levels():
    with pytest.raises(InputError) as err:
        check_scope(Role.DEFENSE_OFFICER, bin=None, offices=[], clearance=0)
    assert err.value.field == "clearance"
    check_scope(Role.DEFENSE_OFFICER, bin=None, offices=[], clearance=2)
    with pytest.raises(InputError):
        check_scope(Role.DEFENSE_OFFICER, bin=None, offices=[], clearance=7)


def test_user_row_becomes_a_scoped_actor():
    user = User(id=7, username="m", role="manufacturer", bin=VALID_BIN, offices=[],
                clearance=0)
    actor = user.actor()
    assert (actor.role, actor.bin, actor.user_id) == (Role.MANUFACTURER, VALID_BIN, 7)
    officer = User(id=8, username="c", role="customs_officer", bin=None,
                   offices=["50511"], clearance=0).actor()
    assert officer.offices == frozenset({"50511"}) and not officer.read_only


# --- language negotiation -----------------------------------------------------------------

def test_accept_language_honours_quality_values():
    assert parse_accept_language("de-DE,kk;q=0.5,ru;q=0.9") == "ru"
    assert parse_accept_language("kk-KZ") == "kk"
    assert parse_accept_language("fr, de") is None
    assert parse_accept_language("ru;q=0, en") == "en"


def test_language_choice_order_cookie_profile_header_default():
    assert choose_language("en", "kk", "ru") == "en"
    assert choose_language(None, "kk", "ru") == "kk"
    assert choose_language("xx", None, "en-GB") == "en"
    assert choose_language(None, None, None) == "ru"
