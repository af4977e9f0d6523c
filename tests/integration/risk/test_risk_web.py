"""The risk room over HTTP: the API (bearer token) and the inspector's pages (session +
CSRF): register a subject, fill a checklist, see the degree, build a plan, issue an order."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.risk import service
from kzreg.risk.checklists import Severity
from kzreg.web import create_app

PW = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def site(sqlite_db):
    with unit_of_work() as s:
        create_user(s, "insp", "inspector", PW)
        create_user(s, "maker", "manufacturer", PW, bin="150340012340")
        tokens = {n: issue_token(s, n) for n in ("insp", "maker")}
        service.store_severities(s, {f"cr-app3-0{k}": sev for k, sev in zip(
            range(1, 7), [Severity.CONSIDERABLE] * 3 + [Severity.INSIGNIFICANT] * 3,
            strict=True)} | {f"cr-app5-{k:02}": Severity.INSIGNIFICANT for k in range(1, 53)},
            source="test")
    return TestClient(create_app(), raise_server_exceptions=False), tokens


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_register_control_and_plan(site):
    client, tokens = site
    h = auth(tokens["insp"])
    r = client.post("/api/risk/subjects", headers=h, json={
        "code": "tc-1", "name": "Training centre", "type": "training_center"})
    assert r.status_code == 201, r.text
    assert r.json()["objective"]["value"]["degree"] == "low"
    r = client.post("/api/risk/subjects/tc-1/controls", headers=h, json={
        "kind": "unscheduled", "held_on": "2025-06-01",
        "violated": ["cr-app3-01", "cr-app3-02", "cr-app3-04"]})
    assert r.status_code == 201, r.text
    # considerable 2 of 3 → 140/3; insignificant 1 of 3 → 10; SP = 170/3 → average
    r = client.get("/api/risk/subjects/tc-1", headers=h).json()
    assert r["indicator"]["value"]["value"] == "170/3"
    assert r["indicator"]["value"]["degree"] == "average"
    r = client.post("/api/risk/plan", headers=h, json={
        "start": "2026-01-01", "end": "2026-12-31", "control": "compliance_check",
        "information_system": True}).json()
    assert r["subjects"][0]["status"] == "planned"
    bad = client.post("/api/risk/subjects/tc-1/controls", headers=h, json={
        "kind": "preventive_with_visit", "held_on": "2025-06-01"})
    assert bad.status_code in (404, 422) and "problem" in bad.headers["content-type"]
    assert client.post("/api/risk/subjects", headers=auth(tokens["maker"]), json={
        "code": "x", "name": "x", "type": "training_center"}).status_code == 403
    scored = client.post("/api/risk/score", headers=h, json=[
        {"id": "a", "type": "regulated_product_seller", "considerable_found": 3,
         "considerable_total": 7}, {"id": "b", "type": "nope"}]).json()
    assert scored["results"][0]["indicator"] == "30" and scored["errors"][0]["field"] == "type"


def test_pages_checklist_form_and_order(site):
    client, _ = site
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "insp", "password": PW, "csrf_token": csrf})
    with unit_of_work() as s:
        service.add_subject(s, service.SubjectIn(code="rs-2", name="Seller 2",
                                                 type="regulated_product_seller"),
                            Actor("insp", Role.INSPECTOR))
    form = client.get("/risk/subjects/rs-2?control=unscheduled")
    assert form.status_code == 200 and "checklist-form" in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    data = {"csrf_token": csrf, "control": "unscheduled", "held_on": "2025-06-01",
            "req:cr-app5-01": "violated", "req:cr-app5-02": "na", "items": "17",
            "issue_orders": "on"}
    r = client.post("/risk/subjects/rs-2/controls", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    subject = client.get("/risk/subjects/rs-2")
    assert "Prohibition" in subject.text
    # insignificant 1 of 51 applicable → 30/51 = 10/17: low
    assert 'id="indicator-value">10/17<' in subject.text
    register = client.get("/risk/")
    assert register.status_code == 200 and "<svg" in register.text and "rs-2" in register.text
    assert client.get("/risk/plan?from=2026-01-01&to=2026-12-31").status_code == 200
    assert "rs-2" in client.get("/risk/orders").text


def signed_in(client, username):
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": username, "password": PW, "csrf_token": csrf})


def csrf_of(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_other_roles_are_refused(site):
    client, tokens = site
    h = auth(tokens["maker"])
    for path in ("/api/risk/subjects", "/api/risk/distribution", "/api/risk/exemptions"):
        r = client.get(path, headers=h)
        assert r.status_code == 403 and "problem" in r.headers["content-type"], path
    signed_in(client, "maker")
    for path in ("/risk/", "/risk/plan", "/risk/orders", "/risk/exemptions"):
        assert client.get(path).status_code == 403, path


def test_register_pages_orders_and_exemptions(site):
    client, tokens = site
    h = auth(tokens["insp"])
    with unit_of_work() as s:
        for k in range(120):
            service.add_subject(s, service.SubjectIn(
                code=f"S-{k:04d}", name=f"Seller {k}", type="regulated_product_seller"),
                Actor("insp", Role.INSPECTOR))
    r = client.get("/api/risk/subjects?per_page=50&page=3", headers=h).json()
    assert (r["total"], r["pages"], len(r["subjects"])) == (120, 3, 20)
    assert r["subjects"][0]["code"] == "S-0100"
    signed_in(client, "insp")
    page = client.get("/risk/?q=seller&page=2")
    assert page.status_code == 200
    assert page.text.count('href="/risk/subjects/S-') == 50
    assert "S-0050" in page.text and "S-0049" not in page.text
    assert 'href="/risk/?q=seller&amp;page=3"' in page.text
    assert client.get("/risk/?degree=extreme").status_code == 422
    # an exemption through the page, then the order of a violated withdrawal item
    form = client.get("/risk/exemptions?code=S-0001")
    r = client.post("/risk/exemptions", data={
        "csrf_token": csrf_of(form.text), "code": "S-0001", "starts_on": "2026-01-01",
        "ends_on": "2027-12-31", "reason": "no violations in 2025"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    listed = client.get("/api/risk/exemptions?code=S-0001", headers=h).json()["exemptions"]
    assert listed[0]["ends_on"] == "2027-12-31" and listed[0]["degree"] == "low"
    control = client.post("/api/risk/subjects/S-0002/controls", headers=h, json={
        "kind": "unscheduled", "held_on": "2026-02-01", "items": [24],
        "counts": {"considerable_found": 1, "considerable_total": 2}}).json()
    [case_id] = client.post(f"/api/risk/controls/{control['id']}/orders",
                            headers=h).json()["cases"]
    order = client.get(f"/api/risk/orders/{case_id}", headers=h).json()
    assert order["type"] == "risk.withdrawal" and order["state"] == "ordered"
    pdf = client.get(order["documents"][0]["url"], headers=h)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    page = client.get(f"/risk/orders/{case_id}")
    assert 'data-state="ordered"' in page.text and "/risk/documents/" in page.text
    r = client.post(f"/risk/orders/{case_id}/carry_out",
                    data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert 'data-state="carried_out"' in client.get(f"/risk/orders/{case_id}").text
