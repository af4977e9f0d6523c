"""Kazakhstan's legal time: Almaty time, working days, and deadline arithmetic.

One place, used by every module:

* **Time.** `ALMATY` comes from the `tzdata` package, so Asia/Almaty is UTC+5 from
  1 March 2024 (it was UTC+6) whatever the host's own tz database says. Storage is UTC:
  `now_utc`, `to_utc`, `to_local`, `local_date`, `start_of_local_day`, `end_of_day_utc`.
* **Working days.** Public holidays, observed days (a holiday falling on a weekend gives the
  next working day off) and days moved by Government resolutions (e.g. Saturday 2024-05-04
  worked, Wednesday 2024-05-08 off) come from the `holidays` package (`holidays.KZ`). They
  are precomputed once for the years of the settings `calendar.first_year`..`last_year`;
  a date outside those years is refused rather than guessed.
* **Arithmetic.** `add_hours` (elapsed time), `add_calendar_days`, `add_working_days`,
  `add_months`, `add_years`. The `Duration` value and `deadline()`, which explains what it
  counted, live in `kzreg.law.deadlines` and can be imported from here too.

Conventions (Civil Code, General Part, Ch 6 "Calculation of terms"): a term counted from an
event starts on the next day, so the day of the event is not counted; a term in months or
years ends on the corresponding day of its last month, or on that month's last day when it
has no such day (31 Jan + 1 month = 28/29 Feb; 29 Feb + 1 year = 28 Feb).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo
from bisect import bisect_left, bisect_right
from calendar import monthrange
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from kzreg.law.citations import Citation
from kzreg.law.errors import InputError
from kzreg.law.settings import setting

UTC = dt.UTC
# Citation, not cite(): importing the calendar must not depend on parsing acts.yaml
CIVIL_TERMS = Citation("code-civil", "Ch 6")  # Civil Code, calculation of terms
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- time -------------------------------------------------------------------------------

def _load_almaty() -> zoneinfo.ZoneInfo:
    """Asia/Almaty exactly as the `tzdata` package has it.

    When the host's file is byte-identical (or absent, so zoneinfo falls back to tzdata) the
    ordinary cached, picklable `ZoneInfo("Asia/Almaty")` is used; otherwise the packaged
    rules are loaded from the file, so an old system database cannot bring back UTC+6.
    """
    packaged = resources.files("tzdata").joinpath("zoneinfo", "Asia", "Almaty").read_bytes()
    system = next((p for p in (Path(root, "Asia", "Almaty") for root in zoneinfo.TZPATH)
                   if p.is_file()), None)
    if system is None or system.read_bytes() == packaged:
        return zoneinfo.ZoneInfo("Asia/Almaty")
    return zoneinfo.ZoneInfo.from_file(io.BytesIO(packaged), key="Asia/Almaty")


ALMATY = _load_almaty()
if dt.datetime(2024, 3, 1, 12, tzinfo=ALMATY).utcoffset() != dt.timedelta(hours=5):
    raise RuntimeError("the tzdata package is older than 2024a: Asia/Almaty must be UTC+5 "
                       "from 2024-03-01; upgrade tzdata")


def now_utc() -> dt.datetime:
    return dt.datetime.now(UTC)


def to_utc(value: dt.datetime, *, field: str = "datetime",
           assume_local: bool = False) -> dt.datetime:
    """An aware UTC datetime. A naive value is refused unless `assume_local`, in which case
    it is Almaty wall-clock time (in the repeated hour of 2024-02-29 23:00-24:00, the first)."""
    if not isinstance(value, dt.datetime):
        raise InputError(f"{value!r} is not a date-time", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        if not assume_local:
            raise InputError("date-time has no time zone (give a UTC offset)", field=field)
        value = value.replace(tzinfo=ALMATY)
    return value.astimezone(UTC)


def to_local(value: dt.datetime, *, field: str = "datetime") -> dt.datetime:
    """The same instant on Almaty wall-clock time."""
    return to_utc(value, field=field).astimezone(ALMATY)


def local_date(instant: dt.datetime, *, field: str = "datetime") -> dt.date:
    """The Almaty calendar date on which an instant falls."""
    return to_local(instant, field=field).date()


def start_of_local_day(day: dt.date) -> dt.datetime:
    """00:00 Almaty time on `day`, as an aware UTC datetime."""
    return dt.datetime.combine(as_date(day, "day"), dt.time(), ALMATY).astimezone(UTC)


def end_of_day_utc(day: dt.date) -> dt.datetime:
    """The exclusive UTC instant at which a term whose last day is `day` runs out.

    By default (setting `calendar.day_ends_at` = "24:00") that is 24:00 Almaty time, i.e.
    00:00 of the next local day: an act done at 23:59:59.999999 local time is in time, one
    done at the returned instant is late. A setting of "18:00" makes the term end at 18:00
    local time on `day` instead (the close of business of an organization).
    """
    day = as_date(day, "day")
    hours, minutes = _day_end()
    if (hours, minutes) == (24, 0):
        return start_of_local_day(day + dt.timedelta(days=1))
    return dt.datetime.combine(day, dt.time(hours, minutes), ALMATY).astimezone(UTC)


def _day_end() -> tuple[int, int]:
    text = setting("calendar.day_ends_at")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if match is None or not (0, 0) < (int(match[1]), int(match[2])) <= (24, 0) \
            or int(match[2]) > 59:
        raise InputError(f"{text!r} is not a time of day HH:MM up to 24:00",
                         field="settings.calendar.day_ends_at")
    return int(match[1]), int(match[2])


def as_date(value: object, field: str) -> dt.date:
    """`value` if it is a plain date (not a datetime), else InputError naming `field`."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputError(f"{value!r} is not a date (for an instant, take local_date() first)",
                         field=field)
    return value


# --- working days -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Calendar:
    first: dt.date
    last: dt.date
    working: tuple[int, ...]              # ordinals of every working day, ascending
    working_set: frozenset[int]
    holidays: dict[dt.date, str]          # public holidays and days off, with their names
    moved_workdays: dict[dt.date, dt.date | None]  # weekend day worked -> day off it bought


@cache
def _build(first_year: int, last_year: int) -> _Calendar:
    import holidays  # imported here: ~0.1 s, only for work that needs the calendar

    kz = holidays.KZ(years=range(first_year, last_year + 1), language="en_US")
    names = {day: _plain_name(name) for day, name in kz.items()
             if first_year <= day.year <= last_year}
    worked = {d for d in kz.weekend_workdays if first_year <= d.year <= last_year}
    moved = {w: next((d for d, n in names.items() if w.isoformat() in n), None)
             for w in worked}
    first, last = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    working = tuple(o for o in range(first.toordinal(), last.toordinal() + 1)
                    if _is_working(dt.date.fromordinal(o), names, worked))
    return _Calendar(first, last, working, frozenset(working), names, moved)


def _plain_name(name: str) -> str:
    """The package's English name, with ISO dates and the name used in Kazakhstan."""
    name = re.sub(r"substituted from (\d\d)/(\d\d)/(\d{4})", r"moved from \3-\1-\2", name)
    return name.replace("Eid al-Adha", "Kurban ait")


def _is_working(day: dt.date, names: dict[dt.date, str], worked: set[dt.date]) -> bool:
    return day not in names and (day.weekday() < 5 or day in worked)


def _calendar() -> _Calendar:
    first, last = setting("calendar.first_year"), setting("calendar.last_year")
    if not 1991 <= first <= last <= 2100:
        raise InputError(f"bad year range {first}..{last}", field="settings.calendar.first_year")
    return _build(first, last)


def _checked(day: dt.date, field: str) -> tuple[_Calendar, dt.date]:
    cal = _calendar()
    day = as_date(day, field)
    if not cal.first <= day <= cal.last:
        raise InputError(f"{day} is outside the working-day calendar ({cal.first.year}-"
                         f"{cal.last.year}; settings calendar.first_year/last_year)", field=field)
    return cal, day


def in_calendar(day: dt.date) -> bool:
    """Whether the working-day calendar covers `day` (settings calendar.first_year/last_year)."""
    cal = _calendar()
    return cal.first <= as_date(day, "date") <= cal.last


def is_working_day(day: dt.date) -> bool:
    cal, day = _checked(day, "date")
    return day.toordinal() in cal.working_set


def is_holiday(day: dt.date) -> str | None:
    """The name of the public holiday or day off on `day`, or None."""
    cal, day = _checked(day, "date")
    return cal.holidays.get(day)


def day_status(day: dt.date) -> str:
    """`working`, `holiday: NAME` or `weekend`."""
    if is_working_day(day):
        return "working"
    name = is_holiday(day)
    return f"holiday: {name}" if name else "weekend"


def holidays_of_year(year: int) -> list[tuple[dt.date, str]]:
    """The year's holidays and days off, and its weekend days made working days, by date."""
    cal = _calendar()
    if not cal.first.year <= year <= cal.last.year:
        raise InputError(f"{year} is outside the working-day calendar ({cal.first.year}-"
                         f"{cal.last.year}; settings calendar.first_year/last_year)", field="year")
    rows = [(d, n) for d, n in cal.holidays.items() if d.year == year]
    for worked, day_off in cal.moved_workdays.items():
        if worked.year == year:
            rows.append((worked, "working day" + (f" (day off moved to {day_off})"
                                                   if day_off else "")))
    return sorted(rows)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day`, which itself is not counted (n < 0: before it).

    add_working_days(Tue 2024-04-30, 10) == 2024-05-17: May 1, 7, 8 and 9 are days off and
    Saturday May 4 is a working day. n == 0 returns `day` unchanged.
    """
    cal, day = _checked(day, "date")
    if n == 0:
        return day
    ordinal = day.toordinal()
    index = bisect_right(cal.working, ordinal) + n - 1 if n > 0 \
        else bisect_left(cal.working, ordinal) + n
    if not 0 <= index < len(cal.working):
        raise InputError(f"{day} {n:+d} working days leaves the working-day calendar "
                         f"({cal.first.year}-{cal.last.year})", field="working_days")
    return dt.date.fromordinal(cal.working[index])


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after `day`."""
    return add_working_days(day, 1)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end < start), so
    that working_days_between(d, add_working_days(d, n)) == n."""
    cal, start = _checked(start, "start")
    _, end = _checked(end, "end")
    a, b = start.toordinal(), end.toordinal()
    if b >= a:
        return bisect_right(cal.working, b) - bisect_right(cal.working, a)
    return bisect_left(cal.working, b) - bisect_left(cal.working, a)


def non_working_days(after: dt.date, up_to: dt.date) -> list[tuple[dt.date, str]]:
    """Non-working days in (after, up_to], each with its holiday name or 'weekend'."""
    days = (after + dt.timedelta(days=i) for i in range(1, (up_to - after).days + 1))
    return [(d, day_status(d).removeprefix("holiday: ")) for d in days
            if not is_working_day(d)]


# --- arithmetic -------------------------------------------------------------------------

def add_hours(instant: dt.datetime, n: int) -> dt.datetime:
    """`instant` + n hours of elapsed time, in the zone it was given in.

    Counted in UTC: 2024-02-29 22:30+06:00 + 2 h = 2024-02-29 23:30+05:00 (Almaty set its
    clocks back an hour at 2024-03-01 00:00), not the wall-clock 00:30. Compare results in
    UTC: Python never equates a time in a repeated hour with a time in another zone.
    """
    return (to_utc(instant, field="start") + dt.timedelta(hours=n)).astimezone(instant.tzinfo)


def add_calendar_days(day: dt.date, n: int) -> dt.date:
    try:
        return as_date(day, "date") + dt.timedelta(days=n)
    except OverflowError:
        raise InputError(f"{day} {n:+d} days is out of range", field="calendar_days") from None


def add_months(day: dt.date, n: int) -> dt.date:
    """The corresponding day n months later, or that month's last day if it has none."""
    day = as_date(day, "date")
    year, month0 = divmod(day.year * 12 + day.month - 1 + n, 12)
    if not 1 <= year <= 9999:
        raise InputError(f"{day} {n:+d} months is out of range", field="months")
    return day.replace(year=year, month=month0 + 1,
                       day=min(day.day, monthrange(year, month0 + 1)[1]))


def add_years(day: dt.date, n: int) -> dt.date:
    """The same day n years later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * n)


def __getattr__(name: str) -> object:
    # deadline(), Duration and Unit live in kzreg.law.deadlines (which imports this module),
    # so they are re-exported lazily rather than by a circular import at the top
    if name in ("deadline", "Duration", "Unit"):
        from kzreg.law import deadlines

        return getattr(deadlines, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
