"""A load generator: many concurrent Wialon IPS 2.0 devices over real TCP connections.

Each simulated device logs in, then sends full data packets (`#D#`, with CRC-16) at its
share of the target rate, waiting for each acknowledgement as a real device does, and
records the time from sending a packet to receiving its `#AD#1`: the acknowledgement
latency, which includes storage since the service acknowledges only stored data. Messages
are encoded before the clock starts, so the generator spends its time on the sockets.
Fix times are distinct per device (one second apart, in the minutes before the run), so
every message is a new row, not a duplicate. `register_fleet` registers and activates the simulated
seals (with a route along their track) so the service stores and judges them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import math
import multiprocessing
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.wialon_ips import encode_data, encode_login
from kzreg.tracking.server import event_loop_factory

IMEI_BASE = 861000000000000
START = (76.9, 43.25)                 # Almaty; devices drive north-west along a route
STEP = (-0.0004, 0.0003)              # degrees per second (~45 km/h)


def imei(n: int, base: int = IMEI_BASE) -> str:
    return str(base + n)


def route_geojson(seconds: int) -> dict:
    lon, lat = START
    end = (lon + STEP[0] * seconds, lat + STEP[1] * seconds)
    return {"type": "LineString", "coordinates": [[lon, lat], [round(end[0], 6),
                                                               round(end[1], 6)]]}


def register_fleet(session, count: int, *, base: int = IMEI_BASE, route_seconds: int = 7200,
                   activated_at: dt.datetime | None = None) -> list[str]:
    """Register and activate `count` seals for the simulated devices (idempotent)."""
    from kzreg.tracking import registry
    from kzreg.tracking.models import SEAL_ACTIVE, TrackingSeal

    at = activated_at or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    seals = []
    route = route_geojson(route_seconds)
    for n in range(count):
        number = f"LG-{n:06d}"
        registry.register_seal(session, number, device_id=imei(n, base), protocol="wialon-ips")
        seal = session.get(TrackingSeal, number)
        if seal.status != SEAL_ACTIVE:
            registry.activate(session, number, at=at, route=route, corridor_m=500,
                              escort_ref=f"LOADGEN-{n}", departure_office="55201",
                              destination_office="55202")
        seals.append(number)
    return seals


def _messages(device: str, count: int, start: dt.datetime) -> list[bytes]:
    lon, lat = START
    out = []
    for k in range(count):
        position = Position(device, start + dt.timedelta(seconds=k),
                            lat + STEP[1] * k, lon + STEP[0] * k, speed_kmh=45.0,
                            course=315.0, satellites=9, seal_state=SealState.CLOSED,
                            battery=87.0)
        out.append(encode_data(position))
    return out


@dataclass
class LoadResult:
    connections: int
    sent: int
    acked: int
    errors: int
    seconds: float
    latencies_ms: array          # sorted
    cpu_seconds: float = 0.0     # the generator's own CPU while sending (all processes)

    @property
    def rate(self) -> float:
        return self.acked / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        values = self.latencies_ms
        if not values:
            return math.nan
        return values[min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))]

    def summary(self) -> dict:
        return {"connections": self.connections, "sent": self.sent, "acked": self.acked,
                "errors": self.errors, "seconds": round(self.seconds, 2),
                "messages_per_s": round(self.rate), "ack_p50_ms": round(self.percentile(50), 2),
                "ack_p99_ms": round(self.percentile(99), 2),
                "ack_max_ms": round(self.percentile(100), 2),
                "generator_cpu_us_per_message": round(
                    self.cpu_seconds / max(self.acked, 1) * 1e6, 1)}


class _Device(asyncio.Protocol):
    """One simulated device: login, then one packet at a time, each sent when due and only
    after the previous one was acknowledged (as a real device does). A protocol object, not
    a task with a stream reader: the generator shares the cores with the service it
    measures, so its cost per message is kept to a send, a receive and two clock reads."""

    def __init__(self, login: bytes, messages: Sequence[bytes], due: float, interval: float,
                 run: _Run) -> None:
        self.login, self.messages, self.due, self.interval, self.run = (
            login, messages, due, interval, run)
        self.transport: asyncio.Transport | None = None
        self.next = 0
        self.sent_at = 0.0
        self.in_flight = False
        self.logged_in = False
        self.buffer = b""
        self.finished = run.loop.create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.login)

    def connection_lost(self, exc) -> None:
        if not self.finished.done():
            if self.in_flight:                # the packet in flight got no reply
                self.run.errors += 1
            self.finished.set_result(None)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if not buffer.endswith(b"\n"):        # a partial reply: wait for its line end
            self.buffer = buffer
            return
        self.buffer = b""
        if not self.logged_in:
            if not buffer.startswith(b"#AL#1"):
                self.run.errors += 1
                self.transport.close()
                return
            self.logged_in = True
        else:
            run = self.run
            self.in_flight = False
            run.latencies.append((time.perf_counter() - self.sent_at) * 1000)
            if buffer.startswith(b"#AD#1"):
                run.acked += 1
            else:
                run.errors += 1
        self._schedule()

    def _schedule(self) -> None:
        loop = self.run.loop
        if (self.next >= len(self.messages) or self.due > self.run.until
                or loop.time() > self.run.until):
            self.transport.close()
            return
        if self.due > loop.time():
            loop.call_at(self.due, self._send)
        else:                                 # behind schedule: send at once
            self._send()

    def _send(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        message = self.messages[self.next]
        self.next += 1
        self.due += self.interval
        self.run.sent += 1
        self.in_flight = True
        self.sent_at = time.perf_counter()
        self.transport.write(message)


class _Run:
    def __init__(self, loop, until: float) -> None:
        self.loop, self.until = loop, until
        self.sent = self.acked = self.errors = 0
        self.latencies = array("f")
        self.cpu_at_start = time.process_time()

    def start_cpu(self) -> None:
        """The generator's own CPU is counted from the common start (not the set-up)."""
        self.cpu_at_start = time.process_time()


async def _run(host: str, port: int, devices: Sequence[str], rate: float, seconds: float,
               messages: dict[str, list[bytes]], start_wall: float) -> tuple[dict, array, float]:
    loop = asyncio.get_running_loop()
    interval = len(devices) / rate if rate else 0.0
    # every generator process starts sending at the same wall-clock instant
    start_at = loop.time() + max(0.5 + len(devices) / 2000, start_wall - time.time())
    run = _Run(loop, start_at + seconds)
    loop.call_at(start_at, run.start_cpu)
    protocols = []
    for i, device in enumerate(devices):
        protocol = _Device(encode_login(device), messages[device],
                           start_at + (i / len(devices)) * interval, interval, run)
        try:
            await loop.create_connection(lambda p=protocol: p, host, port)
        except OSError:
            run.errors += 1
            continue
        protocols.append(protocol)
    await asyncio.gather(*(p.finished for p in protocols))
    stats = {"sent": run.sent, "acked": run.acked, "errors": run.errors,
             "cpu": time.process_time() - run.cpu_at_start}
    return stats, run.latencies, max(loop.time() - start_at, 1e-9)


def _per_device(seconds: float, rate: float, connections: int) -> int:
    return int(seconds * rate / connections) + 2 if rate else int(seconds * 1000)


def _worker(args) -> tuple[dict, bytes, float]:
    host, port, devices, rate, seconds, start, start_wall = args
    per_device = _per_device(seconds, rate, len(devices))
    messages = {device: _messages(device, per_device, start) for device in devices}
    gc.freeze()                         # the prepared messages: no collector pauses over them
    gc.set_threshold(50_000, 20, 100)   # so a pause of the generator is not counted as latency
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        stats, latencies, elapsed = runner.run(_run(host, port, devices, rate, seconds,
                                                    messages, start_wall))
    return stats, latencies.tobytes(), elapsed


def run_loadgen(host: str, port: int, *, connections: int, rate: float, seconds: float,
                base: int = IMEI_BASE, processes: int = 1,
                start: dt.datetime | None = None) -> LoadResult:
    """Drive `connections` devices at `rate` messages/s in total for `seconds`, spread over
    `processes` processes (the generator must not be the bottleneck)."""
    per_device = _per_device(seconds, rate, connections)
    # fix times in the recent past, one second apart, ending before now: all new, none
    # "in the future", and after the fleet's activation (register_fleet: an hour ago)
    start = start or (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=per_device + 120)
                      ).replace(microsecond=0)
    devices = [imei(n, base) for n in range(connections)]
    shares = [share for share in (devices[i::processes] for i in range(processes)) if share]
    # time to encode the messages (~20 µs each) and connect, before the common start
    setup = 2.0 + 3 * 20e-6 * per_device * max(len(share) for share in shares)
    start_wall = time.time() + setup
    jobs = [(host, port, share, rate * len(share) / connections, seconds, start, start_wall)
            for share in shares]
    if processes == 1:
        outputs = [_worker(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
            outputs = pool.map(_worker, jobs)
    latencies = array("f")
    totals = {"sent": 0, "acked": 0, "errors": 0, "cpu": 0.0}
    elapsed = 0.0
    for stats, raw, seconds_taken in outputs:
        chunk = array("f")
        chunk.frombytes(raw)
        latencies.extend(chunk)
        for key in totals:
            totals[key] += stats[key]
        elapsed = max(elapsed, seconds_taken)
    return LoadResult(connections, totals["sent"], totals["acked"], totals["errors"], elapsed,
                      array("f", sorted(latencies)), totals["cpu"])
