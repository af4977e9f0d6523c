"""Prototypes: the result of design and experimental works within the state defense order
(Law 236-VI Art 21 p.8; Art 1 sub 26-2, 26-3), from made to introduced into service.

The steps, in this order, each dated no earlier than the one before:

1. made — a prototype of research the approved order carries (Art 21 p.1, p.8), no earlier
   than the act approving that order;
2. state testing — organized and conducted by the state body (Art 7 sub 11) under the
   rules for testing results of experimental design work, which the SDP body approves
   (Art 6-1 sub 20); the test verifies compliance with the TTS and whether it may be
   adopted (Art 1 sub 26-3): passed or failed (a failed prototype may be tested again);
3. accepted for introduction into service — only a prototype that passed (Art 7 sub 13;
   Art 1 sub 26-3);
4. documents for mass production reconciled (Art 7 sub 12; Art 1 sub 26-3 "subsequent
   transfer to mass production").

Each step records the body `competence.who_acts` names for it on its date by whose budget
holds the order's funds. Secrecy as for research: at least the application's level, a
hidden prototype is "not found", classified reads are audited, a contractor sees none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import applications
from kzreg.defense._law import art
from kzreg.defense.competence import BODIES, Funds, who_acts
from kzreg.defense.models import DefenseApplication, DefensePrototype
from kzreg.defense.order_service import (
    application_row,
    classify,
    not_found,
    officer,
    reader,
    record_reads,
    sees,
)
from kzreg.defense.research_service import _order_line
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role

# step: (statuses it follows, the clause, the competence function, what it is)
STEPS = {
    "test": (("made", "test_failed"), "Art 7 sub 11", "state_testing",
             "state testing of the prototype"),
    "accept": (("tested",), "Art 7 sub 13", "accept_prototypes",
               "acceptance for introduction into service"),
    "documents": (("accepted",), "Art 7 sub 12", "mass_production_documents",
                  "reconciliation of the documents for mass production"),
}
NEXT = {"made": "test", "test_failed": "test", "tested": "accept", "accepted": "documents"}


class PrototypeIn(BaseModel):
    application_id: int
    name: str = Field(min_length=1, max_length=300)
    made_on: dt.date
    secrecy_level: int = 0


class PrototypeStepIn(BaseModel):
    on: dt.date
    text: str = Field(min_length=1, max_length=5000,
                      description="the test report, the acceptance act or the documents")
    testing_rules: str | None = Field(None, max_length=300,
                                      description="test: the rules it followed (Art 6-1 sub 20)")
    passed: bool | None = Field(None, description="test: passed or failed")


def _funds_of(session: Session, app: DefenseApplication) -> tuple[Funds, dt.date]:
    placed = _order_line(session, app)
    if placed is None:
        raise LegalRuleError("the research is not in an approved order: a prototype is the "
                             "result of design works within the order", field="application_id",
                             citation=art("Art 21 p.8"))
    funds = Funds.RECIPIENT if placed[0].funds_holder == "recipient" else Funds.SDP_BODY
    return funds, placed[0].act_date


def record_prototype(session: Session, actor: Actor, body: PrototypeIn) -> DefensePrototype:
    """A prototype made by the design works of research in an approved order."""
    officer(actor)
    app = application_row(session, actor, body.application_id)
    level = max(classify(actor, body.secrecy_level), app.secrecy_level)
    if app.category != applications.RESEARCH:
        raise InputError("a prototype results from design and experimental works, which are "
                         "research (category 6)", field="application_id",
                         citation=art("Art 1 sub 26-2"))
    _funds, approved_on = _funds_of(session, app)
    if body.made_on < approved_on or body.made_on > local_date(now_utc()):
        raise InputError(f"made within the approved order (from {approved_on.isoformat()}), "
                         "not in the future", field="made_on", citation=art("Art 21 p.8"))
    at = now_utc()
    row = DefensePrototype(application_id=app.id, name=body.name.strip(),
                           made_on=body.made_on, status="made", secrecy_level=level,
                           recorded_by=actor.username, recorded_at=at)
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="defense.prototype_made",
                 basis=art("Art 21 p.8"), at=at, data={"id": row.id, "application": app.id})
    return row


def _prototype(session: Session, actor: Actor, prototype_id: int) -> DefensePrototype:
    reader(actor)
    row = session.get(DefensePrototype, prototype_id)
    if row is None or actor.role is Role.CONTRACTOR or not sees(actor, row.secrecy_level):
        raise not_found("prototype", prototype_id)
    return row


def get_prototype(session: Session, actor: Actor, prototype_id: int) -> DefensePrototype:
    row = _prototype(session, actor, prototype_id)
    record_reads(session, actor, "prototype", [(row.id, row.secrecy_level)])
    return row


def prototype_step(session: Session, actor: Actor, prototype_id: int, step: str,
                   body: PrototypeStepIn) -> dict[str, Any]:
    """Test, accept for service, or reconcile the mass-production documents, in order."""
    officer(actor)
    row = _prototype(session, actor, prototype_id)
    if step not in STEPS:
        raise InputError(f"one of {', '.join(STEPS)}", field="step")
    after, clause, function, what = STEPS[step]
    if row.status not in after:
        hint = (" — only a prototype that passed its test is accepted (Art 1 sub 26-3)"
                if step == "accept" and row.status == "test_failed" else "")
        raise LegalRuleError(f"{what} follows {' or '.join(after)}; the prototype is "
                             f"{row.status}{hint}", field="step", citation=art(clause))
    last = max(d for d in (row.made_on, row.tested_on, row.accepted_on) if d)
    if body.on < last or body.on > local_date(now_utc()):
        raise InputError(f"dated from {last.isoformat()} to today", field="on",
                         citation=art(clause))
    funds, _approved = _funds_of(session, session.get(DefenseApplication, row.application_id))
    acting = who_acts(body.on, funds).value["functions"]
    text = body.text.strip()
    if step == "test":
        if body.passed is None or not (body.testing_rules or "").strip():
            raise InputError("give the result and the testing rules followed (approved by "
                             f"{acting['approve_testing_rules']['body_name']})",
                             field="testing_rules" if body.passed is not None else "passed",
                             citation=art("Art 6-1 sub 20"))
        row.testing_rules, row.tested_on, row.test_report = (
            body.testing_rules.strip(), body.on, text)
        row.testing_body = acting[function]["body"]
        row.status = "tested" if body.passed else "test_failed"
    elif step == "accept":
        row.accepted_on, row.acceptance_act = body.on, text[:200]
        row.accepting_body, row.status = acting[function]["body"], "accepted"
    else:
        row.documents_on, row.documents_ref = body.on, text[:300]
        row.status = "documents_reconciled"
    audit.append(session, actor=actor, action=f"defense.prototype_{row.status}",
                 basis=art(clause), data={"id": row.id, "on": body.on.isoformat(),
                                          "body": acting[function]["body"]})
    return prototype_json(row)


def prototype_json(row: DefensePrototype) -> dict[str, Any]:
    out = {c.name: getattr(row, c.name) for c in row.__table__.columns
           if c.name != "recorded_at"}
    out["testing_body_name"] = BODIES.get(row.testing_body or "")
    out["accepting_body_name"] = BODIES.get(row.accepting_body or "")
    out["next_step"] = NEXT.get(row.status)
    return jsonable(out)


def prototypes_view(session: Session, actor: Actor) -> list[dict[str, Any]]:
    reader(actor)
    if actor.role is Role.CONTRACTOR:
        return []
    rows = [r for r in session.scalars(select(DefensePrototype)
                                       .order_by(DefensePrototype.id.desc()))
            if sees(actor, r.secrecy_level)]
    record_reads(session, actor, "prototypes", [(r.id, r.secrecy_level) for r in rows])
    return [prototype_json(r) for r in rows]
