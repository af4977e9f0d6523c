"""The register workflow on SQLite and PostgreSQL (Law 86-VII Arts 51-1..51-6): a producer
applies, is verified, assessed and included with an extract; monitoring misses a quarter;
it is excluded, appeals within 30 working days and is restored; the public search."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Conflict, Forbidden, LegalRuleError
from kzreg.platform import cases
from kzreg.platform.db import unit_of_work
from kzreg.platform.documents import Document
from kzreg.platform.notifications import inbox
from kzreg.platform.users import create_user
from kzreg.platform.worker import run_once
from kzreg.producers import service
from kzreg.producers.models import MonitoringBreach

PW = "correct horse battery"
BIN = "150340012340"
GOODS = [{"code": "8418 10", "title": "Refrigerator-freezer", "domestic_value_share": "42.5"}]
CONSENTS = {"consent_personal_data": True, "consent_facility_access": True,
            "consent_video_surveillance": True}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


@pytest.fixture
def people(db, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("kzreg.platform.users._hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with unit_of_work() as s:
        maker = create_user(s, "maker", "manufacturer", PW, bin=BIN)
        officer = create_user(s, "officer", "industry_officer", PW).actor()
        return maker.actor(), officer, maker.id


def _apply(s, maker, **over):
    kw = dict(bin=BIN, name="Qazaq Cold LLP", route="processed", goods=GOODS,
              consents=CONSENTS, evidence_documents=["passport.pdf"],
              evidence_video=["line.mp4"], accuracy_declared=True, at=at("2025-09-01"))
    return service.apply(s, maker, **{**kw, **over})


def test_incomplete_application_is_refused_naming_the_consent(people):
    maker, _, _ = people
    with unit_of_work() as s, pytest.raises(LegalRuleError) as err:
        _apply(s, maker, consents={**CONSENTS, "consent_video_surveillance": False})
    assert err.value.field == "consent_video_surveillance"
    assert err.value.citation.locator == "Art 51-1(2)(3)"


def test_included_excluded_appealed_restored(people):
    maker, officer, maker_id = people
    with unit_of_work() as s:
        case = _apply(s, maker)
        with pytest.raises(Forbidden):
            service.record_verification(s, maker, case.id, positive=True)
        with pytest.raises(LegalRuleError, match="route"):  # not wholly produced
            cases.fire(s, case.id, "verification_positive_wholly", actor=officer,
                       payload={})
        service.record_verification(s, officer, case.id, positive=True, at=at("2025-09-03"))
        service.assess(s, officer, case.id, onsite=True, notes="video unclear",
                       at=at("2025-09-10"))
        cases.fire(s, case.id, "report_positive", actor=officer, at=at("2025-09-20"),
                   payload={"held_on": "2025-09-19", "participants": ["AB", "KazMash union"],
                            "findings": "welding and assembly seen"})
        entry = service.include(s, officer, case.id, at=at("2025-09-22"))
        assert entry.status == "included" and entry.goods[0].domestic_value_share == "42.5"
        doc = s.scalars(select(Document).where(Document.case_id == case.id)).one()
        assert doc.kind == "producers_register_extract" and doc.pdf.startswith(b"%PDF")
        assert "42.5" in doc.html and BIN in doc.html and doc.number.startswith("RKT-")
        assert [r["bin"] for r in service.search(s, "cold")] == [BIN]
        assert [r["bin"] for r in service.search(s, "8418")] == [BIN]
        assert any("Included" in n.subject for n in inbox(s, maker_id))
        service.record_monitoring(s, officer, BIN, run_on=dt.date(2025, 12, 1), positive=False,
                                  failed=[{"code": "staff", "reason": "no payroll"}],
                                  at=at("2025-12-01"))
        assert any("Eliminate" in n.subject for n in inbox(s, maker_id))
        appeal = service.exclude(s, officer, BIN, ground="monitoring", at=at("2025-12-10"))
        assert appeal.data["appeal_last_day"] == "2026-01-27"   # 30 working days
        assert service.search(s, "cold") == []
        with pytest.raises(LegalRuleError):
            service.extract(s, officer, BIN)
    run_once(at("2026-01-27", 23))  # the last day has not ended: the window stays open
    with unit_of_work() as s:
        case = cases.fire(s, appeal.id, "file_appeal", actor=maker, at=at("2026-01-27", 18),
                          payload={"grounds": "payroll restored"})
        assert case.state == "under_review"
        service.decide_appeal(s, officer, appeal.id, decision="upheld_fully",
                              text="criteria met", at=at("2026-02-10"))
        assert service.entry_by_bin(s, BIN).status == "included"
        assert [r["bin"] for r in service.search(s, BIN)] == [BIN]


def test_appeal_window_closes_after_thirty_working_days(people):
    maker, officer, _ = people
    with unit_of_work() as s:
        service.enter_wholly_produced(s, officer, bin=BIN, name="Dala Grain LLP",
                                      category="agricultural_products",
                                      source="agriculture_authority",
                                      goods=[{"code": "1001", "title": "Wheat"}],
                                      at=at("2025-09-01"))
        with pytest.raises(Conflict):
            service.enter_wholly_produced(s, officer, bin=BIN, name="again",
                                          category="agricultural_products",
                                          source="agriculture_authority",
                                          goods=[{"code": "1001", "title": "Wheat"}])
    # Q3 2025 is covered by the inclusion; Q4 passes without a run: one breach, recorded once
    assert run_once(at("2026-01-05")) >= 1
    run_once(at("2026-01-06"))
    with unit_of_work() as s:
        breaches = s.scalars(select(MonitoringBreach)).all()
        assert [(b.period_start, b.period_end) for b in breaches] == [
            (dt.date(2025, 10, 1), dt.date(2026, 1, 1))]
        service.record_monitoring(s, officer, BIN, run_on=dt.date(2025, 12, 1), positive=False,
                                  failed=[{"code": "staff", "reason": "no payroll"}],
                                  at=at("2025-12-01"))
        appeal = service.exclude(s, officer, BIN, ground="monitoring", at=at("2025-12-10"))
    run_once(at("2026-01-28", 0) + dt.timedelta(minutes=1))
    with unit_of_work() as s:
        assert cases.get_case_for(s, officer, appeal.id).state == "closed"


def test_software_and_automatic_removal(people):
    _, officer, _ = people
    with unit_of_work() as s:
        service.include_software(s, officer, bin=BIN, name="Soft LLP", notice="MDAI 12/2025",
                                 goods=[{"code": "SW-1", "title": "ERP"}], at=at("2025-09-01"))
        case = service.exclude(s, officer, BIN, ground="software_monitoring",
                               at=at("2025-12-10"))
        assert case.case_type == "producers.software_exclusion"
        assert case.data["appeal_last_day"] == "2026-01-09"    # 30 calendar days
        service.decide_appeal  # noqa: B018 - software appeals go to the other authority
    with unit_of_work() as s:
        service.enter_wholly_produced(s, officer, bin="180840045211", name="Ore LLP",
                                      category="natural_resources",
                                      source="solid_minerals_authority",
                                      goods=[{"code": "2601", "title": "Iron ore"}])
        assert service.exclude(s, officer, "180840045211", ground="reorganisation",
                               reorganisation_form="transformation") is None
        assert service.entry_by_bin(s, "180840045211").status == "included"
        assert service.exclude(s, officer, "180840045211", ground="liquidation") is None
        assert service.entry_by_bin(s, "180840045211").status == "excluded"
