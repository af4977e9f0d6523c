"""One regression test per bug the hostile-input suite found.

Bugs in files this suite does not own are strict xfails (tests/hostile/known_bugs.py
names the fix); once the fix lands, the xfail turns into a failure and the entry goes.
"""

from __future__ import annotations

import json

import pytest

from hostile.plausible import out_of_range
from hostile.strategies import NOW
from kzreg.law.errors import InputError
from kzreg.tracking.protocols import egts
from kzreg.tracking.protocols.egts import EgtsSession
from kzreg.tracking.protocols.jsonl import decode_jsonl_line
from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json
from kzreg.tracking.protocols.osmand import decode_osmand
from kzreg.tracking.protocols.wialon_ips import WialonIpsSession


def clock():
    return NOW


REPORT = {"time": "2026-11-21T10:00:00Z", "lat": 43.2, "lon": 76.9}


def test_egts_empty_ext_pos_data_is_refused_not_a_decoder_error():
    frame = egts.packet(egts.PT_APPDATA, 1, egts.record(
        1, egts.TELEDATA_SERVICE, egts.subrecord(egts.SR_EXT_POS_DATA, b"")))
    [rejected] = EgtsSession(clock=clock).feed(frame).rejected
    assert not rejected.reason.startswith("decoder error"), rejected.reason


@pytest.mark.parametrize("decode", [
    lambda: decode_osmand("id=1&lat=43.2&lon=76.9&seal=%C2%B2", clock=clock),
    lambda: decode_osmand('{"location": {"coords": {"latitude": 1, "longitude": 1}, '
                          '"extras": {"seal": 1e999}}}', clock=clock),
    lambda: decode_mqtt_json("", json.dumps({**REPORT, "seal": "²"}), clock=clock),
    lambda: decode_mqtt_json("", json.dumps(REPORT)[:-1] + ', "seal": 1e999}', clock=clock),
], ids=["osmand-query", "osmand-json", "mqtt-digit", "mqtt-infinite"])
def test_a_bad_seal_code_is_an_input_error(decode):
    try:
        positions = decode()
    except InputError:
        return
    assert all(p.seal_state is None for p in positions)


@pytest.mark.parametrize("time", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
@pytest.mark.parametrize("protocol", ["osmand", "mqtt-json"])
def test_a_time_at_the_calendars_edge_is_an_input_error(protocol, time):
    with pytest.raises(InputError):
        if protocol == "osmand":
            decode_osmand("id=1&lat=1&lon=1&timestamp=" + time.replace("+", "%2B"),
                          clock=clock)
        else:
            decode_mqtt_json("", json.dumps({**REPORT, "time": time}), clock=clock)


@pytest.mark.parametrize("message", ["//[?lat=1&lon=2", "http://[/?lat=1&lon=2"])
def test_osmand_request_with_a_bracket_host_is_an_input_error(message):
    with pytest.raises(InputError):
        decode_osmand(message, clock=clock)


@pytest.mark.parametrize("decode", [
    lambda text: decode_osmand('{"a": ' + text, clock=clock),
    lambda text: decode_mqtt_json("", text, clock=clock),
    decode_jsonl_line,
], ids=["osmand", "mqtt-json", "jsonl"])
def test_deeply_nested_json_is_an_input_error(decode):
    with pytest.raises(InputError):
        decode("[" * 100_000)


def _wialon(fields: list[str]):
    session = WialonIpsSession(clock=clock)
    session.feed(b"#L#860000000000001;NA\r\n")
    return session.feed(("#D#" + ";".join(fields) + "\r\n").encode())


_D = ["211126", "100000", "4312.0000", "N", "07654.0000", "E", "10", "90", "700", "9", "1.0",
      "0", "0", "", "NA", "NA"]


@pytest.mark.parametrize("decode", [
    lambda: _wialon(_D[:6] + ["-5"] + _D[7:]).positions,
    lambda: _wialon(_D[:7] + ["400"] + _D[8:]).positions,
    lambda: _wialon(_D[:9] + ["-3"] + _D[10:]).positions,
    lambda: _wialon(_D[:15] + ["batt:2:-5"]).positions,
    lambda: decode_osmand("id=1&lat=1&lon=1&speed=-5", clock=clock),
    lambda: decode_osmand("id=1&lat=1&lon=1&bearing=400", clock=clock),
    lambda: decode_osmand("id=1&lat=1&lon=1&sat=1e30", clock=clock),
    lambda: decode_mqtt_json("", json.dumps({**REPORT, "course": 720}), clock=clock),
    lambda: decode_mqtt_json("", json.dumps({**REPORT, "satellites": -3}), clock=clock),
    lambda: EgtsSession(clock=clock).feed(egts.packet(1, 1, egts.record(
        1, egts.TELEDATA_SERVICE, egts.subrecord(egts.SR_POS_DATA, egts._POS.pack(
            500_000_000, 0, 0, 0x01, 0x8000, 0xFF) + bytes(5))))).positions,
], ids=["wialon-speed", "wialon-course", "wialon-sats", "wialon-battery", "osmand-speed",
        "osmand-course", "osmand-sats", "mqtt-course", "mqtt-sats", "egts-course-511"])
def test_out_of_range_values_never_reach_a_position(decode):
    try:
        positions = decode()
    except InputError:
        return
    assert [out_of_range(p, NOW) for p in positions] == [[]] * len(positions)


@pytest.mark.parametrize("key", ["valid", "archive"])
def test_mqtt_json_flags_must_be_booleans(key):
    with pytest.raises(InputError):
        decode_mqtt_json("", json.dumps({**REPORT, key: "false"}), clock=clock)


def test_risk_batch_file_not_utf8_is_an_input_error(tmp_path):
    from kzreg.risk.batch import read_rows

    path = tmp_path / "subjects.csv"
    path.write_bytes("id,type\n1,Производитель\n".encode("cp1251"))
    with pytest.raises(InputError):
        read_rows(path)


def test_risk_score_with_a_huge_count_is_scored_or_refused():
    from kzreg.risk.batch import parse_rows, score

    good, _ = parse_rows([{"id": "a", "type": "training_center", "gross": 2**63}])
    try:
        [result] = score(good)
    except InputError:
        return
    assert result["indicator"] == 100


@pytest.mark.parametrize("catalogue", [
    [{}], [{"version": "1"}],
    [{"version": "1", "effective": "2024-01-01", "products": {"x": 5}}],
    [{"version": "1", "effective": "2024-01-01", "products": "x"}],
], ids=["no-version", "no-effective", "product-not-object", "products-not-object"])
def test_a_malformed_what_if_catalogue_is_an_input_error(catalogue):
    import datetime as dt

    from kzreg.law.errors import KzregError
    from kzreg.law.rules import get_rule

    with pytest.raises(KzregError):
        get_rule("producers.register-assessment").run(
            {"catalogue": catalogue, "declared": [{"product": "x"}]}, dt.date(2025, 1, 1))


@pytest.mark.parametrize("year", [0, 10_000])
def test_an_offtake_year_outside_the_calendar_is_an_input_error(year):
    import datetime as dt

    from kzreg.law.rules import get_rule

    with pytest.raises(InputError):
        get_rule("producers.contract-offtake-check").run(
            {"years": [{"year": year, "contracted": 10, "accepted": 10}]}, dt.date(2025, 1, 1))
