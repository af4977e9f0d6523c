"""Seed fuzz/corpus/<target>/ from the real captures in tests/fixtures/tracking (and a few
encoder outputs for the JSON formats, which have no third-party captures).

    .venv/bin/python fuzz/seed.py

Seed files are named `seed-<label>`; files the fuzzer adds keep libFuzzer's hash names.
Rerunning only rewrites the seeds.
"""

from __future__ import annotations

import datetime as dt

from targets import CORPUS, ROOT, TARGETS

from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.mqtt_json import encode_mqtt_json

FIXTURES = ROOT / "tests" / "fixtures" / "tracking"


def captures(name: str) -> dict[str, str]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("//"))


def _sample_positions() -> list[Position]:
    time = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)
    return [Position("SEAL-1", time, 43.2389, 76.8897, speed_kmh=54.0, course=90.0,
                     altitude_m=700.0, satellites=9, seal_state=SealState.CLOSED, battery=87.0),
            Position("SEAL-1", time, -33.9, -70.6, valid=False, seal_state=SealState.OPENED,
                     archive=True)]


def seeds() -> dict[str, dict[str, bytes]]:
    wialon = captures("wialon_ips_traccar.txt")
    egts = {label: bytes.fromhex(text) for label, text in captures("egts_traccar.txt").items()}
    osmand = captures("osmand_traccar.txt")
    mqtt = {f"encoded_{n}": encode_mqtt_json(p) for n, p in enumerate(_sample_positions())}
    mqtt["list"] = b"[" + b",".join(mqtt.values()) + b"]"
    jsonl = {
        "activated": b'{"event": "activated", "seal": "SIM-001", "time": "2026-11-21T09:00:00Z"}',
        "position": b'{"time": "2026-11-21T10:00:00Z", "seal": "SIM-001", "lat": 43.2389, '
                    b'"lon": 76.8897, "state": "closed"}',
        "opened": b'{"time": "2026-11-21T10:05:00+05:00", "seal": "SIM-001", "lat": 43.24, '
                  b'"lon": 76.89, "state": "opened", "speed_kmh": 0, "archive": true}',
    }
    return {
        # the first byte of a session target chooses the TCP split (0: none)
        "wialon_ips": {label: b"\0" + text.encode() + b"\r\n" for label, text in wialon.items()},
        "egts": {label: b"\0" + frame for label, frame in egts.items()},
        "egts_appdata": {label: frame[frame[3]:frame[3] + int.from_bytes(frame[5:7], "little")]
                         for label, frame in egts.items() if frame[frame[3] - 2] == 1},
        "osmand": {label: text.encode() for label, text in osmand.items()},
        "mqtt_json": mqtt,
        "jsonl": jsonl,
    }


def main() -> None:
    for target, files in seeds().items():
        assert target in TARGETS, target
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for label, data in files.items():
            (folder / f"seed-{label}").write_bytes(data)
        print(f"{target}: {len(files)} seeds")


if __name__ == "__main__":
    main()
