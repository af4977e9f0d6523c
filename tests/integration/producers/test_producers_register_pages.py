"""The register in the personal account and the officers' workplace (Law 86-VII Arts 51-1,
51-4..51-6), as a new user would: a manufacturer applies through its account; an officer
verifies, assesses and includes it; the extract comes out as a PDF; monitoring finds a
non-compliance and the producer is removed; it objects within 30 working days and the
commission restores it. A refused applicant sees the reasons; another BIN sees nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.db import unit_of_work

PW = "correct horse battery"
BIN, OTHER = "150340012340", "180840045211"


@pytest.fixture
def app(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    from kzreg.platform.users import create_user
    from kzreg.web import create_app

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        create_user(s, "officer", "industry_officer", PW)
        create_user(s, "maker", "manufacturer", PW, bin=BIN)
        create_user(s, "other", "manufacturer", PW, bin=OTHER)
    return create_app()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(app, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": PW,
                                    "csrf_token": csrf(page.text)}, follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    return client


def post(client, url: str, **data) -> str:
    page = client.get(url if not url.endswith("/act") else url[:-4])
    r = client.post(url, data={"csrf_token": csrf(page.text), **data}, follow_redirects=False)
    assert r.status_code == 303, r.text[:3000]
    return r.headers["location"]


APPLICATION = {"name": "Qazaq Cold LLP", "region": "Almaty", "route": "processed",
               "goods": "8418 10 | Refrigerators | pressing, assembly",
               "consent_personal_data": "1", "consent_facility_access": "1",
               "consent_video_surveillance": "1", "evidence_documents": "technical passport",
               "evidence_video": "line-1.mp4", "accuracy_declared": "1"}


def test_apply_include_remove_appeal_restore(app):
    maker, officer = login(app, "maker"), login(app, "officer")
    form = maker.get("/producers/register/apply")
    missing = maker.post("/producers/register/apply", data={
        **{k: v for k, v in APPLICATION.items() if k != "evidence_video"},
        "csrf_token": csrf(form.text)})
    assert missing.status_code == 422 and "Art 51-1(2)" in missing.text   # the video
    case_url = post(maker, "/producers/register/apply", **APPLICATION)
    assert 'data-state="filed"' in maker.get(case_url).text
    assert 'id="action-verification"' not in maker.get(case_url).text    # officers only
    assert login(app, "other").get(case_url).status_code == 404

    post(officer, case_url + "/act", action="verification", result="positive")
    post(officer, case_url + "/act", action="assessment", result="positive", notes="ok")
    post(officer, case_url + "/act", action="include")
    page = maker.get(case_url)
    assert 'data-state="included"' in page.text and "/producers/documents/" in page.text
    entry = maker.get(f"/producers/register/entries/{BIN}")
    assert 'data-status="included"' in entry.text
    pdf = maker.get(f"/producers/register/entries/{BIN}/extract.pdf?language=kk")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert login(app, "other").get(f"/producers/register/entries/{BIN}").status_code == 404
    assert "Qazaq Cold LLP" in TestClient(app).get("/producers/register/search?q=8418").text
    assert 'id="dashboard"' in officer.get("/producers/register/").text
    assert 'id="dashboard"' not in maker.get("/producers/register/").text    # its account

    entry_url = f"/producers/register/entries/{BIN}"
    r = officer.post(entry_url + "/act", data={
        "csrf_token": csrf(officer.get(entry_url).text), "action": "monitoring",
        "run_on": "2026-01-10", "result": "negative", "failed": "no output"})
    assert r.status_code == 422 and "criterion | reason" in r.text
    post(officer, entry_url + "/act", action="monitoring", run_on="2026-01-10",
         result="negative", failed="C1 | no output reported for the quarter")
    assert "Eliminate the non-compliance" in maker.get("/inbox").text
    exclusion = post(officer, entry_url + "/act", action="exclude", ground="monitoring")
    assert "/producers/register/cases/" in exclusion
    page = maker.get(exclusion)
    assert 'data-state="appeal_window"' in page.text and "Art 51-5(3)" in page.text
    assert 'data-status="excluded"' in maker.get(entry_url).text
    post(maker, exclusion + "/act", action="file_appeal", grounds="the data were late")
    post(officer, exclusion + "/act", action="decision", decision="upheld_fully",
         text="the commission upholds the objection")
    assert 'data-state="reincluded"' in maker.get(exclusion).text
    assert 'data-status="included"' in maker.get(entry_url).text


def test_a_refusal_reaches_the_applicant_with_reasons(app):
    maker, officer = login(app, "maker"), login(app, "officer")
    case_url = post(maker, "/producers/register/apply", **APPLICATION)
    bad = officer.post(case_url + "/act", data={
        "csrf_token": csrf(officer.get(case_url).text), "action": "verification",
        "result": "negative", "failed": "C2 | no production activity on record"})
    assert bad.status_code == 422 and "Art 51-1(3)" in bad.text         # no justification
    post(officer, case_url + "/act", action="verification", result="negative",
         failed="C2 | no production activity on record", justification="tax data empty")
    page = maker.get(case_url)
    assert 'data-state="refused"' in page.text
    assert "no production activity on record" in page.text
    assert 'href="/producers/register/apply"' in page.text               # reapply (51-1(6))
    assert "Result of digital verification: negative" in maker.get("/inbox").text
