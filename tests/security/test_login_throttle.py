"""Sign-in throttling through the login form: locks per account name and per client
address, the same answers for unknown names, Retry-After, the audit entry, and counters
that outlive the server process (they are in the database)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kzreg.platform.audit import AuditEntry
from kzreg.platform.db import reset_engines, unit_of_work
from kzreg.platform.users import create_user
from kzreg.web import create_app

PW = "correct horse battery"


@pytest.fixture
def site(db, monkeypatch):
    monkeypatch.setenv("KZREG_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("KZREG_LOGIN_MAX_FAILURES_PER_ADDRESS", "7")
    with unit_of_work() as s:
        create_user(s, "maker", "manufacturer", PW, bin="150340012340")
        create_user(s, "officer", "industry_officer", PW)
    return TestClient(create_app(), raise_server_exceptions=False,
                      headers={"Accept-Language": "en"})


def attempt(client: TestClient, username: str, password: str):
    client.cookies.clear()
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf, "next": "/"},
                       follow_redirects=False)


def alert(response) -> str:
    found = re.search(r'role="alert">([^<]*)<', response.text)
    return found.group(1) if found else ""


def test_an_account_locks_after_repeated_failures_and_stays_locked(site):
    answers = [attempt(site, "maker", f"wrong password {n}") for n in range(3)]
    assert [r.status_code for r in answers] == [401, 401, 429]
    locked = answers[-1]
    assert int(locked.headers["retry-after"]) == 15 * 60
    assert "Too many failed sign-ins" in alert(locked) and "15 min" in alert(locked)
    right = attempt(site, "maker", PW)  # the right password does not open a locked account
    assert right.status_code == 429 and "kzreg_session" not in right.cookies
    assert attempt(site, "officer", PW).status_code == 303  # other accounts are not locked


def test_unknown_names_get_the_same_answers_and_lock_the_same_way(site):
    known = [attempt(site, "maker", f"wrong password {n}") for n in range(4)]
    unknown = [attempt(site, "nobody-here", f"wrong password {n}") for n in range(4)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == \
        [401, 401, 429, 429]
    assert [alert(r) for r in known] == [alert(r) for r in unknown]
    assert [r.headers.get("retry-after") for r in known] == \
        [r.headers.get("retry-after") for r in unknown]


def test_the_lockout_is_audited_without_the_password_or_a_typed_name(site):
    for n in range(3):
        attempt(site, "maker", f"wrong password {n}")
    for n in range(3):
        attempt(site, "Secret-Typed-In-Name", f"wrong password {n}")
    with unit_of_work() as s:
        entries = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "user.sign_in_locked").order_by(AuditEntry.seq)).all()
        assert len(entries) == 2
        first, second = (e.data for e in entries)
    assert "maker" in first and "account" in first and "testclient" in first
    assert "wrong password" not in first + second
    assert "secret-typed-in-name" not in second.lower()


def test_one_address_is_locked_after_many_failures_on_many_names(site):
    answers = [attempt(site, f"guess{n}", "wrong password") for n in range(7)]
    assert [r.status_code for r in answers] == [401] * 6 + [429]
    assert attempt(site, "officer", PW).status_code == 429  # the whole address waits


def test_a_correct_sign_in_clears_the_account_count(site):
    for _ in range(2):
        assert attempt(site, "maker", "wrong password").status_code == 401
    assert attempt(site, "maker", PW).status_code == 303
    for _ in range(2):
        assert attempt(site, "maker", "wrong password").status_code == 401
    assert attempt(site, "maker", PW).status_code == 303


def test_counters_outlive_the_process(site):
    """A restarted server (new engine, new app) still refuses the locked account."""
    for n in range(3):
        attempt(site, "maker", f"wrong password {n}")
    reset_engines()
    restarted = TestClient(create_app(), raise_server_exceptions=False)  # a new process
    assert attempt(restarted, "maker", PW).status_code == 429
