"""Durable deadlines fired by the worker across Kazakhstan's holidays, the 1 March 2024
time-zone change (Asia/Almaty UTC+6 → UTC+5), month ends, leap days and a clock that
jumps — end to end: the case opens, `start_timers` computes the due instant, the worker
fires it, on SQLite and PostgreSQL.

tests/unit/law/test_calendar.py and tests/law/test_calendar_kz.py check the calendar's
arithmetic on dates; here the question is whether the *stored* timers run out at the right
instant: a working-day or calendar-day term ends at the end of its last Almaty day (00:00
of the next), which is 18:00 UTC up to 28 February 2024 and 19:00 UTC from 29 February on
(the clocks went back at 00:00 on 1 March, so 29 February lasted 25 hours and ended at
00:00 +05); an hour term is elapsed time. The worker must not fire a second early, must fire at the
instant, records the transition at the term's own time whatever the clock says when it
runs, and never fires anything twice when the clock jumps back. Expected dates are worked
out by hand in the comments (Civil Code Art 183/185/186 style: the day of the event is not
counted; a term ending on a day off ends on the next working day, setting
calendar.roll_end_to_working_day).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kzreg.law.calendar import ALMATY
from kzreg.law.citations import cite
from kzreg.platform import worker
from kzreg.platform.actors import Actor, Role
from kzreg.platform.audit import AuditEntry, verify
from kzreg.platform.cases import (
    Case,
    CaseEvent,
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    open_case,
    register_case_type,
)
from kzreg.platform.db import unit_of_work
from kzreg.platform.timers import Timer

BASIS = cite("code-civil", "Art 186")
OFFICER = Actor("aigerim", Role.INDUSTRY_OFFICER)
UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def almaty(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def case_type(duration: str) -> CaseType:
    """A case that lapses automatically when `duration` runs out."""
    slug = duration.replace(" ", "-")
    return register_case_type(CaseType(
        name=f"time.{slug}", title=f"Lapses after {duration}",
        states=[State("waiting", deadlines=[DeadlineSpec("term", duration, BASIS,
                                                         on_expiry="lapse")]),
                State("lapsed", final=True)],
        transitions=[Transition("lapse", "waiting", "lapsed", roles={Role.SYSTEM},
                                citation=BASIS)]), replace=True)


def open_at(duration: str, at: dt.datetime) -> int:
    with unit_of_work() as s:
        return open_case(s, case_type(duration), actor=OFFICER, title=duration, at=at).id


def due_of(case_id: int) -> dt.datetime:
    with unit_of_work() as s:
        return s.scalars(select(Timer.due_at).where(Timer.case_id == case_id)).one()


def state_of(case_id: int) -> str:
    with unit_of_work() as s:
        return s.get(Case, case_id).state


TERMS = [
    # opened (Almaty time), term, due (UTC): the first instant that is late
    # 16, 19-23, 26-29 Feb: the 10th is 29 February, the 25-hour day, which ends at 00:00
    # on 1 March in UTC+5 — 19:00 UTC, an hour later than 18:00 for any earlier day
    pytest.param("2024-02-15T10:00", "10 working days", "2024-02-29T19:00",
                 id="ends-on-the-25-hour-leap-day"),
    pytest.param("2024-02-14T10:00", "10 working days", "2024-02-28T18:00",
                 id="ends-on-the-last-UTC+6-midnight"),
    # 27-29 Feb, 1 Mar, 4-7 Mar; 8 Mar is Women's Day; 11, 12 Mar: the 10th is 12 March,
    # which ends at 00:00 on the 13th in UTC+5
    pytest.param("2024-02-26T10:00", "10 working days", "2024-03-12T19:00",
                 id="spans-the-1-march-2024-offset-change"),
    # 18-20 Mar; Nauryz 21-23 Mar and its observed Monday 25 Mar are off; 26-29 Mar,
    # 1-3 Apr: the 10th is 3 April
    pytest.param("2024-03-15T10:00", "10 working days", "2024-04-03T19:00",
                 id="over-nauryz-and-its-observed-monday"),
    # 23-27, 30, 31 Dec; 1-2 Jan New Year, 3 Jan moved day off, Sunday 5 Jan 2025 a working
    # day, 6 Jan, 7 Jan Orthodox Christmas, 8 Jan: the 10th is 8 January 2025
    pytest.param("2024-12-20T10:00", "10 working days", "2025-01-08T19:00",
                 id="over-new-year-with-a-working-sunday"),
    # 6 Dec + 10 calendar days = 16 Dec, Independence Day: ends on Tuesday 17 Dec
    pytest.param("2024-12-06T10:00", "10 calendar days", "2024-12-17T19:00",
                 id="calendar-days-ending-on-independence-day"),
    # 31 Jan + 1 month: no 31 February, the last day of February — 29th in a leap year
    pytest.param("2024-01-31T10:00", "1 month", "2024-02-29T19:00", id="month-end-leap"),
    pytest.param("2025-01-31T10:00", "1 month", "2025-02-28T19:00", id="month-end-common"),
    pytest.param("2024-03-31T10:00", "1 month", "2024-04-30T19:00", id="month-end-30-days"),
    # an hour term is elapsed time: 12:00 (+06) on 29 Feb is 06:00 UTC; 24 hours later is
    # 06:00 UTC, which is 11:00 in Almaty on 1 March (+05), not 12:00
    pytest.param("2024-02-29T12:00", "24 hours", "2024-03-01T06:00",
                 id="hours-across-the-offset-change"),
    # 23:30 on 29 Feb happened twice (+06, then +05 after the clocks went back); either
    # way the Almaty date is 29 Feb, so counting starts on 1 March
    pytest.param("2024-02-29T23:30", "1 working day", "2024-03-01T19:00",
                 id="the-repeated-hour-of-29-february"),
]


@pytest.mark.parametrize("opened, duration, due", TERMS)
def test_the_worker_fires_a_term_at_its_instant_not_a_second_early(db, opened, duration,
                                                                   due):
    case_id = open_at(duration, almaty(opened))
    due_at = utc(due)
    assert due_of(case_id) == due_at
    assert worker.run_once(due_at - dt.timedelta(seconds=1)) == 0
    assert state_of(case_id) == "waiting"
    assert worker.run_once(due_at) == 1
    assert state_of(case_id) == "lapsed"
    with unit_of_work() as s:
        event = s.scalars(select(CaseEvent).where(CaseEvent.transition == "lapse")).one()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "case.lapse")).one()
        assert event.at == due_at and entry.at == due_at
        assert entry.basis == BASIS.ref


def test_the_offset_change_made_29_february_2024_a_25_hour_day(db):
    """Terms ending on 28 February, 29 February and 1 March run out 25, then 24 hours
    apart; both occurrences of the repeated hour 23:30 count from the same Almaty date."""
    feb28 = open_at("1 working day", almaty("2024-02-27T09:00"))
    feb29 = open_at("1 working day", almaty("2024-02-28T09:00"))
    mar01 = open_at("1 working day", almaty("2024-02-29T09:00"))
    assert due_of(feb29) - due_of(feb28) == dt.timedelta(hours=25)
    assert due_of(mar01) - due_of(feb29) == dt.timedelta(hours=24)
    first = open_at("1 working day", almaty("2024-02-29T23:30"))                # +06
    second = open_at("1 working day", almaty("2024-02-29T23:30").replace(fold=1))  # +05
    assert due_of(first) == due_of(second) == utc("2024-03-01T19:00")


def test_a_clock_that_jumps_forward_then_back_fires_each_term_once_at_its_own_time(db):
    opened = almaty("2024-02-26T10:00")
    cases = {duration: open_at(duration, opened)
             for duration in ("24 hours", "10 working days", "1 month", "10 calendar days")}
    dues = {duration: due_of(case_id) for duration, case_id in cases.items()}
    # the host was off for over a year, or NTP corrected a wildly wrong clock
    assert worker.run_once(utc("2025-06-01T00:00")) == len(cases)
    # and then the clock is set back (a wrong correction): nothing fires again
    for back in ("2024-02-26T00:00", "2024-03-05T00:00", "2025-05-31T00:00"):
        assert worker.run_once(utc(back)) == 0
    assert worker.run_once(utc("2025-06-02T00:00")) == 0
    with unit_of_work() as s:
        events = {e.case_id: e for e in s.scalars(select(CaseEvent)
                                                  .where(CaseEvent.transition == "lapse"))}
        assert verify(s).ok
    assert len(events) == len(cases)
    for duration, case_id in cases.items():
        assert events[case_id].at == dues[duration]          # the term's time, not the jump's
        assert events[case_id].detail["recorded_at"] == "2025-06-01T00:00:00+00:00"


def test_a_case_opened_while_the_clock_is_behind_counts_from_its_own_time(db):
    later = open_at("10 working days", almaty("2024-03-15T10:00"))
    assert worker.run_once(utc("2024-05-01T00:00")) == 1      # jumped ahead: it fires
    # the clock is set back to before Nauryz and a new case opens "then": its term counts
    # from its own opening time and the jump ahead does not make it late
    earlier = open_at("10 working days", almaty("2024-03-14T10:00"))
    assert due_of(earlier) == utc("2024-04-02T19:00")         # 15, 18-20, 26-29 Mar, 1-2 Apr
    assert worker.run_once(utc("2024-03-20T00:00")) == 0
    assert state_of(earlier) == "waiting" and state_of(later) == "lapsed"
    assert worker.run_once(utc("2024-04-02T19:00")) == 1
    assert state_of(earlier) == "lapsed"
