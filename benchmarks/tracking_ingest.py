"""Live ingest over TCP into PostgreSQL with detection; the PostgreSQL ceiling; engine memory.

`python -m benchmarks.tracking_ingest [--quick] [--connections N] [--rate R] [--seconds S]
[--workers W] [--generators G] [--ingest-only]`

1. ingest: a fresh PostgreSQL database; N seals registered and activated with a route;
   `kzreg tracking serve [--workers W]` in its own process(es) (Wialon IPS listener only);
   the load generator (`kzreg.tracking.loadgen`, G separate processes) drives N concurrent
   Wialon IPS 2.0 connections at R messages/s in total for S seconds. Reported: messages/s
   acknowledged (every ack means stored; judging follows at once), ack latency
   p50/p99/max, the rows found in the database afterwards (must equal the acks), and the
   CPU per acknowledged message of the service (all its processes), of the PostgreSQL
   backends serving the benchmark's database and of the generator: the three share the
   machine's cores, so their sum bounds the rate an idle machine could reach.
2. ceiling: on the same server, the raw rate of `COPY` into a copy of `tracking_positions`
   (same indexes) and of `INSERT … ON CONFLICT DO NOTHING` (executemany), 2,000 rows per
   transaction: what the disk and PostgreSQL allow at best.
3. memory: RSS growth of a fresh process holding 100,000 active seals in the detection
   engine (`DetectionEngine`), with 100 distinct 50-point routes shared between them, and with a
   distinct 20-point route per seal.

Issue #4's targets: >= 20,000 messages/s sustained, ack p99 < 100 ms (2 cores), < 1 GiB
for 100,000 seals. The load average is printed: on a shared machine the numbers are only
indicative.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

PG_ADMIN = os.environ.get("KZREG_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def postgres_database():
    import psycopg

    from kzreg.platform.db import reset_engines, upgrade

    name = f"kzreg_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{PG_ADMIN.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        reset_engines()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ingest(url: str, connections: int, rate: float, seconds: float, workers: int = 1,
           generators: int = 0) -> dict:
    from sqlalchemy import func, select

    from kzreg.platform.db import unit_of_work
    from kzreg.tracking.loadgen import register_fleet, run_loadgen
    from kzreg.tracking.models import TrackingPosition

    with unit_of_work(url) as session:
        register_fleet(session, connections, route_seconds=int(seconds * rate / connections) + 60)
    port = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="kzreg-bench-"))
    (folder / "settings.yaml").write_text(
        f"tracking.listen_host: 127.0.0.1\ntracking.wialon_ips_port: {port}\n"
        f"tracking.listeners: [wialon-ips]\n", encoding="utf-8")
    env = dict(os.environ, KZREG_DATABASE_URL=url, KZREG_DATA_DIR=str(folder),
               KZREG_SETTINGS_FILE=str(folder / "settings.yaml"))
    server = subprocess.Popen([sys.executable, "-m", "kzreg.cli", "tracking", "serve",
                               "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(folder / "serve.log", "wb"))
    try:
        until = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > until or server.poll() is not None:
                    raise RuntimeError((folder / "serve.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        time.sleep(2 + workers)            # the seal poller has the fleet; workers listen
        load = os.getloadavg()[0]
        service = [server.pid, *_children(server.pid)]
        cpu_before = sum(_cpu_seconds(pid) for pid in service)
        db_before = {pid: _cpu_seconds(pid) for pid in _backends(url)}
        result = run_loadgen("127.0.0.1", port, connections=connections, rate=rate,
                             seconds=seconds,
                             processes=generators or max(1, min(4, connections // 500)))
        cpu = sum(_cpu_seconds(pid) for pid in service) - cpu_before
        # the writers connect at their first batch: backends born during the run count whole
        db_cpu = sum(_cpu_seconds(pid) - db_before.get(pid, 0.0)
                     for pid in {*db_before, *_backends(url)})
    finally:
        server.terminate()
        server.wait(60)
    with unit_of_work(url) as session:
        stored = session.scalar(select(func.count()).select_from(TrackingPosition))
    # CPU time of the service per message: what a shared machine's load does not distort
    acked = max(result.acked, 1)
    return {**result.summary(), "stored_rows": stored, "load_before": round(load, 2),
            "workers": workers,
            "service_cpu_us_per_message": round(cpu / acked * 1e6, 1),
            "postgres_cpu_us_per_message": round(db_cpu / acked * 1e6, 1)}


def _cpu_seconds(pid: int) -> float:
    """user + system CPU of a process (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    """The worker processes of `serve --workers`."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def _backends(url: str) -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database (not the other
    databases of a shared server): their CPU is the storage's cost per message."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]


def ceiling(url: str, rows: int) -> dict:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    batch = 2000
    out = {}
    with psycopg.connect(dsn) as conn:
        for method in ("copy", "insert"):
            table = f"ceiling_{method}"
            conn.execute(f"CREATE TABLE {table} (LIKE tracking_positions INCLUDING ALL)")
            conn.commit()
            data = [(f"86{n % 5000:013d}", start + dt.timedelta(seconds=n), f"S{n % 5000}", now,
                     43.2, 76.9, 45.0, 315.0, True, "closed", 87.0, False) for n in range(rows)]
            t0 = time.perf_counter()
            with conn.cursor() as cur:
                for i in range(0, rows, batch):
                    chunk = data[i:i + batch]
                    if method == "copy":
                        with cur.copy(f"COPY {table} FROM STDIN") as copy:
                            for row in chunk:
                                copy.write_row(row)
                    else:
                        cur.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, "
                                        f"%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING", chunk)
                    conn.commit()
            out[f"pg_{method}_rows_per_s"] = round(rows / (time.perf_counter() - t0))
    return out


MEMORY_PROBE = r"""
import datetime as dt, gc, json, sys
def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) * 1024
from kzreg.escort.engine import DetectionEngine
count, distinct, points = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def route(n):
    return {"type": "LineString", "coordinates": [
        [60 + (n % 200) * 0.1 + k * 0.01, 42 + (n // 200) * 0.001 + k * 0.005]
        for k in range(points)]}
routes = [route(n) for n in range(distinct)]
t0 = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
gc.collect(); before = rss()
engine = DetectionEngine()
for n in range(count):
    engine.activate(f"KZ{n:07d}", t0 + dt.timedelta(seconds=n % 3600), routes[n % distinct], 500)
gc.collect()
print(json.dumps({"seals": len(engine), "bytes": rss() - before}))
"""


def memory(count: int, distinct: int, points: int) -> int:
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(count), str(distinct),
                          str(points)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["bytes"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1,
                        help="kzreg tracking serve --workers N")
    parser.add_argument("--generators", type=int, default=0,
                        help="load generator processes (default: one per 500 connections, "
                             "at most 4)")
    parser.add_argument("--ingest-only", action="store_true",
                        help="skip the PostgreSQL ceiling and the memory probes")
    args = parser.parse_args(argv)
    if args.quick:
        args.connections, args.rate, args.seconds = 200, 2000, 5
    print(f"# tracking ingest benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()}")
    with postgres_database() as url:
        result = ingest(url, args.connections, args.rate, args.seconds, args.workers,
                        args.generators)
        if not args.ingest_only:
            result.update(ceiling(url, 20_000 if args.quick else 200_000))
    seals = 10_000 if args.quick else 100_000
    if not args.ingest_only:
        result[f"engine_{seals}_seals_shared_routes_MiB"] = round(
            memory(seals, 100, 50) / 2**20, 1)
        result[f"engine_{seals}_seals_own_routes_MiB"] = round(
            memory(seals, seals, 20) / 2**20, 1)
    result["load_after"] = round(os.getloadavg()[0], 2)
    for key, value in result.items():
        print(f"{key:40} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
