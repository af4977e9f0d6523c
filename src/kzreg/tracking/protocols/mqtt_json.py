"""kzreg's JSON form for navigation seals that publish over MQTT (documented, versionless).

Topic `kzreg/seals/<device>/position`; payload one JSON object, or a list of them:

    {"time": "2026-11-21T10:00:00Z",   ISO 8601 with a zone, or unix seconds   (required)
     "lat": 43.2389, "lon": 76.8897,   WGS-84 degrees                          (required)
     "seal": "closed",                 closed | opened | removed | tamper      (optional)
     "valid": true, "speed_kmh": 54.0, "course": 90.0, "altitude_m": 700.0,
     "satellites": 9, "battery": 87.0 (percent), "archive": false (true: resent from the
     device's memory), "device": "<device>" (must equal the topic's, if both are given)}

Other keys are kept as attributes. Malformed payloads raise `InputError` naming the field
(the MQTT listener logs and quarantines them); the seal state is what Order 407 §3(8) needs
to judge an unauthorized opening or removal.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from kzreg.law.errors import InputError
from kzreg.tracking.position import Position
from kzreg.tracking.protocols.osmand import no_constants, parse_time
from kzreg.tracking.protocols.sanity import (
    BadFix,
    Clock,
    check_fix,
    check_values,
    seal_state,
    utc_now,
)

PROTOCOL = "mqtt-json"
TOPIC_PREFIX, TOPIC_SUFFIX = "kzreg/seals/", "/position"
TOPIC_FILTER = "kzreg/seals/+/position"
_KNOWN = frozenset({"time", "lat", "lon", "seal", "valid", "speed_kmh", "course", "altitude_m",
                    "satellites", "battery", "archive", "device"})


def topic_device(topic: str) -> str:
    """The device named by a topic `kzreg/seals/<device>/position` ("" for no topic)."""
    if not topic:
        return ""
    parts = topic.split("/")
    if len(parts) != 4 or parts[:2] != ["kzreg", "seals"] or parts[3] != "position" \
            or not parts[2]:
        raise InputError(f"topic {topic!r} is not {TOPIC_FILTER}", field="topic")
    return parts[2]


def _number(report: dict[str, Any], key: str, index: int) -> float | None:
    value = report.get(key)
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise InputError(f"{value!r} is not a finite number", field=f"[{index}].{key}")
        return float(value)
    except OverflowError:  # an integer beyond any float (JSON allows 400 digits)
        raise InputError("the number is too large", field=f"[{index}].{key}") from None


def _flag(report: dict[str, Any], key: str, index: int, default: bool) -> bool:
    """A JSON true/false: bool("false") would be True, storing an invalid fix as valid."""
    value = report.get(key)
    if value is None:  # absent or null, as for the other optional keys
        return default
    if not isinstance(value, bool):
        raise InputError(f"{value!r} is not true or false", field=f"[{index}].{key}")
    return value


def _report(device: str, report: Any, index: int, now: dt.datetime) -> Position:
    if not isinstance(report, dict):
        raise InputError("each report must be a JSON object", field=f"[{index}]")
    named = report.get("device")
    if named is not None and device and str(named) != device:
        raise InputError(f"device {named!r} differs from the topic's {device!r}",
                         field=f"[{index}].device")
    for key in ("time", "lat", "lon"):
        if report.get(key) is None:
            raise InputError("is required", field=f"[{index}].{key}")
    time = parse_time(report["time"], f"[{index}].time")
    lat, lon = _number(report, "lat", index), _number(report, "lon", index)
    assert lat is not None and lon is not None
    try:
        check_fix(time, lat, lon, now)
    except BadFix as bad:
        raise InputError(bad.reason, field=f"[{index}].{'time' if bad.kind == 'time' else 'lat'}"
                         ) from None
    state = None
    if report.get("seal") is not None:
        state = seal_state(report["seal"])
        if state is None:
            raise InputError(f"{report['seal']!r} is not closed|opened|removed|tamper",
                             field=f"[{index}].seal")
    satellites = _number(report, "satellites", index)
    values = {key: _number(report, key, index) for key in ("speed_kmh", "course", "battery")}
    try:
        check_values(values["speed_kmh"], values["course"], satellites, values["battery"])
    except BadFix as bad:
        raise InputError(bad.reason, field=f"[{index}].{bad.field}") from None
    return Position(
        device=device or str(named or ""), fix_time=time, lat=lat, lon=lon,
        valid=_flag(report, "valid", index, True), altitude_m=_number(report, "altitude_m", index),
        satellites=None if satellites is None else int(satellites), seal_state=state,
        protocol=PROTOCOL, archive=_flag(report, "archive", index, False), **values,
        attributes={key: value for key, value in report.items() if key not in _KNOWN})


def decode_mqtt_json(topic: str, payload: bytes | str, *,
                     clock: Clock = utc_now) -> list[Position]:
    """The positions in one MQTT message on `kzreg/seals/<device>/position`."""
    device = topic_device(topic)
    try:
        document = json.loads(payload, parse_constant=no_constants)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError,
        # NaN / Infinity, or nesting deeper than json's recursion limit ("[" * 5000)
        raise InputError(f"the payload is not JSON: {error}", field="payload") from None
    reports = document if isinstance(document, list) else [document]
    now = clock()
    return [_report(device, report, index, now) for index, report in enumerate(reports)]


def encode_mqtt_json(position: Position) -> bytes:
    """The payload a seal (or the simulator) publishes for one position."""
    report: dict[str, Any] = {
        "time": position.fix_time.isoformat().replace("+00:00", "Z"),
        "lat": position.lat, "lon": position.lon, "valid": position.valid}
    for key, value in (("speed_kmh", position.speed_kmh), ("course", position.course),
                       ("altitude_m", position.altitude_m), ("satellites", position.satellites),
                       ("battery", position.battery)):
        if value is not None:
            report[key] = value
    if position.seal_state is not None:
        report["seal"] = position.seal_state.value
    if position.archive:
        report["archive"] = True
    return json.dumps(report, separators=(",", ":")).encode()


def topic_for(device: str) -> str:
    return f"{TOPIC_PREFIX}{device}{TOPIC_SUFFIX}"
