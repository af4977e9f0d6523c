"""EGTS (GOST 33472): real captures (Traccar's test suite), responses, CRCs, bad frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols import egts
from kzreg.tracking.protocols.egts import (
    EgtsSession,
    encode_auth,
    encode_positions,
    read_response,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tracking"
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def captures(name: str) -> dict[str, bytes]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return {label: bytes.fromhex(hexed) for label, hexed in
            (line.split("\t", 1) for line in lines if line and not line.startswith("//"))}


REAL = captures("egts_traccar.txt")


def session() -> EgtsSession:
    return EgtsSession(clock=lambda: NOW)


def frames(reply: bytes) -> list[bytes]:
    out = []
    while reply:
        size = reply[3] + int.from_bytes(reply[5:7], "little") + 2
        out.append(reply[:size])
        reply = reply[size:]
    return out


@pytest.mark.parametrize("label", sorted(REAL))
def test_every_real_capture_passes_both_crcs(label):
    frame = REAL[label]
    hl, fdl = frame[3], int.from_bytes(frame[5:7], "little")
    assert egts.crc8(frame[:hl - 1]) == frame[hl - 1]
    assert egts.crc16(frame[hl:hl + fdl]) == int.from_bytes(frame[hl + fdl:], "little")
    assert not session().feed(frame).rejected


def test_real_capture_with_traccar_asserted_values():
    # Traccar asserts 2018-03-21 05:38:19, 51.67569, 55.59189. By hand: NTM 0x0F74B4CB s
    # after 2010-01-01 = 2018-03-21T05:38:19Z; LAT 0x92FD1776·90/0xFFFFFFFF = 51.6756935;
    # LONG 0x4F106443·180/0xFFFFFFFF = 55.5918960; SPD 0x006A = 10.6 km/h.
    decoded = session().feed(REAL["auth_srcd_asserted"])
    [position] = decoded.positions
    assert position.fix_time == dt.datetime(2018, 3, 21, 5, 38, 19, tzinfo=UTC)
    assert position.lat == pytest.approx(51.6756935, abs=1e-7)
    assert position.lon == pytest.approx(55.591896, abs=1e-7)
    assert position.speed_kmh == 10.6 and position.valid and not position.archive
    assert position.device == str(0x49686ECD)  # the record's OID (no authentication)


def test_real_capture_direction_high_bit_and_oid():
    # SPD 0x80F5: DIRH set, 24.5 km/h; DIR 0x5B -> 0x15B = 347°. NTM 0x112FC5C9.
    first, second = session().feed(REAL["oid_two"]).positions
    assert first.course == 347.0 and first.speed_kmh == 24.5
    assert first.fix_time == dt.datetime(2019, 2, 20, 7, 24, 57, tzinfo=UTC)
    assert first.lat == pytest.approx(0x9C2E5500 * 90 / 0xFFFFFFFF, abs=1e-7)
    assert first.lon == pytest.approx(0x79CAE480 * 180 / 0xFFFFFFFF, abs=1e-7)
    assert first.device == second.device == str(0xD8C099F2)


def test_real_capture_ext_pos_data_and_altitude():
    first, _ = session().feed(REAL["auth_two_ext"]).positions
    assert (first.satellites, first.attributes["hdop"], first.altitude_m) == (19, 0.63, 140.0)


def test_real_capture_black_box_flag_is_archive():
    positions = session().feed(REAL["oid_mixed"]).positions
    assert len(positions) == 13 and all(p.archive for p in positions)


def test_real_capture_authentication_and_result_code():
    s = session()
    decoded = s.feed(REAL["auth_imei"])
    assert s.device == decoded.device == "864495034643376" and s.terminal_id == 3
    response, result = frames(decoded.reply)
    assert read_response(response) == (0xD6A0, egts.PC_OK, [(3, egts.PC_OK)])
    assert result[9] == egts.PT_APPDATA and result[-3] == 0  # EGTS_SR_RESULT_CODE, RCD 0
    s2 = session()
    s2.feed(REAL["auth_tid"])
    assert s2.device == "865905"  # this IMEI field holds "865905" followed by zero bytes
    [position, *_] = s2.feed(REAL["auth_sixty"]).positions
    assert position.device == "865905"


def test_real_capture_records_are_each_confirmed():
    decoded = session().feed(REAL["oid_eleven"])
    rpid, code, confirmations = read_response(decoded.reply)
    assert (rpid, code) == (3, egts.PC_OK)  # PID bytes 03 00
    assert [number for number, _ in confirmations] == list(range(5, 15))


@pytest.mark.parametrize("label", ["response", "oid_no_positions", "oid_auth_info"])
def test_real_capture_without_positions(label):
    assert session().feed(REAL[label]).positions == []


# -- bad frames ----------------------------------------------------------------------

def test_bad_data_crc_is_answered_138_and_the_stream_continues():
    good = REAL["auth_srcd_asserted"]
    bad = good[:-3] + bytes((good[-3] ^ 0xFF,)) + good[-2:]
    decoded = session().feed(bad + good)
    assert len(decoded.positions) == 1 and not decoded.close
    assert "data CRC" in decoded.rejected[0].reason
    assert read_response(frames(decoded.reply)[0])[1] == egts.PC_DATACRC_ERROR


def test_bad_header_crc_closes_the_connection():
    good = REAL["auth_srcd_asserted"]
    bad = good[:10] + bytes((good[10] ^ 1,)) + good[11:]
    decoded = session().feed(bad + good)
    assert decoded.close and decoded.positions == []
    assert read_response(decoded.reply)[1] == egts.PC_HEADERCRC_ERROR


def test_garbage_closes_the_connection_without_raising():
    decoded = session().feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert decoded.close and "protocol version" in decoded.rejected[0].reason


def test_truncated_frame_waits_then_completes():
    s, frame = session(), REAL["oid_two"]
    assert s.feed(frame[:40]).positions == []
    assert len(s.feed(frame[40:]).positions) == 2


def test_oversized_frame_is_refused():
    s = EgtsSession(clock=lambda: NOW, max_frame=100)
    decoded = s.feed(REAL["oid_eleven"])
    assert decoded.close and "exceeds" in decoded.rejected[0].reason


def test_record_running_past_the_frame_is_refused_whole():
    body = egts.record(1, egts.TELEDATA_SERVICE, b"\x10\x15\x00" + b"\x00" * 10)
    decoded = session().feed(egts.packet(egts.PT_APPDATA, 7, body))
    assert decoded.positions == [] and read_response(decoded.reply)[:2] == \
        (7, egts.PC_INC_DATAFORM)


def test_future_fixes_are_refused_per_record():
    # (EGTS cannot carry an out-of-range coordinate: LAT/LONG are scaled to 90°/180°)
    future = Position("x", NOW + dt.timedelta(hours=2), 43.2, 76.9)
    fine = Position("x", NOW - dt.timedelta(hours=2), 43.2, 76.9)
    frame = encode_positions([future, fine], object_id=5, packet_id=1, record_id=10)
    decoded = session().feed(frame)
    assert [p.fix_time for p in decoded.positions] == [fine.fix_time]
    assert read_response(decoded.reply)[2] == [(10, egts.PC_INC_DATETIME), (11, egts.PC_OK)]
    assert "ahead of the server clock" in decoded.rejected[0].reason


def test_a_course_over_359_is_refused_per_record():
    # GOST 33472 POS_DATA: DIR + DIRH is 0..359 degrees; 0x1FF (511) fits the 9 bits
    bad = egts._POS.pack(500_000_000, 0, 0, 0x01, 0x8000, 0xFF) + bytes(5)
    good = egts._POS.pack(500_000_000, 0, 0, 0x01, 0x8000, 0x67) + bytes(5)   # 359°
    body = b"".join(egts.record(n, egts.TELEDATA_SERVICE, egts.subrecord(egts.SR_POS_DATA, pos))
                    for n, pos in ((1, bad), (2, good)))
    decoded = session().feed(egts.packet(egts.PT_APPDATA, 3, body))
    assert [p.course for p in decoded.positions] == [359.0]
    assert read_response(decoded.reply) == (3, egts.PC_OK, [(1, egts.PC_INC_DATAFORM),
                                                           (2, egts.PC_OK)])
    assert "course 511.0" in decoded.rejected[0].reason


def test_an_empty_ext_pos_data_is_a_malformed_packet():
    frame = egts.packet(egts.PT_APPDATA, 4, egts.record(
        1, egts.TELEDATA_SERVICE, egts.subrecord(egts.SR_EXT_POS_DATA, b"")))
    decoded = session().feed(frame)
    assert read_response(decoded.reply)[:2] == (4, egts.PC_INC_DATAFORM)
    assert decoded.rejected[0].reason == "EXT_POS_DATA is empty"


def test_encrypted_frames_are_refused():
    frame = bytearray(encode_positions([Position("x", NOW, 1, 1)], object_id=1, packet_id=2,
                                       record_id=1))
    frame[2] |= 0x08
    frame[10] = egts.crc8(bytes(frame[:10]))
    decoded = session().feed(bytes(frame))
    assert decoded.positions == [] and read_response(decoded.reply)[1] == egts.PC_DECRYPT_ERROR


# -- encoders ------------------------------------------------------------------------

coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
times = st.datetimes(min_value=dt.datetime(2010, 1, 1), max_value=dt.datetime(2026, 11, 21),
                     timezones=st.just(UTC)).map(lambda t: t.replace(microsecond=0))


@settings(max_examples=200, deadline=None)
@given(coordinates, times, st.floats(0, 1600), st.integers(0, 359),
       st.one_of(st.none(), st.integers(-1000, 9000)), st.booleans(),
       st.one_of(st.none(), st.sampled_from(list(SealState))))
def test_encode_decode_identity(latlon, time, speed, course, altitude, archive, state):
    lat, lon = latlon
    original = Position("", time, lat, lon, speed_kmh=round(speed, 1), course=float(course),
                        altitude_m=None if altitude is None else float(altitude), satellites=12,
                        seal_state=state, archive=archive, protocol="egts")
    s = session()
    s.feed(encode_auth(77, "860000000000077"))
    decoded = s.feed(encode_positions([original], object_id=77, packet_id=9, record_id=65535))
    [back] = decoded.positions
    assert back.device == "860000000000077" and back.fix_time == time
    assert back.lat == pytest.approx(lat, abs=1e-7) and back.lon == pytest.approx(lon, abs=1e-7)
    assert (back.speed_kmh, back.course, back.altitude_m, back.satellites, back.seal_state,
            back.archive) == (original.speed_kmh, original.course, original.altitude_m, 12,
                              state, archive)
    assert read_response(decoded.reply) == (9, egts.PC_OK, [(65535, egts.PC_OK)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=5))
def test_random_bytes_never_raise(chunks):
    s = EgtsSession(clock=lambda: NOW, max_frame=512)
    for chunk in chunks:
        decoded = s.feed(chunk)
        assert not any(r.reason.startswith("decoder error") for r in decoded.rejected)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=120))
def test_random_frame_bodies_with_valid_crcs_never_raise(body):
    decoded = session().feed(egts.packet(egts.PT_APPDATA, 1, body))
    assert not any(r.reason.startswith("decoder error") for r in decoded.rejected)
    assert read_response(frames(decoded.reply)[0])[0] == 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_crc16_in_c_matches_the_table_definition(data):
    assert egts.crc16(data) == egts.crc16_reference(data)
