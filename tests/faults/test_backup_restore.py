"""`kzreg backup` / `kzreg restore` on SQLite (backup API) and PostgreSQL (pg_dump -Fc /
pg_restore): the round trip gives back every row of every table, and `kzreg audit verify`
accepts the restored chain; the copy is taken while the system keeps writing; a database
that is not empty is only replaced with --force; a damaged or foreign file is refused."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from faults.helpers import another_database, kzreg, snapshot
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case, fire, open_case
from kzreg.platform.db import get_engine, unit_of_work
from kzreg.tracking import registry
from kzreg.tracking.position import Position
from kzreg.tracking.store import Incoming, PositionStore
from support.sample_case import SAMPLE

OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER)
ACME = "123456789012"
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)


def fill(db: str, cases: int = 12, positions: int = 50) -> None:
    """Cases with transitions (and so audit entries and timers), a seal and its track."""
    with unit_of_work(db) as s:
        for n in range(cases):
            case = open_case(s, SAMPLE.name, actor=OFFICER, title=f"permit {n}",
                             party_bins=[ACME], at=T0)
            if n % 2:
                fire(s, case.id, "take", actor=OFFICER, at=T0 + dt.timedelta(hours=1))
            if n % 3 == 0:
                fire(s, case.id, "refuse", actor=OFFICER, payload={"reason": "incomplete"},
                     at=T0 + dt.timedelta(hours=2))
        registry.register_seal(s, "KZ-B1", device_id="dev-backup", protocol="wialon-ips")
    store = PositionStore(db, max_future=dt.timedelta(minutes=5))
    try:
        store.write([Incoming("dev-backup", "wialon-ips", T0 + dt.timedelta(seconds=k + 1),
                              [Position("dev-backup", T0 + dt.timedelta(seconds=k),
                                        43.2 + k / 1e4, 76.9)]) for k in range(positions)])
    finally:
        store.close()


def test_round_trip_restores_every_row_and_the_audit_chain(db, tmp_path):
    fill(db)
    backup = tmp_path / "kzreg.backup"
    made = kzreg(db, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    before = snapshot(db)
    assert len(before["tracking_positions"]) == 50 and len(before["cases"]) == 12
    with another_database(db, tmp_path) as target:
        done = kzreg(target, "restore", str(backup))
        assert done.returncode == 0, done.stderr
        assert "audit chain ok" in done.stdout
        verified = kzreg(target, "audit", "verify")
        assert verified.returncode == 0, verified.stderr
        head = before["audit_head"][0][2]
        assert verified.stdout.startswith(f"ok: {before['audit_head'][0][1]} entries, "
                                          f"head {head}")
        after = snapshot(target)
        assert after.keys() == before.keys()
        for table in before:
            assert after[table] == before[table], table
        # the restored database goes on: ids, sequences and the audit head continue
        with unit_of_work(target) as s:
            case = open_case(s, SAMPLE.name, actor=OFFICER, title="after restore",
                             party_bins=[ACME], at=T0)
            assert case.id == 13
        assert kzreg(target, "audit", "verify").returncode == 0


def test_restore_refuses_a_database_that_is_not_empty_without_force(db, tmp_path):
    fill(db, cases=3, positions=2)
    backup = tmp_path / "kzreg.backup"
    assert kzreg(db, "backup", str(backup)).returncode == 0
    again = kzreg(db, "backup", str(backup))
    assert again.returncode == 2 and "--force" in again.stderr      # no silent overwrite
    with unit_of_work(db) as s:                                      # the live db moves on
        open_case(s, SAMPLE.name, actor=OFFICER, title="later", party_bins=[ACME], at=T0)
    refused = kzreg(db, "restore", str(backup))
    assert refused.returncode == 2 and "not empty" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert _cases(db) == 4                                          # untouched
    forced = kzreg(db, "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    assert _cases(db) == 3
    assert kzreg(db, "audit", "verify").returncode == 0


def test_a_damaged_or_foreign_backup_is_refused_and_changes_nothing(db, tmp_path):
    fill(db, cases=2, positions=1)
    before = snapshot(db)
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"not a backup at all" * 100)
    bad = kzreg(db, "restore", "--force", str(garbage))
    assert bad.returncode == 2 and "neither an SQLite backup nor a pg_dump" in bad.stderr
    backup = tmp_path / "kzreg.backup"
    assert kzreg(db, "backup", str(backup)).returncode == 0
    cut = tmp_path / "cut.backup"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])  # a torn copy
    torn = kzreg(db, "restore", "--force", str(cut))
    assert torn.returncode != 0 and "Traceback" not in torn.stderr
    assert torn.stderr.startswith("error:")
    assert snapshot(db) == before                 # nothing half-restored
    missing = kzreg(db, "restore", str(tmp_path / "nope.backup"))
    assert missing.returncode == 2 and "no backup file" in missing.stderr


def test_backup_while_cases_keep_moving_is_a_consistent_snapshot(db, tmp_path):
    fill(db, cases=20, positions=1)
    with unit_of_work(db) as s:
        ids = list(s.scalars(select(Case.id).where(Case.state == "review")))
    stop = threading.Event()

    def comments() -> None:                       # a self-transition: one audit entry each
        n = 0
        while not stop.is_set():
            with unit_of_work(db) as s:
                fire(s, ids[n % len(ids)], "comment", actor=OFFICER,
                     payload={"text": f"note {n}"}, at=T0 + dt.timedelta(hours=3))
            n += 1

    writer = threading.Thread(target=comments)
    writer.start()
    try:
        backups = []
        for k in range(2):
            backup = tmp_path / f"hot-{k}.backup"
            made = kzreg(db, "backup", str(backup))
            assert made.returncode == 0, made.stderr
            backups.append(backup)
    finally:
        stop.set()
        writer.join()
    get_engine(db).dispose()
    for backup in backups:
        with another_database(db, tmp_path) as target:
            done = kzreg(target, "restore", str(backup))
            assert done.returncode == 0, done.stderr + done.stdout   # the chain holds
            rows = snapshot(target)
            events = len(rows["case_events"])
            audit = len(rows["audit_log"])
            assert audit == rows["audit_head"][0][1]
            assert events == audit      # every case event has its audit entry, no more


def _cases(db: str) -> int:
    with unit_of_work(db) as s:
        return s.scalar(select(func.count()).select_from(Case))
