"""What people do with assembly agreements: apply, review, decide, sign, monitor, end.

Every function runs in the caller's transaction (`unit_of_work`) and goes through
`platform.cases.fire`, so scope, role, state, payload and the act's condition are checked
before anything is written. On top of the case type (`workflow.py`) this module keeps:

* the route's checklist and the route's availability on the request date (R §4-7, §11;
  Law 86-VII Art 63);
* the review clock paused by a commission visit (R §13 ¶2; settings
  assembly.review_clock_start, assembly.site_visit_pause) and terms counted from a recorded
  receipt (setting assembly.letters_received_on);
* the remedy period of the act in force on the notice date (Std §7 or Law Art 62(4));
* the register of Letters of Confirmation (R §26-29) and of benefits (R §22);
* notices to the other party, and the documents (agreement, schedule, letter) as PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kzreg.assembly import workflow as wf
from kzreg.assembly.models import Benefit, ConfirmationLetter
from kzreg.law.acts import explain_in_force
from kzreg.law.calendar import (
    add_working_days,
    add_years,
    end_of_day_utc,
    local_date,
    now_utc,
    to_utc,
)
from kzreg.law.citations import Citation, cite
from kzreg.law.deadlines import deadline
from kzreg.law.errors import Forbidden, InputError, KzregError, LegalRuleError, NotFound
from kzreg.law.explain import Explained, Trace, jsonable
from kzreg.law.settings import get_setting
from kzreg.platform import cases, notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.timers import PENDING, Timer
from kzreg.platform.users import users_with_role

VEHICLES = ("car", "truck_tractor", "bus", "special_equipment", "truck", "other")
VEHICLE_CODES = {"car": "8703", "truck_tractor": "870120101", "bus": "8702",
                 "special_equipment": "8705", "truck": "8704"}


# --- routes and checklists ----------------------------------------------------------------

@cache
def _checklists() -> dict[str, Any]:
    text = (resources.files("kzreg.assembly") / "checklists.yaml").read_text("utf-8")
    return yaml.safe_load(text)["routes"]


def routes() -> dict[str, Any]:
    return _checklists()


def checklist_for(route: str) -> dict[str, Any]:
    try:
        return _checklists()[route]
    except KeyError:
        raise InputError(f"unknown route {route!r}; one of {', '.join(_checklists())}",
                         field="route") from None


def route_open(route: str, on: dt.date) -> Explained[bool]:
    """May a request by this route be made on `on`? (R §4-7, §11; Law Art 63.)"""
    from kzreg.assembly.tables import order_493_period

    spec = checklist_for(route)
    trace = Trace("assembly.route_open", as_of=on)
    clause = cite(spec["act"], spec["locator"])
    if spec["act"] == "order-493":
        period = order_493_period()
        ok = period.start <= on < period.end
        trace.step(f"Order 493 applies from {period.start} until {period.end} (exclusive)"
                   + (f"; {period.note}" if period.note else ""), ok, citation=clause)
        if ok and spec.get("request_by"):
            ok = on <= spec["request_by"]
            trace.step(f"requests by this route are made on or before {spec['request_by']}",
                       ok, citation=cite("order-493", "R §11"))
        return trace.done(ok)
    state = explain_in_force("law-86-VII", on)
    ok = state.value is True
    trace.step("Law 86-VII is in force" if ok else "Law 86-VII is not (known to be) in force",
               ok, citation=clause)
    if ok and _order_applies(on) is False:
        use = get_setting("assembly.procedure_after_order_493")
        if use.value == "refuse":
            trace.step("the procedure rules after Order 493 are not loaded", False,
                       citation=cite("law-86-VII", "Art 9 sub 23"), parameters=[use.use()])
            return trace.done(False)
        trace.step("procedure: the terms of Order 493 R §13-17, the last in the corpus "
                   "(flagged)", True, citation=cite("law-86-VII", "Art 9 sub 23"),
                   parameters=[use.use()])
    return trace.done(ok)


def _order_applies(on: dt.date) -> bool:
    from kzreg.assembly.tables import order_493_period

    period = order_493_period()
    return period.start <= on < period.end


def remedy_regime(on: dt.date) -> Explained[str]:
    """Whose remedy period a violation notice of `on` gives: Law Art 62(4) once the Law is
    in force, otherwise Std §7 (settings assembly.remedy_period_by,
    assembly.law_start_unknown_day)."""
    trace = Trace("assembly.remedy_regime", as_of=on)
    by = get_setting("assembly.remedy_period_by")
    state = explain_in_force("law-86-VII", on)
    if state.value is None:
        use = get_setting("assembly.law_start_unknown_day")
        if use.value == "refuse":
            raise LegalRuleError(f"cannot tell whether Law 86-VII was in force on {on}",
                                 field="on", citation=cite("law-86-VII", "Art 69"))
        trace.step(f"whether Law 86-VII was in force on {on} is unknown: the Order's month "
                   "applies (flagged)", "order-493", citation=cite("order-493", "Std §7"),
                   parameters=[use.use(), by.use()])
        return trace.done("order-493")
    if state.value:
        trace.step(f"Law 86-VII is in force on {on}: three months from the notification",
                   "law-86-VII", citation=cite("law-86-VII", "Art 62(4)"),
                   parameters=[by.use()])
        return trace.done("law-86-VII")
    trace.step(f"Law 86-VII is not yet in force on {on}: one month from receipt of the "
               "notification", "order-493", citation=cite("order-493", "Std §7"),
               parameters=[by.use()])
    return trace.done("order-493")


# --- applying -----------------------------------------------------------------------------

def _instant(at: dt.datetime | None) -> dt.datetime:
    return now_utc() if at is None else to_utc(at, field="at")


def apply(session: Session, actor: Actor, *, route: str, vehicle: str, feacn_code: str,
          vehicle_name: str, company: str, documents: list[str] | None = None,
          claims: list[dict[str, Any]] | None = None, facts: Mapping[str, Any] | None = None,
          bin: str | None = None, at: dt.datetime | None = None) -> Case:
    """The manufacturer's written request with its documents (R §10-12; Law Art 62-63)."""
    at = _instant(at)
    on = local_date(at)
    spec = checklist_for(route)
    if vehicle not in VEHICLES:
        raise InputError(f"unknown vehicle {vehicle!r}; one of {', '.join(VEHICLES)}",
                         field="vehicle")
    if vehicle not in spec["vehicles"]:
        raise LegalRuleError(f"the route {route!r} is for {', '.join(spec['vehicles'])}, "
                             f"not {vehicle}", field="vehicle",
                             citation=cite(spec["act"], spec["locator"]))
    code = str(feacn_code or "").strip()
    if not code.isdigit() or not 4 <= len(code) <= 10:
        raise InputError("a FEACN code has 4 to 10 digits", field="feacn_code")
    expected = VEHICLE_CODES.get(vehicle)
    if expected and not (code.startswith(expected) or expected.startswith(code)):
        raise LegalRuleError(f"a {vehicle} is declared under FEACN {expected}, not {code}",
                             field="feacn_code", citation=cite("order-493", "R §4"))
    if not (vehicle_name or "").strip() or not (company or "").strip():
        raise InputError("name the vehicle and the company", field="vehicle_name")
    opened = route_open(route, on)
    if not opened.value:
        clause = opened.citations[-1] if opened.citations else None
        raise LegalRuleError(f"no request by the route {route!r} on {on}: "
                             + opened.steps[-1].description, field="route", citation=clause)
    party = bin if actor.role != Role.MANUFACTURER else actor.bin
    if not party:
        raise InputError("the manufacturer's BIN is needed", field="bin")
    known = {d["id"] for d in spec["documents"]}
    docs = sorted(set(documents or ()))
    if unknown := [d for d in docs if d not in known]:
        raise InputError(f"not a document of this route: {', '.join(unknown)}",
                         field="documents")
    data = jsonable({"route": route, "act": spec["act"], "vehicle": vehicle, "feacn_code": code,
            "vehicle_name": vehicle_name.strip(), "company": company.strip(), "bin": party,
            "documents": docs, "claims": list(claims or []), "facts": dict(facts or {}),
            "received_on": on, "route_check": opened.to_dict(),
            "review_clock": {"start": on, "used": 0, "paused_on": None}})
    if spec["act"] != "order-493" and not _order_applies(on):
        data["procedure_note"] = ("terms of Order 493 R §13-17 applied "
                                  "(setting assembly.procedure_after_order_493)")
    case = cases.open_case(session, wf.CASE_TYPE, actor=actor, party_bins=[party], data=data,
                           title=f"{company.strip()} — {vehicle_name.strip()} (FEACN {code})",
                           at=at)
    _tell(session, case, officers=True, at=at, subject=f"New request for an industrial "
          f"assembly agreement № {case.id}", basis=cite(spec["act"], spec["locator"]))
    return case


# --- acting on a case ---------------------------------------------------------------------

def act(session: Session, actor: Actor, case_id: int, transition: str,
        payload: Mapping[str, Any] | None = None, *, at: dt.datetime | None = None,
        expected_version: int | None = None) -> Case:
    """Fire `transition` and keep what the Rules attach to it (clock, registers, notices)."""
    at = _instant(at)
    on = local_date(at)
    payload = dict(payload or {})
    if transition == "notify_violation":  # the act in force on the notice date decides
        day = payload.get("received_on") or on
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        transition = ("notify_violation_law" if remedy_regime(day).value == "law-86-VII"
                      else "notify_violation_order")
    if transition == "report_elimination":
        case = cases.get_case_for(session, actor, case_id)
        if case.state == "remedy_three_months":
            transition = "report_elimination_law"
    before = cases.get_case_for(session, actor, case_id)
    clock = dict(before.data.get("review_clock") or {})
    case = cases.fire(session, case_id, transition, actor=actor, payload=payload, at=at,
                      expected_version=expected_version)
    after = _AFTER.get(transition)
    if after is not None:
        after(session, case, actor, payload, on, at, clock)
    _tell(session, case, officers=actor.role == Role.MANUFACTURER,
          makers=actor.role != Role.MANUFACTURER, at=at,
          subject=f"Agreement case № {case.id}: {case.type.transition(transition).title}",
          basis=case.type.transition(transition).citation)
    return case


def _retime(session: Session, case: Case, name: str, last_day: dt.date,
            explanation: Explained | None = None) -> Timer:
    """Move the pending deadline `name` so it runs out at the end of `last_day`."""
    timer = session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.name == name,
                                                Timer.status == PENDING)).first()
    if timer is None:  # pragma: no cover - the state just started it
        raise NotFound(f"no running deadline {name!r}", field="deadline")
    timer.due_at = end_of_day_utc(last_day)
    if explanation is not None:
        timer.explanation = explanation.to_dict()
    return timer


def _from_receipt(session: Session, case: Case, name: str, received: Any, sent: dt.date,
                  duration: str, clause: Citation) -> None:
    """A term counted from a receipt the officer recorded (setting
    assembly.letters_received_on)."""
    if not received:
        return
    received = dt.date.fromisoformat(received) if isinstance(received, str) else received
    if received < sent:
        raise InputError("a letter is received on or after the day it is sent",
                         field="payload.received_on")
    use = get_setting("assembly.letters_received_on")
    found = deadline(received, duration, roll_to_working_day=None)
    trace = Trace("assembly.term_from_receipt")
    trace.step(f"received on {received} (recorded); {duration} from receipt", received,
               citation=clause, parameters=[use.use()])
    trace.include(found)
    _retime(session, case, name, found.value, trace.done(found.value))


def _paused(session, case, actor, payload, on, at, clock) -> None:
    """R §13 ¶2: the clock stops on the day the visit is notified."""
    if clock.get("paused_on"):
        return
    start = dt.date.fromisoformat(str(clock.get("resumed_on") or clock["start"]))
    used = int(clock.get("used", 0)) + wf.working_days_used(start, on)
    case.data["review_clock"] = jsonable({**clock, "used": used, "paused_on": on,
                                          "resumed_on": None})


def _visit_held(session, case, actor, payload, on, at, clock) -> None:
    held = dt.date.fromisoformat(str(payload["held_on"]))
    if held > on:
        raise LegalRuleError("a visit is recorded as held on or after the day it was held",
                             field="payload.held_on", citation=cite("order-493", "R §13 ¶2"))
    visits = case.data.get("visits") or [{}]
    scheduled = visits[-1].get("visit_on")
    if scheduled and held < dt.date.fromisoformat(str(scheduled)):
        raise LegalRuleError(f"the visit was notified for {scheduled}; it cannot have been "
                             "held earlier", field="payload.held_on",
                             citation=cite("order-493", "R §13 ¶2"))
    case.data["visits"] = jsonable([*visits[:-1], {**visits[-1], "held_on": held}])
    due = add_working_days(held, 3)
    trace = Trace("assembly.minutes_due")
    trace.step(f"visit held on {held}; minutes due within 3 working days: by {due}", due,
               citation=cite("order-493", "R §13 ¶2"))
    _retime(session, case, "minutes", due, trace.done(due))


def _resumed(session, case, actor, payload, on, at, clock) -> None:
    """The clock resumes the day after the minutes are sent (or the visit is cancelled)."""
    used = int(clock.get("used", 0))
    remaining = max(0, 10 - used)
    due = add_working_days(on, remaining) if remaining else on
    pause = get_setting("assembly.site_visit_pause")
    trace = Trace("assembly.review_clock")
    trace.step(f"review from {clock.get('start')}: {used} working day(s) used before the visit "
               f"was notified on {clock.get('paused_on')}", used,
               citation=cite("order-493", "R §13"),
               parameters=[get_setting("assembly.review_clock_start").use(), pause.use()])
    trace.step(f"the visit's time is not counted; the clock resumes after {on} with "
               f"{remaining} working day(s) left: decision due by {due}", due,
               citation=cite("order-493", "R §13 ¶2"))
    case.data["review_clock"] = jsonable({**clock, "paused_on": None, "resumed_on": on,
                                          "due": due})
    _retime(session, case, "review", due, trace.done(due))


def _draft_sent(session, case, actor, payload, on, at, clock) -> None:
    case.data["schedule"] = jsonable(payload["schedule"])
    case.data["draft_sent_on"] = on.isoformat()
    _from_receipt(session, case, "sign", payload.get("received_on"), on, "10 working days",
                  cite("order-493", "R §15"))


def _registered(session, case, actor, payload, on, at, clock) -> None:
    """R §17: registered; Std §19: twenty years; R §26: the Letter of Confirmation."""
    use = get_setting("assembly.term_counted_from")
    concluded = on
    if use.value == "manufacturer_signature_date":
        signed = next((e.at for e in reversed(cases.case_events(session, actor, case.id))
                       if e.transition == "sign"), at)
        concluded = local_date(signed)
    valid_until = add_years(concluded, 20)  # Std §19; setting assembly.term_last_day
    if get_setting("assembly.term_last_day").value == "day_before_twentieth_anniversary":
        valid_until -= dt.timedelta(days=1)
    case.data.update(jsonable({"registration_number": payload["registration_number"],
                               "concluded_on": concluded, "valid_until": valid_until}))
    if case.data.get("vehicle") != "other":
        issue_letter(session, case, actor, case.data.get("claims", []), on=on, at=at)


def _letter_issued(session, case, actor, payload, on, at, clock) -> None:
    claims = (case.data.get("letter_request") or {}).get("claims", [])
    issue_letter(session, case, actor, claims, on=on, at=at)
    case.data["claims"] = jsonable(claims)


def _violation(session, case, actor, payload, on, at, clock) -> None:
    duration, clause = (("3 months", cite("law-86-VII", "Art 62(4)"))
                        if case.state == "remedy_three_months"
                        else ("1 month", cite("order-493", "Std §7")))
    _from_receipt(session, case, "remedy", payload.get("received_on"), on, duration, clause)


def _benefit(session, case, actor, payload, on, at, clock) -> None:
    granted = dt.date.fromisoformat(str(payload["granted_on"]))
    concluded = case.data.get("concluded_on")
    if concluded and granted < dt.date.fromisoformat(str(concluded)):
        raise LegalRuleError("only benefits provided since the conclusion are reimbursed",
                             field="payload.granted_on", citation=cite("order-493", "R §22"))
    session.add(Benefit(case_id=case.id, granted_on=granted, kind=str(payload["kind"]),
                        amount=Decimal(str(payload["amount"])), recorded_at=at,
                        recorded_by=actor.username))


_AFTER = {"schedule_visit": _paused, "visit_held": _visit_held, "send_minutes": _resumed,
          "cancel_visit": _resumed, "send_draft": _draft_sent, "register": _registered,
          "issue_letter": _letter_issued, "notify_violation_order": _violation,
          "notify_violation_law": _violation, "record_benefit": _benefit}


# --- the Letter of Confirmation (R §26-29) -------------------------------------------------

def score(claims: list[dict[str, Any]], vehicle: str, *, concluded_on: dt.date | None = None,
          as_of: dt.date | None = None) -> dict[str, Any]:
    """The localization score of `claims` (the scoring rules of R §23-24, Appendices 2-3)."""
    from kzreg.assembly.scoring import score_case

    case: dict[str, Any] = {"vehicle": vehicle, "claims": claims}
    if concluded_on is not None:
        case["agreement_concluded_on"] = concluded_on.isoformat()
        case["as_of"] = (as_of or concluded_on).isoformat()
    return score_case(case, as_of=as_of)


def issue_letter(session: Session, case: Case, actor: Actor, claims: list[dict[str, Any]], *,
                 on: dt.date, at: dt.datetime) -> ConfirmationLetter | None:
    """Record a Letter of Confirmation with the points of the accepted claims."""
    concluded = dt.date.fromisoformat(str(case.data["concluded_on"]))
    source = get_setting("assembly.letter_points_source")  # the claims the officer accepted
    case.data["letter_points_source"] = source.value
    try:
        result = score(claims, case.data["vehicle"], concluded_on=concluded, as_of=on)
    except KzregError as exc:  # no scoring system for the date: no letter, and say why
        case.data["letter_note"] = f"no Letter of Confirmation: {exc}"
        return None
    version = (session.scalar(select(func.max(ConfirmationLetter.version))
                              .where(ConfirmationLetter.case_id == case.id)) or 0) + 1
    letter = ConfirmationLetter(
        case_id=case.id, version=version, issued_on=on, total=Decimal(str(result["total"])),
        threshold=None if result.get("threshold") is None else int(result["threshold"]),
        meets_threshold=result.get("meets_threshold"),
        lines=jsonable(result.get("lines", [])),
        basis=cite("order-493", "R §26" if version == 1 else "R §29").ref,
        issued_at=at, issued_by=actor.username)
    session.add(letter)
    session.flush()
    return letter


def letters(session: Session, actor: Actor, case_id: int) -> list[ConfirmationLetter]:
    cases.get_case_for(session, actor, case_id)
    return list(session.scalars(select(ConfirmationLetter)
                                .where(ConfirmationLetter.case_id == case_id)
                                .order_by(ConfirmationLetter.version)))


def benefits(session: Session, actor: Actor, case_id: int) -> tuple[list[Benefit], Decimal]:
    """The benefits recorded and their sum, to be reimbursed (setting
    assembly.benefit_reimbursement_basis)."""
    cases.get_case_for(session, actor, case_id)
    rows = list(session.scalars(select(Benefit).where(Benefit.case_id == case_id)
                                .order_by(Benefit.granted_on, Benefit.id)))
    return rows, sum((b.amount for b in rows), Decimal("0"))


# --- notices to the other party -------------------------------------------------------------

def _tell(session: Session, case: Case, *, at: dt.datetime, subject: str,
          basis: Citation | None, officers: bool = False, makers: bool = False) -> None:
    people = []
    if officers:
        people += users_with_role(session, Role.INDUSTRY_OFFICER)
    if makers:
        for party in case.party_bins:
            people += users_with_role(session, Role.MANUFACTURER, bin=party)
    if people:
        notifications.notify(session, recipients=[p.id for p in people], subject=subject[:300],
                             body=f"{case.title}\n{subject}", case_id=case.id, basis=basis,
                             at=at)


# --- reading --------------------------------------------------------------------------------

def agreements(session: Session, actor: Actor, *, states: tuple[str, ...] | None = None
               ) -> list[Case]:
    """The agreement cases the actor may see (manufacturers: their BIN's only)."""
    query = cases.visible_cases(session, actor).where(Case.case_type == wf.CASE_TYPE)
    if states:
        query = query.where(Case.state.in_(states))
    return list(session.scalars(query.order_by(Case.id)))


def queue(session: Session, actor: Actor) -> list[tuple[Case, Timer | None]]:
    """The authorized body's work: open cases, the soonest deadline first (none last)."""
    if actor.role.is_business:
        raise Forbidden("the queue is the authorized body's", field="role")
    open_cases = agreements(session, actor, states=wf.OPEN_STATES)
    ids = [c.id for c in open_cases]
    due: dict[int, Timer] = {}
    if ids:
        for timer in session.scalars(select(Timer).where(Timer.case_id.in_(ids),
                                                         Timer.status == PENDING)
                                     .order_by(Timer.due_at)):
            due.setdefault(timer.case_id, timer)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(((c, due.get(c.id)) for c in open_cases),
                  key=lambda pair: (pair[1].due_at if pair[1] else far, pair[0].id))


def pending_deadlines(session: Session, case_id: int) -> list[Timer]:
    return list(session.scalars(select(Timer).where(Timer.case_id == case_id,
                                                    Timer.status == PENDING)
                                .order_by(Timer.due_at)))


# --- documents (agreement, schedule, letter) ------------------------------------------------

DOCUMENT_KINDS = ("agreement", "schedule", "letter")


def make_document(session: Session, actor: Actor, case_id: int, kind: str, language: str, *,
                  at: dt.datetime | None = None):
    """Render the agreement (standard form, Appendix 2 to the Order), its schedule
    (Appendix 5) or the latest Letter of Confirmation (R §26) as PDF, one template per
    language (Russian and Kazakh marked for legal review)."""
    from kzreg.platform.documents import render_document

    case = cases.get_case_for(session, actor, case_id)
    if kind not in DOCUMENT_KINDS:
        raise InputError(f"kind is one of {', '.join(DOCUMENT_KINDS)}", field="kind")
    data = case.data
    if kind in ("agreement", "schedule") and not data.get("schedule"):
        raise LegalRuleError("there is no draft yet: the schedule is sent with the draft "
                             "agreement", field="kind", citation=cite("order-493", "R §14"))
    context: dict[str, Any] = {
        "number": data.get("registration_number") or f"A-{case.id}",
        "date": data.get("concluded_on") or data.get("draft_sent_on"),
        "company": data.get("company"), "bin": data.get("bin"),
        "feacn_code": data.get("feacn_code"), "vehicle_name": data.get("vehicle_name"),
        "schedule": data.get("schedule", []), "valid_until": data.get("valid_until"),
        "concluded_on": data.get("concluded_on"), "draft": not data.get("concluded_on"),
        "basis": [cite("order-493", "Order §1 sub 2").ref],
    }
    titles = {"agreement": "Agreement on industrial assembly of vehicles",
              "schedule": "Schedule for the performance of the agreement",
              "letter": "Letter of Confirmation"}
    if kind == "letter":
        found = letters(session, actor, case_id)
        if not found:
            raise LegalRuleError("no Letter of Confirmation has been issued",
                                 field="kind", citation=cite("order-493", "R §26"))
        letter = found[-1]
        total = format(letter.total.normalize(), "f")
        context.update({"letter_version": letter.version, "total": total,
                        "threshold": letter.threshold, "meets": letter.meets_threshold,
                        "lines": letter.lines, "date": letter.issued_on,
                        "number": f"{context['number']}/L{letter.version}",
                        "basis": [letter.basis]})
    template = f"assembly/{kind}_{language}.html"
    document = render_document(session, case_id=case.id, template=template,
                               context=jsonable(context), language=language, actor=actor,
                               kind=f"assembly_{kind}", title=titles[kind], at=at)
    if kind == "letter":
        letter.document_id = letter.document_id or document.id
    return document
