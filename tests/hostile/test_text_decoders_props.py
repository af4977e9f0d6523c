"""The message decoders (OsmAnd, MQTT JSON, the JSONL replay line, `decode_message`) under
hostile input. Their documented reject is `InputError` naming the field; anything else
escaping is a bug, and every position they return must be plausible.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from hostile.budget import budget
from hostile.known_bugs import only_documented_rejects
from hostile.plausible import assert_plausible
from hostile.strategies import (
    NASTY_TOKENS,
    NOW,
    captures,
    json_scalars,
    json_values,
    nasty_text,
    positions,
)
from kzreg.law.errors import InputError
from kzreg.tracking.protocols import MESSAGE_PROTOCOLS, decode_message
from kzreg.tracking.protocols.jsonl import decode_jsonl_line
from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json, encode_mqtt_json, topic_for
from kzreg.tracking.protocols.osmand import decode_osmand
from kzreg.tracking.protocols.sanity import utc_now

OSMAND = captures("osmand_traccar.txt")


def clock():
    return NOW


def sound(decode, *args, now=NOW, **kwargs):
    """Run a decoder: positions checked, an InputError accepted, anything else reported."""
    result = None  # stays None when a known bug's failure is tolerated
    with only_documented_rejects():
        try:
            result = decode(*args, **kwargs)
        except InputError as error:
            assert error.field, error
            return None
    for position in [result] if not isinstance(result, list) else result:
        if position is not None:
            assert_plausible(position, now)
    return result


# -- OsmAnd ---------------------------------------------------------------------------

_QUERY_KEYS = ("id", "deviceid", "lat", "lon", "location", "timestamp", "speed", "bearing",
               "heading", "altitude", "batt", "valid", "sat", "seal", "hdop", "x")


@budget(300)
@given(st.dictionaries(st.sampled_from(_QUERY_KEYS), nasty_text, max_size=8),
       st.sampled_from(["", "/?", "http://h/?"]))
def test_osmand_query_with_hostile_values(params, prefix):
    params.setdefault("lat", "43.2")
    params.setdefault("lon", "76.9")
    sound(decode_osmand, prefix + urlencode(params, errors="surrogatepass"), clock=clock)


_COORD_KEYS = ("latitude", "longitude", "speed", "heading", "altitude", "accuracy")


@st.composite
def osmand_json(draw):
    coords = {key: draw(json_scalars) for key in draw(st.sets(st.sampled_from(_COORD_KEYS)))}
    coords.setdefault("latitude", 43.2)
    coords.setdefault("longitude", 76.9)
    location = {"coords": coords}
    for key in draw(st.sets(st.sampled_from(["timestamp", "battery", "extras", "is_moving"]))):
        location[key] = draw(json_values)
    if draw(st.booleans()):
        location["battery"] = {"level": draw(json_scalars)}
    if draw(st.booleans()):
        location["extras"] = {"seal": draw(json_scalars)}
    body = {"device_id": draw(json_scalars), "location": draw(st.sampled_from(
        [location, [location, location], draw(json_values)]))}
    return json.dumps(body)


@budget(300)
@given(osmand_json())
def test_osmand_json_with_hostile_values(text):
    sound(decode_osmand, text, clock=clock)


@budget(200)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200),
                 st.sampled_from(sorted(OSMAND.values())).flatmap(
                     lambda text: st.integers(0, len(text)).map(lambda n: text[:n]))))
def test_osmand_arbitrary_and_truncated_messages(message):
    sound(decode_osmand, message, clock=clock)


# -- MQTT JSON --------------------------------------------------------------------------

_REPORT_KEYS = ("time", "lat", "lon", "seal", "valid", "speed_kmh", "course", "altitude_m",
                "satellites", "battery", "archive", "device", "extra")


@st.composite
def mqtt_reports(draw):
    report = {key: draw(json_scalars) for key in
              draw(st.sets(st.sampled_from(_REPORT_KEYS)))}
    report.setdefault("time", "2026-11-21T10:00:00Z")
    report.setdefault("lat", 43.2)
    report.setdefault("lon", 76.9)
    return report


@budget(300)
@given(st.one_of(mqtt_reports(), st.lists(mqtt_reports(), max_size=3), json_values),
       st.sampled_from(["", topic_for("SEAL-1"), "kzreg/seals//position", "a/b"]))
def test_mqtt_json_with_hostile_values(document, topic):
    sound(decode_mqtt_json, topic, json.dumps(document), clock=clock)


@budget(150)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_mqtt_json_arbitrary_payloads(payload):
    sound(decode_mqtt_json, topic_for("SEAL-1"), payload, clock=clock)


@budget(100)
@given(positions(protocol="mqtt-json"))
def test_mqtt_json_round_trip(fix):
    [back] = decode_mqtt_json(topic_for(fix.device), encode_mqtt_json(fix), clock=clock)
    assert back == fix


# -- JSONL trace line and decode_message ------------------------------------------------

@budget(300)
@given(st.one_of(mqtt_reports().map(lambda r: {**r, "seal": r.get("device") or "S-1",
                                                "state": r.pop("seal", "closed")}),
                 json_values))
def test_jsonl_line_with_hostile_values(entry):
    sound(decode_jsonl_line, json.dumps(entry), now=dt.datetime.max.replace(tzinfo=dt.UTC))


@budget(200)
@given(st.sampled_from(MESSAGE_PROTOCOLS + ("nope",)),
       st.one_of(st.text(max_size=200), st.sampled_from(NASTY_TOKENS),
                 st.binary(max_size=100).map(bytes.hex)))
def test_decode_message_any_protocol_any_text(protocol, text):
    sound(decode_message, protocol, text, now=utc_now())
