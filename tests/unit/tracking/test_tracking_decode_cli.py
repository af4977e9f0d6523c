"""`kzreg tracking decode`: the command-line contract other checks rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kzreg.law.errors import InputError
from kzreg.tracking.protocols import PROTOCOLS, decode_message

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tracking"
KZREG = [sys.executable, "-m", "kzreg.cli"]


def real(name: str, label: str) -> str:
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if line.startswith(label + "\t"):
            return line.split("\t", 1)[1]
    raise KeyError(label)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KZREG, "tracking", "decode", *args], capture_output=True,
                          text=True, timeout=60)


def test_wialon_egts_osmand_through_the_command():
    cases = [("wialon-ips", real("wialon_ips_traccar.txt", "sd_v11"), 55.743375, 37.66139,
              "2013-04-27T20:56:01Z"),
             ("egts", real("egts_traccar.txt", "auth_srcd_asserted"), 51.6756935, 55.591896,
              "2018-03-21T05:38:19Z"),
             ("osmand", real("osmand_traccar.txt", "query_iso"), 42.06288, -88.23412,
              "2016-01-27T18:55:47Z")]
    for protocol, message, lat, lon, time in cases:
        result = run("--protocol", protocol, message)
        assert result.returncode == 0, result.stderr
        [line] = result.stdout.splitlines()
        decoded = json.loads(line)
        assert (decoded["lat"], decoded["lon"], decoded["time"]) == (lat, lon, time)


def test_one_line_per_position_and_none_without_position():
    two = run("--protocol", "wialon-ips", real("wialon_ips_traccar.txt", "b_v11_two"))
    assert two.returncode == 0 and len(two.stdout.splitlines()) == 2
    ping = run("--protocol", "wialon-ips", "#P#")
    assert ping.returncode == 0 and ping.stdout == ""


def test_malformed_message_exits_2_with_a_clear_error():
    result = run("--protocol", "egts", "0100020b00")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: message: truncated egts message")


@pytest.mark.parametrize(("protocol", "message", "reason"), [
    ("wialon-ips", "hello", "not a Wialon IPS packet"), ("egts", "0100zz", "hexadecimal"),
    ("egts", "0100020b00", "truncated"), ("egts", "", "empty"),
    ("wialon-ips", "#SD#270413;205601;9544.6025;N;03739.6834;E;1;2;3;4", "out of range"),
    ("osmand", '{"device_id":', "JSON"), ("mqtt-json", "{}", "required"),
    ("nmea", "$GPRMC", "unknown protocol")])
def test_malformed_messages_raise_input_error(protocol, message, reason):
    with pytest.raises(InputError, match=reason):
        decode_message(protocol, message)


def test_decode_message_and_registry():
    assert set(PROTOCOLS) == {"wialon-ips", "egts"}
    assert decode_message("wialon-ips", "#L#860000000000001;NA") == []
    with pytest.raises(InputError, match="truncated"):
        decode_message("egts", real("egts_traccar.txt", "oid_two")[:60])


def test_a_message_that_is_not_utf8_is_decoded_or_refused():
    # A cp1251 argument reaches Python as lone surrogates (PEP 383): its bytes are restored.
    line = "#D#270413;205601;5544.6025;N;03739.6834;E;1;2;3;4;NA;NA;NA;;NA;drv:3:Иван"
    argv = line.encode("cp1251").decode("utf-8", "surrogateescape")
    [position] = decode_message("wialon-ips", argv)
    assert position.attributes["drv"] == "Иван"
    with pytest.raises(InputError, match="lone surrogate"):
        decode_message("wialon-ips", "#P#\ud800")
    result = subprocess.run([*KZREG, "tracking", "decode", "--protocol", "osmand",
                             b"id=\xff&lat=1&lon=2"], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["device"] == "\udcff"
