"""The risk room's operations on the database: the register of subjects, controls with
their filled checklists, loaded severities, degrees for the whole register, plans and
rapid-response orders. Each call runs in the caller's transaction (`unit_of_work`) and
audits what it changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
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
from kzreg.risk import checklists, planning
from kzreg.risk._law import criteria
from kzreg.risk.degrees import classify
from kzreg.risk.indicator import Counts, score_arrays, violation_indicator
from kzreg.risk.models import RiskControl, RiskSeverity, RiskSubject
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
    exempt_until: dt.date | None = Field(None, description="Cr §14 exemption decided by an "
                                         "officer, last day")


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


# --- the whole register at once -------------------------------------------------------------

def plan_inputs(session: Session) -> list[planning.PlanInput]:
    """One PlanInput per registered subject, from its latest controls (two queries)."""
    subjects = list(session.scalars(select(RiskSubject).order_by(RiskSubject.id)))
    latest: dict[int, RiskControl] = {}
    last_check: dict[int, dt.date] = {}
    eliminated: dict[int, dt.date] = {}
    visiting = (ControlKind.PREVENTIVE_WITH_VISIT.value, ControlKind.COMPLIANCE_CHECK.value)
    for c in session.scalars(select(RiskControl).order_by(RiskControl.held_on,
                                                          RiskControl.id)):
        latest[c.subject_id] = c
        if c.kind == ControlKind.COMPLIANCE_CHECK.value:
            last_check[c.subject_id] = c.held_on
        if c.kind in visiting:   # Cr §10: the previous control with visit or check
            if c.eliminated:
                eliminated[c.subject_id] = c.held_on
            else:
                eliminated.pop(c.subject_id, None)
    rows = []
    for s in subjects:
        c = counts_of(latest.get(s.id))
        rows.append(planning.PlanInput(
            s.code, SubjectType(s.type), len(relief(s).grounds()), c.gross,
            c.considerable_found, c.considerable_total, c.insignificant_found,
            c.insignificant_total, last_check.get(s.id), eliminated.get(s.id),
            s.exempt_until))
    return rows


def register_degrees(session: Session) -> list[dict[str, Any]]:
    """Each subject with its objective degree (after Cr §15) and subjective degree."""
    rows = plan_inputs(session)
    if not rows:
        return []
    cols = planning.columns(rows)
    degree = planning._objective_columns(cols.type_code, cols.relief)
    _, _, subjective = score_arrays(*np.array(
        [(r.gross, r.considerable_found, r.considerable_total, r.insignificant_found,
          r.insignificant_total) for r in rows], np.int64).reshape(-1, 5).T)
    from fractions import Fraction

    from kzreg.risk.batch import exact_number
    out = []
    for k, r in enumerate(rows):
        out.append({"code": r.id, "type": r.type.value,
                    "objective_degree": Degree.of_rank(degree[k]).value if degree[k] else None,
                    "indicator": exact_number(Fraction(int(cols.num[k]), int(cols.den[k]))),
                    "degree": Degree.of_rank(int(subjective[k])).value,
                    "last_check": r.last_check})
    return out


def degree_distribution(session: Session) -> dict[str, dict[str, int]]:
    """Counts of subjects per objective and subjective degree (for the register's chart)."""
    dist = {"objective": {}, "subjective": {}}
    for row in register_degrees(session):
        key = row["objective_degree"] or "unclassified"
        dist["objective"][key] = dist["objective"].get(key, 0) + 1
        dist["subjective"][row["degree"]] = dist["subjective"].get(row["degree"], 0) + 1
    return dist


def plan_register(session: Session, start: dt.date, end: dt.date, control: ControlKind,
                  *, information_system: bool = False) -> planning.Plan:
    return planning.build_plan(planning.columns(plan_inputs(session)), start, end, control,
                               information_system=information_system)


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
        if render:
            _order_document(session, case.id, measure, subject, data, actor, at)
        cases.append(case.id)
    return cases


def _order_document(session: Session, case_id: int, measure: str, subject: RiskSubject,
                    data: dict[str, Any], actor: Actor, at: dt.datetime) -> None:
    from kzreg.platform.documents import render_document

    clause = "Cr §16-2" if measure == "prohibition" else "Cr §16-3"
    render_document(session, case_id=case_id, template="risk/rapid_response_order.html",
                    language="ru", actor=actor, kind=f"risk_{measure}", at=at,
                    context={"title": ("Запрет сроком на тридцать календарных дней"
                                       if measure == "prohibition" else "Изъятие"),
                             "measure": measure, "subject_name": subject.name,
                             "subject_code": subject.code, "bin": subject.bin,
                             "items": data["items"], "first_day": data.get("first_day"),
                             "last_day": data.get("last_day"),
                             "flagged": data["flagged_for_review"],
                             "basis": [f"jo-1199-826:{clause}"]})
