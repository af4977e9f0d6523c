"""The register over HTTP (Law 86-VII Arts 51-1..51-6): a producer applies with a bearer
token, an officer verifies, assesses and includes it; the extract comes out as PDF; the
public search answers without signing in; refusals are problem+json naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user, issue_token
from kzreg.web import create_app

PW = "correct horse battery"
BIN = "150340012340"
APP = {"bin": BIN, "name": "Qazaq Cold LLP", "route": "processed",
       "goods": [{"code": "8418 10", "title": "Refrigerator-freezer",
                  "domestic_value_share": "42.5"}],
       "consents": {"consent_personal_data": True, "consent_facility_access": True,
                    "consent_video_surveillance": True},
       "evidence_documents": ["passport.pdf"], "evidence_video": ["line.mp4"],
       "accuracy_declared": True}


@pytest.fixture
def site(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        create_user(s, "officer", "industry_officer", PW)
        create_user(s, "maker", "manufacturer", PW, bin=BIN)
        create_user(s, "other", "manufacturer", PW, bin="180840045211")
        tokens = {n: {"Authorization": f"Bearer {issue_token(s, n)}"}
                  for n in ("officer", "maker", "other")}
    return TestClient(create_app(), raise_server_exceptions=False), tokens


def test_apply_include_extract_and_public_search(site):
    client, h = site
    bad = client.post("/api/producers/register/applications", headers=h["maker"],
                      json={**APP, "evidence_video": []})
    assert bad.status_code == 409  # a legal condition refuses (LegalRuleError)
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "evidence_video" in bad.text and "51-1(2)(4)" in bad.text

    r = client.post("/api/producers/register/applications", headers=h["maker"], json=APP)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert client.post(f"/api/producers/register/applications/{case_id}/verification",
                       headers=h["maker"], json={"positive": True}).status_code == 403
    r = client.post(f"/api/producers/register/applications/{case_id}/verification",
                    headers=h["officer"], json={"positive": True})
    assert r.json()["state"] == "assessment"
    r = client.post(f"/api/producers/register/applications/{case_id}/assessment",
                    headers=h["officer"], json={"positive": True, "notes": "video shows PTO"})
    assert r.json()["state"] == "assessed"
    r = client.post(f"/api/producers/register/applications/{case_id}/include",
                    headers=h["officer"])
    assert r.json()["status"] == "included"

    pdf = client.get(f"/api/producers/register/entries/{BIN}/extract.pdf", headers=h["maker"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/api/producers/register/entries/{BIN}/extract.pdf",
                      headers=h["other"]).status_code == 403

    anonymous = TestClient(client.app)
    found = anonymous.get("/api/producers/register/search", params={"q": "8418"})
    assert found.status_code == 200 and found.json()["producers"][0]["bin"] == BIN
    page = anonymous.get("/producers/register/search", params={"q": "Qazaq"})
    assert page.status_code == 200 and "Qazaq Cold LLP" in page.text and "42.5" in page.text
    assert "Qazaq" not in anonymous.get("/producers/register/search",
                                        params={"q": "nothing"}).text.split("<tbody>")[1]

    r = client.post(f"/api/producers/register/entries/{BIN}/exclusion", headers=h["officer"],
                    json={"ground": "monitoring"})
    assert r.status_code == 409 and "Art 51-4(2)" in r.text   # no notice to eliminate yet
    r = client.post(f"/api/producers/register/entries/{BIN}/monitoring", headers=h["officer"],
                    json={"run_on": "2026-01-10", "positive": False,
                          "failed": [{"code": "C1", "reason": "no output reported"}]})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/producers/register/entries/{BIN}/exclusion", headers=h["officer"],
                    json={"ground": "monitoring"})
    appeal = r.json()["appeal_case"]
    assert r.json()["status"] == "excluded" and appeal["state"] == "appeal_window"
    r = client.post(f"/api/cases/{appeal['id']}/transitions/file_appeal", headers=h["maker"],
                    json={"grounds": "payroll restored"})
    assert r.status_code == 200, r.text
    r = client.post(f"/api/producers/register/appeals/{appeal['id']}/decision",
                    headers=h["officer"], json={"decision": "rejected"})
    assert r.status_code in (400, 422) and "justification" in r.text
    r = client.post(f"/api/producers/register/appeals/{appeal['id']}/decision",
                    headers=h["officer"], json={"decision": "upheld_fully", "text": "met"})
    assert r.json()["state"] == "reincluded"
    assert anonymous.get("/api/producers/register/search").json()["total"] == 1


def test_officer_queue_needs_sign_in(site):
    client, _ = site
    r = TestClient(client.app).get("/producers/register/", follow_redirects=False)
    assert r.status_code in (303, 307, 401)


def test_wholly_produced_and_software_entered_by_officers(site):
    client, h = site
    base = "/api/producers/register"
    body = {"bin": "170405012345", "name": "Dala Grain LLP", "category": "agricultural_products",
            "source": "agriculture_authority", "goods": [{"code": "1001", "title": "Wheat"}]}
    assert client.post(f"{base}/wholly-produced", headers=h["maker"], json=body
                       ).status_code == 403
    wrong = client.post(f"{base}/wholly-produced", headers=h["officer"],
                        json={**body, "source": "hydrocarbons_authority"})
    assert wrong.status_code == 409 and "Art 51-3" in str(wrong.json())
    made = client.post(f"{base}/wholly-produced", headers=h["officer"], json=body)
    assert made.status_code == 201 and made.json()["route"] == "wholly_produced"
    soft = {"bin": "191007007007", "name": "Qazaq Soft LLP",
            "goods": [{"code": "SW-1", "title": "Accounting suite"}], "notice": ""}
    no_notice = client.post(f"{base}/software", headers=h["officer"], json=soft)
    assert no_notice.status_code == 422 and no_notice.json()["field"] == "notice"
    made = client.post(f"{base}/software", headers=h["officer"],
                       json={**soft, "notice": "notice No 12 of the informatisation authority"})
    assert made.status_code == 201 and made.json()["route"] == "software"
    found = client.get(f"{base}/search", params={"q": "Wheat"}).json()
    assert [p["bin"] for p in found["producers"]] == ["170405012345"]
