"""The audit chain's hashing and checking, on plain objects (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

from kzreg.platform.audit import GENESIS, canonical_json, check_chain, entry_hash

T0 = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)


@dataclasses.dataclass
class Row:
    id: int
    seq: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    case_type: str | None
    case_id: int | None
    basis: str | None
    data: str
    prev_hash: str
    hash: str = ""


def chain(n: int) -> list[Row]:
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        row = Row(i, i, T0 + dt.timedelta(seconds=i), "aigerim", "customs_officer",
                  "escort.decide", "escort", 100 + i, "order-407:Rules §9",
                  canonical_json({"n": i}), prev)
        row.hash = entry_hash(row.seq, row.at, row.actor, row.role, row.action, row.case_type,
                              row.case_id, row.basis, row.data, row.prev_hash)
        rows.append(row)
        prev = row.hash
    return rows


def test_canonical_json_sorts_keys_and_keeps_numbers_exact():
    assert canonical_json({"b": Decimal("0.10"), "a": [1, "Қ"]}) == '{"a":[1,"Қ"],"b":"0.1"}'


def test_hash_covers_every_field_and_the_previous_hash():
    row = chain(1)[0]
    base = dataclasses.astuple(row)[1:-1]  # seq … prev_hash
    assert len(row.hash) == 64 and row.hash == entry_hash(*base)
    for i in range(len(base)):
        changed = list(base)
        changed[i] = (T0 + dt.timedelta(microseconds=1)) if i == 1 else \
            (base[i] + 1 if isinstance(base[i], int) else f"{base[i]}x")
        assert entry_hash(*changed) != row.hash, f"field {i} not covered"


def test_hash_is_the_sha256_of_a_json_array_with_utc_microseconds():
    almaty = dt.timezone(dt.timedelta(hours=5))
    at = dt.datetime(2025, 3, 1, 14, 30, tzinfo=almaty)  # = 09:30 UTC
    fields = [1, "2025-03-01T09:30:00.000000Z", "u", "admin", "a", None, None, None, "{}",
              GENESIS]
    expected = hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()
    assert entry_hash(1, at, "u", "admin", "a", None, None, None, "{}", GENESIS) == expected


def test_fields_cannot_bleed_into_each_other():
    a = entry_hash(1, T0, "ab", "c", "x", None, None, None, "{}", GENESIS)
    b = entry_hash(1, T0, "a", "bc", "x", None, None, None, "{}", GENESIS)
    assert a != b
    assert entry_hash(1, T0, "a", "b", "x", None, None, None, "{}", GENESIS) != \
        entry_hash(1, T0, "a", "b", "x", "", None, None, "{}", GENESIS)


def test_an_intact_chain_verifies():
    rows = chain(5)
    result = check_chain(rows, 5, rows[-1].hash)
    assert result.ok and result.checked == 5 and result.head_hash == rows[-1].hash


def test_the_empty_log_verifies():
    assert check_chain([], 0, GENESIS).ok


def test_an_edited_entry_is_named():
    rows = chain(5)
    rows[2].data = canonical_json({"n": 999})
    result = check_chain(rows, 5, rows[-1].hash)
    assert not result.ok and (result.first_bad_seq, result.first_bad_id) == (3, 3)
    assert "edited" in result.reason and result.checked == 2


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_next_link():
    rows = chain(5)
    row = rows[2]
    row.actor = "intruder"
    row.hash = entry_hash(row.seq, row.at, row.actor, row.role, row.action, row.case_type,
                          row.case_id, row.basis, row.data, row.prev_hash)
    result = check_chain(rows, 5, rows[-1].hash)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "prev_hash" in result.reason


def test_a_deleted_entry_names_the_next_one():
    rows = chain(5)
    del rows[2]
    result = check_chain(rows, 5, rows[-1].hash)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 4, 4)
    assert "seq 3 is missing" in result.reason


def test_a_deleted_and_renumbered_entry_breaks_the_link():
    rows = chain(5)
    del rows[2]
    for row in rows[2:]:
        row.seq -= 1
    result = check_chain(rows, 4, rows[-1].hash)
    assert (result.ok, result.first_bad_id) == (False, 4)


def test_swapped_entries_are_caught():
    rows = chain(5)
    rows[1].seq, rows[2].seq = 3, 2
    rows.sort(key=lambda r: r.seq)
    result = check_chain(rows, 5, rows[-1].hash)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 2, 3)
    assert "reordered" in result.reason


def test_a_truncated_tail_is_caught_by_the_head():
    rows = chain(5)
    result = check_chain(rows[:3], 5, rows[-1].hash)
    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 4, None)
    assert "ends at seq 3" in result.reason


def test_a_head_hash_that_does_not_match_is_caught():
    rows = chain(3)
    assert not check_chain(rows, 3, "f" * 64).ok


def test_append_refuses_bad_input_naming_the_field():
    import pytest

    from kzreg.law.errors import InputError
    from kzreg.platform.actors import SYSTEM
    from kzreg.platform.audit import append

    with pytest.raises(InputError) as naive:
        append(None, actor=SYSTEM, action="x", at=dt.datetime(2025, 1, 1))
    assert naive.value.field == "at"
    with pytest.raises(InputError) as long_action:
        append(None, actor=SYSTEM, action="x" * 101)
    assert long_action.value.field == "action"
