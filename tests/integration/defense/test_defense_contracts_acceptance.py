"""Acceptance line by line, the military representatives' control list, information requests,
penalty recovery, search and the audit log of classified contracts, as the service runs them
on SQLite and PostgreSQL (Law 236-VI Art 22 p.8, p.10, p.11; Art 25 sub 6, 9-10; Art 26
sub 1; Art 27 p.2-3, p.6).

Dates are worked by hand from the Law: a contract of two lines is fulfilled by the contractor
when the second line is accepted on 3 November 2025, so full payment is due 30 calendar days
later, on 3 December 2025 (a Wednesday)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as execution
from kzreg.defense import modification_service as modification
from kzreg.defense import monitoring_service as monitoring
from kzreg.defense.jobs import notify_missed_deliveries
from kzreg.law.calendar import ALMATY
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound
from kzreg.law.settings import override
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import AuditEntry
from kzreg.platform.cases import case_events, get_case_for
from kzreg.platform.db import unit_of_work
from kzreg.platform.demo import make_bin
from kzreg.platform.notifications import Notice
from kzreg.platform.users import create_user

BIN = make_bin("0907", "00315")
OTHER_BIN = make_bin("1503", "01234")
PW = "correct horse battery"
DRAFT = {"subject_matter": "Radio stations R-1", "validity_period": "to 31.01.2026",
         "quality_control_conditions": "MRO control", "acceptance_conditions": "MRO certificate",
         "delivery_place": "Astana", "delivery_dates": ["2025-10-01"], "forfeit": "0.1% a day",
         "termination_grounds": "Civil Code", "liability": "per the contract",
         "payment_term_days": 30, "vat_clause": True}
RADIO = {"item": "radio", "quantity": "100", "unit_price": "10000", "deadline": "2025-10-01"}
ANTENNA = {"item": "antenna", "quantity": "10", "unit_price": "2500.50",
           "deadline": "2026-01-15"}
GOOD_LOT = {"production_complete": True, "set_complete": True}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ALMATY)


def item(**extra) -> dict:
    return {"order_ref": "GOV-2025-17", "act_adopted_on": "2025-03-03",
            "subject": "Radio stations R-1", "category": "1", "recipient": "Ministry of Defense",
            "contractor_bin": BIN, "contractor_name": "Qorgan Defense Systems JSC",
            "lines": [RADIO, ANTENNA], "warranty_until": "2027-12-31", "draft": DRAFT, **extra}


@pytest.fixture
def p(db):
    with unit_of_work() as s:
        ids = {"officer": create_user(s, "sdp", "defense_officer", PW, clearance=2).id,
               "plant": create_user(s, "plant", "contractor", PW, bin=BIN, clearance=1).id}
    return {
        "officer": Actor("sdp", Role.DEFENSE_OFFICER, clearance=2, user_id=ids["officer"]),
        "plant": Actor("plant", Role.CONTRACTOR, bin=BIN, clearance=1, user_id=ids["plant"]),
        "rival": Actor("rival", Role.CONTRACTOR, bin=OTHER_BIN, clearance=3),
        "chief": Actor("plant.chief", Role.CONTRACTOR, bin=BIN, clearance=2),
        "ids": ids,
    }


def signed(s, p, who: str = "plant", **extra) -> int:
    cid = svc.create_contract(s, p["officer"], item(**extra), at=at("2025-03-04")).id
    svc.send(s, p["officer"], cid, at=at("2025-03-10"))
    svc.receive(s, p[who], cid, at=at("2025-03-11"))
    svc.sign(s, p[who], cid, at=at("2025-03-20"))
    return cid


def listed(s, p, cid: int, day: str = "2025-04-01") -> None:
    monitoring.develop_control_list(s, p["officer"], cid, {"items": [{"item": "radio"},
                                                            {"item": "antenna"}]}, at=at(day))
    monitoring.approve_control_list(s, p["officer"], cid, at=at(day))


def deliver(s, p, cid: int, number: str, items: list[str], day: str):
    execution.present_lot(s, p["officer"], cid, {"number": number, "items": items, "lot": GOOD_LOT},
                          at=at(day))
    execution.certify_lot(s, p["officer"], cid, number, f"QC-{number}", at=at(day))
    return execution.accept(s, p["officer"], cid, number, at=at(day, 15))


def test_each_line_is_accepted_on_its_own_and_the_payment_term_runs_from_the_last(p):
    with unit_of_work() as s:
        cid = signed(s, p)
        listed(s, p, cid)
        case = deliver(s, p, cid, "L1", ["radio"], "2025-10-07")
        assert case.state == "in_execution"                  # one line of two: not fulfilled
        _, contract = svc.get_contract(s, p["officer"], cid)
        assert contract.accepted_on is None
        pay = {r["term"]: r for r in svc.terms(contract, case, dt.date(2025, 10, 7))}["pay"]
        assert pay["status"] == "not started"
        with pytest.raises(Conflict) as err:                 # an accepted line is done
            execution.present_lot(s, p["officer"], cid, {"number": "L9", "items": ["radio"]},
                                  at=at("2025-10-08"))
        assert err.value.field == "items"
        with pytest.raises(InputError) as err:
            execution.present_lot(s, p["officer"], cid, {"number": "L9", "items": ["radar"]},
                                  at=at("2025-10-08"))
        assert err.value.citation.locator == "Art 22 p.11"
    # the radio line's deadline (1 October) passed, but the line is accepted: nothing missed
    with unit_of_work() as s:
        assert notify_missed_deliveries(s, at("2025-10-08", 8)) == 0
    with unit_of_work() as s:
        with pytest.raises(Conflict) as err:                 # nor re-priced afterwards
            modification.request_modification(s, p["officer"], cid, {
                "ground": "quantity_change", "after": {"value": "1125005.00", "lines": [
                    {**RADIO, "quantity": "110"}, ANTENNA]}}, at=at("2025-10-09"))
        assert err.value.field == "after.lines"
        row = modification.request_modification(s, p["officer"], cid, {
            "ground": "quantity_change", "after": {"value": "1030006.00", "lines": [
                RADIO, {**ANTENNA, "quantity": "12"}]}}, at=at("2025-10-09"))
        assert row.allowed and row.value_after == Decimal("1030006.00")   # + 2 × 2500.50
        # no line named: the lot delivers every line not yet accepted
        lot = execution.present_lot(s, p["officer"], cid, {"number": "L2", "lot": GOOD_LOT},
                                    at=at("2025-11-03"))
        assert lot.items == ["antenna"]
        execution.certify_lot(s, p["officer"], cid, "L2", "QC-L2", at=at("2025-11-03"))
        case = execution.accept(s, p["officer"], cid, "L2", at=at("2025-11-03", 15))
        assert case.state == "accepted"
        _, contract = svc.get_contract(s, p["officer"], cid)
        assert contract.accepted_on == dt.date(2025, 11, 3)
        pay = {r["term"]: r for r in svc.terms(contract, case, dt.date(2025, 11, 3))}["pay"]
        assert (pay["due"], pay["citation"]) == (dt.date(2025, 12, 3), "law-236-VI:Art 22 p.8")
        accepted = svc.accepted_items(s, [cid])[cid]
        assert {k: (v.lot_number, v.accepted_on) for k, v in accepted.items()} == {
            "radio": ("L1", dt.date(2025, 10, 7)), "antenna": ("L2", dt.date(2025, 11, 3))}
        history = [e.transition for e in case_events(s, p["officer"], cid)]
        assert history[-4:] == ["accept_line", "amend", "accept_line", "accept"]


def test_the_control_list_needs_an_office_and_the_contract_party_approves_it(p):
    with unit_of_work() as s:
        cid = signed(s, p, contract_party="recipient")
        with pytest.raises(InputError) as err:
            monitoring.develop_control_list(s, p["officer"], cid, {"items": [{"item": "tank"}]},
                                            at=at("2025-04-01"))
        assert err.value.field == "items" and err.value.citation.locator == "Art 27 p.2"
        with pytest.raises(Forbidden):
            monitoring.develop_control_list(s, p["plant"], cid, {"items": [{"item": "radio"}]},
                                            at=at("2025-04-01"))
        monitoring.develop_control_list(s, p["officer"], cid, {"items": [{"item": "radio"}]},
                                        at=at("2025-04-01"))
        row = monitoring.approve_control_list(s, p["officer"], cid, at=at("2025-04-02"))
        assert (row.approver, row.approved_on) == ("recipient", dt.date(2025, 4, 2))
        execution.present_lot(s, p["officer"], cid, {"number": "L1", "lot": GOOD_LOT},
                              at=at("2025-10-01"))
        with pytest.raises(InputError) as err:       # the antenna is not under its control
            execution.certify_lot(s, p["officer"], cid, "L1", "QC-1", at=at("2025-10-01"))
        assert err.value.field == "control_list" and "antenna" in err.value.message
        listed(s, p, cid, "2025-10-02")              # a new version, approved again
        execution.certify_lot(s, p["officer"], cid, "L1", "QC-1", at=at("2025-10-02"))
        sss = signed(s, p, for_state_security_service=True)
        with pytest.raises(InputError) as err:
            monitoring.develop_control_list(s, p["officer"], sss, {"items": [{"item": "radio"}]},
                                            at=at("2025-04-01"))
        assert err.value.citation.locator == "Art 27 p.6"
        # without an office the recipient accepts under the contract's terms, line by line
        plain = signed(s, p, mro_at_contractor=False)
        execution.present_lot(s, p["officer"], plain, {"number": "P1", "lot": GOOD_LOT},
                              at=at("2025-10-03"))
        with pytest.raises(InputError) as err:
            execution.certify_lot(s, p["officer"], plain, "P1", "QC-P1", at=at("2025-10-03"))
        assert err.value.citation.locator == "Art 25 sub 9"
        case = execution.accept(s, p["officer"], plain, "P1", at=at("2025-10-03"))
        assert case.state == "accepted"


def test_information_requests_rest_on_their_clause_and_carry_no_invented_term(p):
    with unit_of_work() as s:
        cid = signed(s, p)
        row = monitoring.request_information(s, p["officer"], cid, {
            "requester": "sdp_body", "subject": "the production schedule"},
            at=at("2025-05-05"))
        assert (row.basis, row.reply_by) == ("law-236-VI:Art 26 sub 1", None)
        inbox = s.scalars(select(Notice).where(Notice.user_id == p["ids"]["plant"])).all()
        assert [n.basis for n in inbox] == ["law-236-VI:Art 26 sub 1"]
        with pytest.raises(InputError) as err:
            monitoring.request_information(s, p["officer"], cid, {
                "requester": "recipient", "purpose": "actual_costs", "subject": "costs"},
                at=at("2025-05-05"))
        assert err.value.field == "purpose" and err.value.citation.locator == "Art 26 sub 1"
        with pytest.raises(InputError) as err:
            monitoring.request_information(s, p["officer"], cid, {
                "requester": "military_representatives", "subject": "anything at all"},
                at=at("2025-05-05"))
        assert err.value.field == "purpose" and err.value.citation.locator == "Art 27 p.3"
        costs = monitoring.request_information(s, p["officer"], cid, {
            "requester": "military_representatives", "purpose": "actual_costs",
            "subject": "actual costs of the housings", "reply_by": "2025-05-10"},
            at=at("2025-05-05"))
        assert costs.basis == "law-236-VI:Art 27 p.3 sub 8"
        with pytest.raises(InputError) as err:
            monitoring.request_information(s, p["officer"], cid, {
                "requester": "sdp_body", "subject": "schedule", "reply_by": "2025-05-05"},
                at=at("2025-05-05"))
        assert err.value.field == "reply_by"
        with pytest.raises(NotFound):
            monitoring.answer_information(s, p["rival"], costs.id, "not mine", at=at("2025-05-12"))
        with pytest.raises(Forbidden):
            monitoring.answer_information(s, Actor("aud", Role.AUDITOR, clearance=3), costs.id,
                                          "x", at=at("2025-05-12"))
        monitoring.answer_information(s, p["plant"], costs.id, "statement No 4",
                                      at=at("2025-05-12"))
        status = monitoring.request_status(costs, dt.date(2025, 5, 12))
        assert status == "answered after the reply date"
        with pytest.raises(Conflict):
            monitoring.answer_information(s, p["plant"], costs.id, "again", at=at("2025-05-13"))
        assert monitoring.request_status(row, dt.date(2026, 1, 1)) == "open"  # no term: never late
        plain = signed(s, p, mro_at_contractor=False)
        with pytest.raises(InputError) as err:
            monitoring.request_information(s, p["officer"], plain, {
                "requester": "military_representatives", "purpose": "actual_costs",
                "subject": "costs"}, at=at("2025-05-05"))
        assert err.value.field == "requester"
        # a term an administrator loads from the rules is counted in calendar days
        with override(defense__information_request_term="10"):
            row = monitoring.request_information(s, p["officer"], cid, {
                "requester": "recipient", "subject": "the staff list"}, at=at("2025-05-05"))
        assert row.reply_by == dt.date(2025, 5, 15)


def test_penalties_are_recovered_once_and_summed_exactly(p):
    with unit_of_work() as s:
        cid = signed(s, p)
        other = signed(s, p)
        first = svc.assess_penalty(s, p["officer"], cid, {"amount": "5000.10",
                                                          "reason": "late documents"},
                                   at=at("2025-06-01"))
        svc.assess_penalty(s, p["officer"], cid, {"amount": "1234.5", "reason": "late lot"},
                           at=at("2025-06-02"))
        with pytest.raises(InputError) as err:
            svc.assess_penalty(s, p["officer"], cid, {"amount": "1.005", "reason": "tiyn"},
                               at=at("2025-06-02"))
        assert err.value.field == "amount"
        with pytest.raises(NotFound):
            svc.recover_penalty(s, p["officer"], first.id, case_id=other, at=at("2025-06-10"))
        with pytest.raises(Forbidden):
            svc.recover_penalty(s, p["plant"], first.id, at=at("2025-06-10"))
        with pytest.raises(InputError) as err:
            svc.recover_penalty(s, p["officer"], first.id, dt.date(2025, 5, 31),
                                at=at("2025-06-10"))
        assert err.value.field == "recovered_on"
        svc.recover_penalty(s, p["officer"], first.id, case_id=cid, at=at("2025-06-10"))
        assert first.recovered_on == dt.date(2025, 6, 10)
        with pytest.raises(Conflict):
            svc.recover_penalty(s, p["officer"], first.id, at=at("2025-06-11"))
        sums = svc.penalty_sums(svc.penalties(s, cid))
        assert (svc.tenge(sums.assessed), svc.tenge(sums.recovered),
                svc.tenge(sums.outstanding)) == ("6234.60", "5000.10", "1234.50")
        assert first.credited_to == "republican budget"
        with pytest.raises(InputError) as err:                 # a value finer than a tiyn
            svc.create_contract(s, p["officer"], item(lines=[
                {**RADIO, "quantity": "3", "unit_price": "1000.005"}]), at=at("2025-03-04"))
        assert err.value.field == "lines"


def test_search_stays_within_clearance_and_a_classified_contract_stays_out_of_the_audit(p):
    with unit_of_work() as s:
        secret = signed(s, p, "chief", secrecy_level=2, subject="Radar Kestrel-7")
        plain = signed(s, p)
        modification.request_modification(s, p["officer"], secret, {
            "ground": "quantity_change", "after": {"value": "1035010.00", "lines": [
                RADIO, {**ANTENNA, "quantity": "14"}]}}, at=at("2025-06-01"))
        assert [r.case.id for r in svc.board(s, p["officer"], "kestrel")] == [secret]
        assert [r.case.id for r in svc.board(s, p["plant"], "kestrel")] == []
        assert [r.case.id for r in svc.board(s, p["plant"], "radio")] == [plain]
        assert [r.case.id for r in svc.board(s, p["plant"], BIN)] == [plain]
        assert secret in [r.case.id for r in svc.board(s, p["officer"], str(secret))]
        assert [r.case.id for r in svc.board(s, p["officer"], "50%_")] == []
        assert {r.case.id for r in svc.board(s, p["officer"], state="in_execution")} \
            == {secret, plain}
        with pytest.raises(InputError) as err:
            svc.board(s, p["officer"], state="lost")
        assert err.value.field == "state"
        assert get_case_for(s, p["officer"], secret).title == "Radar Kestrel-7"
    with unit_of_work() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert all("Kestrel" not in e.data and "antenna" not in e.data
                   for e in entries if e.case_id == secret)
        opened = [e for e in entries if e.case_id == plain and e.action == "case.opened"]
        assert opened[0].payload["title"] == "Radio stations R-1"
        reads = [e.payload["what"] for e in entries if e.action == "defense.classified_read"]
        assert f"contracts search: {secret}" in reads
