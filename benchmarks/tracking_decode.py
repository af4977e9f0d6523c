"""Device protocol decoders: messages per second through `feed()` / `decode_*` on one core.

The ingest target is 20,000 messages/s with storage and detection on 2 cores, so decoding
must cost a small share of 50 µs. Each message is fed on its own (as a TCP listener feeds
one read), through one session per protocol, from messages built by the project's encoders
(Wialon IPS 2.0 full data with CRC; EGTS one record with POS_DATA, EXT_POS_DATA and the seal
sensor; OsmAnd query string; MQTT JSON), varied by a fixed seed.

`python -m benchmarks.tracking_decode [--quick]` runs it alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from benchmarks._harness import Result, measure, table
from kzreg.tracking.position import Position, SealState
from kzreg.tracking.protocols.egts import EgtsSession, encode_positions
from kzreg.tracking.protocols.mqtt_json import decode_mqtt_json, encode_mqtt_json, topic_for
from kzreg.tracking.protocols.osmand import decode_osmand
from kzreg.tracking.protocols.wialon_ips import WialonIpsSession, encode_data

NOW = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
EVERY = dt.timedelta(seconds=30)


def _positions(count: int, seed: int = 407) -> list[Position]:
    """A fix every 30 s, the last one before NOW: decoders refuse fixes from the future."""
    rng = random.Random(seed)
    start = NOW - count * EVERY
    return [Position("860000000000001", start + i * EVERY,
                     rng.uniform(40.6, 55.4), rng.uniform(46.5, 87.3),
                     speed_kmh=round(rng.uniform(0, 90), 1), course=float(rng.randrange(360)),
                     altitude_m=float(rng.randrange(-20, 1500)), satellites=rng.randint(4, 20),
                     seal_state=SealState.CLOSED, battery=float(rng.randint(20, 100)))
            for i in range(count)]


def _query(p: Position) -> str:
    return (f"/?id={p.device}&lat={p.lat:.6f}&lon={p.lon:.6f}"
            f"&timestamp={int(p.fix_time.timestamp())}&speed={p.speed_kmh / 1.852:.2f}"
            f"&bearing={p.course}&altitude={p.altitude_m}&batt={p.battery}")


def run(quick: bool = False) -> list[Result]:
    count = 2_000 if quick else 100_000
    repeats = 3 if quick else 5
    positions = _positions(count)
    clock = lambda: NOW  # noqa: E731 - the same instant for every feed
    wialon = [encode_data(p) for p in positions]
    egts = [encode_positions([p], object_id=1, packet_id=i % 65536, record_id=i % 65536)
            for i, p in enumerate(positions)]  # EGTS packet and record numbers are 16-bit
    queries = [_query(p) for p in positions]
    topic = topic_for("860000000000001")
    payloads = [encode_mqtt_json(p) for p in positions]

    def check(batch, expected=count) -> None:
        assert batch() == expected, "every message must decode to one position"

    def wialon_batch() -> int:
        session = WialonIpsSession(clock=clock)
        return sum(len(session.feed(message).positions) for message in wialon)

    def egts_batch() -> int:
        session = EgtsSession(clock=clock)
        return sum(len(session.feed(message).positions) for message in egts)

    def osmand_batch() -> int:
        return sum(len(decode_osmand(query, clock=clock)) for query in queries)

    def mqtt_batch() -> int:
        return sum(len(decode_mqtt_json(topic, payload, clock=clock)) for payload in payloads)

    results = []
    _cpu.clear()
    for subject, batch in (("decode wialon-ips 2.0 #D# (CRC)", wialon_batch),
                           ("decode egts POS_DATA+EXT+seal", egts_batch),
                           ("decode osmand query", osmand_batch),
                           ("decode mqtt-json", mqtt_batch)):
        check(batch)
        results.append(measure(subject, batch, ops=count, repeats=repeats))
        started = time.process_time()
        batch()
        _cpu[subject] = (time.process_time() - started) / count
    return results


_cpu: dict[str, float] = {}


def notes(quick: bool = False) -> list[str]:
    """CPU time per message (process time: on a shared machine wall time overstates it)."""
    return ["decoder CPU time per message: " + ", ".join(
        f"{subject.removeprefix('decode ')} {seconds * 1e6:.1f} µs" for subject, seconds
        in _cpu.items())]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tracking_decode")
    parser.add_argument("--quick", action="store_true")
    print(table(run(quick=parser.parse_args().quick)))
    print("\nnote:", *notes())
