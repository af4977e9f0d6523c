"""Notices on SQLite and PostgreSQL: written with the event or not at all; inbox marks.

Order 407 §11 is the model case: the national operator informs the departure and
destination officials of a non-routine situation within one hour, so the notice records
when it was acknowledged and the system lists those not acknowledged in time.
"""

import datetime as dt

import pytest
from sqlalchemy import func, select

from kzreg.law.citations import cite
from kzreg.law.errors import InputError, NotFound
from kzreg.platform.db import unit_of_work
from kzreg.platform.notifications import (
    Notice,
    OutboxMessage,
    acknowledge,
    inbox,
    mark_read,
    notify,
    outbox_messages,
    overdue_acknowledgements,
)
from kzreg.platform.users import create_user

T0 = dt.datetime(2025, 3, 14, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def people(db):
    with unit_of_work() as s:
        dep = create_user(s, "dep.officer", "customs_officer", "correct-horse-1",
                          offices=["55301"], email="dep@kgd.gov.kz")
        dest = create_user(s, "dest.officer", "customs_officer", "correct-horse-2",
                           offices=["39501"], email="dest@kgd.gov.kz")
        quiet = create_user(s, "no.mail", "industry_officer", "correct-horse-3")
        return {"dep": dep.id, "dest": dest.id, "quiet": quiet.id}


def counts():
    with unit_of_work() as s:
        return (s.scalar(select(func.count()).select_from(Notice)),
                s.scalar(select(func.count()).select_from(OutboxMessage)))


def test_a_rolled_back_event_leaves_no_notice_and_no_mail(people):
    class EventFailed(Exception):
        pass

    with pytest.raises(EventFailed), unit_of_work() as s:
        notices = notify(s, recipients=[people["dep"], people["dest"]],
                         subject="Нештатная ситуация", body="Потеря сигнала", at=T0)
        assert len(notices) == 2 and all(n.id for n in notices)   # written, uncommitted
        raise EventFailed
    assert counts() == (0, 0)


def test_a_committed_event_has_an_inbox_notice_per_person_and_mail_for_those_with_address(
        people):
    with unit_of_work() as s:
        notices = notify(s, recipients=[people["dep"], people["quiet"], people["dep"]],
                         subject="Нештатная ситуация", body="Потеря сигнала более 3 часов",
                         kind="alert", basis=cite("order-407", "Rules §11"),
                         due_ack_within=HOUR, at=T0)
    assert [n.user_id for n in notices] == [people["dep"], people["quiet"]]  # each once
    assert counts() == (2, 1)
    with unit_of_work() as s:
        [row] = outbox_messages(s, status="pending")
        assert row.to_address == "dep@kgd.gov.kz"
        assert row.attempts == 0 and row.next_attempt_at == T0 and row.sent_at is None
        assert "Order 407" in row.body                      # the basis travels with the mail
        [notice] = inbox(s, people["dep"])
        assert notice.subject == "Нештатная ситуация"
        assert notice.citation == cite("order-407", "Rules §11")
        assert notice.created_at == T0 and notice.ack_due_at == T0 + HOUR
        assert notice.read_at is None and notice.acknowledged_at is None


def test_read_and_acknowledgement_times_are_recorded_once(people):
    with unit_of_work() as s:
        [notice] = notify(s, recipients=[people["dest"]], subject="Уведомление", body="",
                          due_ack_within=HOUR, at=T0)
    with unit_of_work() as s:
        mark_read(s, people["dest"], notice.id, at=T0 + dt.timedelta(minutes=10))
        mark_read(s, people["dest"], notice.id, at=T0 + dt.timedelta(minutes=20))
        assert inbox(s, people["dest"], unread_only=True) == []
    with unit_of_work() as s:
        acknowledge(s, people["dest"], notice.id, at=T0 + dt.timedelta(minutes=40))
        acknowledge(s, people["dest"], notice.id, at=T0 + dt.timedelta(minutes=90))
    with unit_of_work() as s:
        stored = s.get(Notice, notice.id)
        assert stored.read_at == T0 + dt.timedelta(minutes=10)
        assert stored.acknowledged_at == T0 + dt.timedelta(minutes=40)
        assert not stored.acknowledged_late


def test_acknowledging_marks_an_unread_notice_read(people):
    with unit_of_work() as s:
        [notice] = notify(s, recipients=[people["dep"]], subject="S", body="B", at=T0)
    with unit_of_work() as s:
        acknowledge(s, people["dep"], notice.id, at=T0 + HOUR)
        assert s.get(Notice, notice.id).read_at == T0 + HOUR


def test_someone_elses_notice_does_not_exist_for_you(people):
    with unit_of_work() as s:
        [notice] = notify(s, recipients=[people["dep"]], subject="S", body="B", at=T0)
    with unit_of_work() as s:
        for mark in (mark_read, acknowledge):
            with pytest.raises(NotFound) as err:
                mark(s, people["dest"], notice.id)
            assert err.value.field == "notice_id"
        assert inbox(s, people["dest"]) == []


def test_order_407_s11_unacknowledged_after_one_hour_is_overdue(people):
    """Operator informs departure and destination officials within one hour (§11)."""
    with unit_of_work() as s:
        notify(s, recipients=[people["dep"], people["dest"]], kind="alert",
               subject="Нештатная ситуация", body="Снятие пломбы",
               basis=cite("order-407", "Rules §11"), due_ack_within=HOUR, at=T0)
        notify(s, recipients=[people["dep"]], subject="No deadline", body="", at=T0)
    with unit_of_work() as s:
        dep_notice = inbox(s, people["dep"])[-1]
        acknowledge(s, people["dep"], dep_notice.id, at=T0 + dt.timedelta(minutes=40))
    with unit_of_work() as s:
        assert overdue_acknowledgements(s, T0 + HOUR) == []        # the hour is not over
        late = overdue_acknowledgements(s, T0 + HOUR + dt.timedelta(seconds=1))
        assert [n.user_id for n in late] == [people["dest"]]
        assert overdue_acknowledgements(s, T0 + 2 * HOUR, user_id=people["dep"]) == []


def test_an_absolute_acknowledgement_deadline_counts_from_the_event(people):
    occurred = T0 - dt.timedelta(minutes=30)   # the situation arose before the notice
    with unit_of_work() as s:
        [notice] = notify(s, recipients=[people["dep"]], subject="S", body="B", at=T0,
                          ack_due_at=occurred + HOUR)
        assert notice.ack_due_at == T0 + dt.timedelta(minutes=30)


BAD = [({"recipients": []}, "recipients"),
       ({"subject": "  "}, "subject"),
       ({"kind": "gossip"}, "kind"),
       ({"due_ack_within": dt.timedelta(0)}, "due_ack_within"),
       ({"due_ack_within": HOUR, "ack_due_at": T0}, "ack_due_at"),
       ({"recipients": [999_999]}, "recipients")]


def test_bad_notices_are_refused_naming_the_field_and_nothing_is_written(people):
    for kwargs, field in BAD:
        args = {"recipients": [people["dep"]], "subject": "S", "body": "B", **kwargs}
        with pytest.raises((InputError, NotFound)) as err, unit_of_work() as s:
            notify(s, **args)
        assert err.value.field == field, kwargs
    with pytest.raises(NotFound), unit_of_work() as s:   # one bad id spoils the whole notice
        notify(s, recipients=[people["dep"], 999_999], subject="S", body="B")
    assert counts() == (0, 0)
