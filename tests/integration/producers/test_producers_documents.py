"""The producers room's documents (Law 86-VII): the incentive decision — a grant with its
counter-obligations or a refusal citing only the grounds of Art 25(5)-(6) — and the register
extract (Art 51-1(8)), as stored PDFs in Kazakh, Russian and English; over the API a party
gets its own and a stranger nothing. Real database, real WeasyPrint."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import LegalRuleError, NotFound
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.producers import casework, documents, incentives_service, service

BIN, OTHER = "150340012340", "180840045211"
OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)
MAKER = Actor("maker", Role.MANUFACTURER, bin=BIN)
STRANGER = Actor("other", Role.MANUFACTURER, bin=OTHER)
GRANT = {"documents_compliant": True, "agreement_no": "CO-7", "amount": "250000000",
         "obligations_due_on": "2027-12-31",
         "counter_obligations": [{"direction": "export_oriented_output",
                                  "indicator": "exports", "target": "+15%"}]}


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), ALMATY)


def _application(s, *, registered: bool = True, purpose: str = "modernisation") -> int:
    if registered:
        service._put_entry(s, bin=BIN, name="Qazaq Cold LLP", region="Almaty",
                           route="processed", goods=[{"code": "8418 10", "title": "Fridge",
                                                      "domestic_value_share": "62.5"}],
                           on=dt.date(2026, 1, 15), at=at("2026-01-15"))
    return incentives_service.apply(
        s, MAKER, at=at("2026-03-02"), name="Qazaq Cold LLP", measure="interest_subsidy",
        goods=[{"code": "8418 10", "on_priority_list": True}],
        counter_obligations_accepted=True, counter_obligation_directions=["labour_productivity"],
        facts={"own_property_participation": True}, choices={"purpose": purpose}).id


def test_grant_decision_in_three_languages(db):
    with unit_of_work() as s:
        case_id = _application(s)
        with pytest.raises(LegalRuleError) as no_decision:
            documents.incentive_decision(s, OFFICER, case_id)
        assert no_decision.value.citation.locator == "Art 25(6)"
        casework.act(s, OFFICER, case_id, "grant", GRANT, at=at("2026-03-05"))
        ru = documents.incentive_decision(s, OFFICER, case_id, language="ru")
        kk = documents.incentive_decision(s, MAKER, case_id, language="kk")
        en = documents.incentive_decision(s, OFFICER, case_id, language="en")
        assert ru.pdf.startswith(b"%PDF") and ru.kind == "producers_incentive_decision"
        assert "ДЛЯ ЮРИДИЧЕСКОЙ ПРОВЕРКИ" in ru.html and "ЗАҢДЫҚ ТЕКСЕРУГЕ" in kk.html
        assert "ПРОВЕРК" not in en.html
        assert "Решение о предоставлении" in ru.html and "CO-7" in ru.html
        assert "250000000" in ru.html and "31.12.2027" in ru.html
        assert "увеличение производства экспортоориентированной продукции" in ru.html
        assert "субсидирование ставки вознаграждения" in ru.html
        assert "ынталандыру шарасын ұсыну туралы шешім" in kk.html
        assert "Закон № 86-VII, ст. 27(1)" in ru.html  # the basis, cited in Russian
        assert "Decision to provide" in en.html and "Art 27(4)" in en.html
        assert ru.number == f"G-{case_id}"


def test_refusal_cites_only_the_failed_conditions(db):
    with unit_of_work() as s:
        case_id = _application(s, registered=False, purpose="working_capital")
        casework.act(s, OFFICER, case_id, "refuse",
                     {"documents_compliant": True, "justification": "see the conditions"},
                     at=at("2026-03-05"))
        doc = documents.incentive_decision(s, MAKER, case_id, language="ru")
        html = doc.html
        assert "Решение об отказе" in html and "исключительно" in html
        assert "не включён в реестр" in html                      # NOT_IN_REGISTER
        assert "не соответствуют требованиям актов" in html       # Art 33(1) under DOCS
        assert "ст. 33(1)" in html
        assert "приоритетных" not in html and "встречные обязательства не приняты" not in html
        assert doc.number == f"R-{case_id}"
        with pytest.raises(NotFound):
            documents.incentive_decision(s, STRANGER, case_id)


def test_register_extract_per_language(db):
    with unit_of_work() as s:
        service._put_entry(s, bin=BIN, name="Qazaq Cold LLP", region="Almaty",
                           route="processed", goods=[{"code": "8418 10", "title": "Fridge",
                                                      "domestic_value_share": "62.5"}],
                           on=dt.date(2026, 1, 15), at=at("2026-01-15"))
        kk = service.extract(s, OFFICER, BIN, language="kk", at=at("2026-02-01"))
        en = service.extract(s, OFFICER, BIN, language="en", at=at("2026-02-01"))
        assert kk.title.startswith("Қазақстандық тауар өндірушілер тізілімінен")
        assert "Елішілік құндылық үлесі" in kk.html and "62.5" in kk.html
        assert "ЗАҢДЫҚ ТЕКСЕРУГЕ" in kk.html
        assert en.title == "Extract from the register of Kazakhstani commodity producers"
        assert "Share of domestic value" in en.html and en.pdf.startswith(b"%PDF")


def test_decision_over_the_api(sqlite_db, monkeypatch):
    from argon2 import PasswordHasher

    from kzreg.platform.users import create_user, issue_token
    from kzreg.web import create_app

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        case_id = _application(s)
        casework.act(s, OFFICER, case_id, "grant", GRANT, at=at("2026-03-05"))
        create_user(s, "maker", "manufacturer", "correct horse battery", bin=BIN)
        create_user(s, "other", "manufacturer", "correct horse battery", bin=OTHER)
        mine = {"Authorization": f"Bearer {issue_token(s, 'maker')}"}
        theirs = {"Authorization": f"Bearer {issue_token(s, 'other')}"}
    client = TestClient(create_app(), raise_server_exceptions=False)
    url = f"/api/producers/incentives/applications/{case_id}/decision"
    made = client.post(url, json={"language": "kk"}, headers=mine)
    assert made.status_code == 201, made.text
    pdf = client.get(made.json()["url"], headers=mine)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(made.json()["url"], headers=theirs).status_code == 404
    assert client.post(url, json={"language": "kk"}, headers=theirs).status_code == 404
    bad = client.post(url, json={"language": "de"}, headers=mine)
    assert bad.status_code == 422 and bad.json()["field"] == "language"
