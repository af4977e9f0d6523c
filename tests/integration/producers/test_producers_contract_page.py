"""One contract of the register on its own page (Law 86-VII Arts 47(8), 48, 48-1, 49): the
years with the check of Art 48(2), breaches, the guaranteed purchase term; a party records
a year, an officer terminates; another BIN gets 404, an auditor reads only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.producers import contracts_service
from kzreg.web import create_app

PW = "correct horse battery"
BUYER, SUPPLIER, OTHER = "090740003154", "150340012340", "180840045211"
OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)


def contract(number: str, *, new_production: bool = True, **extra):
    return {"number": number, "new_production": new_production, "customer_bin": BUYER,
            "customer_name": "Qorgan JSC", "supplier_bin": SUPPLIER,
            "supplier_name": "Qazaq Cold LLP",
            "goods": [{"title": "Drill bits", "specification": "GOST 1"}],
            "concluded_on": dt.date(2026, 4, 1), "ends_on": dt.date(2029, 12, 31),
            "amount": "1000000", "volumes": [{"year": 2026, "contracted": "100"},
                                             {"year": 2027, "contracted": "200"}],
            "domestic_value_min": "40", "programme_obligation": True, **extra}


@pytest.fixture
def site(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    from kzreg.platform.users import create_user

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        for name, role, bin in (("officer", "industry_officer", None),
                                ("auditor", "auditor", None), ("buyer", "contractor", BUYER),
                                ("other", "manufacturer", OTHER)):
            create_user(s, name, role, PW, bin=bin)
        offtake = contracts_service.register_contract(s, OFFICER, **contract("OT-1")).id
        gpa = contracts_service.register_contract(
            s, OFFICER, **contract("GP-1", new_production=False)).id
    return create_app(), offtake, gpa


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(app, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": PW,
                                    "csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    return client


def test_a_party_records_years_and_sees_the_breach(site):
    app, offtake, gpa = site
    buyer = login(app, "buyer")
    listing = buyer.get("/producers/contracts/")
    assert f'href="/producers/contracts/{offtake}"' in listing.text
    url = f"/producers/contracts/{offtake}"
    page = buyer.get(url)
    assert page.status_code == 200 and 'data-compliant="unknown"' in page.text
    r = buyer.post(url + "/year", data={"csrf_token": _csrf(page.text), "year": "2026",
                                        "accepted": "100"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = buyer.post(url + "/year", data={"csrf_token": _csrf(page.text), "year": "2027",
                                        "accepted": "90"}, follow_redirects=False)
    assert r.status_code == 303
    page = buyer.get(url)
    assert 'data-year="2026" data-status="compliant"' in page.text
    assert 'data-year="2027" data-status="breach"' in page.text    # 90 < 50% of 200
    assert 'id="breaches"' in page.text and "100 (50%)" in page.text
    assert "Art 48(4)" in page.text                                  # the penalty setting
    bad = buyer.post(url + "/year", data={"csrf_token": _csrf(page.text), "year": "2027",
                                          "accepted": "lots"})
    assert bad.status_code == 422 and "accepted" in bad.text
    assert 'id="action-terminate"' not in page.text                  # officers only

    gpa_page = buyer.get(f"/producers/contracts/{gpa}")
    assert 'id="term-check"' in gpa_page.text and "2027-04-01" in gpa_page.text
    assert 'id="action-year"' not in gpa_page.text                   # Art 48(2): off-take only


def test_others_and_auditors(site):
    app, offtake, _ = site
    assert login(app, "other").get(f"/producers/contracts/{offtake}").status_code == 404
    auditor = login(app, "auditor")
    page = auditor.get(f"/producers/contracts/{offtake}")
    assert page.status_code == 200 and 'id="actions"' not in page.text
    officer = login(app, "officer")
    page = officer.get(f"/producers/contracts/{offtake}")
    r = officer.post(f"/producers/contracts/{offtake}/termination", follow_redirects=False,
                     data={"csrf_token": _csrf(page.text), "ground": "pilot batch failed"})
    assert r.status_code == 303
    assert 'data-status="terminated"' in officer.get(f"/producers/contracts/{offtake}").text


def test_the_plan_page_shows_the_art_47_calendar(site):
    from kzreg.law.calendar import ALMATY
    from kzreg.producers import contracts_service as svc

    app, _, _ = site
    with unit_of_work() as s:
        plan = svc.open_plan(s, OFFICER, customer_name="Qorgan JSC", customer_bin=BUYER,
                             customer_type="quasi_public", first_procurement_year=2026,
                             goods=[{"code": "8431 43", "title": "Drill bits"},
                                    {"code": "8708 99", "foreign_under_warranty": True}],
                             at=dt.datetime(2025, 12, 12, 10, tzinfo=ALMATY))
    page = login(app, "buyer").get(f"/producers/cases/{plan.id}")
    assert 'data-stage="plan lodged" data-status="late"' in page.text   # after 10 December
    assert 'id="calendar"' in page.text and "8708 99" in page.text       # Art 47(3)
