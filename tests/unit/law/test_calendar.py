"""Unit tests of kzreg.law.calendar: time zones, working days, deadline arithmetic, CLI."""

import datetime as dt
import io
import os
import subprocess
import sys
import time
import zoneinfo
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kzreg.law.calendar import (
    ALMATY,
    UTC,
    Duration,
    Unit,
    add_calendar_days,
    add_hours,
    add_months,
    add_working_days,
    add_years,
    day_status,
    deadline,
    end_of_day_utc,
    holidays_of_year,
    is_holiday,
    is_working_day,
    local_date,
    next_working_day,
    start_of_local_day,
    to_local,
    to_utc,
    working_days_between,
)
from kzreg.law.errors import InputError
from kzreg.law.settings import override

D = dt.date.fromisoformat


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- time zones ---------------------------------------------------------------------------

def test_almaty_is_utc6_until_29_february_2024_and_utc5_from_1_march():
    assert dt.datetime(2024, 2, 29, 12, tzinfo=ALMATY).utcoffset() == dt.timedelta(hours=6)
    assert dt.datetime(2024, 3, 1, 12, tzinfo=ALMATY).utcoffset() == dt.timedelta(hours=5)


def test_almaty_follows_the_tzdata_package():
    data = resources.files("tzdata").joinpath("zoneinfo", "Asia", "Almaty").read_bytes()
    packaged = zoneinfo.ZoneInfo.from_file(io.BytesIO(data), key="Asia/Almaty")
    start = utc("2015-01-01T00:00:00")
    for hours in range(0, 24 * 365 * 12, 97):
        instant = start + dt.timedelta(hours=hours)
        assert instant.astimezone(ALMATY).utcoffset() == instant.astimezone(packaged).utcoffset()


def test_to_utc_refuses_a_naive_datetime_naming_the_field():
    with pytest.raises(InputError) as err:
        to_utc(dt.datetime(2024, 5, 1, 9), field="received_at")
    assert err.value.field == "received_at"


def test_to_utc_reads_a_naive_datetime_as_almaty_time_only_when_asked():
    assert to_utc(dt.datetime(2024, 5, 1, 9), assume_local=True) == utc("2024-05-01T04:00")
    assert to_utc(dt.datetime(2024, 2, 1, 9), assume_local=True) == utc("2024-02-01T03:00")


def test_to_utc_converts_aware_values_and_refuses_dates():
    plus3 = dt.timezone(dt.timedelta(hours=3))
    assert to_utc(dt.datetime(2024, 5, 1, 12, tzinfo=plus3)) == utc("2024-05-01T09:00")
    with pytest.raises(InputError):
        to_utc(dt.date(2024, 5, 1))


def test_to_local_and_local_date():
    assert to_local(utc("2024-05-01T04:00")) == dt.datetime(2024, 5, 1, 9, tzinfo=ALMATY)
    assert local_date(utc("2024-03-01T18:59:59")) == D("2024-03-01")
    assert local_date(utc("2024-03-01T19:00:00")) == D("2024-03-02")
    # the hour repeated when clocks went back: 23:30+05:00 is still 29 February
    assert local_date(utc("2024-02-29T18:30")) == D("2024-02-29")
    with pytest.raises(InputError):
        local_date(dt.datetime(2024, 3, 1))


def test_start_and_end_of_local_day_around_the_offset_change():
    assert start_of_local_day(D("2024-02-29")) == utc("2024-02-28T18:00")
    assert start_of_local_day(D("2024-03-01")) == utc("2024-02-29T19:00")
    # 29 February 2024 lasted 25 hours in Almaty
    assert end_of_day_utc(D("2024-02-29")) - start_of_local_day(D("2024-02-29")) \
        == dt.timedelta(hours=25)
    assert end_of_day_utc(D("2024-05-17")) == utc("2024-05-17T19:00")


def test_end_of_day_follows_the_setting():
    with override(calendar__day_ends_at="18:00"):
        assert end_of_day_utc(D("2024-05-17")) == utc("2024-05-17T13:00")
    with override(calendar__day_ends_at="25:00"), pytest.raises(InputError):
        end_of_day_utc(D("2024-05-17"))


# --- arithmetic ---------------------------------------------------------------------------

def test_add_hours_counts_elapsed_time_across_the_offset_change():
    before = dt.datetime(2024, 2, 29, 22, 30, tzinfo=ALMATY)  # +06:00
    after = add_hours(before, 2)
    # compare in UTC: Python never equates a time in a repeated hour with another zone's
    assert after.astimezone(UTC) == utc("2024-02-29T18:30")
    assert after.tzinfo is ALMATY and after.isoformat() == "2024-02-29T23:30:00+05:00"
    assert add_hours(dt.datetime(2024, 2, 29, 12, tzinfo=ALMATY), 24).isoformat() \
        == "2024-03-01T11:00:00+05:00"
    assert add_hours(utc("2024-05-01T00:00"), -1) == utc("2024-04-30T23:00")


def test_add_hours_refuses_a_naive_start():
    with pytest.raises(InputError):
        add_hours(dt.datetime(2024, 5, 1, 9), 1)


def test_add_calendar_days():
    assert add_calendar_days(D("2024-02-28"), 2) == D("2024-03-01")
    assert add_calendar_days(D("2024-03-01"), -1) == D("2024-02-29")
    with pytest.raises(InputError):
        add_calendar_days(dt.datetime(2024, 1, 1, tzinfo=UTC), 1)


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2024-01-31", 1, "2024-02-29"), ("2023-01-31", 1, "2023-02-28"),
    ("2024-08-31", 1, "2024-09-30"), ("2024-03-31", -1, "2024-02-29"),
    ("2024-11-15", 3, "2025-02-15"), ("2024-01-15", -13, "2022-12-15"),
    ("2024-05-17", 0, "2024-05-17"),
])
def test_add_months_clamps_to_the_end_of_month(start, n, expected):
    assert add_months(D(start), n) == D(expected)


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2024-02-29", 1, "2025-02-28"), ("2024-02-29", 4, "2028-02-29"),
    ("2024-02-29", -1, "2023-02-28"), ("2021-07-01", 5, "2026-07-01"),
])
def test_add_years_on_29_february(start, n, expected):
    assert add_years(D(start), n) == D(expected)


# --- working days -------------------------------------------------------------------------

def test_working_days_forward_backward_and_zero():
    assert add_working_days(D("2024-06-07"), 1) == D("2024-06-10")  # Friday -> Monday
    assert add_working_days(D("2024-06-08"), 1) == D("2024-06-10")  # from a Saturday
    assert add_working_days(D("2024-06-09"), -1) == D("2024-06-07")  # Sunday -> Friday
    assert add_working_days(D("2024-06-10"), -1) == D("2024-06-07")
    assert add_working_days(D("2024-05-17"), -10) == D("2024-04-30")
    assert add_working_days(D("2024-05-08"), 0) == D("2024-05-08")  # n = 0: unchanged


def test_next_working_day():
    assert next_working_day(D("2024-05-06")) == D("2024-05-10")
    assert next_working_day(D("2024-05-03")) == D("2024-05-04")  # the worked Saturday


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(2016, 2, 1), dt.date(2034, 10, 31)), st.integers(-200, 200))
def test_working_days_between_inverts_add_working_days(day, n):
    end = add_working_days(day, n)
    assert working_days_between(day, end) == n
    if n:
        assert is_working_day(end)
        assert (end > day) == (n > 0)


def test_add_working_days_is_fast():
    add_working_days(D("2024-01-01"), 1)  # build the calendar once
    started = time.perf_counter()
    for i in range(20_000):
        add_working_days(D("2024-04-30"), i % 40)
    assert time.perf_counter() - started < 2


def test_holidays_and_status():
    assert is_holiday(D("2024-12-16")) == "Independence Day"
    assert is_holiday(D("2024-05-08")) == "Day off (moved from 2024-05-04)"
    assert is_holiday(D("2024-06-16")) == "Kurban ait"
    assert is_holiday(D("2024-05-04")) is None
    assert day_status(D("2024-05-04")) == "working"
    assert day_status(D("2024-05-05")) == "weekend"
    assert day_status(D("2024-07-06")) == "holiday: Capital Day"


def test_holidays_of_year_marks_moved_working_days():
    rows = dict(holidays_of_year(2024))
    assert rows[D("2024-05-04")] == "working day (day off moved to 2024-05-08)"
    assert rows[D("2024-03-25")] == "Nowruz Holiday (observed)"
    assert len([d for d in rows if d.year != 2024]) == 0


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(InputError) as err:
        is_working_day(D("2040-01-02"))
    assert "outside the working-day calendar" in err.value.message
    with pytest.raises(InputError):
        add_working_days(D("2035-12-20"), 30)
    with pytest.raises(InputError):
        holidays_of_year(2014)


# --- durations ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("10 working days", 10, Unit.WORKING_DAYS), ("1 working day", 1, Unit.WORKING_DAYS),
    ("10 (ten) working days", 10, Unit.WORKING_DAYS), ("10wd", 10, Unit.WORKING_DAYS),
    ("30 calendar days", 30, Unit.CALENDAR_DAYS), ("30cd", 30, Unit.CALENDAR_DAYS),
    ("24 hours", 24, Unit.HOURS), ("24h", 24, Unit.HOURS), ("1 month", 1, Unit.MONTHS),
    ("5 years", 5, Unit.YEARS), ("-3 working days", -3, Unit.WORKING_DAYS),
    ("12 Months", 12, Unit.MONTHS), ("30 calendar-days", 30, Unit.CALENDAR_DAYS),
])
def test_duration_parse(text, amount, unit):
    assert Duration.parse(text) == Duration(amount, unit)


@pytest.mark.parametrize("text", ["10 days", "ten working days", "10 weeks", "", "wd"])
def test_duration_parse_refuses(text):
    with pytest.raises(InputError) as err:
        Duration.parse(text, field="term")
    assert err.value.field == "term"


def test_duration_str():
    assert str(Duration(1, Unit.WORKING_DAYS)) == "1 working day"
    assert str(Duration(24, Unit.HOURS)) == "24 hours"


# --- deadline() ---------------------------------------------------------------------------

def descriptions(result) -> str:
    return "\n".join(step.description for step in result.steps)


def test_deadline_in_working_days_says_what_it_counted():
    result = deadline(D("2024-04-30"), Duration(10, Unit.WORKING_DAYS))
    assert result.value == D("2024-05-17")
    text = descriptions(result)
    assert "the day of the triggering event is not counted" in text
    assert "Victory Day" in text and "2024-05-08" in text
    assert result.citations[0].act == "code-civil"
    assert result.to_dict()["value"] == "2024-05-17"


def test_deadline_does_not_roll_by_default_but_says_the_day_is_off():
    result = deadline(D("2024-12-06"), "10cd")
    assert result.value == D("2024-12-16")
    assert "not moved" in descriptions(result)


def test_deadline_rolls_when_asked():
    result = deadline(D("2024-12-06"), "10cd", roll_to_working_day=True)
    assert result.value == D("2024-12-17")
    assert ("fell on a non-working day (Independence Day), moved to the next working day"
            in descriptions(result))


def test_deadline_roll_none_follows_the_setting():
    assert deadline(D("2024-12-06"), "10cd", roll_to_working_day=None).value == D("2024-12-17")
    with override(calendar__roll_end_to_working_day=False):
        assert deadline(D("2024-12-06"), "10cd", roll_to_working_day=None).value \
            == D("2024-12-16")
    # the setting never moves a backward count or an hour term
    assert deadline(D("2024-12-26"), "-10cd", roll_to_working_day=None).value \
        == D("2024-12-16")


def test_deadline_counting_the_start_day():
    assert deadline(D("2024-05-17"), "3cd", count_start_day=True).value == D("2024-05-19")
    # Saturday 2024-05-04 was a working day, so it is day 1
    assert deadline(D("2024-05-04"), "2wd", count_start_day=True).value == D("2024-05-06")
    assert deadline(D("2024-05-05"), "1wd", count_start_day=True).value == D("2024-05-06")
    assert deadline(D("2024-01-01"), "1 month", count_start_day=True).value == D("2024-01-31")
    # retention "5 years from the day following deactivation" (deactivated 2024-02-28)
    assert deadline(D("2024-02-29"), "5 years", count_start_day=True).value == D("2029-02-27")


def test_deadline_in_months_and_years():
    result = deadline(D("2024-01-31"), "1 month")
    assert result.value == D("2024-02-29")
    assert "last day" in descriptions(result)
    assert deadline(D("2024-02-29"), "1 year").value == D("2025-02-28")


def test_deadline_from_an_instant_ends_at_the_end_of_the_almaty_day():
    received = dt.datetime(2024, 4, 30, 23, 30, tzinfo=ALMATY)  # 18:30 UTC, still 30 April
    result = deadline(received, "10 working days")
    assert result.value == utc("2024-05-17T19:00")  # 00:00 Almaty on 18 May
    assert deadline(utc("2024-05-01T18:30"), "10wd").value == utc("2024-05-17T19:00")
    # half an hour later it is 00:30 on 2 May in Almaty: the count starts a day later
    assert deadline(utc("2024-05-01T19:30"), "10wd").value == utc("2024-05-20T19:00")


def test_deadline_in_hours():
    start = dt.datetime(2024, 2, 29, 22, 30, tzinfo=ALMATY)
    result = deadline(start, "24 hours")
    assert result.value == utc("2024-03-01T16:30")
    assert "elapsed time" in descriptions(result)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"start": D("2024-05-01"), "duration": "24h"}, "start"),
    ({"start": utc("2024-05-01T00:00"), "duration": "24h", "roll_to_working_day": True},
     "roll_to_working_day"),
    ({"start": D("2024-05-01"), "duration": "-3cd", "roll_to_working_day": True},
     "roll_to_working_day"),
    ({"start": D("2024-05-01"), "duration": "-3wd", "count_start_day": True},
     "count_start_day"),
    ({"start": dt.datetime(2024, 5, 1), "duration": "3wd"}, "start"),
])
def test_deadline_refuses(kwargs, field):
    with pytest.raises(InputError) as err:
        deadline(**kwargs)
    assert err.value.field == field


# --- CLI ----------------------------------------------------------------------------------

runner = CliRunner()


def cli(*args):
    from kzreg.cli import app

    return runner.invoke(app, ["calendar", *args])


@pytest.mark.parametrize(("args", "out"), [
    (["add", "2024-04-30", "--working-days", "10"], "2024-05-17"),
    (["add", "2024-05-17", "--working-days", "-10"], "2024-04-30"),
    (["add", "2024-12-06", "--calendar-days", "10"], "2024-12-16"),
    (["add", "2024-12-06", "--calendar-days", "10", "--roll"], "2024-12-17"),
    (["add", "2024-01-31", "--months", "1"], "2024-02-29"),
    (["add", "2024-02-29", "--years", "1"], "2025-02-28"),
    (["add", "2024-02-29T22:30", "--hours", "2"], "2024-02-29T23:30:00+05:00"),
    (["add", "2024-02-29T16:30Z", "--hours", "2"], "2024-02-29T18:30:00+00:00"),
    (["add", "2024-04-30T10:00", "--working-days", "10"], "2024-05-18T00:00:00+05:00"),
    (["is-working", "2024-05-04"], "working"),
    (["is-working", "2024-05-08"], "holiday: Day off (moved from 2024-05-04)"),
    (["is-working", "2024-05-05"], "weekend"),
])
def test_cli_prints_the_result_alone(args, out):
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout == out + "\n"


def test_cli_holidays_marks_moved_working_days():
    result = cli("holidays", "2024")
    assert result.exit_code == 0
    assert "2024-05-04  Sat  working day (day off moved to 2024-05-08)" in result.stdout
    assert "2024-12-16  Mon  Independence Day" in result.stdout


def test_cli_explain_prints_the_trace():
    result = cli("add", "2024-04-30", "--working-days", "10", "--explain")
    assert result.exit_code == 0
    assert "not counted" in result.stdout and "2024-05-17" in result.stdout


@pytest.mark.parametrize(("args", "field"), [
    (["add", "2024-13-01", "--working-days", "1"], "START"),
    (["add", "2024-01-01", "--working-days", "1", "--months", "2"], "--working-days, --months"),
    (["add", "2024-01-01"], "--working-days/--calendar-days/--months/--years/--hours"),
    (["add", "2024-01-01", "--hours", "3"], "START"),
    (["add", "2024-01-01", "--calendar-days", "-3", "--roll"], "--roll"),
    (["add", "2050-01-01", "--working-days", "2"], "START"),
    (["add", "2035-12-20", "--working-days", "30"], "--working-days"),
    (["is-working", "tomorrow"], "DATE"),
    (["holidays", "1990"], "YEAR"),
])
def test_cli_bad_input_raises_input_error_naming_the_option(args, field):
    result = cli(*args)
    assert isinstance(result.exception, InputError), result.output
    assert result.exception.field == field


def run_kzreg(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "kzreg.cli", "calendar", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def test_kzreg_process_prints_the_date_and_nothing_else():
    done = run_kzreg("add", "2024-04-30", "--working-days", "10")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2024-05-17\n", "")


def test_kzreg_process_bad_input_is_one_line_and_exit_2():
    done = run_kzreg("add", "2024-04-30", "--working-days", "10", "--months", "1")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: --working-days, --months:")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
