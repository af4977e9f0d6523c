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
                "ack_max_ms": round(self.percentile(100), 2)}


async def _device(host: str, port: int, device: str, messages: Sequence[bytes],
                  interval: float, start_at: float, stats: dict, latencies: array) -> None:
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(encode_login(device))
        if not (await reader.readline()).startswith(b"#AL#1"):
            stats["errors"] += 1
            return
        due = start_at
        for message in messages:
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if loop.time() > stats["until"]:
                break
            sent = time.perf_counter()
            writer.write(message)
            stats["sent"] += 1
            reply = await reader.readline()
            latencies.append((time.perf_counter() - sent) * 1000)
            if reply.startswith(b"#AD#1"):
                stats["acked"] += 1
            else:
                stats["errors"] += 1
                if not reply:
                    return
            due += interval
    finally:
        writer.close()


async def _run(host: str, port: int, devices: Sequence[str], rate: float, seconds: float,
               messages: dict[str, list[bytes]], start_wall: float) -> tuple[dict, array, float]:
    loop = asyncio.get_running_loop()
    interval = len(devices) / rate if rate else 0.0
    # every generator process starts sending at the same wall-clock instant
    start_at = loop.time() + max(0.5 + len(devices) / 2000, start_wall - time.time())
    stats = {"sent": 0, "acked": 0, "errors": 0, "until": start_at + seconds}
    latencies = array("f")
    tasks = [asyncio.create_task(_device(host, port, device, messages[device], interval,
                                         start_at + (i / len(devices)) * interval, stats,
                                         latencies))
             for i, device in enumerate(devices)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    stats["errors"] += sum(1 for r in results if isinstance(r, Exception))
    return stats, latencies, max(loop.time() - start_at, 1e-9)


def _per_device(seconds: float, rate: float, connections: int) -> int:
    return int(seconds * rate / connections) + 2 if rate else int(seconds * 1000)


def _worker(args) -> tuple[dict, bytes, float]:
    host, port, devices, rate, seconds, start, start_wall = args
    per_device = _per_device(seconds, rate, len(devices))
    messages = {device: _messages(device, per_device, start) for device in devices}
    gc.freeze()                         # the prepared messages: no collector pauses over them
    gc.set_threshold(50_000, 20, 100)   # so a pause of the generator is not counted as latency
    stats, latencies, elapsed = asyncio.run(_run(host, port, devices, rate, seconds, messages,
                                                 start_wall))
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
    totals = {"sent": 0, "acked": 0, "errors": 0}
    elapsed = 0.0
    for stats, raw, seconds_taken in outputs:
        chunk = array("f")
        chunk.frombytes(raw)
        latencies.extend(chunk)
        for key in totals:
            totals[key] += stats[key]
        elapsed = max(elapsed, seconds_taken)
    return LoadResult(connections, totals["sent"], totals["acked"], totals["errors"], elapsed,
                      array("f", sorted(latencies)))
