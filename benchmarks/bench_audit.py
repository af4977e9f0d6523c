"""The audit log: appending (the write path of every action) and verifying the chain.

Run on a temporary SQLite file and on a temporary database of the local PostgreSQL
server (created, migrated with `db.upgrade`, dropped afterwards). Per engine:

* append, one transaction of B entries: a warm-up batch and the timed repeats together
  fill the log to exactly `entries` rows, which `verify` then walks;
* verify over that log;
* append, one transaction per entry (each one commits: the cost of a single user action).

PostgreSQL is skipped (and said so) when the server does not answer.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from benchmarks._harness import Result, measure
from kzreg.law.citations import cite
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import reset_engines, unit_of_work, upgrade

PG_ADMIN = os.environ.get("KZREG_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ACTOR = Actor("bench", Role.ADMIN)
BASIS = cite("order-407", "Rules §13")


@contextmanager
def sqlite_database() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="kzreg-bench-")
    try:
        yield f"sqlite:///{folder}/audit.db"
    finally:
        reset_engines()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"kzreg_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        reset_engines()
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3).close()
        return True
    except Exception:
        return False


def _append_one(session, i: int) -> None:
    audit.append(session, actor=ACTOR, action="case.submitted", case_type="escort",
                 case_id=i % 5000 + 1, basis=BASIS,
                 data={"step": i, "status": "submitted", "amount": "1250.50",
                       "at_local": dt.date(2026, 11, 21)})


def _bench_engine(label: str, url: str, *, entries: int, batch: int,
                  single: int, repeats: int) -> list[Result]:
    upgrade(url)
    counter = iter(range(1, 10**9))

    def one_transaction() -> None:
        with unit_of_work(url) as session:
            for _ in range(batch):
                _append_one(session, next(counter))

    def many_transactions() -> None:
        for _ in range(single):
            with unit_of_work(url) as session:
                _append_one(session, next(counter))

    def verify() -> None:
        with unit_of_work(url) as session:
            result = audit.verify(session)
        if not result.ok or result.checked != entries:
            raise RuntimeError(f"audit chain did not verify: {result}")

    batches = entries // batch  # the warm-up batch counts towards the log verify reads
    results = [measure(f"audit.append, {batch:,} in one transaction [{label}]",
                       one_transaction, ops=batch, repeats=batches - 1)]
    results.append(measure(f"audit.verify, {entries:,} entries [{label}]", verify,
                           ops=entries, repeats=3))
    results.append(measure(f"audit.append, one transaction each [{label}]",
                           many_transactions, ops=single, repeats=repeats))
    return results


def run(quick: bool = False) -> list[Result]:
    sizes = (dict(entries=400, batch=100, single=10, repeats=3) if quick else
             dict(entries=100_000, batch=20_000, single=1_000, repeats=5))
    engines: list[tuple[str, Callable]] = [("SQLite file", sqlite_database)]
    if postgres_available():
        engines.append(("PostgreSQL", postgres_database))
    else:
        print(f"note: PostgreSQL not reachable at {PG_ADMIN}; audit on PostgreSQL skipped")
    results: list[Result] = []
    for label, database in engines:
        with database() as url:
            results += _bench_engine(label, url, **sizes)
    return results
