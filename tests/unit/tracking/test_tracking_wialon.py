"""Wialon IPS 1.1/2.0: real captures (Traccar's test suite), acks, CRC, bad input, encoders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.wialon_ips import (
    WialonIpsSession,
    crc16,
    encode_blackbox,
    encode_data,
    encode_login,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tracking"
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def captures(name: str) -> dict[str, str]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("//"))


REAL = captures("wialon_ips_traccar.txt")


def session() -> WialonIpsSession:
    return WialonIpsSession(clock=lambda: NOW)


def feed(label_or_text: str, s: WialonIpsSession | None = None):
    text = REAL.get(label_or_text, label_or_text)
    return (s or session()).feed(text.encode() + b"\r\n")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# -- real captures, values checked by hand (DDMM.MMMM -> degrees = DD + MM.MMMM/60) ------

@pytest.mark.parametrize(("label", "time", "lat", "lon", "reply"), [
    # 55°44.6025' = 55.743375, 37°39.6834' = 37.66139 (Traccar asserts 55.74338, 37.66139)
    ("sd_v11", at(2013, 4, 27, 20, 56, 1), 55.743375, 37.66139, b"#ASD#1\r\n"),
    ("sd_v11_udp", at(2013, 4, 27, 20, 56, 1), 55.743375, 37.66139, b"#ASD#1\r\n"),
    # 55°54.350052' = 55.9058342, 36°44.670410' = 36.7445068; CRC 7A01 verified
    ("sd_v20", at(2024, 9, 30, 15, 42, 45), 55.9058342, 36.7445068, b"#ASD#1\r\n"),
    # 7°56.0930' = 7.9348833, 123°38.6403' = 123.644005
    ("d_v20", at(2018, 11, 10, 6, 11, 43), 7.9348833, 123.644005, b"#AD#1\r\n"),
    ("d_v20_udp", at(2018, 11, 10, 6, 11, 43), 7.9348833, 123.644005, b"#AD#1\r\n"),
    # 22°34.80479' = 22.5800798, 113°54.87786' = 113.914631
    ("d_v20_params", at(2023, 3, 22, 11, 41, 50), 22.5800798, 113.914631, b"#AD#1\r\n"),
    # 53°21.1466' = 53.3524433, 44°41.7929' = 44.6965483
    ("d_v11_can", at(2016, 12, 15, 13, 59, 10), 53.3524433, 44.6965483, b"#AD#1\r\n"),
    # 44°59.6956' = 44.9949267, 41°05.9930' = 41.0998833
    ("d_v11_balance", at(2014, 1, 19, 5, 13, 12), 44.9949267, 41.0998833, b"#AD#1\r\n"),
    # 22°37.7552' = 22.6292533, 114°04.8851' = 114.0814183
    ("sd_v11_empty_course", at(2014, 12, 2, 6, 59, 47), 22.6292533, 114.0814183,
     b"#ASD#1\r\n"),
    ("d_v11_empty_adc", at(2014, 12, 2, 6, 59, 47), 22.6292533, 114.0814183, b"#AD#1\r\n"),
])
def test_real_capture_positions(label, time, lat, lon, reply):
    decoded = feed(label)
    assert not decoded.rejected
    assert decoded.reply == reply
    [position] = decoded.positions
    assert position.fix_time == time
    assert position.lat == pytest.approx(lat, abs=1e-7)
    assert position.lon == pytest.approx(lon, abs=1e-7)
    assert position.protocol == "wialon-ips" and not position.archive


def test_real_capture_details():
    [full] = feed("d_v20").positions
    assert (full.speed_kmh, full.course, full.altitude_m, full.satellites) == \
        (18.223, 99.766, -4.0, 10)
    assert full.attributes["hdop"] == 0.8 and full.attributes["101_521126"] == 6593598
    [params] = feed("d_v20_params").positions
    assert params.attributes["di_light"] == 1 and params.course is None
    [adc] = feed("d_v11_adc").positions
    assert adc.attributes["adc"] == [14.77, 0.02, 3.6]
    assert adc.attributes["hw"] == "V4.5" and adc.attributes["fuel"] == 45.8
    assert feed("d_v20_udp").positions[0].device == "99999999"
    assert feed("sd_v11_udp").positions[0].device == "99999999"


def test_real_capture_without_time_uses_server_time():
    [position] = feed("d_v20_no_time").positions  # CRC written "0x9b0" by this firmware
    assert position.fix_time == NOW and position.attributes["time_source"] == "server"
    assert position.lat == pytest.approx(54 + 29.681944502211763 / 60, abs=1e-7)


@pytest.mark.parametrize("label", ["d_v20_no_fix", "d_v11_no_fix_motion"])
def test_real_capture_without_fix_is_acknowledged_without_position(label):
    decoded = feed(label)
    assert decoded.positions == [] and decoded.reply == b"#AD#1\r\n" and not decoded.rejected


def test_real_capture_black_box_is_archive():
    decoded = feed("b_v11_two")
    assert decoded.reply == b"#AB#2\r\n"
    first, second = decoded.positions
    assert all(p.archive for p in decoded.positions)
    assert first.fix_time == at(2014, 9, 8, 7, 32, 35)
    assert second.fix_time == at(2014, 9, 8, 7, 34, 20)
    assert second.lat == pytest.approx(50 + 27.50845 / 60, abs=1e-7)
    assert first.attributes["Батарея"] == "100 %"
    assert feed("b_v11_one").reply == b"#AB#1\r\n"


@pytest.mark.parametrize("label", ["b_v11_bad_minutes", "b_v11_bad_minutes_ibutton"])
def test_real_capture_with_minutes_over_60_is_refused(label):
    # 5364.0167 has 64 minutes: not DDMM.MMMM (Traccar reads 54.0669° from it).
    decoded = feed(label)
    assert decoded.positions == [] and decoded.reply == b"#AB#0\r\n"
    assert "latitude" in decoded.rejected[0].reason


@pytest.mark.parametrize(("label", "device"), [
    ("login_v11", "123456789012345"), ("login_v11_short", "2002")])
def test_real_capture_logins(label, device):
    s = session()
    decoded = feed(label, s)
    assert decoded.reply == b"#AL#1\r\n" and decoded.device == device and s.version == "1.1"


def test_real_capture_login_with_unverifiable_crc_is_refused():
    # CE45 matches no CRC-16 variant over any part of this line (every data packet of the
    # same file verifies); a corrupt IMEI must not bind positions to another seal.
    s = session()
    decoded = feed("login_v20_badcrc", s)
    assert decoded.reply == b"#AL#10\r\n" and s.device is None and decoded.rejected


def test_real_capture_crc_values():
    assert crc16(b"300924;154245;5554.350052;N;3644.670410;E;2.92;NA;NA;NA;") == 0x7A01


def test_ping_and_message():
    assert feed("ping").reply == b"#AP#\r\n"
    assert feed("#M#hello").reply == b"#AM#1\r\n"


# -- acknowledgement codes and bad input ----------------------------------------------

def logged_in(version="2.0") -> WialonIpsSession:
    s = session()
    assert s.feed(encode_login("860000000000001", version=version)).reply == b"#AL#1\r\n"
    return s


def test_v20_data_with_bad_crc_gets_code_16_and_no_position():
    s = logged_in()
    line = REAL["d_v20"].replace("F24A", "F24B")
    decoded = s.feed(line.encode() + b"\r\n")
    assert decoded.reply == b"#AD#16\r\n" and decoded.positions == []
    assert "CRC" in decoded.rejected[0].reason
    short = REAL["sd_v20"].replace("7A01", "7A02")
    assert s.feed(short.encode() + b"\r\n").reply == b"#ASD#13\r\n"


@pytest.mark.parametrize(("body", "code"), [
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;1;2;3", b"#ASD#-1"),          # 9 fields
    ("#SD#310213;205601;5544.6025;N;03739.6834;E;1;2;3;4", b"#ASD#0"),         # 31 Feb
    ("#SD#270413;205601;9544.6025;N;03739.6834;E;1;2;3;4", b"#ASD#10"),        # lat 95°
    ("#SD#270413;205601;5544.6025;X;03739.6834;E;1;2;3;4", b"#ASD#10"),
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;fast;2;3;4", b"#ASD#11"),
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;1;2;3;many", b"#ASD#12"),
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;nan;2;3;4", b"#ASD#11"),
    ("#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;x;0;NA;NA;NA", b"#AD#13"),
    ("#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;0;0;1,a;NA;NA", b"#AD#14"),
    ("#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;0;0;NA;NA;bad", b"#AD#15"),
    ("#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;0;0;NA;NA;a:2:x", b"#AD#15"),
    # values out of range (sanity.check_values): 11 speed/course, 12 sats, 15 params
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;-5;2;3;4", b"#ASD#11"),
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;1;361;3;4", b"#ASD#11"),
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;1;2;3;-3", b"#ASD#12"),
    ("#SD#270413;205601;5544.6025;N;03739.6834;E;1;2;3;256", b"#ASD#12"),
    ("#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;0;0;NA;NA;batt:2:-5", b"#AD#15"),
])
def test_v11_error_codes(body, code):
    s = logged_in("1.1")
    decoded = s.feed(body.encode() + b"\r\n")
    assert decoded.reply == code + b"\r\n" and decoded.positions == [] and decoded.rejected


def test_a_black_box_record_out_of_range_is_refused_alone():
    s = logged_in("1.1")
    good = "270413;205601;5544.6025;N;03739.6834;E;1;2;3;4"
    decoded = s.feed(f"#B#{good}|270413;205602;5544.6025;N;03739.6834;E;1;400;3;4|{good}\r\n"
                     .encode())
    assert decoded.reply == b"#AB#2\r\n" and len(decoded.positions) == 2
    assert "course 400.0" in decoded.rejected[0].reason


def test_future_time_is_refused_with_code_0():
    s = logged_in("1.1")
    tomorrow = NOW + dt.timedelta(days=1)
    body = f"#SD#{tomorrow:%d%m%y};{tomorrow:%H%M%S};5544.6025;N;03739.6834;E;1;2;3;4"
    decoded = s.feed(body.encode() + b"\r\n")
    assert decoded.reply == b"#ASD#0\r\n" and "ahead of the server clock" in \
        decoded.rejected[0].reason


def test_garbage_and_bad_lines_do_not_disturb_the_next_packet():
    s = logged_in("1.1")
    decoded = s.feed(b"\x00\xff garbage\r\n#Z#what\r\n" + REAL["sd_v11"].encode() + b"\r\n")
    assert len(decoded.rejected) == 2 and len(decoded.positions) == 1
    assert decoded.positions[0].device == "860000000000001"


def test_partial_lines_are_kept_between_feeds():
    s = session()
    data = REAL["sd_v11"].encode() + b"\r\n"
    assert s.feed(data[:17]).positions == []
    assert len(s.feed(data[17:]).positions) == 1


def test_oversized_line_closes_the_connection():
    s = WialonIpsSession(clock=lambda: NOW, max_frame=1024)
    decoded = s.feed(b"#D#" + b"1" * 2000)
    assert decoded.close and "1024" in decoded.rejected[0].reason
    assert len(s.feed(REAL["sd_v11"].encode() + b"\r\n").positions) == 1  # buffer dropped


def test_black_box_v20_crc():
    s = logged_in()
    positions = [Position("d", at(2026, 11, 21, 10, m), 43.25, 76.95) for m in range(3)]
    frame = encode_blackbox(positions)
    decoded = s.feed(frame)
    assert decoded.reply == b"#AB#3\r\n" and len(decoded.positions) == 3
    broken = frame.replace(b"43", b"44", 1)
    assert s.feed(broken).reply == b"#AB#\r\n"


def test_seal_state_and_battery_params():
    s = logged_in("1.1")
    body = ("#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;0;0;NA;NA;"
            "seal:3:removed,battery:2:87.5")
    [position] = s.feed(body.encode() + b"\r\n").positions
    assert position.seal_state is SealState.REMOVED and position.battery == 87.5
    coded = body.replace("seal:3:removed", "seal:1:1")
    assert s.feed(coded.encode() + b"\r\n").positions[0].seal_state is SealState.OPENED


# -- encoders: round trip and property tests ------------------------------------------

coordinates = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
times = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2026, 11, 21),
                     timezones=st.just(UTC)).map(lambda t: t.replace(microsecond=0))


@settings(max_examples=200, deadline=None)
@given(coordinates, times, st.sampled_from(["1.1", "2.0"]), st.booleans(),
       st.sampled_from(list(SealState)))
def test_encode_decode_identity(latlon, time, version, full, state):
    lat, lon = latlon
    original = Position("860000000000001", time, lat, lon, speed_kmh=12.5, course=270.0,
                        altitude_m=300.0, satellites=9, seal_state=state if full else None,
                        protocol="wialon-ips")
    s = session()
    assert s.feed(encode_login("860000000000001", version=version)).reply == b"#AL#1\r\n"
    decoded = s.feed(encode_data(original, version=version, full=full))
    assert not decoded.rejected, decoded.rejected
    [back] = decoded.positions
    assert back.fix_time == time and back.device == original.device
    assert back.lat == pytest.approx(lat, abs=2e-7) and back.lon == pytest.approx(lon, abs=2e-7)
    assert (back.speed_kmh, back.course, back.altitude_m, back.satellites) == \
        (12.5, 270.0, 300.0, 9)
    assert back.seal_state == original.seal_state


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=5))
def test_random_bytes_never_raise(chunks):
    s = WialonIpsSession(clock=lambda: NOW, max_frame=256)
    for chunk in chunks:
        decoded = s.feed(chunk)
        assert not any(r.reason.startswith("decoder error") for r in decoded.rejected)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="#;|:,.NSEWAD0123456789-", max_size=120))
def test_random_packet_like_text_never_raises(text):
    decoded = session().feed(b"#D#" + text.encode() + b"\r\n")
    assert not any(r.reason.startswith("decoder error") for r in decoded.rejected)
    assert decoded.reply.startswith(b"#AD#") or decoded.reply == b""


def test_a_corrupt_connection_leaves_other_sessions_alone():
    bad, good = logged_in("1.1"), logged_in("1.1")
    assert bad.feed(b"#D#" + bytes(range(256)) + b"\r\n").rejected
    assert bad.feed(b"\xff" * 70_000).close
    assert len(good.feed(REAL["sd_v11"].encode() + b"\r\n").positions) == 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_crc16_matches_the_bitwise_definition(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    assert crc16(data) == crc


def test_non_finite_params_stay_text():
    s = logged_in("1.1")
    body = "#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;0.0;0;0;NA;NA;t:2:nan,b:2:inf"
    [position] = s.feed(body.encode() + b"\r\n").positions
    assert position.attributes == {"hdop": 0.0, "inputs": 0, "outputs": 0, "t": "nan",
                                   "b": "inf"}
    assert position.battery is None
