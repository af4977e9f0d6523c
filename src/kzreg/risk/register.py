"""The register at national scale, computed by the database (Cr §6, §10, §12-15).

Each subject's objective degree (Cr §6, after the one-step transfer of Cr §15), its exact
indicator num/den from the latest control (Cr §13, setting risk.indicator_data) and its
subjective degree (Cr §12) are SQL expressions: a page of the register reads one page of
rows, the degree chart is one GROUP BY, and the plan's inputs are one query. The arithmetic
is `indicator.score_arrays`' (integers only: SP = (70·cf·it + 30·if·ct) / (ct·it)) and the
settings are read as `planning` reads them; tests compare the two on the demo register.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import BigInteger, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.settings import get_setting
from kzreg.risk import planning
from kzreg.risk._law import criteria
from kzreg.risk.indicator import AVERAGE_UP_TO, LOW_UP_TO
from kzreg.risk.models import RiskControl, RiskExemption, RiskSubject
from kzreg.risk.subjects import ControlKind, Degree, SubjectType

DEGREES = ("high", "average", "low")
OBJECTIVE = (*DEGREES, "unclassified")
COUNTS = ("gross", "considerable_found", "considerable_total", "insignificant_found",
          "insignificant_total")
VISITING = (ControlKind.PREVENTIVE_WITH_VISIT.value, ControlKind.COMPLIANCE_CHECK.value)
MAX_PER_PAGE = 500


def _latest(kinds: tuple[str, ...] | None = None):
    """Each subject's latest control (of `kinds`, if given): row_number over held_on, id."""
    rn = func.row_number().over(partition_by=RiskControl.subject_id,
                                order_by=(RiskControl.held_on.desc(), RiskControl.id.desc()))
    query = select(RiskControl.subject_id, RiskControl.held_on, RiskControl.eliminated,
                   *(getattr(RiskControl, c) for c in COUNTS), rn.label("rn"))
    if kinds:
        query = query.where(RiskControl.kind.in_(kinds))
    inner = query.subquery()
    return select(inner).where(inner.c.rn == 1).subquery()


def _capped(relief: ColumnElement, steps: int) -> ColumnElement:
    return case((relief > steps, steps), else_=relief)


def _lowered(rank: ColumnElement, by: ColumnElement) -> ColumnElement:
    """rank − by, never below low (1)."""
    return case((rank - by < 1, 1), else_=rank - by)


def _band(num: ColumnElement, den: ColumnElement) -> ColumnElement:
    """Cr §12 rank of num/den (1 low, 2 average, 3 high), by setting risk.band_boundaries."""
    if get_setting("risk.band_boundaries").value == "round_half_up_first":
        placed = (2 * num + den) // (2 * den)
        return case((placed <= LOW_UP_TO, 1), (placed <= AVERAGE_UP_TO, 2), else_=3)
    return case((num <= LOW_UP_TO * den, 1), (num <= AVERAGE_UP_TO * den, 2), else_=3)


def degrees_query() -> Select:
    """One row per subject: code, name, type, region, objective (rank, 0 unclassified), num,
    den, subjective (rank), relief, last_check, eliminated_on and the latest counts."""
    latest = _latest()
    visiting = _latest(VISITING)
    checks = (select(RiskControl.subject_id, func.max(RiskControl.held_on).label("day"))
              .where(RiskControl.kind == ControlKind.COMPLIANCE_CHECK.value)
              .group_by(RiskControl.subject_id).subquery())
    s = RiskSubject
    relief = (case((s.insured, 1), else_=0) + case((s.legally_exempt, 1), else_=0)
              + case((s.sro_recognized, 1), else_=0))
    ranks = {kind.value: rank for kind, rank in planning.base_ranks().items()}
    base = case(ranks, value=s.type, else_=0)
    n = {c: cast(func.coalesce(getattr(latest.c, c), 0), BigInteger) for c in COUNTS}
    ct = case((n["considerable_total"] == 0, 1), else_=n["considerable_total"])
    it = case((n["insignificant_total"] == 0, 1), else_=n["insignificant_total"])
    gross = n["gross"] > 0
    inner = (select(
        s.id, s.code, s.name, s.type, s.region, s.bin, base.label("base"),
        relief.label("relief"),
        case((gross, 100), else_=70 * n["considerable_found"] * it
             + 30 * n["insignificant_found"] * ct).label("num"),
        case((gross, 1), else_=ct * it).label("den"),
        *(n[c].label(c) for c in COUNTS),
        checks.c.day.label("last_check"),
        case((visiting.c.eliminated, visiting.c.held_on), else_=None).label("eliminated_on"))
        .outerjoin(latest, latest.c.subject_id == s.id)
        .outerjoin(visiting, visiting.c.subject_id == s.id)
        .outerjoin(checks, checks.c.subject_id == s.id)).subquery("register")
    steps = get_setting("risk.downgrade_max_steps").value
    transfer = _capped(inner.c.relief, steps)
    applies = get_setting("risk.downgrade_applies_to").value
    objective = inner.c.base
    subjective = _band(inner.c.num, inner.c.den)
    if applies == "objective_degree":
        objective = case((inner.c.base == 0, 0), else_=_lowered(inner.c.base, transfer))
    else:  # final_degree: the transfer lowers the subjective degree instead
        subjective = _lowered(subjective, transfer)
    return select(inner, cast(objective, Integer).label("objective"),
                  cast(subjective, Integer).label("subjective"))


def _refuse_without_requirements(session: Session, rows) -> None:
    """As score_arrays: with risk.no_applicable_requirements = refuse, a zero total refuses."""
    if get_setting("risk.no_applicable_requirements").value != "refuse":
        return
    zero = select(func.count()).select_from(rows).where(or_(
        rows.c.considerable_total == 0, rows.c.insignificant_total == 0))
    if session.scalar(zero):
        raise LegalRuleError("some subjects have no applicable requirements of a severity "
                             "(setting risk.no_applicable_requirements)",
                             field="considerable_total", citation=criteria("§13"))


def _rank_of(label: str, field: str) -> int:
    if label == "unclassified" and field == "objective":
        return 0
    return Degree.parse(label, field).rank


@dataclass(frozen=True)
class Filters:
    type: str | None = None
    objective: str | None = None      # high, average, low or unclassified
    degree: str | None = None         # subjective: high, average, low
    q: str | None = None              # part of the register id or name

    def clauses(self, rows) -> list[ColumnElement[bool]]:
        out = []
        if self.type:
            try:
                out.append(rows.c.type == SubjectType(self.type).value)
            except ValueError:
                raise InputError(f"{self.type!r} is not a subject type", field="type") from None
        if self.objective:
            out.append(rows.c.objective == _rank_of(self.objective, "objective"))
        if self.degree:
            out.append(rows.c.subjective == _rank_of(self.degree, "degree"))
        if self.q and self.q.strip():
            needle = self.q.strip().lower()
            out.append(or_(func.lower(rows.c.code).contains(needle, autoescape=True),
                           func.lower(rows.c.name).contains(needle, autoescape=True)))
        return out


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int          # subjects matching the filters
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _row(r) -> dict[str, Any]:
    from kzreg.risk.batch import exact_number

    value = Fraction(int(r.num), int(r.den))
    return {"code": r.code, "name": r.name, "type": r.type, "region": r.region,
            "objective_degree": Degree.of_rank(r.objective).value if r.objective else None,
            "indicator": exact_number(value),
            "indicator_fraction": str(value),
            "degree": Degree.of_rank(r.subjective).value, "last_check": r.last_check}


def page(session: Session, filters: Filters = Filters(), *, page: int = 1,
         per_page: int = 50) -> Page:
    """One page of the register (ordered by register id) and how many subjects match."""
    if page < 1:
        raise InputError("pages are numbered from 1", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InputError(f"per_page must be 1-{MAX_PER_PAGE}", field="per_page")
    rows = degrees_query().subquery("degrees")
    _refuse_without_requirements(session, rows)
    where = and_(literal(True), *filters.clauses(rows))
    total = session.scalar(select(func.count()).select_from(rows).where(where)) or 0
    found = session.execute(select(rows).where(where).order_by(rows.c.code)
                            .limit(per_page).offset((page - 1) * per_page)).all()
    return Page([_row(r) for r in found], total, page, per_page)


def all_rows(session: Session) -> list[dict[str, Any]]:
    """Every subject's degrees, in register order (exports, comparisons)."""
    rows = degrees_query().subquery("degrees")
    _refuse_without_requirements(session, rows)
    return [_row(r) for r in session.execute(select(rows).order_by(rows.c.id))]


def distribution(session: Session) -> dict[str, dict[str, int]]:
    """Subjects per objective degree and per subjective degree: one GROUP BY each."""
    rows = degrees_query().subquery("degrees")
    _refuse_without_requirements(session, rows)
    out: dict[str, dict[str, int]] = {"objective": {}, "subjective": {}}
    for rank, count in session.execute(select(rows.c.objective, func.count())
                                       .group_by(rows.c.objective)):
        out["objective"][Degree.of_rank(rank).value if rank else "unclassified"] = count
    for rank, count in session.execute(select(rows.c.subjective, func.count())
                                       .group_by(rows.c.subjective)):
        out["subjective"][Degree.of_rank(rank).value] = count
    return out


def plan_inputs(session: Session, as_of: dt.date) -> list[planning.PlanInput]:
    """One PlanInput per subject, in register order, with the last day of the Cr §14
    exemption in effect on `as_of` (the period's first day)."""
    rows = degrees_query().subquery("degrees")
    exempt = (select(RiskExemption.subject_id, func.max(RiskExemption.ends_on).label("until"))
              .where(RiskExemption.starts_on <= as_of, RiskExemption.ends_on >= as_of)
              .group_by(RiskExemption.subject_id).subquery())
    query = (select(rows, exempt.c.until).outerjoin(exempt, exempt.c.subject_id == rows.c.id)
             .order_by(rows.c.id))
    return [planning.PlanInput(
        r.code, SubjectType(r.type), int(r.relief), *(int(getattr(r, c)) for c in COUNTS),
        r.last_check, r.eliminated_on, r.until) for r in session.execute(query)]
