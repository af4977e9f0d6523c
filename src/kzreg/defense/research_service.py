"""The research pipeline of the state defense order on the database (Law 236-VI Art 21):

- the DSTC approves specialized scientific areas (Art 21 p.2 task 2; `order_service.
  approve_area`); one expert council is set up for each, its composition approved by the
  authorised body (Art 21 p.5-6; Art 6 sub 34) from the members Art 21 p.6 lists
  (`data/expert_councils.yaml`);
- a research application's expert opinion comes from its area's council and the DSTC
  selects on it (Art 21 p.1; `order_service.decide_research`);
- a report on completed research in an approved order is examined by the council
  (Art 21 p.4), considered by the DSTC (Art 21 p.2 task 4) and approved by the body whose
  budget holds the funds on the day (Art 6-1 sub 19; Art 7 sub 14-2; `competence`).

Secrecy as in `order_service`: a record above the reader's clearance is "not found" and
left out of lists; classified reads are audited. Research is the recipients' and the
state bodies': a contractor sees none of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import applications
from kzreg.defense._law import art, data
from kzreg.defense.competence import BODIES, Funds, who_acts
from kzreg.defense.models import (
    DefenseApplication,
    DefenseExpertCouncil,
    DefenseOrder,
    DefenseOrderLine,
    DefenseResearchArea,
    DefenseResearchReport,
)
from kzreg.defense.order_service import (
    IN_ORDER,
    application_row,
    classify,
    not_found,
    officer,
    reader,
    record_reads,
    sees,
)
from kzreg.law.calendar import now_utc
from kzreg.law.errors import Conflict, InputError, LegalRuleError
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role


class MemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    affiliation: str = Field(description="a category of Art 21 p.6")


class CouncilIn(BaseModel):
    area_code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=300)
    composition_act: str = Field(min_length=1, max_length=200)
    composition_approved_on: dt.date
    members: list[MemberIn] = Field(min_length=1)
    secrecy_level: int = 0


def set_up_council(session: Session, actor: Actor, body: CouncilIn) -> DefenseExpertCouncil:
    """The expert council of an approved area, its composition approved (Art 21 p.5-6)."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    area = session.get(DefenseResearchArea, body.area_code)
    if area is None or not sees(actor, area.secrecy_level):
        raise not_found("area", body.area_code)
    if body.composition_approved_on < area.approved_on:
        raise LegalRuleError(f"councils are set up for areas the DSTC approved; {area.code} "
                             f"was approved on {area.approved_on}",
                             field="composition_approved_on", citation=art("Art 21 p.5"))
    if session.scalars(select(DefenseExpertCouncil.id).where(
            DefenseExpertCouncil.area_code == area.code)).first() is not None:
        raise Conflict(f"area {area.code} has its expert council (one per area)",
                       field="area_code", citation=art("Art 21 p.5"))
    allowed = data("expert_councils")["affiliations"]
    for n, member in enumerate(body.members):
        if member.affiliation not in allowed:
            raise InputError(f"{member.affiliation!r} is not among those Art 21 p.6 lists: "
                             f"{', '.join(allowed)}", field=f"members[{n}].affiliation",
                             citation=art("Art 21 p.6"))
    at = now_utc()
    row = DefenseExpertCouncil(
        area_code=area.code, name=body.name.strip(), composition_act=body.composition_act,
        composition_approved_on=body.composition_approved_on,
        members=[m.model_dump() for m in body.members], secrecy_level=max(level,
                                                                            area.secrecy_level),
        recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.expert_council_set_up",
                 basis=art("Art 21 p.6"), at=at, data={"area": area.code, "id": row.id})
    return row


def _order_line(session: Session, app: DefenseApplication) -> tuple[DefenseOrder,
                                                                    DefenseOrderLine] | None:
    """The approved order's line carrying the research (the research was placed)."""
    found = session.execute(select(DefenseOrder, DefenseOrderLine).join(
        DefenseOrderLine, DefenseOrderLine.order_id == DefenseOrder.id).where(
        DefenseOrderLine.application_id == app.id, DefenseOrderLine.status == IN_ORDER,
        DefenseOrder.status == "approved").order_by(DefenseOrder.id)).first()
    return (found[0], found[1]) if found else None


class ReportIn(BaseModel):
    application_id: int
    title: str = Field(min_length=1, max_length=300)
    submitted_on: dt.date
    secrecy_level: int = 0


def submit_report(session: Session, actor: Actor, body: ReportIn) -> DefenseResearchReport:
    """A report on research the approved order carries (Art 21 p.4)."""
    officer(actor)
    app = application_row(session, actor, body.application_id)
    level = max(classify(actor, body.secrecy_level), app.secrecy_level)
    if app.category != applications.RESEARCH:
        raise InputError("reports are on research applications", field="application_id",
                         citation=art("Art 21 p.4"))
    if _order_line(session, app) is None:
        raise LegalRuleError("the research is not in an approved order: only research the "
                             "DSTC selected and the Government approved is reported on",
                             field="application_id", citation=art("Art 21 p.1"))
    at = now_utc()
    row = DefenseResearchReport(application_id=app.id, title=body.title.strip(),
                                submitted_on=body.submitted_on, status="submitted",
                                secrecy_level=level, recorded_by=actor.username,
                                recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.research_report_submitted",
                 basis=art("Art 21 p.4"), at=at, data={"id": row.id, "application": app.id})
    return row


class ReportStepIn(BaseModel):
    on: dt.date
    text: str = Field(min_length=1, max_length=5000,
                      description="the council's opinion, the DSTC's minutes or the approving act")


def _report(session: Session, actor: Actor, report_id: int) -> DefenseResearchReport:
    reader(actor)
    row = session.get(DefenseResearchReport, report_id)
    if row is None or actor.role is Role.CONTRACTOR or not sees(actor, row.secrecy_level):
        raise not_found("report", report_id)
    return row


def council_on(session: Session, area: str | None, on: dt.date) -> DefenseExpertCouncil | None:
    council = session.scalars(select(DefenseExpertCouncil).where(
        DefenseExpertCouncil.area_code == (area or ""))).first()
    return council if council and council.composition_approved_on <= on else None


def report_step(session: Session, actor: Actor, report_id: int, step: str,
                body: ReportStepIn) -> dict[str, Any]:
    """Examine (council), consider (DSTC) or approve (the body of the funds) a report."""
    officer(actor)
    row = _report(session, actor, report_id)
    last = max(d for d in (row.submitted_on, row.examined_on, row.considered_on) if d)
    status = applications.report_step(row.status, step, body.on, last).value
    app = session.get(DefenseApplication, row.application_id)
    text = body.text.strip()
    if step == "examine":
        if council_on(session, app.research_area, body.on) is None:
            raise LegalRuleError(f"area {app.research_area} has no expert council on "
                                 f"{body.on.isoformat()}", field="step",
                                 citation=art("Art 21 p.5"))
        row.council_opinion, row.examined_on = text, body.on
    elif step == "consider":
        row.dstc_minutes, row.considered_on = text[:200], body.on
    else:
        placed = _order_line(session, app)
        funds = (Funds.RECIPIENT if placed and placed[0].funds_holder == "recipient"
                 else Funds.SDP_BODY)
        body_of = who_acts(body.on, funds).value["functions"]["approve_research_reports"]
        row.approved_on, row.approval_act, row.approving_body = (body.on, text[:200],
                                                                 body_of["body"])
    row.status = status
    audit.append(session, actor=actor, action=f"defense.research_report_{status}",
                 basis=art(applications.REPORT_STEPS[step][2]),
                 data={"id": row.id, "on": body.on.isoformat()})
    return report_json(row)


def report_json(row: DefenseResearchReport) -> dict[str, Any]:
    out = {c.name: getattr(row, c.name) for c in row.__table__.columns
           if c.name != "recorded_at"}
    out["approving_body_name"] = BODIES.get(row.approving_body or "", None)
    return jsonable(out)


def research_view(session: Session, actor: Actor) -> dict[str, Any]:
    """Areas, councils, research applications and reports within the reader's clearance."""
    reader(actor)
    if actor.role is Role.CONTRACTOR:
        return {"areas": [], "councils": [], "applications": [], "reports": []}
    areas = [a for a in session.scalars(select(DefenseResearchArea)
                                        .order_by(DefenseResearchArea.code))
             if sees(actor, a.secrecy_level)]
    councils = [c for c in session.scalars(select(DefenseExpertCouncil)
                                           .order_by(DefenseExpertCouncil.area_code))
                if sees(actor, c.secrecy_level)]
    apps = [a for a in session.scalars(select(DefenseApplication).where(
        DefenseApplication.category == applications.RESEARCH)
        .order_by(DefenseApplication.id.desc())) if sees(actor, a.secrecy_level)]
    reports = [r for r in session.scalars(select(DefenseResearchReport)
                                          .order_by(DefenseResearchReport.id.desc()))
               if sees(actor, r.secrecy_level)]
    record_reads(session, actor, "research", [
        *((f"area {a.code}", a.secrecy_level) for a in areas),
        *((f"council {c.id}", c.secrecy_level) for c in councils),
        *((f"application {a.id}", a.secrecy_level) for a in apps),
        *((f"report {r.id}", r.secrecy_level) for r in reports)])
    return jsonable({
        "areas": [{"code": a.code, "title": a.title, "approved_on": a.approved_on,
                   "dstc_decision": a.dstc_decision, "secrecy_level": a.secrecy_level}
                  for a in areas],
        "councils": [{"id": c.id, "area_code": c.area_code, "name": c.name,
                      "composition_act": c.composition_act,
                      "composition_approved_on": c.composition_approved_on,
                      "members": c.members, "secrecy_level": c.secrecy_level}
                     for c in councils],
        "applications": [{"id": a.id, "recipient": a.recipient,
                          "nomenclature": a.nomenclature, "research_area": a.research_area,
                          "expert_opinion": a.expert_opinion, "dstc_selected": a.dstc_selected,
                          "dstc_decision": a.dstc_decision, "problems": a.problems,
                          "secrecy_level": a.secrecy_level} for a in apps],
        "reports": [report_json(r) for r in reports]})
