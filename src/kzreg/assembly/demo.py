"""Demo agreements: car, truck, bus and trailer makers with agreements in every state.

`load(session)` is idempotent (nothing is added when agreements exist). The stories run
through the real service, with the dates of their events: agreements concluded under
Order 493 in 2021, requests under Law 86-VII counted back from today so that their
deadlines are still running. Automatic steps (deemed refusal, end of a remedy period,
termination after notice) are fired as the worker fires them, at their due time.
Not shown: "expired", which no agreement can reach before 2040 (Std §19).

Users: `manufacturer` (Steppe Motors, cars), `manufacturer2` (Altyn Machinery, trucks and
buses), `industry` (the authorized body). Two companies without users are added here:
Ertis Bus Works (buses) and Dala Trailers (trailers, FEACN 8716, Appendix 4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kzreg.assembly import service
from kzreg.assembly.workflow import CASE_TYPE
from kzreg.law.calendar import ALMATY, add_working_days, local_date
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.cases import Case, fire
from kzreg.platform.demo import make_bin
from kzreg.platform.timers import PENDING, Timer
from kzreg.platform.users import find_user

ERTIS = ("Ertis Bus Works LLP", make_bin("1702", "03311"))
DALA = ("Dala Trailers LLP", make_bin("1909", "05120"))

CAR_CLAIMS = [{"item": "1"}, {"item": "4"}, {"item": "8.1", "origin": "KZ"},
              {"item": "8.4", "origin": "CN", "incompatibility_documented": True},
              {"item": "10.2", "quantity": "0.12"}]
HEAVY_CLAIMS = [{"item": "1"}, {"item": "7.2", "origin": "BY",
                                "incompatibility_documented": True},
                {"item": "7.37", "origin": "KZ"}]


def _at(day: dt.date, hour: int = 11) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ALMATY)


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class _Story:
    def __init__(self, session: Session, officer: Actor) -> None:
        self.s, self.officer = session, officer
        self.today = local_date(service.now_utc())

    def back(self, n: int) -> dt.date:
        """The n-th working day before today."""
        return add_working_days(self.today, -n)

    def apply(self, maker: Actor, day: dt.date, *, route: str, vehicle: str, code: str,
              name: str, company: str, claims=None, bin: str | None = None) -> int:
        docs = [d["id"] for d in service.checklist_for(route)["documents"]]
        case = service.apply(self.s, maker, route=route, vehicle=vehicle, feacn_code=code,
                             vehicle_name=name, company=company, documents=docs,
                             claims=claims or [], bin=bin, at=_at(day))
        return case.id

    def act(self, actor: Actor, case_id: int, transition: str, day: dt.date,
            payload: dict[str, Any] | None = None) -> None:
        service.act(self.s, actor, case_id, transition, payload or {}, at=_at(day))

    def lapse(self, case_id: int, name: str) -> None:
        """Fire what the worker fires when the deadline `name` runs out, at its due time."""
        timer = self.s.scalars(select(Timer).where(Timer.case_id == case_id,
                                                   Timer.name == name,
                                                   Timer.status == PENDING)).one()
        timer.status, timer.fired_at, timer.outcome = "fired", timer.due_at, timer.on_expiry
        fire(self.s, case_id, timer.on_expiry, actor=SYSTEM, at=timer.due_at,
             detail={"deadline": name, "demo": True})

    def draft(self, case_id: int, day: dt.date, code: str, name: str) -> None:
        self.act(self.officer, case_id, "send_draft", day, {"schedule": [
            {"feacn_code": code, "vehicle_name": name,
             "operations": "welding, painting and assembly of the body (cab); the "
                           "operations of R §8", "deadline": "from the conclusion"}]})

    def conclude(self, maker: Actor, day: dt.date, number: str, **kw: Any) -> int:
        """Request on `day`, draft 5 working days later, signed 3 later, registered 2 later."""
        cid = self.apply(maker, day, **kw)
        sent = add_working_days(day, 5)
        self.draft(cid, sent, kw["code"], kw["name"])
        signed = add_working_days(sent, 3)
        self.act(maker, cid, "sign", signed)
        self.act(self.officer, cid, "register", add_working_days(signed, 2),
                 {"registration_number": number})
        return cid


def load(session: Session) -> str | None:
    if session.scalar(select(func.count()).select_from(Case)
                      .where(Case.case_type == CASE_TYPE)):
        return None
    officer_user = find_user(session, "industry")
    maker_user, maker2_user = find_user(session, "manufacturer"), find_user(session,
                                                                             "manufacturer2")
    if not (officer_user and maker_user and maker2_user):
        return None
    officer = officer_user.actor()
    cars, heavy = maker_user.actor(), maker2_user.actor()
    ertis = Actor("ertis.demo", Role.MANUFACTURER, bin=ERTIS[1])
    dala = Actor("dala.demo", Role.MANUFACTURER, bin=DALA[1])
    st = _Story(session, officer)
    steppe, altyn = "Steppe Motors LLP", "Altyn Machinery LLP"
    car = {"route": "new_entrant", "vehicle": "car", "code": "8703", "company": steppe,
           "claims": CAR_CLAIMS}
    truck = {"route": "new_entrant", "vehicle": "truck", "code": "8704", "company": altyn,
             "claims": HEAVY_CLAIMS}
    bus = {**truck, "vehicle": "bus", "code": "8702"}
    law_car = {**car, "route": "law_scored_vehicles"}
    law_truck = {**truck, "route": "law_scored_vehicles"}
    law_bus = {**bus, "route": "law_scored_vehicles"}

    # Steppe Motors: cars
    active = st.conclude(cars, _d("2021-02-01"), "IA-21/001", name="Steppe S1 sedan", **car)
    st.act(officer, active, "inspect", _d("2021-06-01"), {"held_on": "2021-06-01",
                                                          "findings": "welding line seen"})
    st.act(officer, active, "send_opinion", _d("2021-06-03"), {"opinion": "performed"})
    st.act(officer, active, "record_benefit", _d("2022-03-01"),
           {"granted_on": "2022-02-15", "kind": "investment preference (customs duty)",
            "amount": "48500000.00"})
    update = st.conclude(cars, _d("2021-04-01"), "IA-21/002", name="Steppe X3 crossover",
                         **car)
    st.act(cars, update, "request_letter_update", st.back(2), {
        "claims": [*CAR_CLAIMS, {"item": "8.6", "origin": "KZ"}],
        "documents": ["tyre supply contract"]})
    st.apply(cars, st.back(2), name="Steppe E1 electric", **law_car)
    visit = st.apply(cars, st.back(4), name="Steppe V7 van", **law_car)
    st.act(officer, visit, "schedule_visit", st.back(1),
           {"visit_on": add_working_days(st.back(1), 3).isoformat()})
    draft = st.apply(cars, st.back(12), name="Steppe P2 pickup", **law_car)
    st.draft(draft, st.back(2), "8703", "Steppe P2 pickup")
    refused = st.apply(cars, _d("2021-05-04"), name="Steppe R9 roadster", **car)
    st.act(officer, refused, "refuse", _d("2021-05-12"), {
        "grounds": ["inaccurate_documents"],
        "reasons": "the type approval submitted is for another model"})
    declined = st.apply(cars, _d("2021-06-01"), name="Steppe M2 minivan", **car)
    st.draft(declined, _d("2021-06-08"), "8703", "Steppe M2 minivan")
    st.act(cars, declined, "decline", _d("2021-06-15"),
           {"reasons": "the model will be assembled abroad"})
    deemed = st.apply(cars, _d("2021-07-01"), name="Steppe C1 city car", **car)
    st.draft(deemed, _d("2021-07-08"), "8703", "Steppe C1 city car")
    st.lapse(deemed, "sign")
    withdrawal = st.conclude(cars, _d("2021-08-02"), "IA-21/005", name="Steppe L5 limousine",
                             **car)
    st.act(cars, withdrawal, "notice_withdrawal", st.back(3),
           {"reasons": "production of the model ends"})

    # Altyn Machinery: trucks and buses
    st.conclude(heavy, _d("2021-03-15"), "IA-21/003", name="Altyn T40 truck", **truck)
    insp = st.conclude(heavy, _d("2021-05-03"), "IA-21/004", name="Altyn D20 dump truck",
                       **truck)
    st.act(officer, insp, "inspect", st.back(1), {"held_on": st.back(1).isoformat(),
                                                   "findings": "cab welding checked"})
    remedy = st.conclude(heavy, _d("2021-06-01"), "IA-21/006", name="Altyn B12 city bus",
                         **bus)
    st.act(officer, remedy, "notify_violation", st.back(10),
           {"violations": ["the painting line for bus bodies stopped (R-App1 2.7)"]})
    unremedied = st.conclude(heavy, _d("2021-07-01"), "IA-21/007", name="Altyn F8 flatbed",
                             **truck)
    st.act(officer, unremedied, "notify_violation", _d("2026-05-04"),
           {"violations": ["the threshold of period 2 (5,000 points) is not reached"]})
    st.lapse(unremedied, "remedy")
    noticed = st.conclude(heavy, _d("2021-09-01"), "IA-21/008", name="Altyn B9 coach", **bus)
    st.act(officer, noticed, "notify_violation", _d("2026-03-02"),
           {"violations": ["welding of bus bodies moved to a subcontractor abroad"]})
    st.lapse(noticed, "remedy")
    st.act(officer, noticed, "notice_termination", st.back(5),
           {"ground": "unremedied_violations", "reasons": "violations not eliminated"})
    due = st.conclude(heavy, _d("2021-10-01"), "IA-21/009", name="Altyn T30 tractor unit",
                      **{**truck, "vehicle": "truck_tractor", "code": "870120101"})
    st.act(officer, due, "record_benefit", _d("2022-05-10"),
           {"granted_on": "2022-05-04", "kind": "investment subsidy",
            "amount": "12000000.00"})
    st.act(officer, due, "notice_termination", _d("2025-09-01"),
           {"ground": "non_fulfilment", "reasons": "no trucks assembled since 2024"})
    st.lapse(due, "termination")
    ended = st.conclude(heavy, _d("2021-11-01"), "IA-21/010", name="Altyn K4 tanker",
                        **truck)
    st.act(officer, ended, "terminate_by_agreement", _d("2024-02-01"),
           {"note": "the parties agreed to end the agreement"})
    signed = st.apply(heavy, st.back(9), name="Altyn H6 heavy truck", **law_truck)
    st.draft(signed, st.back(4), "8704", "Altyn H6 heavy truck")
    st.act(heavy, signed, "sign", st.back(1))
    minutes = st.apply(heavy, st.back(9), name="Altyn B15 intercity bus", **law_bus)
    st.act(officer, minutes, "schedule_visit", st.back(6),
           {"visit_on": st.back(2).isoformat()})
    st.act(officer, minutes, "visit_held", st.back(1), {"held_on": st.back(2).isoformat()})

    # Ertis Bus Works (buses) and Dala Trailers (8716, Appendix 4, no scoring)
    month = st.conclude(ertis, _d("2021-03-01"), "IA-21/011", name="Ertis 12 m bus",
                        **{**bus, "company": ERTIS[0]}, bin=ERTIS[1])
    st.act(officer, month, "notify_violation", _d("2021-10-01"),
           {"violations": ["bus bodies were not painted in Kazakhstan in September"]})
    st.conclude(dala, _d("2021-04-01"), "IA-21/012", route="other_vehicles",
                vehicle="other", code="8716", name="Dala SP-3 semi-trailer",
                company=DALA[0], bin=DALA[1])
    count = session.scalar(select(func.count()).select_from(Case)
                           .where(Case.case_type == CASE_TYPE))
    return f"assembly: {count} demo agreements (cars, trucks, buses, trailers)"
