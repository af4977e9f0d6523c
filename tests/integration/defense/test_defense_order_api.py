"""The order over HTTP (Law 236-VI), on SQLite and PostgreSQL: a recipient's need becomes an
approved order through the register, the selection cascade and the content check; the
approved order refuses edits (Art 19 p.4); roles; who acts; the offshore lists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kzreg.platform import audit
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
ALPHA, BETA, GAMMA = make_bin("1501", "20011"), make_bin("1602", "20023"), make_bin(
    "1703", "20035")
API = "/api/defense"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def site(db):
    with unit_of_work() as s:
        create_user(s, "officer", "defense_officer", PW, clearance=2)
        create_user(s, "admin", "admin", PW)
        create_user(s, "auditor", "auditor", PW)
        create_user(s, "maker", "manufacturer", PW, bin=make_bin("1503", "01234"))
        create_user(s, "alpha", "contractor", PW, bin=ALPHA, clearance=1)
        tokens = {n: issue_token(s, n) for n in ("officer", "admin", "auditor", "maker",
                                                  "alpha")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    return client, {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}


def entity(bin_: str, name: str, **kw) -> dict:
    return {"bin": bin_, "name": name, "production_facilities_in_kz": True, **kw}


def test_need_becomes_an_approved_order(site) -> None:
    client, h = site
    off = h["officer"]
    for bin_, name, extra in ((ALPHA, "Alpha LLP", {}), (BETA, "Beta LLP", {}),
                              (GAMMA, "Gamma LLP", {"owners": [
                                  {"name": "Holding", "legal_entity": True,
                                   "jurisdiction": "XA"}]})):
        r = client.post(f"{API}/register", headers=off, json={
            "entity": entity(bin_, name, **extra), "kinds": ["producer"], "categories": ["1"],
            "included_on": "2024-01-10", "decision": "decision 1"})
        assert r.status_code == 201, r.text
    refused = client.post(f"{API}/register", headers=off, json={
        "entity": entity(make_bin("1804", "20047"), "Foreign", resident=False),
        "kinds": ["producer"], "categories": ["1"], "included_on": "2024-01-10",
        "decision": "d"})
    assert refused.status_code == 422 and "Art 1 sub" in refused.json()["basis"]["locator"]
    # the offshore list: an administrator loads it, the officer may not
    zones = {"id": "t-1", "approved_by": "test act", "effective_from": "2024-01-01",
             "jurisdictions": ["XA"]}
    assert client.post(f"{API}/offshore-lists", headers=off, json=zones).status_code == 403
    assert client.post(f"{API}/offshore-lists", headers=h["admin"], json=zones).status_code \
        == 201
    gate = client.post(f"{API}/offshore-check", headers=off,
                       json={"on": "2025-02-01", "bin": GAMMA}).json()
    assert gate["value"] == "ineligible" and gate["basis"][-1]["locator"] == "Art 20 p.10"

    app = client.post(f"{API}/applications", headers=off, json={
        "recipient": "MoD", "category": "1", "nomenclature": "Armoured carrier",
        "quantity": "10", "planning_period": "2025-2027", "submitted_on": "2024-09-01",
        "justification": "re-equipment", "place_of_delivery": "Astana"}).json()
    assert app["problems"] == []
    repair = client.post(f"{API}/applications", headers=off, json={
        "recipient": "MoD", "category": "2", "nomenclature": "Car repair", "quantity": 3,
        "planning_period": "2025-2027", "submitted_on": "2024-09-01",
        "justification": "x", "place_of_delivery": "Astana"}).json()
    assert "Art 19 p.2 part 3" in repair["problems"][0]       # public procurement

    order = client.post(f"{API}/orders", headers=off, json={
        "title": "Order 2025", "planning_period": "2025-2027", "recipients": ["MoD"],
        "allocated_funds": "3000000"}).json()
    oid = order["id"]
    bad = client.post(f"{API}/orders/{oid}/lines", headers=off,
                      json={"application_id": repair["id"], "unit_price": "1"})
    assert bad.status_code == 409 and bad.json()["basis"]["locator"] == "Art 20 p.1"
    line = client.post(f"{API}/orders/{oid}/lines", headers=off, json={
        "application_id": app["id"], "unit_price": "250000", "section": "Armament",
        "stage": "2025"}).json()
    check = client.get(f"{API}/orders/{oid}/check?on=2025-02-01", headers=off).json()
    found = {(f["field"], f["basis"]["locator"]) for f in check["findings"]}
    assert found == {("line 1: deadline", "Art 19 p.3 sub 1"),
                     ("line 1: contractor", "Art 19 p.3 sub 4"),
                     ("contractors", "Art 19 p.3 sub 4")}
    # a complete line instead: remove and add with the deadline
    assert client.delete(f"{API}/orders/{oid}/lines/{line['id']}", headers=off).status_code \
        == 204
    line = client.post(f"{API}/orders/{oid}/lines", headers=off, json={
        "application_id": app["id"], "unit_price": "250000", "deadline": "2025-11-30",
        "section": "Armament", "stage": "2025"}).json()
    opening = {"held_on": "2025-02-14", "members": ["chair", "m1"], "signed_by": ["chair"],
               "envelopes": [ALPHA, BETA], "audio_ref": "a-1", "video_ref": "v-1"}
    contest = {"held_on": "2025-02-14", "participants": [ALPHA, BETA], "winner": ALPHA,
               "opening": opening}
    unsigned = client.post(f"{API}/lines/{line['id']}/selection", headers=off, json=contest)
    assert unsigned.status_code == 409 and "m1" in unsigned.json()["detail"]
    opening["signed_by"] = ["chair", "m1"]
    chosen = client.post(f"{API}/lines/{line['id']}/selection", headers=off, json=contest)
    assert chosen.status_code == 201, chosen.text
    assert chosen.json()["outcome"] == "register_contractor_selected"
    assert chosen.json()["contractor_bin"] == ALPHA
    offshore_winner = client.post(f"{API}/lines/{line['id']}/selection", headers=off, json={
        **contest, "participants": [ALPHA, GAMMA], "winner": GAMMA,
        "opening": {**opening, "envelopes": [ALPHA, GAMMA]}})
    assert offshore_winner.status_code == 409
    assert offshore_winner.json()["basis"]["locator"] == "Art 20 p.10"

    check = client.get(f"{API}/orders/{oid}/check?on=2025-02-20", headers=off).json()
    assert check["complete"] is True, check["findings"]
    no_act = client.post(f"{API}/orders/{oid}/approval", headers=off,
                         json={"act_number": " ", "act_date": "2025-03-03"})
    assert no_act.status_code == 422
    approved = client.post(f"{API}/orders/{oid}/approval", headers=off,
                           json={"act_number": "Decree 1", "act_date": "2025-03-03"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["total"] == "2500000"
    # immutable once approved (Art 19 p.4): no line added or removed, no new selection
    for r in (client.post(f"{API}/orders/{oid}/lines", headers=off,
                          json={"nomenclature": "x", "category": "1", "quantity": 1,
                                "recipient": "MoD", "unit_price": 1}),
              client.delete(f"{API}/orders/{oid}/lines/{line['id']}", headers=off),
              client.post(f"{API}/lines/{line['id']}/selection", headers=off, json=contest),
              client.post(f"{API}/orders/{oid}/approval", headers=off,
                          json={"act_number": "Decree 2", "act_date": "2025-04-01"})):
        assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 19 p.4", r.text
    # the contractor now sees its task, and its own competition
    mine = client.get(f"{API}/orders", headers=h["alpha"]).json()
    assert [o["id"] for o in mine["orders"]] == [oid]
    assert client.get(f"{API}/selections", headers=h["alpha"]).json()["total"] == 1
    with unit_of_work() as s:
        actions = {e.action for e in audit.entries(s, limit=200)}
    assert {"defense.order_drafted", "defense.selection_recorded", "defense.order_approved",
            "defense.register_included", "defense.offshore_list_loaded"} <= actions


def test_roles(site) -> None:
    client, h = site
    client.post(f"{API}/register", headers=h["officer"], json={
        "entity": entity(BETA, "Beta LLP"), "kinds": ["producer"], "categories": ["1"],
        "included_on": "2024-01-10", "decision": "d"})
    order = {"title": "x", "planning_period": "2025-2027"}
    assert client.post(f"{API}/orders", headers=h["auditor"], json=order).status_code == 403
    assert client.get(f"{API}/register", headers=h["auditor"]).json()["total"] == 1
    assert client.get(f"{API}/orders", headers=h["maker"]).status_code == 403
    assert client.post(f"{API}/orders", headers=h["alpha"], json=order).status_code == 403
    # a contractor sees only its own entry: another's is "not found"
    assert client.get(f"{API}/register", headers=h["alpha"]).json()["total"] == 0
    assert client.get(f"{API}/register/{BETA}", headers=h["alpha"]).status_code == 404
    assert client.get(f"{API}/applications", headers=h["alpha"]).json()["total"] == 0
    # nobody files above their own clearance
    r = client.post(f"{API}/orders", headers=h["officer"], json={**order, "secrecy_level": 3})
    assert r.status_code == 422 and r.json()["field"] == "secrecy_level"
    assert client.get(f"{API}/offshore-lists/applicable?on=2020-01-01",
                      headers=h["auditor"]).json()["status"] == 422
    assert client.get("/defense/", follow_redirects=False).status_code == 303   # sign in


def test_who_acts_and_route(site) -> None:
    client, h = site
    r = client.get(f"{API}/who-acts?on=2020-06-01&funds=sdp_body_budget",
                   headers=h["alpha"]).json()
    contract = r["value"]["functions"]["conclude_contract"]
    assert contract["body"] == "authorised_body" and contract["basis"]["locator"] == \
        "Art 31 p.2"
    r = client.get(f"{API}/who-acts?on=2026-01-01&funds=recipient_budget",
                   headers=h["officer"]).json()
    assert r["value"]["functions"]["select_contractor"]["body"] == "recipient"
    route = client.post(f"{API}/route", headers=h["officer"],
                        json={"category": "2", "in_head_list": False}).json()
    assert route["value"] == "public_procurement"
    assert client.post(f"{API}/route", headers=h["officer"],
                       json={"category": "13"}).json()["field"] == "category"


def test_requirement_versions_freeze_on_selection(site) -> None:
    client, h = site
    off = h["officer"]
    client.post(f"{API}/register", headers=off, json={
        "entity": entity(ALPHA, "Alpha LLP"), "kinds": ["producer"], "categories": ["1"],
        "included_on": "2024-01-10", "decision": "d"})
    client.post(f"{API}/offshore-lists", headers=h["admin"], json={
        "id": "t", "approved_by": "t", "effective_from": "2024-01-01", "jurisdictions": ["XA"]})
    oid = client.post(f"{API}/orders", headers=off, json={
        "title": "o", "planning_period": "2025-2027", "recipients": ["MoD"]}).json()["id"]
    line = client.post(f"{API}/orders/{oid}/lines", headers=off, json={
        "nomenclature": "carrier", "category": "1", "quantity": 2, "recipient": "MoD",
        "unit_price": "10", "deadline": "2025-12-01"}).json()["id"]
    req = client.post(f"{API}/requirements", headers=off, json={
        "item": "carrier", "recipient": "MoD", "line_id": line,
        "characteristics": {"range_km": "60"}, "place_of_delivery": ""})
    assert req.status_code == 422 and req.json()["field"] == "place_of_delivery"
    req = client.post(f"{API}/requirements", headers=off, json={
        "item": "carrier", "recipient": "MoD", "line_id": line,
        "characteristics": {"range_km": "60"}, "place_of_delivery": "Astana"}).json()
    rid = req["id"]
    early = client.post(f"{API}/requirements/{rid}/versions/1/send", headers=off,
                        json={"on": "2025-01-02"})
    assert early.status_code == 409 and early.json()["basis"]["locator"] == "Art 25 sub 5"
    client.post(f"{API}/requirements/{rid}/versions/1/approve", headers=off,
                json={"on": "2025-01-01"})
    client.post(f"{API}/requirements/{rid}/versions/1/send", headers=off,
                json={"on": "2025-01-02"})
    client.post(f"{API}/lines/{line}/selection", headers=off, json={
        "held_on": "2025-02-01", "participants": [ALPHA], "winner": ALPHA, "opening": {
            "held_on": "2025-02-01", "members": ["c"], "signed_by": ["c"],
            "envelopes": [ALPHA], "audio_ref": "a", "video_ref": "v"}})
    view = client.get(f"{API}/requirements/{rid}", headers=off).json()
    assert view["versions"][0]["frozen_for"].startswith("selection-")
    revised = client.post(f"{API}/requirements/{rid}/versions/1/revision", headers=off,
                          json={"characteristics": {"range_km": "40"}}).json()
    assert [v["characteristics"]["range_km"] for v in revised["versions"]] == ["60", "40"]
    assert revised["versions"][0]["frozen_for"] is not None
