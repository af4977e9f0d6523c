"""Planning state control for a period (Cr §6-8, §10, §12-16), for a whole country at once.

For a plan of one form of control (preventive control with visit or checks on compliance)
over a period, each subject is planned or skipped, with the reason and its clause:

  unclassified   Cr §6    the type is in no class (setting risk.unlisted_subject_types_class)
  form           Cr §8    the form of control is not held for the subject's degree
  exempt         Cr §14   an officer exempted the fair subject for the whole period (one
                          ending inside it only moves the first day a control may be held)
  eliminated     Cr §10   it fully eliminated the violations of the previous control
  frequency      Cr §7    the previous check is too recent for its degree
  indicator      Cr §12   its subjective degree is not one the plan selects (setting)
  cap            Cr §16   beyond 5% of the sphere's subjects, without an information system
  planned        Cr §13   selected, the highest indicators first

Columns are numpy arrays (one entry per subject); the indicator is the exact fraction
num/den from `indicator.score_arrays`, compared exactly around the cap's cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from kzreg.law.calendar import add_years
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import round_to
from kzreg.law.settings import get_setting
from kzreg.risk._law import N_, criteria
from kzreg.risk.degrees import allowed_controls, frequency_years, objective_class
from kzreg.risk.subjects import ControlKind, Degree, SubjectType

TYPES = tuple(SubjectType)                    # type code = index in this tuple
NO_DATE = np.iinfo(np.int32).min              # "no such date" in day-ordinal columns

REASONS = {  # code: (status, reason, clause); N_: pages translate them
    0: (N_("planned"), N_("selected by its risk indicator"), "§13"),
    1: (N_("skipped"), N_("the type is in no risk class of Cr §6"), "§6"),
    2: (N_("skipped"), N_("this form of control is not held for its degree"), "§8"),
    3: (N_("skipped"), N_("exempted as a fair subject for a period covering the plan"), "§14"),
    4: (N_("skipped"), N_("fully eliminated the violations of the previous control"), "§10"),
    5: (N_("skipped"), N_("the previous check on compliance is too recent for its degree"),
        "§7"),
    6: (N_("skipped"), N_("its subjective risk degree is not selected for this plan"), "§12"),
    7: (N_("skipped"), N_("beyond the 5% cap without an information system"), "§16"),
}
PLANNED, UNCLASSIFIED, FORM, EXEMPT, ELIMINATED, FREQUENCY, INDICATOR, CAP = range(8)


@dataclass
class Subjects:
    """The columns planning reads, one entry per subject."""

    ids: np.ndarray            # str
    type_code: np.ndarray      # index into TYPES
    relief: np.ndarray         # int: how many Cr §15 conditions hold (0-3)
    num: np.ndarray            # indicator numerator (int)
    den: np.ndarray            # indicator denominator (int > 0)
    last_check: np.ndarray     # day ordinal of the last check on compliance, or NO_DATE
    eliminated_on: np.ndarray  # ordinal of the previous control whose violations were fully
                               # eliminated (Cr §10), or NO_DATE
    exempt_until: np.ndarray   # ordinal of the last day of a Cr §14 exemption in effect on
                               # the period's first day, or NO_DATE

    def __len__(self) -> int:
        return len(self.ids)


def ordinals(dates: Sequence[dt.date | None]) -> np.ndarray:
    return np.fromiter((d.toordinal() if d else NO_DATE for d in dates), np.int64, len(dates))


@dataclass
class Plan:
    period: tuple[dt.date, dt.date]
    control: ControlKind
    information_system: bool
    ids: np.ndarray
    reason: np.ndarray         # code per subject (REASONS)
    degree: np.ndarray         # degree used for frequency and forms (after Cr §15), 0 = none
    subjective: np.ndarray     # Cr §12 degree of the indicator
    not_before: np.ndarray     # ordinal: first day a check may be held (Cr §7), or NO_DATE
    rank: np.ndarray           # 1.. for planned subjects by priority, 0 otherwise
    cap: int | None
    explained: Explained

    @property
    def planned(self) -> np.ndarray:
        return self.reason == PLANNED

    def entries(self, limit: int | None = None):
        """Row dicts, planned first in priority order, then the skipped ones."""
        order = np.lexsort((self.rank == 0, self.reason))
        order = np.concatenate([order[self.reason[order] == PLANNED][
            np.argsort(self.rank[order][self.reason[order] == PLANNED])],
            order[self.reason[order] != PLANNED]])
        for k in order[:limit]:
            status, why, clause = REASONS[int(self.reason[k])]
            nb = int(self.not_before[k])
            yield {"id": str(self.ids[k]), "status": status, "reason": why,
                   "clause": f"Cr {clause}",
                   "degree": Degree.of_rank(self.degree[k]).value if self.degree[k] else None,
                   "subjective_degree": Degree.of_rank(self.subjective[k]).value,
                   "rank": int(self.rank[k]) or None,
                   "not_before": dt.date.fromordinal(nb).isoformat() if nb > 0 else None}

    def summary(self) -> dict[str, int]:
        codes, counts = np.unique(self.reason, return_counts=True)
        return {REASONS[int(c)][1] if c else "planned": int(n)
                for c, n in zip(codes, counts, strict=True)}


def base_ranks() -> dict[SubjectType, int]:
    """The Cr §6 degree rank of each type before Cr §15 (0 = unclassified), as set now."""
    fallback = get_setting("risk.unlisted_subject_types_class").value
    ranks = {}
    for kind in TYPES:
        found = objective_class(kind)
        ranks[kind] = (found[0].rank if found is not None else
                       0 if fallback == "unclassified" else Degree.parse(fallback).rank)
    return ranks


def _objective_columns(type_code: np.ndarray, relief: np.ndarray) -> np.ndarray:
    """Degree per subject after Cr §15 (0 = unclassified), one lookup per type."""
    steps = get_setting("risk.downgrade_max_steps").value
    base = np.array([base_ranks()[kind] for kind in TYPES], np.int8)
    degree = base[type_code]
    if get_setting("risk.downgrade_applies_to").value == "objective_degree":
        lowered = np.maximum(degree - np.minimum(relief, steps), 1)
        degree = np.where(degree > 0, lowered, 0)
    return degree.astype(np.int8)


def _next_allowed(last: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """Cr §7 per subject: the first day of a new check (NO_DATE if no earlier check)."""
    period = get_setting("risk.frequency_period").value
    out = np.full(len(last), NO_DATE, np.int64)
    has = (last != NO_DATE) & (degree > 0)
    if not has.any():
        return out
    pairs = np.unique(np.stack([last[has], degree[has]]), axis=1)
    table = {}
    for day, deg in pairs.T:
        years = frequency_years(Degree.of_rank(int(deg)))
        d = dt.date.fromordinal(int(day))
        first = dt.date(d.year + years, 1, 1) if period == "calendar_year" else add_years(d, years)
        table[(int(day), int(deg))] = first.toordinal()
    keys = last[has] * 8 + degree[has]
    lookup = {k[0] * 8 + k[1]: v for k, v in table.items()}
    uniq, inverse = np.unique(keys, return_inverse=True)
    out[has] = np.array([lookup[int(u)] for u in uniq], np.int64)[inverse]
    return out


def build_plan(subjects: Subjects, start: dt.date, end: dt.date, control: ControlKind,
               *, information_system: bool = False) -> Plan:
    """The plan for `control` over [start, end] (Cr §7, §8, §10, §14, §16)."""
    if end < start:
        raise InputError("the period ends before it starts", field="end")
    if control not in (ControlKind.PREVENTIVE_WITH_VISIT, ControlKind.COMPLIANCE_CHECK):
        raise InputError("plans (schedules, lists) are made for preventive control with visit "
                         "or checks on compliance", field="control", citation=criteria("§16"))
    if (subjects.den <= 0).any():
        raise InputError("indicator denominators must be positive", field="den")
    trace = Trace()
    n = len(subjects)
    s, e = start.toordinal(), end.toordinal()
    reason = np.full(n, -1, np.int8)

    def mark(mask: np.ndarray, code: int) -> None:
        reason[(reason < 0) & mask] = code

    degree = _objective_columns(subjects.type_code, subjects.relief)
    mark(degree == 0, UNCLASSIFIED)
    allowed = np.array([control in allowed_controls(d) if d else False
                        for d in (None, Degree.LOW, Degree.AVERAGE, Degree.HIGH)])
    mark(~allowed[degree], FORM)
    exempt = subjects.exempt_until   # last day of a Cr §14 exemption in effect, or NO_DATE
    mark(exempt >= e, EXEMPT)
    periods = get_setting("risk.exclusion_after_elimination_periods")
    length = e - s + 1
    elim = subjects.eliminated_on
    mark((elim != NO_DATE) & (elim < s) & (elim >= s - periods.value * length), ELIMINATED)
    not_before = np.full(n, NO_DATE, np.int64)
    scope = get_setting("risk.frequency_limit_scope")
    if control is ControlKind.COMPLIANCE_CHECK or scope.value == "all_control_with_visit":
        not_before = _next_allowed(subjects.last_check, degree)
        mark(not_before > e, FREQUENCY)
        not_before = np.where(not_before > s, not_before, NO_DATE)
    # an exemption ending inside the period: control only after its last day (Cr §14)
    ends_inside = (exempt >= s) & (exempt < e)
    not_before = np.where(ends_inside, np.maximum(not_before, exempt + 1), not_before)
    num, den = subjects.num, subjects.den
    subjective = np.where(num <= 30 * den, 1, np.where(num <= 70 * den, 2, 3)).astype(np.int8)
    if get_setting("risk.band_boundaries").value == "round_half_up_first":
        rounded = (2 * num + den) // (2 * den)
        subjective = np.where(rounded <= 30, 1, np.where(rounded <= 70, 2, 3)).astype(np.int8)
    if get_setting("risk.downgrade_applies_to").value == "final_degree":
        steps = get_setting("risk.downgrade_max_steps").value
        subjective = np.maximum(subjective - np.minimum(subjects.relief, steps),
                                1).astype(np.int8)
    chosen = get_setting("risk.planned_subjective_degrees")
    selected = np.zeros(4, bool)
    for label in chosen.value:
        selected[Degree.parse(label, "risk.planned_subjective_degrees").rank] = True
    mark(~selected[subjective], INDICATOR)
    candidates = np.flatnonzero(reason < 0)
    order = _priority(candidates, num, den, degree, subjects.last_check)
    cap = None
    if not information_system:
        cap = five_percent_cap(n, trace).value
        capped = np.zeros(n, bool)
        capped[order[cap:]] = True
        mark(capped, CAP)
        order = order[:cap]
    reason[order] = PLANNED
    rank = np.zeros(n, np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    plan = Plan((start, end), control, information_system, subjects.ids, reason, degree,
                subjective, not_before, rank, cap, trace.done(None))
    _explain(plan, trace, periods, scope, chosen)
    plan.explained = trace.done(plan.summary())
    return plan


def _priority(candidates: np.ndarray, num, den, degree, last_check) -> np.ndarray:
    """Candidates by priority: highest indicator first (exactly), then higher degree, then
    the longest since the last check, then id order (setting risk.plan_priority)."""
    if not len(candidates):
        return candidates
    approx = num[candidates] / den[candidates]
    order = candidates[np.lexsort((candidates, last_check[candidates], -degree[candidates],
                                   -approx))]
    # floats may misorder indicators closer than 1e-9: where two neighbours are that close
    # but not exactly equal (num·den' ≠ num'·den, in Python integers), re-sort their run
    vals = num[order] / den[order]
    close = np.flatnonzero(np.abs(np.diff(vals)) < 1e-9)
    if len(close):
        a, b = order[close], order[close + 1]
        unequal = (num[a].astype(object) * den[b].astype(object)
                   != num[b].astype(object) * den[a].astype(object))
        close = close[unequal.astype(bool)]
    if len(close):
        runs = np.split(close, np.flatnonzero(np.diff(close) > 1) + 1)
        for run in runs:
            lo, hi = run[0], run[-1] + 2
            while lo > 0 and abs(vals[lo - 1] - vals[lo]) < 1e-9:
                lo -= 1
            while hi < len(vals) and abs(vals[hi] - vals[hi - 1]) < 1e-9:
                hi += 1
            block = list(order[lo:hi])
            block.sort(key=lambda k: (-Fraction(int(num[k]), int(den[k])), -int(degree[k]),
                                      int(last_check[k]), int(k)))
            order[lo:hi] = block
    return order


def five_percent_cap(total: int, trace: Trace | None = None) -> Explained[int]:
    """Cr §16: without an information system at most 5% of the sphere's subjects."""
    trace = trace or Trace()
    rounding = get_setting("risk.five_percent_cap_rounding")
    maximum = get_setting("risk.five_percent_cap_is_maximum")
    scope = get_setting("risk.five_percent_cap_scope")
    mode = {"floor": "floor", "half_up": "half_up", "ceiling": "ceiling"}[rounding.value]
    cap = int(round_to(Fraction(total * 5, 100), 0, mode))
    trace.step(f"no information system: at most 5% of {total} subject(s) = {cap}", cap,
               citation=criteria("§16"),
               parameters=[maximum.use(), rounding.use(), scope.use()])
    return trace.done(cap)


def _explain(plan: Plan, trace: Trace, *uses) -> None:
    for code in sorted(set(int(c) for c in np.unique(plan.reason))):
        status, why, clause = REASONS[code]
        count = int((plan.reason == code).sum())
        trace.step(f"{count} subject(s) {status}: {why}", count, citation=criteria(clause),
                   parameters=[u.use() for u in uses] if code in (ELIMINATED, FREQUENCY,
                                                                    INDICATOR) else [])


@dataclass(frozen=True)
class PlanInput:
    """One subject as planning needs it (a register row, or a line of an input file)."""

    id: str
    type: SubjectType
    relief_grounds: int = 0          # Cr §15 conditions that hold
    gross: int = 0
    considerable_found: int = 0
    considerable_total: int = 0
    insignificant_found: int = 0
    insignificant_total: int = 0
    last_check: dt.date | None = None
    eliminated_on: dt.date | None = None
    exempt_until: dt.date | None = None


def columns(rows: Sequence[PlanInput]) -> Subjects:
    """Columns for `build_plan` from rows (counts validated by `score_arrays`' callers)."""
    from kzreg.risk.indicator import score_arrays

    code = {t: k for k, t in enumerate(TYPES)}
    counts = np.array([(r.gross, r.considerable_found, r.considerable_total,
                        r.insignificant_found, r.insignificant_total) for r in rows],
                      np.int64).reshape(-1, 5)
    num, den, _ = score_arrays(*counts.T)
    return Subjects(np.array([r.id for r in rows], object),
                    np.array([code[r.type] for r in rows], np.int64),
                    np.array([r.relief_grounds for r in rows], np.int64), num, den,
                    ordinals([r.last_check for r in rows]),
                    ordinals([r.eliminated_on for r in rows]),
                    ordinals([r.exempt_until for r in rows]))
