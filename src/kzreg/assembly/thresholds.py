"""The five-year threshold of the localization score (Order 493, R §24-25; Std §3(3)).

"The threshold value that must be reached by the manufacturer at the conclusion and during the
period of the Agreement is 3,000 points. Each subsequent five years, the threshold will increase
by 2,000 points. ... points exceeding the threshold value set for the current period ... are
taken into account when calculating the threshold value for the next period." (R §24)

On any day of the 20-year term (R §3) the threshold is `initial + step·k`, k the number of
five-year anniversaries of conclusion reached (settings `assembly.threshold_period_boundary`,
`assembly.term_last_day`); the score is a running total compared with it, so a surplus
carries over (`assembly.surplus_carry_over`). The figures come from the table's data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kzreg.assembly.tables import Table
from kzreg.law.calendar import add_years
from kzreg.law.citations import cite
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Trace
from kzreg.law.numbers import fmt
from kzreg.law.settings import get_setting


@dataclass(frozen=True)
class ThresholdCheck:
    concluded_on: dt.date
    as_of: dt.date
    period: int                  # 0 for the first five years, up to 3
    period_start: dt.date
    period_end: dt.date          # last day of the period
    threshold: Decimal
    total: Decimal
    meets: bool
    surplus: Decimal             # total − threshold (negative: the shortfall)
    term_last_day: dt.date

    def __str__(self) -> str:
        return (f"{fmt(self.total)} {'≥' if self.meets else '<'} {fmt(self.threshold)} "
                f"(period {self.period + 1}, {self.period_start} – {self.period_end})")


def term_last_day(table: Table, concluded_on: dt.date) -> dt.date:
    """The last day of the agreement's term (R §3; setting `assembly.term_last_day`)."""
    end = add_years(concluded_on, table.thresholds.term_years)
    if get_setting("assembly.term_last_day").value == "day_before_twentieth_anniversary":
        end -= dt.timedelta(days=1)
    return end


def period_of(table: Table, concluded_on: dt.date, as_of: dt.date) -> tuple[int, dt.date, dt.date]:
    """(k, first day, last day) of the five-year period `as_of` falls in."""
    limits = table.thresholds
    last = term_last_day(table, concluded_on)
    periods = limits.term_years // limits.period_years
    k = 0
    while k + 1 < periods and add_years(concluded_on, limits.period_years * (k + 1)) <= as_of:
        k += 1
    start = add_years(concluded_on, limits.period_years * k)
    end = (last if k + 1 == periods
           else add_years(concluded_on, limits.period_years * (k + 1)) - dt.timedelta(days=1))
    return k, start, end


def judge(table: Table, total: Decimal, concluded_on: dt.date, as_of: dt.date,
          trace: Trace, *, period_start_total: Decimal | None = None) -> ThresholdCheck:
    """Compare `total` with the threshold in force on `as_of`, recording the steps."""
    limits = table.thresholds
    if as_of < concluded_on:
        raise InputError(f"as_of {as_of.isoformat()} is before the agreement was concluded "
                         f"({concluded_on.isoformat()})", field="as_of")
    last = term_last_day(table, concluded_on)
    if as_of > last:
        raise LegalRuleError(f"the {limits.term_years}-year term of the agreement concluded "
                             f"{concluded_on.isoformat()} ended on {last.isoformat()}; no "
                             "threshold applies on " + as_of.isoformat(), field="as_of",
                             citation=limits.term_citation)
    k, start, end = period_of(table, concluded_on, as_of)
    threshold = limits.initial + limits.step * k
    boundary = get_setting("assembly.threshold_period_boundary")
    mode = get_setting("assembly.threshold_check_mode")
    trace.step(f"{as_of.isoformat()} falls in five-year period {k + 1} of the agreement "
               f"({start.isoformat()} – {end.isoformat()}): threshold {fmt(limits.initial)} + "
               f"{fmt(limits.step)} × {k} = {fmt(threshold)}", threshold,
               citation=limits.citation,
               inputs={"agreement_concluded_on": concluded_on, "as_of": as_of},
               parameters=[boundary.use(), mode.use(),
                           get_setting("assembly.term_last_day").use()])
    carry = get_setting("assembly.surplus_carry_over")
    if carry.value == "running_total":
        meets = total >= threshold
        how = (f"score {fmt(total)} {'≥' if meets else '<'} threshold {fmt(threshold)}; "
               "surplus points count toward the next period")
    else:  # 2,000 new points in each later period, surplus not counted
        if k > 0 and period_start_total is None:
            raise InputError("the setting assembly.surplus_carry_over = new_points_per_period "
                             "needs the score at the start of the period", field=
                             "period_start_total")
        gained = total - (period_start_total or Decimal(0))
        meets = total >= limits.initial and (k == 0 or gained >= limits.step)
        how = (f"score {fmt(total)}, {fmt(gained)} gained in the period; "
               f"{'meets' if meets else 'does not meet'} the rule of new points per period")
    trace.step(how, meets, citation=limits.citation, parameters=[carry.use()])
    if not meets:
        trace.step("below the threshold: the agreement is terminated through a violation "
                   "notice and its remedy period", False,
                   citation=cite(table.act, "R §25"),
                   parameters=[get_setting("assembly.threshold_miss_path").use()])
    return ThresholdCheck(concluded_on, as_of, k, start, end, threshold, total, meets,
                          total - threshold, last)
