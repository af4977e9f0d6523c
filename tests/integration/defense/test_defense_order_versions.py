"""The approved order after approval (Law 236-VI), over HTTP on SQLite and PostgreSQL: the
approved order stays as approved (Art 19 p.4); a later Government act amends it as a new
dated version (Art 23 p.1 sub 2) with its history readable and the version in force on a
date; a line's contract is opened from the version in force, with the act that set the
line (Art 22 p.5) and the party `competence` names (Art 22 p.1; Art 31 p.2); secrecy of
the versions (Art 25 sub 3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from kzreg.defense.contracts_models import DefenseContract
from kzreg.defense.order_service import order_version_on
from kzreg.defense.version_service import contract_party
from kzreg.platform import audit
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
ALPHA, BETA, GAMMA = make_bin("1501", "20011"), make_bin("1602", "20023"), make_bin(
    "1703", "20035")
API = "/api/defense"
D = dt.date


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def competition(winner: str, on: str = "2025-05-20") -> dict:
    """The register competition of an added line, its envelope opening recorded."""
    members = ["chair", "member"]
    return {"held_on": on, "participants": [winner], "winner": winner,
            "opening": {"held_on": on, "members": members, "signed_by": members,
                        "envelopes": [winner], "audio_ref": "a-1", "video_ref": "v-1"}}


@pytest.fixture
def site(db):
    with unit_of_work() as s:
        create_user(s, "top", "defense_officer", PW, clearance=2)
        create_user(s, "low", "defense_officer", PW, clearance=1)
        create_user(s, "admin", "admin", PW)
        create_user(s, "alpha", "contractor", PW, bin=ALPHA, clearance=1)
        tokens = {n: issue_token(s, n) for n in ("top", "low", "admin", "alpha")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    h = {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}
    for bin_, name, owners in ((ALPHA, "Alpha LLP", []), (BETA, "Beta LLP", []),
                               (GAMMA, "Gamma LLP", [{"name": "Holding", "legal_entity": True,
                                                      "jurisdiction": "XA"}])):
        r = client.post(f"{API}/register", headers=h["top"], json={
            "entity": {"bin": bin_, "name": name, "production_facilities_in_kz": True,
                       "owners": owners},
            "kinds": ["producer"], "categories": ["1"], "included_on": "2024-01-10",
            "decision": "decision 1"})
        assert r.status_code == 201, r.text
    assert client.post(f"{API}/offshore-lists", headers=h["admin"], json={
        "id": "t-1", "approved_by": "test act", "effective_from": "2024-01-01",
        "jurisdictions": ["XA"]}).status_code == 201
    return client, h


def approved_order(client, h, *, funds: str = "sdp_body", secret_line: bool = False) -> dict:
    """An order of two lines (ALPHA: carriers, BETA: trucks) approved on 2025-03-03."""
    off = h["top"]
    oid = client.post(f"{API}/orders", headers=off, json={
        "title": "Order 2025", "planning_period": "2025-2027", "recipients": ["MoD"],
        "contractors": [ALPHA, BETA], "funds_holder": funds}).json()["id"]
    ids = []
    for name, bin_, qty, price, level in (
            ("Armoured carrier", ALPHA, 10, "250000", 0),
            ("Radar set" if secret_line else "Staff truck", BETA, 4, "1000000",
             2 if secret_line else 0)):
        r = client.post(f"{API}/orders/{oid}/lines", headers=off, json={
            "nomenclature": name, "category": "1", "quantity": qty, "unit_price": price,
            "recipient": "MoD", "contractor_bin": bin_, "deadline": "2025-12-01",
            "section": "Armament", "stage": "2025", "secrecy_level": level})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = client.post(f"{API}/orders/{oid}/approval", headers=off,
                    json={"act_number": "Decree 1", "act_date": "2025-03-03"})
    assert r.status_code == 200, r.text
    return {"id": oid, "carrier": f"L{ids[0]}", "second": f"L{ids[1]}"}


def test_amendment_is_a_new_version_the_approved_one_stays(site) -> None:
    client, h = site
    off, o = h["top"], approved_order(*site)
    oid = o["id"]
    url = f"{API}/orders/{oid}/amendments"
    # a contract modified on an Art 23 p.2 ground leaves the approved order as it is
    r = client.post(url, headers=off, json={"reason": "more carriers",
                                            "contract_ground": "quantity_change",
                                            "changes": [{"ref": o["carrier"], "quantity": 12}]})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 19 p.4"
    assert client.post(url, headers=off, json={"reason": "nothing"}).status_code == 422
    bad = client.post(url, headers=off, json={"reason": "x", "changes": [
        {"ref": o["carrier"], "quantity": "-1"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "changes[0].quantity"
    r = client.post(url, headers=off, json={
        "reason": "Government act: more carriers, a new item",
        "changes": [{"ref": o["carrier"], "quantity": 12}],
        "additions": [{"nomenclature": "Recovery vehicle", "category": "1", "quantity": 2,
                       "unit_price": "300000", "deadline": "2026-03-01", "recipient": "MoD",
                       "selection": competition(BETA), "section": "Armament",
                       "stage": "2026"}]})
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 2
    # one draft at a time
    assert client.post(url, headers=off, json={"reason": "again", "changes": [
        {"ref": o["carrier"], "quantity": 13}]}).status_code == 409
    assert client.get(f"{url}/2/check", headers=off).json()["complete"] is True
    early = client.post(f"{url}/2/approval", headers=off,
                        json={"act_number": "Decree 2", "act_date": "2025-03-02"})
    assert early.status_code == 422 and early.json()["field"] == "act_date"
    ok = client.post(f"{url}/2/approval", headers=off,
                     json={"act_number": "Decree 2", "act_date": "2025-06-02"})
    assert ok.status_code == 200, ok.text
    history = ok.json()["versions"]
    assert [(v["number"], v["act_number"], v["in_force"]) for v in history] == [
        (1, "Decree 1", False), (2, "Decree 2", True)]
    assert history[0]["total"] == "6500000" and history[1]["total"] == "7600000"
    assert {c["ref"]: c["change"] for c in history[1]["changes"]} == {
        o["carrier"]: "changed", "V2-1": "added"}
    # the approved order itself is as approved, and approved versions are never edited
    assert client.get(f"{API}/orders/{oid}", headers=off).json()["lines"][0]["quantity"] == "10"
    assert client.delete(f"{url}/2", headers=off).json()["basis"]["locator"] == "Art 19 p.4"
    assert client.post(f"{url}/2/approval", headers=off, json={
        "act_number": "Decree 3", "act_date": "2025-06-03"}).status_code == 409
    # which version applied on a date
    r = client.get(f"{API}/orders/{oid}/versions/applicable?on=2025-05-31", headers=off).json()
    assert r["number"] == 1 and r["lines"][0]["quantity"] == "10"
    assert client.get(f"{API}/orders/{oid}/versions/applicable?on=2025-03-02",
                      headers=off).status_code == 422
    with unit_of_work() as s:
        assert order_version_on(s, oid, D(2025, 3, 2)) is None
        v1 = order_version_on(s, oid, D(2025, 6, 1))
        v2 = order_version_on(s, oid, D(2025, 6, 2))
        assert (v1.number, v1.line(o["carrier"]).quantity) == (1, Decimal(10))
        assert (v2.number, v2.line(o["carrier"]).quantity, v2.total) == (
            2, Decimal(12), Decimal(7600000))
        assert v2.act_of(v2.line(o["carrier"])) == ("Decree 2", D(2025, 6, 2))
        assert v2.act_of(v2.line(o["second"])) == ("Decree 1", D(2025, 3, 3))
        actions = [e.action for e in audit.entries(s, limit=100)]
    assert "defense.order_amendment_drafted" in actions and "defense.order_amended" in actions
    # an added line's winner passes the offshore gate in its selection (Art 20 p.10)
    boat = {"nomenclature": "Boat", "category": "1", "quantity": 1, "unit_price": "5",
            "deadline": "2026-03-01", "recipient": "MoD", "section": "Navy", "stage": "2026"}
    r = client.post(url, headers=off, json={"reason": "offshore", "additions": [
        {**boat, "selection": competition(GAMMA)}]})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 20 p.10"
    assert r.json()["field"] == "additions[0].selection.competition.winner"
    # a draft order is edited, not amended
    draft = client.post(f"{API}/orders", headers=off, json={
        "title": "d", "planning_period": "2026-2028"}).json()["id"]
    r = client.post(f"{API}/orders/{draft}/amendments", headers=off, json={
        "reason": "x", "allocated_funds": "1"})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 23 p.1 sub 2"


def test_contract_opened_from_the_line_in_force(site) -> None:
    client, h = site
    off, o = h["top"], approved_order(*site)
    oid = o["id"]
    client.post(f"{API}/orders/{oid}/amendments", headers=off, json={
        "reason": "more", "changes": [{"ref": o["carrier"], "quantity": 12}]})
    client.post(f"{API}/orders/{oid}/amendments/2/approval", headers=off,
                json={"act_number": "Decree 2", "act_date": "2025-06-02"})
    r = client.post(f"{API}/orders/{oid}/lines/{o['carrier']}/contract", headers=off, json={})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["version"], made["act_number"], made["act_adopted_on"]) == (
        2, "Decree 2", "2025-06-02")
    # before Law 211-VIII the authorised body concluded it (inferred, Art 31 p.2)
    assert made["contract_party"]["body"] == "authorised_body"
    assert made["contract_party"]["party"] == "sdp_body"
    again = client.post(f"{API}/orders/{oid}/lines/{o['carrier']}/contract", headers=off)
    assert again.status_code == 409 and again.json()["field"] == "ref"
    truck = client.post(f"{API}/orders/{oid}/lines/{o['second']}/contract", headers=off,
                        json={"mro_at_contractor": False}).json()
    assert truck["act_adopted_on"] == "2025-03-03"
    with unit_of_work() as s:
        c = s.get(DefenseContract, made["contract"])
        assert (c.order_ref, c.subject, c.contractor_bin, c.contractor_name, c.recipient) == (
            "Decree 2", "Armoured carrier", ALPHA, "Alpha LLP", "MoD")
        assert Decimal(c.value) == Decimal(3000000) and c.act_adopted_on == D(2025, 6, 2)
        assert c.order_item_ref == f"order {oid} {o['carrier']}"
        assert s.get(DefenseContract, truck["contract"]).mro_at_contractor is False
    # the contract side reads it back; an auditor or contractor may not open contracts
    assert client.get(f"{API}/contracts/{made['contract']}", headers=off).status_code == 200
    assert client.post(f"{API}/orders/{oid}/lines/{o['carrier']}/contract",
                       headers=h["alpha"]).status_code == 403
    assert client.post(f"{API}/orders/{oid}/lines/L99999/contract",
                       headers=off).status_code == 404


def test_contract_party_by_funds_and_date() -> None:
    assert contract_party(D(2025, 3, 3), "recipient")["party"] == "recipient"
    late = contract_party(D(2025, 9, 1), "sdp_body")
    assert (late["body"], late["party"]) == ("sdp_body", "sdp_body")
    transitional = contract_party(D(2020, 6, 1), "sdp_body")
    assert transitional["basis"].locator == "Art 31 p.2"


def test_versions_keep_secrets(site) -> None:
    client, h = site
    o = approved_order(*site, secret_line=True)
    oid, low = o["id"], h["low"]
    r = client.post(f"{API}/orders/{oid}/amendments", headers=h["top"], json={
        "reason": "radar deadline", "changes": [{"ref": o["second"], "deadline": "2026-01-15"}]})
    assert r.status_code == 201
    client.post(f"{API}/orders/{oid}/amendments/2/approval", headers=h["top"],
                json={"act_number": "Decree 2", "act_date": "2025-06-02"})
    text = client.get(f"{API}/orders/{oid}/versions", headers=low).text
    assert "Radar" not in text and "2026-01-15" not in text and "1000000" not in text
    view = client.get(f"{API}/orders/{oid}/versions", headers=low).json()
    assert all(v["total"] == "[withheld: classified]" for v in view["versions"])
    # the hidden line is "not found" for changes and contracts alike
    for r in (client.post(f"{API}/orders/{oid}/amendments", headers=low, json={
                  "reason": "x", "changes": [{"ref": o["second"], "quantity": 1}]}),
              client.post(f"{API}/orders/{oid}/lines/{o['second']}/contract", headers=low)):
        assert r.status_code == 404 and "Radar" not in r.text
    # the contractor sees only its own line, and no total
    mine = client.get(f"{API}/orders/{oid}/versions", headers=h["alpha"]).json()
    assert {ln["ref"] for v in mine["versions"] for ln in v["lines"]} == {o["carrier"]}
    client.get(f"{API}/orders/{oid}/versions", headers=h["top"])
    with unit_of_work() as s:
        reads = [e for e in audit.entries(s, limit=100) if e.action == "defense.classified_read"]
    assert reads[-1].actor == "top" and reads[-1].payload["level"] == 2
    # a classified contract comes out at the line's level
    made = client.post(f"{API}/orders/{oid}/lines/{o['second']}/contract", headers=h["top"])
    assert made.status_code == 201, made.text
    assert client.get(f"{API}/contracts/{made.json()['contract']}", headers=low).status_code \
        == 404


def test_added_line_falls_back_to_the_authorized_organization(site) -> None:
    """A line an amendment adds runs the Art 20 cascade: no register bid, so the authorized
    organization (p.5); one it cannot supply is not added (p.6)."""
    client, h = site
    off, o = h["top"], approved_order(*site)
    url = f"{API}/orders/{o['id']}/amendments"
    ao = {"bin": make_bin("0303", "10219"), "name": "Authorized Organization JSC"}
    line = {"nomenclature": "Bridge layer", "category": "1", "quantity": 1,
            "unit_price": "900000", "deadline": "2026-03-01", "recipient": "MoD",
            "section": "Armament", "stage": "2026"}
    r = client.post(url, headers=off, json={"reason": "x", "additions": [{**line, "selection": {
        "held_on": "2025-05-20", "authorized_organization": ao,
        "ao_can_supply": False}}]})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 20 p.6"
    r = client.post(url, headers=off, json={"reason": "bridge layer", "additions": [
        {**line, "selection": {"held_on": "2025-05-20", "authorized_organization": ao}}]})
    assert r.status_code == 201, r.text
    draft = client.get(f"{API}/orders/{o['id']}/versions", headers=off).json()["versions"][1]
    added = next(ln for ln in draft["lines"] if ln["ref"] == "V2-1")
    assert (added["contractor_bin"], added["selection"]["outcome"]) == (
        ao["bin"], "authorized_organization")
    assert client.post(f"{url}/2/approval", headers=off, json={
        "act_number": "Decree 2", "act_date": "2025-06-02"}).status_code == 200
    made = client.post(f"{API}/orders/{o['id']}/lines/V2-1/contract", headers=off, json={})
    assert made.status_code == 201, made.text
    with unit_of_work() as s:
        assert s.get(DefenseContract, made.json()["contract"]).contractor_name == ao["name"]


def test_reallocation_of_funds_is_a_version_decided_by_the_funds_body(site) -> None:
    """Art 6-1 sub 16, Art 25 sub 11: on a closed list of grounds, within the limits
    allocated for the planning period, quantities and prices only; the lines keep the act
    that set them (Art 22 p.5)."""
    client, h = site
    off = h["top"]
    o = approved_order(client, h, funds="recipient")
    oid = o["id"]
    url = f"{API}/orders/{oid}/amendments"
    cheaper = [{"ref": o["carrier"], "unit_price": "200000"}]
    r = client.post(url, headers=off, json={"kind": "reallocation", "reason": "x",
                                            "changes": cheaper})
    assert r.status_code == 422 and r.json()["field"] == "trigger"
    # the order states no allocated funds: the limits are unknown
    r = client.post(url, headers=off, json={"kind": "reallocation", "trigger": "savings",
                                            "reason": "x", "changes": cheaper})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 6-1 sub 16"
    funds = client.post(url, headers=off, json={"reason": "funds", "allocated_funds": "6600000"})
    assert funds.status_code == 201
    assert client.post(f"{url}/2/approval", headers=off, json={
        "act_number": "Decree 2", "act_date": "2025-04-01"}).status_code == 200
    for bad, locator in (({"additions": [], "allocated_funds": "9"}, "Art 6-1 sub 16"),
                         ({"changes": [{"ref": o["carrier"], "deadline": "2026-01-01"}]},
                          "Art 6-1 sub 16"),
                         ({"changes": [{"ref": o["second"], "quantity": 5}]},   # 7.5 mln
                          "Art 6-1 sub 16")):
        r = client.post(url, headers=off, json={"kind": "reallocation", "trigger": "savings",
                                                "reason": "x", "changes": cheaper, **bad})
        assert r.status_code == 409 and r.json()["basis"]["locator"] == locator, r.text
    r = client.post(url, headers=off, json={"kind": "reallocation", "trigger":
                                            "ao_cannot_supply", "reason": "x",
                                            "changes": cheaper})
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 20 p.6"
    # savings on the carriers fund one more truck: 2.0 + 5.0 = 7.0 mln > 6.6 — refused;
    # 2.0 + 4.0 + 0.5 (price) within 6.6 — allowed
    r = client.post(url, headers=off, json={
        "kind": "reallocation", "trigger": "savings", "reason": "savings on the carriers",
        "changes": [*cheaper, {"ref": o["second"], "unit_price": "1100000"}]})
    assert r.status_code == 201, r.text
    done = client.post(f"{url}/3/approval", headers=off, json={
        "act_number": "Decision of the recipient 7", "act_date": "2025-07-01"})
    assert done.status_code == 200, done.text
    v3 = done.json()["versions"][-1]
    assert (v3["kind"], v3["trigger"], v3["deciding_body"], v3["in_force"]) == (
        "reallocation", "savings", "recipient", True)
    assert v3["total"] == "6400000"
    with unit_of_work() as s:
        v = order_version_on(s, oid, D(2025, 7, 1))
        assert v.act_of(v.line(o["carrier"])) == ("Decree 1", D(2025, 3, 3))
        actions = [e.action for e in audit.entries(s, limit=100)]
    assert "defense.order_reallocated" in actions


def test_tasks_communicated_to_contractors(site) -> None:
    """Art 6-1 sub 13 / Art 25 sub 4: what was sent, when, by whom; each contractor reads
    its own within its clearance; a changed line is communicated again."""
    client, h = site
    off = h["top"]
    o = approved_order(client, h, secret_line=True)
    oid, task = o["id"], f"{API}/orders/{o['id']}/lines/{{}}/task"
    letter = {"communicated_on": "2025-03-10", "document_ref": "Letter 1"}
    early = client.post(task.format(o["carrier"]), headers=off,
                        json={**letter, "communicated_on": "2025-03-01"})
    assert early.status_code == 409 and early.json()["basis"]["locator"] == "Art 6-1 sub 13"
    r = client.post(task.format(o["carrier"]), headers=off, json=letter)
    assert r.status_code == 201, r.text
    sent = r.json()
    assert (sent["contractor_bin"], sent["communicated_by"], sent["version"]) == (
        ALPHA, "authorised_body", 1)     # before Law 211-VIII (inferred)
    assert sent["contents"]["quantity"] == "10" and sent["contents"]["act_number"] == "Decree 1"
    assert client.post(task.format(o["carrier"]), headers=off, json=letter).status_code == 409
    assert client.post(task.format(o["second"]), headers=h["low"],
                       json=letter).status_code == 404       # a line above the clearance
    assert client.post(task.format(o["second"]), headers=off, json=letter).status_code == 201
    # the contractor sees its task, not BETA's secret one; the low officer not the secret one
    mine = client.get(f"{API}/tasks", headers=h["alpha"]).json()["tasks"]
    assert [t["line_ref"] for t in mine] == [o["carrier"]]
    assert [t["line_ref"] for t in client.get(f"{API}/tasks", headers=h["low"]).json()[
        "tasks"]] == [o["carrier"]]
    assert len(client.get(f"{API}/tasks?order_id={oid}", headers=off).json()["tasks"]) == 2
    # an amendment changing the carriers: communicated again as version 2 set it
    client.post(f"{API}/orders/{oid}/amendments", headers=off, json={
        "reason": "more", "changes": [{"ref": o["carrier"], "quantity": 12}]})
    client.post(f"{API}/orders/{oid}/amendments/2/approval", headers=off,
                json={"act_number": "Decree 2", "act_date": "2025-06-02"})
    again = client.post(task.format(o["carrier"]), headers=off,
                        json={"communicated_on": "2025-06-05", "document_ref": "Letter 2"})
    assert again.status_code == 201 and again.json()["contents"]["quantity"] == "12"
    page = client.get("/defense/tasks", headers=h["alpha"]).text
    assert "Letter 2" in page and "Radar set" not in page
    with unit_of_work() as s:
        actions = [e.action for e in audit.entries(s, limit=100)]
    assert actions.count("defense.task_communicated") == 3
    assert "defense.classified_read" in actions
