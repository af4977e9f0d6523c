"""Users and bearer tokens in a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from kzreg.law.errors import InputError, NotFound
from kzreg.platform.actors import Role
from kzreg.platform.db import get_engine, unit_of_work
from kzreg.platform.users import (
    ApiToken,
    actor_from_token,
    authenticate,
    create_user,
    end_web_session,
    issue_token,
    list_users,
    resume_web_session,
    revoke_token,
    revoke_tokens,
    set_active,
    set_password,
    sign_in,
    start_web_session,
    users_with_role,
)

PW = "correct horse battery"
BIN_A = "150340012340"
BIN_B = "180840045211"
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """argon2id with its cheapest parameters: the tests are about logic, not cost."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def add_people(session):
    create_user(session, "maker", Role.MANUFACTURER, PW, bin=BIN_A, email="m@demo.kz",
                full_name="Ольга Ким")
    create_user(session, "maker2", "manufacturer", PW, bin=BIN_B)
    create_user(session, "officer", "customs_officer", PW, offices=["50511", "51730"])
    create_user(session, "head", "customs_head", PW, offices=["50511"])
    create_user(session, "colonel", "defense_officer", PW, clearance=2, language="kk")


def test_user_add_stores_scope_and_hash_only(db):
    with unit_of_work() as s:
        add_people(s)
    with unit_of_work() as s:
        users = {u.username: u for u in list_users(s)}
        assert set(users) == {"maker", "maker2", "officer", "head", "colonel"}
        maker = users["maker"]
        assert (maker.role, maker.bin, maker.full_name) == ("manufacturer", BIN_A, "Ольга Ким")
        assert users["officer"].offices == ["50511", "51730"]
        assert users["colonel"].clearance == 2 and users["colonel"].language == "kk"
        assert maker.created_at.tzinfo is not None
    with get_engine(db).connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert all(h.startswith("$argon2id$") and PW not in h for h in stored)


def test_duplicate_username_refused(db):
    with unit_of_work() as s:
        create_user(s, "maker", "manufacturer", PW, bin=BIN_A)
    with pytest.raises(InputError) as err, unit_of_work() as s:
        create_user(s, "Maker", "manufacturer", PW, bin=BIN_A)
    assert err.value.field == "username"


def test_authenticate(db):
    with unit_of_work() as s:
        add_people(s)
    with unit_of_work() as s:
        actor = authenticate(s, "maker", PW)
        assert actor is not None and actor.role is Role.MANUFACTURER and actor.bin == BIN_A
        assert authenticate(s, "maker", "wrong password!") is None
        assert authenticate(s, "nobody", PW) is None
        set_active(s, "maker", False)
    with unit_of_work() as s:
        assert authenticate(s, "maker", PW) is None


def test_users_with_role_by_office_and_bin(db):
    with unit_of_work() as s:
        add_people(s)
    with unit_of_work() as s:
        assert [u.username for u in users_with_role(s, Role.CUSTOMS_OFFICER,
                                                    office="51730")] == ["officer"]
        assert [u.username for u in users_with_role(s, "customs_head",
                                                    office="51730")] == []
        assert [u.username for u in users_with_role(s, Role.MANUFACTURER,
                                                    bin=BIN_B)] == ["maker2"]
        assert len(users_with_role(s, Role.MANUFACTURER)) == 2


def test_token_issue_and_verify(db):
    with unit_of_work() as s:
        add_people(s)
        token = issue_token(s, "maker", at=T0)
    with unit_of_work() as s:
        actor = actor_from_token(s, token, at=T0 + dt.timedelta(days=1))
        assert actor is not None and actor.username == "maker" and actor.bin == BIN_A
        row = s.scalar(select(ApiToken))
        assert row.token_hash != token and token not in row.token_hash
        assert row.last_used_at == T0 + dt.timedelta(days=1)
        assert actor_from_token(s, token + "x") is None
        assert actor_from_token(s, token.replace("_", "-", 1)) is None


def test_token_expires(db):
    with unit_of_work() as s:
        add_people(s)
        token = issue_token(s, "maker", ttl=dt.timedelta(hours=1), at=T0)
    with unit_of_work() as s:
        assert actor_from_token(s, token, at=T0 + dt.timedelta(minutes=59)) is not None
        assert actor_from_token(s, token, at=T0 + dt.timedelta(hours=1)) is None


def test_token_revoked_and_deactivated_user(db):
    with unit_of_work() as s:
        add_people(s)
        first = issue_token(s, "maker")
        second = issue_token(s, "maker")
        third = issue_token(s, "officer")
    with unit_of_work() as s:
        assert revoke_token(s, first) is True
        assert revoke_token(s, first) is False
    with unit_of_work() as s:
        assert actor_from_token(s, first) is None
        assert actor_from_token(s, second) is not None
        assert revoke_tokens(s, "maker") == 1
        set_active(s, "officer", False)
    with unit_of_work() as s:
        assert actor_from_token(s, second) is None
        assert actor_from_token(s, third) is None


def test_token_for_unknown_user(db):
    with pytest.raises(NotFound) as err, unit_of_work() as s:
        issue_token(s, "ghost")
    assert err.value.field == "username"


def test_web_session_lifecycle(db):
    with unit_of_work() as s:
        add_people(s)
        user_id = s.scalar(text("SELECT id FROM users WHERE username = 'maker'"))
        cookie, csrf = start_web_session(s, user_id, at=T0)
    with unit_of_work() as s:
        found = resume_web_session(s, cookie, at=T0 + dt.timedelta(minutes=30))
        assert found is not None and found[1].csrf_token == csrf
        assert resume_web_session(s, cookie, at=T0 + dt.timedelta(hours=13)) is None
        assert resume_web_session(s, "forged", at=T0) is None
        end_web_session(s, cookie)
    with unit_of_work() as s:
        assert resume_web_session(s, cookie, at=T0 + dt.timedelta(minutes=31)) is None


def test_password_change_ends_sessions(db):
    with unit_of_work() as s:
        add_people(s)
        user_id = s.scalar(text("SELECT id FROM users WHERE username = 'maker'"))
        cookie, _ = start_web_session(s, user_id)
    with unit_of_work() as s:
        set_password(s, "maker", "a brand new password")
    with unit_of_work() as s:
        assert resume_web_session(s, cookie) is None
        assert authenticate(s, "maker", "a brand new password") is not None


def test_deactivation_ends_sessions(db):
    with unit_of_work() as s:
        add_people(s)
        user_id = s.scalar(text("SELECT id FROM users WHERE username = 'maker'"))
        cookie, _ = start_web_session(s, user_id)
    with unit_of_work() as s:
        set_active(s, "maker", False)
    with unit_of_work() as s:
        assert resume_web_session(s, cookie) is None


# --- sign-in throttling (kzreg.platform.throttle) -----------------------------------------

def fail(name: str, *, address: str | None = "10.0.0.1", at: dt.datetime = T0):
    """One wrong password; the end of the lock it meets or sets, or None."""
    with unit_of_work() as s:
        result = sign_in(s, name, "wrong password", address=address, at=at)
    assert result.actor is None
    return result.locked_until


def succeed(name: str, *, address: str, at: dt.datetime = T0):
    with unit_of_work() as s:
        return sign_in(s, name, PW, address=address, at=at)


def test_sign_in_locks_the_account_for_the_lockout_then_opens(db, monkeypatch):
    monkeypatch.setenv("KZREG_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("KZREG_LOGIN_LOCKOUT_MINUTES", "10")
    with unit_of_work() as s:
        add_people(s)
    assert fail("maker") is None and fail("maker") is None
    assert fail("maker") == T0 + dt.timedelta(minutes=10)
    later = T0 + dt.timedelta(minutes=9)  # the right password, from another address: no
    assert succeed("maker", address="10.9.9.9", at=later).locked_until is not None
    opened = succeed("maker", address="10.0.0.1", at=T0 + dt.timedelta(minutes=10))
    assert opened.actor is not None and opened.actor.username == "maker"


def test_failures_outside_the_window_are_forgotten(db, monkeypatch):
    monkeypatch.setenv("KZREG_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("KZREG_LOGIN_WINDOW_MINUTES", "15")
    with unit_of_work() as s:
        add_people(s)
    fail("maker", at=T0)
    fail("maker", at=T0 + dt.timedelta(minutes=5))
    assert fail("maker", at=T0 + dt.timedelta(minutes=21)) is None  # a new window began
    assert fail("maker", at=T0 + dt.timedelta(minutes=22)) is None
    assert fail("maker", at=T0 + dt.timedelta(minutes=23)) is not None


def test_the_address_limit_spans_names_and_spares_other_addresses(db, monkeypatch):
    monkeypatch.setenv("KZREG_LOGIN_MAX_FAILURES_PER_ADDRESS", "4")
    with unit_of_work() as s:
        add_people(s)
    for name in ("a1", "a2", "a3"):
        assert fail(name) is None
    assert fail("a4") is not None
    assert succeed("officer", address="10.0.0.1").locked_until is not None
    assert succeed("officer", address="10.0.0.2").actor is not None


def test_throttle_settings_are_checked(db, monkeypatch):
    monkeypatch.setenv("KZREG_LOGIN_MAX_FAILURES", "many")
    with pytest.raises(InputError) as err, unit_of_work() as s:
        sign_in(s, "maker", PW)
    assert err.value.field == "KZREG_LOGIN_MAX_FAILURES"


def test_cli_user_add_and_token_issue(db):
    from typer.testing import CliRunner

    from kzreg.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["user", "add", "carrier1", "--role", "carrier",
                                 "--password", PW, "--bin", BIN_A, "--email", "c@demo.kz"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["user", "add", "cust", "--role", "customs_officer",
                                 "--password", PW, "--office", "50511", "--office", "51730"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["token", "issue", "carrier1"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("kzr_") and "\n" not in token
    with unit_of_work() as s:
        assert actor_from_token(s, token).username == "carrier1"
    listing = runner.invoke(app, ["user", "list"]).output
    assert "carrier1" in listing and "50511,51730" in listing


def test_cli_refusal_is_one_line_naming_the_field(db):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from kzreg.cli import main; main()", "user", "add", "x1",
         "--role", "manufacturer", "--password", PW],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: bin:")


def test_demo_load_is_idempotent(db):
    from kzreg.platform.demo import COMPANIES, USERS, load_demo
    from kzreg.platform.users import normalize_bin

    with unit_of_work() as s:
        first = load_demo(s)
    with unit_of_work() as s:
        before = [(u.username, u.password_hash) for u in list_users(s)]
        second = load_demo(s)
    with unit_of_work() as s:
        after = [(u.username, u.password_hash) for u in list_users(s)]
    assert len(first.created) == len(USERS) and not second.created
    assert before == after
    roles = {u.role for u in USERS}
    assert roles == {r for r in Role if r is not Role.SYSTEM}, "a demo user for every role"
    assert all(normalize_bin(c.bin) == c.bin for c in COMPANIES)
    makers = [u for u in USERS if u.role is Role.MANUFACTURER]
    assert len({m.bin for m in makers}) == 2
