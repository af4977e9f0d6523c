"""The partitioned mode on the real NATS JetStream server: a worker killed mid-stream
(SIGKILL, no chance to clean up) loses nothing, and nothing is stored twice.

Positions are published to two partitions; two worker processes store them; worker 0 is
killed while it is working through its partition, more positions are published while it is
dead, and a new worker 0 takes over its durable consumer. JetStream redelivers what the
killed worker had taken but not acknowledged; the store drops what it had already written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import func, select

from kzreg.platform.db import unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.jetstream import JetStreamPublisher, partition_of
from kzreg.tracking.models import TrackingPosition
from kzreg.tracking.position import Position
from kzreg.tracking.store import Incoming

NATS = "nats://127.0.0.1:4222"
DEVICES = [f"86300000000{n:04d}" for n in range(12)]
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)


def _nats_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=2).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _nats_up() and not os.environ.get("CI"),
                                reason="NATS JetStream not running on 127.0.0.1:4222")


def _worker(db: str, partition: int, stream: str, prefix: str) -> subprocess.Popen:
    env = dict(os.environ, KZREG_DATABASE_URL=db)
    return subprocess.Popen(
        [sys.executable, "-m", "kzreg.cli", "tracking", "jetstream-worker",
         "--partition", str(partition), "--partitions", "2", "--batch", "10",
         "--ack-wait", "2", "--stream", stream, "--subject-prefix", prefix],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stored(db: str, devices=None) -> int:
    with unit_of_work(db) as session:
        query = select(func.count()).select_from(TrackingPosition)
        if devices is not None:
            query = query.where(TrackingPosition.device.in_(devices))
        return session.scalar(query)


def _wait(predicate, seconds: float, what: str) -> None:
    until = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > until:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


async def _publish(stream: str, prefix: str, seconds: range) -> int:
    publisher = JetStreamPublisher(nats_url=NATS, partitions=2, stream=stream, prefix=prefix)
    await publisher.start()
    sent = 0
    try:
        for k in seconds:
            for device in DEVICES:
                position = Position(device, T0 + dt.timedelta(seconds=k), 43.2 + k / 1e5, 76.9)
                await publisher.submit(Incoming(device, "wialon-ips", dt.datetime.now(dt.UTC),
                                                [position]))
                sent += 1
    finally:
        await publisher.stop()
    return sent


async def _consumers(stream: str) -> list:
    import nats

    nc = await nats.connect(NATS)
    try:
        js = nc.jetstream()
        return [await js.consumer_info(stream, f"kzreg-track-{p}") for p in (0, 1)]
    finally:
        await nc.close()


async def _delete(stream: str) -> None:
    import nats

    nc = await nats.connect(NATS)
    try:
        await nc.jetstream().delete_stream(stream)
    except Exception:
        pass
    finally:
        await nc.close()


def test_killed_worker_loses_nothing_and_stores_nothing_twice(db):
    with unit_of_work(db) as session:
        for n, device in enumerate(DEVICES):
            registry.register_seal(session, f"JS-{n}", device_id=device, protocol="wialon-ips")
    tag = uuid.uuid4().hex[:10]
    stream, prefix = f"KZREG_TEST_{tag}", f"kzreg.test.{tag}"
    first = [d for d in DEVICES if partition_of(d, 2) == 0]
    assert first and len(first) < len(DEVICES)           # both partitions have seals
    workers = []
    try:
        sent = asyncio.run(_publish(stream, prefix, range(0, 250)))
        workers = [_worker(db, 0, stream, prefix), _worker(db, 1, stream, prefix)]
        total_first = 250 * len(first)
        _wait(lambda: _stored(db, first) > 0, 60, "worker 0 to start storing")
        workers[0].send_signal(signal.SIGKILL)             # mid-stream, no clean-up
        workers[0].wait(10)
        at_kill = _stored(db, first)
        assert 0 < at_kill < total_first, "the kill must come mid-stream"
        # the stream keeps taking positions while worker 0 is dead; one is a resend
        sent += asyncio.run(_publish(stream, prefix, range(250, 300)))
        sent += asyncio.run(_publish(stream, prefix, range(0, 1)))       # duplicates
        time.sleep(1)
        assert _stored(db, first) == at_kill                # nobody stores partition 0 now
        workers[0] = _worker(db, 0, stream, prefix)
        expected = 300 * len(DEVICES)
        _wait(lambda: _stored(db) == expected, 90, f"{expected} positions in the database")
        time.sleep(3)                                       # past ack_wait: nothing comes back
        assert _stored(db) == expected
        with unit_of_work(db) as session:
            keys = session.execute(select(TrackingPosition.device, TrackingPosition.fix_time))
            assert len(set(keys)) == expected == sent - len(DEVICES)
        for info in asyncio.run(_consumers(stream)):
            assert info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()
        asyncio.run(_delete(stream))
    for worker in workers:
        assert worker.returncode in (0, -signal.SIGTERM), worker.stderr.read().decode()[-2000:]


def test_partitioned_listener_acknowledges_after_jetstream_and_worker_stores(db):
    from kzreg.tracking.jetstream import JetStreamWorker
    from kzreg.tracking.protocols.wialon_ips import encode_data, encode_login
    from kzreg.tracking.server import TrackingServer

    device = DEVICES[0]
    with unit_of_work(db) as session:
        registry.register_seal(session, "JS-P", device_id=device, protocol="wialon-ips")
    tag = uuid.uuid4().hex[:10]
    stream, prefix = f"KZREG_TEST_{tag}", f"kzreg.test.{tag}"
    fix = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=5)

    async def run() -> None:
        publisher = JetStreamPublisher(nats_url=NATS, partitions=1, stream=stream,
                                       prefix=prefix)
        await publisher.start()
        server = TrackingServer(publisher, host="127.0.0.1", ports={"wialon-ips": 0})
        await server.start()
        stop = asyncio.Event()
        worker = JetStreamWorker(0, url=db, nats_url=NATS, partitions=1, batch=10,
                                 ack_wait=2, stream=stream, prefix=prefix)
        consuming = asyncio.create_task(worker.run(stop))
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1",
                                                           server.ports["wialon-ips"])
            for packet, reply in ((encode_login(device), b"#AL#1\r\n"),
                                  (encode_data(Position(device, fix, 43.2, 76.9)),
                                   b"#AD#1\r\n")):
                writer.write(packet)
                assert await asyncio.wait_for(reader.readline(), 10) == reply
            writer.close()
            for _ in range(200):
                if _stored(db, [device]):
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await consuming
            await server.stop()
            await publisher.stop()
            await _delete(stream)

    asyncio.run(run())
    assert _stored(db, [device]) == 1
