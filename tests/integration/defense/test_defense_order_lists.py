"""The stored decisions selection reads on its date (Law 236-VI), over HTTP on SQLite and
PostgreSQL: the first head's list of categories 1-1, 2, 3, 7, 12 with its agreement
(Art 19 p.2 parts 2-3), a special state body's list (Art 19 p.1 part 3), and the transfer
of reserve assets released for refresh (Art 20 p.3)."""

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
DALA = make_bin("1303", "10069")
MEMBERS = ["chair", "member"]


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
        create_user(s, "dala", "contractor", PW, bin=DALA, clearance=2)
        create_user(s, "admin", "admin", PW)
        tokens = {n: issue_token(s, n) for n in ("top", "low", "dala", "admin")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    h = {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}
    assert client.post(f"{API}/register", headers=h["top"], json={
        "entity": {"bin": DALA, "name": "Dala Repair", "production_facilities_in_kz": True},
        "kinds": ["supplier"], "categories": ["1", "2"], "included_on": "2024-01-10",
        "decision": "d"}).status_code == 201
    assert client.post(f"{API}/offshore-lists", headers=h["admin"], json={
        "id": "t-1", "approved_by": "test act", "effective_from": "2019-01-01",
        "jurisdictions": ["XA"]}).status_code == 201
    return client, h


def draft_line(client, off, nomenclature: str, category: str, **extra) -> tuple[int, int]:
    oid = client.post(f"{API}/orders", headers=off, json={
        "title": "Draft", "planning_period": "2025-2027", "recipients": ["MoD"]}).json()["id"]
    r = client.post(f"{API}/orders/{oid}/lines", headers=off, json={
        "nomenclature": nomenclature, "category": category, "quantity": 4, "recipient": "MoD",
        "unit_price": "100", "deadline": "2025-12-01", "section": "S", "stage": "1", **extra})
    assert r.status_code == 201, r.text
    return oid, r.json()["id"]


def compete(on: str) -> dict:
    return {"held_on": on, "participants": [DALA], "winner": DALA,
            "opening": {"held_on": on, "members": MEMBERS, "signed_by": MEMBERS,
                        "envelopes": [DALA], "audio_ref": "a", "video_ref": "v"}}


def test_first_heads_list_decides_applications_and_selection(site) -> None:
    client, h = site
    off = h["top"]
    head = {"kind": "head_list", "state_body": "MoD", "approved_by": "the Minister",
            "approval_act": "Order 12", "approved_on": "2024-08-01",
            "items": [{"category": "2", "nomenclature": "Overhaul of  helicopters"}]}
    r = client.post(f"{API}/item-lists", headers=off, json=head)
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 19 p.2 part 2"
    bad = client.post(f"{API}/item-lists", headers=off, json={
        **head, "agreement_ref": "letter 3", "agreed_on": "2024-08-20",
        "items": [{"category": "1", "nomenclature": "Tank"}]})
    assert bad.status_code == 422 and bad.json()["field"] == "items[0].category"
    made = client.post(f"{API}/item-lists", headers=off, json={
        **head, "agreement_ref": "letter 3", "agreed_on": "2024-08-20"})
    assert made.status_code == 201, made.text
    # in force from the agreement; before Law 211-VIII the authorised body agreed it
    assert (made.json()["effective_from"], made.json()["agreeing_body"]) == (
        "2024-08-20", "authorised_body")
    app = {"recipient": "MoD", "category": "2", "nomenclature": "overhaul of helicopters",
           "quantity": 2, "planning_period": "2025-2027", "justification": "fleet",
           "place_of_delivery": "Astana"}
    before = client.post(f"{API}/applications", headers=off,
                         json={**app, "submitted_on": "2024-08-10"}).json()
    assert "Art 19 p.2 part 3" in before["problems"][0]
    after = client.post(f"{API}/applications", headers=off,
                        json={**app, "submitted_on": "2024-09-01"}).json()
    assert after["problems"] == [] and after["in_head_list"] is True
    # selection: an item not on the list leaves the order for public procurement
    _oid, line = draft_line(client, off, "Repair of staff cars", "2")
    r = client.post(f"{API}/lines/{line}/selection", headers=off, json=compete("2025-02-01"))
    assert r.status_code == 201 and r.json()["outcome"] == "excluded_public_procurement"
    assert "Art 19 p.2 part 3" in [b["locator"] for b in r.json()["explanation"]["basis"]]
    _oid, listed = draft_line(client, off, "Overhaul of helicopters", "2")
    r = client.post(f"{API}/lines/{listed}/selection", headers=off, json=compete("2025-02-01"))
    assert r.json()["outcome"] == "register_contractor_selected"
    assert r.json()["inputs"]["on_list"] is True
    check = client.get(f"{API}/item-lists/check", headers=off, params={
        "state_body": "MoD", "category": "2", "nomenclature": "Overhaul of helicopters",
        "on": "2024-08-19"}).json()
    assert check["on_list"] is False and check["basis"] == "Art 19 p.2 part 2"
    # a special state body's list (Art 19 p.1 part 3): what is not on it is bought by
    # public procurement; its own contractor for what is
    assert client.post(f"{API}/item-lists", headers=off, json={
        "kind": "special_body_list", "state_body": "MoD", "approved_by": "the Director",
        "approval_act": "Budget request 2025", "approved_on": "2024-10-01",
        "items": [{"category": "1", "nomenclature": "Armoured car"}]}).status_code == 201
    _oid, car = draft_line(client, off, "Armoured car", "1")
    special = {"held_on": "2025-02-01", "special_state_body": True,
               "special_body_contractor": {"bin": DALA, "name": "Dala"}}
    r = client.post(f"{API}/lines/{car}/selection", headers=off, json=special)
    assert r.json()["outcome"] == "special_body_route"
    _oid, boat = draft_line(client, off, "Patrol boat", "1")
    r = client.post(f"{API}/lines/{boat}/selection", headers=off, json=special)
    assert r.json()["outcome"] == "excluded_public_procurement"
    # the lists are the state bodies': the contractor sees none; a secret list is hidden
    assert client.get(f"{API}/item-lists", headers=h["dala"]).json()["lists"] == []
    client.post(f"{API}/item-lists", headers=off, json={
        **head, "agreement_ref": "letter 4", "agreed_on": "2024-08-21", "secrecy_level": 2,
        "items": [{"category": "3", "nomenclature": "Secret radar"}]})
    low = client.get("/defense/lists", headers=h["low"]).text
    assert "Overhaul of helicopters" in low and "Secret radar" not in low
    assert "Secret radar" in client.get("/defense/lists", headers=off).text
    with unit_of_work() as s:
        actions = [e.action for e in audit.entries(s, limit=200)]
    assert actions.count("defense.item_list_recorded") == 3


def test_reserve_refresh_transfer_is_a_stored_decision(site) -> None:
    client, h = site
    off = h["top"]
    _oid, line = draft_line(client, off, "Field generator", "1")
    url = f"{API}/lines/{line}/reserve-transfer"
    decision = {"decided_on": "2025-01-20", "decision_ref": "Decision 5",
                "assets": "Generators G-5", "quantity": 4,
                "release_act": "released for refresh, order 9",
                "requirements_met": "power and voltage as the TTS version 1 states"}
    part = client.post(url, headers=off, json={**decision, "quantity": 3})
    assert part.status_code == 422 and part.json()["field"] == "quantity"
    early = client.post(url, headers=off, json={**decision, "decided_on": "2019-08-01"})
    assert early.status_code == 422 and early.json()["basis"]["locator"] == "Art 32 p.1"
    made = client.post(url, headers=off, json=decision)
    assert made.status_code == 201 and made.json()["transport_paid_by"] == "recipient"
    assert client.post(url, headers=off, json=decision).status_code == 409
    # a selection held before the decision does not see it
    r = client.post(f"{API}/lines/{line}/selection", headers=off, json=compete("2025-01-19"))
    assert r.json()["outcome"] == "register_contractor_selected"
    _oid, line2 = draft_line(client, off, "Field generator", "1")
    client.post(f"{API}/lines/{line2}/reserve-transfer", headers=off, json=decision)
    r = client.post(f"{API}/lines/{line2}/selection", headers=off, json=compete("2025-02-01"))
    assert r.json()["outcome"] == "reserve_refresh_transfer"
    assert r.json()["inputs"]["reserve_transfer"] is not None
    page = client.get(f"/defense/lines/{line2}/selection", headers=off).text
    assert "Decision 5" in page
    # research is outside Art 20 (p.8); a secret line's decision is hidden from the low
    _oid, research = draft_line(client, off, "Research X", "6")
    r = client.post(f"{API}/lines/{research}/reserve-transfer", headers=off, json=decision)
    assert r.status_code == 409 and r.json()["basis"]["locator"] == "Art 20 p.8"
    _oid, secret = draft_line(client, off, "Secret kit", "1", secrecy_level=2)
    assert client.post(f"{API}/lines/{secret}/reserve-transfer", headers=h["low"],
                       json=decision).status_code == 404
    assert client.post(f"{API}/lines/{secret}/reserve-transfer", headers=off,
                       json=decision).status_code == 201
    assert len(client.get(f"{API}/reserve-transfers", headers=off).json()["transfers"]) == 3
    assert len(client.get(f"{API}/reserve-transfers", headers=h["low"]).json()[
        "transfers"]) == 2
