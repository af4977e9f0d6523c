"""OsmAnd over HTTP: real requests (Traccar's test suite), units, JSON body, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.law.errors import InputError
from kzreg.tracking.position import SealState
from kzreg.tracking.protocols.osmand import decode_osmand

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tracking"
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def captures(name: str) -> dict[str, str]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("//"))


REAL = captures("osmand_traccar.txt")


def decode(label_or_text):
    return decode_osmand(REAL.get(label_or_text, label_or_text), clock=lambda: NOW)


@pytest.mark.parametrize(("label", "device", "time", "lat", "lon"), [
    ("query_iso", "902064", dt.datetime(2016, 1, 27, 18, 55, 47, tzinfo=UTC), 42.06288,
     -88.23412),
    # 1442068686579 ms = 2015-09-12T14:38:06.579Z
    ("query_millis", "902064", dt.datetime(2015, 9, 12, 14, 38, 6, 579000, tzinfo=UTC),
     42.06288, -88.23412),
    ("query_space_time", "353861053849681", dt.datetime(2014, 6, 4, 9, 10, 11, tzinfo=UTC),
     49.60688, 6.15788),
    # 1377177267 s = 2013-08-22T13:14:27Z
    ("query_minimal", "123456", dt.datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC), 60.0, 30.0),
    ("query_location", "123456", dt.datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC), 60.0, 30.0),
    ("query_no_id", "", dt.datetime(2013, 8, 22, 13, 14, 27, tzinfo=UTC), 60.0, 30.0),
    ("query_no_time", "123456", NOW, 60.0, 30.0),
    ("json_android", "48241179", dt.datetime(2025, 6, 15, 13, 45, 12, 862000, tzinfo=UTC),
     37.4219983, -122.084),
    ("json_ios_mock", "658765", dt.datetime(2025, 5, 9, 4, 11, 30, 579000, tzinfo=UTC),
     37.785834, -122.406417),
    ("json_moving", "8737767034", dt.datetime(2021, 7, 21, 8, 6, 34, 444000, tzinfo=UTC),
     -6.1148096, 106.6837015),
])
def test_real_requests(label, device, time, lat, lon):
    [position] = decode(label)
    assert (position.device, position.fix_time) == (device, time)
    assert position.lat == pytest.approx(lat) and position.lon == pytest.approx(lon)
    assert position.protocol == "osmand"


def test_real_request_units():
    [knots] = decode("query_speed")        # 40 knots = 74.08 km/h
    assert knots.speed_kmh == pytest.approx(74.08) and knots.course == pytest.approx(7.19889788)
    assert knots.attributes["rpm"] == 933 and knots.attributes["ignition"] == "true"
    [moving] = decode("json_moving")       # 18.67 m/s = 67.212 km/h; battery 0.79 = 79 %
    assert moving.speed_kmh == pytest.approx(67.212) and moving.battery == 79.0
    assert moving.course == 63 and moving.altitude_m == 35.7
    [mock] = decode("json_ios_mock")       # -1 means unknown for speed, heading, battery
    assert (mock.speed_kmh, mock.course, mock.battery) == (None, None, None)
    [batt] = decode("query_batt")
    assert batt.battery == 87 and batt.fix_time == NOW
    assert decode("query_no_time")[0].attributes["time_source"] == "server"


def test_real_request_without_coordinates_has_no_position():
    assert decode("query_cells") == []


def test_seal_state_convention():
    [query] = decode("id=S1&lat=43.2&lon=76.9&timestamp=1763700000&seal=removed")
    assert query.seal_state is SealState.REMOVED
    [body] = decode('{"device_id":"S1","location":{"timestamp":"2025-11-21T00:00:00Z",'
                    '"coords":{"latitude":43.2,"longitude":76.9},"extras":{"seal":"opened"}}}')
    assert body.seal_state is SealState.OPENED


def test_json_location_list():
    body = {"device_id": "S2", "location": [
        {"timestamp": "2025-11-21T00:00:00Z", "coords": {"latitude": 1, "longitude": 2}},
        {"timestamp": "2025-11-21T00:01:00Z", "coords": {"latitude": 1.1, "longitude": 2}}]}
    assert [p.lat for p in decode_osmand(body, clock=lambda: NOW)] == [1, 1.1]


@pytest.mark.parametrize(("message", "field"), [
    ("id=1&lat=91&lon=0&timestamp=1763700000", "lat"),
    ("id=1&lat=north&lon=0", "lat"),
    ("id=1&lat=nan&lon=0", "lat"),
    ("id=1&lat=1&lon=0&timestamp=yesterday", "timestamp"),
    ("id=1&lat=1&lon=0&timestamp=4102444800", "timestamp"),     # 2100: in the future
    ('{"device_id": "x", "location": 5}', "location"),
    ('{"device_id": "x", "location": {"coords": {"latitude": "a", "longitude": 1}}}',
     "coords.latitude"),
    ('{"device_id": "x", "location": {}}', "location.coords"),
    ('{"device_id": ', "message"),
    ('{"a": ' + "[" * 100_000, "message"),
    ("//[?lat=1&lon=2", "message"),
    ("id=1&lat=1&lon=0&timestamp=0001-01-01T00:00:00%2B05:00", "timestamp"),
    ("id=1&lat=1&lon=0&speed=-5", "speed"),
    ("id=1&lat=1&lon=0&heading=400", "bearing"),
    ("id=1&lat=1&lon=0&sat=1e30", "sat"),
    ("id=1&lat=1&lon=0&batt=-1", "batt"),
    ('{"location": {"coords": {"latitude": 1, "longitude": 1, "heading": 361}}}',
     "coords.heading"),
    ('{"location": {"coords": {"latitude": 1, "longitude": 1, "speed": 1' + "0" * 400 + '}}}',
     "coords.speed"),
])
def test_bad_requests_name_the_field(message, field):
    with pytest.raises(InputError) as error:
        decode(message)
    assert error.value.field == field


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_input_error(text):
    try:
        decode(text)
    except InputError:
        pass
