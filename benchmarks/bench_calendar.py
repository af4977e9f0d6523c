"""Working-day arithmetic and deadlines: called for every term of every case.

Random start dates 2016-01-01..2034-12-31 (inside the default calendar 2015-2035, so
60 working days later is still covered) and n in 1..60, from a fixed seed.
"""

from __future__ import annotations

import datetime as dt
import random

from benchmarks._harness import Result, measure
from kzreg.law.calendar import ALMATY, add_working_days, is_working_day
from kzreg.law.deadlines import Duration, Unit, deadline

FIRST, LAST = dt.date(2016, 1, 1), dt.date(2034, 12, 31)


def _cases(count: int, seed: int = 20261121) -> list[tuple[dt.date, int]]:
    rng = random.Random(seed)
    span = (LAST - FIRST).days
    return [(FIRST + dt.timedelta(days=rng.randrange(span + 1)), rng.randint(1, 60))
            for _ in range(count)]


def run(quick: bool = False) -> list[Result]:
    calls = 2_000 if quick else 200_000
    deadlines = 200 if quick else 5_000
    repeats = 3 if quick else 5
    cases = _cases(calls)
    days = [start for start, _ in cases]
    few = cases[:deadlines]
    wd = [(start, Duration(n, Unit.WORKING_DAYS)) for start, n in few]
    instants = [(dt.datetime.combine(start, dt.time(15, 30), ALMATY),
                 Duration(n, Unit.CALENDAR_DAYS)) for start, n in few]
    add_working_days(FIRST, 1)  # build the calendar (holidays package, once) before timing

    def working_days() -> None:
        for start, n in cases:
            add_working_days(start, n)

    def working_day_test() -> None:
        for day in days:
            is_working_day(day)

    def deadline_wd() -> None:
        for start, term in wd:
            deadline(start, term, roll_to_working_day=True)

    def deadline_wd_text() -> None:
        for start, term in wd:
            deadline(start, term, roll_to_working_day=True).to_text()

    def deadline_instant() -> None:
        for start, term in instants:
            deadline(start, term, roll_to_working_day=None)

    return [
        measure("calendar.add_working_days (n 1..60)", working_days, ops=calls,
                repeats=repeats),
        measure("calendar.is_working_day", working_day_test, ops=calls, repeats=repeats),
        measure("deadlines.deadline (date + n working days, roll)", deadline_wd,
                ops=deadlines, repeats=repeats),
        measure("deadlines.deadline (… + explanation .to_text())", deadline_wd_text,
                ops=deadlines, repeats=repeats),
        measure("deadlines.deadline (instant + n calendar days -> UTC end)",
                deadline_instant, ops=deadlines, repeats=repeats),
    ]
