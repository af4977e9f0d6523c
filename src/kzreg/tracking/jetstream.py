"""The partitioned mode: listeners publish to NATS JetStream, N workers store and judge.

Scale-out for Order 407 §11's 24/7 tracking. The listeners (`kzreg tracking serve
--partitioned`) decode as usual and publish each device's decoded data to the subject
`kzreg.track.<partition>`, partition = CRC-32 of the device id mod `tracking.jetstream_
partitions`; the device gets its acknowledgement once JetStream has the message on disk.
Worker `p` (`kzreg tracking jetstream-worker --partition p`) reads its partition through a
durable pull consumer, stores a batch and only then acknowledges its messages; it also runs
the detection engine for the seals of its partition. One partition has one consumer, so a
seal's messages are stored and judged in order. A worker killed mid-batch never acknowledged
that batch: JetStream delivers it again after `tracking.jetstream_ack_wait_seconds`, and the
store drops what had been written already (unique device + fix time), so each position ends
in the database exactly once. The stream uses work-queue retention: an acknowledged message
is deleted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from kzreg.law.settings import get_setting
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.store import Incoming

log = logging.getLogger("kzreg.tracking.jetstream")

STREAM = "KZREG_TRACK"
SUBJECT_PREFIX = "kzreg.track"


def partition_of(device: str, partitions: int) -> int:
    """A stable partition for a device (the seal's device: one seal, one partition)."""
    return zlib.crc32(device.encode("utf-8")) % partitions


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- the message -------------------------------------------------------------------------

def encode_incoming(incoming: Incoming) -> bytes:
    return json.dumps({
        "device": incoming.device, "protocol": incoming.protocol,
        "received_at": incoming.received_at.isoformat(),
        "positions": [p.to_json() for p in incoming.positions],
        "rejected": [list(r) for r in incoming.rejected], "signal": incoming.signal,
    }, separators=(",", ":")).encode("utf-8")


def _position(data: dict[str, Any]) -> Position:
    return Position(
        device=data["device"], fix_time=dt.datetime.fromisoformat(data["time"]),
        lat=data["lat"], lon=data["lon"], valid=data["valid"], speed_kmh=data["speed_kmh"],
        course=data["course"], altitude_m=data["altitude_m"], satellites=data["satellites"],
        seal_state=SealState(data["seal_state"]) if data["seal_state"] else None,
        battery=data["battery"], protocol=data["protocol"], archive=data["archive"],
        attributes=data.get("attributes") or {})


def decode_incoming(payload: bytes) -> Incoming:
    data = json.loads(payload)
    return Incoming(data["device"], data["protocol"],
                    dt.datetime.fromisoformat(data["received_at"]),
                    [_position(p) for p in data["positions"]],
                    [tuple(r) for r in data.get("rejected", ())], data.get("signal", True))


# -- the stream --------------------------------------------------------------------------

async def ensure_stream(js, stream: str = STREAM, prefix: str = SUBJECT_PREFIX) -> None:
    from nats.js.api import RetentionPolicy, StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=stream, subjects=[f"{prefix}.*"],
                                         retention=RetentionPolicy.WORK_QUEUE,
                                         storage=StorageType.FILE))


class JetStreamPublisher:
    """The listeners' sink in the partitioned mode: `submit` returns when JetStream has
    stored the message (its PubAck), so the device's acknowledgement follows durability."""

    def __init__(self, *, nats_url: str | None = None, partitions: int | None = None,
                 stream: str = STREAM, prefix: str = SUBJECT_PREFIX) -> None:
        self.nats_url = nats_url or get_setting("tracking.nats_url").value
        self.partitions = partitions or get_setting("tracking.jetstream_partitions").value
        self.stream, self.prefix = stream, prefix
        self.clock = _utc_now
        self._nc = self._js = None
        self._pending: set[asyncio.Task] = set()

    async def start(self) -> None:
        import nats

        self._nc = await nats.connect(self.nats_url)
        self._js = self._nc.jetstream()
        await ensure_stream(self._js, self.stream, self.prefix)

    async def submit(self, incoming: Incoming) -> None:
        key = incoming.device or (incoming.positions[0].device if incoming.positions else "")
        subject = f"{self.prefix}.{partition_of(key, self.partitions)}"
        await self._js.publish(subject, encode_incoming(incoming), stream=self.stream)

    def submit_nowait(self, incoming: Incoming,
                      done: Callable[[BaseException | None], None]) -> None:
        task = asyncio.ensure_future(self.submit(incoming))
        self._pending.add(task)

        def finished(task: asyncio.Task) -> None:
            self._pending.discard(task)
            done(ConnectionAbortedError("cancelled") if task.cancelled() else task.exception())
        task.add_done_callback(finished)

    async def stop(self) -> None:
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        if self._nc is not None:
            await self._nc.drain()
            self._nc = None


class JetStreamWorker:
    """Worker `partition`: a durable pull consumer on its subject, storing then acking."""

    def __init__(self, partition: int, *, url: str | None = None,
                 nats_url: str | None = None, partitions: int | None = None,
                 batch: int | None = None, ack_wait: float | None = None,
                 stream: str = STREAM, prefix: str = SUBJECT_PREFIX) -> None:
        self.partitions = partitions or get_setting("tracking.jetstream_partitions").value
        if not 0 <= partition < self.partitions:
            from kzreg.law.errors import InputError

            raise InputError(f"partition must be 0..{self.partitions - 1}", field="partition")
        self.partition, self.url = partition, url
        self.nats_url = nats_url or get_setting("tracking.nats_url").value
        self.batch = batch or get_setting("tracking.batch_max_positions").value
        self.ack_wait = ack_wait or get_setting("tracking.jetstream_ack_wait_seconds").value
        self.stream, self.prefix = stream, prefix
        self.stored = 0

    async def run(self, stop: asyncio.Event) -> None:
        import nats
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        from kzreg.tracking.pipeline import Pipeline

        pipeline = Pipeline(self.url, owns_device=lambda device: partition_of(
            device, self.partitions) == self.partition)
        await pipeline.start()
        nc = await nats.connect(self.nats_url)
        js = nc.jetstream()
        await ensure_stream(js, self.stream, self.prefix)
        subscription = await js.pull_subscribe(
            f"{self.prefix}.{self.partition}", durable=f"kzreg-track-{self.partition}",
            stream=self.stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT,
                                  deliver_policy=DeliverPolicy.ALL, ack_wait=self.ack_wait,
                                  # one batch in flight: nothing overtakes it (per-seal order)
                                  max_ack_pending=self.batch, max_deliver=-1))
        log.info("worker %d/%d consuming %s.%d", self.partition, self.partitions,
                 self.prefix, self.partition)
        try:
            while not stop.is_set():
                try:
                    messages = await subscription.fetch(self.batch, timeout=1)
                except (TimeoutError, NatsTimeout):
                    continue
                await self._handle(pipeline, nc, messages)
        finally:
            await nc.close()        # unacknowledged messages simply come back later
            await pipeline.stop()

    async def _handle(self, pipeline, nc, messages: Sequence) -> None:
        batch, good = [], []
        for message in messages:
            try:
                batch.append(decode_incoming(message.data))
                good.append(message)
            except Exception as error:  # noqa: BLE001 - a malformed message is dropped, logged
                log.error("partition %d: undecodable message dropped: %r", self.partition,
                          error)
                await message.term()

        async def acknowledge() -> None:
            for message in good:
                await message.ack()
            await nc.flush()

        try:
            result = await pipeline.process(batch, acknowledge=acknowledge)
        except Exception:
            log.exception("partition %d: storing %d messages failed; redelivered later",
                          self.partition, len(good))
            for message in good:
                await message.nak(delay=1)
            return
        self.stored += len(result.stored)
