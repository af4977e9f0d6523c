"""The risk room's operations on the database: the register of subjects, controls with
their filled checklists, loaded severities, degrees for the whole register, plans and
rapid-response orders. Each call runs in the caller's transaction (`unit_of_work`) and
audits what it changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError, NotFound
from kzreg.law.explain import Explained, Trace
from kzreg.law.identifiers.bin_iin import validate_bin_or_iin
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case, visible_cases
from kzreg.risk import checklists, planning, register
from kzreg.risk._law import criteria
from kzreg.risk.degrees import classify
from kzreg.risk.indicator import Counts, violation_indicator
from kzreg.risk.models import (
    RiskControl,
    RiskExemption,
    RiskOrder,
    RiskSeverity,
    RiskSubject,
)
from kzreg.risk.subjects import ControlKind, Degree, Relief, SubjectType

WRITERS = frozenset({Role.INSPECTOR, Role.ADMIN})


def _writer(actor: Actor) -> None:
    if actor.role not in WRITERS:
        raise Forbidden("only inspectors and administrators change the risk register",
                        field="actor")


# --- severities ----------------------------------------------------------------------------

def store_severities(session: Session, table: Mapping[str, checklists.Severity], *,
                     source: str, actor: Actor | None = None) -> int:
    """Load (or replace) requirement severities; audited with their source."""
    from kzreg.platform.actors import SYSTEM

    actor = actor or Actor("cli", Role.ADMIN)
    if actor.role not in (Role.ADMIN, Role.SYSTEM) and actor is not SYSTEM:
        raise Forbidden("only an administrator loads severities", field="actor")
    at = now_utc()
    for rid, severity in table.items():
        row = session.get(RiskSeverity, rid)
        if row is None:
            session.add(RiskSeverity(requirement_id=rid, severity=severity.value,
                                     source=source[:300], loaded_by=actor.username,
                                     loaded_at=at))
        else:
            row.severity, row.source, row.loaded_by, row.loaded_at = (
                severity.value, source[:300], actor.username, at)
    audit.append(session, actor=actor, action="risk.severities_loaded",
                 basis=criteria("§11"), data={"count": len(table), "source": source[:300]},
                 at=at)
    return len(table)


def loaded_severities(session: Session) -> dict[str, checklists.Severity]:
    return {r.requirement_id: checklists.Severity(r.severity)
            for r in session.scalars(select(RiskSeverity))}


# --- the register ----------------------------------------------------------------------------

class SubjectIn(BaseModel):
    code: str = Field(min_length=1, max_length=60, description="Register id")
    name: str = Field(min_length=1, max_length=300)
    type: SubjectType
    bin: str | None = Field(None, description="BIN (or an entrepreneur's IIN)")
    region: str | None = None
    insured: bool = False
    legally_exempt: bool = False
    sro_recognized: bool = False


def add_subject(session: Session, data: SubjectIn, actor: Actor) -> RiskSubject:
    _writer(actor)
    if data.bin:
        data = data.model_copy(update={"bin": validate_bin_or_iin(data.bin, "bin")})
    if session.scalar(select(RiskSubject.id).where(RiskSubject.code == data.code)):
        raise Conflict(f"subject {data.code!r} is already registered", field="code")
    at = now_utc()
    subject = RiskSubject(**data.model_dump(mode="python") | {"type": data.type.value},
                          created_at=at)
    session.add(subject)
    session.flush()
    audit.append(session, actor=actor, action="risk.subject_registered", basis=criteria("§6"),
                 data={"code": data.code, "type": data.type.value, "bin": data.bin}, at=at)
    return subject


def get_subject(session: Session, code: str) -> RiskSubject:
    subject = session.scalar(select(RiskSubject).where(RiskSubject.code == code))
    if subject is None:
        raise NotFound(f"no subject {code!r}", field="code")
    return subject


def relief(subject: RiskSubject) -> Relief:
    return Relief(subject.insured, subject.legally_exempt, subject.sro_recognized)


def history(session: Session, subject: RiskSubject) -> list[RiskControl]:
    return list(session.scalars(select(RiskControl).where(RiskControl.subject_id == subject.id)
                                .order_by(RiskControl.held_on.desc(), RiskControl.id.desc())))


def counts_of(control: RiskControl | None) -> Counts:
    if control is None:
        return Counts()
    return Counts(control.gross, control.considerable_found, control.considerable_total,
                  control.insignificant_found, control.insignificant_total)


def assess(session: Session, subject: RiskSubject) -> dict[str, Any]:
    """The subject's objective outcome and subjective indicator, each with its explanation.

    The indicator reads the latest control (setting risk.indicator_data)."""
    controls = history(session, subject)
    kind = SubjectType(subject.type)
    try:
        objective: Explained | None = classify(kind, relief(subject))
        refusal = None
    except Exception as exc:  # an unclassed type: shown, not raised
        from kzreg.law.errors import KzregError

        if not isinstance(exc, KzregError):
            raise
        objective, refusal = None, str(exc)
    trace = Trace("risk.indicator")
    latest = controls[0] if controls else None
    source = get_setting("risk.indicator_data")
    trace.step("the indicator reads the results of the latest control" if latest else
               "no control recorded: no violations found so far", latest.held_on if latest
               else None, citation=criteria("§10"), parameters=[source.use()])
    indicator = violation_indicator(counts_of(latest), trace)
    return {"subject": subject, "objective": objective, "refusal": refusal,
            "indicator": indicator, "controls": controls}


# --- controls and checklists --------------------------------------------------------------

class ControlIn(BaseModel):
    kind: ControlKind
    held_on: dt.date
    violated: list[str] = Field(default_factory=list, description="Requirement ids violated")
    not_applicable: list[str] = Field(default_factory=list)
    items: list[int] = Field(default_factory=list, description="Violated items of the JO "
                             "Appendix 5 checklist (rapid response, Cr §16-1)")
    eliminated: bool = Field(False, description="All violations fully eliminated (Cr §10)")
    counts: dict[str, int] | None = Field(
        None, description="Counts for a control without a checklist in the text (gross, "
        "considerable_found, considerable_total, insignificant_found, insignificant_total)")


def record_control(session: Session, code: str, data: ControlIn, actor: Actor) -> RiskControl:
    """Record a control: counts from the filled checklist (severities loaded) or given."""
    _writer(actor)
    subject = get_subject(session, code)
    kind = SubjectType(subject.type)
    today = local_date(now_utc())
    if data.held_on > today:
        raise InputError("a control cannot be recorded before it is held", field="held_on")
    if data.items and kind is not SubjectType.REGULATED_PRODUCT_SELLER:
        raise LegalRuleError("rapid-response items belong to the JO Appendix 5 checklist, "
                             "which is for subjects of technical regulation and holders of "
                             f"its objects, not for a {kind.value}", field="items",
                             citation=criteria("§16-1"))
    appendix_locator = None
    if data.counts is not None:
        if data.violated or data.not_applicable:
            raise InputError("give either a filled checklist or counts, not both",
                             field="counts")
        counts = Counts(**data.counts)
        explanation = violation_indicator(counts)
    else:
        appendix = checklists.checklist_for(kind, data.kind).value
        appendix_locator = appendix.locator
        trace = Trace("risk.checklist-counts")
        counts = trace.include(checklists.count_violations(
            appendix, data.violated, loaded_severities(session), data.not_applicable))
        explanation = violation_indicator(counts, trace)
    control = RiskControl(
        subject_id=subject.id, kind=data.kind.value, held_on=data.held_on, gross=counts.gross,
        considerable_found=counts.considerable_found,
        considerable_total=counts.considerable_total,
        insignificant_found=counts.insignificant_found,
        insignificant_total=counts.insignificant_total, checklist=appendix_locator,
        violated=sorted(data.violated), not_applicable=sorted(data.not_applicable),
        items=sorted(set(data.items)), eliminated=data.eliminated,
        explanation=explanation.to_dict(), recorded_by=actor.username, recorded_at=now_utc())
    session.add(control)
    session.flush()
    audit.append(session, actor=actor, action="risk.control_recorded", basis=criteria("§13"),
                 data={"code": code, "kind": data.kind.value, "held_on": str(data.held_on),
                       "indicator": explanation.to_dict()["value"]})
    return control


# --- exemptions of fair subjects (Cr §14) ------------------------------------------------------

class ExemptionIn(BaseModel):
    starts_on: dt.date = Field(description="First day of the exemption")
    ends_on: dt.date | None = Field(None, description="Last day; without it, the period of "
                                    "setting risk.fair_subject_exemption_period")
    reason: str = Field(min_length=3, max_length=1000, description="The officer's grounds")


EXEMPTION_STATES = ("in_force", "upcoming", "expired")


def exemption_state(exemption: RiskExemption, today: dt.date) -> str:
    if exemption.starts_on > today:
        return "upcoming"
    return "expired" if exemption.ends_on < today else "in_force"


def _exemption_end(starts_on: dt.date) -> dt.date:
    from kzreg.law.deadlines import deadline

    period = get_setting("risk.fair_subject_exemption_period")
    if period.value == "unset":
        raise LegalRuleError("the Criteria give no exemption period (Cr §14 \"for the period "
                             "determined by criteria\"): give the last day, or an "
                             "administrator sets risk.fair_subject_exemption_period",
                             field="ends_on", citation=criteria("§14"))
    return deadline(starts_on, period.value, count_start_day=True).value


def record_exemption(session: Session, code: str, data: ExemptionIn,
                     actor: Actor) -> RiskExemption:
    """Record an officer's Cr §14 exemption of a fair subject: only a subject whose latest
    indicator is of low degree without a gross violation (Cr §12-13), for a period that
    overlaps none of its other exemptions."""
    _writer(actor)
    subject = get_subject(session, code)
    ends_on = data.ends_on or _exemption_end(data.starts_on)
    if ends_on < data.starts_on:
        raise InputError("the exemption ends before it starts", field="ends_on")
    indicator = assess(session, subject)["indicator"].value
    if indicator.gross or indicator.degree is not Degree.LOW:
        raise LegalRuleError(f"only fair subjects are exempted: {code}'s indicator is "
                             f"{indicator} (a low degree without gross violations is "
                             "required)", field="code", citation=criteria("§14"))
    overlap = session.scalar(select(RiskExemption.id).where(
        RiskExemption.subject_id == subject.id, RiskExemption.starts_on <= ends_on,
        RiskExemption.ends_on >= data.starts_on))
    if overlap:
        raise Conflict(f"{code} already has an exemption (№ {overlap}) in this period",
                       field="starts_on")
    at = now_utc()
    row = RiskExemption(subject_id=subject.id, starts_on=data.starts_on, ends_on=ends_on,
                        reason=data.reason.strip(), indicator=str(indicator.value),
                        degree=indicator.degree.value, decided_by=actor.username,
                        decided_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="risk.exemption_recorded", basis=criteria("§14"),
                 data={"code": code, "starts_on": str(data.starts_on), "ends_on": str(ends_on),
                       "indicator": row.indicator, "reason": row.reason}, at=at)
    return row


def exemptions(session: Session, *, state: str | None = None, code: str | None = None,
               today: dt.date | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Exemptions (newest end first), by state as of `today`: in_force, upcoming, expired."""
    today = today or local_date(now_utc())
    query = (select(RiskExemption, RiskSubject.code, RiskSubject.name)
             .join(RiskSubject, RiskSubject.id == RiskExemption.subject_id)
             .order_by(RiskExemption.ends_on.desc(), RiskExemption.id.desc()).limit(limit))
    if state == "in_force":
        query = query.where(RiskExemption.starts_on <= today, RiskExemption.ends_on >= today)
    elif state == "upcoming":
        query = query.where(RiskExemption.starts_on > today)
    elif state == "expired":
        query = query.where(RiskExemption.ends_on < today)
    elif state:
        raise InputError(f"{state!r} is not one of {', '.join(EXEMPTION_STATES)}",
                         field="state")
    if code:
        query = query.where(RiskSubject.code == code)
    return [exemption_view(e, c, n, today) for e, c, n in session.execute(query)]


def exemption_view(e: RiskExemption, code: str, name: str, today: dt.date) -> dict[str, Any]:
    return {"id": e.id, "code": code, "name": name, "starts_on": e.starts_on,
            "ends_on": e.ends_on, "state": exemption_state(e, today), "reason": e.reason,
            "indicator": e.indicator, "degree": e.degree, "decided_by": e.decided_by,
            "decided_at": e.decided_at}


# --- the whole register at once (in SQL: kzreg.risk.register) ------------------------------

def register_degrees(session: Session) -> list[dict[str, Any]]:
    """Each subject with its objective degree (after Cr §15) and subjective degree."""
    return register.all_rows(session)


def degree_distribution(session: Session) -> dict[str, dict[str, int]]:
    """Counts of subjects per objective and subjective degree (for the register's chart)."""
    return register.distribution(session)


def plan_register(session: Session, start: dt.date, end: dt.date, control: ControlKind,
                  *, information_system: bool = False) -> planning.Plan:
    return planning.build_plan(planning.columns(register.plan_inputs(session, start)), start,
                               end, control, information_system=information_system)


def subject_count(session: Session) -> int:
    return session.scalar(select(func.count(RiskSubject.id))) or 0


# --- rapid-response orders (Cr §16-1..16-3) ---------------------------------------------------

def issue_orders(session: Session, control_id: int, actor: Actor, *,
                 at: dt.datetime | None = None, render: bool = True) -> list[int]:
    """Open a prohibition and/or withdrawal case for the control's violated JO-App5 items,
    with the order as a document; returns the case ids (none if no item calls for one)."""
    from kzreg.platform.cases import open_case
    from kzreg.risk import rapid_response, workflow

    _writer(actor)
    control = session.get(RiskControl, control_id)
    if control is None:
        raise NotFound(f"no control {control_id}", field="control_id")
    subject = session.get(RiskSubject, control.subject_id)
    at = at or now_utc()
    response = rapid_response.measures_for(control.items)
    decided_on = local_date(at)
    cases = []
    for measure, case_type in (("prohibition", workflow.PROHIBITION),
                               ("withdrawal", workflow.WITHDRAWAL)):
        items = response.value.measures[measure]
        if not items:
            continue
        data: dict[str, Any] = {"subject": subject.code, "control_id": control.id,
                                "items": list(items), "decided_on": decided_on.isoformat(),
                                "flagged_for_review": list(response.value.flagged_for_review),
                                "explanation": response.to_dict()}
        if measure == "prohibition":
            term = rapid_response.prohibition_term(decided_on).value
            data |= {"first_day": term.first_day.isoformat(),
                     "last_day": term.last_day.isoformat()}
        case = open_case(session, case_type, actor=actor, at=at,
                         title=f"{measure.capitalize()}: {subject.name} ({subject.code})",
                         party_bins=[subject.bin] if subject.bin and len(subject.bin) == 12
                         else [], data=data)
        session.add(RiskOrder(case_id=case.id, subject_id=subject.id, control_id=control.id,
                              measure=measure))
        if render:
            _order_document(session, case.id, measure, subject, data, actor, at)
        cases.append(case.id)
    return cases


def orders(session: Session, actor: Actor, *, code: str | None = None,
           limit: int = 500) -> list[Case]:
    """Rapid-response cases the actor sees (of one subject, if given), newest first."""
    query = (visible_cases(session, actor).join(RiskOrder, RiskOrder.case_id == Case.id)
             .order_by(Case.id.desc()).limit(limit))
    if code is not None:
        query = query.where(RiskOrder.subject_id == get_subject(session, code).id)
    return list(session.scalars(query))


CONTROL_KINDS_RU = {  # "по результатам …" (genitive), as the Criteria name the forms, Cr §8
    ControlKind.PREVENTIVE_WITH_VISIT: "профилактического контроля с посещением субъекта",
    ControlKind.PREVENTIVE_WITHOUT_VISIT: "профилактического контроля без посещения субъекта",
    ControlKind.COMPLIANCE_CHECK: "проверки на соответствие требованиям",
    ControlKind.UNSCHEDULED: "внеплановой проверки",
}
ORDER_TITLES = {
    "prohibition": "Мера оперативного реагирования: запрет сроком на тридцать календарных дней",
    "withdrawal": "Мера оперативного реагирования: изъятие",
}


def _order_document(session: Session, case_id: int, measure: str, subject: RiskSubject,
                    data: dict[str, Any], actor: Actor, at: dt.datetime) -> None:
    """The order as a document (Russian, HTML + PDF): risk/prohibition_order.html (Cr §16-2)
    or risk/withdrawal_order.html (Cr §16-3)."""
    from kzreg.platform.documents import render_document

    control = session.get(RiskControl, data["control_id"])
    clause = "Cr §16-2" if measure == "prohibition" else "Cr §16-3"
    render_document(session, case_id=case_id, template=f"risk/{measure}_order.html",
                    language="ru", actor=actor, kind=f"risk_{measure}", at=at,
                    context={"title": ORDER_TITLES[measure], "number": str(case_id),
                             "case_number": case_id, "measure": measure,
                             "subject_name": subject.name, "subject_code": subject.code,
                             "bin": subject.bin, "items": data["items"],
                             "decided_on": data["decided_on"],
                             "control": {"kind_ru": CONTROL_KINDS_RU[ControlKind(control.kind)],
                                         "held_on": control.held_on.isoformat()},
                             "first_day": data.get("first_day"),
                             "last_day": data.get("last_day"),
                             "flagged": data["flagged_for_review"],
                             "basis": ["jo-1199-826:Cr §16-1", f"jo-1199-826:{clause}"]})
