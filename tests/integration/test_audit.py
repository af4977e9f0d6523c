"""The audit log in a real database (SQLite and PostgreSQL): append, verify, tamper.

The tampering tests play an administrator with rights on the database: they switch the
append-only triggers off with raw SQL, then edit, delete or reorder entries, and expect
`verify` (and `kzreg audit verify`) to name the first bad entry.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import exc, select, text, update

from kzreg.law.citations import cite
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.audit import GENESIS, AuditEntry, append, entries, verify
from kzreg.platform.db import get_engine, unit_of_work

KZREG = str(Path(sys.executable).with_name("kzreg"))
OFFICER = Actor("aigerim", Role.CUSTOMS_OFFICER, offices=frozenset({"55101"}))
BASIS = cite("order-407", "Rules §9")


def append_n(n: int, case_id: int = 7) -> list[AuditEntry]:
    with unit_of_work() as session:
        return [append(session, actor=OFFICER, action="escort.decide", case_id=case_id,
                       case_type="escort", basis=BASIS, data={"step": i, "note": "Қазақ"})
                for i in range(1, n + 1)]


def run_sql(db: str, *statements: str) -> None:
    with get_engine(db).begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def disable_triggers(db: str) -> None:
    """What an administrator can do; the chain must still give the tampering away."""
    if db.startswith("sqlite"):
        run_sql(db, "DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete")
    else:
        run_sql(db, "ALTER TABLE audit_log DISABLE TRIGGER USER")


def check(db: str):
    with unit_of_work() as session:
        return verify(session)


def kzreg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KZREG, *args], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=60)


def test_appended_entries_form_a_chain(db):
    at = dt.datetime(2025, 3, 1, 4, 5, 6, 789, tzinfo=dt.UTC)
    with unit_of_work() as session:
        first = append(session, actor=SYSTEM, action="deadline.fire", at=at)
    rest = append_n(3)
    with unit_of_work() as session:
        stored = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in stored] == [1, 2, 3, 4]
    assert stored[0].prev_hash == GENESIS and stored[0].at == at and stored[0].data == "{}"
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert stored[1].basis == "order-407:Rules §9" and stored[1].role == "customs_officer"
    assert stored[1].payload == {"note": "Қазақ", "step": 1}
    assert (first.seq, rest[-1].hash) == (1, stored[-1].hash)
    result = check(db)
    assert (result.ok, result.checked, result.head_hash) == (True, 4, stored[-1].hash)


def test_an_empty_log_verifies(db):
    assert check(db).ok and check(db).checked == 0


def test_a_rolled_back_append_leaves_no_trace(db):
    append_n(2)
    with pytest.raises(RuntimeError), unit_of_work() as session:
        append(session, actor=OFFICER, action="escort.decide")
        raise RuntimeError("the transition failed")
    append_n(1)
    assert check(db).ok and check(db).checked == 3


def test_triggers_refuse_update_and_delete(db):
    append_n(2)
    for statement in ("UPDATE audit_log SET data = '{}' WHERE seq = 1",
                      "DELETE FROM audit_log WHERE seq = 2",
                      "UPDATE audit_head SET seq = 1",
                      "DELETE FROM audit_head"):
        with pytest.raises(exc.DBAPIError, match="append-only|only moves forward"):
            run_sql(db, statement)
    with pytest.raises(exc.DBAPIError, match="append-only"), unit_of_work() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor="x"))
    if db.startswith("postgresql"):
        with pytest.raises(exc.DBAPIError, match="append-only"):
            run_sql(db, "TRUNCATE audit_log")
    assert check(db).ok and check(db).checked == 2


def test_an_edited_entry_is_named(db):
    entries_ = append_n(5)
    disable_triggers(db)
    run_sql(db, "UPDATE audit_log SET data = replace(data, 'Қазақ', 'forged') WHERE seq = 3")
    result = check(db)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 3, entries_[2].id)
    assert "edited" in result.reason and result.checked == 2


def test_a_deleted_entry_names_the_next(db):
    entries_ = append_n(5)
    disable_triggers(db)
    run_sql(db, "DELETE FROM audit_log WHERE seq = 3")
    result = check(db)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 4, entries_[3].id)
    assert "seq 3 is missing" in result.reason


def test_swapped_entries_are_caught(db):
    entries_ = append_n(5)
    disable_triggers(db)
    run_sql(db, "UPDATE audit_log SET seq = -1 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 3",
            "UPDATE audit_log SET seq = 3 WHERE seq = -1")
    result = check(db)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 2, entries_[2].id)
    assert "reordered" in result.reason


def test_a_cut_off_tail_is_caught(db):
    append_n(5)
    disable_triggers(db)
    run_sql(db, "DELETE FROM audit_log WHERE seq >= 4")
    result = check(db)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 4, None)
    assert "ends at seq 3" in result.reason


def test_an_entry_slipped_in_beyond_the_head_is_caught(db):
    entries_ = append_n(3)
    e = entries_[-1]
    run_sql(db, "INSERT INTO audit_log (seq, at, actor, role, action, data, prev_hash, hash) "
                f"SELECT 4, at, 'intruder', role, action, data, '{e.hash}', hash "
                "FROM audit_log WHERE seq = 3")
    result = check(db)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "beyond the recorded head" in result.reason


def test_verify_reads_in_batches(db, monkeypatch):
    monkeypatch.setattr("kzreg.platform.audit.BATCH", 3)
    entries_ = append_n(10)
    assert check(db).checked == 10
    disable_triggers(db)
    run_sql(db, "DELETE FROM audit_log WHERE seq = 7")
    result = check(db)
    assert (result.first_bad_seq, result.first_bad_id) == (8, entries_[7].id)


def test_concurrent_appends_keep_one_chain(db):
    start, errors = threading.Barrier(3), []

    def worker() -> None:
        try:
            start.wait()
            for _ in range(15):
                append_n(1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    result = check(db)
    assert (result.ok, result.checked) == (True, 45)


def test_a_second_append_waits_for_the_first_transaction(db):
    """The head is locked from the first append until commit: no two entries share a seq."""
    append_n(1)
    done = threading.Event()
    seqs = []

    def second() -> None:
        seqs.extend(e.seq for e in append_n(1, case_id=2))
        done.set()

    with unit_of_work() as session:
        seqs.append(append(session, actor=OFFICER, action="first").seq)
        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(0.5), "the second append did not wait for the lock"
    thread.join(timeout=30)
    assert seqs == [2, 3] and check(db).ok


def test_entries_lists_a_case_oldest_first(db):
    append_n(2, case_id=1)
    append_n(3, case_id=2)
    with unit_of_work() as session:
        listed = entries(session, case_id=2, limit=2)
    assert [e.seq for e in listed] == [4, 5]


def test_cli_verify_and_show(db):
    entries_ = append_n(4)
    ok = kzreg("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"ok: 4 entries, head {entries_[-1].hash}"
    shown = kzreg("audit", "show", "--case", "7", "--limit", "2")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == 2 and "aigerim (customs_officer)" in lines[0]
    assert "escort.decide" in lines[0] and "order-407:Rules §9" in lines[0]
    local = entries_[2].at.astimezone(dt.timezone(dt.timedelta(hours=5)))
    assert local.strftime("%Y-%m-%d %H:%M") in lines[0]  # Almaty: UTC+5 since 2024-03-01

    disable_triggers(db)
    run_sql(db, "UPDATE audit_log SET actor = 'intruder' WHERE seq = 2")
    bad = kzreg("audit", "verify")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.strip() == (f"TAMPERED at entry seq 2 (id {entries_[1].id}): "
                                  "hash mismatch: the entry was edited")
