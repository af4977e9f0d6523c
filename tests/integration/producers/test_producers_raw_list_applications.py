"""Applications to form the list of domestic raw materials as cases (Law 86-VII Art 60(2)-(3)):
a manufacturer applies; the authorized body accepts, or refuses on the two grounds only;
over the service, the API and the page, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Forbidden, InputError, LegalRuleError
from kzreg.platform import cases
from kzreg.platform.db import unit_of_work
from kzreg.platform.notifications import inbox
from kzreg.platform.users import create_user, issue_token
from kzreg.producers import raw_list_workflow as rlw

PW = "correct horse battery"
MAKER = "150340012340"
PRODUCER = "180840045211"


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=ALMATY)


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        maker = create_user(s, "maker", "manufacturer", PW, bin=MAKER)
        officer = create_user(s, "officer", "industry_officer", PW).actor()
        create_user(s, "other", "manufacturer", PW, bin=PRODUCER)
        return maker.actor(), officer, maker.id


def _file(s, maker, **over):
    kw = dict(bin=MAKER, name="Pavlodar Wire LLP", raw_material="copper cathode",
              documents=["application form", "production plan"], volume="1200 t",
              at=at("2026-02-02"))
    return rlw.file(s, maker, **{**kw, **over})


def test_accepted_only_when_no_ground_and_refused_only_on_one(people):
    maker, officer, maker_id = people
    with unit_of_work() as s:
        with pytest.raises(Forbidden):
            _file(s, maker, bin=PRODUCER)                    # its own BIN only
        case = _file(s, maker)
        with pytest.raises(LegalRuleError) as err:         # a ground applies: no accepting
            cases.fire(s, case.id, "accept", actor=officer, at=at("2026-02-05"),
                       payload={"missing_documents": ["technical specification"],
                                "kz_producers": [PRODUCER]})
        assert err.value.citation.locator == "Art 60(3)"
        with pytest.raises(LegalRuleError):                # no ground: no refusing
            cases.fire(s, case.id, "refuse", actor=officer, at=at("2026-02-05"),
                       payload={"kz_producers": [PRODUCER], "justification": "we'd rather"})
        done = rlw.examine(s, officer, case.id, missing_documents=[],
                           kz_producers=[PRODUCER], at=at("2026-02-05"))
        assert done.state == "accepted" and done.data["examination"]["grounds"] == []
        assert any("accepted" in n.subject for n in inbox(s, maker_id))

        second = _file(s, maker, raw_material="tantalum ore")
        refused = rlw.examine(s, officer, second.id, missing_documents=["certificate"],
                              kz_producers=[], justification="no producer, a paper missing",
                              at=at("2026-02-06"))
        assert refused.state == "refused"
        assert refused.data["examination"]["grounds"] == [
            "INCOMPLETE_DOCUMENTS", "NO_KZ_PRODUCER_OF_RAW_MATERIAL"]
        assert any("refused: incomplete set of documents; no producer" in n.subject
                   for n in inbox(s, maker_id))


def test_a_refusal_needs_its_justification(people):
    maker, officer, _ = people
    with unit_of_work() as s:
        case = _file(s, maker)
        with pytest.raises(InputError) as err:
            rlw.examine(s, officer, case.id, missing_documents=["x"], kz_producers=[PRODUCER])
        assert err.value.field == "justification"


def test_api_and_page(people):
    from kzreg.web import create_app

    with unit_of_work() as s:
        h = {n: {"Authorization": f"Bearer {issue_token(s, n)}"}
             for n in ("maker", "officer", "other")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    base = "/api/producers/raw-materials/list-applications"
    r = client.post(base, headers=h["maker"], json={
        "bin": MAKER, "name": "Pavlodar Wire LLP", "raw_material": "copper cathode",
        "documents": ["application form"]})
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    assert client.get(base, headers=h["other"]).json()["applications"] == []
    assert client.post(f"{base}/{case_id}/examination", headers=h["maker"],
                       json={}).status_code in (403, 404)
    r = client.post(f"{base}/{case_id}/examination", headers=h["officer"],
                    json={"kz_producers": ["12"]})
    assert r.status_code == 422 and "kz_producers" in r.text
    r = client.post(f"{base}/{case_id}/examination", headers=h["officer"],
                    json={"missing_documents": [], "kz_producers": [],
                          "justification": "no producer of copper cathode in Kazakhstan"})
    assert r.json()["state"] == "refused", r.text
    assert r.json()["data"]["examination"]["grounds"] == ["NO_KZ_PRODUCER_OF_RAW_MATERIAL"]

    browser = TestClient(create_app(), raise_server_exceptions=False)
    page = browser.post("/login", data={"username": "maker", "password": PW,
                                        "csrf_token": _csrf(browser.get("/login").text)})
    assert page.status_code in (200, 303)
    text = browser.get("/producers/raw-materials/").text
    assert f'data-application="{case_id}" data-state="refused"' in text
    assert "Art 60(3)" in text
    r = browser.post("/producers/raw-materials/list-applications", data={
        "csrf_token": _csrf(text), "name": "Pavlodar Wire LLP", "raw_material": "zinc",
        "documents": "form\nplan"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert 'data-state="filed"' in browser.get("/producers/raw-materials/").text


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
