"""What people do with applications for measures of state stimulation of industry (Law 86-VII
Arts 25-28): apply, check against the gate, grant or refuse, monitor, close, refund.

The case type and its legal guards are in `incentives_workflow`; the rules in `incentives`.
Everything runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError, NotFound
from kzreg.law.explain import Explained
from kzreg.platform import cases
from kzreg.platform.actors import Actor
from kzreg.platform.cases import Case
from kzreg.producers import grants
from kzreg.producers import incentives as inc
from kzreg.producers import incentives_workflow as iw
from kzreg.producers.casework import opened
from kzreg.producers.models import IncentiveGrant


def _invalid(exc: ValidationError, prefix: str = "") -> InputError:
    first = exc.errors()[0]
    return InputError(first["msg"], field=prefix + ".".join(str(p) for p in first["loc"]))


def apply(session: Session, actor: Actor, *, name: str, measure: str,
          goods: Iterable[Mapping[str, Any]], counter_obligations_accepted: bool,
          counter_obligation_directions: Iterable[str] = (), bin: str | None = None,
          facts: Mapping[str, bool] | None = None, choices: Mapping[str, str] | None = None,
          certificate_valid_until: dt.date | None = None,
          competitiveness_agreement: bool = False, agro_industrial: bool = False,
          project: str = "", amount_requested: str | None = None,
          grant_project: Mapping[str, Any] | None = None,
          at: dt.datetime | None = None) -> Case:
    """File an application (Art 25(5)); a business files for its own BIN. Refuses at once
    only what the Law keeps out of this procedure (agro-industrial entities, Art 25(2)) and
    what is malformed; the conditions are examined by the officer's decision."""
    at = at or now_utc()
    bin = bin or actor.bin
    if not bin:
        raise InputError("the applicant's BIN is required", field="bin")
    if len(name.strip()) < 2:
        raise InputError("the applicant's name is required", field="name")
    day = local_date(at)
    grant = None
    if measure == grants.MEASURE:  # Art 42(2): the project's figures decide two conditions
        grant = grants.project_from({"grant_project": grant_project})
        facts = {**(facts or {}), "operating_entity": grant.operating,
                 "co_financing": grant.own_contribution > 0}
        amount_requested = amount_requested or str(grant.grant_requested)
    try:
        draft = inc.IncentiveApplication(
            measure=measure, applied_on=day, goods=list(goods),
            counter_obligations_accepted=counter_obligations_accepted,
            counter_obligation_directions=list(counter_obligation_directions),
            documents_compliant=True, in_register=True, agro_industrial=agro_industrial,
            certificate_valid_until=certificate_valid_until, facts=dict(facts or {}),
            choices=dict(choices or {}))
    except ValidationError as exc:
        raise _invalid(exc) from None
    preview = inc.incentive_gate(draft, day)  # Art 25(2), the measure and its facts
    return opened(session, cases.open_case(
        session, iw.INCENTIVE, actor=actor, party_bins=[bin], at=at,
        title=f"{name.strip()}: {preview.value.measure_title}"[:500],
        data={"bin": bin, "name": name.strip(), "measure": draft.measure,
              "measure_title": preview.value.measure_title, "applied_on": day.isoformat(),
              "goods": [g.model_dump() for g in draft.goods],
              "counter_obligations_accepted": draft.counter_obligations_accepted,
              "counter_obligation_directions": list(draft.counter_obligation_directions),
              "facts": draft.facts, "choices": draft.choices,
              "certificate_valid_until": certificate_valid_until,
              "competitiveness_agreement": competitiveness_agreement,
              "project": project, "amount_requested": amount_requested,
              "grant_project": grant.model_dump(mode="json") if grant else None}), at)


def check(session: Session, actor: Actor, case_id: int, finding: Mapping[str, Any], *,
          on: dt.date | None = None) -> Explained[inc.GateResult]:
    """The gate as it stands today for this application, without deciding."""
    case = cases.get_case_for(session, actor, case_id)
    if case.case_type != iw.INCENTIVE:
        raise InputError("not an application for a measure of state stimulation",
                         field="case_id")
    try:
        model = iw.Finding.model_validate(finding)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return iw.evaluate(case, model, on or local_date(now_utc()))


def history(session: Session, actor: Actor, bin: str) -> list[IncentiveGrant]:
    """The measures granted to an entity and their counter-obligations (Art 28(4) reads
    them); a business sees its own only."""
    if actor.role.is_business and actor.bin != bin:
        raise NotFound(f"no history for {bin}", field="bin")
    return list(session.scalars(select(IncentiveGrant).where(IncentiveGrant.bin == bin)
                                .order_by(IncentiveGrant.granted_on)))


def totals(session: Session, actor: Actor) -> dict[str, Any]:
    """Dashboard figures: applications by state, money granted by measure (the caller's
    scope)."""
    rows = session.scalars(cases.visible_cases(session, actor)
                           .where(Case.case_type == iw.INCENTIVE)).all()
    by_state: dict[str, int] = {}
    for c in rows:
        by_state[c.state] = by_state.get(c.state, 0) + 1
    scope = {c.id for c in rows}
    by_measure: dict[str, Decimal] = {}
    for g in session.scalars(select(IncentiveGrant)):
        if g.case_id in scope:
            by_measure[g.measure] = by_measure.get(g.measure, Decimal(0)) + Decimal(g.amount)
    return {"by_state": by_state, "by_measure": by_measure}
