"""Terms as the acts state them, and the deadline they give, with the trace of the counting.

`Duration.parse("10 working days")`; `deadline(start, duration, roll_to_working_day=...,
count_start_day=...)` returns an `Explained` whose steps say what was counted and which
convention was applied: the day of the triggering event is not counted (Civil Code, General
Part, Ch 6); a last day on a non-working day moves to the next working day only when asked
(or, with `roll_to_working_day=None`, as the setting `calendar.roll_end_to_working_day` says);
a term in days from an instant runs out at the end of its last Almaty day (`end_of_day_utc`).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from kzreg.law.calendar import (
    CIVIL_TERMS,
    WEEKDAYS,
    add_calendar_days,
    add_hours,
    add_months,
    add_working_days,
    as_date,
    day_status,
    end_of_day_utc,
    in_calendar,
    is_working_day,
    local_date,
    next_working_day,
    non_working_days,
)
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import Setting, get_setting


class Unit(enum.Enum):
    HOURS = "hours"
    CALENDAR_DAYS = "calendar days"
    WORKING_DAYS = "working days"
    MONTHS = "months"
    YEARS = "years"


_UNIT_WORDS = {
    Unit.HOURS: ("h", "hr", "hrs", "hour", "hours"),
    Unit.CALENDAR_DAYS: ("cd", "calendar day", "calendar days"),
    Unit.WORKING_DAYS: ("wd", "working day", "working days", "workday", "workdays",
                        "business day", "business days"),
    Unit.MONTHS: ("month", "months"),
    Unit.YEARS: ("y", "yr", "yrs", "year", "years"),
}
_UNITS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}


@dataclass(frozen=True)
class Duration:
    """A term as the acts state it: "10 working days", "24 hours", "5 years"."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str, *, field: str = "duration") -> Duration:
        """Read "10 working days", "10 (ten) working days", "30 calendar days", "24 hours",
        "1 month", "5 years", or the short forms "10wd", "10cd", "24h", "5y"."""
        plain = re.sub(r"\([^)]*\)", " ", str(text)).lower().replace("\u2212", "-")
        match = re.fullmatch(r"([+-]?)\s*(\d+)\s*([a-z _-]*)", plain.strip())
        if match is None:
            raise InputError(f"{text!r} is not a term such as '10 working days'", field=field)
        word = " ".join(match[3].replace("-", " ").replace("_", " ").split())
        unit = _UNITS.get(word)
        if unit is None:
            hint = " (say calendar days or working days)" if word in ("d", "day", "days") else ""
            raise InputError(f"unknown unit {word!r} in {text!r}{hint}", field=field)
        return cls(int(match[1] + match[2]), unit)

    def __str__(self) -> str:
        name = self.unit.value
        return f"{self.amount} {name[:-1] if abs(self.amount) == 1 else name}"


def deadline(start: dt.date | dt.datetime, duration: Duration | str, *,
             roll_to_working_day: bool | None = False,
             count_start_day: bool = False) -> Explained[dt.date | dt.datetime]:
    """The end of a term, with the trace of what was counted.

    `start` is the day (or instant) of the triggering event. A term in hours needs an instant
    and returns one in the same zone. A term in days, months or years returns its last day
    for a date start; for an instant it is counted in Almaty dates and returns the exclusive
    UTC instant at which it runs out (`end_of_day_utc`).

    `roll_to_working_day`: a last day falling on a non-working day moves to the next working
    day; None means "as the setting calendar.roll_end_to_working_day says" (for a term
    running forward in days, months or years; never for hours or a backward count).
    `count_start_day`: the act says the day of the event itself is the first day of the term.
    """
    if not isinstance(duration, Duration):
        duration = Duration.parse(duration)
    n, unit = duration.amount, duration.unit
    counted_text = f"{duration}" if n >= 0 else f"{Duration(-n, unit)} back"
    trace = Trace("calendar.deadline")
    roll_use = get_setting("calendar.roll_end_to_working_day")
    roll = bool(roll_to_working_day)
    if roll_to_working_day is None:  # the setting speaks of terms running forward in days
        roll = roll_use.value and unit is not Unit.HOURS and n > 0
    if unit is Unit.HOURS:
        if not isinstance(start, dt.datetime):
            raise InputError("a term in hours runs from a date-time, not a date", field="start")
        if roll or count_start_day:
            raise InputError("a term in hours is elapsed time: no day to count or move",
                             field="roll_to_working_day" if roll else "count_start_day")
        end = trace.step(f"{duration} of elapsed time from the event (UTC offset changes, "
                         "such as Almaty's on 2024-03-01, neither add nor remove time)",
                         add_hours(start, n), inputs={"start": start, "duration": str(duration)})
        return trace.done(end)
    if (roll or count_start_day) and n < 0:
        raise InputError("a term counted backwards neither counts its start day nor moves "
                         "forward to a working day",
                         field="roll_to_working_day" if roll else "count_start_day")

    instant = start if isinstance(start, dt.datetime) else None
    day = local_date(start, field="start") if instant else as_date(start, "start")
    trace.step(f"the triggering event: {WEEKDAYS[day.weekday()]} {day}", day,
               inputs={"start": start, "duration": str(duration)})
    if instant is not None:
        trace.step("a term in days, months or years from an instant is counted in Almaty "
                   "calendar dates", day)
    counted = count_start_day and n > 0
    if counted:
        trace.step("the day of the triggering event is counted as the first day of the term "
                   "(the act says so)")
    elif n != 0:
        trace.step("the day of the triggering event is not counted: the term starts on the "
                   + ("next day" if n > 0 else "day before, counting back"), citation=CIVIL_TERMS)

    base = day - dt.timedelta(days=1) if counted else day
    if unit is Unit.CALENDAR_DAYS:
        end = add_calendar_days(base, n)
        trace.step(f"counted {counted_text}, weekends and holidays included", end)
    elif unit is Unit.WORKING_DAYS:
        end = add_working_days(base, n)
        # the days passed over: (base, end] forward, [end + 1, base - 1] backward
        low, high = (base, end) if n > 0 else (end, base - dt.timedelta(days=1))
        skipped = [f"{d} {name}" for d, name in non_working_days(low, high)
                   if name != "weekend"]
        note = f"; holidays skipped: {', '.join(skipped)}" if skipped else ""
        trace.step(f"counted {counted_text}, skipping weekends and non-working holidays and "
                   f"counting weekend days made working days{note}", end)
    else:
        months = n if unit is Unit.MONTHS else 12 * n
        end = add_months(day, months)
        clamped = end.day != day.day
        trace.step(f"counted {counted_text}: the corresponding day of the last month"
                   + (" - that month has no such day, so its last day" if clamped else ""),
                   end, citation=CIVIL_TERMS)
        if counted:
            end = trace.step("the start day being the first day, the term ends the day "
                             "before", end - dt.timedelta(days=1))

    end = _roll(trace, end, roll, roll_use if roll_to_working_day is None else None)
    if instant is None:
        return trace.done(end)
    day_end = get_setting("calendar.day_ends_at")
    until = trace.step(f"the term runs out at the end of its last day ({day_end.value} Almaty "
                       "time): the first instant that is late, in UTC", end_of_day_utc(end),
                       citation=CIVIL_TERMS, parameters=[day_end.use()])
    return trace.done(until)


def _roll(trace: Trace, end: dt.date, roll: bool, use: Setting | None) -> dt.date:
    if not in_calendar(end):
        if roll:  # cannot tell whether the day is a working day: refuse rather than guess
            is_working_day(end)
        return end
    if is_working_day(end):
        return end
    why = day_status(end).removeprefix("holiday: ")
    if not roll:
        trace.step(f"the last day {end} is a non-working day ({why}); not moved: pure "
                   "date arithmetic (roll_to_working_day is off)", end,
                   parameters=[use.use()] if use is not None else [])
        return end
    moved = next_working_day(end)
    return trace.step(f"the last day {end} fell on a non-working day ({why}), moved to the "
                      f"next working day {moved}", moved, citation=CIVIL_TERMS,
                      parameters=[use.use()] if use is not None else [])
