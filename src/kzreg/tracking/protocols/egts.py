"""EGTS over TCP (GOST 33472 transport and service layers), sans-IO, with encoders.

Transport packet: PRV(1)=1, SKID(1), flags(1: PRF, RTE, ENA, CMP, PR), HL(1)=11|16, HE(1),
FDL(2), PID(2), PT(1), [PRA(2), RCA(2), TTL(1) when RTE], HCS(1) = CRC-8 (poly 0x31,
init 0xFF) of the header; then FDL bytes of frame data (SFRD) and SFRCS(2) = CRC-16 CCITT
(poly 0x1021, init 0xFFFF) of the SFRD. Integers are little-endian.

SFRD of an APPDATA packet (PT 1) is a list of service records: RL(2), RN(2), RFL(1),
[OID(4)], [EVID(4)], [TM(4)], SST(1), RST(1), then RL bytes of subrecords SRT(1) SRL(2) SRD.
Decoded: EGTS_AUTH_SERVICE (1) TERM_IDENTITY (1) -> the device identity (IMEI when sent,
else the terminal id); EGTS_TELEDATA_SERVICE (2) POS_DATA (16) -> a position (NTM seconds
since 2010-01-01 UTC, LAT/LONG scaled by 90/0xFFFFFFFF and 180/0xFFFFFFFF with hemisphere
flags, VLD, BB (black box -> archive), SPD 0.1 km/h, DIR with its DIRH high bit, ALT),
EXT_POS_DATA (17) -> satellites and HDOP, ABS_DIG_SENS_DATA (23) on sensor
`SEAL_DIGITAL_SENSOR` -> the seal state (kzreg's convention, docs/tracking-protocols.md).

Every APPDATA packet is answered by an EGTS_PT_RESPONSE (RPID = its PID, PR = processing
result) carrying an EGTS_SR_RECORD_RESPONSE (CRN, RST) for each record; a TERM_IDENTITY is
also answered by EGTS_SR_RESULT_CODE 0. A bad data CRC gets PR 138 and the frame is
skipped; a bad header (CRC 137, version 128, length 131) cannot be resynchronised, so the
connection is closed after the response.
"""

from __future__ import annotations

import binascii
import datetime as dt
import struct
from collections.abc import Iterable
from typing import Any

from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.base import MAX_FRAME_BYTES, Decoded, Rejected
from kzreg.tracking.protocols.sanity import (
    BadFix,
    Clock,
    check_fix,
    check_values,
    preview,
    seal_state,
    utc_now,
)

PROTOCOL = "egts"
UTC = dt.UTC
EPOCH = dt.datetime(2010, 1, 1, tzinfo=UTC)
EPOCH_SECONDS = int(EPOCH.timestamp())

PT_RESPONSE, PT_APPDATA, PT_SIGNED_APPDATA = 0, 1, 2
AUTH_SERVICE, TELEDATA_SERVICE = 1, 2
SR_RECORD_RESPONSE, SR_TERM_IDENTITY, SR_RESULT_CODE = 0, 1, 9
SR_POS_DATA, SR_EXT_POS_DATA, SR_ABS_DIG_SENS_DATA = 16, 17, 23
# Processing result codes (GOST 33472 annex): the ones this server sends.
PC_OK, PC_UNS_PROTOCOL, PC_DECRYPT_ERROR, PC_INC_HEADERFORM = 0, 128, 129, 131
PC_INC_DATAFORM, PC_UNS_TYPE, PC_HEADERCRC_ERROR, PC_DATACRC_ERROR = 132, 133, 137, 138
PC_INC_DATETIME = 154
# GOST 33472 EGTS_SR_POS_DATA: DIR (8 bits) with its high bit DIRH is the course in whole
# degrees clockwise from north, 0..359; the 9 bits reach 511, which is no course.
MAX_COURSE = 359
# kzreg's convention: the seal reports its state (0 closed, 1 opened, 2 removed, 3 tamper)
# as the state of this absolute digital sensor number (12 bits; 0x5EA, "SEAL").
SEAL_DIGITAL_SENSOR = 0x5EA


def _crc8_table() -> bytes:
    table = bytearray()
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return bytes(table)


def _crc16_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return tuple(table)


_CRC8, _CRC16 = _crc8_table(), _crc16_table()


def crc8(data: bytes) -> int:
    crc = 0xFF
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: binascii's CRC-CCITT (poly 0x1021) from 0xFFFF, in C."""
    return binascii.crc_hqx(data, 0xFFFF)


def crc16_reference(data: bytes) -> int:
    """The same CRC by table, as GOST 33472 describes it (tests compare the two)."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
    return crc


_HEADER = struct.Struct("<BBBBBHHB")        # PRV SKID flags HL HE FDL PID PT
_RECORD = struct.Struct("<HHB")              # RL RN RFL
_SUBRECORD = struct.Struct("<BH")            # SRT SRL
_POS = struct.Struct("<IIIBHB")              # NTM LAT LONG FLG SPD DIR
_U16, _U32 = struct.Struct("<H"), struct.Struct("<I")
_MIN_HEADER = 11


class FrameError(Exception):
    """A packet or record that is answered with a processing result code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class _Record:
    """What one service record carries, gathered from its subrecords."""

    __slots__ = ("fixes", "satellites", "hdop", "seal", "identity")

    def __init__(self) -> None:
        self.fixes: list[tuple[Any, ...]] = []
        self.satellites: int | None = None
        self.hdop: float | None = None
        self.seal: SealState | None = None
        self.identity: tuple[int, str | None] | None = None


def _pos_data(data: bytes, start: int, length: int, record: _Record) -> None:
    if length < 21:
        raise FrameError(PC_INC_DATAFORM, f"POS_DATA of {length} bytes, at least 21 expected")
    ntm, lat_raw, lon_raw, flags, spd, direction = _POS.unpack_from(data, start)
    lat = round(lat_raw * 90 / 0xFFFFFFFF, 7)
    lon = round(lon_raw * 180 / 0xFFFFFFFF, 7)
    if flags & 0x20:
        lat = -lat
    if flags & 0x40:
        lon = -lon
    altitude = None
    if flags & 0x80 and length >= 24:
        altitude = float(int.from_bytes(data[start + 21:start + 24], "little"))
        if spd & 0x4000:
            altitude = -altitude
    record.fixes.append((ntm, lat, lon, bool(flags & 0x01), (spd & 0x3FFF) / 10,
                         float(direction | ((spd >> 15) << 8)), altitude, bool(flags & 0x08),
                         data[start + 17]))  # DIN: the digital inputs byte


def _ext_pos_data(data: bytes, start: int, length: int, record: _Record) -> None:
    if length < 1:  # GOST 33472 EGTS_SR_EXT_POS_DATA: the flags byte is mandatory
        raise FrameError(PC_INC_DATAFORM, "EXT_POS_DATA is empty")
    flags, at, end = data[start], start + 1, start + length
    for bit, size in ((0x01, 2), (0x02, 2), (0x04, 2), (0x08, 1)):  # VDOP HDOP PDOP SAT
        if flags & bit:
            if at + size > end:
                raise FrameError(PC_INC_DATAFORM, "EXT_POS_DATA shorter than its flags")
            if bit == 0x02:
                record.hdop = _U16.unpack_from(data, at)[0] / 100
            elif bit == 0x08:
                record.satellites = data[at]
            at += size


def _dig_sensor(data: bytes, start: int, length: int, record: _Record) -> None:
    if length < 2:
        raise FrameError(PC_INC_DATAFORM, "ABS_DIG_SENS_DATA shorter than 2 bytes")
    low, high = data[start], data[start + 1]
    if (low >> 4) | (high << 4) == SEAL_DIGITAL_SENSOR:
        record.seal = seal_state(low & 0x0F)


def _term_identity(data: bytes, start: int, length: int, record: _Record) -> None:
    if length < 5:
        raise FrameError(PC_INC_DATAFORM, "TERM_IDENTITY shorter than 5 bytes")
    terminal_id = _U32.unpack_from(data, start)[0]
    flags, at, imei = data[start + 4], start + 5, None
    if flags & 0x01:  # HDIDE: home dispatcher id precedes the IMEI
        at += 2
    if flags & 0x02:  # IMEIE
        if at + 15 > start + length:
            raise FrameError(PC_INC_DATAFORM, "TERM_IDENTITY shorter than its IMEI")
        imei = data[at:at + 15].split(b"\0", 1)[0].decode("ascii", "replace").strip() or None
    record.identity = (terminal_id, imei)


_SUBRECORDS = {
    (TELEDATA_SERVICE, SR_POS_DATA): _pos_data,
    (TELEDATA_SERVICE, SR_EXT_POS_DATA): _ext_pos_data,
    (TELEDATA_SERVICE, SR_ABS_DIG_SENS_DATA): _dig_sensor,
    (AUTH_SERVICE, SR_TERM_IDENTITY): _term_identity,
}


def packet(packet_type: int, packet_id: int, body: bytes, *, priority: int = 0) -> bytes:
    """One transport packet around `body` (the SFRD), with both checksums."""
    header = _HEADER.pack(1, 0, priority & 0x03, _MIN_HEADER, 0, len(body), packet_id & 0xFFFF,
                          packet_type)
    out = header + bytes((crc8(header),)) + body
    return out + _U16.pack(crc16(body)) if body else out


def record(number: int, service: int, subrecords: bytes, *, object_id: int | None = None,
           time: int | None = None) -> bytes:
    """One service record (SST = RST = `service`)."""
    flags, optional = 0, b""
    if object_id is not None:
        flags |= 0x01
        optional += _U32.pack(object_id)
    if time is not None:
        flags |= 0x04
        optional += _U32.pack(time)
    return (_RECORD.pack(len(subrecords), number & 0xFFFF, flags) + optional
            + bytes((service, service)) + subrecords)


def subrecord(kind: int, data: bytes) -> bytes:
    return _SUBRECORD.pack(kind, len(data)) + data


class EgtsSession:
    """One terminal connection: feed it bytes, send back `Decoded.reply` after storing."""

    protocol = PROTOCOL

    def __init__(self, *, clock: Clock = utc_now, max_frame: int = MAX_FRAME_BYTES) -> None:
        self.device: str | None = None
        self.terminal_id: int | None = None
        self._clock = clock
        self._max_frame = max_frame
        self._buffer = b""
        self._packet_id = 0
        self._record_number = 0

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame kept for the next `feed`."""
        return len(self._buffer)

    def feed(self, data: bytes) -> Decoded:
        out = Decoded()
        buffer = self._buffer + data if self._buffer else data
        now = self._clock()
        start, size = 0, len(buffer)
        while size - start >= _MIN_HEADER and not out.close:
            frame_size = self._frame_size(buffer, start, out)
            if frame_size is None or size - start < frame_size:
                break
            frame = buffer[start:start + frame_size]
            start += frame_size
            try:
                self._frame(frame, out, now)
            except FrameError as error:
                out.rejected.append(Rejected(error.reason, preview(frame)))
            except Exception as error:  # noqa: BLE001 - a decoder bug must not stop the listener
                out.rejected.append(Rejected(f"decoder error: {error!r}", preview(frame)))
        self._buffer = b"" if out.close else buffer[start:]
        out.device = self.device
        return out

    # -- transport layer -----------------------------------------------------------------

    def _frame_size(self, buffer: bytes, start: int, out: Decoded) -> int | None:
        """The whole packet's size from a checked header; None (and close) if it is bad."""
        prv, _, flags, hl, _, fdl, pid, _ = _HEADER.unpack_from(buffer, start)
        code = reason = None
        if prv != 1:
            code, reason = PC_UNS_PROTOCOL, f"protocol version {prv}, expected 1"
        elif hl not in (11, 16) or (hl == 16) != bool(flags & 0x20):
            code, reason = PC_INC_HEADERFORM, f"header length {hl} does not match its flags"
        elif len(buffer) - start < hl:
            return None
        elif crc8(buffer[start:start + hl - 1]) != buffer[start + hl - 1]:
            code, reason = PC_HEADERCRC_ERROR, "header CRC-8 does not match"
        elif hl + fdl + (2 if fdl else 0) > self._max_frame:
            code, reason = PC_INC_HEADERFORM, f"frame of {fdl} bytes exceeds {self._max_frame}"
        if code is not None:
            out.reply += self._response(pid, code, ())
            out.rejected.append(Rejected(f"{reason}; connection closed",
                                         preview(buffer[start:start + 64])))
            out.close = True
            return None
        return hl + fdl + (2 if fdl else 0)

    def _frame(self, frame: bytes, out: Decoded, now: dt.datetime) -> None:
        flags, hl, fdl, pid, packet_type = frame[2], frame[3], *_HEADER.unpack_from(frame)[5:]
        body = frame[hl:hl + fdl]
        if fdl and crc16(body) != _U16.unpack_from(frame, hl + fdl)[0]:
            out.reply += self._response(pid, PC_DATACRC_ERROR, ())
            raise FrameError(PC_DATACRC_ERROR, "frame data CRC-16 does not match")
        if flags & 0x18 or flags & 0x04:
            code = PC_DECRYPT_ERROR if flags & 0x18 else PC_INC_DATAFORM
            out.reply += self._response(pid, code, ())
            raise FrameError(code, "encrypted or compressed frames are not supported")
        if packet_type == PT_RESPONSE:
            return  # the terminal confirms our packets; nothing to store
        if packet_type == PT_SIGNED_APPDATA:
            if len(body) < 2:
                raise FrameError(PC_INC_DATAFORM, "signed frame without its signature length")
            body = body[2 + _U16.unpack_from(body)[0]:]
        elif packet_type != PT_APPDATA:
            out.reply += self._response(pid, PC_UNS_TYPE, ())
            raise FrameError(PC_UNS_TYPE, f"packet type {packet_type} is not supported")
        try:
            confirmations, positions, identified = self._records(body, now, out)
        except FrameError as error:
            out.reply += self._response(pid, error.code, ())
            raise
        out.positions += positions
        out.reply += self._response(pid, PC_OK, confirmations)
        if identified:
            out.reply += self._result_code(PC_OK)

    # -- service layer -------------------------------------------------------------------

    def _records(self, body: bytes, now: dt.datetime,
                 out: Decoded) -> tuple[list[tuple[int, int, int]], list[Position], bool]:
        confirmations: list[tuple[int, int, int]] = []   # (record number, service, status)
        positions: list[Position] = []
        identified = False
        at, end = 0, len(body)
        while at < end:
            if end - at < 7:
                raise FrameError(PC_INC_DATAFORM, "service record header truncated")
            length, number, flags = _RECORD.unpack_from(body, at)
            at += 5
            object_id = None
            if flags & 0x01:
                object_id = _U32.unpack_from(body, at)[0] if at + 4 <= end else None
                at += 4
            at += 4 * (bool(flags & 0x02) + bool(flags & 0x04))   # EVID, TM
            if at + 2 + length > end:
                raise FrameError(PC_INC_DATAFORM, f"record {number} runs past the frame")
            service = body[at]
            gathered = self._subrecords(body, at + 2, at + 2 + length, service)
            at += 2 + length
            status = PC_OK
            if gathered.identity is not None:
                self.terminal_id, imei = gathered.identity
                self.device = imei or str(self.terminal_id)
                identified = True
            device = self.device or ""
            if object_id is not None and object_id != self.terminal_id:
                device = str(object_id)   # a retranslator carries many objects, OID names each
            for fix in gathered.fixes:
                try:
                    positions.append(self._position(fix, gathered, device, now))
                except BadFix as bad:
                    status = PC_INC_DATETIME if bad.kind == "time" else PC_INC_DATAFORM
                    out.rejected.append(Rejected(f"record {number}: {bad.reason}"))
            confirmations.append((number, service, status))
        return confirmations, positions, identified

    @staticmethod
    def _subrecords(body: bytes, at: int, end: int, service: int) -> _Record:
        gathered = _Record()
        while at < end:
            if end - at < 3:
                raise FrameError(PC_INC_DATAFORM, "subrecord header truncated")
            kind, length = _SUBRECORD.unpack_from(body, at)
            at += 3
            if at + length > end:
                raise FrameError(PC_INC_DATAFORM, f"subrecord {kind} runs past its record")
            handler = _SUBRECORDS.get((service, kind))
            if handler is not None:
                handler(body, at, length, gathered)
            at += length
        return gathered

    @staticmethod
    def _position(fix: tuple[Any, ...], gathered: _Record, device: str,
                  now: dt.datetime) -> Position:
        ntm, lat, lon, valid, speed, course, altitude, archive, inputs = fix
        fix_time = dt.datetime.fromtimestamp(EPOCH_SECONDS + ntm, UTC)
        check_fix(fix_time, lat, lon, now)
        # A bad value refuses this record only (status 132, EGTS_PC_INC_DATAFORM); the
        # packet's other records are still stored and confirmed.
        check_values(speed, course, gathered.satellites, None, max_course=MAX_COURSE)
        attributes: dict[str, Any] = {"inputs": inputs}
        if gathered.hdop is not None:
            attributes["hdop"] = gathered.hdop
        return Position(device=device, fix_time=fix_time, lat=lat, lon=lon, valid=valid,
                        speed_kmh=speed, course=course, altitude_m=altitude,
                        satellites=gathered.satellites, seal_state=gathered.seal,
                        protocol=PROTOCOL, archive=archive, attributes=attributes)

    # -- replies -------------------------------------------------------------------------

    def _next_ids(self) -> tuple[int, int]:
        self._packet_id = (self._packet_id + 1) & 0xFFFF
        self._record_number = (self._record_number + 1) & 0xFFFF
        return self._packet_id, self._record_number

    def _response(self, pid: int, code: int, confirmations: Iterable[tuple[int, int, int]]
                  ) -> bytes:
        body = bytearray(_U16.pack(pid) + bytes((code,)))
        for number, service, status in confirmations:
            _, own_number = self._next_ids()
            response = subrecord(SR_RECORD_RESPONSE, _U16.pack(number) + bytes((status,)))
            body += record(own_number, service, response)
        packet_id, _ = self._next_ids()
        return packet(PT_RESPONSE, packet_id, bytes(body))

    def _result_code(self, code: int) -> bytes:
        packet_id, number = self._next_ids()
        return packet(PT_APPDATA, packet_id,
                      record(number, AUTH_SERVICE, subrecord(SR_RESULT_CODE, bytes((code,)))))


# -- encoders (simulators, load generators, tests) -----------------------------------------

def encode_auth(terminal_id: int, imei: str | None = None, packet_id: int = 0) -> bytes:
    """An APPDATA packet with TERM_IDENTITY (and the IMEI, at most 15 ASCII characters)."""
    identity = _U32.pack(terminal_id) + bytes((0x02 if imei else 0x00,))
    if imei:
        if len(imei) > 15 or not imei.isascii():
            raise ValueError(f"EGTS carries an IMEI of at most 15 ASCII characters: {imei!r}")
        identity += imei.encode("ascii").ljust(15, b"\0")
    return packet(PT_APPDATA, packet_id,
                  record(0, AUTH_SERVICE, subrecord(SR_TERM_IDENTITY, identity)))


def _pos_subrecords(position: Position) -> bytes:
    ntm = int(position.fix_time.timestamp()) - EPOCH_SECONDS
    flags = (0x01 if position.valid else 0) | (0x08 if position.archive else 0) | 0x02
    flags |= (0x20 if position.lat < 0 else 0) | (0x40 if position.lon < 0 else 0)
    speed = min(round((position.speed_kmh or 0) * 10), 0x3FFF)
    course = round(position.course or 0) % 360
    speed |= (course >> 8) << 15
    tail = b"\0\0\0" + bytes((0, 0))    # ODM, DIN, SRC
    if position.altitude_m is not None:
        flags |= 0x80
        altitude = min(round(abs(position.altitude_m)), 0xFFFFFF)
        speed |= 0x4000 if position.altitude_m < 0 else 0
        tail += altitude.to_bytes(3, "little")
    pos = _POS.pack(ntm, round(abs(position.lat) / 90 * 0xFFFFFFFF),
                    round(abs(position.lon) / 180 * 0xFFFFFFFF), flags, speed,
                    course & 0xFF) + tail
    out = subrecord(SR_POS_DATA, pos)
    if position.satellites is not None:
        out += subrecord(SR_EXT_POS_DATA, bytes((0x08, min(position.satellites, 255))))
    if position.seal_state is not None:
        code = list(SealState).index(position.seal_state)
        out += subrecord(SR_ABS_DIG_SENS_DATA, bytes(((SEAL_DIGITAL_SENSOR & 0x0F) << 4 | code,
                                                      SEAL_DIGITAL_SENSOR >> 4)))
    return out


def encode_positions(positions: Iterable[Position], *, object_id: int, packet_id: int,
                     record_id: int) -> bytes:
    """One APPDATA packet, one teledata record (RN = record_id, record_id + 1, …) per fix."""
    body = b"".join(record(record_id + index, TELEDATA_SERVICE, _pos_subrecords(position),
                           object_id=object_id)
                    for index, position in enumerate(positions))
    return packet(PT_APPDATA, packet_id, body)


def read_response(frame: bytes) -> tuple[int, int, list[tuple[int, int]]]:
    """(RPID, PR, [(confirmed record number, status), …]) of a server's response packet."""
    hl, fdl = frame[3], _U16.unpack_from(frame, 5)[0]
    body = frame[hl:hl + fdl]
    rpid, code = _U16.unpack_from(body)[0], body[2]
    confirmations, at = [], 3
    while at < len(body):
        length, _, flags = _RECORD.unpack_from(body, at)
        at += 5 + 4 * (bool(flags & 1) + bool(flags & 2) + bool(flags & 4)) + 2
        end = at + length
        while at < end:
            kind, size = _SUBRECORD.unpack_from(body, at)
            if kind == SR_RECORD_RESPONSE:
                confirmations.append((_U16.unpack_from(body, at + 3)[0], body[at + 5]))
            at += 3 + size
    return rpid, code, confirmations
