"""Contracts, execution, reclamation and the reserve as the service runs them, on SQLite and
PostgreSQL (Law 236-VI Arts 22-29): terms from the approving act, the content gate before
sending, refusal on the three grounds only, modifications kept with their verdict, the Art 22
p.12 notices (once each, to cleared people only), the missed-delivery job, the MRO gates,
reclamation within warranty, and the 30% reserve cap with its 12-month deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as execution
from kzreg.defense import modification_service as modification
from kzreg.defense import monitoring_service as monitoring
from kzreg.defense import reserve_service as reserve
from kzreg.defense.contracts_models import DefenseContractNotice, DefenseModification
from kzreg.defense.jobs import notify_missed_deliveries
from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Conflict, InputError, NotFound, NotInForce
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import AuditEntry
from kzreg.platform.cases import get_case_for
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.notifications import Notice, OutboxMessage
from kzreg.platform.timers import Breach
from kzreg.platform.users import create_user
from kzreg.platform.worker import run_once

BIN = make_bin("0907", "00315")
OTHER_BIN = make_bin("1503", "01234")
PW = "correct horse battery"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


DRAFT = {"subject_matter": "Radio stations R-1", "validity_period": "to 31.12.2025",
         "quality_control_conditions": "MRO control", "acceptance_conditions": "MRO certificate",
         "delivery_place": "Astana", "delivery_dates": ["2025-12-01"], "forfeit": "0.1% a day",
         "termination_grounds": "Civil Code", "liability": "per the contract",
         "payment_term_days": 30, "vat_clause": True}


def item(**extra) -> dict:
    return {"order_ref": "GOV-2025-17", "act_adopted_on": "2025-03-03",
            "subject": "Radio stations R-1", "category": "1", "recipient": "Ministry of Defense",
            "contractor_bin": BIN, "contractor_name": "Qorgan Defense Systems JSC",
            "lines": [{"item": "radio", "quantity": "100", "unit_price": "10000",
                       "deadline": "2025-12-01"}],
            "warranty_until": "2027-12-31", "draft": DRAFT, **extra}


@pytest.fixture
def people(db):
    with unit_of_work() as s:
        ids = {
            "officer": create_user(s, "sdp", "defense_officer", PW, clearance=2).id,
            "low": create_user(s, "sdp.low", "defense_officer", PW, clearance=1).id,
            "plant": create_user(s, "plant", "contractor", PW, bin=BIN, clearance=1).id,
        }
    return {
        "officer": Actor("sdp", Role.DEFENSE_OFFICER, clearance=2, user_id=ids["officer"]),
        "low": Actor("sdp.low", Role.DEFENSE_OFFICER, clearance=1, user_id=ids["low"]),
        "plant": Actor("plant", Role.CONTRACTOR, bin=BIN, clearance=1, user_id=ids["plant"]),
        "other": Actor("other", Role.CONTRACTOR, bin=OTHER_BIN, clearance=3),
        "ids": ids,
    }


def signed(s, p, **extra) -> int:
    case = svc.create_contract(s, p["officer"], item(**extra), at=at("2025-03-04"))
    svc.send(s, p["officer"], case.id, at=at("2025-03-10"))
    svc.receive(s, p["plant"], case.id, at=at("2025-03-11"))
    svc.sign(s, p["plant"], case.id, at=at("2025-03-20"))
    return case.id


def test_terms_run_from_the_act_and_a_late_signature_is_notified_once(people):
    p = people
    with unit_of_work() as s:
        case = svc.create_contract(s, p["officer"], item(), at=at("2025-03-04"))
        cid = case.id
        svc.send(s, p["officer"], cid, at=at("2025-03-13"))             # T2.1 last day
        svc.receive(s, p["plant"], cid, at=at("2025-03-13", 15))
        svc.sign(s, p["plant"], cid, at=at("2025-04-03"))               # T2.2 one day late
        _, contract = svc.get_contract(s, p["officer"], cid)
        rows = {r["term"]: r for r in svc.terms(contract, case, dt.date(2025, 4, 3))}
        assert rows["send"]["due"] == dt.date(2025, 3, 13) and rows["send"]["status"] == "on time"
        assert rows["sign"]["due"] == dt.date(2025, 4, 2) and rows["sign"]["status"] == "late"
        sent = svc.notices(s, cid)
        assert [(n.event, n.key) for n in sent] == [("late_conclusion", "sign")]
        # only the SDP body's people cleared to the contract's level get it
        inbox = s.scalars(select(Notice.user_id).where(Notice.case_id == cid)).all()
        assert set(inbox) == {p["ids"]["officer"], p["ids"]["low"]}


def test_a_draft_with_a_45_day_payment_term_cannot_be_sent(people):
    p = people
    with unit_of_work() as s:
        cid = svc.create_contract(s, p["officer"], item(draft={**DRAFT, "payment_term_days": 45}),
                                  at=at("2025-03-04")).id
    with pytest.raises(InputError) as err, unit_of_work() as s:
        svc.send(s, p["officer"], cid, at=at("2025-03-05"))
    assert err.value.field == "draft.payment_term_days"
    assert err.value.citation.locator == "Art 22 p.8"                   # T2.3
    with unit_of_work() as s:
        svc.update_draft(s, p["officer"], cid, DRAFT, at=at("2025-03-05"))
        assert svc.send(s, p["officer"], cid, at=at("2025-03-05")).state == "sent"


def test_refusal_only_on_a_ground_and_notified(people):
    p = people
    with unit_of_work() as s:
        cid = svc.create_contract(s, p["officer"], item(), at=at("2025-03-04")).id
        svc.send(s, p["officer"], cid, at=at("2025-03-05"))
        svc.receive(s, p["plant"], cid, at=at("2025-03-06"))
    with pytest.raises(InputError) as err, unit_of_work() as s:
        svc.refuse(s, p["plant"], cid, {"ground": "other", "reason": "price too low"},
                   at=at("2025-03-07"))
    assert err.value.field == "ground" and err.value.citation.locator == "Art 22 p.7"
    with unit_of_work() as s:
        case = svc.refuse(s, p["plant"], cid, {"ground": "discontinued"}, at=at("2025-03-07"))
        assert case.state == "refused"
        assert [n.event for n in svc.notices(s, cid)] == ["refusal"]


def test_modifications_are_checked_against_the_contract_and_refusals_kept(people):
    p = people
    line = {"item": "radio", "unit_price": "10000", "deadline": "2025-12-01"}
    with unit_of_work() as s:
        cid = signed(s, p)
        row = modification.request_modification(s, p["officer"], cid, {
            "ground": "quantity_change", "modified_on": "2025-06-01",
            "before": {"value": "1", "lines": []},   # ignored: the contract's own terms count
            "after": {"value": "1260000", "lines": [{**line, "quantity": "120",
                                                     "unit_price": "10500"}]}},
            at=at("2025-06-01"))
        assert not row.allowed                                              # T1.1, price up
        err = modification.refusal_error(row)
        assert err.field == "ground" and err.citation.locator == "Art 23 p.2 sub 3"
        row = modification.request_modification(s, p["officer"], cid, {
            "ground": "quantity_change", "modified_on": "2025-06-01",
            "after": {"value": "1200000", "lines": [{**line, "quantity": "120"}]},
            "changes_approved_order": True}, at=at("2025-06-01"))
        assert not row.allowed
        assert modification.refusal_error(row).citation.locator == "Art 19 p.4"
        assert modification.refusal_error(row).field == "changes_approved_order"
        row = modification.request_modification(s, p["officer"], cid, {
            "ground": "quantity_change", "modified_on": "2025-06-01",
            "after": {"value": "1200000", "lines": [{**line, "quantity": "120"}]}},
            at=at("2025-06-01"))
        assert row.allowed                                                  # T1.1
        _, contract = svc.get_contract(s, p["officer"], cid)
        assert contract.value == 1200000
        assert [n.event for n in svc.notices(s, cid)] == ["amendment"]
        assert s.scalar(select(func.count()).select_from(DefenseModification)) == 3


def test_missed_delivery_job_notifies_once(people):
    p = people
    with unit_of_work() as s:
        cid = signed(s, p)
    assert notify_missed_deliveries_in(at("2025-12-01", 23)) == 0
    assert notify_missed_deliveries_in(at("2025-12-02", 8)) == 1
    assert notify_missed_deliveries_in(at("2025-12-03", 8)) == 0
    run_once(at("2025-12-04", 8))
    with unit_of_work() as s:
        rows = s.scalars(select(DefenseContractNotice).where(
            DefenseContractNotice.case_id == cid)).all()
        assert [(r.event, r.key) for r in rows] == [("missed_delivery", "radio@2025-12-01")]
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # no e-mail set


def notify_missed_deliveries_in(now: dt.datetime) -> int:
    with unit_of_work() as s:
        return notify_missed_deliveries(s, now)


def test_classified_contract_is_not_found_and_its_notice_stays_in_the_system(people):
    p = people
    with unit_of_work() as s:
        cid = svc.create_contract(s, p["officer"], item(secrecy_level=2), at=at("2025-03-04")).id
        for who in ("plant", "low", "other"):
            with pytest.raises(NotFound):
                svc.get_contract(s, p[who], cid)
        assert [r.case.id for r in svc.board(s, p["plant"])] == []
        assert [r.case.id for r in svc.board(s, p["officer"])] == [cid]
        svc.terminate(s, p["officer"], cid, "the item was withdrawn", at=at("2025-03-05"))
        inbox = s.scalars(select(Notice).where(Notice.case_id == cid)).all()
        assert [n.user_id for n in inbox] == [p["ids"]["officer"]]         # not sdp.low
        assert "Radio" not in inbox[0].body
        reads = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "defense.classified_read")).all()
        assert reads, "the officer's board read of a level-2 contract is audited"


def test_execution_gates_acceptance_and_payment(people):
    p = people
    with unit_of_work() as s:
        cid = signed(s, p)
        with pytest.raises(InputError) as err:
            monitoring.add_representative(s, p["officer"], cid, {
                "person": "Maj. Ospanov", "sent_by": "recipient",
                "mandate": "quality_acceptance"}, at=at("2025-04-01"))
        assert err.value.citation.locator == "Art 24 p.2"                 # an MRO is there
        monitoring.add_representative(s, p["officer"], cid, {
            "person": "Maj. Ospanov", "sent_by": "sdp_body", "mandate": "monitoring"},
            at=at("2025-04-01"))
        lot = execution.present_lot(s, p["officer"], cid, {"number": "L1", "lot": {
            "production_complete": True, "set_complete": True, "required_tests": ["qual"],
            "tests_passed": [], "failed_tests": ["qual"]}}, at=at("2025-10-01"))
        assert lot.suspended and lot.suspension_reasons == ["failed_tests"]    # T8.3 (sub 8)
        with pytest.raises(InputError) as err:
            execution.certify_lot(s, p["officer"], cid, "L1", "QC-1", at=at("2025-10-02"))
        assert err.value.citation.locator == "Art 27 p.4 sub 8"
        execution.present_lot(s, p["officer"], cid, {"number": "L1", "lot": {
            "production_complete": True, "set_complete": True, "required_tests": ["qual"]}},
            at=at("2025-10-03"))
        with pytest.raises(InputError) as err:
            execution.certify_lot(s, p["officer"], cid, "L1", "QC-1", at=at("2025-10-04"))
        assert err.value.citation.locator == "Art 27 p.5"                  # T8.2 untested
        with pytest.raises(InputError) as err:
            execution.accept(s, p["officer"], cid, "L1", at=at("2025-10-04"))
        assert err.value.field == "quality_certificate"                    # T8.1 blocked
        execution.present_lot(s, p["officer"], cid, {"number": "L1", "lot": {
            "production_complete": True, "set_complete": True, "required_tests": ["qual"],
            "tests_passed": ["qual"]}}, at=at("2025-10-05"))
        with pytest.raises(InputError) as err:           # the office certifies what it lists
            execution.certify_lot(s, p["officer"], cid, "L1", "QC-1", at=at("2025-10-06"))
        assert err.value.field == "control_list" and err.value.citation.locator == "Art 27 p.2"
        monitoring.develop_control_list(s, p["officer"], cid, {"items": [{"item": "radio"}]},
                                        at=at("2025-10-06"))
        monitoring.approve_control_list(s, p["officer"], cid, at=at("2025-10-06"))
        execution.certify_lot(s, p["officer"], cid, "L1", "QC-1", at=at("2025-10-06"))
        assert execution.accept(s, p["officer"], cid, "L1", at=at("2025-10-07")).state == "accepted"
        svc.assess_penalty(s, p["officer"], cid, {"amount": "5000.00",
                                                  "reason": "late documentation"},
                           at=at("2025-10-08"))
        pen = svc.penalties(s, cid)[0]
        assert pen.credited_to == "republican budget" and pen.recovered_by == "sdp_body"
    run_once(at("2025-11-07", 8))                   # 30 days from 7.10 end on 6.11
    with unit_of_work() as s:
        breach = s.scalars(select(Breach).where(Breach.case_id == cid)).one()
        assert breach.deadline == "pay" and breach.citation == "law-236-VI:Art 22 p.8"
        assert svc.pay(s, p["officer"], cid, at=at("2025-11-07")).state == "fulfilled"


def test_reclamation_within_warranty_only(people):
    p = people
    with unit_of_work() as s:
        cid = signed(s, p, warranty_until="2026-06-30", mro_at_contractor=False)
        execution.present_lot(s, p["officer"], cid, {"number": "L1", "lot": {
            "production_complete": True, "set_complete": True}}, at=at("2025-10-01"))
        execution.accept(s, p["officer"], cid, "L1", at=at("2025-10-02"))     # Art 25 sub 9
    with pytest.raises(InputError) as err, unit_of_work() as s:
        execution.report_defect(s, p["officer"], cid, {"description": "antenna failure",
                                                       "found_on": "2026-07-01"},
                                at=at("2026-07-02"))
    assert err.value.citation.locator == "Art 29 p.1"
    with unit_of_work() as s:
        rec = execution.report_defect(s, p["officer"], cid, {"description": "antenna failure",
                                                             "found_on": "2025-05-01"},
                                      at=at("2025-05-01"))
        plant_inbox = s.scalars(select(Notice).where(Notice.user_id == p["ids"]["plant"])).all()
        assert plant_inbox and plant_inbox[0].basis == "law-236-VI:Art 29 p.1"
        rec = execution.decide_reclamation(s, p["officer"], rec.id, {
            "contractor_at_fault": True, "counterfeit": True,
            "notice_received_on": "2025-05-01", "remedied_on": "2025-05-31"},
            at=at("2025-06-01"))
        assert rec.status == "remedied"                                      # T9.2
        assert rec.outcome["value"]["remedy"] == "unit_replacement"
        assert rec.outcome["value"]["penalty_days"] == 30


def test_reserve_cap_and_replenishment_deadline(people):
    p = people
    with unit_of_work() as s:
        h = reserve.add_holding(s, p["officer"], {
            "holder_bin": BIN, "holder_name": "Qorgan storage", "holder_kind": "storage_facility",
            "sdo_contractor": True, "nomenclature": "fuel, diesel", "unit": "t",
            "available": "1000", "secrecy_level": 1}, at=at("2025-03-01"))
        use = reserve.use_reserve(s, p["plant"], h.id, {"quantity": "250", "used_on": "2025-03-10"},
                                  at=at("2025-03-10"))
        assert use.replenish_by == dt.date(2026, 3, 10)                     # T3.2
        with pytest.raises(InputError) as err:
            reserve.use_reserve(s, p["plant"], h.id, {"quantity": "60"}, at=at("2025-03-11"))
        assert err.value.field == "quantity" and err.value.citation.locator == "Art 24 p.4"
        with pytest.raises(NotFound):
            reserve.get_holding(s, Actor("aud", Role.AUDITOR), h.id)   # clearance 0
        assert reserve.holdings(s, p["other"]) == []
        use_id, use_case = use.id, use.case_id
    run_once(at("2026-03-11", 9))
    with unit_of_work() as s:
        breach = s.scalars(select(Breach).where(Breach.case_id == use_case)).one()
        assert breach.deadline == "replenish"
        row = reserve.replenish(s, p["plant"], use_id, "250", dt.date(2026, 3, 12),
                                at=at("2026-03-12"))
        assert reserve.replenish_status(row, dt.date(2026, 3, 12)) == "late"
        assert get_case_for(s, p["officer"], use_case).state == "replenished"


def test_a_contractor_cannot_act_for_the_state_nor_modify_in_the_wrong_state(people):
    p = people
    with unit_of_work() as s:
        with pytest.raises(Exception) as err:
            svc.create_contract(s, p["plant"], item(), at=at("2025-03-04"))
        assert type(err.value).__name__ == "Forbidden"
        cid = svc.create_contract(s, p["officer"], item(), at=at("2025-03-04")).id
        with pytest.raises(Conflict):
            modification.request_modification(s, p["officer"], cid, {"ground": "price_reduction"},
                                              at=at("2025-03-05"))
        with pytest.raises(NotInForce) as err:
            svc.create_contract(s, p["officer"], item(act_adopted_on="2019-11-01"),
                                at=at("2025-03-04"))
        assert err.value.field == "act_adopted_on"
        assert err.value.citation.locator == "Art 32 p.1"
