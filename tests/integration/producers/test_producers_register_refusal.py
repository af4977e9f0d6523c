"""The reasoned refusal of inclusion in the register as a document (Law 86-VII Art 51-1(3)
para 4, (5), (6)): made automatically in the applicant's language when an application is
refused, on request in kk/ru/en; Kazakh and Russian marked for legal review."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import LegalRuleError
from kzreg.platform.db import unit_of_work
from kzreg.platform.documents import Document
from kzreg.platform.users import create_user, issue_token
from kzreg.producers import documents, service

PW = "correct horse battery"
BIN = "150340012340"
CONSENTS = {"consent_personal_data": True, "consent_facility_access": True,
            "consent_video_surveillance": True}


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=ALMATY)


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        maker = create_user(s, "maker", "manufacturer", PW, bin=BIN, language="kk").actor()
        officer = create_user(s, "officer", "industry_officer", PW).actor()
        create_user(s, "other", "manufacturer", PW, bin="180840045211")
    return maker, officer


def _apply(s, maker):
    return service.apply(s, maker, bin=BIN, name="Qazaq Cold LLP", route="processed",
                         goods=[{"code": "8418 10", "title": "Refrigerator-freezer"}],
                         consents=CONSENTS, evidence_documents=["passport.pdf"],
                         evidence_video=["line.mp4"], accuracy_declared=True,
                         at=at("2025-09-01"))


def test_negative_verification_sends_the_reasoned_refusal(people):
    maker, officer = people
    with unit_of_work() as s:
        case = _apply(s, maker)
        with pytest.raises(LegalRuleError):       # not refused yet: no reasoned response
            documents.register_refusal(s, officer, case.id)
        service.record_verification(s, officer, case.id, positive=False, failed=[
            {"code": "C2", "reason": "no payroll in the quarter"}],
            justification="the state revenue system shows no employees",
            at=at("2025-09-10"))
        doc = s.scalars(select(Document).where(Document.case_id == case.id)).one()
        assert (doc.kind, doc.language, doc.number) == ("producers_register_refusal", "kk",
                                                        f"NR-{case.id}")
        assert doc.pdf.startswith(b"%PDF") and "ЗАҢДЫҚ ТЕКСЕРУГЕ" in doc.html
        assert "C2: no payroll in the quarter" in doc.html and "цифрлық верификация" in doc.html
        ru = documents.register_refusal(s, maker, case.id, language="ru")
        assert "ДЛЯ ЮРИДИЧЕСКОЙ ПРОВЕРКИ" in ru.html and "ч. 3 п. 6 ст. 51-1" in ru.html
        en = documents.register_refusal(s, maker, case.id, language="en")
        assert "ПРОВЕРКИ" not in en.html and "ТЕКСЕРУГЕ" not in en.html
        assert "digital verification" in en.html and "Art 51-1(3)" in en.html
        assert "may apply again" in en.html


def test_onsite_report_refusal_over_http(people):
    maker, officer = people
    with unit_of_work() as s:
        case = _apply(s, maker)
        service.record_verification(s, officer, case.id, positive=True)
        service.assess(s, officer, case.id, onsite=True)
        service.report(s, officer, case.id, positive=False, held_on="2025-10-01",
                       participants=["AB", "Association of machine builders"],
                       findings="welding done abroad", reasons=["welding not performed"])
        case_id = case.id
    from kzreg.web import create_app

    with unit_of_work() as s:
        h = {n: {"Authorization": f"Bearer {issue_token(s, n)}"}
             for n in ("maker", "officer", "other")}
    client = TestClient(create_app(), raise_server_exceptions=False)
    url = f"/api/producers/register/applications/{case_id}/refusal"
    r = client.post(url, headers=h["maker"], json={"language": "en"})
    assert r.status_code == 201, r.text
    pdf = client.get(r.json()["url"], headers=h["maker"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    again = client.post(url, headers=h["maker"], json={"language": "en"})
    assert again.json()["id"] == r.json()["id"]                 # the stored one
    assert client.post(url, headers=h["other"], json={}).status_code == 404
    assert client.post(url, headers=h["officer"], json={"language": "de"}).status_code == 422
    with unit_of_work() as s:
        doc = s.get(Document, r.json()["id"])
        assert "welding not performed" in doc.html and "Art 51-1(5)" in doc.html
        assert "Association of machine builders" in doc.html
