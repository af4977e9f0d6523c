"""Wialon IPS 1.1 and 2.0 over TCP (Gurtam's text protocol), sans-IO, with encoders.

A packet is one line `#TYPE#body\\r\\n`: login `#L#`, short data `#SD#`, full data `#D#`,
black box `#B#` (records separated by `|`), ping `#P#`, message `#M#`. Version 2.0 adds the
protocol version to the login and a CRC-16 (ARC: poly 0xA001 reflected, init 0) over the
body after `#TYPE#` up to and including the last `;` (`|` for `#B#`) to L, SD, D, B and M.
The UDP form `imei#SD#...` (1.1) / `2.0;imei#D#...` (2.0) is accepted on one line too.

Replies follow the protocol: `#AL#1` (login; `#AL#10` bad CRC), `#ASD#<code>`, `#AD#<code>`
with -1 structure, 0 time, 1 accepted, 10 coordinates, 11 speed/course/height,
12 satellites, 13 inputs/outputs (D) or CRC (SD), 14 ADC, 15 params, 16 CRC (D);
`#AB#<records accepted>` (`#AB#` alone on a bad CRC), `#AP#`, `#AM#1`.
Black-box records are flagged `archive=True`. Where date and time are `NA` the server's
time is used, as the protocol says; a packet without coordinates is acknowledged and
yields no position. Seal state: the `seal` parameter (docs/tracking-protocols.md).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from array import array
from collections.abc import Iterable
from typing import Any

from kzreg.tracking.position import Position
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

PROTOCOL = "wialon-ips"
UTC = dt.UTC
_BIG_ENDIAN = sys.byteorder == "big"


def _crc_tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The byte table of CRC-16/ARC, and the 16-bit one that takes two bytes per step."""
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    # Two byte steps fold into one: with v = crc ^ (b0 | b1 << 8), the CRC after both is
    # (T[v & 0xFF] >> 8) ^ T[((v >> 8) ^ T[v & 0xFF]) & 0xFF].
    pairs = tuple((table[v & 0xFF] >> 8) ^ table[((v >> 8) ^ table[v & 0xFF]) & 0xFF]
                  for v in range(65536))
    return tuple(table), pairs


_CRC_TABLE, _CRC_PAIRS = _crc_tables()


def crc16(data: bytes) -> int:
    """CRC-16/ARC (poly 0xA001 reflected, init 0) as Wialon IPS 2.0 computes it."""
    crc = 0
    pairs = _CRC_PAIRS
    words = array("H", data[:len(data) & ~1])  # native 16-bit words: b0 | b1 << 8 ...
    if _BIG_ENDIAN:
        words.byteswap()                         # ... on either byte order
    for word in words:
        crc = pairs[crc ^ word]
    if len(data) & 1:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ data[-1]) & 0xFF]
    return crc


class PacketError(Exception):
    """A packet or record the device must be told about: `code` is the reply code."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


_SHORT_FIELDS, _FULL_FIELDS = 10, 16
# The reply code for a value out of range (`sanity.check_values`): 11 speed, course or
# height, 12 satellites, 15 params (the battery is the `battery`/`batt` parameter).
_VALUE_CODES = {"satellites": "12", "battery": "15"}
_NA = ("NA", "")


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # Russian-speaking firmware often sends cp1251
        return raw.decode("cp1251", errors="replace")


def _number(text: str, code: str, name: str) -> float | None:
    if text in _NA:
        return None
    try:
        value = float(text)
    except ValueError:
        raise PacketError(code, f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise PacketError(code, f"{name} {text!r} is not finite")
    return value


def _integer(text: str, code: str, name: str) -> int | None:
    if text in _NA:
        return None
    try:
        return int(text)
    except ValueError:
        raise PacketError(code, f"{name} {text!r} is not an integer") from None


_DATES: dict[str, dt.date] = {}  # DDMMYY -> date: a device sends the same date all day


def _date(text: str) -> dt.date:
    date = _DATES.get(text)
    if date is None:
        if len(text) != 6 or not text.isdigit():
            raise ValueError(text)
        date = dt.date(2000 + int(text[4:6]), int(text[2:4]), int(text[0:2]))
        if len(_DATES) > 4096:
            _DATES.clear()
        _DATES[text] = date
    return date


def _fix_time(date: str, time: str, now: dt.datetime) -> tuple[dt.datetime, bool]:
    """(time, True) from DDMMYY + HHMMSS[.fraction] UTC, or (now, False) when both are NA."""
    if date in _NA and time in _NA:
        return now, False
    try:
        day = _date(date)
        whole, _, fraction = time.partition(".")
        if len(whole) != 6 or not whole.isdigit():
            raise ValueError(time)
        hours, rest = divmod(int(whole), 10000)
        minutes, seconds = divmod(rest, 100)
        micro = int((fraction + "000000")[:6]) if fraction else 0
        return dt.datetime(day.year, day.month, day.day, hours, minutes, seconds, micro,
                           tzinfo=UTC), True
    except ValueError:
        raise PacketError("0", f"date/time {date!r} {time!r} is not DDMMYY HHMMSS") from None


def _coordinate(value: str, hemisphere: str, letters: tuple[str, str],
                name: str) -> float | None:
    """Degrees from the protocol's DDMM.MMMM / DDDMM.MMMM and its N/S, E/W letter."""
    if value in _NA or hemisphere in _NA:
        return None
    number = _number(value, "10", name)
    assert number is not None
    degrees = int(number // 100)
    minutes = number - degrees * 100
    if number < 0 or minutes >= 60 or hemisphere not in letters:
        raise PacketError("10", f"{name} {value};{hemisphere} is not (D)DDMM.MMMM;"
                                f"{'|'.join(letters)}")
    result = round(degrees + minutes / 60, 7)  # 1e-7° ≈ 1 cm: beyond any fix's accuracy
    return -result if hemisphere == letters[1] else result


def _params(text: str) -> dict[str, Any]:
    """NAME:TYPE:VALUE,... with TYPE 1 integer, 2 real, 3 string."""
    params: dict[str, Any] = {}
    if text in _NA:
        return params
    for item in text.split(","):
        name, sep1, rest = item.partition(":")
        kind, sep2, value = rest.partition(":")
        if not (sep1 and sep2 and name):
            raise PacketError("15", f"parameter {item!r} is not NAME:TYPE:VALUE")
        try:
            if kind == "1" and value.lstrip("-").isdigit():
                params[name] = int(value)
            elif kind in ("1", "2"):
                number = float(value)
                params[name] = number if math.isfinite(number) else value  # JSON has no NaN
            else:
                params[name] = value
        except ValueError:
            raise PacketError("15", f"parameter {item!r} has a bad value") from None
    return params


def parse_record(fields: list[str], *, device: str, now: dt.datetime,
                 archive: bool = False) -> Position | None:
    """One short (10 fields) or full (16 fields) data record; None when it has no fix."""
    fix_time, device_time = _fix_time(fields[0], fields[1], now)
    lat = _coordinate(fields[2], fields[3], ("N", "S"), "latitude")
    lon = _coordinate(fields[4], fields[5], ("E", "W"), "longitude")
    speed = _number(fields[6], "11", "speed")
    course = _number(fields[7], "11", "course")
    altitude = _number(fields[8], "11", "height")
    satellites = _integer(fields[9], "12", "sats")
    attributes: dict[str, Any] = {}
    state = battery = None
    if len(fields) == _FULL_FIELDS:
        hdop = _number(fields[10], "12", "hdop")
        inputs = _integer(fields[11], "13", "inputs")
        outputs = _integer(fields[12], "13", "outputs")
        adc = fields[13]
        if adc not in _NA:
            attributes["adc"] = [_number(value, "14", "adc") for value in adc.split(",")]
        if fields[14] not in _NA:
            attributes["ibutton"] = fields[14]
        params = _params(fields[15])
        for key, value in (("hdop", hdop), ("inputs", inputs), ("outputs", outputs)):
            if value is not None:
                attributes[key] = value
        if params:
            state = seal_state(params.get("seal"))
            if state is not None:
                del params["seal"]
            for key in ("battery", "batt"):
                if isinstance(params.get(key), int | float):
                    battery = _number(str(params.pop(key)), "15", key)
                    break
            attributes.update(params)
    if lat is None or lon is None:
        return None
    if not device_time:
        attributes["time_source"] = "server"
    try:
        check_fix(fix_time, lat, lon, now)
        check_values(speed, course, satellites, battery)
    except BadFix as bad:
        code = {"time": "0", "coordinates": "10"}.get(bad.kind) \
            or _VALUE_CODES.get(bad.field or "", "11")
        raise PacketError(code, bad.reason) from None
    return Position(device=device, fix_time=fix_time, lat=lat, lon=lon,
                    valid=satellites is None or satellites >= 3, speed_kmh=speed,
                    course=course, altitude_m=altitude, satellites=satellites,
                    seal_state=state, battery=battery, protocol=PROTOCOL, archive=archive,
                    attributes=attributes)


def _is_version(text: str) -> bool:
    major, dot, minor = text.partition(".")
    return bool(dot) and major.isdigit() and minor.isdigit()


class WialonIpsSession:
    """One device connection: feed it bytes, send back `Decoded.reply` after storing."""

    protocol = PROTOCOL

    def __init__(self, *, clock: Clock = utc_now, max_frame: int = MAX_FRAME_BYTES) -> None:
        self.device: str | None = None
        self.version: str | None = None   # "1.1" or "2.0" once the login said so
        self._clock = clock
        self._max_frame = max_frame
        self._buffer = b""

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame kept for the next `feed`."""
        return len(self._buffer)

    def feed(self, data: bytes) -> Decoded:
        out = Decoded()
        buffer = self._buffer + data if self._buffer else data
        now = self._clock()
        start = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            line = buffer[start:end]
            start = end + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                continue
            if len(line) > self._max_frame:
                out.rejected.append(Rejected(f"line of {len(line)} bytes exceeds "
                                             f"{self._max_frame}", preview(line)))
                continue
            try:
                self._packet(line, out, now)
            except PacketError as error:  # the reply, if any, is already in `out`
                out.rejected.append(Rejected(error.reason, preview(line)))
            except Exception as error:  # noqa: BLE001 - a decoder bug must not stop the listener
                out.rejected.append(Rejected(f"decoder error: {error!r}", preview(line)))
        rest = buffer[start:]
        if len(rest) > self._max_frame:
            out.rejected.append(Rejected(f"no line end within {self._max_frame} bytes",
                                         preview(rest)))
            out.close = True
            rest = b""
        self._buffer = rest
        out.device = self.device
        return out

    # -- packets -----------------------------------------------------------------------

    def _packet(self, line: bytes, out: Decoded, now: dt.datetime) -> None:
        first = line.find(b"#")
        second = line.find(b"#", first + 1) if first >= 0 else -1
        if first < 0 or second < 0:
            raise PacketError("-1", "not a Wialon IPS packet (#TYPE#...)")
        kind = line[first + 1:second]
        body = line[second + 1:]
        if first > 0:  # the UDP form: "imei#" (1.1) or "2.0;imei#" (2.0) before the packet
            self._udp_prefix(_text(line[:first]))
        if kind == b"L":
            self._login(body, out)
        elif kind == b"D" or kind == b"SD":
            self._data(kind.decode(), body, out, now)
        elif kind == b"B":
            self._blackbox(body, out, now)
        elif kind == b"P":
            out.reply += b"#AP#\r\n"
        elif kind == b"M":
            out.reply += b"#AM#1\r\n"
        else:
            raise PacketError("-1", f"packet type {kind[:8]!r} is not supported")

    def _udp_prefix(self, prefix: str) -> None:
        version, _, imei = prefix.rpartition(";")
        if version and _is_version(version):
            self.version = "2.0"
        self.device = imei

    def _checked(self, body: bytes, separator: bytes) -> tuple[bytes, bool]:
        """(the body without its CRC, CRC ok); a 1.1 body is returned whole."""
        cut = body.rfind(separator)
        crc_text = body[cut + 1:]
        try:
            expected = int(crc_text, 16)
        except ValueError:
            return body[:cut + 1], False
        return body[:cut + 1], crc16(body[:cut + 1]) == expected

    def _login(self, body: bytes, out: Decoded) -> None:
        fields = _text(body).split(";")
        if len(fields) == 4 and _is_version(fields[0]):
            _, crc_ok = self._checked(body, b";")
            if not crc_ok:
                out.reply += b"#AL#10\r\n"
                raise PacketError("10", "login CRC-16 does not match")
            self.version = "2.0"
            self.device = fields[1]
        elif len(fields) == 2 and fields[0]:
            self.version = "1.1"
            self.device = fields[0]
        else:
            out.reply += b"#AL#0\r\n"
            raise PacketError("0", "login is neither imei;password nor version;imei;password;crc")
        out.reply += b"#AL#1\r\n"

    def _data(self, kind: str, body: bytes, out: Decoded, now: dt.datetime) -> None:
        size = _SHORT_FIELDS if kind == "SD" else _FULL_FIELDS
        answer = b"#ASD#" if kind == "SD" else b"#AD#"
        try:
            fields = _text(body).split(";")
            if self.version == "2.0" or (self.version is None and len(fields) == size + 1):
                _, crc_ok = self._checked(body, b";")
                if not crc_ok:
                    raise PacketError("13" if kind == "SD" else "16",
                                      f"{kind} packet CRC-16 does not match")
                del fields[-1]
            if len(fields) != size:
                raise PacketError("-1", f"{kind} packet has {len(fields)} fields, expected {size}")
            position = parse_record(fields, device=self.device or "", now=now)
        except PacketError as error:
            out.reply += answer + error.code.encode() + b"\r\n"
            raise
        if position is not None:
            out.positions.append(position)
        out.reply += answer + b"1\r\n"

    def _blackbox(self, body: bytes, out: Decoded, now: dt.datetime) -> None:
        last = body[body.rfind(b"|") + 1:]
        if self.version == "2.0" or (self.version is None and last and b";" not in last):
            body, crc_ok = self._checked(body, b"|")
            if not crc_ok:
                out.reply += b"#AB#\r\n"
                raise PacketError("-1", "black-box packet CRC-16 does not match")
            body = body[:-1]
        accepted = 0
        device = self.device or ""
        for record in _text(body).split("|"):
            fields = record.split(";")
            try:
                if len(fields) not in (_SHORT_FIELDS, _FULL_FIELDS):
                    raise PacketError("-1", f"black-box record has {len(fields)} fields")
                position = parse_record(fields, device=device, now=now, archive=True)
            except PacketError as error:
                out.rejected.append(Rejected(f"black-box record: {error.reason}",
                                             preview(record.encode())))
                continue
            accepted += 1
            if position is not None:
                out.positions.append(position)
        out.reply += b"#AB#%d\r\n" % accepted


# -- encoders (simulators, load generators, tests) -----------------------------------------

def _with_crc(body: str, version: str) -> str:
    return body + f"{crc16(body.encode()):04X}" if version == "2.0" else body.rstrip(";|")


def encode_login(imei: str, password: str = "NA", version: str = "2.0") -> bytes:
    if version == "2.0":
        return f"#L#{_with_crc(f'2.0;{imei};{password};', version)}\r\n".encode()
    return f"#L#{imei};{password}\r\n".encode()


def _minutes(value: float, width: int, positive: str, negative: str) -> str:
    magnitude = abs(value)
    degrees = int(magnitude)
    minutes = round((magnitude - degrees) * 60, 6)
    if minutes >= 60:  # rounding carried into the next degree
        degrees, minutes = degrees + 1, 0.0
    return f"{degrees:0{width}d}{minutes:09.6f};{negative if value < 0 else positive}"


def _optional(value: float | int | None, fmt: str = "{}") -> str:
    return "NA" if value is None else fmt.format(value)


def _record(position: Position, full: bool) -> str:
    time = position.fix_time.astimezone(UTC)
    fields = [f"{time:%d%m%y}", f"{time:%H%M%S}",
              _minutes(position.lat, 2, "N", "S"), _minutes(position.lon, 3, "E", "W"),
              _optional(position.speed_kmh, "{:.3f}"), _optional(position.course, "{:.3f}"),
              _optional(position.altitude_m, "{:.3f}"), _optional(position.satellites)]
    if full:
        params = []
        if position.seal_state is not None:
            params.append(f"seal:3:{position.seal_state.value}")
        if position.battery is not None:
            params.append(f"battery:2:{position.battery}")
        fields += ["NA", "NA", "NA", "", "NA", ",".join(params) or "NA"]
    return ";".join(fields)


def encode_data(position: Position, *, version: str = "2.0", full: bool = True) -> bytes:
    kind = "D" if full else "SD"
    return f"#{kind}#{_with_crc(_record(position, full) + ';', version)}\r\n".encode()


def encode_blackbox(positions: Iterable[Position], version: str = "2.0") -> bytes:
    body = "|".join(_record(position, True) for position in positions) + "|"
    return f"#B#{_with_crc(body, version)}\r\n".encode()
