"""Notices of the state register of legal entities: automatic removal from the register of
Kazakhstani commodity producers (Law 86-VII Art 51-6 para 2-3).

"In the event of liquidation of a legal entity … or reorganisation of a legal entity, with
the exception of reorganisation in the form of transformation, the Kazakhstani commodity
producer shall be automatically removed from the register." The corpus has no feed of such
events, so this is the intake a deployment connects one to: each notice (BIN, kind, date,
the source's own reference, the form of reorganisation, the successors' BINs) arrives through
`POST /api/producers/register/legal-entity-events` (the feed's account: an officer or
administrator account issued to the integration) or `kzreg producers register events FILE`.

- liquidation, or a reorganisation other than transformation: the entry leaves the register
  as of the event's date (setting producers.legal_entity_removal_date), without an officer;
  the producer is notified; the successors are told to apply again (Art 51-6 para 3: "the
  newly created legal entity shall submit an application for re-entry"); a producer that
  survives as the acquirer is removed as written and flagged for review (setting
  producers.reorganisations_keeping_registration);
- transformation: the entry stays; a successor BIN other than the producer's own is flagged
  for an officer (the register is kept by BIN and the Law gives no re-entry here);
- a BIN not in the register: the notice is kept and does nothing.

Every notice is kept once by its source reference: a re-delivery returns the first answer
and changes nothing; the same reference with other content is refused. Each is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, Forbidden, InputError, KzregError
from kzreg.law.explain import jsonable
from kzreg.law.identifiers.bin_iin import validate_bin
from kzreg.law.settings import get_setting
from kzreg.platform import audit, notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.users import users_with_role
from kzreg.producers import register_law as rl
from kzreg.producers import service
from kzreg.producers.models import INCLUDED, LegalEntityEvent, RegisterEntry
from kzreg.producers.register_law import law

KINDS = ("liquidation", "reorganisation")
FEEDERS = frozenset({Role.INDUSTRY_OFFICER, Role.ADMIN, Role.SYSTEM})
REMOVED, KEPT, NOT_IN_REGISTER = "removed", "kept", "not_in_register"


@dataclass(frozen=True)
class Notice:
    """One event as the state register of legal entities reports it, checked."""
    bin: str
    kind: str
    date: dt.date
    source_ref: str
    reorganisation_form: str | None = None
    successor_bins: tuple[str, ...] = ()

    def same_as(self, row: LegalEntityEvent) -> bool:
        return (row.bin, row.kind, row.event_date, row.reorganisation_form,
                tuple(row.successor_bins or ())) == (self.bin, self.kind, self.date,
                                                     self.reorganisation_form,
                                                     self.successor_bins)


def parse(raw: Mapping[str, Any], *, received_on: dt.date) -> Notice:
    """A notice from JSON or a CSV row; refuses naming the field."""
    bin = validate_bin(str(raw.get("bin") or "").strip(), field="bin")
    kind = str(raw.get("kind") or "").strip().lower()
    if kind not in KINDS:
        raise InputError(f"kind is one of {list(KINDS)}", field="kind",
                         citation=law("Art 51-6"))
    text = str(raw.get("date") or "").strip()
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"date YYYY-MM-DD, got {text!r}", field="date") from None
    if date > received_on:
        raise InputError(f"the event of {date} lies after its receipt ({received_on})",
                         field="date")
    ref = str(raw.get("source_ref") or "").strip()
    if not 3 <= len(ref) <= 120:
        raise InputError("the source's reference of the notice (3-120 characters) is required",
                         field="source_ref")
    form = str(raw.get("reorganisation_form") or "").strip().lower() or None
    if kind == "reorganisation" and form not in rl.REORGANISATION_FORMS:
        raise InputError(f"reorganisation_form is one of {list(rl.REORGANISATION_FORMS)}",
                         field="reorganisation_form", citation=law("Art 51-6"))
    if kind == "liquidation" and form:
        raise InputError("a liquidation has no form of reorganisation",
                         field="reorganisation_form")
    successors = raw.get("successor_bins") or ()
    if isinstance(successors, str):
        successors = successors.replace(";", " ").replace(",", " ").split()
    bins = tuple(dict.fromkeys(validate_bin(str(b).strip(), field="successor_bins")
                               for b in successors))
    return Notice(bin, kind, date, ref, form, bins)


def receive(session: Session, actor: Actor, raw: Mapping[str, Any], *,
            at: dt.datetime | None = None) -> tuple[LegalEntityEvent, bool]:
    """Take one notice: (the stored event, True when it was already received)."""
    if actor.read_only or actor.role not in FEEDERS:
        raise Forbidden("notices of the state register of legal entities come from its feed "
                        "(an officer's or administrator's account)", field="actor",
                        citation=law("Art 51-6"))
    at = at or now_utc()
    notice = parse(raw, received_on=local_date(at))
    known = session.scalars(select(LegalEntityEvent).where(
        LegalEntityEvent.source_ref == notice.source_ref)).first()
    if known is not None:
        if not notice.same_as(known):
            raise Conflict(f"notice {notice.source_ref} was received with other content",
                           field="source_ref")
        return known, True
    entry = session.scalars(select(RegisterEntry).where(RegisterEntry.bin == notice.bin)).first()
    outcome, review, trace = NOT_IN_REGISTER, False, None
    if entry is not None and entry.status == INCLUDED:
        ground = rl.Ground(notice.kind)
        decision = rl.removal(ground, reorganisation_form=notice.reorganisation_form,
                              producer_survives=notice.bin in notice.successor_bins)
        trace = decision.to_dict()
        if decision.value.remove:
            outcome, review = REMOVED, decision.value.review
            basis = get_setting("producers.legal_entity_removal_date")
            day = notice.date if basis.value == "event_date" else local_date(at)
            service.mark_excluded(entry, ground, max(day, entry.included_on), at)
        else:
            outcome = KEPT
            review = bool(set(notice.successor_bins) - {notice.bin})
    row = LegalEntityEvent(source_ref=notice.source_ref, bin=notice.bin, kind=notice.kind,
                           reorganisation_form=notice.reorganisation_form,
                           event_date=notice.date, successor_bins=list(notice.successor_bins),
                           outcome=outcome, review=review, trace=jsonable(trace),
                           received_by=actor.username, received_at=at)
    session.add(row)
    session.flush()
    basis = law("Art 51-6")
    audit.append(session, actor=actor, action=f"producers.register.legal_entity_{outcome}",
                 basis=basis, at=at, data={"event": row.id, "source_ref": row.source_ref,
                                           "bin": row.bin, "kind": row.kind,
                                           "form": row.reorganisation_form,
                                           "date": row.event_date, "review": review})
    _tell(session, row, entry, at)
    return row, False


def receive_batch(session: Session, actor: Actor, rows: Iterable[tuple[str, Mapping]], *,
                  at: dt.datetime | None = None) -> list[tuple[LegalEntityEvent, bool]]:
    """Every notice in the caller's transaction; the first bad one refuses them all, its
    place (`where`: "line 3", "events.2") prefixed to the field."""
    done = []
    for where, raw in rows:
        try:
            done.append(receive(session, actor, raw, at=at))
        except KzregError as err:
            raise type(err)(err.message, field=f"{where}: {err.field or 'event'}",
                            citation=err.citation) from None
    return done


def events_for(session: Session, *, bin: str | None = None, limit: int = 200
               ) -> list[LegalEntityEvent]:
    query = select(LegalEntityEvent).order_by(LegalEntityEvent.received_at.desc(),
                                              LegalEntityEvent.id.desc())
    if bin:
        query = query.where(LegalEntityEvent.bin == bin)
    return list(session.scalars(query.limit(limit)))


def event_json(row: LegalEntityEvent, duplicate: bool = False) -> dict[str, Any]:
    return jsonable({"id": row.id, "source_ref": row.source_ref, "bin": row.bin,
                     "kind": row.kind, "reorganisation_form": row.reorganisation_form,
                     "date": row.event_date, "successor_bins": row.successor_bins,
                     "outcome": row.outcome, "review": row.review,
                     "received_at": row.received_at, "duplicate": duplicate})


def _tell(session: Session, row: LegalEntityEvent, entry: RegisterEntry | None,
          at: dt.datetime) -> None:
    what = ("liquidation" if row.kind == "liquidation"
            else f"reorganisation ({row.reorganisation_form})")
    if row.outcome == REMOVED:
        service._tell_bin(session, row.bin, at, f"Removed from the register automatically: "
                          f"{what} of {row.event_date} (notice {row.source_ref})",
                          law("Art 51-6"))
        for successor in row.successor_bins:
            if successor != row.bin:
                service._tell_bin(session, successor, at, "A legal entity created by "
                                  f"reorganisation of {row.bin} applies for inclusion in the "
                                  "register anew (Art 51-1)", law("Art 51-6"))
    if row.review and entry is not None:
        officers = [u.id for u in users_with_role(session, Role.INDUSTRY_OFFICER)]
        if officers:
            notifications.notify(
                session, recipients=officers, subject=f"Review: {what} of {row.bin} "
                f"({entry.name}), notice {row.source_ref}"[:300],
                body=f"{what} of {row.bin} on {row.event_date}: {row.outcome}; successors "
                f"{', '.join(row.successor_bins) or '—'}", basis=law("Art 51-6"), at=at)
