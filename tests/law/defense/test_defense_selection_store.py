"""The stored register and offshore lists (Art 6-1 sub 11, Art 20 p.10) on SQLite and
PostgreSQL: audited writes, dated reads, refused writes leave nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest

from kzreg.defense import registers, secrecy
from kzreg.defense.registers import Entity, Entry, Kind, OffshoreList, Owner
from kzreg.defense.selection import Gate, offshore_gate
from kzreg.law.errors import Conflict, Forbidden, InputError, NotFound
from kzreg.platform import audit
from kzreg.platform.actors import Actor, Role
from kzreg.platform.db import unit_of_work

OFFICER = Actor("officer", Role.DEFENSE_OFFICER, clearance=2)
AUDITOR = Actor("auditor", Role.AUDITOR)
ADMIN = Actor("admin", Role.ADMIN)
ALPHA = Entity("100000000001", "Alpha", production_facilities_in_kz=True,
               owners=(Owner("Holding", True, "XO"),))


def test_offshore_list_versions_are_stored_and_dated(db) -> None:
    with unit_of_work() as session:
        registers.store_offshore_list(session, OffshoreList(
            "v1", "test order 1", dt.date(2024, 1, 1), frozenset({"XO"})), ADMIN)
        registers.store_offshore_list(session, OffshoreList(
            "v2", "test order 2", dt.date(2025, 1, 1), frozenset({"XP"})), ADMIN)
    with unit_of_work() as session:
        versions = registers.offshore_versions(session)
        zones_2024 = registers.offshore_list(dt.date(2024, 6, 1), versions)
        zones_2025 = registers.offshore_list(dt.date(2025, 6, 1), versions)
        actions = [e.action for e in audit.entries(session)]
    assert zones_2024.id == "v1" and zones_2025.id == "v2"
    # the same owner is barred under v1 and not under v2 (each check date's list)
    assert offshore_gate(ALPHA, dt.date(2024, 6, 1), zones=zones_2024).value is Gate.INELIGIBLE
    assert offshore_gate(ALPHA, dt.date(2025, 6, 1), zones=zones_2025).value is Gate.ELIGIBLE
    assert actions.count("defense.offshore_list_loaded") == 2
    with pytest.raises(Conflict), unit_of_work() as session:
        registers.store_offshore_list(session, OffshoreList(
            "v1", "again", dt.date(2024, 1, 1), frozenset({"XO"})), ADMIN)
    with pytest.raises(Forbidden), unit_of_work() as session:
        registers.store_offshore_list(session, OffshoreList(
            "v3", "x", dt.date(2026, 1, 1), frozenset({"XO"})), AUDITOR)
    with pytest.raises(Forbidden), unit_of_work() as session:   # the officer neither
        registers.store_offshore_list(session, OffshoreList(
            "v3", "x", dt.date(2026, 1, 1), frozenset({"XO"})), OFFICER)


def test_register_inclusion_and_removal_are_stored(db) -> None:
    entry = Entry(ALPHA, (Kind.PRODUCER,), ("1",), dt.date(2024, 6, 1), "decision 1")
    with unit_of_work() as session:
        registers.save_entry(session, entry, OFFICER)
    with pytest.raises(Conflict), unit_of_work() as session:
        registers.save_entry(session, entry, OFFICER)
    with pytest.raises(InputError), unit_of_work() as session:
        registers.save_entry(session, Entry(Entity("2", "Foreign", resident=False),
                                            (Kind.SUPPLIER,), ("1",), dt.date(2024, 6, 1),
                                            "d"), OFFICER)
    with unit_of_work() as session:
        registers.remove_entry(session, ALPHA.bin, dt.date(2025, 1, 1), "lost licence",
                               OFFICER)
    with unit_of_work() as session:
        book = registers.load_register(session)
        assert [e.entity.owners for e in book.members(dt.date(2024, 12, 31), "1")] == [
            ALPHA.owners]
        assert book.members(dt.date(2025, 1, 1)) == []
        assert "Foreign" not in str([r.data for r in audit.entries(session)])
    with pytest.raises(NotFound), unit_of_work() as session:
        registers.remove_entry(session, ALPHA.bin, dt.date(2025, 2, 1), "again", OFFICER)


def test_classified_reads_are_audited(db) -> None:
    with unit_of_work() as session:
        secrecy.record_read(session, OFFICER, "order line 7", 0)
        secrecy.record_read(session, OFFICER, "order line 8", 2)
    with unit_of_work() as session:
        reads = [e for e in audit.entries(session) if e.action == "defense.classified_read"]
    assert len(reads) == 1 and reads[0].payload["what"] == "order line 8"
