"""Military operational requirements (TTS) on the database (Law 236-VI Art 20 p.2, Art 25
sub 5): the recipient drafts, approves and sends versions; the selection freezes the version
it used (Art 22 p.7 sub 3) and a change is a new version. The rules are `requirements`;
this module stores them, audits each step and applies secrecy like `order_service`."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense._law import art
from kzreg.defense.models import DefenseOrderLine, DefenseRequirement, DefenseRequirementVersion
from kzreg.defense.order_service import classify, not_found, officer, reader, record_reads, sees
from kzreg.defense.requirements import Requirement, Version
from kzreg.law.calendar import now_utc
from kzreg.law.errors import InputError
from kzreg.law.explain import jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role


class RequirementIn(BaseModel):
    item: str = Field(min_length=1, max_length=300)
    recipient: str = Field(min_length=1, max_length=300)
    line_id: int | None = None
    characteristics: dict[str, str]
    place_of_delivery: str = Field("", max_length=300)
    national_standards: list[str] = Field(default_factory=list)
    secrecy_level: int = 0


def _requirement(session: Session, actor: Actor, req_id: int) -> DefenseRequirement:
    reader(actor)
    row = session.get(DefenseRequirement, req_id)
    if row is None or not sees(actor, row.secrecy_level):
        raise not_found("requirement", req_id)
    if actor.role is Role.CONTRACTOR:
        line = session.get(DefenseOrderLine, row.line_id) if row.line_id else None
        if line is None or line.contractor_bin != actor.bin:
            raise not_found("requirement", req_id)
    return row


def _versions(session: Session, row: DefenseRequirement) -> list[DefenseRequirementVersion]:
    return list(session.scalars(select(DefenseRequirementVersion).where(
        DefenseRequirementVersion.requirement_id == row.id)
        .order_by(DefenseRequirementVersion.number)))


def _as_rules(session: Session, row: DefenseRequirement) -> Requirement:
    return Requirement(row.item, row.recipient, [
        Version(v.number, row.item, row.recipient, dict(v.characteristics),
                v.place_of_delivery, tuple(v.national_standards), v.approved_on, v.sent_on,
                v.frozen_for, v.secrecy_level) for v in _versions(session, row)])


def _store(session: Session, actor: Actor, row: DefenseRequirement, rules: Requirement) -> None:
    stored = {v.number: v for v in _versions(session, row)}
    at = now_utc()
    for v in rules.versions:
        target = stored.get(v.number)
        if target is None:
            session.add(DefenseRequirementVersion(
                requirement_id=row.id, number=v.number, characteristics=v.characteristics,
                place_of_delivery=v.place_of_delivery,
                national_standards=list(v.national_standards), secrecy_level=v.secrecy_level,
                recorded_by=actor.username, recorded_at=at))
        else:
            target.approved_on, target.sent_on = v.approved_on, v.sent_on
            target.frozen_for = v.frozen_for
    session.flush()


def create_requirement(session: Session, actor: Actor, body: RequirementIn) -> DefenseRequirement:
    """Version 1 of a recipient's requirement (Art 20 p.2, Art 25 sub 5)."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    if body.line_id is not None:
        line = session.get(DefenseOrderLine, body.line_id)
        if line is None or not sees(actor, line.secrecy_level):
            raise not_found("line", body.line_id)
        level = max(level, line.secrecy_level)   # a line's requirement is as secret as it
    rules = Requirement(body.item, body.recipient)
    rules.draft(body.characteristics, body.place_of_delivery,
                national_standards=tuple(body.national_standards), secrecy_level=level)
    at = now_utc()
    row = DefenseRequirement(item=body.item, recipient=body.recipient, line_id=body.line_id,
                             secrecy_level=level, created_by=actor.username, created_at=at)
    session.add(row)
    session.flush()
    _store(session, actor, row, rules)
    audit.append(session, actor=actor, action="defense.requirement_drafted",
                 basis=art("Art 25 sub 5"), at=at, data={"id": row.id})
    return row


STEPS = {"approve": ("Art 25 sub 5", "approved"), "send": ("Art 20 p.2 part 3", "sent")}


def requirement_step(session: Session, actor: Actor, req_id: int, number: int, step: str,
                     on: dt.date) -> DefenseRequirement:
    """Approve a version (Art 25 sub 5) or send it to the SDP body (Art 20 p.2 part 3)."""
    officer(actor)
    row = _requirement(session, actor, req_id)
    if step not in STEPS:
        raise InputError("approve or send", field="step")
    rules = _as_rules(session, row)
    getattr(rules, step)(number, on)
    _store(session, actor, row, rules)
    audit.append(session, actor=actor, action=f"defense.requirement_{STEPS[step][1]}",
                 basis=art(STEPS[step][0]), data={"id": row.id, "version": number})
    return row


def revise_requirement(session: Session, actor: Actor, req_id: int, number: int,
                       characteristics: dict[str, str]) -> DefenseRequirement:
    """A change is a new version; a frozen one is never edited (Art 22 p.7 sub 3)."""
    officer(actor)
    row = _requirement(session, actor, req_id)
    rules = _as_rules(session, row)
    rules.revise(number, characteristics)
    _store(session, actor, row, rules)
    audit.append(session, actor=actor, action="defense.requirement_revised",
                 basis=art("Art 20 p.2"), data={"id": row.id, "from": number})
    return row


def requirement_view(session: Session, actor: Actor, req_id: int) -> dict:
    row = _requirement(session, actor, req_id)
    versions = [v for v in _versions(session, row) if sees(actor, v.secrecy_level)]
    record_reads(session, actor, "requirement", [(row.id, max(
        [row.secrecy_level, *(v.secrecy_level for v in versions)]))])
    return jsonable({"id": row.id, "item": row.item, "recipient": row.recipient,
                     "line_id": row.line_id, "secrecy_level": row.secrecy_level,
                     "versions": [{c.name: getattr(v, c.name) for c in v.__table__.columns
                                   if c.name not in ("requirement_id", "recorded_at")}
                                  for v in versions]})


def freeze_for_selection(session: Session, line: DefenseOrderLine, selection_ref: str) -> None:
    """The latest version sent to the SDP body is the one the selection used (p.7 sub 3)."""
    row = session.scalars(select(DefenseRequirement).where(
        DefenseRequirement.line_id == line.id)).first()
    if row is None:
        return
    rules = _as_rules(session, row)
    sent = [v for v in rules.versions if v.sent_on is not None]
    if sent and not sent[-1].frozen_for:
        rules.freeze(sent[-1].number, selection_ref)
        stored = {v.number: v for v in _versions(session, row)}
        stored[sent[-1].number].frozen_for = selection_ref


def list_requirements(session: Session, actor: Actor) -> list[dict]:
    """The requirements the reader may see, each with its latest version's state; a
    contractor sees those of its own lines (as `requirement_view`)."""
    reader(actor)
    out, shown = [], []
    for row in session.scalars(select(DefenseRequirement).order_by(DefenseRequirement.id.desc())):
        if not sees(actor, row.secrecy_level):
            continue
        if actor.role is Role.CONTRACTOR:
            line = session.get(DefenseOrderLine, row.line_id) if row.line_id else None
            if line is None or line.contractor_bin != actor.bin:
                continue
        versions = [v for v in _versions(session, row) if sees(actor, v.secrecy_level)]
        last = versions[-1] if versions else None
        shown.append((row.id, row.secrecy_level))
        out.append(jsonable({
            "id": row.id, "item": row.item, "recipient": row.recipient, "line_id": row.line_id,
            "secrecy_level": row.secrecy_level, "versions": len(versions),
            "latest": last.number if last else None,
            "state": None if last is None else ("frozen" if last.frozen_for else "sent"
                                                if last.sent_on else "approved"
                                                if last.approved_on else "draft")}))
    record_reads(session, actor, "requirements", shown)
    return out
