"""The fuzz targets: one function per device decoder, `bytes -> None`, raising on a bug.

A target fails (an exception the fuzzer reports as a crash) when the decoder raises
anything but its documented reject, hides a crash behind a "decoder error" rejection, or
yields a position with a field out of range (tests/hostile/plausible.py). Bugs already
known and awaiting a fix in another owner's file (tests/hostile/known_bugs.py) are let
through, so the fuzzer keeps looking for new ones.

Used by fuzz/run.py (atheris, coverage-guided) and by tests/hostile/test_fuzz_smoke.py
(replaying the corpus under pytest).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from hostile.known_bugs import only_documented_rejects  # noqa: E402
from hostile.plausible import assert_plausible, assert_sound  # noqa: E402
from kzreg.law.errors import InputError  # noqa: E402
from kzreg.tracking.protocols.egts import PT_APPDATA, EgtsSession  # noqa: E402
from kzreg.tracking.protocols.egts import packet as egts_packet  # noqa: E402
from kzreg.tracking.protocols.jsonl import decode_jsonl_line  # noqa: E402
from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json  # noqa: E402
from kzreg.tracking.protocols.osmand import decode_osmand  # noqa: E402
from kzreg.tracking.protocols.wialon_ips import WialonIpsSession  # noqa: E402

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
CORPUS = Path(__file__).resolve().parent / "corpus"


def _clock() -> dt.datetime:
    return NOW


def _segments(data: bytes) -> list[bytes]:
    """The first byte chooses where TCP splits the rest (0: not at all)."""
    if not data:
        return [b""]
    cut, rest = data[0], data[1:]
    return [rest] if not cut or cut >= len(rest) else [rest[:cut], rest[cut:]]


def wialon_ips(data: bytes) -> None:
    session = WialonIpsSession(clock=_clock, max_frame=4096)
    for segment in _segments(data):
        assert_sound(session.feed(segment), NOW)


def egts(data: bytes) -> None:
    session = EgtsSession(clock=_clock, max_frame=4096)
    for segment in _segments(data):
        assert_sound(session.feed(segment), NOW)


def egts_appdata(data: bytes) -> None:
    """Arbitrary service records inside a well-formed APPDATA packet (both CRCs right), so
    the fuzzer reaches the service layer without having to learn CRC-16."""
    session = EgtsSession(clock=_clock, max_frame=1 << 16)
    assert_sound(session.feed(egts_packet(PT_APPDATA, 1, data[:60_000])), NOW)


def _message(decode: Callable[[bytes], list], now: dt.datetime = NOW
             ) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        with only_documented_rejects():
            try:
                positions = decode(data)
            except InputError:
                return
            for position in positions if isinstance(positions, list) else [positions]:
                if position is not None:
                    assert_plausible(position, now)

    return target


TARGETS: dict[str, Callable[[bytes], None]] = {
    "wialon_ips": wialon_ips,
    "egts": egts,
    "egts_appdata": egts_appdata,
    "osmand": _message(lambda data: decode_osmand(data, clock=_clock)),
    "mqtt_json": _message(lambda data: decode_mqtt_json("kzreg/seals/S-1/position", data,
                                                        clock=_clock)),
    # a replay trace is judged on its own clock: its times may lie after today
    "jsonl": _message(decode_jsonl_line, dt.datetime.max.replace(tzinfo=dt.UTC)),
}
