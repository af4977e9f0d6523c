"""Incentives and contracts over HTTP: an officer checks an application for a measure against
the gate (Law 86-VII Art 25(5)-(6)) and a large customer's plan against the calendar
(Art 47); sign-in required; bad input is problem+json naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
APPLICATION = {"measure": "interest_subsidy", "applied_on": "2026-03-02",
               "goods": [{"code": "8701", "on_priority_list": True}],
               "counter_obligations_accepted": True,
               "counter_obligation_directions": ["labour_productivity"],
               "documents_compliant": True, "in_register": False,
               "facts": {"own_property_participation": True},
               "choices": {"purpose": "working_capital"}}


@pytest.fixture
def site(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        create_user(s, "officer", "industry_officer", PW)
        token = {"Authorization": f"Bearer {issue_token(s, 'officer')}"}
    return TestClient(create_app(), raise_server_exceptions=False), token


def test_officer_checks_an_application_against_the_gate(site):
    client, h = site
    r = client.post("/api/producers/incentives/check?as_of=2026-03-02", headers=h,
                    json=APPLICATION)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["rule"] == "producers.incentive-gate"
    assert body["value"]["eligible"] is False
    assert body["value"]["reasons"] == ["DOCS_NONCOMPLIANT", "NOT_IN_REGISTER"]
    assert {"Art 25(6)", "Art 33(1)"} <= {b["locator"] for b in body["basis"]}


def test_officer_checks_a_plan_against_the_calendar(site):
    client, h = site
    cal = client.get("/api/producers/contracts/calendar?year=2025", headers=h).json()
    assert cal["value"]["publication_due"] == "2026-02-01"
    plan = {"first_procurement_year": 2026, "received_on": "2025-12-11",
            "notice_received_on": "2025-12-12", "resubmitted_on": "2025-12-22"}
    r = client.post("/api/producers/contracts/plan-check?as_of=2026-01-05", headers=h,
                    json=plan).json()
    stages = {s["name"]: s for s in r["value"]["stages"]}
    assert stages["plan lodged"]["status"] == "late"
    assert stages["resubmission"] == {"name": "resubmission", "due": "2025-12-22",
                                      "done_on": "2025-12-22", "status": "on_time"}


def test_sign_in_required_and_bad_input_is_a_problem(site):
    client, h = site
    assert client.get("/api/producers/incentives/measures").status_code == 401
    assert len(client.get("/api/producers/incentives/measures", headers=h).json()) == 14
    r = client.post("/api/producers/contracts/offset", headers=h, json={"financial_year": 2026})
    assert r.status_code in (400, 422)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "annual_purchases" in r.text
