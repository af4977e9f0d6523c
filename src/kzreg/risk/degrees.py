"""Objective risk degree (Cr §6), the one-step transfer down (Cr §15), the frequency limit
of checks on compliance (Cr §7) and the forms of control allowed (Cr §8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from kzreg.law.calendar import add_years
from kzreg.law.errors import LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting
from kzreg.risk._law import criteria
from kzreg.risk.subjects import ControlKind, Degree, Relief, SubjectType


@cache
def _table() -> dict:
    text = (resources.files("kzreg.risk") / "data" / "objective.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def objective_class(kind: SubjectType) -> tuple[Degree, str] | None:
    """The Cr §6 class of a subject type and its locator, or None if §6 names no class."""
    entry = _table()["classes"].get(kind.value)
    if entry is None:
        return None
    if (kind is SubjectType.CONFORMITY_ASSESSMENT_BODY and
            get_setting("risk.average_item_2_reading").value == "accreditation_experts_only"):
        return None
    return Degree.parse(entry["degree"]), entry["locator"]


def frequency_years(degree: Degree) -> int:
    """Cr §7: at most one check on compliance per 1, 2 or 3 years."""
    return int(_table()["frequency_years"][degree.label])


def allowed_controls(degree: Degree) -> tuple[ControlKind, ...]:
    """Cr §8: the forms of control held for subjects of the degree."""
    return tuple(ControlKind(k) for k in _table()["allowed_controls"][degree.label])


def objective_degree(kind: SubjectType, trace: Trace | None = None) -> Explained[Degree]:
    """The class Cr §6 puts the subject type in; an unclassed type is refused (setting)."""
    trace = trace or Trace()
    found = objective_class(kind)
    if found is None:
        reading = get_setting("risk.average_item_2_reading")
        fallback = get_setting("risk.unlisted_subject_types_class")
        if fallback.value == "unclassified":
            raise LegalRuleError(
                f"Cr §6 puts {kind.value} in no risk class; an officer decides "
                f"(setting risk.unlisted_subject_types_class)", field="type",
                citation=criteria("§6"))
        degree = Degree.parse(fallback.value)
        trace.step(f"Cr §6 names no class for {kind.value}: the setting places it {degree}",
                   degree, citation=criteria("§6"), parameters=[fallback.use(), reading.use()])
        return trace.done(degree)
    degree, locator = found
    trace.step(f"{kind.value} is of {degree} risk by objective criteria ({locator})", degree,
               citation=criteria("§6"), inputs={"type": kind.value})
    return trace.done(degree)


def relieved(degree: Degree, relief: Relief, trace: Trace | None = None) -> Explained[Degree]:
    """Cr §15: a subject meeting any condition moves one degree down (never below low)."""
    trace = trace or Trace()
    grounds = relief.grounds()
    if not grounds:
        trace.step("no Cr §15 condition holds: the degree stays", degree,
                   citation=criteria("§15"))
        return trace.done(degree)
    steps = get_setting("risk.downgrade_max_steps")
    lasts = get_setting("risk.downgrade_lasts")
    lowered = Degree.of_rank(max(1, degree.rank - min(len(grounds), steps.value)))
    note = "" if lowered != degree else " (already low: no lower degree)"
    trace.step(f"Cr §15 condition(s) hold ({'; '.join(grounds)}): transferred from {degree} "
               f"to {lowered}{note}", lowered, citation=criteria("§15"),
               parameters=[steps.use(), lasts.use()])
    return trace.done(lowered)


@dataclass(frozen=True)
class ObjectiveOutcome:
    """What the objective criteria give a subject, after Cr §15."""

    objective_degree: Degree        # Cr §6, before transfer
    degree: Degree                  # after Cr §15 when it applies to the objective degree
    checks_at_most_every_years: int
    allowed_controls: tuple[ControlKind, ...]

    def __str__(self) -> str:
        moved = "" if self.degree == self.objective_degree else \
            f" (objective {self.objective_degree}, transferred down)"
        return (f"{self.degree}{moved}; checks at most once in "
                f"{self.checks_at_most_every_years} year(s); forms: "
                + ", ".join(k.value for k in self.allowed_controls))


def classify(kind: SubjectType, relief: Relief | None = None) -> Explained[ObjectiveOutcome]:
    """Cr §6, §15, §7, §8 in one: the degree, its frequency limit and forms of control."""
    trace = Trace()
    relief = relief or Relief()
    base = objective_degree(kind, trace).value
    applies = get_setting("risk.downgrade_applies_to")
    if applies.value == "objective_degree":
        degree = relieved(base, relief, trace).value
    else:
        degree = base
        trace.step("the Cr §15 transfer is applied to the final degree, not here", base,
                   citation=criteria("§15"), parameters=[applies.use()])
    years = frequency_years(degree)
    period = get_setting("risk.frequency_period")
    scope = get_setting("risk.frequency_limit_scope")
    trace.step(f"checks on compliance for {degree} risk: not more often than once in "
               f"{years} year(s)", years, citation=criteria("§7"),
               parameters=[period.use(), scope.use()])
    kinds = allowed_controls(degree)
    trace.step(f"forms of control for {degree} risk: {', '.join(k.value for k in kinds)}",
               [k.value for k in kinds], citation=criteria("§8"))
    return trace.done(ObjectiveOutcome(base, degree, years, kinds))


def next_check_allowed(degree: Degree, last_check: dt.date | None) -> Explained[dt.date | None]:
    """Cr §7: the first day a new check on compliance may be held (None: no earlier check)."""
    trace = Trace()
    years = frequency_years(degree)
    period = get_setting("risk.frequency_period")
    if last_check is None:
        trace.step("no earlier check on compliance: no frequency limit applies", None,
                   citation=criteria("§7"))
        return trace.done(None)
    if period.value == "calendar_year":
        first = dt.date(last_check.year + years, 1, 1)
    else:
        first = add_years(last_check, years)
    trace.step(f"last check on {last_check.isoformat()}; {degree} risk allows one check in "
               f"{years} year(s): the next from {first.isoformat()}", first,
               citation=criteria("§7"), parameters=[period.use()])
    return trace.done(first)
