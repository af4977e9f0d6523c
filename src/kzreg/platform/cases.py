"""Cases: opening them, firing their transitions, and who may see which.

Every module's workflow runs through here. `fire` checks, in this order, that the case
exists *for this actor* (a case outside the actor's scope is NotFound: its existence is not
revealed), that the transition exists, that the actor's role may fire it, that the case is
in a state it leaves from, that the payload is valid and that the guard (the legal rule)
allows it; then it moves the case, cancels the old state's deadlines, starts the new
state's, and writes a `case_events` row and an audit entry, all in the caller's
transaction. A version column makes two concurrent fires from the same state fail one
of them (`Conflict`); on PostgreSQL the row is locked as well.

Scopes: businesses see cases naming their BIN in `party_bins`; customs officers those naming
one of their offices in `office_codes`; nobody sees a case above their clearance; a case
type may restrict which roles see it at all (`CaseType.viewers`); the system sees all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    Select,
    String,
    UniqueConstraint,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, Session, contains_eager, mapped_column
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import JSON

from kzreg.law.calendar import local_date, now_utc, to_local, to_utc
from kzreg.law.citations import Citation
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError, NotFound
from kzreg.law.explain import Explained, jsonable
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.casetypes import (  # noqa: F401
    CASE_TYPE_MODULES,
    CaseType,
    CaseTypeError,
    DeadlineSpec,
    State,
    Transition,
    case_types,
    get_case_type,
    load_case_types,
    register_case_type,
)
from kzreg.platform.db import Base, UtcDateTime
from kzreg.platform.timers import (  # noqa: F401
    PENDING,
    Breach,
    Timer,
    cancel_timers,
    resolve_breaches,
    start_timers,
)

BIN_PATTERN = re.compile(r"\d{12}")
WITHHELD = "[withheld]"  # in the audit log, in place of a title or payload kept out of it


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_type: Mapped[str] = mapped_column(String(60), index=True)
    state: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(500))
    party_bins: Mapped[list[str]] = mapped_column(JSON, default=list)
    office_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    clearance: Mapped[int] = mapped_column(Integer, default=0)
    # the module's own data; top-level keys are tracked, replace nested values whole
    data: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # UPDATE … WHERE version = :read

    @property
    def type(self) -> CaseType:
        return get_case_type(self.case_type)


class CaseEvent(Base):
    """One step of a case: its opening or a transition, by whom, when, on which basis."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_case_id_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the case's version after this step
    transition: Mapped[str] = mapped_column(String(100))  # "open" for the opening
    from_state: Mapped[str | None] = mapped_column(String(100))
    to_state: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(150))
    role: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    basis: Mapped[str | None] = mapped_column(String(300))  # Citation.ref
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # guard trace, deadline


# --- scope -----------------------------------------------------------------------------

def _viewable(role: Role, case_type: str) -> bool:
    try:
        viewers = get_case_type(case_type).viewers
    except NotFound:
        return True
    return viewers is None or role in viewers


def in_scope(actor: Actor, case: Case) -> bool:
    """May this actor see this case at all? (Mirrors `visible_cases` in SQL.)"""
    if actor.role == Role.SYSTEM:
        return True
    if case.clearance > actor.clearance or not _viewable(actor.role, case.case_type):
        return False
    if actor.role.is_business:
        return actor.bin is not None and actor.bin in (case.party_bins or ())
    if actor.role.is_customs:
        return bool(set(actor.offices) & set(case.office_codes or ()))
    return True


def _json_list_has(dialect: str, column: Any, value: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return cast(column, JSONB).contains([value])
    if dialect == "sqlite":
        each = func.json_each(column).table_valued("value")
        return exists(select(literal(1)).select_from(each).where(each.c.value == value))
    return cast(column, String).like(f"%{json.dumps(value)}%")


def scope_clause(session: Session, actor: Actor) -> ColumnElement[bool]:
    """The SQL condition selecting the cases `actor` may see."""
    if actor.role == Role.SYSTEM:
        return true()
    dialect = session.get_bind().dialect.name
    conditions = [Case.clearance <= actor.clearance]
    hidden = [ct.name for ct in case_types()
              if ct.viewers is not None and actor.role not in ct.viewers]
    if hidden:
        conditions.append(Case.case_type.not_in(hidden))
    if actor.role.is_business:
        conditions.append(_json_list_has(dialect, Case.party_bins, actor.bin)
                          if actor.bin else false())
    elif actor.role.is_customs:
        conditions.append(or_(*(_json_list_has(dialect, Case.office_codes, code)
                                for code in sorted(actor.offices))) if actor.offices else false())
    return and_(*conditions)


def visible_cases(session: Session, actor: Actor) -> Select[tuple[Case]]:
    """`select(Case)` limited to the actor's scope; add filters and ordering to taste."""
    return select(Case).where(scope_clause(session, actor))


def get_case_for(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, or NotFound when it does not exist *or* lies outside the actor's scope."""
    case = session.scalars(visible_cases(session, actor).where(Case.id == case_id)).first()
    if case is None:
        raise NotFound(f"no case {case_id}", field="case_id")
    return case


def case_events(session: Session, actor: Actor, case_id: int) -> list[CaseEvent]:
    """The case's history, oldest first (NotFound outside the actor's scope)."""
    get_case_for(session, actor, case_id)
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                .order_by(CaseEvent.seq)))


def open_deadlines(session: Session, actor: Actor, limit: int = 50) -> list[Timer]:
    """Pending deadlines of the actor's visible cases, soonest first (`timer.case` loaded)."""
    stmt = (select(Timer).join(Case, Case.id == Timer.case_id)
            .where(Timer.status == PENDING, scope_clause(session, actor))
            .options(contains_eager(Timer.case))
            .order_by(Timer.due_at, Timer.id).limit(limit))
    return list(session.scalars(stmt))


def breaches(session: Session, actor: Actor, *, unresolved_only: bool = False,
             case_type: str | None = None, limit: int = 200) -> list[Breach]:
    """Deadlines passed without the required act, in the actor's scope, latest due first."""
    stmt = (select(Breach).join(Case, Case.id == Breach.case_id)
            .where(scope_clause(session, actor)).options(contains_eager(Breach.case)))
    if unresolved_only:
        stmt = stmt.where(Breach.resolved_at.is_(None))
    if case_type:
        stmt = stmt.where(Breach.case_type == case_type)
    return list(session.scalars(stmt.order_by(Breach.due_at.desc(), Breach.id.desc())
                                .limit(limit)))


def allowed_transitions(actor: Actor, case: Case) -> list[Transition]:
    """Transitions this actor's role may fire from the case's current state (guards aside)."""
    if not in_scope(actor, case) or actor.read_only:
        return []
    ct = get_case_type(case.case_type)
    return [t for t in ct.transitions_from(case.state) if actor.role in _firing_roles(ct, t)]


def _firing_roles(ct: CaseType, t: Transition) -> frozenset[Role]:
    # the system may fire what a deadline fires on expiry, even if the module forgot to say
    return t.roles | {Role.SYSTEM} if t.name in ct.expiry_transitions() else t.roles


# --- opening and firing ----------------------------------------------------------------

def open_case(session: Session, case_type: str | CaseType, *, actor: Actor, title: str,
              party_bins: Iterable[str] = (), office_codes: Iterable[str] = (),
              clearance: int = 0, data: Mapping[str, Any] | None = None,
              at: dt.datetime | None = None, audit_title: bool = True) -> Case:
    """Open a case in its type's initial state, start that state's deadlines, audit it.

    `audit_title=False` keeps the title out of the audit log (a classified subject): the
    case keeps its real title for readers cleared to it, the entry says it was withheld."""
    ct = get_case_type(case_type.name if isinstance(case_type, CaseType) else case_type)
    at = _instant(at)
    if actor.read_only or (ct.openers is not None and actor.role not in ct.openers):
        raise Forbidden(f"a {actor.role} may not open a {ct.title or ct.name} case",
                        field="case_type")
    if not isinstance(title, str) or not title.strip() or len(title) > 500:
        raise InputError("a case needs a title of up to 500 characters", field="title")
    bins = _codes(party_bins, "party_bins", BIN_PATTERN)
    offices = _codes(office_codes, "office_codes", None)
    if not isinstance(clearance, int) or isinstance(clearance, bool) or clearance < 0:
        raise InputError("clearance is a level 0, 1, 2 …", field="clearance")
    case = Case(case_type=ct.name, state=ct.initial, title=title.strip(), party_bins=bins,
                office_codes=offices, clearance=clearance, data=dict(jsonable(data or {})),
                opened_at=at, updated_at=at)
    if not in_scope(actor, case):
        field = ("party_bins" if actor.role.is_business else
                 "office_codes" if actor.role.is_customs else "clearance")
        raise Forbidden("you may only open a case within your own scope", field=field)
    initial = ct.state(ct.initial)
    if initial.final:
        case.closed_at = at
    session.add(case)
    session.flush()
    start_timers(session, case, initial.deadlines, at)
    session.add(CaseEvent(case_id=case.id, seq=case.version, transition="open", from_state=None,
                          to_state=case.state, actor=actor.username, role=str(actor.role),
                          user_id=actor.user_id, at=at, basis=None, payload={}))
    audit.append(session, actor=actor, action="case.opened", case_id=case.id,
                 case_type=ct.name, at=at,
                 data={"title": case.title if audit_title else WITHHELD,
                       "state": case.state, "party_bins": bins,
                       "office_codes": offices, "clearance": clearance})
    session.flush()
    return case


def fire(session: Session, case: int | Case, transition: str, *, actor: Actor,
         payload: Mapping[str, Any] | BaseModel | None = None, at: dt.datetime | None = None,
         basis: Citation | None = None, expected_version: int | None = None,
         detail: Mapping[str, Any] | None = None, audit_payload: bool = True) -> Case:
    """Fire `transition` on the case as `actor` at `at` (now); returns the moved case.

    `basis` overrides the transition's citation on the record (the worker passes the
    deadline's clause); `expected_version` is the version the actor saw (web forms), and
    `detail` is extra data for the event (the worker records the deadline there).
    `audit_payload=False` keeps the payload out of the audit log (classified content); the
    case's own history, read within scope and clearance, still has it.
    """
    at = _instant(at)
    case_id = case.id if isinstance(case, Case) else case
    row = session.scalars(select(Case).where(Case.id == case_id).with_for_update()
                          .execution_options(populate_existing=True)).first()
    if row is None or not in_scope(actor, row):
        raise NotFound(f"no case {case_id}", field="case_id")
    ct = get_case_type(row.case_type)
    t = ct.transition(transition)
    if t is None:
        raise InputError(f"a {ct.name} case has no transition {transition!r}",
                         field="transition")
    if actor.read_only or actor.role not in _firing_roles(ct, t):
        allowed = ", ".join(sorted(_firing_roles(ct, t))) or "nobody"
        raise Forbidden(f"a {actor.role} may not {t.name} (only {allowed})", field="transition")
    if expected_version is not None and expected_version != row.version:
        raise Conflict("the case changed since you read it; reload it", field="version")
    if row.state not in t.sources:
        raise Conflict(f"cannot {t.name}: the case is {row.state!r}, not "
                       f"{' or '.join(repr(s) for s in t.sources)}", field="transition")
    _refuse_if_term_ran_out(session, row, t, at)
    value = _payload(t, payload)
    as_of = local_date(at)
    explanation = _check_guard(t, row, value, as_of)
    source, target, seq = row.state, ct.state(t.target), row.version + 1
    try:
        if t.effect is not None:
            t.effect(row, value, as_of)
        row.state, row.updated_at = target.name, at
        row.closed_at = at if target.final else None
        if target.name != source:  # a self-transition keeps its deadlines running
            cancel_timers(session, row.id, at)
            resolve_breaches(session, row.id, source, at)
            start_timers(session, row, target.deadlines, at)
        basis = basis or t.citation
        event_detail = {**(detail or {}), **({"guard": explanation} if explanation else {})}
        session.add(CaseEvent(case_id=row.id, seq=seq, transition=t.name,
                              from_state=source, to_state=target.name, actor=actor.username,
                              role=str(actor.role), user_id=actor.user_id, at=at,
                              basis=basis.ref if basis else None, payload=jsonable(value),
                              detail=jsonable(event_detail) or None))
        audit.append(session, actor=actor, action=f"case.{t.name}", case_id=row.id,
                     case_type=ct.name, basis=basis, at=at,
                     data={"from": source, "to": target.name,
                           "payload": value if audit_payload else WITHHELD,
                           **({"detail": detail} if detail else {})})
        session.flush()
    except StaleDataError:
        raise Conflict("the case was changed by someone else meanwhile; reload it",
                       field="version") from None
    return row


def _refuse_if_term_ran_out(session: Session, case: Case, t: Transition,
                            at: dt.datetime) -> None:
    """An act after a term with an automatic consequence ran out is too late, even if the
    worker has not applied the consequence yet (it will, with the term's own time)."""
    lapsed = session.scalars(
        select(Timer).where(Timer.case_id == case.id, Timer.status == PENDING,
                            Timer.on_expiry.is_not(None), Timer.on_expiry != t.name,
                            Timer.due_at <= at)
        .order_by(Timer.due_at, Timer.id).limit(1)).first()
    if lapsed is not None:
        when = to_local(lapsed.due_at).strftime("%Y-%m-%d %H:%M")
        raise LegalRuleError(f"too late: the term of {lapsed.duration} "
                             f"({lapsed.title or lapsed.name}) ran out at {when} Almaty "
                             f"time; the case is {lapsed.on_expiry}", field="transition",
                             citation=Citation.parse(lapsed.citation))


def _check_guard(t: Transition, case: Case, payload: Any, as_of: dt.date) -> dict | None:
    """Run the transition's legal rule; a refusal raises LegalRuleError with the clause."""
    if t.guard is None:
        return None
    try:
        result = t.guard(case, payload, as_of)
    except LegalRuleError as exc:
        if exc.citation is None:
            exc.citation = t.citation
        raise
    if result is None or result is True:
        return None
    if isinstance(result, Explained):
        if result.value:
            return result.to_dict()
        clause = result.citations[-1] if result.citations else t.citation
        reason = result.steps[-1].description if result.steps else f"{t.name} refused"
        raise LegalRuleError(reason, field="transition", citation=clause)
    if result is False:
        raise LegalRuleError(f"{t.title or t.name}: the conditions are not met",
                             field="transition", citation=t.citation)
    raise TypeError(f"guard of {t.name!r} returned {result!r}; expected Explained[bool], "
                    "bool or None")


def _payload(t: Transition, payload: Any) -> Any:
    if t.payload is None:
        if payload is None:
            return {}
        if isinstance(payload, BaseModel):
            return payload
        if not isinstance(payload, Mapping):
            raise InputError("the payload must be an object", field="payload")
        return dict(payload)
    if isinstance(payload, t.payload):
        return payload
    if isinstance(payload, BaseModel):
        payload = payload.model_dump()
    try:
        return t.payload.model_validate(payload or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], field=f"payload.{where}" if where else "payload") \
            from None


def _codes(values: Iterable[str], field: str, pattern: re.Pattern | None) -> list[str]:
    if isinstance(values, str):
        values = [values]
    codes = []
    for value in values:
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 40:
            raise InputError(f"{value!r} is not a code", field=field)
        if pattern is not None and not pattern.fullmatch(value.strip()):
            raise InputError(f"{value!r} is not a 12-digit BIN/IIN", field=field)
        codes.append(value.strip())
    return sorted(set(codes))


def _instant(at: dt.datetime | None) -> dt.datetime:
    return now_utc() if at is None else to_utc(at, field="at")
