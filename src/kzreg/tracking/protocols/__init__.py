"""Device protocol decoders (sans-IO): Wialon IPS, EGTS, OsmAnd, MQTT JSON, JSONL replay.

`PROTOCOLS` maps a TCP protocol's name to a factory of `DeviceSession`s (one per
connection); `decode_message` decodes one message as `kzreg tracking decode` does. The
formats, acknowledgements and the seal-state convention are in docs/tracking-protocols.md.
"""

from __future__ import annotations

from collections.abc import Callable

from kzreg.law.errors import InputError
from kzreg.tracking.position import Position
from kzreg.tracking.protocols.base import Decoded, DeviceSession
from kzreg.tracking.protocols.egts import EgtsSession
from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json
from kzreg.tracking.protocols.osmand import decode_osmand
from kzreg.tracking.protocols.wialon_ips import WialonIpsSession

PROTOCOLS: dict[str, Callable[[], DeviceSession]] = {
    "wialon-ips": WialonIpsSession,
    "egts": EgtsSession,
}

MESSAGE_PROTOCOLS = ("wialon-ips", "egts", "osmand", "mqtt-json")


def _session_positions(session: WialonIpsSession | EgtsSession, data: bytes) -> list[Position]:
    decoded: Decoded = session.feed(data)
    if decoded.rejected:
        reasons = "; ".join(rejected.reason for rejected in decoded.rejected)
        raise InputError(f"malformed {session.protocol} message: {reasons}", field="message")
    if session.pending:
        raise InputError(f"truncated {session.protocol} message: {session.pending} bytes "
                         "of an incomplete frame", field="message")
    return decoded.positions


def decode_message(protocol: str, text: str) -> list[Position]:
    """The positions in one message given as text (hex for EGTS); InputError if malformed.

    No login is needed: positions then carry the device id "" (or the one the message
    itself names, e.g. Wialon's UDP prefix, OsmAnd's `id`, EGTS's object id).
    """
    if protocol == "wialon-ips":
        data = _bytes(text)
        if not data.endswith(b"\n"):
            data += b"\r\n"
        return _session_positions(WialonIpsSession(), data)
    if protocol == "egts":
        return _session_positions(EgtsSession(), _hex(text))
    if protocol == "osmand":
        return decode_osmand(text)
    if protocol == "mqtt-json":
        return decode_mqtt_json("", text)
    raise InputError(f"unknown protocol {protocol!r}; one of {', '.join(MESSAGE_PROTOCOLS)}",
                     field="protocol")


def _bytes(text: str) -> bytes:
    """The line's bytes. A command-line argument that is not UTF-8 (cp1251 firmware text)
    reaches Python with its bytes as lone surrogates (PEP 383): surrogateescape restores
    them; another lone surrogate is no text a device sent."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise InputError("the message is not valid text (a lone surrogate)",
                         field="message") from None


def _hex(text: str) -> bytes:
    cleaned = "".join(text.split()).removeprefix("0x").removeprefix("0X")
    try:
        data = bytes.fromhex(cleaned)
    except ValueError:
        raise InputError("an EGTS message is given as hexadecimal bytes", field="message") from None
    if not data:
        raise InputError("the message is empty", field="message")
    return data
