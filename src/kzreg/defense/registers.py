"""The register of domestic producers and suppliers, the offshore list, beneficial owners.

- `check_inclusion` — who may be in the register: a legal entity resident in Kazakhstan;
  a producer of goods with production facilities in Kazakhstan, a supplier of works and
  services able to perform them (Law 236-VI Art 1 sub 2, 5, 24). Qualification requirements
  and documents are set by the order's rules, not in the corpus
  (setting defense.register_qualification_requirements): the SDP body's decision is recorded.
- `Register` — entries with inclusion and removal dates; `members(on)` as of a date.
- `OffshoreList` — the list of offshore zones, dated data approved by the central authorized
  body for budget execution (Art 20 p.10; `data/offshore_zones.yaml`, loaded by an
  administrator — no jurisdiction is invented).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kzreg.defense._law import art, data
from kzreg.law.errors import Conflict, InputError, NotFound, NotInForce
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kzreg.platform.actors import Actor


class Kind(enum.StrEnum):
    PRODUCER = "producer"    # of military or dual-use goods (Art 1 sub 5)
    SUPPLIER = "supplier"    # of military-related works and services (Art 1 sub 2)


@dataclass(frozen=True)
class Owner:
    """A beneficial owner: a legal entity or a natural person, and where it is registered
    (for a person: resident)."""

    name: str
    legal_entity: bool
    jurisdiction: str


@dataclass(frozen=True)
class Entity:
    bin: str
    name: str
    legal_entity: bool = True
    resident: bool = True
    jurisdiction: str = "KZ"
    production_facilities_in_kz: bool = False
    able_to_perform: bool = True
    protects_classified: bool = False     # conditions to protect classified info (Art 20 p.4)
    protection_level: int = 0             # the highest secrecy level it can protect
    owners: tuple[Owner, ...] = ()


@dataclass(frozen=True)
class Entry:
    entity: Entity
    kinds: tuple[Kind, ...]
    categories: tuple[str, ...]
    included_on: dt.date
    decision: str
    removed_on: dt.date | None = None
    removal_reason: str | None = None

    def active(self, on: dt.date) -> bool:
        return self.included_on <= on and (self.removed_on is None or on < self.removed_on)


def check_inclusion(entity: Entity, kinds: tuple[Kind, ...], on: dt.date) -> Explained[list[str]]:
    """Reasons an entity cannot be in the register (empty: it can)."""
    trace = Trace(rule="defense.register-inclusion", as_of=on)
    problems: list[str] = []
    if not kinds:
        raise InputError("say whether it is a producer, a supplier or both", field="kinds",
                         citation=art("Art 1 sub 24"))
    if not trace.step("a legal entity", entity.legal_entity, citation=art("Art 1 sub 24")):
        problems.append("legal_entity: the register holds legal entities (Art 1 sub 2, 5)")
    if not trace.step("a resident of the Republic of Kazakhstan", entity.resident,
                      citation=art("Art 1 sub 2, 5")):
        problems.append("resident: a domestic producer or supplier is an RK resident "
                        "(Art 1 sub 2, 5)")
    if Kind.PRODUCER in kinds and not trace.step(
            "a producer has production facilities in Kazakhstan",
            entity.production_facilities_in_kz, citation=art("Art 1 sub 5")):
        problems.append("production_facilities_in_kz: a domestic producer has production "
                        "facilities in Kazakhstan (Art 1 sub 5)")
    if Kind.SUPPLIER in kinds and not trace.step(
            "a supplier is able to perform works or render services of the required quality",
            entity.able_to_perform, citation=art("Art 1 sub 2")):
        problems.append("able_to_perform: a domestic supplier is able to perform the works "
                        "and services (Art 1 sub 2)")
    requirements = get_setting("defense.register_qualification_requirements")
    trace.step("qualification requirements and documents: set by the order's rules",
               requirements.value, citation=art("Art 20 p.4 part 3"),
               parameters=[requirements.use()])
    return trace.done(problems)


@dataclass
class Register:
    """The register the SDP body forms, approves and maintains (Art 6-1 sub 11)."""

    entries: dict[str, Entry] = field(default_factory=dict)

    def include(self, entity: Entity, kinds: tuple[Kind, ...], categories: tuple[str, ...],
                on: dt.date, decision: str) -> Entry:
        problems = check_inclusion(entity, kinds, on).value
        if problems:
            raise InputError("; ".join(problems), field="entity", citation=art("Art 1 sub 24"))
        current = self.entries.get(entity.bin)
        if current is not None and current.active(on):
            raise Conflict(f"{entity.bin} is already in the register since "
                           f"{current.included_on}", field="bin")
        entry = Entry(entity, tuple(kinds), tuple(categories), on, decision)
        self.entries[entity.bin] = entry
        return entry

    def remove(self, bin: str, on: dt.date, reason: str) -> Entry:
        entry = self.entries.get(bin)
        if entry is None or not entry.active(on):
            raise NotFound(f"{bin} is not in the register on {on}", field="bin")
        if not reason.strip():
            raise InputError("a removal states its reason", field="reason",
                             citation=art("Art 20 p.4 part 3"))
        self.entries[bin] = replace(entry, removed_on=on, removal_reason=reason.strip())
        return self.entries[bin]

    def members(self, on: dt.date, category: str | None = None) -> list[Entry]:
        return [e for e in self.entries.values()
                if e.active(on) and (category is None or category in e.categories)]


@dataclass(frozen=True)
class OffshoreList:
    id: str
    approved_by: str
    effective_from: dt.date
    jurisdictions: frozenset[str]


def offshore_versions(session: Session | None = None) -> list[OffshoreList]:
    """The versions in `data/offshore_zones.yaml` and, given a session, those loaded into
    the database, oldest first."""
    found = [OffshoreList(str(v["id"]), str(v["approved_by"]), v["effective_from"],
                          frozenset(str(j).upper() for j in v["jurisdictions"]))
             for v in data("offshore_zones").get("versions") or ()]
    if session is not None:
        from kzreg.defense.models import DefenseOffshoreList

        found += [OffshoreList(r.id, r.approved_by, r.effective_from, frozenset(r.jurisdictions))
                  for r in session.query(DefenseOffshoreList)]
    return sorted(found, key=lambda v: v.effective_from)


def offshore_list(on: dt.date, versions: list[OffshoreList] | None = None) -> OffshoreList:
    """The list in force on `on` (the latest version effective by then)."""
    versions = offshore_versions() if versions is None else versions
    by_then = [v for v in versions if v.effective_from <= on]
    if not by_then:
        raise NotInForce(f"no list of offshore zones is loaded for {on.isoformat()}; load the "
                         "list approved by the central authorized body for budget execution",
                         field="offshore_list", citation=art("Art 20 p.10"))
    return max(by_then, key=lambda v: v.effective_from)


# --- stored: the register and the offshore lists in the database --------------------------

def _admin(actor: Actor, what: str) -> None:
    from kzreg.law.errors import Forbidden
    from kzreg.platform.actors import Role

    if actor.role not in (Role.ADMIN, Role.DEFENSE_OFFICER, Role.SYSTEM) or actor.read_only:
        raise Forbidden(f"only the SDP body's officers or an administrator {what}",
                        field="actor", citation=art("Art 6-1 sub 11"))


def store_offshore_list(session: Session, version: OffshoreList, actor: Actor) -> None:
    """Load a version of the approved list (audited; administrators only: the list is the
    central authorized body's act, transcribed, not the SDP body's decision); a version id
    is loaded once."""
    from kzreg.defense.models import DefenseOffshoreList
    from kzreg.law.calendar import now_utc
    from kzreg.law.errors import Forbidden
    from kzreg.platform import audit
    from kzreg.platform.actors import Role

    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise Forbidden("only an administrator loads the list of offshore zones",
                        field="actor", citation=art("Art 20 p.10"))
    if not version.jurisdictions:
        raise InputError("a list names at least one state or territory",
                         field="jurisdictions", citation=art("Art 20 p.10"))
    if session.get(DefenseOffshoreList, version.id) is not None:
        raise Conflict(f"list {version.id} is already loaded", field="id")
    at = now_utc()
    session.add(DefenseOffshoreList(id=version.id, approved_by=version.approved_by[:300],
                                    effective_from=version.effective_from,
                                    jurisdictions=sorted(version.jurisdictions),
                                    loaded_by=actor.username, loaded_at=at))
    audit.append(session, actor=actor, action="defense.offshore_list_loaded",
                 basis=art("Art 20 p.10"), at=at,
                 data={"id": version.id, "effective_from": version.effective_from.isoformat(),
                       "count": len(version.jurisdictions)})


def _entity_from(raw: dict[str, Any]) -> Entity:
    owners = tuple(Owner(**o) for o in raw.get("owners", ()))
    return Entity(**{**raw, "owners": owners})


def save_entry(session: Session, entry: Entry, actor: Actor, *, secrecy_level: int = 0) -> None:
    """Record an inclusion decided by the SDP body (audited)."""
    from kzreg.defense.models import DefenseRegisterEntry
    from kzreg.law.calendar import now_utc
    from kzreg.platform import audit

    _admin(actor, "keep the register")
    stored = load_register(session)
    current = stored.entries.get(entry.entity.bin)
    if current is not None and current.active(entry.included_on):
        raise Conflict(f"{entry.entity.bin} is already in the register since "
                       f"{current.included_on}", field="bin")
    problems = check_inclusion(entry.entity, entry.kinds, entry.included_on).value
    if problems:
        raise InputError("; ".join(problems), field="entity", citation=art("Art 1 sub 24"))
    at = now_utc()
    session.add(DefenseRegisterEntry(
        bin=entry.entity.bin, entity=dataclasses.asdict(entry.entity),
        kinds=[str(k) for k in entry.kinds], categories=list(entry.categories),
        included_on=entry.included_on, decision=entry.decision[:300],
        secrecy_level=secrecy_level, recorded_by=actor.username, recorded_at=at))
    audit.append(session, actor=actor, action="defense.register_included",
                 basis=art("Art 6-1 sub 11"), at=at,
                 data={"bin": entry.entity.bin, "on": entry.included_on.isoformat()})


def remove_entry(session: Session, bin: str, on: dt.date, reason: str, actor: Actor) -> None:
    """Close the entity's current entry (audited)."""
    from kzreg.defense.models import DefenseRegisterEntry
    from kzreg.law.calendar import now_utc
    from kzreg.platform import audit

    _admin(actor, "keep the register")
    row = (session.query(DefenseRegisterEntry).filter_by(bin=bin, removed_on=None)
           .order_by(DefenseRegisterEntry.id.desc()).first())
    if row is None or row.included_on > on:
        raise NotFound(f"{bin} is not in the register on {on}", field="bin")
    if not reason.strip():
        raise InputError("a removal states its reason", field="reason",
                         citation=art("Art 20 p.4 part 3"))
    row.removed_on, row.removal_reason = on, reason.strip()[:300]
    audit.append(session, actor=actor, action="defense.register_removed",
                 basis=art("Art 20 p.4 part 3"), at=now_utc(),
                 data={"bin": bin, "on": on.isoformat()})


def load_register(session: Session) -> Register:
    """The stored register (each entity's latest entry)."""
    from kzreg.defense.models import DefenseRegisterEntry

    register = Register()
    for row in session.query(DefenseRegisterEntry).order_by(DefenseRegisterEntry.id):
        register.entries[row.bin] = Entry(
            _entity_from(dict(row.entity)), tuple(Kind(k) for k in row.kinds),
            tuple(row.categories), row.included_on, row.decision, row.removed_on,
            row.removal_reason)
    return register
