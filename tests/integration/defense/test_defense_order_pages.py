"""The order's pages on the demo data (Law 236-VI), SQLite and PostgreSQL, as a signed-in
officer: amend the approved order by a later act and open a line's contract (Art 23 p.1
sub 2, Art 19 p.4, Art 22 p.1); the research pipeline (Art 21); requirements and their
versions (Art 20 p.2, Art 22 p.7 sub 3); the route classifier (Art 19 p.2); beneficial
owners in the register and the offshore gate (Art 20 p.10). Every form carries the CSRF
token; a post without it is refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kzreg.defense import order_demo
from kzreg.defense.models import DefenseOrder, DefenseOrderLine, DefenseRequirement
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.users import create_user
from kzreg.web import create_app

PW = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def officer(db):
    with unit_of_work() as s:
        order_demo.load(s)
        create_user(s, "top", "defense_officer", PW, clearance=2)
        approved = s.query(DefenseOrder).filter_by(status="approved").one().id
        lines = {ln.nomenclature: ln.id for ln in s.query(DefenseOrderLine)
                 .filter_by(order_id=approved)}
        req = s.query(DefenseRequirement).one().id
    client = TestClient(create_app(), raise_server_exceptions=False, follow_redirects=False)
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"username": "top", "password": PW,
                                       "csrf_token": csrf}).status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/defense/route").text).group(1)
    return client, token, {"order": approved, "lines": lines, "requirement": req}


def test_amend_and_open_a_contract_from_the_page(officer) -> None:
    client, csrf, ids = officer
    oid = ids["order"]
    apc = f"L{ids['lines']['Armoured personnel carrier']}"
    uniform = f"L{ids['lines']['Field uniform set']}"
    page = client.get(f"/defense/orders/{oid}").text
    assert 'id="versions-history"' in page and 'data-version="2" class="in-force"' in page
    assert "Government decree No 1-DEMO" in page and "14000" in page   # the demo's version 2
    # without the token: refused
    assert client.post(f"/defense/orders/{oid}/amendments",
                       data={"reason": "x", f"q:{uniform}": "15000"}).status_code == 403
    r = client.post(f"/defense/orders/{oid}/amendments", data={
        "csrf_token": csrf, "reason": "Government act: more carriers", f"q:{apc}": "45",
        f"q:{uniform}": "", f"d:{uniform}": ""})
    assert r.status_code == 303, r.text
    page = client.get(f"/defense/orders/{oid}").text
    assert 'id="draft-amendment"' in page and 'id="amendment-complete"' in page
    r = client.post(f"/defense/orders/{oid}/amendments/3/approval", data={
        "csrf_token": csrf, "act_number": "Decree 3 (test)", "act_date": "2025-09-01"})
    assert r.status_code == 303, r.text
    page = client.get(f"/defense/orders/{oid}").text
    assert 'data-version="3" class="in-force"' in page and 'id="draft-amendment"' not in page
    history = client.get(f"/api/defense/orders/{oid}/versions").json()["versions"]
    # each version lists its own changes: version 3 only the carriers' new quantity
    assert [[(c["ref"], c["quantity"]) for c in v["changes"]] for v in history] == [
        [], [(uniform, "14000")], [(apc, "45")]]
    # open the carrier line's contract from the page: to the contracts board
    r = client.post(f"/defense/orders/{oid}/lines/{apc}/contract",
                    data={"csrf_token": csrf, "mro_at_contractor": "on"})
    assert r.status_code == 303 and r.headers["location"].startswith("/defense/contracts/")
    assert client.get(r.headers["location"]).status_code == 200
    page = client.get(f"/defense/orders/{oid}").text
    assert f'<a class="contract-link" href="{r.headers["location"]}"' in page
    again = client.post(f"/defense/orders/{oid}/lines/{apc}/contract",
                        data={"csrf_token": csrf})
    assert again.status_code == 409 and "Art 22 p.1" in again.text


def test_research_requirements_route_owners_and_gate(officer) -> None:
    client, csrf, ids = officer
    page = client.get("/defense/research").text
    assert "Expert council on unmanned aerial systems" in page and "swarm control" in page
    assert client.post("/defense/research/areas", data={
        "csrf_token": csrf, "code": "ew", "title": "Electronic warfare",
        "approved_on": "2025-01-10", "dstc_decision": "DSTC minutes 9"}).status_code == 303
    bad = client.post("/defense/research/councils", data={
        "csrf_token": csrf, "area_code": "ew", "name": "EW council", "composition_act": "o",
        "composition_approved_on": "2025-01-20", "members": "Dr X; astrologer"})
    assert bad.status_code == 422 and "Art 21 p.6" in bad.text
    assert client.post("/defense/research/councils", data={
        "csrf_token": csrf, "area_code": "ew", "name": "EW council", "composition_act": "o",
        "composition_approved_on": "2025-01-20",
        "members": "Dr X; scientist\nY; mic_entity"}).status_code == 303
    assert "EW council" in client.get("/defense/research").text
    # the draft order's research is not in an approved order: no report yet (Art 21 p.1)
    uas = re.search(r'data-application="(\d+)"', page).group(1)
    r = client.post("/defense/research/reports", data={
        "csrf_token": csrf, "application_id": uas, "title": "Report",
        "submitted_on": "2025-10-01"})
    assert r.status_code == 409 and "Art 21 p.1" in r.text

    # requirements: the demo's, frozen at version 1 and revised as version 2
    page = client.get(f"/defense/requirements/{ids['requirement']}").text
    assert page.count("selection-") == 1 and 'data-version="2"' in page
    r = client.post("/defense/requirements", data={
        "csrf_token": csrf, "item": "Field radio", "recipient": "Ministry of Defense",
        "characteristics": "range_km: 40\nweight_kg: 3", "place_of_delivery": "Astana"})
    assert r.status_code == 303
    url = r.headers["location"]
    rid = url.rsplit("/", 1)[1]
    for step in ("approve", "send"):
        assert client.post(f"/defense/requirements/{rid}/versions/1/{step}",
                           data={"csrf_token": csrf, "on": "2025-10-02"}).status_code == 303
    assert client.post(f"/defense/requirements/{rid}/versions/1/revision", data={
        "csrf_token": csrf, "characteristics": "range_km: 50"}).status_code == 303
    page = client.get(url).text
    assert "range_km: 50" in page and "range_km: 40" in page and "Field radio" in \
        client.get("/defense/requirements").text

    # the route classifier
    page = client.get("/defense/route?category=2").text
    assert 'data-route="public_procurement"' in page and "Art 19 p.2 part 3" in page
    page = client.get("/defense/route?category=2&in_head_list=on").text
    assert 'data-route="state_defense_order"' in page

    # beneficial owners are stored and shown; the gate reads them
    bin_ = make_bin("1909", "30011")
    assert client.post("/defense/register", data={
        "csrf_token": csrf, "bin": bin_, "name": "Owned LLP", "resident": "on",
        "production_facilities_in_kz": "on", "able_to_perform": "on", "kinds": "producer",
        "categories": "1", "included_on": "2025-01-01", "decision": "d",
        "owners": "Offshore Holding; legal; XA\nA. Person; natural; KZ"}).status_code == 303
    page = client.get(f"/defense/register?q={bin_}").text
    assert "Offshore Holding" in page and "A. Person" in page
    r = client.post("/defense/offshore/check", data={"csrf_token": csrf, "bin": bin_,
                                                     "on": "2025-02-01"})
    assert r.status_code == 200 and 'data-gate="ineligible"' in r.text
    assert "Offshore Holding" in r.text
    bad = client.post("/defense/register", data={
        "csrf_token": csrf, "bin": make_bin("1909", "30023"), "name": "N", "kinds": "producer",
        "categories": "1", "included_on": "2025-01-01", "decision": "d",
        "owners": "No jurisdiction; legal"})
    assert bad.status_code == 422 and "entity.owners[0]" in bad.text
