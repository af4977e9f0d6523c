"""The research pipeline over HTTP (Law 236-VI Art 21), SQLite and PostgreSQL: an area the
DSTC approved gets one expert council of the members Art 21 p.6 lists; the council's
opinion comes before the DSTC's selection (p.1, p.4-5); research enters the order only so;
the report on it is examined (p.4), considered by the DSTC (p.2 task 4) and approved by the
body whose budget holds the funds (Art 6-1 sub 19, Art 7 sub 14-2), in that order; a
classified report stays hidden from a reader without clearance."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kzreg.platform import audit
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
API = "/api/defense"
KYRAN = make_bin("1811", "10121")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def site(db):
    with unit_of_work() as s:
        create_user(s, "top", "defense_officer", PW, clearance=2)
        create_user(s, "low", "defense_officer", PW, clearance=1)
        create_user(s, "open", "auditor", PW)
        create_user(s, "kyran", "contractor", PW, bin=KYRAN, clearance=2)
        tokens = {n: issue_token(s, n) for n in ("top", "low", "open", "kyran")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}


def test_research_from_area_to_approved_report(site) -> None:
    client, h = site
    off = h["top"]
    assert client.post(f"{API}/research-areas", headers=off, json={
        "code": "uas", "title": "Unmanned aerial systems", "approved_on": "2024-03-01",
        "dstc_decision": "DSTC minutes 1"}).status_code == 201
    app = client.post(f"{API}/applications", headers=off, json={
        "recipient": "MoD", "category": "6", "nomenclature": "Research: swarm control",
        "quantity": 1, "unit": "work", "planning_period": "2025-2027",
        "submitted_on": "2024-09-01", "justification": "re-equipment",
        "research_area": "uas", "secrecy_level": 2}).json()
    assert app["problems"] == []
    decide = f"{API}/applications/{app['id']}/research-decision"
    # no council yet: the opinion is the area's council's (Art 21 p.4-5)
    r = client.post(decide, headers=off, json={"expert_opinion": "supported",
                                               "on": "2024-10-01"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 21 p.4-5"
    council = {"area_code": "uas", "name": "UAS council", "composition_act": "Order 7",
               "composition_approved_on": "2024-03-15",
               "members": [{"name": "Prof. A", "affiliation": "scientist"},
                           {"name": "B", "affiliation": "astrologer"}]}
    r = client.post(f"{API}/expert-councils", headers=off, json=council)
    assert r.status_code == 422 and r.json()["field"] == "members[1].affiliation"
    council["members"][1]["affiliation"] = "mic_entity"
    early = client.post(f"{API}/expert-councils", headers=off,
                        json={**council, "composition_approved_on": "2024-02-01"})
    assert early.status_code == 409 and early.json()["basis"]["locator"] == "Art 21 p.5"
    assert client.post(f"{API}/expert-councils", headers=off, json=council).status_code == 201
    assert client.post(f"{API}/expert-councils", headers=off, json=council).status_code == 409
    # the DSTC selects only on the opinion (Art 21 p.1)
    r = client.post(decide, headers=off, json={"dstc_selected": True, "on": "2024-10-01"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 21 p.1"
    r = client.post(decide, headers=off, json={"expert_opinion": "supported",
                                               "dstc_selected": True,
                                               "dstc_decision": "DSTC minutes 4",
                                               "on": "2024-10-01"}).json()
    assert r["included"] is True

    oid = client.post(f"{API}/orders", headers=off, json={
        "title": "Research order", "planning_period": "2025-2027", "recipients": ["MoD"],
        "contractors": [KYRAN], "funds_holder": "recipient"}).json()["id"]
    client.post(f"{API}/orders/{oid}/lines", headers=off, json={
        "application_id": app["id"], "unit_price": "450000000", "deadline": "2027-11-01",
        "contractor_bin": KYRAN, "section": "Research", "stage": "2025-2027"})
    # not yet in an approved order: no report
    r = client.post(f"{API}/research-reports", headers=off, json={
        "application_id": app["id"], "title": "Final report", "submitted_on": "2025-05-01"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 21 p.1"
    assert client.post(f"{API}/orders/{oid}/approval", headers=off, json={
        "act_number": "Decree R", "act_date": "2025-03-03"}).status_code == 200
    report = client.post(f"{API}/research-reports", headers=off, json={
        "application_id": app["id"], "title": "Final report", "submitted_on": "2025-05-01"})
    assert report.status_code == 201 and report.json()["secrecy_level"] == 2
    rid = report.json()["id"]
    steps = f"{API}/research-reports/{rid}"
    # out of order: the DSTC considers a report the council examined
    r = client.post(f"{steps}/consider", headers=off, json={"on": "2025-05-10", "text": "m"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 21 p.2"
    r = client.post(f"{steps}/examine", headers=off, json={"on": "2025-04-30", "text": "ok"})
    assert r.status_code == 422 and r.json()["field"] == "on"
    assert client.post(f"{steps}/examine", headers=off,
                       json={"on": "2025-05-10", "text": "positive"}).json()["status"] \
        == "examined"
    assert client.post(f"{steps}/consider", headers=off,
                       json={"on": "2025-05-20", "text": "DSTC minutes 9"}).json()["status"] \
        == "considered"
    done = client.post(f"{steps}/approve", headers=off,
                       json={"on": "2025-06-01", "text": "Order of the recipient 12"}).json()
    # the funds are in the recipient's budget: the recipient approves (Art 7 sub 14-2)
    assert (done["status"], done["approving_body"]) == ("approved", "recipient")
    assert client.post(f"{steps}/approve", headers=off,
                       json={"on": "2025-06-02", "text": "again"}).status_code == 409

    # secrecy: readers below its level and the contractor see none of it
    for who in ("open", "low"):
        hidden = client.get(f"{API}/research", headers=h[who]).json()
        assert hidden["applications"] == [] and hidden["reports"] == []
        assert hidden["councils"] and hidden["areas"]
    assert client.post(f"{steps}/approve", headers=h["low"],
                       json={"on": "2025-06-02", "text": "x"}).status_code == 404
    assert client.get(f"{API}/research", headers=h["kyran"]).json()["reports"] == []
    seen = client.get(f"{API}/research", headers=off).json()
    assert [r["title"] for r in seen["reports"]] == ["Final report"]
    with unit_of_work() as s:
        actions = [e.action for e in audit.entries(s, limit=200)]
    assert {"defense.expert_council_set_up", "defense.research_report_approved",
            "defense.classified_read"} <= set(actions)


def test_prototype_from_made_to_introduced_into_service(site) -> None:
    """Art 21 p.8, Art 1 sub 26-3, Art 6-1 sub 20, Art 7 sub 11-13: made within the
    approved order, state-tested under the testing rules, accepted for service only if it
    passed, then the mass-production documents; each step's body by the date."""
    client, h = site
    off = h["top"]
    client.post(f"{API}/research-areas", headers=off, json={
        "code": "uas", "title": "UAS", "approved_on": "2024-03-01", "dstc_decision": "m1"})
    client.post(f"{API}/expert-councils", headers=off, json={
        "area_code": "uas", "name": "c", "composition_act": "o7",
        "composition_approved_on": "2024-03-15",
        "members": [{"name": "A", "affiliation": "scientist"}]})
    app = client.post(f"{API}/applications", headers=off, json={
        "recipient": "MoD", "category": "6", "nomenclature": "Design works: drone",
        "quantity": 1, "unit": "work", "planning_period": "2025-2027",
        "submitted_on": "2024-09-01", "justification": "re-equipment",
        "research_area": "uas", "secrecy_level": 2}).json()
    client.post(f"{API}/applications/{app['id']}/research-decision", headers=off, json={
        "expert_opinion": "supported", "dstc_selected": True, "dstc_decision": "m4",
        "on": "2024-10-01"})
    proto = {"application_id": app["id"], "name": "Drone prototype", "made_on": "2025-05-01"}
    r = client.post(f"{API}/prototypes", headers=off, json=proto)
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 21 p.8"
    oid = client.post(f"{API}/orders", headers=off, json={
        "title": "Research order", "planning_period": "2025-2027", "recipients": ["MoD"],
        "contractors": [KYRAN], "funds_holder": "recipient"}).json()["id"]
    client.post(f"{API}/orders/{oid}/lines", headers=off, json={
        "application_id": app["id"], "unit_price": "450000000", "deadline": "2027-11-01",
        "contractor_bin": KYRAN, "section": "Research", "stage": "2025-2027"})
    assert client.post(f"{API}/orders/{oid}/approval", headers=off, json={
        "act_number": "Decree R", "act_date": "2025-03-03"}).status_code == 200
    early = client.post(f"{API}/prototypes", headers=off, json={**proto, "made_on": "2025-03-01"})
    assert early.status_code == 422 and early.json()["field"] == "made_on"
    made = client.post(f"{API}/prototypes", headers=off, json=proto)
    assert made.status_code == 201 and made.json()["secrecy_level"] == 2
    url = f"{API}/prototypes/{made.json()['id']}"
    r = client.post(f"{url}/accept", headers=off, json={"on": "2025-06-01", "text": "act"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 7 sub 13"
    r = client.post(f"{url}/test", headers=off, json={"on": "2025-06-01", "text": "report",
                                                      "passed": False})
    assert r.status_code == 422 and r.json()["basis"]["locator"] == "Art 6-1 sub 20"
    failed = client.post(f"{url}/test", headers=off, json={
        "on": "2025-06-01", "text": "range short", "passed": False,
        "testing_rules": "Testing rules (order 5)"}).json()
    assert (failed["status"], failed["testing_body"]) == ("test_failed", "recipient")
    r = client.post(f"{url}/accept", headers=off, json={"on": "2025-06-02", "text": "act"})
    assert r.status_code == 409 and "Art 1 sub 26-3" in r.json()["detail"]
    r = client.post(f"{url}/test", headers=off, json={
        "on": "2025-05-30", "text": "x", "passed": True, "testing_rules": "r"})
    assert r.status_code == 422 and r.json()["field"] == "on"
    assert client.post(f"{url}/test", headers=off, json={
        "on": "2025-07-01", "text": "all met", "passed": True,
        "testing_rules": "Testing rules (order 5)"}).json()["status"] == "tested"
    r = client.post(f"{url}/documents", headers=off, json={"on": "2025-07-02", "text": "d"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 7 sub 12"
    accepted = client.post(f"{url}/accept", headers=off, json={
        "on": "2025-07-10", "text": "Order of the Minister 44"}).json()
    assert (accepted["status"], accepted["accepting_body"]) == ("accepted", "recipient")
    done = client.post(f"{url}/documents", headers=off, json={
        "on": "2025-08-01", "text": "design documents reconciled"}).json()
    assert done["status"] == "documents_reconciled" and done["next_step"] is None
    # secrecy: the uncleared and the contractor see none; hidden is "not found"
    assert client.get(f"{API}/prototypes", headers=h["low"]).json()["prototypes"] == []
    assert client.get(f"{API}/prototypes", headers=h["kyran"]).json()["prototypes"] == []
    assert client.get(url, headers=h["low"]).status_code == 404
    assert client.get(url, headers=off).json()["name"] == "Drone prototype"
    page = client.get("/defense/prototypes", headers=off).text
    assert "Drone prototype" in page and "documents_reconciled" in page
    assert "Drone prototype" not in client.get("/defense/prototypes", headers=h["low"]).text
    with unit_of_work() as s:
        actions = [e.action for e in audit.entries(s, limit=200)]
    assert {"defense.prototype_made", "defense.prototype_test_failed",
            "defense.prototype_accepted", "defense.prototype_documents_reconciled",
            "defense.classified_read"} <= set(actions)
