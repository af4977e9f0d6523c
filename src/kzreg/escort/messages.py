"""The two messages of the Rules: activation (§8, six items) and deactivation (§13, three).

Both are validated here as law: a message lacking an item is refused, naming every missing
item and the clause. Fields are optional in the input models on purpose, so that the refusal
is the Rules' (all items listed, §8 or §13 cited) rather than a generic schema error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from kzreg.escort._law import rules
from kzreg.law.deadlines import Duration
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting

#: How a message says that no route was set (§3(8): "if such a route is established").
NOT_ESTABLISHED = "not established"


class IncompleteMessage(LegalRuleError):
    """A §8 or §13 message lacking items; `missing` names them all (input field names)."""

    def __init__(self, message: str, *, missing: tuple[str, ...], citation) -> None:
        super().__init__(message, field=", ".join(missing), citation=citation)
        self.missing = missing


Route = tuple[tuple[float, float], ...]  # (lon, lat) pairs, GeoJSON order


def parse_route(raw: Any, *, field: str = "route") -> Route | None:
    """A GeoJSON LineString (or its bare coordinate list) -> ((lon, lat), ...); None for a
    route that is not established (null or "not established")."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() == NOT_ESTABLISHED):
        return None
    coords = raw
    if isinstance(raw, dict):
        if raw.get("type") != "LineString":
            raise InputError('expected a GeoJSON LineString or "not established"', field=field)
        coords = raw.get("coordinates")
        field = f"{field}.coordinates"
    if not isinstance(coords, (list, tuple)) or len(coords) < 2:
        raise InputError("a route needs at least two points [lon, lat]", field=field)
    points = []
    for n, point in enumerate(coords):
        here = f"{field}[{n}]"
        if not isinstance(point, (list, tuple)) or len(point) < 2:
            raise InputError("expected [lon, lat]", field=here)
        try:
            lon, lat = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            raise InputError(f"{point!r} is not a pair of numbers", field=here) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"[{lon}, {lat}] is out of range (lon ±180, lat ±90)", field=here)
        points.append((lon, lat))
    return tuple(points)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value or any(_blank(v) for v in value)
    return False


class ActivationMessage(BaseModel):
    """The information the departure officer sends the national operator (Rules §8)."""

    seal_number: str | list[str] | None = Field(
        None, description="1) unique number of the navigation seal (several for several seals)")
    transit_declaration_number: str | None = Field(None, description="2) transit declaration")
    vehicle_registration_number: str | None = Field(
        None, description="3) state registration number of the vehicle")
    destination_office_code: str | None = Field(None, description="4) destination office code")
    destination_office_name: str | None = Field(None, description="4) destination office name")
    transit_period: str | None = Field(
        None, description="5) period of customs transit: a date (YYYY-MM-DD) or a duration "
        "such as '10 calendar days', as the setting escort.transit_period_format says")
    route: Any = Field(None, description='6) transportation route: GeoJSON LineString, or '
                       'null / "not established" (the item must still be given)')


_SECTION_8 = (  # (field, item of §8)
    ("seal_number", "1) unique number of the navigation seal"),
    ("transit_declaration_number", "2) number of transit declaration"),
    ("vehicle_registration_number", "3) state registration number of the vehicle"),
    ("destination_office_code", "4) code of the customs office of destination"),
    ("destination_office_name", "4) name of the customs office of destination"),
    ("transit_period", "5) period of customs transit"),
    ("route", "6) transportation route"),
)


def _transit_period(text: str) -> dt.date | Duration:
    fmt = get_setting("escort.transit_period_format").value
    if fmt == "end_date":
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise InputError(f"{text!r} is not a date (YYYY-MM-DD): the transit period is the "
                             "date by which goods must be delivered (setting "
                             "escort.transit_period_format)", field="transit_period") from None
    return Duration.parse(text, field="transit_period")


@rule("escort.activation-message", title="The activation message carries all six items of §8",
      citation=rules("§8"), inputs=ActivationMessage)
def check_activation_message(msg: ActivationMessage, as_of: dt.date) -> Explained[dict]:
    """The normalised message, or IncompleteMessage naming each missing item and §8."""
    trace = Trace("escort.activation-message", as_of)
    route_optional = get_setting("escort.route_optional")
    missing = []
    for name, _item in _SECTION_8:
        value = getattr(msg, name)
        if name == "route":
            # the item is required, but it may say "not established" (C-G7)
            given = name in msg.model_fields_set
            if not given or (value is None and not route_optional.value):
                missing.append(name)
            continue
        if _blank(value):
            missing.append(name)
    citation = rules("§8")
    if missing:
        items = "; ".join(item for name, item in _SECTION_8 if name in missing)
        trace.step(f"items missing: {items}", missing, citation=citation)
        raise IncompleteMessage(f"the activation message lacks {items} — all six items of "
                                "§8 are required", missing=tuple(missing), citation=citation)
    seals = [msg.seal_number] if isinstance(msg.seal_number, str) else list(msg.seal_number)
    seals = [s.strip() for s in seals]
    if len(set(seals)) != len(seals):
        raise InputError("a seal number is listed twice", field="seal_number")
    period = _transit_period(msg.transit_period)
    route = parse_route(msg.route)
    trace.step("all six items of §8 are present", True, citation=citation,
               inputs={"seal_number": seals,
                       "transit_declaration_number": msg.transit_declaration_number,
                       "vehicle_registration_number": msg.vehicle_registration_number,
                       "destination_office": f"{msg.destination_office_code} "
                                             f"{msg.destination_office_name}"})
    trace.step("5) the transit period is read as the setting says", str(period),
               citation=rules("§8(5)"),
               parameters=[get_setting("escort.transit_period_format").use()])
    trace.step("6) route: " + (f"established, {len(route)} points" if route else
                               "not established: no deviation can be detected (§3(8))"),
               route is not None, citation=rules("§8(6)"),
               parameters=[route_optional.use(), get_setting("escort.route_format").use()])
    return trace.done({
        "seal_numbers": seals,
        "transit_declaration_number": msg.transit_declaration_number.strip(),
        "vehicle_registration_number": msg.vehicle_registration_number.strip(),
        "destination_office_code": msg.destination_office_code.strip(),
        "destination_office_name": msg.destination_office_name.strip(),
        "transit_period": period,
        "route": [list(p) for p in route] if route else NOT_ESTABLISHED,
    })


class DeactivationRequest(BaseModel):
    """What the destination officer sends the national operator to deactivate (§13)."""

    seal_number: str | None = Field(None, description="1) unique number of the navigation seal")
    transit_declaration_number: str | None = Field(None, description="2) transit declaration")
    vehicle_registration_number: str | None = Field(
        None, description="3) state registration number of the vehicle")


_SECTION_13 = (
    ("seal_number", "1) unique number of the navigation seal"),
    ("transit_declaration_number", "2) number of transit declaration"),
    ("vehicle_registration_number", "3) state registration number of the vehicle"),
)


@rule("escort.deactivation-request", title="The deactivation request carries the three items "
      "of §13, one seal per request", citation=rules("§13"), inputs=DeactivationRequest)
def check_deactivation_request(req: DeactivationRequest, as_of: dt.date) -> Explained[dict]:
    trace = Trace("escort.deactivation-request", as_of)
    citation = rules("§13")
    missing = tuple(name for name, _ in _SECTION_13 if _blank(getattr(req, name)))
    if missing:
        items = "; ".join(item for name, item in _SECTION_13 if name in missing)
        trace.step(f"items missing: {items}", list(missing), citation=citation)
        raise IncompleteMessage(f"the deactivation request lacks {items} — all three items "
                                "of §13 are required", missing=missing, citation=citation)
    per_seal = get_setting("escort.deactivation_request_per_seal")
    seal = req.seal_number.strip()
    if per_seal.value and any(sep in seal for sep in (",", ";")):
        raise LegalRuleError("one deactivation request names one seal (setting "
                             "escort.deactivation_request_per_seal): send one per seal",
                             field="seal_number", citation=citation)
    trace.step("all three items of §13 are present; one request for one seal", True,
               citation=citation, inputs={"seal_number": seal},
               parameters=[per_seal.use()])
    return trace.done({"seal_number": seal,
                       "transit_declaration_number": req.transit_declaration_number.strip(),
                       "vehicle_registration_number": req.vehicle_registration_number.strip()})
