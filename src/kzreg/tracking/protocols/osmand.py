"""OsmAnd over HTTP, as OsmAnd and Traccar Client send it: query string or JSON body.

Query string (GET or POST form): `id` (or `deviceid`), `lat` and `lon` (or
`location=lat,lon`), `timestamp` (unix seconds, unix milliseconds, or ISO 8601; absent ->
the server's time), `speed` in knots (OsmAnd and Traccar's convention), `bearing` or
`heading`, `altitude`, `batt` (percent), `valid`, `sat`; other keys become attributes.
JSON body (Traccar Client 9+, the transistorsoft background-geolocation form):
`{"device_id", "location": {"timestamp": ISO, "coords": {"latitude", "longitude",
"speed" (m/s, -1 unknown), "heading" (-1 unknown), "altitude", "accuracy"},
"battery": {"level": 0..1}, "is_moving", "event", "extras"}}`; `location` may be a list.
Seal state (kzreg's convention): `seal=closed|opened|removed|tamper` (or 0..3) in the query,
`extras.seal` in the JSON body. Malformed input raises `InputError` naming the field; a
message without coordinates yields no position; one without a device id gives the id "".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from kzreg.law.errors import InputError
from kzreg.tracking.position import Position
from kzreg.tracking.protocols.sanity import (
    BadFix,
    Clock,
    check_fix,
    check_values,
    seal_state,
    utc_now,
)

PROTOCOL = "osmand"
UTC = dt.UTC
KNOT_KMH = 1.852
MPS_KMH = 3.6
_QUERY_FIELDS = frozenset({"id", "deviceid", "lat", "lon", "location", "timestamp", "speed",
                           "bearing", "heading", "altitude", "batt", "valid", "sat", "seal"})
# The request's name of each value `sanity.check_values` judges, for the InputError's field.
_QUERY_NAMES = {"speed_kmh": "speed", "course": "bearing", "satellites": "sat",
                "battery": "batt"}
_JSON_NAMES = {"speed_kmh": "coords.speed", "course": "coords.heading",
               "battery": "battery.level"}


def _float(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON integer of 400 digits
        raise InputError(f"{value!r} is not a number", field=name) from None
    if not math.isfinite(number):
        raise InputError(f"{value!r} is not a finite number", field=name)
    return number


def _optional(value: Any, name: str, *, unknown_below: float | None = None) -> float | None:
    if value is None or value == "":
        return None
    number = _float(value, name)
    return None if unknown_below is not None and number < unknown_below else number


def parse_time(value: Any, name: str = "timestamp") -> dt.datetime:
    """Unix seconds, unix milliseconds, or ISO 8601 (a zone-less one is UTC)."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            # At the calendar's edge an offset overflows: 9999-12-31T23:59:59-05:00
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None \
                else moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise InputError(f"{text!r} is neither unix time nor ISO 8601 within years "
                             "1..9999", field=name) from None
    if not math.isfinite(number) or not 0 <= number < 1e14:
        raise InputError(f"{text!r} is out of range", field=name)
    return dt.datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC)


def _position(device: str, time: dt.datetime | None, lat: float, lon: float, now: dt.datetime,
              names: Mapping[str, str], **fields: Any) -> Position:
    attributes = fields.pop("attributes")
    if time is None:
        time = now
        attributes["time_source"] = "server"
    try:
        check_fix(time, lat, lon, now)
        check_values(fields.get("speed_kmh"), fields.get("course"), fields.get("satellites"),
                     fields.get("battery"))
    except BadFix as bad:
        field = {"time": "timestamp", "coordinates": "lat"}.get(bad.kind) \
            or names.get(bad.field or "", bad.field)
        raise InputError(bad.reason, field=field) from None
    return Position(device=device, fix_time=time, lat=lat, lon=lon, protocol=PROTOCOL,
                    attributes=attributes, **fields)


def _attribute(value: str) -> float | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def no_constants(name: str) -> None:
    """json.loads hook: NaN and Infinity are not JSON (RFC 8259) and not coordinates."""
    raise ValueError(f"{name} is not allowed")


def _truth(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")


def decode_query(query: str, *, now: dt.datetime) -> list[Position]:
    if "?" in query:
        try:
            query = urlsplit(query).query if "://" in query or query.startswith("/") \
                else query.split("?", 1)[1]
        except ValueError:  # a host part urlsplit refuses, e.g. "//[?lat=1" (Invalid IPv6 URL)
            raise InputError("not a query string", field="message") from None
    params = dict(parse_qsl(query, keep_blank_values=True))
    device = params.get("id") or params.get("deviceid") or ""  # "": the listener quarantines
    if "location" in params:
        lat_text, _, lon_text = params["location"].partition(",")
    else:
        lat_text, lon_text = params.get("lat", ""), params.get("lon", "")
    if not lat_text or not lon_text:
        return []
    speed = _optional(params.get("speed"), "speed")
    battery = _optional(params.get("batt"), "batt")
    satellites = _optional(params.get("sat"), "sat")
    time = parse_time(params["timestamp"]) if params.get("timestamp") else None
    return [_position(
        device, time, _float(lat_text, "lat"), _float(lon_text, "lon"), now, _QUERY_NAMES,
        valid=_truth(params["valid"]) if "valid" in params else True,
        speed_kmh=None if speed is None else round(speed * KNOT_KMH, 3),
        course=_optional(params.get("bearing", params.get("heading")), "bearing"),
        altitude_m=_optional(params.get("altitude"), "altitude"),
        satellites=None if satellites is None else int(satellites),
        seal_state=seal_state(params["seal"]) if "seal" in params else None,
        battery=battery,
        attributes={key: _attribute(value) for key, value in params.items()
                    if key not in _QUERY_FIELDS})]


def _json_location(device: str, location: Mapping[str, Any], now: dt.datetime) -> list[Position]:
    coords = location.get("coords")
    if not isinstance(coords, Mapping):
        raise InputError("location.coords is missing", field="location.coords")
    if coords.get("latitude") is None or coords.get("longitude") is None:
        return []
    battery = location.get("battery") if isinstance(location.get("battery"), Mapping) else {}
    level = _optional(battery.get("level"), "battery.level", unknown_below=0)
    speed = _optional(coords.get("speed"), "coords.speed", unknown_below=0)
    extras = location.get("extras") if isinstance(location.get("extras"), Mapping) else {}
    attributes = {key: location[key] for key in ("is_moving", "event", "odometer", "mock")
                  if key in location}
    if coords.get("accuracy") is not None:
        attributes["accuracy"] = coords["accuracy"]
    attributes.update({key: value for key, value in extras.items() if key != "seal"})
    timestamp = location.get("timestamp")
    return [_position(
        device, parse_time(timestamp, "location.timestamp") if timestamp else None,
        _float(coords["latitude"], "coords.latitude"),
        _float(coords["longitude"], "coords.longitude"), now, _JSON_NAMES,
        speed_kmh=None if speed is None else round(speed * MPS_KMH, 3),
        course=_optional(coords.get("heading"), "coords.heading", unknown_below=0),
        altitude_m=_optional(coords.get("altitude"), "coords.altitude"),
        seal_state=seal_state(extras["seal"]) if "seal" in extras else None,
        battery=None if level is None else round(level * 100, 1),
        attributes=attributes)]


def decode_json(body: Mapping[str, Any], *, now: dt.datetime) -> list[Position]:
    device = body.get("device_id") or ""  # "": unknown, the listener quarantines it
    locations = body.get("location")
    if isinstance(locations, Mapping):
        locations = [locations]
    if not isinstance(locations, list) or not all(isinstance(x, Mapping) for x in locations):
        raise InputError("location must be an object or a list of objects", field="location")
    return [position for location in locations
            for position in _json_location(str(device), location, now)]


def decode_osmand(message: str | bytes | Mapping[str, Any], *,
                  clock: Clock = utc_now) -> list[Position]:
    """The positions in one OsmAnd request: its query string, or its JSON body."""
    now = clock()
    if isinstance(message, Mapping):
        return decode_json(message, now=now)
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the request is not UTF-8", field="message") from None
    text = message.strip()
    if text.startswith("{"):
        try:
            body = json.loads(text, parse_constant=no_constants)
        except (ValueError, RecursionError) as error:  # JSONDecodeError, NaN / Infinity, or
            # nesting deeper than json's recursion limit ("[" * 5000)
            raise InputError(f"the JSON body does not parse: {error}", field="message") from None
        if not isinstance(body, dict):
            raise InputError("the JSON body must be an object", field="message")
        return decode_json(body, now=now)
    return decode_query(text, now=now)
