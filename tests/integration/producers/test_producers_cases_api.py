"""Incentives, plans, contracts and programmes over HTTP (Law 86-VII Arts 25-28, 46-49, 47-1,
60, 61-1, 68): roles (officers act; a manufacturer or contractor for its own BIN only, others
get 404; auditors read), problem+json naming the field and the clause, and the pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kzreg.law.calendar import ALMATY
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.producers import service
from kzreg.web import create_app

PW = "correct horse battery"
BIN, OTHER, BUYER = "150340012340", "180840045211", "090740003154"
APPLICATION = {"name": "Qazaq Cold LLP", "measure": "interest_subsidy",
               "goods": [{"code": "8418 10", "on_priority_list": True}],
               "counter_obligations_accepted": True,
               "counter_obligation_directions": ["labour_productivity"],
               "facts": {"own_property_participation": True},
               "choices": {"purpose": "modernisation"}}


@pytest.fixture
def site(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        create_user(s, "officer", "industry_officer", PW)
        create_user(s, "auditor", "auditor", PW)
        create_user(s, "maker", "manufacturer", PW, bin=BIN)
        create_user(s, "other", "manufacturer", PW, bin=OTHER)
        create_user(s, "buyer", "contractor", PW, bin=BUYER)
        day = dt.datetime(2026, 1, 15, 10, tzinfo=ALMATY)
        service._put_entry(s, bin=BIN, name="Qazaq Cold LLP", region="Almaty",
                           route="processed", goods=[{"code": "8418 10", "title": "Fridge"}],
                           on=day.date(), at=day)
        tokens = {n: {"Authorization": f"Bearer {issue_token(s, n)}"}
                  for n in ("officer", "auditor", "maker", "other", "buyer")}
    return TestClient(create_app(), raise_server_exceptions=False), tokens


def test_incentive_application_roles_and_decision(site):
    client, h = site
    base = "/api/producers/incentives/applications"
    assert client.post(base, headers=h["maker"], json={**APPLICATION, "bin": OTHER}
                       ).status_code == 403
    bad = client.post(base, headers=h["maker"], json={**APPLICATION, "measure": "magic"})
    assert bad.status_code == 422 and bad.json()["field"] == "measure"
    r = client.post(base, headers=h["maker"], json=APPLICATION)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert r.json()["state"] == "filed"

    case = f"/api/producers/cases/{case_id}"
    assert client.get(case, headers=h["other"]).status_code == 404
    assert client.post(f"{case}/actions/withdraw", headers=h["other"], json={}
                       ).status_code == 404
    assert client.post(f"{base}/{case_id}/check", headers=h["other"],
                       json={"documents_compliant": True}).status_code == 404
    assert client.get(case, headers=h["auditor"]).status_code == 200
    assert client.post(f"{case}/actions/withdraw", headers=h["auditor"], json={}
                       ).status_code == 403
    assert [c["id"] for c in client.get(base, headers=h["other"]).json()["cases"]] == []

    check = client.post(f"{base}/{case_id}/check", headers=h["officer"],
                        json={"documents_compliant": True}).json()
    assert check["value"]["eligible"] is True
    refuse = client.post(f"{case}/actions/refuse", headers=h["officer"],
                         json={"documents_compliant": True})
    assert refuse.status_code == 409 and "Art 25(6)" in refuse.text
    grant = {"documents_compliant": True, "agreement_no": "CO-7", "amount": "1000000",
             "obligations_due_on": "2030-12-31",
             "counter_obligations": [{"direction": "labour_productivity",
                                      "indicator": "output per worker", "target": "+5%"}]}
    assert client.post(f"{case}/actions/grant", headers=h["maker"], json=grant
                       ).status_code == 403
    r = client.post(f"{case}/actions/grant", headers=h["officer"], json=grant)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "performing"
    assert body["deadlines"][0]["name"] == "counter_obligations"
    with unit_of_work() as s:   # the decision reached the maker's personal account
        from sqlalchemy import select

        from kzreg.platform.notifications import Notice
        notice = s.scalars(select(Notice).where(Notice.case_id == case_id)).one()
        assert "granted" in notice.subject and notice.basis == "law-86-VII:Art 27(1)"
    history = client.get(f"/api/producers/incentives/history/{BIN}", headers=h["maker"]).json()
    assert history["grants"][0]["agreement_no"] == "CO-7"
    assert client.get(f"/api/producers/incentives/history/{BIN}", headers=h["other"]
                      ).status_code == 404


def test_plan_contract_systemic_over_http(site):
    client, h = site
    r = client.post("/api/producers/plans", headers=h["buyer"], json={
        "customer_name": "Qorgan JSC", "customer_type": "quasi_public",
        "first_procurement_year": 2027,
        "goods": [{"code": "8431 43", "title": "Drill bits"}]})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["state"] == "under_review" and plan["data"]["customer_bin"] == BUYER
    assert client.get(f"/api/producers/cases/{plan['id']}", headers=h["maker"]
                      ).status_code == 404
    r = client.post(f"/api/producers/cases/{plan['id']}/actions/agree", headers=h["officer"])
    assert r.json()["state"] == "agreed"
    check = client.get(f"/api/producers/plans/{plan['id']}/check", headers=h["buyer"]).json()
    assert check["value"]["compliant_content"] is True

    contract = {"number": "GP-1", "new_production": False, "customer_bin": BUYER,
                "customer_name": "Qorgan JSC", "supplier_bin": BIN,
                "supplier_name": "Qazaq Cold LLP",
                "goods": [{"title": "Fridge", "specification": "A++"}],
                "concluded_on": "2026-04-01", "ends_on": "2027-03-01", "amount": "100",
                "volumes": [{"year": 2026, "contracted": "10"}]}
    short = client.post("/api/producers/contracts/register", headers=h["officer"],
                        json=contract)
    assert short.status_code == 409 and short.json()["field"] == "ends_on"
    assert "48-1(3)" in short.text
    ok = client.post("/api/producers/contracts/register", headers=h["buyer"],
                     json={**contract, "ends_on": "2028-03-31"})
    assert ok.status_code == 201 and ok.json()["kind"] == "guaranteed_purchase"
    cid = ok.json()["id"]
    assert client.get(f"/api/producers/contracts/register/{cid}", headers=h["other"]
                      ).status_code == 404
    assert client.get(f"/api/producers/contracts/register/{cid}", headers=h["auditor"]
                      ).status_code == 200
    r = client.post("/api/producers/systemic", headers=h["officer"], json={
        "bin": BIN, "name": "Qazaq Cold LLP", "region": "Almaty", "year": 2026,
        "enterprise_output": "301", "territory_output": "10000"})
    assert r.status_code == 201 and r.json()["systemic"] is True
    assert client.post("/api/producers/systemic", headers=h["maker"], json={
        "bin": BIN, "name": "x", "region": "Almaty", "year": 2026,
        "enterprise_output": "1", "territory_output": "2"}).status_code == 403
    raw = client.post("/api/producers/raw-materials/price-cap", headers=h["auditor"],
                      params={"as_of": "2026-02-01"},
                      json={"export_prices": ["500", "480", "520"]})
    assert raw.json()["value"]["cap"] == "480"
    cert = client.post("/api/producers/legal-time/certificate", headers=h["maker"],
                       params={"as_of": "2026-01-02"},
                       json={"kind": "ct_kz", "question": "validity",
                             "issued_on": "2025-12-10"})
    assert cert.json()["value"]["answer"] is False


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username: str) -> None:
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": PW,
                                    "csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code in (302, 303), r.text


def test_pages_apply_check_and_grant(site):
    client, _ = site
    maker = TestClient(client.app)
    _login(maker, "maker")
    form = maker.get("/producers/incentives/new?measure=interest_subsidy")
    assert form.status_code == 200 and "Art 33(1)" in form.text
    r = maker.post("/producers/incentives/new", follow_redirects=False, data={
        "csrf_token": _csrf(form.text), "measure": "interest_subsidy", "name": "Qazaq Cold LLP",
        "goods": "8418 10 | yes", "counter_obligations_accepted": "1",
        "directions": "labour_productivity", "fact_own_property_participation": "1",
        "choice_purpose": "modernisation"})
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    assert "Qazaq Cold LLP" in maker.get("/producers/incentives/").text

    officer = TestClient(client.app)
    _login(officer, "officer")
    page = officer.get(url)
    assert 'data-state="filed"' in page.text and "gate" in page.text
    checked = officer.post(url + "/check", data={"csrf_token": _csrf(page.text),
                                                 "documents_compliant": "1"})
    assert 'data-eligible="yes"' in checked.text
    r = officer.post(url + "/act", follow_redirects=False, data={
        "csrf_token": _csrf(page.text), "transition": "grant", "documents_compliant": "1",
        "agreement_no": "CO-8", "amount": "5000000", "obligations_due_on": "2030-12-31",
        "counter_obligations": "labour_productivity | output per worker | +5%"})
    assert r.status_code == 303, r.text
    assert 'data-state="performing"' in officer.get(url).text
    assert "<svg" in officer.get("/producers/incentives/").text

    other = TestClient(client.app)
    _login(other, "other")
    assert other.get(url).status_code == 404
    assert officer.get("/producers/contracts/").status_code == 200
