"""The `defense.contract` case on SQLite and PostgreSQL: the 10/20/30-day timers of Law 236-VI
Art 22, a breach when a term runs out, refusal and amendment guarded by Arts 22 p.7 and 23."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.errors import LegalRuleError
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import fire, open_case
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.timers import Breach, Timer
from kzreg.platform.worker import run_once

BIN = make_bin("1503", "04321")
OFFICER = Actor("sdp", Role.DEFENSE_OFFICER, clearance=1)
CONTRACTOR = Actor("plant", Role.CONTRACTOR, bin=BIN)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


def local_due(session, case_id: int, name: str) -> dt.date:
    timer = session.scalars(select(Timer).where(Timer.case_id == case_id,
                                                Timer.name == name)).one()
    return (timer.due_at.astimezone(ALMATY) - dt.timedelta(seconds=1)).date()


def opened(session, day: str = "2025-03-03"):
    import kzreg.defense.workflow  # noqa: F401  registers the case type

    return open_case(session, "defense.contract", actor=OFFICER, title="Radios 2025",
                     party_bins=[BIN], at=at(day))


def test_terms_run_from_act_receipt_and_acceptance_and_a_late_signature_is_a_breach(db):
    with unit_of_work() as s:
        case_id = opened(s).id
        assert local_due(s, case_id, "send") == dt.date(2025, 3, 13)      # T2.1
        fire(s, case_id, "send", actor=OFFICER, at=at("2025-03-13"))
        fire(s, case_id, "receive", actor=CONTRACTOR, at=at("2025-03-13", 15))
        assert local_due(s, case_id, "sign") == dt.date(2025, 4, 2)        # T2.2
    run_once(at("2025-04-02", 23))
    with unit_of_work() as s:
        assert s.scalars(select(Breach).where(Breach.case_id == case_id)).first() is None
    run_once(at("2025-04-03", 0) + dt.timedelta(minutes=1))
    with unit_of_work() as s:
        breach = s.scalars(select(Breach).where(Breach.case_id == case_id)).one()
        assert breach.deadline == "sign" and breach.citation == "law-236-VI:Art 22 p.6"
        fire(s, case_id, "sign", actor=CONTRACTOR, at=at("2025-04-03"))
        fire(s, case_id, "accept", actor=OFFICER, at=at("2025-06-10"))
        assert local_due(s, case_id, "pay") == dt.date(2025, 7, 10)        # T2.3
        assert fire(s, case_id, "pay", actor=OFFICER, at=at("2025-07-01")).state == "fulfilled"


def test_refusal_only_on_a_ground_and_amendment_only_on_art23(db):
    with unit_of_work() as s:
        case_id = opened(s).id
        fire(s, case_id, "send", actor=OFFICER, at=at("2025-03-05"))
        fire(s, case_id, "receive", actor=CONTRACTOR, at=at("2025-03-06"))
    with pytest.raises(LegalRuleError) as err, unit_of_work() as s:
        fire(s, case_id, "refuse", actor=CONTRACTOR, at=at("2025-03-07"),
             payload={"ground": "other", "reason": "price too low"})
    assert "not a ground" in err.value.message
    with unit_of_work() as s:
        fire(s, case_id, "sign", actor=CONTRACTOR, at=at("2025-03-10"))
    line = {"item": "radio", "unit_price": "10000", "deadline": "2025-12-01"}
    request = {"ground": "quantity_change", "modified_on": "2025-06-01",
               "before": {"value": "1000000", "lines": [{**line, "quantity": "100"}]},
               "after": {"value": "1260000", "lines": [{**line, "quantity": "120",
                                                         "unit_price": "10500"}]}}
    with pytest.raises(LegalRuleError) as err, unit_of_work() as s:
        fire(s, case_id, "amend", actor=OFFICER, at=at("2025-06-01"), payload=request)
    assert "price per unit" in err.value.message
    request["after"] = {"value": "1200000", "lines": [{**line, "quantity": "120"}]}
    with unit_of_work() as s:
        assert fire(s, case_id, "amend", actor=OFFICER, at=at("2025-06-01"),
                    payload=request).state == "in_execution"
