"""EGTS over TCP, OsmAnd over HTTP and JSON over MQTT (the real Mosquitto), end to end,
and `kzreg tracking serve` as a process that stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingPosition
from kzreg.tracking.pipeline import Pipeline
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.egts import encode_auth, encode_positions
from kzreg.tracking.server import TrackingServer

EGTS_IMEI, OSMAND_ID, MQTT_ID = "352093081234567", "traccar-client-77", "seal-mqtt-0042"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _register(db: str) -> None:
    with unit_of_work(db) as session:
        for seal, device, protocol in (("KZ-E1", EGTS_IMEI, "egts"),
                                       ("KZ-O1", OSMAND_ID, "osmand"),
                                       ("KZ-M1", MQTT_ID, "mqtt-json")):
            registry.register_seal(session, seal, device_id=device, protocol=protocol)


def _positions(db: str, device: str) -> list[TrackingPosition]:
    with unit_of_work(db) as session:
        return list(session.scalars(select(TrackingPosition)
                                    .where(TrackingPosition.device == device)
                                    .order_by(TrackingPosition.fix_time)))


async def _service(db: str, ports: dict[str, int], scenario, **options) -> None:
    pipeline = Pipeline(db)
    await pipeline.start()
    server = TrackingServer(pipeline, host="127.0.0.1", ports=ports, **options)
    await server.start()
    try:
        await scenario(server)
    finally:
        await server.stop()
        await pipeline.stop()


def test_egts_terminal_gets_record_responses_after_storage(db):
    _register(db)
    now = _now()

    async def scenario(server: TrackingServer) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.ports["egts"])

        async def exchange(packet: bytes) -> bytes:
            writer.write(packet)
            await writer.drain()
            return await asyncio.wait_for(reader.read(4096), 10)

        assert await exchange(encode_auth(77, imei=EGTS_IMEI, packet_id=1))
        fixes = [Position(EGTS_IMEI, now - dt.timedelta(seconds=20 - i), 43.25 + i / 1000,
                          76.95, speed_kmh=50.0, course=10.0, seal_state=SealState.CLOSED)
                 for i in range(3)]
        reply = await exchange(encode_positions(fixes, object_id=77, packet_id=2,
                                                record_id=10))
        assert reply and reply[0] == 1                     # an EGTS transport packet
        assert len(_positions(db, EGTS_IMEI)) == 3          # stored before the response
        # a corrupt packet (data CRC broken) is answered with an error, nothing stored
        packet = bytearray(encode_positions(fixes[:1], object_id=77, packet_id=3,
                                            record_id=13))
        packet[-1] ^= 0xFF
        assert await exchange(bytes(packet))
        writer.close()

    asyncio.run(_service(db, {"egts": 0}, scenario))
    rows = _positions(db, EGTS_IMEI)
    assert [(r.seal, round(r.lat, 3)) for r in rows] == \
        [("KZ-E1", 43.25), ("KZ-E1", 43.251), ("KZ-E1", 43.252)]


def test_osmand_get_and_post_answer_200_after_storage(db):
    _register(db)
    now = _now()

    async def scenario(server: TrackingServer) -> None:
        base = f"http://127.0.0.1:{server.ports['osmand']}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            stamp = int((now - dt.timedelta(seconds=30)).timestamp())
            answer = await client.get("/", params={"id": OSMAND_ID, "lat": "43.238949",
                                                   "lon": "76.889709", "timestamp": stamp,
                                                   "speed": "10", "seal": "closed"})
            assert answer.status_code == 200
            assert len(_positions(db, OSMAND_ID)) == 1      # 200 means stored
            body = {"device_id": OSMAND_ID, "location": {
                "timestamp": (now - dt.timedelta(seconds=10)).isoformat(),
                "coords": {"latitude": 43.24, "longitude": 76.89, "speed": 5, "heading": 90},
                "battery": {"level": 0.8}, "extras": {"seal": "opened"}}}
            answer = await client.post("/", json=body)
            assert answer.status_code == 200
            bad = await client.get("/", params={"id": OSMAND_ID, "lat": "123", "lon": "76"})
            assert bad.status_code == 400 and "lat" in bad.text
            garbage = await client.post("/", content=b"{not json",
                                        headers={"content-type": "application/json"})
            assert garbage.status_code == 400
            big = await client.post("/", content=b"x" * 70_000)
            assert big.status_code == 413

    asyncio.run(_service(db, {"osmand": 0}, scenario))
    rows = _positions(db, OSMAND_ID)
    assert [r.seal_state for r in rows] == ["closed", "opened"]


def _mosquitto_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _mosquitto_up() and not os.environ.get("CI"),
                    reason="Mosquitto not running on 127.0.0.1:1883")
def test_mqtt_messages_stored_then_acknowledged_malformed_quarantined(db):
    import paho.mqtt.client as mqtt

    _register(db)
    now = _now()
    payloads = [json.dumps({"time": (now - dt.timedelta(seconds=9 - i)).isoformat(),
                            "lat": 43.3 + i / 100, "lon": 76.9, "seal": "closed"})
                for i in range(3)]

    async def scenario(server: TrackingServer) -> None:
        publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                client_id=f"kzreg-test-pub-{uuid.uuid4().hex[:8]}")
        publisher.connect("127.0.0.1", 1883)
        publisher.loop_start()
        try:
            topic = f"kzreg/seals/{MQTT_ID}/position"
            infos = [publisher.publish(topic, p, qos=1) for p in payloads]
            infos.append(publisher.publish(topic, b'{"lat": "north"}', qos=1))
            for info in infos:
                info.wait_for_publish(10)          # PUBACK from the broker
            for _ in range(200):
                if len(_positions(db, MQTT_ID)) == 3 and _quarantined(db):
                    break
                await asyncio.sleep(0.05)
        finally:
            publisher.loop_stop()
            publisher.disconnect()

    asyncio.run(_service(db, {"mqtt": 1883}, scenario,
                         mqtt_client_id=f"kzreg-test-{uuid.uuid4().hex[:8]}",
                         mqtt_persistent=False))
    assert [round(r.lat, 2) for r in _positions(db, MQTT_ID)] == [43.3, 43.31, 43.32]
    assert "undecodable MQTT message" in _quarantined(db)[0]


def _quarantined(db: str) -> list[str]:
    with unit_of_work(db) as session:
        return [q.reason for q in registry.quarantined(session, device=MQTT_ID)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_command_starts_listeners_and_stops_on_sigterm(db, tmp_path):
    port = _free_port()
    settings = tmp_path / "settings.yaml"
    settings.write_text(f"tracking.listen_host: 127.0.0.1\ntracking.wialon_ips_port: {port}\n"
                        f"tracking.listeners: [wialon-ips]\n", encoding="utf-8")
    env = dict(os.environ, KZREG_DATABASE_URL=db, KZREG_SETTINGS_FILE=str(settings))
    process = subprocess.Popen([sys.executable, "-m", "kzreg.cli", "tracking", "serve"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        until = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"#L#2.0;860000000000099;NA;")
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < until, "serve did not start listening"
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err.decode()
    assert "listening for wialon-ips" in err.decode() and "stopping" in err.decode()
