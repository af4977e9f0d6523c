"""Load and soak test: locust against a running `kzreg serve` on PostgreSQL with the demo.

    .venv/bin/python -m benchmarks.load.run                  # 60 s: 200 reads/s + 20 writes/s
    .venv/bin/python -m benchmarks.load.run --soak           # an hour, memory sampled
    .venv/bin/python -m benchmarks.load.run --profile        # also py-spy on the server

It makes a throwaway PostgreSQL database (dropped afterwards unless --keep), migrates it,
loads the demo, prepares tokens, session cookies and cases, starts `kzreg serve` and runs
locust headless (benchmarks/load/locustfile.py) at a fixed offered rate: readers × pace
reads/s and writers × pace writes/s. It prints a markdown table — rate achieved, p50/p99
per path and for all reads and all writes, the load average of the machine during the run
(other work shares it), and the server's memory over time (the soak's flatness check).
The first `--warmup` seconds are left out of the percentiles. Results are also written as
JSON to --out. Needs `pip install locust` (and `py-spy` for --profile).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PG_ADMIN = os.environ.get("KZREG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
WRITES = ("api: POST a transition", "api: POST /api/risk/score")
USERS = ("industry", "inspector", "customs.almaty", "manufacturer", "admin")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its children (uvicorn workers), in MiB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


# -- the database and the server -----------------------------------------------------------

def make_database(keep_url: str | None) -> tuple[str, str | None]:
    if keep_url:
        return keep_url, None
    import psycopg

    name = f"kzreg_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].split("://", 1)[1]
    return f"postgresql+psycopg://{base}/{name}", name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(db_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, KZREG_DATABASE_URL=db_url, KZREG_DATA_DIR=str(data_dir),
               KZREG_EXTRA_MODULES="benchmarks.load.casetype")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def kzreg(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "kzreg.cli", *args], env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"kzreg {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def fixtures(env: dict[str, str], url: str) -> dict:
    """Tokens, session cookies, cases to move, and the paths that answer 200 here."""
    os.environ.update({k: env[k] for k in ("KZREG_DATABASE_URL", "KZREG_DATA_DIR",
                                           "KZREG_EXTRA_MODULES")})
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from benchmarks.load.casetype import LOAD_NOTE
    from kzreg.platform.cases import Case, open_case
    from kzreg.platform.db import unit_of_work
    from kzreg.platform.users import find_user, issue_token, start_web_session

    out: dict = {"tokens": {}, "cookies": {}}
    with unit_of_work() as s:
        for name in USERS:
            user = find_user(s, name)
            out["tokens"][name] = issue_token(s, name)
            out["cookies"][name] = start_web_session(s, user.id)[0]
        officer = find_user(s, "industry").actor()
        out["note_cases"] = [open_case(s, LOAD_NOTE, actor=officer, title=f"load {n}").id
                             for n in range(50)]
        by_type: dict[str, list[int]] = defaultdict(list)
        for case_id, case_type in s.execute(select(Case.id, Case.case_type)):
            by_type[case_type].append(case_id)
    pages = (("assembly", "industry", "/assembly/agreements/"),
             ("risk", "inspector", "/risk/orders/"), ("producers", "industry", "/producers/cases/"))
    case_pages = [(user, f"{path}{i}") for room, user, path in pages
                  for i in [i for t, ids in sorted(by_type.items()) if t.startswith(room)
                            for i in ids][:6]]
    candidates = {
        "room_pages": [("industry", "/assembly/queue"), ("inspector", "/risk/"),
                       ("customs.almaty", "/escort/"), ("industry", "/producers/register/"),
                       ("industry", "/inbox")],
        "case_pages": case_pages,
        "api_lists": [("inspector", "/api/risk/subjects"),
                      ("industry", "/api/assembly/agreements"),
                      ("industry", "/api/assembly/queue"),
                      ("customs.almaty", "/api/escort/escorts")],
    }
    with httpx.Client(base_url=url, timeout=30) as http:
        for key, paths in candidates.items():
            good = []
            for user, path in paths:
                headers = ({"Authorization": f"Bearer {out['tokens'][user]}"}
                           if path.startswith("/api/")
                           else {"Cookie": f"kzreg_session={out['cookies'][user]}"})
                status = http.get(path, headers=headers).status_code
                if status == 200:
                    good.append((user, path))
                else:
                    print(f"  skipped {path} as {user}: {status}", file=sys.stderr)
            out[key] = good[:30]
            if not good:
                raise SystemExit(f"no {key} answer 200: is the demo loaded?")
    out["score_rows"] = [{"id": f"s{n}", "type": "regulated_product_seller",
                          "considerable_found": n % 7, "considerable_total": 7}
                         for n in range(10)]
    return out


def start_server(env: dict[str, str], port: int, log: Path, workers: int,
                 entry: Path | None = None) -> subprocess.Popen:
    """`kzreg serve`; `entry` is a script to run instead of `-m kzreg.cli` (an experiment
    that patches something first, then calls `kzreg.cli.main`)."""
    program = [str(entry)] if entry else ["-m", "kzreg.cli"]
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, *program, "serve", "--port",
                                 str(port), "--log-level", "warning", "--workers",
                                 str(workers)], env=env, stdout=out, stderr=subprocess.STDOUT)
    until = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > until:
            raise SystemExit(f"kzreg serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


# -- the run ---------------------------------------------------------------------------------

class Sampler(threading.Thread):
    """The server's memory and the machine's load average every `every` seconds."""

    def __init__(self, pid: int, every: float) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float, float]] = []   # (t, rss MiB, load 1 min)
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.stop.is_set():
            self.samples.append((round(time.monotonic() - start, 1), round(rss_mb(self.pid), 1),
                                 os.getloadavg()[0]))
            self.stop.wait(self.every)


def summarize(samples: list, warmup: float, seconds: float) -> dict:
    if not samples:
        raise SystemExit("locust recorded no requests")
    t0 = samples[0][0]
    kept = [s for s in samples if s[0] - t0 >= warmup]
    span = max(1.0, seconds - warmup)
    rows = {}
    groups: dict[str, list] = defaultdict(list)
    for _, name, ms, ok in kept:
        groups[name].append((ms, ok))
        groups["all writes" if name in WRITES else "all reads"].append((ms, ok))
    for name, values in sorted(groups.items()):
        ms = [v for v, _ in values]
        rows[name] = {"requests": len(values), "per_s": round(len(values) / span, 1),
                      "failures": sum(1 for _, ok in values if not ok),
                      "p50_ms": percentile(ms, 50), "p99_ms": percentile(ms, 99),
                      "max_ms": max(ms)}
    return rows


def memory_verdict(samples: list[tuple[float, float, float]]) -> dict:
    """Flat memory: the last tenth of the run against the tenth after warm-up."""
    if len(samples) < 10:
        return {}
    tenth = max(1, len(samples) // 10)
    early = [rss for _, rss, _ in samples[tenth:2 * tenth]]
    late = [rss for _, rss, _ in samples[-tenth:]]
    first, last = sum(early) / len(early), sum(late) / len(late)
    return {"rss_early_mib": round(first, 1), "rss_late_mib": round(last, 1),
            "growth_mib": round(last - first, 1),
            "growth_pct": round(100 * (last - first) / first, 1) if first else None}


def table(result: dict) -> str:
    lines = ["| path | requests | req/s | failures | p50 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in result["paths"].items():
        bold = "**" if name.startswith("all ") else ""
        lines.append(f"| {bold}{name}{bold} | {r['requests']} | {r['per_s']} | "
                     f"{r['failures']} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | "
                     f"{r['max_ms']:.0f} |")
    load = result["load_average"]
    lines.append("")
    lines.append(f"Offered: {result['offered_reads_per_s']} reads/s + "
                 f"{result['offered_writes_per_s']} writes/s for {result['seconds']} s "
                 f"(warm-up {result['warmup']} s excluded); server workers: "
                 f"{result['workers']}; load average (1 min) during the run: mean "
                 f"{load['mean']}, max {load['max']} (before: {load['before']}); "
                 f"{os.cpu_count()} cores.")
    if result.get("memory"):
        m = result["memory"]
        lines.append(f"Server memory: {m['rss_early_mib']} MiB after warm-up → "
                     f"{m['rss_late_mib']} MiB at the end ({m['growth_mib']:+} MiB, "
                     f"{m['growth_pct']:+}%).")
    return "\n".join(lines)


def profile_summary(raw: Path, top: int = 25) -> str:
    """Inclusive share of samples per function of ours (py-spy's collapsed stacks)."""
    inclusive: dict[str, int] = defaultdict(int)
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        seen = set()
        for frame in stack.split(";"):
            if "kzreg" in frame or "sqlalchemy" in frame or "psycopg" in frame \
                    or "jinja2" in frame or "starlette" in frame or "fastapi" in frame:
                key = frame.split(" (")[0] + " (" + frame.split("/")[-1].rstrip(")") + ")"
                if key not in seen:
                    seen.add(key)
                    inclusive[key] += int(n)
    lines = [f"py-spy: {total} samples; inclusive share of the top functions:"]
    for key, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {key}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, help="seconds (default 60; soak 3600)")
    parser.add_argument("--soak", action="store_true", help="an hour, memory every 30 s")
    parser.add_argument("--readers", type=int, default=40)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--pace", type=float, default=5.0, help="requests/s per user")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--db-url", help="use this (demo-loaded) database; else a new one")
    parser.add_argument("--keep", action="store_true", help="keep the new database")
    parser.add_argument("--profile", action="store_true", help="py-spy the server")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load")
    parser.add_argument("--entry", type=Path, help="run this script as the server (an "
                        "experiment: it patches, then calls kzreg.cli.main)")
    args = parser.parse_args(argv)
    seconds = args.duration or (3600.0 if args.soak else 60.0)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="kzreg-load-"))
    db_url, created = make_database(args.db_url)
    env = environment(db_url, work / "data")
    server = None
    try:
        if created:
            print(f"database {created}: migrating and loading the demo …", file=sys.stderr)
            kzreg(env, "db", "upgrade")
            kzreg(env, "demo", "load")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(env, port, work / "serve.log", args.workers, args.entry)
        fixture_file = work / "fixtures.json"
        fixture_file.write_text(json.dumps(fixtures(env, url)), encoding="utf-8")
        sampler = Sampler(server.pid, 30.0 if args.soak else 2.0)
        before = os.getloadavg()[0]
        sampler.start()
        spy = None
        if args.profile:
            py_spy = str(Path(sys.executable).with_name("py-spy"))
            spy = subprocess.Popen([py_spy, "record", "--pid", str(server.pid), "--format",
                                    "raw", "--output", str(work / "profile.txt"),
                                    "--duration", str(int(seconds)), "--nonblocking"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        users = args.readers + args.writers
        locust_env = dict(env, KZREG_LOAD_FIXTURES=str(fixture_file),
                          KZREG_LOAD_SAMPLES=str(work / "samples.json"),
                          KZREG_LOAD_PACE=str(args.pace),
                          KZREG_LOAD_READERS_WEIGHT=str(args.readers),
                          KZREG_LOAD_WRITERS_WEIGHT=str(args.writers))
        print(f"locust: {users} users for {seconds:.0f} s against {url} …", file=sys.stderr)
        subprocess.run([str(Path(sys.executable).with_name("locust")), "-f",
                        str(HERE / "locustfile.py"), "--headless", "-u", str(users), "-r",
                        str(users), "-t", f"{int(seconds)}s", "--host", url,
                        "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
                       env=locust_env, stdout=subprocess.DEVNULL)   # exit 1: had failures
        sampler.stop.set()
        sampler.join()
        if spy is not None:
            spy.wait(60)
        samples = json.loads((work / "samples.json").read_text())
        loads = [load for *_, load in sampler.samples] or [before]
        result = {"when": stamp, "seconds": seconds, "warmup": args.warmup,
                  "workers": args.workers,
                  "offered_reads_per_s": args.readers * args.pace,
                  "offered_writes_per_s": args.writers * args.pace,
                  "paths": summarize(samples, args.warmup, seconds),
                  "load_average": {"before": round(before, 2),
                                   "mean": round(sum(loads) / len(loads), 2),
                                   "max": round(max(loads), 2)},
                  "memory": memory_verdict(sampler.samples),
                  "memory_samples": sampler.samples}
        print(table(result))
        if args.profile and (work / "profile.txt").exists():
            summary = profile_summary(work / "profile.txt")
            (args.out / f"profile-{stamp}.txt").write_text(summary, encoding="utf-8")
            print(summary)
        out = args.out / f"{'soak' if args.soak else 'load'}-{stamp}.json"
        out.write_text(json.dumps(result, indent=1), encoding="utf-8")
        print(f"\nresults: {out}", file=sys.stderr)
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        if created and not args.keep:
            drop_database(created)
        elif created:
            print(f"kept database: {db_url}", file=sys.stderr)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    raise SystemExit(main())
