"""Rapid response (Criteria Ch. 4-1): which violated items of the JO Appendix 5 checklist
start a thirty-calendar-day prohibition (Cr §16-2) or a withdrawal (Cr §16-3), and the
prohibition's dates. Item 293 is in both lists (setting risk.item_293_measures)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from kzreg.law.calendar import add_calendar_days
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting
from kzreg.risk._law import criteria

BOTH_LISTS_ITEM = 293


class Measure(enum.StrEnum):
    PROHIBITION = "prohibition"   # Cr §16-2, thirty calendar days
    WITHDRAWAL = "withdrawal"     # Cr §16-3


@cache
def lists() -> dict:
    text = (resources.files("kzreg.risk") / "data" / "rapid_response.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def prohibition_days() -> int:
    return int(lists()["prohibition"]["days"])


@dataclass(frozen=True)
class Response:
    measures: dict[str, tuple[int, ...]]   # measure -> the violated items that trigger it
    flagged_for_review: tuple[int, ...]    # items whose measure is a documented decision

    @property
    def any(self) -> bool:
        return any(self.measures.values())


def measures_for(items: Iterable[int]) -> Explained[Response]:
    """The measures the violated JO-App5 checklist items call for."""
    trace = Trace()
    violated = sorted(set(_item(i) for i in items))
    prohibition = set(lists()["prohibition"]["items"])
    withdrawal = set(lists()["withdrawal"]["items"])
    both = get_setting("risk.item_293_measures")
    found: dict[str, list[int]] = {Measure.PROHIBITION: [], Measure.WITHDRAWAL: []}
    flagged = []
    for item in violated:
        if item == BOTH_LISTS_ITEM and item in prohibition and item in withdrawal:
            chosen = {"both": (Measure.PROHIBITION, Measure.WITHDRAWAL),
                      "prohibition_only": (Measure.PROHIBITION,),
                      "withdrawal_only": (Measure.WITHDRAWAL,)}[both.value]
            for m in chosen:
                found[m].append(item)
            flagged.append(item)
            trace.step(f"item {item} is in both lists (Cr §16-2 and §16-3): "
                       f"{', '.join(chosen)}; flagged for legal review", list(chosen),
                       citation=criteria("§16-3"), parameters=[both.use()])
            continue
        if item in prohibition:
            found[Measure.PROHIBITION].append(item)
            trace.step(f"item {item}: prohibition for thirty calendar days",
                       Measure.PROHIBITION, citation=criteria("§16-2"))
        elif item in withdrawal:
            found[Measure.WITHDRAWAL].append(item)
            trace.step(f"item {item}: withdrawal", Measure.WITHDRAWAL,
                       citation=criteria("§16-3"))
        else:
            trace.step(f"item {item} is in neither list: no rapid-response measure", None,
                       citation=criteria("§16-1"))
    return trace.done(Response({k.value: tuple(v) for k, v in found.items()}, tuple(flagged)))


def _item(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{value!r} is not a checklist item number", field="items")
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{value!r} is not a checklist item number", field="items") from None
    if number < 1:
        raise InputError("checklist items are numbered from 1", field="items")
    return number


@dataclass(frozen=True)
class ProhibitionTerm:
    first_day: dt.date
    last_day: dt.date
    days: int


def prohibition_term(decided_on: dt.date) -> Explained[ProhibitionTerm]:
    """Cr §16-2: thirty calendar days; the first day by setting risk.prohibition_first_day."""
    trace = Trace()
    first = get_setting("risk.prohibition_first_day")
    days = prohibition_days()
    start = decided_on if first.value == "decision_day" else add_calendar_days(decided_on, 1)
    last = add_calendar_days(start, days - 1)
    trace.step(f"prohibition decided on {decided_on.isoformat()}: {days} calendar days from "
               f"{start.isoformat()} to {last.isoformat()} inclusive",
               (start, last), citation=criteria("§16-2"), parameters=[first.use()])
    return trace.done(ProhibitionTerm(start, last, days))
