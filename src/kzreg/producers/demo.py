"""Demo data for the register of Kazakhstani commodity producers (Law 86-VII Arts 51-1..51-6):
producers in every state — included with an extract, an application under assessment, a
reasoned refusal, wholly produced goods, a software producer, an exclusion with the appeal
window open, and one restored by the appeals commission; then incentives, plans, contracts
and a programme (`demo_cases`). Deterministic and idempotent; the companies beyond the
platform's demo companies are invented."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import ALMATY, now_utc
from kzreg.platform import cases
from kzreg.platform.actors import Actor, Role
from kzreg.platform.demo import COMPANIES, make_bin
from kzreg.producers import service
from kzreg.producers.models import RegisterEntry

CONSENTS = {"consent_personal_data": True, "consent_facility_access": True,
            "consent_video_surveillance": True}
OFFICER = Actor("industry_officer", Role.INDUSTRY_OFFICER)


def _maker(bin: str) -> Actor:
    return Actor(f"demo-{bin}", Role.MANUFACTURER, bin=bin)


def _at(days_ago: int, now: dt.datetime) -> dt.datetime:
    day = now.astimezone(ALMATY).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(10), ALMATY)


def _apply(session: Session, bin: str, name: str, goods: list[dict], at: dt.datetime):
    return service.apply(session, _maker(bin), bin=bin, name=name, route="processed",
                         goods=goods, consents=CONSENTS, evidence_documents=["passport.pdf"],
                         evidence_video=["process.mp4"], accuracy_declared=True, at=at)


def load(session: Session) -> str | None:
    from kzreg.producers import demo_cases

    lines = [_load_register(session), demo_cases.load(session)]
    return "; ".join(line for line in lines if line) or None


def _load_register(session: Session) -> str | None:
    if session.scalar(select(RegisterEntry.id).limit(1)) is not None:
        return None
    now = now_utc()
    companies = {c.key: c for c in COMPANIES}
    steppe, altyn = companies["steppe-motors"], companies["altyn-machinery"]

    # included through all four stages, with its extract
    case = _apply(session, steppe.bin, steppe.name, [
        {"code": "8704 21", "title": "Trucks up to 5 t", "domestic_value_share": "38.2"},
        {"code": "8707 90", "title": "Truck cabs", "domestic_value_share": "61"}],
        _at(120, now))
    service.record_verification(session, OFFICER, case.id, positive=True, at=_at(118, now))
    service.assess(session, OFFICER, case.id, positive=True, notes="video confirms welding, "
                   "painting and assembly", at=_at(110, now))
    service.include(session, OFFICER, case.id, at=_at(109, now))

    # an application under production assessment, with an on-site inspection ordered
    case = _apply(session, altyn.bin, altyn.name, [
        {"code": "8429 51", "title": "Front-end loaders"}], _at(20, now))
    service.record_verification(session, OFFICER, case.id, positive=True, at=_at(18, now))
    service.assess(session, OFFICER, case.id, onsite=True, notes="the video does not show "
                   "the frame welding", at=_at(10, now))

    # a reasoned refusal after digital verification
    refused = make_bin("2102", "03311")
    case = _apply(session, refused, "Saryarqa Furniture LLP", [
        {"code": "9403 30", "title": "Office furniture"}], _at(40, now))
    service.record_verification(session, OFFICER, case.id, positive=False,
                                failed=[{"code": "staff", "reason": "no employees on the "
                                         "payroll in the last quarter"}],
                                justification="production activity is not confirmed by the "
                                "tax and payroll data", at=_at(38, now))

    # wholly produced goods (Art 51-3) and a software producer (Art 51-2)
    service.enter_wholly_produced(session, OFFICER, bin=make_bin("1704", "05120"),
                                  name="Dala Grain LLP", category="agricultural_products",
                                  source="agriculture_authority", region="Kostanay",
                                  goods=[{"code": "1001 99", "title": "Wheat",
                                          "domestic_value_share": "100"}], at=_at(90, now))
    service.include_software(session, OFFICER, bin=make_bin("1910", "07007"),
                             name="Qazaq Soft LLP", notice="trusted software register, "
                             "notice No 45", goods=[{"code": "SW-ERP", "title": "ERP system"}],
                             at=_at(80, now))

    # excluded on monitoring, appeal window open; and one restored by the commission
    for serial, name, restored in (("02020", "Ertis Cable LLP", False),
                                   ("06060", "Kaspi Paint LLP", True)):
        bin = make_bin("1605", serial)
        # included long ago (before the demo's cases): entered directly
        service._put_entry(session, bin=bin, name=name, region="Pavlodar", route="processed",
                           goods=[{"code": "8544 49", "title": "Power cables",
                                   "domestic_value_share": "27.5"}],
                           on=_at(200, now).date(), at=_at(200, now))
        service.record_monitoring(session, OFFICER, bin, run_on=_at(30, now).date(),
                                  positive=False, failed=[{"code": "video", "reason": "no "
                                                           "remote access to the video"}],
                                  at=_at(30, now))
        appeal = service.exclude(session, OFFICER, bin, ground="monitoring", at=_at(12, now))
        if restored:
            cases.fire(session, appeal.id, "file_appeal", actor=_maker(bin), at=_at(8, now),
                       payload={"grounds": "remote access restored"})
            service.decide_appeal(session, OFFICER, appeal.id, decision="upheld_fully",
                                  text="access restored and verified", at=_at(2, now))
    # removed automatically on a liquidation notice of the state register of legal entities
    from kzreg.producers import register_events

    gone = make_bin("1508", "09090")
    service._put_entry(session, bin=gone, name="Aral Salt LLP", region="Kyzylorda",
                       route="wholly_produced", goods=[{"code": "2501", "title": "Salt"}],
                       on=_at(300, now).date(), at=_at(300, now))
    register_events.receive(session, OFFICER, {"bin": gone, "kind": "liquidation",
                                               "date": _at(6, now).date().isoformat(),
                                               "source_ref": "GBD-UL-DEMO-0001"},
                            at=_at(5, now))
    service.monitoring_breaches(session, now)
    return "producers register: 8 producers in every state, with an extract"
