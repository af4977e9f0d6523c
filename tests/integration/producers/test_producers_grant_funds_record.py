"""Industrial grant funds as records (Law 86-VII Art 42(5)): allocations by year, grants
decided, the year-end balance carried to the next year; API and the incentives page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kzreg.law.calendar import ALMATY, now_utc
from kzreg.law.errors import Conflict, Forbidden
from kzreg.platform.audit import AuditEntry
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.producers import grant_funds
from kzreg.producers.models import IncentiveGrant

PW = "correct horse battery"
YEAR = now_utc().astimezone(ALMATY).year


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        officer = create_user(s, "officer", "industry_officer", PW).actor()
        maker = create_user(s, "maker", "manufacturer", PW, bin="150340012340").actor()
        create_user(s, "auditor", "auditor", PW)
        for n, (year, amount) in enumerate(((YEAR - 1, "700000000"), (YEAR, "900000000"))):
            s.add(IncentiveGrant(case_id=9000 + n, bin="150340012340", measure="industrial_grant",
                                 competitiveness_agreement=False, agreement_no=f"G-{n}",
                                 granted_on=dt.date(year, 5, 1),
                                 obligations_due_on=dt.date(year + 2, 5, 1), amount=amount,
                                 directions=["labour_productivity"], status="performing",
                                 updated_at=now_utc()))
        s.add(IncentiveGrant(case_id=9100, bin="150340012340", measure="interest_subsidy",
                             competitiveness_agreement=False, agreement_no="S-1",
                             granted_on=dt.date(YEAR, 5, 1),
                             obligations_due_on=dt.date(YEAR + 2, 5, 1), amount="5",
                             directions=[], status="performing", updated_at=now_utc()))
    return officer, maker


def test_recorded_funds_carry_over_and_are_audited(people):
    officer, maker = people
    with unit_of_work() as s:
        with pytest.raises(Forbidden):
            grant_funds.record_allocation(s, maker, year=YEAR, amount="1", reference="x y z")
        grant_funds.record_allocation(s, officer, year=YEAR - 1, amount="1000000000",
                                      reference="Law on the republican budget")
        grant_funds.record_allocation(s, officer, year=YEAR, amount="500000000",
                                      reference="Law on the republican budget")
        with pytest.raises(Conflict):
            grant_funds.record_allocation(s, officer, year=YEAR, amount="1", reference="again")
        assert s.query(AuditEntry).filter(
            AuditEntry.action == "producers.grant_funds.allocated").count() == 2
        rows = grant_funds.stored_funds(s, YEAR, dt.date(YEAR, 12, 31)).value
        assert [(r.opening, r.granted, r.closing) for r in rows] == [
            (0, 700000000, 300000000), (300000000, 900000000, -100000000)]
        assert rows[-1].overcommitted


def test_api_and_page(people):
    from kzreg.web import create_app

    with unit_of_work() as s:
        h = {n: {"Authorization": f"Bearer {issue_token(s, n)}"}
             for n in ("officer", "maker", "auditor")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    url = "/api/producers/incentives/grant-funds"
    r = client.post(url, headers=h["officer"], json={"year": YEAR - 1, "amount": "1000000000",
                                                     "reference": "budget law"})
    assert r.status_code == 201, r.text
    assert client.post(url, headers=h["maker"], json={"year": YEAR, "amount": "1",
                                                      "reference": "xyz"}).status_code == 403
    assert client.post(url, headers=h["officer"], json={"year": YEAR, "amount": "-1",
                                                        "reference": "xyz"}).status_code == 422
    years = client.get(url, headers=h["auditor"], params={"year": YEAR}).json()["years"]
    assert years[-1] == {"year": YEAR, "opening": "300000000", "allocated": "0",
                         "granted": "900000000", "closing": "-600000000",
                         "overcommitted": True}

    browser = TestClient(create_app(), raise_server_exceptions=False)
    login = browser.get("/login").text
    browser.post("/login", data={"username": "officer", "password": PW,
                                 "csrf_token": _csrf(login)})
    page = browser.get("/producers/incentives/").text
    assert f'data-year="{YEAR - 1}"' in page and "300000000" in page
    r = browser.post("/producers/incentives/grant-funds", data={
        "csrf_token": _csrf(page), "year": str(YEAR), "amount": "600000000",
        "reference": "budget law"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert client.get(url, headers=h["officer"], params={"year": YEAR}).json()[
        "years"][-1]["closing"] == "0"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
