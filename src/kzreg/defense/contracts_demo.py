"""Demo contracts of the state defense order (synthetic; secrecy levels are only labels):
twelve contracts in every state of Law 236-VI Art 22 — to be sent (one late), sent, to be
signed, in execution (one with a refused and an allowed modification, a suspended lot and
information requests; one with a missed delivery and another line already accepted),
accepted, fulfilled with a reclamation and two penalties (one recovered), refused on a valid
ground, terminated — at levels 0 to 2, with the military representatives' control lists
(Art 27 p.2), and the state material reserve with two holdings and a use (Art 24 p.4).
Dates count back from today, so the terms are live.

The demo user `defense` (clearance 2) acts for the state, `contractor` (Qorgan, clearance 1)
for its company: it never sees the top-secret contracts, not even the one naming its BIN.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kzreg.defense import contracts_service as svc
from kzreg.defense import execution_service as execution
from kzreg.defense import modification_service as modification
from kzreg.defense import monitoring_service as monitoring
from kzreg.defense import reserve_service as reserve
from kzreg.defense.contracts_models import DefenseContract
from kzreg.law.calendar import ALMATY, local_date
from kzreg.platform.actors import Actor, Role
from kzreg.platform.demo import COMPANIES, make_bin
from kzreg.platform.users import find_user

QORGAN = next(c for c in COMPANIES if c.key == "qorgan")
IRBIS = ("Irbis Radio Systems JSC", make_bin("0911", "10045"))
MOD = "Ministry of Defense (demo)"
DRAFT = {"validity_period": "until the last delivery and the warranty",
         "quality_control_conditions": "control by the military representative office",
         "acceptance_conditions": "on the MRO quality certificate (Art 25 sub 10)",
         "delivery_place": "Astana, unit 00000 (demo)", "forfeit": "0.1% of the value a day",
         "termination_grounds": "material breach; the item leaving the order",
         "liability": "under the Civil Code", "payment_term_days": 30, "vat_clause": True}


def _actor(session: Session, username: str, fallback: Actor) -> Actor:
    user = find_user(session, username)
    return user.actor() if user is not None else fallback


def load(session: Session) -> str | None:
    if session.scalar(select(func.count()).select_from(DefenseContract)):
        return None
    today = local_date(svc.now_utc())
    officer = _actor(session, "defense", Actor("defense", Role.DEFENSE_OFFICER, clearance=2))
    qorgan = _actor(session, "contractor", Actor("contractor", Role.CONTRACTOR,
                                                 bin=QORGAN.bin, clearance=1))
    irbis = Actor("irbis.demo", Role.CONTRACTOR, bin=IRBIS[1], clearance=3)

    def at(days_ago: int, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour), ALMATY)

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    def contract(subject: str, act_days_ago: int, *, level: int = 0, who=QORGAN,
                 lines=None, **extra) -> int:
        bin_, name = (who.bin, who.name) if who is QORGAN else (who[1], who[0])
        lines = lines or [{"item": subject.split(",")[0], "quantity": "50",
                           "unit_price": "120000", "deadline": day(200)}]
        item = {"order_ref": f"GOV-DEMO-{today.year}-01", "act_adopted_on":
                (today - dt.timedelta(days=act_days_ago)).isoformat(), "subject": subject,
                "category": "1", "recipient": MOD, "contractor_bin": bin_,
                "contractor_name": name, "secrecy_level": level, "lines": lines,
                "warranty_until": day(900), "draft": {**DRAFT, "subject_matter": subject,
                                                      "delivery_dates": [lines[0]["deadline"]]},
                **extra}
        return svc.create_contract(session, officer, item, at=at(act_days_ago, 11)).id

    def control(cid: int, days_ago: int) -> None:
        """The military representatives' list of every line, approved (Art 27 p.2)."""
        _, row = svc.get_contract(session, officer, cid)
        monitoring.develop_control_list(session, officer, cid, {"items": [
            {"item": x["item"]} for x in row.lines]}, at=at(days_ago))
        monitoring.approve_control_list(session, officer, cid, at=at(days_ago - 1))

    def conclude(cid: int, sent: int, received: int, signed: int | None, contractor=qorgan):
        svc.send(session, officer, cid, at=at(sent))
        svc.receive(session, contractor, cid, at=at(received))
        if signed is not None:
            svc.sign(session, contractor, cid, at=at(signed))

    contract("Field radio stations R-1, demo", 3)                                 # to send
    contract("Night vision devices, demo", 16)                            # send term passed
    conclude(contract("Tactical headsets, demo", 9), 5, 4, None)   # received: sign running
    sent = contract("Encrypted tablets, demo", 8, level=1)
    svc.send(session, officer, sent, at=at(6))                                      # sent
    # in execution: a refused modification (the unit price rises), an allowed one, a
    # representative and a lot suspended on failed tests
    line = {"item": "Armoured vehicle cabin", "unit_price": "1500000", "deadline": day(120)}
    cabin = contract("Armoured vehicle cabins, demo", 120, lines=[{**line, "quantity": "20"}])
    conclude(cabin, 112, 111, 100)
    modification.request_modification(session, officer, cabin, {
        "ground": "quantity_change", "after": {"value": "37800000", "lines": [
            {**line, "quantity": "24", "unit_price": "1575000"}]}}, at=at(40))
    modification.request_modification(session, officer, cabin, {
        "ground": "quantity_change", "after": {"value": "36000000", "lines": [
            {**line, "quantity": "24"}]}}, at=at(39))
    monitoring.add_representative(session, officer, cabin, {
        "person": "Maj. A. Ospanov (demo)", "sent_by": "sdp_body", "mandate": "monitoring"},
        at=at(30))
    control(cabin, 35)
    execution.present_lot(session, officer, cabin, {"number": "C-1", "lot": {
        "production_complete": True, "set_complete": True, "required_tests": ["acceptance"],
        "failed_tests": ["acceptance"]}}, at=at(5))
    asked = monitoring.request_information(session, officer, cabin, {
        "requester": "military_representatives", "purpose": "actual_costs",
        "subject": "Actual costs of the cabin steel for the price verification (demo)"},
        at=at(20))
    monitoring.answer_information(session, qorgan, asked.id, "Cost statement No 14 attached (demo)",
                                  at=at(15))
    monitoring.request_information(session, officer, cabin, {
        "requester": "sdp_body", "subject": "Production schedule to the end of the year (demo)",
        "reply_by": day(-2)}, at=at(12))
    # in execution, a delivery deadline missed (notified to the SDP body)
    late = contract("Spare parts for radar sets, demo", 150, lines=[
        {"item": "Radar spare part kit", "quantity": "10", "unit_price": "800000",
         "deadline": day(-10)},
        {"item": "Radar antenna unit", "quantity": "2", "unit_price": "2500000.50",
         "deadline": day(60)}])
    conclude(late, 145, 144, 130)
    control(late, 120)                      # the antenna unit is accepted, the kit is late
    execution.present_lot(session, officer, late, {"number": "A-1", "items": ["Radar antenna unit"],
                                                   "lot": {"production_complete": True,
                                                           "set_complete": True}}, at=at(30))
    execution.certify_lot(session, officer, late, "A-1", "QC-DEMO-0020", at=at(29))
    execution.accept(session, officer, late, "A-1", at=at(28))
    svc.record_missed_delivery(session, officer, late, "Radar spare part kit",
                               today - dt.timedelta(days=10), at=at(9))
    # top secret, naming Qorgan's BIN: its clearance-1 user never sees it
    secret = contract("Air defense radar components, demo", 60, level=2)
    svc.send(session, officer, secret, at=at(55))
    radios = contract("Secure radio relay, demo", 90, level=2, who=IRBIS)
    conclude(radios, 85, 84, 70, contractor=irbis)
    # accepted: the 30 days to pay run
    helmets = contract("Ballistic helmets, demo", 200, lines=[
        {"item": "Helmet", "quantity": "1000", "unit_price": "90000", "deadline": day(-5)}])
    conclude(helmets, 195, 194, 180)
    control(helmets, 150)
    execution.present_lot(session, officer, helmets, {"number": "H-1", "lot": {
        "production_complete": True, "set_complete": True, "required_tests": ["ballistic"],
        "tests_passed": ["ballistic"]}}, at=at(12))
    execution.certify_lot(session, officer, helmets, "H-1", "QC-DEMO-0012", at=at(11))
    execution.accept(session, officer, helmets, "H-1", at=at(10))
    # fulfilled, then a defect within warranty: counterfeit component, unit replacement
    vests = contract("Body armour vests, demo", 300, lines=[
        {"item": "Vest", "quantity": "500", "unit_price": "150000", "deadline": day(-120)}])
    conclude(vests, 295, 294, 280)
    control(vests, 250)
    execution.present_lot(session, officer, vests, {"number": "V-1", "lot": {
        "production_complete": True, "set_complete": True}}, at=at(130))
    execution.certify_lot(session, officer, vests, "V-1", "QC-DEMO-0007", at=at(129))
    execution.accept(session, officer, vests, "V-1", at=at(128))
    svc.pay(session, officer, vests, at=at(110))
    rec = execution.report_defect(session, officer, vests, {
        "description": "plates cracked at the first inspection", "found_on": day(-40)},
        at=at(40))
    execution.decide_reclamation(session, officer, rec.id, {
        "contractor_at_fault": True, "counterfeit": True, "notice_received_on": day(-39),
        "remedied_on": day(-9)}, at=at(8))
    svc.assess_penalty(session, officer, vests, {
        "amount": "750000", "reason": "30 days of remedial actions (Art 29 p.6; demo rate)"},
        at=at(7))
    late_docs = svc.assess_penalty(session, officer, vests, {
        "amount": "12500.50", "reason": "late delivery documents (demo rate)"}, at=at(100))
    svc.recover_penalty(session, officer, late_docs.id, today - dt.timedelta(days=90),
                        at=at(90))
    # refused on a valid ground; terminated
    gone = contract("Legacy radio modules, demo", 30)
    conclude(gone, 28, 27, None)
    svc.refuse(session, qorgan, gone, {"ground": "discontinued",
                                       "reason": "the modules are no longer produced"},
               at=at(25))
    dropped = contract("Training simulators, demo", 50)
    conclude(dropped, 45, 44, 40)
    svc.terminate(session, officer, dropped, "the item left the order by Government act",
                  at=at(20))
    # the state material reserve
    fuel = reserve.add_holding(session, officer, {
        "holder_bin": QORGAN.bin, "holder_name": "Qorgan reserve storage (demo)",
        "holder_kind": "storage_facility", "sdo_contractor": True,
        "nomenclature": "Diesel fuel (demo)", "unit": "t", "available": "1000"}, at=at(100))
    reserve.use_reserve(session, officer, fuel.id, {"quantity": "250", "used_on": day(-60),
                                                    "contract_case_id": cabin}, at=at(60))
    reserve.add_holding(session, officer, {
        "holder_bin": IRBIS[1], "holder_name": "Reserve depot No 0 (demo)",
        "holder_kind": "mobilization_order_organization", "sdo_contractor": True,
        "nomenclature": "Ammunition, 152 mm (demo)", "unit": "pcs", "available": "20000",
        "secrecy_level": 2}, at=at(100))
    _record_breaches(session)
    return "defense contracts: 12 contracts, 2 reserve holdings, 1 reserve use"


def _record_breaches(session: Session) -> None:
    """Terms that ran out in the demo's past are breaches at once, as the worker would."""
    from kzreg.platform.timers import PENDING, Timer
    from kzreg.platform.worker import handle_timer

    now = svc.now_utc()
    for timer_id in session.scalars(select(Timer.id).where(Timer.status == PENDING,
                                                           Timer.due_at <= now)):
        handle_timer(session, timer_id, now)
