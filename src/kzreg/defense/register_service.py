"""The register of domestic producers and suppliers and the offshore lists for readers and
writers on the web (Law 236-VI Art 6-1 sub 11, Art 20 p.4, p.10).

Writes go through `registers` (audited, inclusion conditions of Art 1 sub 2, 5, 24). Reads
apply secrecy (Art 25 sub 3): an entry above the reader's clearance is never shown and
reads "not found"; a contractor sees only its own entry. The offshore lists are the
central authorized body's act: any reader may see them, only an administrator loads one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.defense import registers, selection
from kzreg.defense._law import art
from kzreg.defense.models import DefenseRegisterEntry
from kzreg.defense.order_service import classify, officer, reader, record_reads, sees
from kzreg.defense.rules import EntityInput, OffshoreListInput
from kzreg.law.errors import Conflict, InputError, NotFound
from kzreg.law.explain import Explained, jsonable
from kzreg.law.identifiers.bin_iin import validate_bin
from kzreg.platform.actors import Actor, Role


class InclusionIn(BaseModel):
    entity: EntityInput
    kinds: list[registers.Kind] = Field(min_length=1)
    categories: list[str] = Field(min_length=1)
    included_on: dt.date
    decision: str = Field(min_length=1, max_length=300)
    secrecy_level: int = 0


class RemovalIn(BaseModel):
    on: dt.date
    reason: str = Field(min_length=1, max_length=300)


def _latest(session: Session) -> dict[str, DefenseRegisterEntry]:
    rows: dict[str, DefenseRegisterEntry] = {}
    for row in session.scalars(select(DefenseRegisterEntry).order_by(DefenseRegisterEntry.id)):
        rows[row.bin] = row
    return rows


def _visible(actor: Actor, row: DefenseRegisterEntry) -> bool:
    if not sees(actor, row.secrecy_level):
        return False
    return actor.role is not Role.CONTRACTOR or row.bin == actor.bin


def entry_json(row: DefenseRegisterEntry, on: dt.date | None = None) -> dict[str, Any]:
    active = row.included_on <= (on or dt.date.max) and (
        row.removed_on is None or (on is not None and on < row.removed_on))
    return jsonable({"bin": row.bin, "name": row.entity.get("name"), "entity": row.entity,
                     "kinds": row.kinds, "categories": row.categories,
                     "included_on": row.included_on, "decision": row.decision,
                     "removed_on": row.removed_on, "removal_reason": row.removal_reason,
                     "active": active, "secrecy_level": row.secrecy_level})


def search(session: Session, actor: Actor, q: str | None = None, category: str | None = None,
           on: dt.date | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Each entity's latest entry the reader may see, by name or BIN and category."""
    reader(actor)
    rows = [r for r in _latest(session).values() if _visible(actor, r)]
    if q:
        needle = q.strip().lower()
        rows = [r for r in rows if needle in r.bin or needle in
                str(r.entity.get("name", "")).lower()]
    if category:
        rows = [r for r in rows if category in r.categories]
    if on is not None:
        rows = [r for r in rows if r.included_on <= on
                and (r.removed_on is None or on < r.removed_on)]
    rows = sorted(rows, key=lambda r: str(r.entity.get("name", "")))[:limit]
    record_reads(session, actor, "register", [(r.bin, r.secrecy_level) for r in rows])
    return [entry_json(r, on) for r in rows]


def get_entry(session: Session, actor: Actor, bin: str) -> dict[str, Any]:
    reader(actor)
    row = _latest(session).get(bin)
    if row is None or not _visible(actor, row):
        raise NotFound(f"no register entry {bin}", field="bin")
    record_reads(session, actor, "register entry", [(row.bin, row.secrecy_level)])
    return entry_json(row)


def include(session: Session, actor: Actor, body: InclusionIn) -> dict[str, Any]:
    """Include an entity by the SDP body's decision (Art 6-1 sub 11), refused when it is
    not a resident legal entity with production facilities or the ability to perform
    (Art 1 sub 2, 5, 24) — the explanation says which condition failed."""
    officer(actor)
    level = classify(actor, body.secrecy_level)
    validate_bin(body.entity.bin, "entity.bin")
    from kzreg.defense.order import category

    for n, code in enumerate(body.categories):
        category(code, f"categories[{n}]")
    entity = body.entity.to_entity()
    current = _latest(session).get(entity.bin)
    if current is not None and not _visible(actor, current):
        # Refused without the entry's dates or level: the reader may not learn them.
        raise Conflict(f"{entity.bin} cannot be included by you; refer the decision to an "
                       "officer cleared for the register", field="entity.bin",
                       citation=art("Art 6-1 sub 11"))
    registers.save_entry(session, registers.Entry(
        entity, tuple(body.kinds), tuple(body.categories), body.included_on, body.decision),
        actor, secrecy_level=level)
    session.flush()
    return entry_json(_latest(session)[entity.bin])


def check_inclusion(actor: Actor, body: InclusionIn) -> Explained:
    reader(actor)
    return registers.check_inclusion(body.entity.to_entity(), tuple(body.kinds),
                                     body.included_on)


def remove(session: Session, actor: Actor, bin: str, body: RemovalIn) -> dict[str, Any]:
    officer(actor)
    row = _latest(session).get(bin)
    if row is None or not _visible(actor, row):
        raise NotFound(f"no register entry {bin}", field="bin")
    registers.remove_entry(session, bin, body.on, body.reason, actor)
    return entry_json(row, body.on)


# --- the offshore lists (Art 20 p.10) ------------------------------------------------------

def offshore_versions(session: Session, actor: Actor) -> list[dict[str, Any]]:
    reader(actor)
    return [jsonable({"id": v.id, "approved_by": v.approved_by,
                      "effective_from": v.effective_from,
                      "jurisdictions": sorted(v.jurisdictions)})
            for v in registers.offshore_versions(session)]


def offshore_on(session: Session, actor: Actor, on: dt.date) -> dict[str, Any]:
    """The version that applied on `on` (the latest effective by then)."""
    reader(actor)
    version = registers.offshore_list(on, registers.offshore_versions(session))
    return jsonable({"on": on, "id": version.id, "approved_by": version.approved_by,
                     "effective_from": version.effective_from,
                     "jurisdictions": sorted(version.jurisdictions),
                     "basis": art("Art 20 p.10")})


def load_offshore(session: Session, actor: Actor, body: OffshoreListInput) -> dict[str, Any]:
    if not body.jurisdictions:
        raise InputError("a list names at least one state or territory",
                         field="jurisdictions", citation=art("Art 20 p.10"))
    registers.store_offshore_list(session, body.to_list(), actor)
    return {"id": body.id, "effective_from": body.effective_from.isoformat(),
            "count": len(set(body.jurisdictions))}


class GateIn(BaseModel):
    on: dt.date
    bin: str | None = Field(None, description="an entity of the register, or give `entity`")
    entity: EntityInput | None = None
    purpose: selection.Purpose = selection.Purpose.EXECUTE
    research: bool = False
    special_state_body: bool = False


def offshore_check(session: Session, actor: Actor, body: GateIn) -> Explained:
    """The offshore gate on the list that applied on the date (Art 20 p.10)."""
    reader(actor)
    if body.entity is not None:
        entity = body.entity.to_entity()
    elif body.bin:
        row = _latest(session).get(body.bin)
        if row is None or not _visible(actor, row):
            raise NotFound(f"no register entry {body.bin}", field="bin")
        entity = registers.load_register(session).entries[row.bin].entity
        record_reads(session, actor, "register entry", [(row.bin, row.secrecy_level)])
    else:
        raise InputError("give the BIN of a register entity or the entity", field="bin")
    zones = registers.offshore_list(body.on, registers.offshore_versions(session))
    return selection.offshore_gate(entity, body.on, purpose=body.purpose,
                                   research=body.research,
                                   special_state_body=body.special_state_body, zones=zones)
