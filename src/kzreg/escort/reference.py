"""The escort's reference data and lookups (Order 407, Rules §3, §8): customs offices with
their control zones, declarants and carriers by BIN, the operator's navigation seals,
transit declarations, and who of the people receives what."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.escort.models import (
    Company,
    CustomsOffice,
    Escort,
    EscortSeal,
    Seal,
    TransitDeclaration,
)
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound
from kzreg.law.identifiers import validate_bin
from kzreg.law.settings import get_setting
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.users import User, normalize_offices, users_with_role


def office_code(value: str, field: str) -> str:
    try:
        return normalize_offices([value])[0]
    except InputError:
        raise InputError(f"{value!r} is not a customs office code (5 digits)",
                         field=field) from None


# --- reference data ------------------------------------------------------------------------

def _admin_or(actor: Actor, *roles: Role) -> None:
    if actor.role not in (Role.ADMIN, *roles):
        raise Forbidden(f"a {actor.role} may not change this reference data", field="role")


def register_office(session: Session, actor: Actor, *, code: str, name: str,
                    name_kk: str | None = None, control_zone: str | None = None,
                    zone_geometry: dict | None = None) -> CustomsOffice:
    """A customs office (§3(1)-(2)): code, name, control zone (description, optional geometry)."""
    _admin_or(actor)
    code = office_code(code, "code")
    if not (name or "").strip():
        raise InputError("a customs office needs a name", field="name")
    if zone_geometry is not None and not (isinstance(zone_geometry, dict)
                                          and zone_geometry.get("type") in ("Polygon",
                                                                            "MultiPolygon")):
        raise InputError("the control zone geometry is a GeoJSON Polygon or MultiPolygon",
                         field="zone_geometry")
    office = session.get(CustomsOffice, code) or CustomsOffice(code=code)
    office.name, office.name_kk = name.strip(), (name_kk or "").strip() or None
    office.control_zone, office.zone_geometry = control_zone, zone_geometry
    session.add(office)
    audit.append(session, actor=actor, action="escort.office_registered",
                 data={"code": code, "name": office.name})
    session.flush()
    return office


def office(session: Session, code: str, field: str) -> CustomsOffice:
    found = session.get(CustomsOffice, office_code(code, field))
    if found is None:
        raise NotFound(f"customs office {code} is not registered", field=field)
    return found


def company(session: Session, bin_: str, name: str | None, field: str) -> Company:
    """The company with this BIN (control digit checked), created on first use."""
    bin_ = validate_bin(str(bin_ or ""), field=field)
    found = session.get(Company, bin_)
    if found is None:
        if not (name or "").strip():
            raise InputError(f"company {bin_} is not known yet: give its name",
                             field=field.replace("bin", "name"))
        found = Company(bin=bin_, name=name.strip())
        session.add(found)
        session.flush()
    return found


def register_seal(session: Session, actor: Actor, *, number: str, device_id: str,
                  protocol: str) -> Seal:
    """A navigation seal of the operator (unique number, device identity, protocol, §8(1));
    registered in the tracking system at once, so its device is known when it reports."""
    from kzreg.tracking import registry

    _admin_or(actor, Role.OPERATOR)
    number, device_id = (number or "").strip(), (device_id or "").strip()
    if not number or len(number) > 40:
        raise InputError("a seal number of 1 to 40 characters", field="number")
    seal = session.scalar(select(Seal).where(Seal.number == number))
    if seal is not None and seal.escort_id is not None and seal.device_id != device_id:
        raise Conflict(f"seal {number} is on escort {seal.escort_id}", field="number")
    other = session.scalar(select(Seal).where(Seal.device_id == device_id,
                                              Seal.number != number))
    if other is not None:
        raise Conflict(f"device {device_id} belongs to seal {other.number}", field="device_id")
    registry.register_seal(session, number, device_id=device_id, protocol=protocol)
    if seal is None:
        seal = Seal(number=number, device_id=device_id, protocol=protocol)
        session.add(seal)
    seal.device_id, seal.protocol = device_id, protocol
    audit.append(session, actor=actor, action="escort.seal_registered",
                 data={"number": number, "device_id": device_id, "protocol": protocol})
    session.flush()
    return seal


def declaration(session: Session, escort: Escort, number: str, electronic: bool,
                 goods: str | None) -> TransitDeclaration:
    number = number.strip()
    found = session.scalar(select(TransitDeclaration)
                           .where(TransitDeclaration.number == number))
    if found is None:
        found = TransitDeclaration(number=number, electronic=electronic,
                                   declarant_bin=escort.declarant_bin,
                                   carrier_bin=escort.carrier_bin, goods=goods,
                                   transit_period=escort.transit_period)
        session.add(found)
        session.flush()
    elif found.declarant_bin != escort.declarant_bin:
        raise Conflict(f"transit declaration {number} is another declarant's",
                       field="transit_declaration_number")
    escort.declaration_id = found.id
    return found


def people(session: Session, role: Role, *, office: str | None = None,
            bin_: str | None = None) -> list[User]:
    return users_with_role(session, role, office=office, bin=bin_)


def office_staff(session: Session, code: str) -> list[User]:
    """The officials of an office who receive its notices (§11, setting)."""
    heads = people(session, Role.CUSTOMS_HEAD, office=code)
    if get_setting("escort.situation_notice_recipients").value == "office_heads":
        return heads
    return people(session, Role.CUSTOMS_OFFICER, office=code) + heads


def seals_of(session: Session, escort: Escort) -> list[EscortSeal]:
    return list(session.scalars(select(EscortSeal).where(EscortSeal.escort_id == escort.id)
                                .order_by(EscortSeal.id)))
