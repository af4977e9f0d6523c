"""kzreg's MQTT JSON form and the JSONL replay line: schema, seal state, bad payloads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.law.errors import InputError
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.jsonl import decode_jsonl_line
from kzreg.tracking.protocols.mqtt_json import (
    decode_mqtt_json,
    encode_mqtt_json,
    topic_device,
    topic_for,
)

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TOPIC = "kzreg/seals/KZ-000123/position"


def decode(payload, topic=TOPIC):
    return decode_mqtt_json(topic, payload, clock=lambda: NOW)


def test_documented_example():
    [position] = decode(b'{"time": "2026-11-21T10:00:00Z", "lat": 43.2389, "lon": 76.8897, '
                        b'"seal": "closed", "speed_kmh": 54.0, "battery": 87, "fw": "1.2"}')
    assert position.device == "KZ-000123" and position.seal_state is SealState.CLOSED
    assert position.fix_time == dt.datetime(2026, 11, 21, 10, tzinfo=UTC)
    assert (position.lat, position.lon, position.speed_kmh, position.battery) == \
        (43.2389, 76.8897, 54.0, 87.0)
    assert position.attributes == {"fw": "1.2"} and position.protocol == "mqtt-json"


def test_list_payload_unix_time_and_archive():
    payload = json.dumps([{"time": 1763700000, "lat": 1, "lon": 2, "archive": True,
                           "seal": 2}, {"time": 1763700060, "lat": 1, "lon": 2}])
    first, second = decode(payload)
    assert first.archive and first.seal_state is SealState.REMOVED and not second.archive
    assert second.fix_time - first.fix_time == dt.timedelta(minutes=1)


@settings(max_examples=100, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.sampled_from([None, *SealState]),
       st.booleans())
def test_encode_decode_identity(lat, lon, state, archive):
    original = Position("KZ-000123", NOW.replace(microsecond=0), lat, lon, speed_kmh=10.5,
                        seal_state=state, archive=archive, battery=50.0, protocol="mqtt-json")
    [back] = decode(encode_mqtt_json(original), topic_for("KZ-000123"))
    assert back == original


@pytest.mark.parametrize(("payload", "field"), [
    (b"not json", "payload"),
    (b'{"lat": 1, "lon": 2}', "[0].time"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 91, "lon": 2}', "[0].lat"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": "1", "lon": 2}', "[0].lat"),
    (b'{"time": "2027-01-01T00:00:00Z", "lat": 1, "lon": 2}', "[0].time"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "seal": "broken"}', "[0].seal"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "device": "other"}',
     "[0].device"),
    (b"[1]", "[0]"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "valid": "false"}', "[0].valid"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "archive": 1}', "[0].archive"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "speed_kmh": -1}',
     "[0].speed_kmh"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "course": 360.5}', "[0].course"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "satellites": 300}',
     "[0].satellites"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "battery": -0.5}', "[0].battery"),
    (b'{"time": "2026-01-01T00:00:00Z", "lat": 1, "lon": 2, "battery": 1' + b"0" * 400 + b"}",
     "[0].battery"),
    (b'{"time": "9999-12-31T23:59:59-05:00", "lat": 1, "lon": 2}', "[0].time"),
    (b"[" * 100_000, "payload"),
])
def test_bad_payloads_name_the_field(payload, field):
    with pytest.raises(InputError) as error:
        decode(payload)
    assert error.value.field == field


@pytest.mark.parametrize("topic", ["kzreg/seals/position", "other/KZ/position",
                                   "kzreg/seals/a/b/position"])
def test_bad_topics(topic):
    with pytest.raises(InputError, match="topic"):
        topic_device(topic)


def test_jsonl_replay_lines():
    position = decode_jsonl_line('{"time": "2030-01-01T00:00:00Z", "seal": "S-1", '
                                 '"lat": 43.2, "lon": 76.9, "state": "opened"}')
    assert position is not None and position.seal_state is SealState.OPENED
    assert position.device == "S-1" and position.attributes["seal"] == "S-1"
    assert position.protocol == "jsonl"   # a replay is not checked against today's clock
    assert decode_jsonl_line('{"time": "2030-01-01T00:00:00Z", "event": "clock"}') is None
    with pytest.raises(InputError):
        decode_jsonl_line('{"time": "2030-01-01T00:00:00Z", "lat": 1, "lon": 1}')


def test_nan_is_not_json():
    with pytest.raises(InputError, match="NaN"):
        decode(b'{"time": "2026-01-01T00:00:00Z", "lat": NaN, "lon": 2}')
