"""Domestic raw materials as stored records (Law 86-VII Art 60, wording of Law 71-VIII): the
tripartite supply agreements, the periods their obligations were (not) fulfilled, the ban on
a manufacturer that resold, and the decisions on export licences. The rules are in
`raw_materials`; this module keeps the record and runs them at each act.

- conclude (Art 60(1), (4), (6)-(8)): the authorized body is a party; the producer is not a
  new production facility (under three years); the manufacturer is not banned; the price is
  within the producer's minimum export price. Where the approved list is loaded
  (`data/raw_materials/list.yaml`) the raw material and the producer must be on it; while it
  is empty the agreement is flagged "list not loaded".
- record a period (Art 60(9)-(10)), a resale (Art 60(8): termination and the ban), and an
  export licence decision (Art 60(9)) from the stored agreements and periods.

Officers of the authorized body act; a producer or manufacturer reads its own records;
auditors read. Everything runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import Conflict, Forbidden, InputError, LegalRuleError, NotFound
from kzreg.law.explain import jsonable
from kzreg.law.numbers import exact
from kzreg.platform import notifications
from kzreg.platform.actors import Actor, Role
from kzreg.platform.users import users_with_role
from kzreg.producers import raw_materials as rm
from kzreg.producers.incentives import art
from kzreg.producers.models import (
    ExportLicence,
    RawManufacturerBan,
    RawSupplyAgreement,
    RawSupplyPeriod,
)

OFFICERS = frozenset({Role.INDUSTRY_OFFICER, Role.ADMIN})
ACTIVE, TERMINATED = "active", "terminated"


def _officer(actor: Actor, locator: str) -> None:
    if actor.read_only or actor.role not in OFFICERS:
        raise Forbidden("only the authorized body in the field of state stimulation of "
                        "industry does this", field="actor", citation=art(locator))


def _price(value: Any, field: str) -> Any:
    number = exact(str(value), field)
    if number < 0:
        raise InputError("must not be negative", field=field)
    return number


def listed(raw_material: str) -> dict | None:
    """The approved list's entry for a raw material (by name or code), if loaded."""
    key = raw_material.strip().lower()
    return next((e for e in rm.approved_list() if key in (
        str(e.get("raw_material", "")).strip().lower(), str(e.get("code", "")).lower())), None)


def conclude(session: Session, actor: Actor, *, number: str, raw_material: str,
             producer_bin: str, producer_name: str, manufacturer_bin: str,
             manufacturer_name: str, price: Any, export_prices: list[Any] = (),
             producer_production_start: dt.date | None = None,
             producer_state_registration: dt.date | None = None,
             at: dt.datetime | None = None) -> RawSupplyAgreement:
    """Record a tripartite supply agreement after the checks of Art 60."""
    _officer(actor, "Art 60(1)")
    at = at or now_utc()
    day = local_date(at)
    number, raw_material = number.strip(), raw_material.strip()
    if not number or len(raw_material) < 2:
        raise InputError("the agreement's number and the raw material are required",
                         field="number" if not number else "raw_material")
    for field, bin in (("producer_bin", producer_bin), ("manufacturer_bin", manufacturer_bin)):
        if len(bin) != 12 or not bin.isdigit():
            raise InputError("a BIN is 12 digits", field=field)
    if producer_bin == manufacturer_bin:
        raise InputError("the producer and the manufacturing enterprise are different "
                         "parties", field="manufacturer_bin", citation=art("Art 60(1)"))
    entry = listed(raw_material)
    if rm.approved_list() and (entry is None or producer_bin not in entry.get("producers", ())):
        raise LegalRuleError(f"{raw_material} of producer {producer_bin} is not on the list of "
                             "domestic raw materials", field="raw_material",
                             citation=art("Art 60(1)"))
    try:
        inclusion = rm.producer_inclusion(rm.InclusionInput(producers=[rm.RawProducer(
            bin=producer_bin, production_start=producer_production_start,
            state_registration=producer_state_registration)]), day)
    except InputError as err:  # "producers.0.production_start" -> this function's name
        raise InputError(err.message, field="producer_" + str(err.field).rsplit(".", 1)[-1],
                         citation=err.citation) from None
    if not inclusion.value[0].included:
        raise LegalRuleError(f"a new production facility (operating under three years, until "
                             f"{inclusion.value[0].three_years_on}) is not on the list",
                             field="producer_production_start", citation=art("Art 60(4)"))
    ban = session.scalars(select(RawManufacturerBan).where(
        RawManufacturerBan.bin == manufacturer_bin)).first()
    if ban is not None:
        raise LegalRuleError(f"the manufacturer resold raw material under agreement "
                             f"{ban.agreement_number} and may not take part in such agreements "
                             f"(since {ban.since})", field="manufacturer_bin",
                             citation=art("Art 60(8)"))
    agreed = _price(price, "price")
    exports = [_price(p, f"export_prices.{n}") for n, p in enumerate(export_prices)]
    cap = rm.price_cap(rm.PriceInput(export_prices=exports, agreed_price=agreed), day)
    if cap.value.agreed_within_cap is False:
        raise LegalRuleError(f"the price {agreed} is above the producer's minimum export price "
                             f"{cap.value.cap}", field="price", citation=art("Art 60(7)"))
    if session.scalar(select(RawSupplyAgreement.id).where(
            RawSupplyAgreement.number == number)) is not None:
        raise Conflict(f"agreement {number} is already recorded", field="number")
    row = RawSupplyAgreement(
        number=number, raw_material=raw_material, producer_bin=producer_bin,
        producer_name=producer_name.strip(), manufacturer_bin=manufacturer_bin,
        manufacturer_name=manufacturer_name.strip(), concluded_on=day, price=str(agreed),
        price_cap=None if cap.value.cap is None else str(cap.value.cap),
        checks=jsonable({"list_loaded": bool(rm.approved_list()),
                         "inclusion": inclusion.to_dict(), "price_cap": cap.to_dict()}),
        status=ACTIVE, created_at=at)
    session.add(row)
    session.flush()
    _tell(session, (producer_bin, manufacturer_bin), at,
          f"Agreement {number} on the supply of {raw_material} recorded", "Art 60(6)")
    return row


def agreements_for(session: Session, actor: Actor) -> list[RawSupplyAgreement]:
    query = select(RawSupplyAgreement).options(selectinload(RawSupplyAgreement.periods))
    if actor.role.is_business:
        query = query.where(or_(RawSupplyAgreement.producer_bin == actor.bin,
                                RawSupplyAgreement.manufacturer_bin == actor.bin))
    return list(session.scalars(query.order_by(RawSupplyAgreement.concluded_on.desc(),
                                               RawSupplyAgreement.id.desc())))


def get_agreement(session: Session, actor: Actor, agreement_id: int) -> RawSupplyAgreement:
    row = session.get(RawSupplyAgreement, agreement_id)
    if row is None or (actor.role.is_business and actor.bin not in (row.producer_bin,
                                                                     row.manufacturer_bin)):
        raise NotFound(f"no agreement {agreement_id}", field="agreement_id")
    return row


def record_period(session: Session, actor: Actor, agreement_id: int, *, ends_on: dt.date,
                  fulfilled: bool, note: str = "", at: dt.datetime | None = None
                  ) -> RawSupplyPeriod:
    """Whether the producer fulfilled its supply obligations for a period ending on
    `ends_on` (monitoring under the rules, Art 60(10); read by Art 60(9))."""
    _officer(actor, "Art 60(10)")
    row = get_agreement(session, actor, agreement_id)
    at = at or now_utc()
    if ends_on > local_date(at):
        raise InputError("a period is recorded once it has ended", field="ends_on")
    if ends_on < row.concluded_on:
        raise InputError(f"before the agreement ({row.concluded_on})", field="ends_on")
    if any(p.ends_on == ends_on for p in row.periods):
        raise Conflict(f"the period ending {ends_on} is already recorded", field="ends_on")
    period = RawSupplyPeriod(ends_on=ends_on, fulfilled=fulfilled, note=note[:1000],
                             recorded_at=at)
    row.periods.append(period)
    session.flush()
    return period


def record_resale(session: Session, actor: Actor, agreement_id: int, *, note: str,
                  at: dt.datetime | None = None) -> RawSupplyAgreement:
    """The manufacturer sold raw material received under the agreement to a third party: the
    agreement is terminated and the manufacturer banned from such agreements (Art 60(8))."""
    _officer(actor, "Art 60(8)")
    row = get_agreement(session, actor, agreement_id)
    if row.status != ACTIVE:
        raise Conflict("the agreement is not active", field="agreement_id")
    if len(note.strip()) < 3:
        raise InputError("describe the resale found", field="note", citation=art("Art 60(8)"))
    at = at or now_utc()
    day = local_date(at)
    outcome = rm.resale(rm.ResaleInput(sold_to_third_party=True), day).value
    row.status, row.terminated_on = TERMINATED, day
    row.termination = f"resale to a third party: {note.strip()}"[:300]
    if outcome.manufacturer_banned and session.scalars(select(RawManufacturerBan).where(
            RawManufacturerBan.bin == row.manufacturer_bin)).first() is None:
        session.add(RawManufacturerBan(bin=row.manufacturer_bin, since=day,
                                       agreement_number=row.number, recorded_at=at))
    session.flush()
    _tell(session, (row.producer_bin, row.manufacturer_bin), at,
          f"Agreement {row.number} terminated: resale of the raw material; the manufacturer "
          "may not take part in such agreements", "Art 60(8)")
    return row


def bans(session: Session) -> list[RawManufacturerBan]:
    return list(session.scalars(select(RawManufacturerBan).order_by(RawManufacturerBan.since)))


def decide_licence(session: Session, actor: Actor, *, producer_bin: str, producer_name: str,
                   raw_material: str, listed_manufacturers: int = 0,
                   at: dt.datetime | None = None) -> ExportLicence:
    """An application to export a listed raw material (Art 60(9)): issued only when the
    producer concluded its agreements and fulfilled them for the period before, read from
    the stored agreements and periods."""
    _officer(actor, "Art 60(9)")
    if listed_manufacturers < 0:
        raise InputError("not negative", field="listed_manufacturers")
    at = at or now_utc()
    day = local_date(at)
    raw_material = raw_material.strip()
    mine = [a for a in session.scalars(select(RawSupplyAgreement).where(
        RawSupplyAgreement.producer_bin == producer_bin)
        .options(selectinload(RawSupplyAgreement.periods)))
        if a.raw_material.lower() == raw_material.lower()]
    on_list = listed(raw_material) is not None if rm.approved_list() else True
    result = rm.export_licence(rm.LicenceInput(
        on_the_list=on_list, listed_manufacturers=listed_manufacturers,
        agreements=[rm.SupplyAgreement(agreement_id=a.number, periods=[
            rm.Period(ends_on=p.ends_on, fulfilled=p.fulfilled) for p in a.periods])
            for a in mine]), day)
    decision = ExportLicence(
        producer_bin=producer_bin, producer_name=producer_name.strip(),
        raw_material=raw_material, decided_on=day, issued=result.value.may_issue,
        unfulfilled=list(result.value.unfulfilled), trace=jsonable(result.to_dict()),
        recorded_at=at)
    session.add(decision)
    session.flush()
    if decision.issued and result.value.licence_required:
        decision.number = f"EL-{decision.id:06d}"
        session.flush()
    _tell(session, (producer_bin,), at, f"Export licence for {raw_material}: "
          + ("issued" if decision.issued else "refused: supply agreements not concluded or "
             "not fulfilled"), "Art 60(9)")
    return decision


def licences_for(session: Session, actor: Actor) -> list[ExportLicence]:
    query = select(ExportLicence)
    if actor.role.is_business:
        query = query.where(ExportLicence.producer_bin == actor.bin)
    return list(session.scalars(query.order_by(ExportLicence.id.desc())))


def _tell(session: Session, bins: tuple[str, ...], at: dt.datetime, subject: str,
          locator: str) -> None:
    people = [u.id for b in bins for role in (Role.MANUFACTURER, Role.CONTRACTOR)
              for u in users_with_role(session, role, bin=b)]
    if people:
        notifications.notify(session, recipients=people, subject=subject[:300], body=subject,
                             basis=art(locator), at=at)
