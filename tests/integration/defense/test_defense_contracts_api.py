"""The contracts of Law 236-VI through HTTP, on SQLite and PostgreSQL: the lifecycle from a
placed order item to payment, refusals as problem+json naming field and clause, the refused
modification kept on record, roles (contractor on its own contracts, auditor reads), and
secrecy: a clearance-1 contractor cannot reach its own level-2 contract by list, id, page
or PDF, and classified reads are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kzreg.defense import contracts_service as svc
from kzreg.law.calendar import ALMATY
from kzreg.platform.audit import AuditEntry
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
BIN = make_bin("0907", "00315")
OTHER = make_bin("1503", "01234")
LINE = {"item": "radio", "unit_price": "10000", "deadline": "2025-12-01"}
DRAFT = {"subject_matter": "Radio stations", "validity_period": "to 31.12.2025",
         "quality_control_conditions": "MRO", "acceptance_conditions": "MRO certificate",
         "delivery_place": "Astana", "delivery_dates": ["2025-12-01"], "forfeit": "0.1%",
         "termination_grounds": "per the contract", "liability": "per the contract",
         "payment_term_days": 30, "vat_clause": True}


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2025, 3, 4, 10, tzinfo=ALMATY)
        monkeypatch.setattr(svc, "now_utc", lambda: self.now.astimezone(dt.UTC))

    def set(self, day: str, hour: int = 10) -> None:
        self.now = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


@pytest.fixture
def site(db, monkeypatch):
    with unit_of_work() as s:
        create_user(s, "sdp", "defense_officer", PW, clearance=2)
        create_user(s, "plant", "contractor", PW, bin=BIN, clearance=1)
        create_user(s, "rival", "contractor", PW, bin=OTHER, clearance=3)
        create_user(s, "aud", "auditor", PW)
        tokens = {n: issue_token(s, n) for n in ("sdp", "plant", "rival", "aud")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}, \
        Clock(monkeypatch)


def item(**extra) -> dict:
    return {"order_ref": "GOV-2025-17", "act_adopted_on": "2025-03-03",
            "subject": "Radio stations R-1", "category": "1",
            "recipient": "Ministry of Defense", "contractor_bin": BIN,
            "contractor_name": "Qorgan Defense Systems JSC",
            "lines": [{**LINE, "quantity": "100"}], "warranty_until": "2027-12-31",
            "draft": DRAFT, **extra}


def create(client, who, **extra) -> dict:
    r = client.post("/api/defense/contracts", json=item(**extra), headers=who)
    assert r.status_code == 201, r.text
    return r.json()


def test_from_order_item_to_payment(site):
    client, h, clock = site
    c = create(client, h["sdp"])
    cid = c["id"]
    assert c["state"] == "approved" and c["terms"][0]["due"] == "2025-03-13"    # T2.1
    assert [x["id"] for x in client.get("/api/defense/contracts", headers=h["plant"]).json()] \
        == [cid]
    assert client.get(f"/api/defense/contracts/{cid}", headers=h["rival"]).status_code == 404
    # the contractor cannot act for the state; the auditor reads but does not act
    assert client.post(f"/api/defense/contracts/{cid}/actions/send",
                       headers=h["plant"]).status_code == 403
    assert client.get(f"/api/defense/contracts/{cid}", headers=h["aud"]).status_code == 200
    assert client.post(f"/api/defense/contracts/{cid}/actions/send",
                       headers=h["aud"]).status_code == 403
    clock.set("2025-03-05")
    assert client.post(f"/api/defense/contracts/{cid}/actions/send",
                       headers=h["sdp"]).json()["state"] == "sent"
    clock.set("2025-03-06")
    client.post(f"/api/defense/contracts/{cid}/actions/receive", headers=h["plant"])
    r = client.post(f"/api/defense/contracts/{cid}/actions/refuse", headers=h["plant"],
                    json={"ground": "other", "reason": "capacity fully booked"})      # T5.2
    assert r.status_code == 422
    assert r.json()["field"] == "ground" and r.json()["basis"]["locator"] == "Art 22 p.7"
    clock.set("2025-03-10")
    c = client.post(f"/api/defense/contracts/{cid}/actions/sign", headers=h["plant"]).json()
    assert c["state"] == "in_execution" and c["notices"] == []

    clock.set("2025-06-01")
    bad = {"ground": "quantity_change",
           "after": {"value": "1260000", "lines": [{**LINE, "quantity": "120",
                                                     "unit_price": "10500"}]}}
    r = client.post(f"/api/defense/contracts/{cid}/modifications", json=bad, headers=h["sdp"])
    assert r.status_code == 422, r.text
    assert r.json()["basis"]["locator"] == "Art 23 p.2 sub 3"
    good = {"ground": "quantity_change",
            "after": {"value": "1200000", "lines": [{**LINE, "quantity": "120"}]}}
    r = client.post(f"/api/defense/contracts/{cid}/modifications", json=good, headers=h["sdp"])
    assert r.status_code == 201 and r.json()["allowed"] is True
    c = client.get(f"/api/defense/contracts/{cid}", headers=h["plant"]).json()
    assert [m["allowed"] for m in c["modifications"]] == [False, True]
    assert c["value"] == "1200000.00" and [n["event"] for n in c["notices"]] == ["amendment"]
    assert c["lines"][0]["unit_price"] == "10000.00"

    clock.set("2025-10-01")
    r = client.post(f"/api/defense/contracts/{cid}/lots", headers=h["sdp"], json={
        "number": "L1", "lot": {"production_complete": True, "set_complete": True}})
    assert r.status_code == 201 and r.json()["suspended"] is False
    r = client.post(f"/api/defense/contracts/{cid}/lots/L1/acceptance", headers=h["sdp"])
    assert r.status_code == 422 and r.json()["field"] == "quality_certificate"
    r = client.put(f"/api/defense/contracts/{cid}/control-list", headers=h["sdp"],
                   json={"items": [{"item": "radio"}]})
    assert r.status_code == 200 and r.json()["approved_on"] is None
    r = client.post(f"/api/defense/contracts/{cid}/control-list/approval", headers=h["sdp"])
    assert r.json()["approver"] == "sdp_body" and r.json()["basis"] == "law-236-VI:Art 27 p.2"
    client.post(f"/api/defense/contracts/{cid}/lots/L1/certificate", headers=h["sdp"],
                json={"certificate": "QC-7"})
    c = client.post(f"/api/defense/contracts/{cid}/lots/L1/acceptance", headers=h["sdp"]).json()
    assert c["state"] == "accepted"
    assert [t for t in c["terms"] if t["term"] == "pay"][0]["due"] == "2025-10-31"
    clock.set("2025-10-20")
    c = client.post(f"/api/defense/contracts/{cid}/actions/pay", headers=h["sdp"]).json()
    assert c["state"] == "fulfilled"
    assert [t["status"] for t in c["terms"]] == ["on time", "on time", "on time"]


def test_a_level_2_contract_never_reaches_a_clearance_1_contractor(site):
    client, h, clock = site
    secret = create(client, h["sdp"], secrecy_level=2, subject="Top secret radar")
    plain = create(client, h["sdp"])
    cid = secret["id"]
    rows = client.get("/api/defense/contracts", headers=h["plant"]).json()
    assert [r["id"] for r in rows] == [plain["id"]]
    assert client.get(f"/api/defense/contracts/{cid}", headers=h["plant"]).status_code == 404
    # the same answer as for a contract that does not exist, whatever the body holds
    r = client.post(f"/api/defense/contracts/{cid}/actions/receive", headers=h["plant"])
    assert r.status_code == 404 and "radar" not in r.text
    doc = client.post(f"/api/defense/contracts/{cid}/documents", headers=h["sdp"],
                      json={"language": "en"})
    assert doc.status_code == 201, doc.text
    url = doc.json()["url"]
    assert client.get(url, headers=h["sdp"]).content.startswith(b"%PDF")
    assert client.get(url, headers=h["plant"]).status_code == 404
    assert client.post(f"/api/defense/contracts/{cid}/documents",
                       headers=h["plant"]).status_code == 404
    board = client.get("/defense/contracts", headers=h["plant"])
    assert board.status_code == 200 and "radar" not in board.text
    assert client.get(f"/defense/contracts/{cid}", headers=h["plant"]).status_code == 404
    assert "radar" not in client.get(f"/defense/contracts/{cid}", headers=h["plant"]).text
    with unit_of_work() as s:
        reads = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "defense.classified_read")).all()
        assert {e.actor for e in reads} == {"sdp"}
        assert all("radar" not in e.data for e in s.scalars(select(AuditEntry)))


def test_pages_render_and_forms_need_csrf(site):
    client, h, clock = site
    cid = create(client, h["sdp"])["id"]
    for path in ("/defense/contracts", f"/defense/contracts/{cid}", "/defense/reserve",
                 "/defense/contracts/new"):
        r = client.get(path, headers=h["sdp"])
        assert r.status_code == 200, (path, r.text[:300])
    assert 'name="csrf_token"' in client.get(f"/defense/contracts/{cid}", headers=h["sdp"]).text
    # a form post from a browser session without the token is refused
    anonymous = TestClient(create_app(), raise_server_exceptions=False)
    r = anonymous.post(f"/defense/contracts/{cid}/act", data={"action": "send"})
    assert r.status_code in (401, 403) or "/login" in r.headers.get("location", "")


def test_reserve_holding_use_cap_and_scope(site):
    client, h, clock = site
    r = client.post("/api/defense/reserve/holdings", headers=h["sdp"], json={
        "holder_bin": BIN, "holder_name": "Qorgan storage", "holder_kind": "storage_facility",
        "sdo_contractor": True, "nomenclature": "shells, 152 mm", "available": "1000"})
    assert r.status_code == 201, r.text
    hid = r.json()["id"]
    r = client.post(f"/api/defense/reserve/holdings/{hid}/uses", headers=h["plant"],
                    json={"quantity": "250", "used_on": "2025-03-04"})
    assert r.status_code == 201 and r.json()["replenish_by"] == "2026-03-04"
    r = client.post(f"/api/defense/reserve/holdings/{hid}/uses", headers=h["plant"],
                    json={"quantity": "60"})                                       # T3.1
    assert r.status_code == 422 and r.json()["field"] == "quantity"
    assert r.json()["basis"]["locator"] == "Art 24 p.4"
    assert client.get("/api/defense/reserve/holdings", headers=h["rival"]).json() == []
    assert client.get(f"/api/defense/reserve/holdings/{hid}",
                      headers=h["rival"]).status_code == 404
    held = client.get(f"/api/defense/reserve/holdings/{hid}", headers=h["sdp"]).json()
    assert held["cap"] == "300" and [u["status"] for u in held["uses"]] == ["due"]


def signed(client, h, clock, **extra) -> int:
    cid = create(client, h["sdp"], **extra)["id"]
    clock.set("2025-03-05")
    client.post(f"/api/defense/contracts/{cid}/actions/send", headers=h["sdp"])
    client.post(f"/api/defense/contracts/{cid}/actions/receive", headers=h["sdp"])
    r = client.post(f"/api/defense/contracts/{cid}/actions/sign", headers=h["plant"])
    assert r.json()["state"] == "in_execution", r.text
    return cid


def test_penalties_recovered_to_the_budget_with_exact_sums(site):
    client, h, clock = site
    cid = signed(client, h, clock)
    other = signed(client, h, clock)
    clock.set("2025-06-01")
    r = client.post(f"/api/defense/contracts/{cid}/penalties", headers=h["sdp"],
                    json={"amount": "5000.1", "reason": "late documents"})
    assert r.status_code == 201 and r.json()["amount"] == "5000.10"
    first = r.json()["id"]
    client.post(f"/api/defense/contracts/{cid}/penalties", headers=h["sdp"],
                json={"amount": "1200", "reason": "late lot"})
    url = f"/api/defense/contracts/{cid}/penalties/{first}/recovery"
    assert client.post(url, headers=h["plant"]).status_code == 403
    assert client.post(f"/api/defense/contracts/{other}/penalties/{first}/recovery",
                       headers=h["sdp"]).status_code == 404
    r = client.post(url, headers=h["sdp"], json={"recovered_on": "2025-05-01"})
    assert r.status_code == 422 and r.json()["field"] == "recovered_on"
    clock.set("2025-06-10")
    r = client.post(url, headers=h["sdp"], json={})
    assert r.status_code == 200, r.text
    assert r.json()["penalty_sums"] == {
        "assessed": "6200.10", "recovered": "5000.10", "outstanding": "1200.00",
        "credited_to": "republican budget", "basis": "law-236-VI:Art 22 p.10"}
    assert [p["status"] for p in r.json()["penalties"]] == ["recovered", "outstanding"]
    assert client.post(url, headers=h["sdp"]).status_code == 409
    # the page action marks the second one; the page shows the sums
    second = r.json()["penalties"][1]["id"]
    r = client.post(f"/defense/contracts/{cid}/act", headers=h["sdp"], follow_redirects=False,
                    data={"action": "recover", "penalty_id": str(second),
                          "recovered_on": "2025-06-09"})
    assert r.status_code == 303, r.text
    c = client.get(f"/api/defense/contracts/{cid}", headers=h["aud"]).json()
    assert c["penalty_sums"]["outstanding"] == "0.00" and c["value"] == "1000000.00"
    html = client.get(f"/defense/contracts/{cid}", headers=h["sdp"]).text
    assert "6200.10 ₸" in html and 'data-status="recovered"' in html


def test_lines_control_list_and_information_requests_through_the_web(site):
    client, h, clock = site
    two = [{**LINE, "quantity": "100"},
           {"item": "antenna", "quantity": "10", "unit_price": "2500.50",
            "deadline": "2026-01-15"}]
    cid = signed(client, h, clock, lines=two)
    clock.set("2025-04-01")
    r = client.post(f"/defense/contracts/{cid}/act", headers=h["sdp"], follow_redirects=False,
                    data={"action": "control_list", "items": ["radio", "antenna"]})
    assert r.status_code == 303, r.text
    client.post(f"/defense/contracts/{cid}/act", headers=h["sdp"],
                data={"action": "approve_control_list"})
    r = client.post(f"/defense/contracts/{cid}/act", headers=h["sdp"], follow_redirects=False,
                    data={"action": "information_request", "requester": "military_representatives",
                          "purpose": "actual_costs", "subject": "actual costs of the housings"})
    assert r.status_code == 303, r.text
    c = client.get(f"/api/defense/contracts/{cid}", headers=h["plant"]).json()
    assert c["control_list"]["approver"] == "sdp_body"
    req = c["information_requests"][0]
    assert (req["basis"], req["reply_by"], req["status"]) == \
        ("law-236-VI:Art 27 p.3 sub 8", None, "open")
    answer = f"/api/defense/contracts/{cid}/information-requests/{req['id']}/answer"
    assert client.post(answer, headers=h["rival"], json={"answer": "x"}).status_code == 404
    r = client.post(answer, headers=h["plant"], json={"answer": "cost statement No 4"})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = client.post(f"/api/defense/contracts/{cid}/information-requests", headers=h["sdp"],
                    json={"requester": "recipient", "purpose": "actual_costs", "subject": "x y"})
    assert r.status_code == 422 and r.json()["field"] == "purpose"
    # a lot of one line: accepted alone, the contract stays in execution
    clock.set("2025-10-07")
    r = client.post(f"/defense/contracts/{cid}/act", headers=h["sdp"], follow_redirects=False,
                    data={"action": "lot", "number": "L1", "items": ["radio"],
                          "production_complete": "1", "set_complete": "1"})
    assert r.status_code == 303, r.text
    client.post(f"/api/defense/contracts/{cid}/lots/L1/certificate", headers=h["sdp"],
                json={"certificate": "QC-1"})
    c = client.post(f"/api/defense/contracts/{cid}/lots/L1/acceptance", headers=h["sdp"]).json()
    assert c["state"] == "in_execution" and (c["lines_accepted"], c["lines_total"]) == (1, 2)
    assert [x["accepted_on"] for x in c["lines"]] == ["2025-10-07", None]
    assert c["lines"][1]["unit_price"] == "2500.50" and c["value"] == "1025005.00"
    html = client.get(f"/defense/contracts/{cid}", headers=h["sdp"]).text
    assert 'data-item="radio" data-accepted="true"' in html
    clock.set("2025-11-03")
    client.post(f"/api/defense/contracts/{cid}/lots", headers=h["sdp"], json={
        "number": "L2", "lot": {"production_complete": True, "set_complete": True}})
    client.post(f"/api/defense/contracts/{cid}/lots/L2/certificate", headers=h["sdp"],
                json={"certificate": "QC-2"})
    c = client.post(f"/api/defense/contracts/{cid}/lots/L2/acceptance", headers=h["sdp"]).json()
    assert c["state"] == "accepted"
    assert [t for t in c["terms"] if t["term"] == "pay"][0]["due"] == "2025-12-03"


def test_search_and_csv_export_never_go_above_the_clearance(site):
    client, h, clock = site
    secret = create(client, h["sdp"], secrecy_level=2, subject="Top secret radar")["id"]
    plain = create(client, h["sdp"], subject="=HYPERLINK(\"x\") field radios")["id"]
    r = client.get("/api/defense/contracts", params={"q": "radar"}, headers=h["plant"])
    assert r.status_code == 200 and r.json() == []
    r = client.get("/api/defense/contracts", params={"q": "radar"}, headers=h["sdp"])
    assert [x["id"] for x in r.json()] == [secret] and r.json()[0]["value"] == "1000000.00"
    r = client.get("/api/defense/contracts", params={"state": "nowhere"}, headers=h["sdp"])
    assert r.status_code == 422 and r.json()["field"] == "state"
    low = client.get("/api/defense/contracts.csv", headers=h["plant"])
    assert low.status_code == 200 and low.headers["content-type"].startswith("text/csv")
    assert low.text.startswith("# UNCLASSIFIED") and "radar" not in low.text
    assert "'=HYPERLINK" in low.text and f"\n{plain}," in low.text
    high = client.get("/api/defense/contracts.csv", params={"q": "radar"}, headers=h["sdp"])
    assert high.text.startswith("# TOP SECRET") and "Top secret radar" in high.text
    assert "1000000.00" in high.text and f"\n{plain}," not in high.text
    page = client.get("/defense/contracts", params={"q": "radar"}, headers=h["plant"])
    assert page.status_code == 200 and f'data-id="{secret}"' not in page.text
    assert client.get("/defense/contracts.csv", headers=h["plant"]).text == low.text
    with unit_of_work() as s:
        exports = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "defense.contracts.exported")).all()
        assert [(e.actor, e.payload["secrecy_level"]) for e in exports] == \
            [("plant", 0), ("sdp", 2), ("plant", 0)]
        reads = [(e.actor, e.payload["what"]) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action == "defense.classified_read"))]
        assert ("sdp", f"contracts export: {secret}") in reads
        assert all(actor == "sdp" for actor, _ in reads)
