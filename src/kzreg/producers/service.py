"""What people do with the register of Kazakhstani commodity producers (Law 86-VII
Arts 51-1..51-6): apply, verify, assess, include or refuse, monitor, exclude, appeal, search.

Every function runs in the caller's transaction (`unit_of_work`) and moves cases through
`platform.cases.fire`, so role, scope, state and payload are checked before anything is
written. The register itself (entries, goods, monitoring runs and missed quarters) is in
`models.py`; the law is in `register_law.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, InputError, LegalRuleError, NotFound
from kzreg.law.numbers import exact
from kzreg.platform import cases, notifications
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.users import users_with_role
from kzreg.producers import register_law as rl
from kzreg.producers import workflow as wf
from kzreg.producers.models import (
    EXCLUDED,
    INCLUDED,
    MonitoringBreach,
    MonitoringRun,
    RegisterEntry,
    RegisterGood,
)
from kzreg.producers.register_law import law

# --- the application (Art 51-1) -------------------------------------------------------------


def _goods(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    goods = []
    for n, row in enumerate(rows):
        code, title = str(row.get("code") or "").strip(), str(row.get("title") or "").strip()
        if not code or not title:
            raise InputError("each product needs a code and a title", field=f"goods.{n}")
        share = row.get("domestic_value_share")
        if share not in (None, ""):
            value = exact(share, f"goods.{n}.domestic_value_share")
            if not 0 <= value <= 100:
                raise InputError("a share of domestic value is a percentage 0-100",
                                 field=f"goods.{n}.domestic_value_share")
            share = str(share)
        goods.append({"code": code, "title": title, "domestic_value_share": share or None,
                      **{k: row[k] for k in ("operations", "conditions_met") if k in row}})
    return goods


def apply(session: Session, actor: Actor, *, bin: str, name: str, route: str,
          goods: Iterable[Mapping[str, Any]], consents: Mapping[str, bool],
          evidence_documents: Iterable[str] = (), evidence_video: Iterable[str] = (),
          accuracy_declared: bool = False, region: str | None = None,
          at: dt.datetime | None = None) -> Case:
    """File an application; refuses one lacking a consent or evidence, naming it."""
    try:
        the_route = rl.Route(route)
    except ValueError:
        raise InputError(f"route must be one of {[r.value for r in rl.Route]}",
                         field="route") from None
    rows = _goods(goods)
    app = rl.Application(resident=True, route=the_route, goods=tuple(g["code"] for g in rows),
                         evidence_documents=tuple(evidence_documents),
                         evidence_video=tuple(evidence_video),
                         accuracy_declared=accuracy_declared,
                         **{k: bool(consents.get(k)) for k in rl.CONSENTS})
    check = rl.check_application(app)
    if check.value:
        first = check.value[0]
        step = next(s for s in check.steps if s.output in (False, 0))
        raise LegalRuleError(f"the application lacks: {', '.join(check.value)}", field=first,
                             citation=step.citation)
    regime = rl.register_regime(local_date(at or now_utc())).value
    return cases.open_case(
        session, wf.APPLICATION, actor=actor, title=f"{name}: inclusion in the register",
        party_bins=[bin], at=at,
        data={"bin": bin, "name": name, "region": region, "route": the_route.value,
              "goods": rows, "consents": {k: True for k in rl.CONSENTS},
              "evidence_documents": list(evidence_documents),
              "evidence_video": list(evidence_video), "accuracy_declared": True,
              "completeness": check.to_dict(), "start_date_flagged": regime.flagged})


def record_verification(session: Session, actor: Actor, case_id: int, *,
                        facts: Mapping[str, Any] | None = None,
                        failed: Iterable[Mapping[str, str]] = (), justification: str = "",
                        positive: bool | None = None, at: dt.datetime | None = None) -> Case:
    """Digital verification (Art 51-1(3)): computed from e-government `facts` when criteria
    are loaded, otherwise the officer's recorded result (`positive`, `failed`)."""
    case = cases.get_case_for(session, actor, case_id)
    trace = None
    if facts is not None:
        result = rl.digital_verification(facts, rl.load_criteria())
        positive, trace = result.value.positive, result.to_dict()
        failed = [{"code": c, "reason": why} for c, why in result.value.failed]
        justification = justification or result.value.reasoned_response
    if positive is None:
        raise InputError("give the e-government facts or the recorded result",
                         field="positive", citation=law("Art 51-1(3)"))
    payload = {"failed": list(failed), "justification": justification, "trace": trace}
    if not positive:
        name = "verification_negative"
    elif case.data.get("route") == rl.Route.WHOLLY_PRODUCED.value:
        name = "verification_positive_wholly"
    else:
        name = "verification_positive"
    case = cases.fire(session, case, name, actor=actor, payload=payload, at=at)
    _tell_applicant(session, case, at, "Result of digital verification: "
                    + ("positive" if positive else f"negative — {justification}"),
                    law("Art 51-1(3)"))
    if not positive:
        refusal_document(session, actor, case, at)
    return case


def assess(session: Session, actor: Actor, case_id: int, *, positive: bool | None = None,
           reasons: Iterable[str] = (), notes: str = "", onsite: bool = False,
           at: dt.datetime | None = None) -> Case:
    """Production assessment (Art 51-1(4)): computed from the catalogue when one applies on
    the date, otherwise the assessors' recorded result; `onsite` orders an inspection."""
    case = cases.get_case_for(session, actor, case_id)
    at = at or now_utc()
    if onsite:
        return cases.fire(session, case, "order_onsite", actor=actor, payload={"note": notes},
                          at=at)
    trace = None
    if rl.load_catalogue():
        declared = [rl.Declared(g["code"], frozenset(g.get("operations") or ()),
                                frozenset(g.get("conditions_met") or ()))
                    for g in case.data["goods"]]
        result = rl.assess_production(declared, rl.load_catalogue(), local_date(at))
        positive, trace = result.value.outcome == "positive", result.to_dict()
        reasons = result.value.shortfalls
    if positive is None:
        raise InputError("no catalogue applies: record the assessors' result",
                         field="positive", citation=law("Art 51-1(4)"))
    if positive:
        return cases.fire(session, case, "assessment_positive", actor=actor, at=at,
                          payload={"notes": notes, "trace": trace})
    case = cases.fire(session, case, "assessment_negative", actor=actor, at=at,
                      payload={"reasons": list(reasons), "justification": notes or
                               "; ".join(reasons), "trace": trace})
    _tell_applicant(session, case, at, "Not included: " + "; ".join(reasons),
                    law("Art 51-1(6)"))
    refusal_document(session, actor, case, at)
    return case


def report(session: Session, actor: Actor, case_id: int, *, positive: bool,
           held_on: Any, participants: Iterable[str], findings: str,
           reasons: Iterable[str] = (), at: dt.datetime | None = None) -> Case:
    """The production assessment report after an on-site inspection (Art 51-1(5)); a
    negative one refuses with the reasoned response (Art 51-1(6))."""
    payload: dict[str, Any] = {"held_on": held_on, "participants": list(participants),
                               "findings": findings}
    if not positive:
        payload["reasons"] = list(reasons)
    at = at or now_utc()
    case = cases.fire(session, case_id, "report_positive" if positive else "report_negative",
                      actor=actor, payload=payload, at=at)
    if not positive:
        _tell_applicant(session, case, at, "Not included after the on-site inspection: "
                        + "; ".join(payload["reasons"]), law("Art 51-1(5)"))
        refusal_document(session, actor, case, at)
    return case


def refusal_document(session: Session, actor: Actor, case: Case, at: dt.datetime | None):
    """The reasoned response as a PDF in the applicant's language (Art 51-1(6) para 2: sent
    to the personal account automatically); other languages on request."""
    from kzreg.producers.documents import register_refusal

    people = [u for b in case.party_bins for u in users_with_role(session, Role.MANUFACTURER,
                                                                   bin=b)]
    language = people[0].language if people else "ru"
    return register_refusal(session, actor, case.id, language=language, at=at)


def include(session: Session, actor: Actor, case_id: int, *,
            at: dt.datetime | None = None) -> RegisterEntry:
    """Include the applicant (Art 51-1(6)): the entry, its goods and the extract."""
    at = at or now_utc()
    case = cases.fire(session, case_id, "include", actor=actor, at=at)
    d = case.data
    entry = _put_entry(session, bin=d["bin"], name=d["name"], region=d.get("region"),
                       route=d["route"], goods=d["goods"], on=local_date(at), at=at,
                       case_id=case.id)
    extract(session, actor, entry.bin, case_id=case.id, at=at)
    _tell_applicant(session, case, at, "Included in the register of Kazakhstani commodity "
                    "producers; the extract is in your account", law("Art 51-1(8)"))
    return entry


def _put_entry(session: Session, *, bin: str, name: str, region: str | None, route: str,
               goods: Iterable[Mapping[str, Any]], on: dt.date, at: dt.datetime,
               case_id: int | None = None) -> RegisterEntry:
    entry = session.scalars(select(RegisterEntry).where(RegisterEntry.bin == bin)).first()
    if entry is not None and entry.status == INCLUDED:
        raise Conflict(f"{bin} is already in the register", field="bin")
    if entry is None:
        entry = RegisterEntry(bin=bin)
        session.add(entry)
    entry.name, entry.region, entry.route, entry.status = name, region, route, INCLUDED
    entry.included_on, entry.excluded_on, entry.exclusion_ground = on, None, None
    entry.application_case_id, entry.updated_at = case_id, at
    entry.goods.clear()
    session.flush()
    entry.goods.extend(RegisterGood(code=g["code"], title=g["title"], status=INCLUDED,
                                    domestic_value_share=g.get("domestic_value_share"))
                       for g in goods)
    session.flush()
    return entry


def enter_wholly_produced(session: Session, actor: Actor, *, bin: str, name: str,
                          category: str, source: str, goods: Iterable[Mapping[str, Any]],
                          region: str | None = None, at: dt.datetime | None = None
                          ) -> RegisterEntry:
    """Enter wholly produced goods on another body's information (Art 51-3(7))."""
    _officer(actor)
    rl.wholly_produced(category, source)
    at = at or now_utc()
    return _put_entry(session, bin=bin, name=name, region=region,
                      route=rl.Route.WHOLLY_PRODUCED.value, goods=_goods(goods),
                      on=local_date(at), at=at)


def include_software(session: Session, actor: Actor, *, bin: str, name: str,
                     goods: Iterable[Mapping[str, Any]], notice: str,
                     at: dt.datetime | None = None) -> RegisterEntry:
    """Include a software producer on the informatisation authority's notice (Art 51-2(4))."""
    _officer(actor)
    if len(notice.strip()) < 3:
        raise InputError("the informatisation authority's notice is required", field="notice",
                         citation=law("Art 51-2(4)"))
    at = at or now_utc()
    return _put_entry(session, bin=bin, name=name, region=None, route=rl.Route.SOFTWARE.value,
                      goods=_goods(goods), on=local_date(at), at=at)


# --- monitoring, exclusion and appeal (Arts 51-4, 51-5, 51-6) --------------------------------

def entry_by_bin(session: Session, bin: str) -> RegisterEntry:
    entry = session.scalars(select(RegisterEntry).where(RegisterEntry.bin == bin)
                            .options(selectinload(RegisterEntry.goods))).first()
    if entry is None:
        raise NotFound(f"{bin} is not in the register", field="bin")
    return entry


def record_monitoring(session: Session, actor: Actor, bin: str, *, run_on: dt.date,
                      positive: bool, failed: Iterable[Mapping[str, str]] = (),
                      at: dt.datetime | None = None) -> MonitoringRun:
    """A monitoring run (Art 51-4(1)); a negative one notifies the producer to eliminate the
    non-compliance (Art 51-4(2)). Removal stays an officer's act, allowed only after such a
    notice (`removal_basis`; setting producers.monitoring_elimination_deadline)."""
    _officer(actor)
    entry = entry_by_bin(session, bin)
    if entry.status != INCLUDED:
        raise Conflict(f"{bin} is not included in the register", field="bin")
    failed = list(failed)
    if not positive and not failed:
        raise InputError("a negative run names the criteria not met", field="failed",
                         citation=law("Art 51-4(2)"))
    at = at or now_utc()
    run = MonitoringRun(entry_id=entry.id, run_on=run_on, positive=positive, failed=failed,
                        recorded_at=at)
    session.add(run)
    session.flush()
    if not positive:
        _tell_bin(session, bin, at, "Eliminate the non-compliance found by monitoring: "
                  + "; ".join(f"{f.get('code')}: {f.get('reason')}" for f in failed),
                  law("Art 51-4(2)"))
    return run


def exclude(session: Session, actor: Actor, bin: str, *, ground: str,
            reorganisation_form: str | None = None, at: dt.datetime | None = None
            ) -> Case | None:
    """Remove a producer (Art 51-6); opens the appeal case where the Law gives an appeal."""
    try:
        the_ground = rl.Ground(ground)
    except ValueError:
        raise InputError(f"ground must be one of {[g.value for g in rl.Ground]}",
                         field="ground", citation=law("Art 51-6")) from None
    if actor.role is not Role.SYSTEM:
        _officer(actor)
    entry = entry_by_bin(session, bin)
    if entry.status != INCLUDED:
        raise Conflict(f"{bin} is not included in the register", field="bin")
    decision = rl.removal(the_ground, reorganisation_form=reorganisation_form)
    if not decision.value.remove:
        return None
    at = at or now_utc()
    on = local_date(at)
    basis = None
    if the_ground is rl.Ground.MONITORING:
        found = removal_basis(session, entry, on)
        if not found.value.allowed:
            raise LegalRuleError(f"{bin} may not be removed on monitoring results yet: "
                                 + found.value.why, field="ground",
                                 citation=law("Art 51-4(2)"))
        basis = found.to_dict()
    mark_excluded(entry, the_ground, on, at)
    window = rl.appeal_window(the_ground, on).value
    case = None
    if window is not None:
        case_type = (wf.SOFTWARE_EXCLUSION if window.body == "informatisation_authority"
                     else wf.EXCLUSION)
        case = cases.open_case(session, case_type, actor=actor if actor.role is not Role.SYSTEM
                               else SYSTEM, title=f"{entry.name}: excluded from the register",
                               party_bins=[bin], at=at,
                               data={"bin": bin, "ground": the_ground.value,
                                     "excluded_on": on.isoformat(),
                                     "appeal_last_day": window.last_day.isoformat(),
                                     "appeal_body": window.body,
                                     "goods": [g.code for g in entry.goods],
                                     **({"removal_basis": basis} if basis else {})})
    _tell_bin(session, bin, at, f"Excluded from the register ({the_ground.value})"
              + (f"; appeal by {window.last_day}" if window else ""),
              law(rl.GROUND_CLAUSE[the_ground]), case_id=case.id if case else None)
    session.flush()
    return case


def mark_excluded(entry: RegisterEntry, ground: rl.Ground, on: dt.date,
                  at: dt.datetime) -> None:
    """The entry and its goods leave the register on `on` (Art 51-6)."""
    entry.status, entry.excluded_on, entry.exclusion_ground = EXCLUDED, on, ground.value
    entry.updated_at = at
    for good in entry.goods:
        good.status = EXCLUDED


def removal_basis(session: Session, entry: RegisterEntry, on: dt.date):
    """Whether monitoring results allow removal on `on`: the notices to eliminate sent and
    any later run, each dated by the day it was recorded (Art 51-4(2))."""
    runs = session.scalars(select(MonitoringRun).where(MonitoringRun.entry_id == entry.id)
                           .order_by(MonitoringRun.recorded_at)).all()
    return rl.monitoring_removal(
        [(local_date(r.recorded_at), r.positive,
          [f"{f.get('code')}: {f.get('reason')}" for f in r.failed or []]) for r in runs], on)


def decide_appeal(session: Session, actor: Actor, case_id: int, *, decision: str,
                  upheld_goods: Iterable[str] = (), text: str = "",
                  at: dt.datetime | None = None) -> Case:
    """The appeals commission's decision, binding on the authorized body (Art 51-5(5)-(8))."""
    case = cases.get_case_for(session, actor, case_id)
    try:
        the_decision = rl.CommissionDecision(decision)
    except ValueError:
        raise InputError(f"decision must be one of {[d.value for d in rl.CommissionDecision]}",
                         field="decision", citation=law("Art 51-5(5)")) from None
    back = rl.commission_effect(the_decision, case.data["goods"], upheld_goods, text).value
    at = at or now_utc()
    if the_decision is rl.CommissionDecision.REJECTED:
        return cases.fire(session, case, "reject", actor=actor, at=at,
                          payload={"justification": text})
    name = ("uphold_fully" if the_decision is rl.CommissionDecision.UPHELD_FULLY
            else "uphold_partially")
    case = cases.fire(session, case, name, actor=actor, at=at,
                      payload={"upheld_goods": list(back), "decision_text": text})
    entry = entry_by_bin(session, case.data["bin"])
    entry.status, entry.excluded_on, entry.exclusion_ground = INCLUDED, None, None
    entry.included_on, entry.updated_at = local_date(at), at
    for good in entry.goods:
        good.status = INCLUDED if good.code in back else EXCLUDED
    session.flush()
    _tell_bin(session, entry.bin, at, "Included again by decision of the appeals commission",
              law("Art 51-5(8)"), case_id=case.id)
    return case


def monitoring_breaches(session: Session, now: dt.datetime) -> int:
    """Worker job: record each ended quarter in which an included producer had no monitoring
    run (Art 51-4(1)); idempotent."""
    today = local_date(now)
    done = 0
    entries = session.scalars(select(RegisterEntry).where(
        RegisterEntry.status == INCLUDED,
        RegisterEntry.route != rl.Route.SOFTWARE.value))  # monitored by another authority
    for entry in list(entries):
        runs = session.scalars(select(MonitoringRun.run_on)
                               .where(MonitoringRun.entry_id == entry.id)).all()
        known = set(session.scalars(select(MonitoringBreach.period_start)
                                    .where(MonitoringBreach.entry_id == entry.id)))
        for period in rl.missed_quarters(entry.included_on, runs, today).value:
            if period.start not in known:
                session.add(MonitoringBreach(entry_id=entry.id, period_start=period.start,
                                             period_end=period.end, recorded_at=now))
                done += 1
    session.flush()
    return done


# --- reading: the extract and the public search -------------------------------------------

def extract(session: Session, actor: Actor, bin: str, *, case_id: int | None = None,
            language: str = "ru", at: dt.datetime | None = None):
    """The extract from the register (Art 51-1(8)) as a platform document (HTML + PDF)."""
    from kzreg.platform.documents import render_document
    from kzreg.producers.documents import EXTRACT_KIND, extract_template

    entry = entry_by_bin(session, bin)
    if entry.status != INCLUDED:
        raise LegalRuleError(f"{bin} is not included in the register: no extract",
                             field="bin", citation=law("Art 51-1(8)"))
    at = at or now_utc()
    goods = [{"code": g.code, "title": g.title, "domestic_value_share": g.domestic_value_share}
             for g in entry.goods if g.status == INCLUDED]
    template, title = extract_template(language)
    return render_document(
        session, case_id=case_id or entry.application_case_id, actor=actor, at=at,
        template=template, language=language, kind=EXTRACT_KIND,
        context={"title": title,
                 "number": f"RKT-{entry.id:06d}",  # the entry's number in the register
                 "date": local_date(at), "as_of": local_date(at),
                 "producer": {"name": entry.name, "bin": entry.bin, "region": entry.region,
                              "route": entry.route, "included_on": entry.included_on},
                 "goods": goods, "basis": [law("Art 51-1(8)").ref]})


def search(session: Session, text: str = "", *, limit: int = 50) -> list[dict[str, Any]]:
    """The public register: included producers and goods matching a name, BIN or code."""
    query = (select(RegisterEntry).where(RegisterEntry.status == INCLUDED)
             .options(selectinload(RegisterEntry.goods)).order_by(RegisterEntry.name))
    text = text.strip()
    if text:    # what was typed is searched for literally: "%" and "_" are not wildcards
        query = query.where(or_(
            RegisterEntry.bin == text, RegisterEntry.name.icontains(text, autoescape=True),
            RegisterEntry.id.in_(select(RegisterGood.entry_id).where(or_(
                RegisterGood.code.startswith(text, autoescape=True),
                RegisterGood.title.icontains(text, autoescape=True))))))
    return [{"bin": e.bin, "name": e.name, "region": e.region, "route": e.route,
             "included_on": e.included_on.isoformat(),
             "goods": [{"code": g.code, "title": g.title,
                        "domestic_value_share": g.domestic_value_share}
                       for g in e.goods if g.status == INCLUDED]}
            for e in session.scalars(query.limit(max(1, min(limit, 200))))]


# --- helpers ---------------------------------------------------------------------------------

def _officer(actor: Actor) -> None:
    from kzreg.law.errors import Forbidden

    if actor.role not in wf.OFFICERS:
        raise Forbidden("only the authorized body keeps the register", field="actor",
                        citation=law("Art 9 sub 41-2"))


def _tell_bin(session: Session, bin: str, at: dt.datetime | None, subject: str,
              basis: Citation, case_id: int | None = None) -> None:
    people = users_with_role(session, Role.MANUFACTURER, bin=bin)
    if people:
        notifications.notify(session, recipients=[p.id for p in people], subject=subject[:300],
                             body=subject, case_id=case_id, basis=basis, at=at)


def _tell_applicant(session: Session, case: Case, at: dt.datetime | None, subject: str,
                    basis: Citation) -> None:
    """The result goes to the applicant's personal account (Art 51-1(3) para 3, (6))."""
    for party in case.party_bins:
        _tell_bin(session, party, at, subject, basis, case_id=case.id)
