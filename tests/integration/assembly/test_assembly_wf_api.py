"""The agreement workflow through the HTTP API, on SQLite and PostgreSQL.

Order 493 R §13-17 (review, visit, draft, deemed refusal, registration), R §26 (letter),
Std §6(2) (two inspections a year), Std §7 / Law 86-VII Art 62(4) (remedy period by the
act in force on the notice date), R §21-22 (termination, reimbursement). Time is the
service's clock, set per step; the worker runs with `now`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from kzreg.assembly import service
from kzreg.law.calendar import ALMATY
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.platform.worker import run_once
from kzreg.web import create_app

PW = "correct horse battery"
BIN = "150340012340"
BIN2 = "180840045211"
DOCS = [d["id"] for d in service.checklist_for("new_entrant")["documents"]]
SCHEDULE = [{"feacn_code": "8703", "vehicle_name": "Sedan X",
             "operations": "welding, painting with cataphoresis, assembly of the body",
             "deadline": "from the conclusion"}]


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2021, 2, 1, 10, tzinfo=ALMATY)
        monkeypatch.setattr(service, "now_utc", lambda: self.now.astimezone(dt.UTC))

    def set(self, day: str, hour: int = 10) -> None:
        self.now = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


@pytest.fixture
def site(db, monkeypatch):
    with unit_of_work() as s:
        create_user(s, "maker", "manufacturer", PW, bin=BIN)
        create_user(s, "maker2", "manufacturer", PW, bin=BIN2)
        create_user(s, "officer", "industry_officer", PW)
        tokens = {n: issue_token(s, n) for n in ("maker", "maker2", "officer")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}, \
        Clock(monkeypatch)


def due(case: dict, name: str) -> str:
    """The last Almaty day of the running deadline `name`."""
    found = [d for d in case["deadlines"] if d["name"] == name]
    assert found, (name, case["state"], case["deadlines"])
    last = dt.datetime.fromisoformat(found[0]["due_at"]).astimezone(ALMATY) \
        - dt.timedelta(microseconds=1)
    return last.date().isoformat()


def apply(client, who, **extra) -> dict:
    body = {"route": "new_entrant", "vehicle": "car", "feacn_code": "8703",
            "vehicle_name": "Sedan X", "company": "Steppe Motors LLP", "documents": DOCS,
            "claims": [{"item": "1"}, {"item": "8.1", "origin": "KZ"},
                       {"item": "8.4", "origin": "CN", "incompatibility_documented": True}],
            **extra}
    r = client.post("/api/assembly/agreements", json=body, headers=who)
    assert r.status_code == 201, r.text
    return r.json()


def act(client, who, case_id, transition, body=None, status=200) -> dict:
    r = client.post(f"/api/assembly/agreements/{case_id}/actions/{transition}",
                    json=body or {}, headers=who)
    assert r.status_code == status, r.text
    return r.json()


def test_whole_path_from_request_to_termination(site):
    client, h, clock = site
    # R §13: request received Mon 2021-02-01, decision due Mon 2021-02-15 (A-T11)
    case = apply(client, h["maker"])
    cid = case["id"]
    assert case["state"] == "review" and due(case, "review") == "2021-02-15"
    # R §13 ¶2: notice Wed 02-03, visit Fri 02-05 is too early; Mon 02-08 is fine
    clock.set("2021-02-03")
    refused = act(client, h["officer"], cid, "schedule_visit", {"visit_on": "2021-02-05"}, 409)
    assert refused["basis"]["locator"] == "R §13 ¶2"
    case = act(client, h["officer"], cid, "schedule_visit", {"visit_on": "2021-02-08"})
    assert case["state"] == "site_visit" and case["deadlines"] == []   # the clock is paused
    assert case["data"]["review_clock"]["used"] == 1                    # Tue 02-02
    clock.set("2021-02-08", 16)
    case = act(client, h["officer"], cid, "visit_held", {"held_on": "2021-02-08"})
    assert due(case, "minutes") == "2021-02-11"                         # 3 working days
    clock.set("2021-02-10")
    case = act(client, h["officer"], cid, "send_minutes", {"findings": "documents accurate"})
    assert case["state"] == "review" and due(case, "review") == "2021-02-23"  # 9 days left
    # R §14-15: draft received Tue 02-16; ten working days to sign: Tue 03-02 (A-T12)
    clock.set("2021-02-16")
    case = act(client, h["officer"], cid, "send_draft", {"schedule": SCHEDULE})
    assert due(case, "sign") == "2021-03-02"
    act(client, h["officer"], cid, "sign", status=403)                 # the maker signs
    clock.set("2021-02-26")
    case = act(client, h["maker"], cid, "sign")
    assert case["state"] == "signed" and due(case, "register") == "2021-03-05"  # R §17
    # R §17, Std §19, R §26: registered, valid 20 years, the Letter of Confirmation
    clock.set("2021-03-01")
    case = act(client, h["officer"], cid, "register", {"registration_number": "IA-21/001"})
    assert case["state"] == "active"
    assert case["data"]["concluded_on"] == "2021-03-01"
    assert case["data"]["valid_until"] == "2041-03-01"
    [letter] = case["letters"]
    assert letter["total"] in ("3750", "3750.00") and letter["threshold"] == 3000
    assert letter["meets_threshold"] is True and letter["basis"] == "order-493:R §26"
    r = client.post(f"/api/assembly/agreements/{cid}/documents",
                    json={"kind": "letter", "language": "kk"}, headers=h["maker"])
    assert r.status_code == 201, r.text
    pdf = client.get(r.json()["url"], headers=h["maker"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(r.json()["url"], headers=h["maker2"]).status_code == 404
    # Std §6(2): at most two on-site inspections a calendar year
    for day in ("2021-06-01", "2021-09-01"):
        clock.set(day)
        act(client, h["officer"], cid, "inspect", {"held_on": day, "findings": "ok"})
        case = act(client, h["officer"], cid, "send_opinion", {"opinion": "performed"})
    clock.set("2021-11-01")
    third = act(client, h["officer"], cid, "inspect", {"held_on": "2021-11-01"}, 409)
    assert third["basis"]["locator"] == "Std §6(2) (Ch. 2)"
    # Std §7: a notice of 2021-10-01 (Order 493) gives one month: 2021-11-01
    clock.set("2021-10-01")
    case = act(client, h["officer"], cid, "notify_violation",
               {"violations": ["item 8.4 battery not used in all models"]})
    assert case["state"] == "remedy_month" and due(case, "remedy") == "2021-11-01"
    clock.set("2021-10-20")
    act(client, h["maker"], cid, "report_elimination",
        {"eliminated_on": "2021-10-19", "documents": ["supply contract 17/2021"]})
    case = act(client, h["officer"], cid, "accept_elimination", {"note": "remedied"})
    assert case["state"] == "active"
    clock.set("2022-01-20")   # a new year: inspections allowed again
    act(client, h["officer"], cid, "inspect", {"held_on": "2022-01-20"})
    act(client, h["officer"], cid, "send_opinion", {"opinion": "performed"})
    clock.set("2022-03-01")
    case = act(client, h["officer"], cid, "record_benefit",
               {"granted_on": "2022-02-15", "kind": "investment preference",
                "amount": "1250000.50"})
    assert case["benefits"]["total"] == "1250000.50"
    # Law 86-VII Art 62(4): a notice of 2026-01-15 gives three months: 2026-04-15
    clock.set("2026-01-15")
    case = act(client, h["officer"], cid, "notify_violation",
               {"violations": ["threshold of period 2 not reached"]})
    assert case["state"] == "remedy_three_months" and due(case, "remedy") == "2026-04-15"
    assert case["events"][-1]["basis"] == "law-86-VII:Art 62(4)"
    # not remedied: at the end of 2026-04-15 the worker moves the case by itself
    assert run_once(now=dt.datetime(2026, 4, 15, 23, 59, tzinfo=ALMATY)) >= 0
    assert client.get(f"/api/assembly/agreements/{cid}",
                      headers=h["officer"]).json()["state"] == "remedy_three_months"
    run_once(now=dt.datetime(2026, 4, 16, 0, 0, tzinfo=ALMATY))
    case = client.get(f"/api/assembly/agreements/{cid}", headers=h["officer"]).json()
    assert case["state"] == "unremedied"
    # Std §9(2), R §21: 30 working days' notice, then terminated with reimbursement (R §22)
    clock.set("2026-04-20")
    case = act(client, h["officer"], cid, "notice_termination",
               {"ground": "unremedied_violations", "reasons": "violations not eliminated"})
    # 30 working days skip 1, 7 and 11 May (Victory Day observed) and 27 May (Kurban ait)
    assert case["state"] == "termination_noticed" and due(case, "termination") == "2026-06-05"
    run_once(now=dt.datetime(2026, 6, 6, 0, 0, tzinfo=ALMATY))
    case = client.get(f"/api/assembly/agreements/{cid}", headers=h["officer"]).json()
    assert case["state"] == "reimbursement_due"
    clock.set("2026-06-12")
    case = act(client, h["officer"], cid, "record_reimbursement",
               {"amount": "1250000.50", "paid_on": "2026-06-09"})
    assert case["state"] == "terminated"
    bases = [e["basis"] for e in case["events"]]
    assert "order-493:R §16" not in bases and "order-493:R §22" in bases


def test_deemed_refusal_fires_at_the_due_time(site):
    client, h, clock = site
    cid = apply(client, h["maker"])["id"]
    clock.set("2021-02-16")
    case = act(client, h["officer"], cid, "send_draft", {"schedule": SCHEDULE})
    assert due(case, "sign") == "2021-03-02"
    run_once(now=dt.datetime(2021, 3, 2, 23, 59, tzinfo=ALMATY))      # still in time
    assert client.get(f"/api/assembly/agreements/{cid}",
                      headers=h["maker"]).json()["state"] == "draft_sent"
    clock.set("2021-03-03", 9)                # too late, even before the worker ran
    late = act(client, h["maker"], cid, "sign", status=409)
    assert "too late" in late["detail"]
    run_once(now=dt.datetime(2021, 3, 3, 9, tzinfo=ALMATY))
    case = client.get(f"/api/assembly/agreements/{cid}", headers=h["maker"]).json()
    assert case["state"] == "deemed_refused"
    event = case["events"][-1]
    assert event["transition"] == "deemed_refused" and event["basis"] == "order-493:R §15-16"
    assert dt.datetime.fromisoformat(event["at"]) == dt.datetime(2021, 3, 3, tzinfo=ALMATY)


def test_deadlines_skip_kazakh_holidays(site):
    client, h, clock = site
    clock.set("2021-03-15")          # Nauryz: 21-24 March 2021 (the 21st a Sunday)
    case = apply(client, h["maker"])
    assert due(case, "review") == "2021-04-01"
    clock.set("2021-12-10")          # Independence Day: 16-17 December 2021
    case = act(client, h["officer"], case["id"], "send_draft", {"schedule": SCHEDULE})
    assert due(case, "sign") == "2021-12-28"
    trace = case["deadlines"][0]
    assert trace["citation"] == "order-493:R §15-16"


def test_scopes_and_roles(site):
    client, h, clock = site
    cid = apply(client, h["maker"])["id"]
    apply(client, h["maker2"], company="Altyn Machinery LLP")
    assert client.get(f"/api/assembly/agreements/{cid}", headers=h["maker2"]).status_code == 404
    act(client, h["maker2"], cid, "sign", status=404)
    act(client, h["maker"], cid, "send_draft", {"schedule": SCHEDULE}, status=403)
    mine = client.get("/api/assembly/agreements", headers=h["maker"]).json()
    assert [a["bin"] for a in mine] == [BIN]
    assert len(client.get("/api/assembly/agreements", headers=h["officer"]).json()) == 2
    assert client.get("/api/assembly/queue", headers=h["maker"]).status_code == 403
    queue = client.get("/api/assembly/queue", headers=h["officer"]).json()
    assert [q["deadline"]["name"] for q in queue] == ["review", "review"]
    # a manufacturer cannot file for another BIN: the case names the caller's own BIN
    other = apply(client, h["maker"], bin=BIN2)
    assert other["bin"] == BIN


def test_refusal_needs_a_real_ground_and_reasons(site):
    client, h, clock = site
    cid = apply(client, h["maker"])["id"]
    wrong = act(client, h["officer"], cid, "refuse",
                {"grounds": ["incomplete_package"], "reasons": "missing papers"}, 409)
    assert wrong["basis"]["locator"] == "R §18(1)"
    act(client, h["officer"], cid, "refuse", {"grounds": ["inaccurate_documents"]}, 422)
    case = act(client, h["officer"], cid, "refuse",
               {"grounds": ["inaccurate_documents"], "reasons": "type approval forged"})
    assert case["state"] == "refused" and case["events"][-1]["basis"] == "order-493:R §18"
    incomplete = apply(client, h["maker"], documents=["request"])
    blocked = act(client, h["officer"], incomplete["id"], "send_draft",
                  {"schedule": SCHEDULE}, 409)
    assert blocked["basis"]["locator"] == "R §18(1)"


def test_score_endpoint_matches_the_appendix(site):
    client, h, clock = site
    r = client.post("/api/assembly/score", headers=h["maker"], json={
        "vehicle": "car", "claims": [
            {"item": "8.1", "origin": "KZ"},
            {"item": "8.4", "origin": "CN", "incompatibility_documented": True}]})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 750                       # A-T1: 500 + 500 × 0.5
    bad = client.post("/api/assembly/score", headers=h["maker"],
                      json={"vehicle": "tank", "claims": []})
    assert bad.status_code == 422 and bad.json()["field"]
