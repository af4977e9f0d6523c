"""The TCP device decoders (Wialon IPS, EGTS) under hostile bytes: arbitrary streams,
well-framed garbage (valid checksums around mutated content, so the field parsers are
reached), mutated real captures, arbitrary TCP segmentation, and encode/decode round trips.

Property: `feed` never raises, never reports a hidden crash ("decoder error", the
catch-all for bugs) and never yields a position outside tests/hostile/plausible.py.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostile.budget import budget
from hostile.plausible import assert_sound
from hostile.strategies import NASTY_TOKENS, NOW, captures, positions, splits
from kzreg.tracking.protocols import egts
from kzreg.tracking.protocols.egts import EgtsSession, encode_auth, encode_positions
from kzreg.tracking.protocols.wialon_ips import (
    WialonIpsSession,
    crc16,
    encode_blackbox,
    encode_data,
    encode_login,
)

WIALON = captures("wialon_ips_traccar.txt")
EGTS = {label: bytes.fromhex(text) for label, text in captures("egts_traccar.txt").items()}


def wialon() -> WialonIpsSession:
    return WialonIpsSession(clock=lambda: NOW, max_frame=4096)


def egts_session() -> EgtsSession:
    return EgtsSession(clock=lambda: NOW, max_frame=4096)


def feed_all(session, chunks):
    results = [session.feed(chunk) for chunk in chunks]
    for decoded in results:
        assert_sound(decoded, NOW)
    return results


# -- Wialon IPS ------------------------------------------------------------------------

@budget(150)
@given(st.lists(st.binary(max_size=300), max_size=6))
def test_wialon_arbitrary_bytes(chunks):
    feed_all(wialon(), chunks)


_PACKET = re.compile(r"^(?P<prefix>[^#]*)#(?P<kind>[A-Z]+)#(?P<body>.*)$")


def _wialon_with_crc(kind: str, fields: list[str], separator: str) -> str:
    body = separator.join(fields) + separator
    return f"#{kind}#{body}{crc16(body.encode('utf-8', 'surrogatepass')):04X}"


@st.composite
def mutated_wialon(draw) -> bytes:
    """A real capture with some fields replaced by nasty tokens, its CRC made right again
    when it had one (so the mutation reaches the field parsers)."""
    text = WIALON[draw(st.sampled_from(sorted(WIALON)))]
    match = _PACKET.match(text)
    assert match, text
    kind, body = match["kind"], match["body"]
    separator = "|" if kind == "B" else ";"
    fields = body.split(";")
    has_crc = len(fields) > 1 and re.fullmatch(r"(0x)?[0-9A-Fa-f]{1,4}", fields[-1] or "-")
    if has_crc:
        fields = fields[:-1]
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, max(len(fields) - 1, 0)))
        token = draw(st.sampled_from(NASTY_TOKENS) | st.text(max_size=8))
        if fields:
            fields[index] = token
    if draw(st.booleans()):  # drop or duplicate a field: wrong field counts
        fields = fields[:-1] if draw(st.booleans()) else fields + fields[-1:]
    if has_crc and draw(st.integers(0, 4)):
        line = match["prefix"] + _wialon_with_crc(kind, fields, ";" if kind != "B" else ";")
    else:
        line = match["prefix"] + f"#{kind}#" + ";".join(fields)
    del separator
    return line.encode("utf-8", "surrogatepass") + b"\r\n"


@budget(300)
@given(st.lists(mutated_wialon(), min_size=1, max_size=4), st.sampled_from(["", "1.1", "2.0"]))
def test_wialon_mutated_real_captures(packets, login_version):
    session = wialon()
    if login_version:
        session.feed(encode_login("860000000000001", version=login_version))
    feed_all(session, packets)


_FIELD = st.sampled_from(NASTY_TOKENS) | st.text(alphabet="0123456789.-NAESW;:,|", max_size=10)


@budget(300)
@given(st.sampled_from(["D", "SD", "B"]), st.lists(_FIELD, min_size=8, max_size=18),
       st.booleans())
def test_wialon_structured_packets_with_valid_crc(kind, fields, with_crc):
    """Every field of a data packet taking hostile values, the CRC-16 correct."""
    session = wialon()
    session.feed(encode_login("860000000000001", version="2.0" if with_crc else "1.1"))
    body = ";".join(fields) + ";"
    if kind == "B":
        body = body.replace("|", "") + "|" + body.replace("|", "") + "|"
    line = f"#{kind}#{body}"
    if with_crc:
        line += f"{crc16(body.encode('utf-8', 'surrogatepass')):04X}"
    [decoded] = feed_all(session, [line.encode("utf-8", "surrogatepass") + b"\r\n"])
    assert decoded.reply.startswith({"D": b"#AD#", "SD": b"#ASD#", "B": b"#AB#"}[kind])


@budget(150)
@given(st.lists(positions(protocol="wialon-ips", archive=True), min_size=1, max_size=5),
       st.sampled_from(["1.1", "2.0"]), st.data())
def test_wialon_black_box_round_trip_under_any_segmentation(fixes, version, data):
    stream = encode_login(fixes[0].device, version=version) + encode_blackbox(fixes, version)
    session = wialon()
    results = feed_all(session, data.draw(splits(stream)))
    decoded = [p for result in results for p in result.positions]
    assert not [r for result in results for r in result.rejected]
    assert [(p.fix_time, p.seal_state, p.satellites) for p in decoded] == \
        [(p.fix_time, p.seal_state, p.satellites) for p in fixes]
    for back, sent in zip(decoded, fixes, strict=True):
        assert back.lat == pytest.approx(sent.lat, abs=2e-7)
        assert back.lon == pytest.approx(sent.lon, abs=2e-7)
        assert back.archive


@budget(100)
@given(positions(protocol="wialon-ips"), st.sampled_from(["1.1", "2.0"]), st.booleans())
def test_wialon_data_round_trip(fix, version, full):
    session = wialon()
    session.feed(encode_login(fix.device, version=version))
    [decoded] = feed_all(session, [encode_data(fix, version=version, full=full)])
    [back] = decoded.positions
    assert (back.fix_time, back.speed_kmh, back.course, back.altitude_m, back.satellites) == \
        (fix.fix_time, fix.speed_kmh, fix.course, fix.altitude_m, fix.satellites)


# -- EGTS --------------------------------------------------------------------------------

def reframe(frame: bytes, body: bytes, *, packet_type: int | None = None) -> bytes:
    """`frame`'s transport header around a new SFRD, with FDL and both CRCs recomputed."""
    hl = frame[3]
    header = bytearray(frame[:hl - 1])
    header[5:7] = len(body).to_bytes(2, "little")
    if packet_type is not None:
        header[hl - 2] = packet_type
    header += bytes((egts.crc8(bytes(header)),))
    return bytes(header) + body + (egts.crc16(body).to_bytes(2, "little") if body else b"")


@budget(150)
@given(st.lists(st.binary(max_size=300), max_size=6))
def test_egts_arbitrary_bytes(chunks):
    feed_all(egts_session(), chunks)


@budget(200)
@given(st.binary(max_size=400), st.sampled_from([egts.PT_APPDATA, egts.PT_SIGNED_APPDATA,
                                                  egts.PT_RESPONSE, 7]))
def test_egts_arbitrary_frame_data_with_valid_checksums(body, packet_type):
    frame = egts.packet(packet_type, 1, body)
    feed_all(egts_session(), [frame])


_SUBRECORD_TYPES = st.sampled_from([egts.SR_POS_DATA, egts.SR_EXT_POS_DATA,
                                    egts.SR_ABS_DIG_SENS_DATA, egts.SR_TERM_IDENTITY,
                                    egts.SR_RECORD_RESPONSE, egts.SR_RESULT_CODE]) | \
    st.integers(0, 255)


@st.composite
def hostile_records(draw) -> bytes:
    """Service records well-formed down to their subrecords, whose data is anything."""
    out = b""
    for number in range(draw(st.integers(1, 4))):
        subrecords = b"".join(
            egts.subrecord(draw(_SUBRECORD_TYPES), draw(st.binary(max_size=40)))
            for _ in range(draw(st.integers(0, 4))))
        service = draw(st.sampled_from([egts.AUTH_SERVICE, egts.TELEDATA_SERVICE]) |
                       st.integers(0, 255))
        out += egts.record(number, service, subrecords,
                           object_id=draw(st.none() | st.integers(0, 2**32 - 1)),
                           time=draw(st.none() | st.integers(0, 2**32 - 1)))
    return out


@budget(300)
@given(hostile_records(), st.sampled_from([egts.PT_APPDATA, egts.PT_SIGNED_APPDATA]))
def test_egts_records_with_hostile_subrecords(body, packet_type):
    if packet_type == egts.PT_SIGNED_APPDATA:
        body = b"\x00\x00" + body  # no signature
    feed_all(egts_session(), [egts.packet(packet_type, 1, body)])


@st.composite
def mutated_egts(draw) -> bytes:
    frame = EGTS[draw(st.sampled_from(sorted(EGTS)))]
    hl, fdl = frame[3], int.from_bytes(frame[5:7], "little")
    body = bytearray(frame[hl:hl + fdl])
    for _ in range(draw(st.integers(1, 4))):
        if not body:
            break
        at = draw(st.integers(0, len(body) - 1))
        action = draw(st.sampled_from(["set", "delete", "insert"]))
        if action == "set":
            body[at] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]) | st.integers(0, 255))
        elif action == "delete":
            del body[at]
        else:
            body[at:at] = draw(st.binary(min_size=1, max_size=4))
    return reframe(frame, bytes(body))


@budget(300)
@given(st.lists(mutated_egts(), min_size=1, max_size=3))
def test_egts_mutated_real_captures_with_valid_checksums(frames):
    feed_all(egts_session(), frames)


@budget(150)
@given(st.lists(positions(protocol="egts"), min_size=1, max_size=5), st.data())
def test_egts_round_trip_under_any_segmentation(fixes, data):
    stream = encode_auth(7, "860000000000001") + \
        encode_positions(fixes, object_id=7, packet_id=2, record_id=10)
    results = feed_all(egts_session(), data.draw(splits(stream)))
    decoded = [p for result in results for p in result.positions]
    assert not [r for result in results for r in result.rejected]
    assert [(p.fix_time, p.valid, p.archive, p.satellites, p.seal_state, p.altitude_m)
            for p in decoded] == \
        [(p.fix_time, p.valid, p.archive, p.satellites, p.seal_state, p.altitude_m)
         for p in fixes]
    for back, sent in zip(decoded, fixes, strict=True):
        assert back.device == "860000000000001"
        assert back.lat == pytest.approx(sent.lat, abs=1e-6)
        assert back.lon == pytest.approx(sent.lon, abs=1e-6)
        assert back.speed_kmh == (sent.speed_kmh or 0)
        assert back.course == (sent.course or 0)


@pytest.mark.parametrize("service, kind", [
    (egts.TELEDATA_SERVICE, egts.SR_POS_DATA), (egts.TELEDATA_SERVICE, egts.SR_EXT_POS_DATA),
    (egts.TELEDATA_SERVICE, egts.SR_ABS_DIG_SENS_DATA), (egts.AUTH_SERVICE, egts.SR_TERM_IDENTITY)])
@pytest.mark.parametrize("last", [True, False], ids=["last", "followed"])
def test_egts_every_short_subrecord_is_refused_or_read_within_its_bounds(service, kind, last):
    """Each decoded subrecord at every length 0..40, last in the frame or followed by
    another: the decoder reads only its own bytes (a 0xFF tail would show otherwise)."""
    for length in range(41):
        data = bytes((0x0F,)) * length
        tail = b"" if last else egts.subrecord(0xEE, b"\xff\xff\xff")
        frame = egts.packet(egts.PT_APPDATA, 1,
                            egts.record(1, service, egts.subrecord(kind, data) + tail))
        decoded = egts_session().feed(frame)
        assert_sound(decoded, NOW)
