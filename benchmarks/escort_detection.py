"""The §3(8) detection engine: positions per second on one core, and memory per seal.

* engine: a replay of 10,000 active seals, each driving along its route (300-point
  polylines across Kazakhstan, 5 seals a route as on a multi-compartment vehicle) and
  reporting every 30 s with ±20 m of GPS jitter; 1 % of the seals leave their corridor and
  1 % report an opened seal. Fed to `DetectionEngine.observe_columns` in batches of 4,096
  (how the pipeline and the replay feed it), timers advanced between batches. Target
  (issue 4): at least 200,000 positions a second.
* replay: the same trace as JSONL through `kzreg.escort.replay.replay` (JSON parsing and
  validation included), so parsing is reported apart from the engine.
* memory: 100,000 active seals (20,000 distinct routes) after activation and one report
  each, measured with tracemalloc (every Python allocation, array buffers included) and as
  the growth of the process's resident set. Target: under 1 GiB.
* timers: 100,000 seals whose silences all become losses at once, raised by one
  `advance` (the worst case of "fires within a second of the 3-hour mark").

`python -m benchmarks.escort_detection [--quick]` runs it alone.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import random
import resource
import sys
import time
import tracemalloc

from benchmarks._harness import Result, measure, table
from kzreg.escort.engine import STATE_CODES, DetectionEngine, from_us, to_us
from kzreg.escort.replay import replay

T0 = dt.datetime(2025, 3, 3, 6, tzinfo=dt.UTC)
REPORT_EVERY_US = 30 * 1_000_000
BATCH = 4096
_NOTES: list[str] = []


def make_route(rng: random.Random, points: int = 300) -> list[tuple[float, float]]:
    lat, lon = rng.uniform(42.5, 51.5), rng.uniform(52.0, 80.0)
    heading = rng.uniform(-0.6, 0.6)
    route = []
    for _ in range(points):
        route.append((round(lon, 6), round(lat, 6)))
        heading += rng.uniform(-0.15, 0.15)
        lon += 0.012 * math.cos(heading)            # ~1 km a segment
        lat += 0.009 * math.sin(heading)
    return route


def along(route: list[tuple[float, float]], distance_segments: float) -> tuple[float, float]:
    i = min(int(distance_segments), len(route) - 2)
    f = distance_segments - i
    (lon0, lat0), (lon1, lat1) = route[i], route[i + 1]
    return lat0 + (lat1 - lat0) * f, lon0 + (lon1 - lon0) * f


def make_trace(seals: int, reports: int, seed: int = 407):
    """Activations and columns of position reports in reception order."""
    rng = random.Random(seed)
    routes = [make_route(rng) for _ in range(max(1, seals // 5))]
    names = [f"KZ{n:07d}" for n in range(seals)]
    assigned = [routes[n % len(routes)] for n in range(seals)]
    deviating = set(rng.sample(range(seals), seals // 100))
    opening = set(rng.sample(range(seals), seals // 100))
    cols: tuple[list, ...] = ([], [], [], [], [], [])
    start = to_us(T0)
    jitter = 20 / 111_000
    for k in range(reports):
        for n in range(seals):
            t = start + k * REPORT_EVERY_US + n * (REPORT_EVERY_US // seals)
            lat, lon = along(assigned[n], k * 0.5)
            if n in deviating and k > reports // 2:
                lat += 0.05                          # ~5.5 km north of the road
            lat += rng.uniform(-jitter, jitter)
            lon += rng.uniform(-jitter, jitter)
            state = "opened" if n in opening and k == reports // 3 else "closed"
            for column, value in zip(cols, (names[n], t, t, lat, lon, STATE_CODES[state]),
                                     strict=True):
                column.append(value)
    return names, assigned, cols


def activated(names, assigned) -> DetectionEngine:
    engine = DetectionEngine()
    for name, route in zip(names, assigned, strict=True):
        engine.activate(name, T0, {"type": "LineString", "coordinates": route}, 1000)
    return engine


def feed(engine: DetectionEngine, cols) -> int:
    found = 0
    total = len(cols[0])
    for a in range(0, total, BATCH):
        b = min(a + BATCH, total)
        found += len(engine.advance_us(cols[2][a]))
        found += len(engine.observe_columns(*(c[a:b] for c in cols)))
    return found


def trace_lines(names, assigned, cols) -> list[str]:
    lines = [json.dumps({"time": T0.isoformat().replace("+00:00", "Z"), "seal": name,
                         "event": "activated", "corridor_m": 1000,
                         "route": {"type": "LineString", "coordinates": route}})
             for name, route in zip(names, assigned, strict=True)]
    states = {code: name for name, code in STATE_CODES.items()}
    for seal, t, _, lat, lon, code in zip(*cols, strict=True):
        lines.append(json.dumps({"time": from_us(t).isoformat().replace("+00:00", "Z"),
                                 "seal": seal, "lat": round(lat, 6), "lon": round(lon, 6),
                                 "state": states[code]}))
    return lines


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def memory(seals: int) -> None:
    names, assigned, cols = make_trace(seals, 1)
    gc.collect()
    before_rss = rss_kib()
    tracemalloc.start()
    engine = activated(names, assigned)
    feed(engine, cols)
    gc.collect()
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    grown = (rss_kib() - before_rss) * 1024
    routes = {id(s.route): s.route for s in engine._seals.values()}
    route_bytes = sum(r.nbytes() for r in routes.values())
    _NOTES.append(f"memory: {seals:,} active seals ({len(routes):,} distinct 300-point "
                  f"routes) hold {used / 2**20:.0f} MiB (tracemalloc; resident set grew "
                  f"{grown / 2**20:.0f} MiB), {used / seals:,.0f} bytes a seal of which "
                  f"route arrays {route_bytes / seals:,.0f} — target < 1 GiB")


def run(quick: bool = False) -> list[Result]:
    _NOTES.clear()
    seals, reports = (1_000, 20) if quick else (10_000, 100)
    t0 = time.perf_counter()
    names, assigned, cols = make_trace(seals, reports)
    total = len(cols[0])
    t1 = time.perf_counter()
    engine_holder: list[DetectionEngine] = []

    def fresh() -> None:
        engine_holder[:] = [activated(names, assigned)]

    fresh()
    t2 = time.perf_counter()
    found = feed(engine_holder[0], cols)
    _NOTES.append(f"trace: {seals:,} seals x {reports} reports = {total:,} positions "
                  f"(generated in {t1 - t0:.1f} s; activating {seals:,} seals with "
                  f"{len(set(map(id, assigned))):,} routes took {t2 - t1:.2f} s); "
                  f"{found} situation versions raised or changed per pass")
    results = [measure(f"engine.observe_columns ({seals:,} seals)",
                       lambda: feed(engine_holder[0], cols), ops=total,
                       repeats=2 if quick else 3, setup=fresh)]
    fresh()
    cpu = time.process_time()
    feed(engine_holder[0], cols)
    cpu = time.process_time() - cpu
    lines = trace_lines(names, assigned, cols)
    results.append(measure(f"replay() of the JSONL trace ({len(lines):,} lines)",
                           lambda: replay(lines), ops=len(lines), repeats=1 if quick else 2))
    engine_rate = total / results[0].best
    replay_rate = len(lines) / results[1].best
    _NOTES.append(f"engine {engine_rate:,.0f} positions/s (wall clock, best); by CPU time "
                  f"of this process {total / cpu:,.0f} positions/s — the one-core figure "
                  f"when other processes compete for the cores")
    _NOTES.append(f"replay incl. JSON parsing {replay_rate:,.0f} lines/s, so parsing and "
                  f"validation cost {1e6 / replay_rate - 1e6 / engine_rate:.2f} µs of the "
                  f"{1e6 / replay_rate:.2f} µs a line")
    for column in (lines, *cols):           # no million-object heap under the next two
        column.clear()
    engine_holder.clear()
    gc.collect()
    results.append(timers(10_000 if quick else 100_000))
    memory(10_000 if quick else 100_000)
    return results


def timers(seals: int) -> Result:
    engine = DetectionEngine()
    for n in range(seals):
        engine.activate(f"S{n}", T0)
    due = T0 + dt.timedelta(hours=3, seconds=1)
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    raised = engine.advance(due)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert len(raised) == seals
    _NOTES.append(f"timers: {seals:,} losses due at the same second raised by one advance "
                  f"in {took:.2f} s ({cpu:.2f} s CPU); each is detected at that second "
                  f"(detected_at = the advance's now), however long the batch takes")
    return Result(f"advance() raising {seals:,} due losses", seals, (took,))


def notes(quick: bool = False) -> list[str]:
    return list(_NOTES)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    out = run(quick=quick)
    print(table(out))
    for note in notes(quick):
        print(f"\nnote: {note}")
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
