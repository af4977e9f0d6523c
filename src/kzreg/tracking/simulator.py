"""Demo seals driving along Kazakhstan's roads and reporting over the real device protocols.

`kzreg tracking simulate` plays N navigation seals against a running `kzreg tracking serve`:
each seal is a TCP client speaking Wialon IPS 2.0 or EGTS (alternately), using the
protocols' own encoders, logging in and waiting for the server's acknowledgement of every
message, as a device with a black box does. The vehicles follow the main roads of the
console's basemap between the demo customs offices (Almaty 50511 ↔ Khorgos 51730).

Scenarios, one per seal, cycled (Order 407 §3(8) non-routine situations):
- `normal`  drives the route with the seal closed;
- `deviate` leaves the route corridor sideways after `event_after` seconds, for longer than
            the debounce (setting escort.route_deviation_min_minutes), then comes back;
- `open`    reports the seal opened after `event_after` seconds and keeps it so;
- `silent`  never transmits. A silence "more than 3 hours" takes three real hours: the
            simulator does not fake the server's clock, it back-dates the seal's activation
            by 3 h minus `silence_lead`, so the signal loss is due that soon after start.

Time acceleration (`accel`) makes the vehicles cover the road faster; fix times stay the
real time of each report, because the server rejects fixes from the future and measures
silence by its own clock. The simulator registers and activates its seals through
`kzreg.tracking.registry` (what the operator does in §9) unless told not to.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import hashlib
import json
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

from kzreg.escort.geo import M_PER_DEG
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols import egts, wialon_ips

log = logging.getLogger("kzreg.tracking.simulator")

ROAD = "Almaty – Khorgos"
OFFICES = ("50511", "51730")            # demo offices: Almaty, Khorgos (platform.demo)
SIGNAL_LOSS = dt.timedelta(hours=3)     # Order 407 §3(8), the act's number
REPLY_TIMEOUT = 10.0


class Scenario(enum.StrEnum):
    NORMAL = "normal"
    DEVIATE = "deviate"
    OPEN = "open"
    SILENT = "silent"


@dataclass
class Options:
    accel: float = 20.0             # vehicles move this many times faster than real
    interval: float = 5.0           # real seconds between two reports of one seal
    speed_kmh: float = 80.0
    event_after: float = 60.0       # real seconds before a scenario's event
    deviation_m: float = 5000.0     # how far a deviating vehicle leaves the route
    deviation_seconds: float = 420.0  # how long it stays outside (> 5-minute debounce)
    silence_lead: float = 120.0     # a silent seal's signal loss is due this soon
    duration: float = 0.0           # real seconds to run; 0 = until stopped


@dataclass
class SimSeal:
    seal_number: str
    device_id: str                  # 15-digit IMEI
    protocol: str                   # wialon-ips | egts
    scenario: Scenario
    route: list[tuple[float, float]]  # (lon, lat), departure first
    departure: str
    destination: str
    start_m: float = 0.0            # where on the route the vehicle starts
    escort_ref: str = ""
    sent: int = 0
    acked: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def terminal_id(self) -> int:
        return int(self.device_id[-9:])

    def route_geojson(self) -> dict:
        return {"type": "LineString", "coordinates": [list(p) for p in self.route]}


def road(name: str = ROAD) -> list[tuple[float, float]]:
    """A road of the basemap as (lon, lat) points (schematic: town to town)."""
    path = resources.files("kzreg.escort") / "data" / "basemap" / "kazakhstan.json"
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        if feature["properties"].get("layer") == "road" and feature["properties"]["name"] == name:
            return [(float(x), float(y)) for x, y in feature["geometry"]["coordinates"]]
    raise LookupError(f"no road {name!r} in the basemap")


def _device_id(prefix: str, index: int) -> str:
    digest = int(hashlib.sha256(f"{prefix}-{index}".encode()).hexdigest(), 16)
    return "86" + f"{digest % 10**13:013d}"


def plan(count: int, scenarios: Sequence[Scenario], *, prefix: str = "SIM",
         run: str = "") -> list[SimSeal]:
    """`count` seals, scenarios and protocols cycled, every other one driving back."""
    forward = road()
    length = Path(forward).length_m
    seals = []
    for i in range(count):
        back = i % 2 == 1
        seals.append(SimSeal(
            seal_number=f"{prefix}-{i + 1:03d}", device_id=_device_id(prefix, i),
            protocol=("wialon-ips", "egts")[i % 2], scenario=scenarios[i % len(scenarios)],
            route=forward[::-1] if back else list(forward),
            departure=OFFICES[1] if back else OFFICES[0],
            destination=OFFICES[0] if back else OFFICES[1],
            start_m=(i // 2) * length / max(2, count) % (length / 2),
            escort_ref=f"{prefix}-{run or 'DEMO'}-{i + 1:03d}"))
    return seals


class Path:
    """Distance along a polyline of (lon, lat) points, in metres (equirectangular)."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        self.points = list(points)
        self.cumulative = [0.0]
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:], strict=False):
            self.cumulative.append(self.cumulative[-1] + _metres(x0, y0, x1, y1))

    @property
    def length_m(self) -> float:
        return self.cumulative[-1]

    def at(self, distance: float, offset_m: float = 0.0) -> tuple[float, float, float]:
        """(lon, lat, course) at `distance` along the line, `offset_m` to its right."""
        distance = min(max(distance, 0.0), self.length_m)
        i = next((k for k in range(1, len(self.cumulative))
                  if self.cumulative[k] >= distance), len(self.cumulative) - 1)
        (x0, y0), (x1, y1) = self.points[i - 1], self.points[i]
        span = self.cumulative[i] - self.cumulative[i - 1] or 1.0
        t = (distance - self.cumulative[i - 1]) / span
        lon, lat = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        kx = M_PER_DEG * math.cos(math.radians(lat))
        dx, dy = (x1 - x0) * kx, (y1 - y0) * M_PER_DEG
        norm = math.hypot(dx, dy) or 1.0
        course = math.degrees(math.atan2(dx, dy)) % 360
        if offset_m:
            lon += offset_m * (dy / norm) / kx
            lat -= offset_m * (dx / norm) / M_PER_DEG
        return lon, lat, course


def _metres(x0: float, y0: float, x1: float, y1: float) -> float:
    kx = M_PER_DEG * math.cos(math.radians((y0 + y1) / 2))
    return math.hypot((x1 - x0) * kx, (y1 - y0) * M_PER_DEG)


def position_at(seal: SimSeal, path: Path, elapsed: float, options: Options,
                now: dt.datetime) -> Position:
    """Where the seal's vehicle is `elapsed` real seconds after the start, and its state."""
    travelled = seal.start_m + options.speed_kmh / 3.6 * options.accel * elapsed
    offset = 0.0
    event = elapsed >= options.event_after
    if seal.scenario == Scenario.DEVIATE and event and \
            elapsed < options.event_after + options.deviation_seconds:
        offset = options.deviation_m
    lon, lat, course = path.at(travelled, offset)
    moving = travelled < path.length_m
    state = SealState.OPENED if seal.scenario == Scenario.OPEN and event else SealState.CLOSED
    return Position(device=seal.device_id, fix_time=now.replace(microsecond=0),
                    lat=round(lat, 6), lon=round(lon, 6), valid=True,
                    speed_kmh=options.speed_kmh if moving else 0.0,
                    course=round(course), satellites=9, seal_state=state,
                    battery=100.0, protocol=seal.protocol)


# -- the device side of the protocols ---------------------------------------------------

class Link:
    """One device connection: log in, then send positions and wait for each ack."""

    def __init__(self, seal: SimSeal, host: str, port: int) -> None:
        self.seal, self.host, self.port = seal, host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.packet_id = 0
        self.record_id = 0

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), REPLY_TIMEOUT)
        if self.seal.protocol == "wialon-ips":
            reply = await self._exchange(wialon_ips.encode_login(self.seal.device_id))
            if not reply.startswith(b"#AL#1"):
                raise ConnectionError(f"login refused: {reply!r}")
        else:
            await self._exchange(egts.encode_auth(self.seal.terminal_id, self.seal.device_id,
                                                  packet_id=self._next_packet()))

    async def send(self, position: Position) -> None:
        if self.seal.protocol == "wialon-ips":
            reply = await self._exchange(wialon_ips.encode_data(position))
            if not reply.startswith(b"#AD#1"):
                raise ConnectionError(f"data refused: {reply!r}")
        else:
            frame = egts.encode_positions([position], object_id=self.seal.terminal_id,
                                          packet_id=self._next_packet(),
                                          record_id=self.record_id)
            self.record_id = (self.record_id + 1) % 0x10000
            await self._exchange(frame)
        self.seal.acked += 1

    def _next_packet(self) -> int:
        self.packet_id = (self.packet_id + 1) % 0x10000
        return self.packet_id

    async def _exchange(self, data: bytes) -> bytes:
        assert self.writer is not None and self.reader is not None
        self.writer.write(data)
        await self.writer.drain()
        self.seal.sent += 1
        if self.seal.protocol == "wialon-ips":
            return await asyncio.wait_for(self.reader.readline(), REPLY_TIMEOUT)
        return await asyncio.wait_for(self._egts_response(), REPLY_TIMEOUT)

    async def _egts_response(self) -> bytes:
        """Frames until the transport response to our packet (others, e.g. the auth result
        code, are read and dropped)."""
        assert self.reader is not None
        while True:
            head = await self.reader.readexactly(4)
            head += await self.reader.readexactly(head[3] - 4)
            size = int.from_bytes(head[5:7], "little")
            frame = head + (await self.reader.readexactly(size + 2) if size else b"")
            if frame[9] == egts.PT_RESPONSE:
                rpid, code, _ = egts.read_response(frame)
                if code != egts.PC_OK:
                    raise ConnectionError(f"EGTS processing result {code}")
                if rpid == self.packet_id:
                    return frame

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass


async def drive(seal: SimSeal, host: str, ports: dict[str, int], options: Options,
                stop: asyncio.Event, clock=lambda: dt.datetime.now(dt.UTC)) -> SimSeal:
    """Report the seal's positions until `stop` is set (reconnecting when dropped)."""
    if seal.scenario == Scenario.SILENT:
        await stop.wait()
        return seal
    path, started = Path(seal.route), asyncio.get_running_loop().time()
    link: Link | None = None
    while not stop.is_set():
        try:
            if link is None:
                link = Link(seal, host, ports[seal.protocol])
                await link.open()
            elapsed = asyncio.get_running_loop().time() - started
            await link.send(position_at(seal, path, elapsed, options, clock()))
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) \
                as error:
            seal.errors.append(f"{type(error).__name__}: {error}")
            log.warning("seal %s: %s", seal.seal_number, seal.errors[-1])
            if link is not None:
                await link.close()
            link = None
        try:
            await asyncio.wait_for(stop.wait(), options.interval)
        except TimeoutError:
            pass
    if link is not None:
        await link.close()
    return seal


async def run(seals: Sequence[SimSeal], host: str, ports: dict[str, int], options: Options,
              stop: asyncio.Event | None = None) -> list[SimSeal]:
    """Drive every seal until `stop` (or `options.duration` seconds) and return them."""
    stop = stop or asyncio.Event()
    if options.duration:
        asyncio.get_running_loop().call_later(options.duration, stop.set)
    # spread the connections over the first interval, as real devices are
    tasks = [asyncio.create_task(_later(random.uniform(0, min(1.0, options.interval)),
                                        drive(seal, host, ports, options, stop)))
             for seal in seals]
    return list(await asyncio.gather(*tasks))


async def _later(delay: float, job):
    await asyncio.sleep(delay)
    return await job


def register(session, seals: Sequence[SimSeal], *, now: dt.datetime, corridor_m: int,
             options: Options) -> None:
    """Register and activate the seals as the operator would (§9); a seal still active from
    an earlier run is deactivated first. A silent seal's activation is back-dated."""
    from kzreg.tracking import registry
    from kzreg.tracking.models import SEAL_ACTIVE, TrackingSeal

    for seal in seals:
        row = session.get(TrackingSeal, seal.seal_number)
        if row is not None and row.status == SEAL_ACTIVE:
            registry.deactivate(session, seal.seal_number, at=max(now, row.activated_at))
        registry.register_seal(session, seal.seal_number, device_id=seal.device_id,
                               protocol=seal.protocol)
        at = now
        if seal.scenario == Scenario.SILENT:
            at = now - SIGNAL_LOSS + dt.timedelta(seconds=options.silence_lead)
        registry.activate(session, seal.seal_number, at=at, route=seal.route_geojson(),
                          corridor_m=corridor_m, escort_ref=seal.escort_ref,
                          departure_office=seal.departure, destination_office=seal.destination)

