"""Applications for measures of state stimulation as stored cases (Law 86-VII Arts 25-28):
the gate re-run at the decision against the stored register, the only grounds of refusal,
counter-obligations with their term as a durable deadline, the refund, and the ban of
Art 28(4) read from the stored history. Real database (SQLite; PostgreSQL for the main path)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Forbidden, LegalRuleError, NotFound
from kzreg.law.settings import override
from kzreg.platform import cases
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work
from kzreg.platform.timers import Breach, Timer
from kzreg.platform.worker import run_once
from kzreg.producers import casework, incentives_service, service
from kzreg.producers.models import IncentiveGrant

BIN, OTHER = "150340012340", "180840045211"
OFFICER = Actor("officer", Role.INDUSTRY_OFFICER)
MAKER = Actor("maker", Role.MANUFACTURER, bin=BIN)
STRANGER = Actor("other", Role.MANUFACTURER, bin=OTHER)
AUDITOR = Actor("auditor", Role.AUDITOR)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), ALMATY)


def include(session, bin: str, day: str) -> None:
    service._put_entry(session, bin=bin, name="Qazaq Cold LLP", region="Almaty",
                       route="processed", goods=[{"code": "8418 10", "title": "Fridge"}],
                       on=dt.date.fromisoformat(day), at=at(day))


def apply(session, actor=MAKER, day="2026-03-02", **extra):
    data = {"name": "Qazaq Cold LLP", "measure": "interest_subsidy",
            "goods": [{"code": "8418 10", "on_priority_list": True}],
            "counter_obligations_accepted": True,
            "counter_obligation_directions": ["labour_productivity"],
            "facts": {"own_property_participation": True},
            "choices": {"purpose": "modernisation"}, **extra}
    return incentives_service.apply(session, actor, at=at(day), **data)


GRANT = {"documents_compliant": True, "agreement_no": "CO-1", "amount": "250000000",
         "obligations_due_on": "2026-12-31",
         "counter_obligations": [{"direction": "labour_productivity",
                                  "indicator": "output per worker", "target": "+10%"}]}


def test_grant_monitor_and_refund_on_postgres_too(db):
    with unit_of_work() as s:
        include(s, BIN, "2026-01-15")
        case_id = apply(s).id
    with unit_of_work() as s:
        check = incentives_service.check(s, OFFICER, case_id, {"documents_compliant": True},
                                         on=dt.date(2026, 3, 5))
        assert check.value.eligible
        case = casework.act(s, OFFICER, case_id, "grant", GRANT, at=at("2026-03-05"))
        assert case.state == "performing"
        row = s.scalars(select(IncentiveGrant)).one()
        assert (row.bin, row.status, row.amount) == (BIN, "performing", "250000000")
        timer = s.scalars(select(Timer).where(Timer.case_id == case_id,
                                              Timer.name == "counter_obligations")).one()
        assert timer.due_at == dt.datetime(2026, 12, 31, 19, tzinfo=dt.UTC)  # 00:00 Almaty
    run_once(at("2027-01-02"))  # the term passed without an assessment: a breach
    with unit_of_work() as s:
        assert s.scalars(select(Breach.deadline).where(Breach.case_id == case_id)).all() == \
            ["counter_obligations"]
        casework.act(s, OFFICER, case_id, "record_monitoring",
                     {"period": "2026", "fulfilment_percent": "60"}, at=at("2027-01-10"))
        case = casework.act(s, OFFICER, case_id, "not_fulfilled",
                            {"fulfilment_percent": "60", "justification": "output fell"},
                            at=at("2027-01-11"))
        assert case.state == "refund_due"
        assert case.data["outcome"]["refund"]["amount"] is None  # the formula is not loaded
        row = s.scalars(select(IncentiveGrant)).one()
        assert (row.status, row.fulfilment_percent, row.beyond_control) == \
            ("not_fulfilled", "60", False)


def test_refund_is_computed_once_the_formula_is_loaded(sqlite_db):
    with unit_of_work() as s:
        include(s, BIN, "2026-01-15")
        case_id = apply(s).id
        casework.act(s, OFFICER, case_id, "grant", GRANT, at=at("2026-03-05"))
        with override(producers__counter_obligation_refund_formula="amount * (1 - fulfilment)"):
            case = casework.act(s, OFFICER, case_id, "not_fulfilled",
                                {"fulfilment_percent": "60", "base_rate_percent": "16.5",
                                 "justification": "output fell"}, at=at("2026-11-01"))
        assert case.data["outcome"]["refund"]["amount"] == "100000000.00"
        case = casework.act(s, OFFICER, case_id, "record_refund",
                            {"amount_returned": "100000000", "returned_on": "2026-12-01"})
        assert case.state == "refunded"


def test_refusal_only_on_the_grounds_of_art_25_5(sqlite_db):
    with unit_of_work() as s:
        case_id = apply(s).id       # not in the register, no certificate
        with pytest.raises(LegalRuleError, match="NOT_IN_REGISTER"):
            casework.act(s, OFFICER, case_id, "grant", GRANT, at=at("2026-03-05"))
    with unit_of_work() as s:
        case = casework.act(s, OFFICER, case_id, "refuse", {"documents_compliant": True},
                            at=at("2026-03-05"))
        assert case.state == "refused"
        assert case.data["decision"]["reasons"] == ["NOT_IN_REGISTER"]
    with unit_of_work() as s:
        include(s, OTHER, "2026-01-15")
        other = apply(s, STRANGER).id
        with pytest.raises(LegalRuleError, match="only ground"):  # all four conditions met
            casework.act(s, OFFICER, other, "refuse", {"documents_compliant": True},
                         at=at("2026-03-05"))
    with unit_of_work() as s:
        case = casework.act(s, OFFICER, other, "refuse",
                            {"documents_compliant": False,
                             "document_findings": ["no business plan"]}, at=at("2026-03-05"))
        assert case.data["decision"]["reasons"] == ["DOCS_NONCOMPLIANT"]


def test_certificate_counts_for_the_register_until_2026(sqlite_db):
    with unit_of_work() as s:
        case_id = apply(s, day="2025-11-03", certificate_valid_until="2026-06-30").id
        check = incentives_service.check(s, OFFICER, case_id, {"documents_compliant": True},
                                         on=dt.date(2025, 11, 10))
        assert check.value.eligible


def test_competitiveness_agreement_barred_after_a_culpable_failure(sqlite_db):
    with unit_of_work() as s:
        include(s, BIN, "2026-01-15")
        include(s, OTHER, "2026-01-15")
        for actor, beyond in ((MAKER, False), (STRANGER, True)):
            first = apply(s, actor, competitiveness_agreement=True).id
            casework.act(s, OFFICER, first, "grant", {**GRANT, "agreement_no": actor.bin},
                         at=at("2026-03-05"))
            casework.act(s, OFFICER, first, "not_fulfilled",
                         {"fulfilment_percent": "10", "beyond_control": beyond,
                          "justification": "flood" if beyond else "no reason"},
                         at=at("2026-09-01"))
    with unit_of_work() as s:
        again = apply(s, MAKER, day="2026-10-01", competitiveness_agreement=True).id
        with pytest.raises(LegalRuleError, match="PRIOR_CULPABLE_FAILURE") as refused:
            casework.act(s, OFFICER, again, "grant", {**GRANT, "agreement_no": "CO-9"},
                         at=at("2026-10-05"))
        assert refused.value.citation.locator == "Art 28(4)"
        case = casework.act(s, OFFICER, again, "refuse", {"documents_compliant": True},
                            at=at("2026-10-05"))
        assert case.data["decision"]["reasons"] == ["PRIOR_CULPABLE_FAILURE"]
        excused = apply(s, STRANGER, day="2026-10-01", competitiveness_agreement=True).id
        assert casework.act(s, OFFICER, excused, "grant", {**GRANT, "agreement_no": "CO-10"},
                            at=at("2026-10-05")).state == "performing"
        plain = apply(s, MAKER, day="2026-10-01").id   # not a competitiveness agreement
        assert incentives_service.check(s, OFFICER, plain, {"documents_compliant": True},
                                        on=dt.date(2026, 10, 5)).value.eligible


def test_scope_roles_and_agro_carve_out(sqlite_db):
    with unit_of_work() as s:
        case_id = apply(s).id
        with pytest.raises(NotFound):
            casework.view(s, STRANGER, case_id)
        with pytest.raises(Forbidden):
            apply(s, MAKER, bin=OTHER)
        with pytest.raises(Forbidden):
            casework.act(s, MAKER, case_id, "grant", GRANT)
        with pytest.raises(Forbidden):
            casework.act(s, AUDITOR, case_id, "withdraw", {})
        assert casework.view(s, AUDITOR, case_id)["case"].id == case_id
        with pytest.raises(LegalRuleError, match="agro-industrial"):
            apply(s, agro_industrial=True)
        assert [c.id for c, _ in casework.queue(s, STRANGER, ("producers.incentive_application",
                                                              ))] == []
        assert cases.get_case_for(s, MAKER, case_id).state == "filed"
