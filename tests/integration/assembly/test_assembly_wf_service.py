"""The agreement workflow's rules in the service, on SQLite and PostgreSQL: which act's
remedy period applies on a date, which routes are open, letters and their updates,
force majeure, the manufacturer's own termination, expiry after twenty years, documents
in three languages (Kazakh and Russian marked for legal review), the officer's queue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from kzreg.assembly import service
from kzreg.law.calendar import ALMATY
from kzreg.law.errors import LegalRuleError, NotFound
from kzreg.platform.db import unit_of_work
from kzreg.platform.users import create_user
from kzreg.platform.worker import run_once

PW = "correct horse battery"
BIN = "150340012340"
BIN2 = "180840045211"
SCHEDULE = [{"feacn_code": "8704", "vehicle_name": "T40", "operations": "cab welding",
             "deadline": "from the conclusion"}]
CLAIMS = [{"item": "1"}, {"item": "7.37", "origin": "KZ"}]


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        maker = create_user(s, "maker", "manufacturer", PW, bin=BIN).actor()
        maker2 = create_user(s, "maker2", "manufacturer", PW, bin=BIN2).actor()
        officer = create_user(s, "officer", "industry_officer", PW).actor()
    return maker, maker2, officer


def concluded(maker, officer, day="2021-03-01", bin_company="Altyn Machinery LLP") -> int:
    docs = [d["id"] for d in service.checklist_for("new_entrant")["documents"]]
    with unit_of_work() as s:
        case = service.apply(s, maker, route="new_entrant", vehicle="truck", feacn_code="8704",
                             vehicle_name="T40", company=bin_company, documents=docs,
                             claims=CLAIMS, at=at("2021-02-01"))
        service.act(s, officer, case.id, "send_draft", {"schedule": SCHEDULE},
                    at=at("2021-02-10"))
        service.act(s, maker, case.id, "sign", at=at("2021-02-12"))
        service.act(s, officer, case.id, "register", {"registration_number": "T-1"},
                    at=at(day))
        return case.id


def test_remedy_period_follows_the_act_in_force_on_the_notice_date():
    assert service.remedy_regime(dt.date(2021, 12, 30)).value == "order-493"
    unknown = service.remedy_regime(dt.date(2022, 1, 7))      # the Law's start is unknown
    assert unknown.value == "order-493"
    assert any("unknown" in s.description for s in unknown.steps)
    assert service.remedy_regime(dt.date(2022, 1, 10)).value == "law-86-VII"
    law = service.remedy_regime(dt.date(2026, 1, 15))
    assert law.citations[-1].locator == "Art 62(4)"


def test_routes_open_by_date():
    day = dt.date
    assert service.route_open("legacy", day(2020, 12, 31)).value is True
    assert service.route_open("legacy", day(2021, 1, 4)).value is False        # R §11
    assert service.route_open("new_entrant", day(2021, 6, 1)).value is True
    assert service.route_open("new_entrant", day(2026, 6, 1)).value is False   # abolished
    assert service.route_open("law_scored_vehicles", day(2021, 6, 1)).value is False
    assert service.route_open("law_scored_vehicles", day(2026, 6, 1)).value is True


def test_requests_are_checked_against_route_vehicle_and_code(people):
    maker, _, _ = people
    with unit_of_work() as s, pytest.raises(LegalRuleError) as closed:
        service.apply(s, maker, route="legacy", vehicle="car", feacn_code="8703",
                      vehicle_name="X", company="C", at=at("2021-02-01"))
    assert closed.value.field == "route"
    with unit_of_work() as s, pytest.raises(LegalRuleError) as code:
        service.apply(s, maker, route="new_entrant", vehicle="bus", feacn_code="8703",
                      vehicle_name="X", company="C", at=at("2021-02-01"))
    assert code.value.field == "feacn_code"
    with unit_of_work() as s, pytest.raises(LegalRuleError) as route:
        service.apply(s, maker, route="other_vehicles", vehicle="car", feacn_code="8703",
                      vehicle_name="X", company="C", at=at("2021-02-01"))
    assert route.value.field == "vehicle"


def test_letter_update_force_majeure_withdrawal_and_expiry(people):
    maker, maker2, officer = people
    cid = concluded(maker, officer)
    with unit_of_work() as s:
        [first] = service.letters(s, officer, cid)
        assert first.total == 3500 and first.threshold == 3000        # 3,000 + axles 500
        case = service.act(s, maker, cid, "request_letter_update", {
            "claims": [*CLAIMS, {"item": "7.2", "origin": "KZ"}],
            "documents": ["gearbox supply contract"]}, at=at("2023-03-01"))
        assert case.state == "letter_update"
        [timer] = service.pending_deadlines(s, cid)
        assert timer.citation == "order-493:R §29"
        service.act(s, officer, cid, "issue_letter", {"note": "checked"}, at=at("2023-03-10"))
        letters = service.letters(s, officer, cid)
        assert [x.version for x in letters] == [1, 2] and letters[1].total == 4000
        assert letters[1].basis == "order-493:R §29"
        # Std §13: 15 working days; a late notice is recorded, marked late
        case = service.act(s, maker, cid, "notify_force_majeure",
                           {"occurred_on": "2023-03-01", "description": "flood at the plant"},
                           at=at("2023-03-29"))
        assert case.data["force_majeure"][-1]["late"] is True
        assert case.data["force_majeure"][-1]["due_by"] == "2023-03-28"  # 8 March, Nauryz 21-23
        with pytest.raises(NotFound):   # the second manufacturer cannot see it at all
            service.act(s, maker2, cid, "notice_withdrawal", {"reasons": "stop"},
                        at=at("2023-04-03"))
    with unit_of_work() as s:
        case = service.act(s, maker, cid, "notice_withdrawal",
                           {"reasons": "production moves to another code"},
                           at=at("2023-04-03"))
        assert case.state == "withdrawal_noticed"
    run_once(now=at("2023-05-20"))
    with unit_of_work() as s:
        from kzreg.platform.cases import get_case_for

        assert get_case_for(s, officer, cid).state == "terminated"
    other = concluded(maker, officer, day="2021-03-02")
    run_once(now=at("2041-03-02", 0))          # valid until 2041-03-02: not yet
    with unit_of_work() as s:
        from kzreg.platform.cases import get_case_for

        assert get_case_for(s, officer, other).state == "active"
    run_once(now=at("2041-03-03", 0))
    with unit_of_work() as s:
        from kzreg.platform.cases import case_events, get_case_for

        assert get_case_for(s, officer, other).state == "expired"
        last = case_events(s, officer, other)[-1]
        assert last.basis == "order-493:Std §19"


def test_documents_in_three_languages(people):
    maker, _, officer = people
    cid = concluded(maker, officer)
    with unit_of_work() as s:
        made = {lang: service.make_document(s, officer, cid, "schedule", lang,
                                            at=at("2021-03-01"))
                for lang in ("kk", "ru", "en")}
        assert "ЗАҢДЫҚ ТЕКСЕРУГЕ" in made["kk"].html
        assert "ДЛЯ ЮРИДИЧЕСКОЙ ПРОВЕРКИ" in made["ru"].html
        assert "LEGAL REVIEW" not in made["en"].html.upper().replace("FOR LEGAL", "")
        assert all(d.pdf.startswith(b"%PDF") and "T40" in d.html for d in made.values())
        assert "Дата «__»" in made["ru"].html and "Date “__”" in made["en"].html


def test_queue_is_ordered_by_deadline_and_pages_respect_scope(people, monkeypatch):
    maker, maker2, officer = people
    docs = [d["id"] for d in service.checklist_for("new_entrant")["documents"]]
    with unit_of_work() as s:
        late = service.apply(s, maker, route="new_entrant", vehicle="car", feacn_code="8703",
                             vehicle_name="Late", company="C", documents=docs,
                             at=at("2021-02-10")).id
        early = service.apply(s, maker2, route="new_entrant", vehicle="car",
                              feacn_code="8703", vehicle_name="Early", company="D",
                              documents=docs, at=at("2021-02-01")).id
        assert [c.id for c, _ in service.queue(s, officer)] == [early, late]
    from kzreg.web import create_app

    client = TestClient(create_app(), raise_server_exceptions=False)

    def login(name):
        client.cookies.clear()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"username": name, "password": PW, "csrf_token": token,
                                    "next": "/"})

    login("officer")
    queue = client.get("/assembly/queue").text
    assert queue.index("Early") < queue.index("Late")
    login("maker2")
    assert client.get(f"/assembly/agreements/{late}").status_code == 404
    assert client.get(f"/assembly/agreements/{early}").status_code == 200
