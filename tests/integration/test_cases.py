"""Cases in a real database (SQLite and PostgreSQL): scopes in SQL, concurrent fires, audit.

The sample case type is `support.sample_case` (tests/support/sample_case.py).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from kzreg.law.errors import Conflict, NotFound
from kzreg.platform.actors import SYSTEM, Actor, Role
from kzreg.platform.audit import AuditEntry, verify
from kzreg.platform.cases import (
    Case,
    CaseEvent,
    fire,
    get_case_for,
    in_scope,
    open_case,
    open_deadlines,
    visible_cases,
)
from kzreg.platform.db import unit_of_work
from support.sample_case import SAMPLE

ACME, BETA = "123456789012", "210987654321"
T0 = dt.datetime(2024, 4, 30, 10, 0, tzinfo=dt.UTC)
OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER, clearance=3)
ACTORS = [
    Actor("acme", Role.MANUFACTURER, bin=ACME),
    Actor("beta", Role.CARRIER, bin=BETA),
    Actor("nobin", Role.DECLARANT),
    Actor("c1", Role.CUSTOMS_OFFICER, offices=frozenset({"55201"})),
    Actor("c12", Role.CUSTOMS_HEAD, offices=frozenset({"55201", "55202"})),
    Actor("d0", Role.DEFENSE_OFFICER),
    Actor("d3", Role.DEFENSE_OFFICER, clearance=3),
    Actor("audit", Role.AUDITOR),
    Actor("ops", Role.OPERATOR, clearance=1),
    OFFICER,
    SYSTEM,
]


def _open(session, title, **kw):
    return open_case(session, SAMPLE.name, actor=OFFICER, title=title, at=T0, **kw)


def test_visible_cases_in_sql_agree_with_the_scope_rule(db):
    with unit_of_work() as s:
        _open(s, "acme only", party_bins=[ACME])
        _open(s, "acme and beta", party_bins=[ACME, BETA])
        _open(s, "office 55201", office_codes=["55201"])
        _open(s, "office 55202, acme", office_codes=["55202"], party_bins=[ACME])
        _open(s, "secret 3", clearance=3, party_bins=[BETA])
        _open(s, "secret 1", clearance=1, office_codes=["55201"])
        _open(s, "nobody's", party_bins=[])
    with unit_of_work() as s:
        every = s.scalars(select(Case)).all()
        for actor in ACTORS:
            in_sql = {c.title for c in s.scalars(visible_cases(s, actor))}
            assert in_sql == {c.title for c in every if in_scope(actor, c)}, actor.username
        seen = lambda name: {c.title for c in s.scalars(visible_cases(s, ACTORS[name]))}  # noqa: E731
        assert seen(0) == {"acme only", "acme and beta", "office 55202, acme"}
        assert seen(1) == {"acme and beta"}  # secret 3 names BETA, but clearance 0
        assert seen(2) == set()
        assert seen(3) == {"office 55201"}
        assert seen(4) == {"office 55201", "office 55202, acme"}
        assert len(seen(6)) == 7 and len(seen(5)) == 5
        with pytest.raises(NotFound):
            get_case_for(s, ACTORS[1], 1)


def test_a_case_moves_and_every_step_is_on_the_audit_record(db):
    with unit_of_work() as s:
        case_id = _open(s, "permit", party_bins=[ACME]).id
    maker = ACTORS[0]
    with unit_of_work() as s:
        fire(s, case_id, "take", actor=OFFICER, at=T0 + dt.timedelta(hours=1))
        fire(s, case_id, "comment", actor=maker, payload={"text": "Қазақ тілі"},
             at=T0 + dt.timedelta(hours=2))
    with unit_of_work() as s:
        case = get_case_for(s, maker, case_id)
        assert (case.state, case.version, case.data["comments"]) == ("review", 3,
                                                                     ["Қазақ тілі"])
        assert [t.name for t in open_deadlines(s, maker)] == ["inspect"]
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)
                            .order_by(AuditEntry.seq)).all()
        assert actions == ["case.opened", "case.take", "case.comment"]
        assert verify(s).ok


def test_two_concurrent_fires_from_one_state_cannot_both_succeed(db):
    """Two officers press "take" and "refuse" at once: one wins, the other gets Conflict."""
    with unit_of_work() as s:
        case_id = _open(s, "race", party_bins=[ACME]).id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(transition: str, payload: dict | None) -> None:
        try:
            with unit_of_work() as s:
                case = s.get(Case, case_id)  # both read version 1, state submitted
                assert case.version == 1
                barrier.wait(timeout=10)
                fire(s, case_id, transition, actor=OFFICER, payload=payload,
                     expected_version=1, at=T0 + dt.timedelta(hours=1))
            outcomes.append(transition)
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=press, args=("take", None)),
               threading.Thread(target=press, args=("refuse", {"reason": "too late"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
    with unit_of_work() as s:
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        assert len(events) == 2  # the opening and the one winner
        assert s.get(Case, case_id).version == 2
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 2
        assert verify(s).ok


def test_a_stale_read_is_caught_by_the_version_even_without_a_lock(db):
    """The guard runs between reading and writing; another session moves the case then."""
    if not db.startswith("sqlite"):
        pytest.skip("PostgreSQL locks the row: the other session would wait, not interleave")
    with unit_of_work() as s:
        case_id = _open(s, "stale", party_bins=[ACME]).id
        fire(s, case_id, "take", actor=OFFICER, at=T0)
    from support import sample_case

    original = SAMPLE.transition("grant").guard

    def meddling_guard(case, payload, as_of):
        with unit_of_work() as other:
            fire(other, case_id, "refuse", actor=OFFICER, payload={"reason": "meanwhile"},
                 at=T0)
        return True

    object.__setattr__(SAMPLE.transition("grant"), "guard", meddling_guard)
    try:
        with pytest.raises(Conflict), unit_of_work() as s:
            fire(s, case_id, "grant", actor=OFFICER, at=T0)
    finally:
        object.__setattr__(SAMPLE.transition("grant"), "guard", original)
    assert sample_case.SAMPLE.transition("grant").guard is original
    with unit_of_work() as s:
        assert s.get(Case, case_id).state == "refused"


def test_a_classified_title_and_payload_can_be_kept_out_of_the_audit_log(db):
    """`audit_title=False` / `audit_payload=False`: the case keeps its title and history for
    readers cleared to it; the audit log says only that they were withheld."""
    with unit_of_work() as s:
        case_id = _open(s, "Radar Kestrel-7", party_bins=[ACME], clearance=2,
                        audit_title=False).id
        fire(s, case_id, "take", actor=OFFICER, at=T0 + dt.timedelta(hours=1))
        fire(s, case_id, "comment", actor=OFFICER, payload={"text": "Kestrel range 60 km"},
             at=T0 + dt.timedelta(hours=2), audit_payload=False)
        plain_id = _open(s, "permit", party_bins=[ACME]).id
    with unit_of_work() as s:
        case = get_case_for(s, OFFICER, case_id)
        assert case.title == "Radar Kestrel-7"
        assert s.scalars(select(CaseEvent.payload).where(
            CaseEvent.case_id == case_id, CaseEvent.transition == "comment")).one() \
            == {"text": "Kestrel range 60 km"}
        logged = s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                           .order_by(AuditEntry.seq)).all()
        assert [e.action for e in logged] == ["case.opened", "case.take", "case.comment"]
        assert logged[0].payload["title"] == "[withheld]" and logged[0].payload["clearance"] == 2
        assert logged[2].payload["payload"] == "[withheld]"
        assert all("Kestrel" not in e.data for e in logged)
        plain = s.scalars(select(AuditEntry).where(AuditEntry.case_id == plain_id)).one()
        assert plain.payload["title"] == "permit"        # the default is unchanged
        assert verify(s).ok
