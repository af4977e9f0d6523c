"""The case type of an application for a measure of state stimulation of industry (Law 86-VII
Arts 25-28), imported by kzreg.producers.workflow.

`producers.incentive_application`: filed → granted under an agreement with counter-obligations
(Art 27(1)) or refused → performing the counter-obligations, monitored (NDI-ID, Art 13(2)(2);
the authorized body for competitiveness agreements, Art 28(3)) → fulfilled, or not fulfilled
and the money returned (Art 27(4)).

- `grant` and `refuse` re-run the eligibility gate on the day of the decision, with the
  officer's finding on the documents and the register as stored: the four conditions of
  Art 25(5) are the only grounds of refusal (Art 25(6)), so `refuse` is allowed only when the
  gate fails and `grant` only when it passes. An agreement on increasing competitiveness is
  also barred by an earlier one the entity failed through its own fault (Art 28(4)), read
  from the stored history of counter-obligations (`models.IncentiveGrant`).
- The counter-obligations' term is the agreement's (a fixed-date deadline, `fixed_timers`);
  the Law sets no term for the decision (setting producers.incentive_stage_deadlines).
- `not_fulfilled` records the level of fulfilment and whether the failure was beyond the
  entity's control; the refund follows setting producers.counter_obligation_refund_formula
  and is recorded as "to be computed by the rules" while that is unset.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import object_session

from kzreg.law.calendar import now_utc
from kzreg.law.errors import LegalRuleError
from kzreg.law.explain import Explained, Trace, jsonable
from kzreg.platform.actors import Role
from kzreg.platform.casetypes import CaseType, State, Transition, register_case_type
from kzreg.producers import grants
from kzreg.producers import incentives as inc
from kzreg.producers.fixed_timers import FixedDeadline, fixed
from kzreg.producers.models import (
    FULFILLED,
    INCLUDED,
    NOT_FULFILLED,
    PERFORMING,
    IncentiveGrant,
    RegisterEntry,
)
from kzreg.web.i18n import N_

INCENTIVE = "producers.incentive_application"
OFFICERS = frozenset({Role.INDUSTRY_OFFICER, Role.ADMIN})
APPLICANTS = frozenset({Role.MANUFACTURER, Role.CONTRACTOR})
BAN_REASON = "PRIOR_CULPABLE_FAILURE"   # Art 28(4), competitiveness agreements only
art = inc.art


class Finding(BaseModel):
    """The officer's finding on condition 3 of Art 25(5)."""
    documents_compliant: bool
    document_findings: list[str] = Field(default_factory=list)


class Obligation(BaseModel):
    direction: Literal[inc.DIRECTIONS]  # type: ignore[valid-type]
    indicator: str = Field(min_length=2, max_length=300)
    target: str = Field(min_length=1, max_length=100)


class GrantIn(Finding):
    agreement_no: str = Field(min_length=1, max_length=60)
    amount: Decimal = Field(ge=0, description="KZT provided under the measure")
    obligations_due_on: dt.date
    counter_obligations: list[Obligation] = Field(min_length=1)


class RefuseIn(Finding):
    justification: str = Field("", max_length=4000)


class MonitoringIn(BaseModel):
    period: str = Field(min_length=2, max_length=40)
    fulfilment_percent: Decimal = Field(ge=0)
    notes: str = Field("", max_length=2000)


class FulfilledIn(BaseModel):
    fulfilment_percent: Decimal = Field(ge=100)
    notes: str = Field("", max_length=2000)


class NotFulfilledIn(BaseModel):
    fulfilment_percent: Decimal = Field(ge=0, lt=100)
    beyond_control: bool = False
    base_rate_percent: Decimal | None = Field(None, ge=0)
    justification: str = Field(min_length=3, max_length=4000)


class RefundIn(BaseModel):
    amount_returned: Decimal = Field(ge=0)
    returned_on: dt.date


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


# --- the gate on the day of the decision ------------------------------------------------------

def in_register(session: Any, bin: str, on: dt.date) -> bool:
    entry = session.scalars(select(RegisterEntry).where(RegisterEntry.bin == bin)).first()
    return bool(entry and entry.status == INCLUDED and entry.included_on <= on)


def prior_agreements(session: Any, bin: str, *, but: int | None = None
                     ) -> list[inc.PriorAgreement]:
    """The entity's earlier competitiveness agreements, from the stored history."""
    rows = session.scalars(select(IncentiveGrant).where(
        IncentiveGrant.bin == bin, IncentiveGrant.competitiveness_agreement.is_(True),
        IncentiveGrant.case_id != (but or -1)))
    return [inc.PriorAgreement(agreement_id=r.agreement_no,
                               counter_obligations_failed=r.status == NOT_FULFILLED,
                               beyond_control=bool(r.beyond_control)) for r in rows]


def evaluate(case: Any, finding: Finding, as_of: dt.date) -> Explained[inc.GateResult]:
    """The gate of Art 25(5)-(6) (and Art 28(4)) for this case on `as_of`."""
    session = object_session(case)
    d = case.data
    trace = Trace("producers.incentive-decision", as_of)
    registered = trace.step("the applicant is in the register of Kazakhstani commodity "
                            "producers on the day (read from the register)",
                            in_register(session, d["bin"], as_of), citation=art("Art 25(5)"))
    application = inc.IncentiveApplication(
        measure=d["measure"], applied_on=d["applied_on"], goods=d["goods"],
        counter_obligations_accepted=d["counter_obligations_accepted"],
        counter_obligation_directions=d["counter_obligation_directions"],
        documents_compliant=finding.documents_compliant,
        document_findings=finding.document_findings, in_register=registered,
        certificate_valid_until=d.get("certificate_valid_until"), facts=d.get("facts", {}),
        choices=d.get("choices", {}))
    gate = trace.include(inc.incentive_gate(application, as_of))
    if d.get("grant_project"):
        gate = _with_grant_check(trace, gate, d, as_of)
    if not d.get("competitiveness_agreement"):
        return trace.done(gate)
    ban = inc.CompetitivenessRequest(entity=d["bin"],
                                     prior_agreements=prior_agreements(session, d["bin"],
                                                                       but=case.id))
    if trace.include(inc.competitiveness_ban(ban, as_of)):
        return trace.done(gate)
    failure = inc.Failure(BAN_REASON, "Art 28(4)", "an earlier agreement on increasing "
                          "competitiveness whose counter-obligations the entity failed")
    return trace.done(inc.GateResult(gate.measure, gate.measure_title, False,
                                     (*gate.reasons, BAN_REASON), (*gate.failures, failure)))


def _with_grant_check(trace: Trace, gate: inc.GateResult, d: dict, as_of: dt.date
                      ) -> inc.GateResult:
    """An industrial grant's own conditions (Art 42), as condition 3 of Art 25(5)."""
    check = trace.include(grants.grant_check(grants.GrantCheckInput(
        **d["grant_project"], goods=d["goods"],
        counter_obligations_accepted=d["counter_obligations_accepted"]), as_of))
    covered = grants.GATE_COVERS | (
        {"co_financing"} if not Decimal(d["grant_project"]["own_contribution"]) else set())
    extra = tuple(inc.Failure(inc.REASONS[3], f.clause, f.detail) for f in check.failures
                  if f.code not in covered)
    if not extra:
        return gate
    failures = (*gate.failures, *extra)
    return inc.GateResult(gate.measure, gate.measure_title, False,
                          tuple(dict.fromkeys(f.reason for f in failures)), failures)


def _may_grant(case: Any, payload: GrantIn, as_of: dt.date) -> Explained[bool]:
    result = evaluate(case, payload, as_of)
    if not result.value.eligible:
        raise LegalRuleError("refused by law: " + "; ".join(
            f"{f.reason} ({f.detail})" for f in result.value.failures), field="transition",
            citation=art(result.value.failures[0].clause))
    if payload.obligations_due_on <= as_of:
        raise LegalRuleError("the counter-obligations' term must end after the agreement",
                             field="obligations_due_on", citation=art("Art 27(1)"))
    project = case.data.get("grant_project")
    if project and payload.amount > Decimal(project["project_cost"]) - Decimal(
            project["own_contribution"]):
        raise LegalRuleError("an industrial grant co-finances the project: it cannot exceed "
                             "the project's cost less the entity's own contribution",
                             field="amount", citation=art("Art 42(2)"))
    return Explained(True, result.steps, result.rule, as_of)


def _may_refuse(case: Any, payload: RefuseIn, as_of: dt.date) -> Explained[bool]:
    result = evaluate(case, payload, as_of)
    if result.value.eligible:
        raise LegalRuleError("all four conditions are met: non-compliance with them is the only "
                             "ground of refusal", field="transition", citation=art("Art 25(6)"))
    return Explained(True, result.steps, result.rule, as_of)


def _decide(granted: bool):
    def effect(case: Any, payload: Finding, as_of: dt.date) -> None:
        result = evaluate(case, payload, as_of).value
        case.data["decision"] = jsonable({
            "on": as_of, "granted": granted, "reasons": result.reasons,
            "failures": [f.__dict__ for f in result.failures],
            **payload.model_dump(mode="json")})
        if not granted:
            return
        assert isinstance(payload, GrantIn)
        object_session(case).add(IncentiveGrant(
            case_id=case.id, bin=case.data["bin"], measure=case.data["measure"],
            competitiveness_agreement=bool(case.data.get("competitiveness_agreement")),
            agreement_no=payload.agreement_no, granted_on=as_of,
            obligations_due_on=payload.obligations_due_on, amount=str(payload.amount),
            directions=sorted({o.direction for o in payload.counter_obligations}),
            status=PERFORMING, updated_at=now_utc()))
    return effect


def _grant_row(case: Any) -> IncentiveGrant:
    return object_session(case).scalars(select(IncentiveGrant).where(
        IncentiveGrant.case_id == case.id)).one()


def _monitor(case: Any, payload: MonitoringIn, as_of: dt.date) -> None:
    reports = list(case.data.get("monitoring", []))
    reports.append({**payload.model_dump(mode="json"), "on": as_of.isoformat()})
    case.data["monitoring"] = reports
    _grant_row(case).fulfilment_percent = str(payload.fulfilment_percent)


def _close(status: str):
    def effect(case: Any, payload: BaseModel, as_of: dt.date) -> None:
        row = _grant_row(case)
        row.status, row.closed_on, row.updated_at = status, as_of, now_utc()
        row.fulfilment_percent = str(payload.fulfilment_percent)  # type: ignore[attr-defined]
        outcome: dict[str, Any] = {**payload.model_dump(mode="json"), "on": as_of.isoformat()}
        if isinstance(payload, NotFulfilledIn):
            row.beyond_control = payload.beyond_control
            outcome["refund"] = refund_due(row, payload, as_of)
            row.refund_amount = outcome["refund"]["amount"]
        case.data["outcome"] = outcome
    return effect


def refund_due(row: IncentiveGrant, payload: NotFulfilledIn, as_of: dt.date) -> dict[str, Any]:
    """The refund of Art 27(4) by the rules' formula, or why it is not computed."""
    from kzreg.law.settings import get_setting

    formula = get_setting("producers.counter_obligation_refund_formula")
    if formula.value == "unset" or payload.base_rate_percent is None:
        return {"amount": None, "basis": art("Art 27(4)").ref,
                "note": "to be computed by the counter-obligation rules' formula "
                        "(producers.counter_obligation_refund_formula), with the base rate"}
    result = inc.refund(inc.RefundInput(
        amount_received=Decimal(row.amount), fulfilment_percent=payload.fulfilment_percent,
        base_rate_percent=payload.base_rate_percent,
        days=(as_of - row.granted_on).days), as_of)
    return {"amount": str(result.value), "basis": art("Art 27(4)").ref,
            "trace": result.to_dict()}


def _refunded(case: Any, payload: RefundIn, as_of: dt.date) -> None:
    case.data["refund_record"] = payload.model_dump(mode="json")


@fixed(INCENTIVE, "performing")
def _obligations_term(case: Any) -> FixedDeadline | None:
    due = (case.data.get("decision") or {}).get("obligations_due_on")
    return FixedDeadline("counter_obligations", dt.date.fromisoformat(due), art("Art 27(1)"),
                         N_("Counter-obligations assessed at the end of their term")
                         ) if due else None


register_case_type(CaseType(
    name=INCENTIVE, title="Application for a measure of state stimulation of industry",
    states=(
        State("filed", "Filed: examined against the conditions of Art 25(5)"),
        State("performing", "Granted: counter-obligations being performed"),
        State("refund_due", "Counter-obligations not fulfilled: money to be returned"),
        State("refused", "Refused (reasoned, Art 25(6))", final=True),
        State("withdrawn", "Withdrawn by the applicant", final=True),
        State("fulfilled", "Counter-obligations fulfilled", final=True),
        State("refunded", "Money returned", final=True),
    ),
    transitions=(
        Transition("grant", "filed", "performing", roles=OFFICERS, payload=GrantIn,
                   guard=_may_grant, effect=_decide(True), citation=art("Art 27(1)"),
                   title="Grant the measure under an agreement with counter-obligations"),
        Transition("refuse", "filed", "refused", roles=OFFICERS, payload=RefuseIn,
                   guard=_may_refuse, effect=_decide(False), citation=art("Art 25(6)"),
                   title="Refuse: a condition of Art 25(5) is not met"),
        Transition("withdraw", "filed", "withdrawn", roles=APPLICANTS, payload=NoteIn,
                   title="Withdraw the application"),
        Transition("record_monitoring", "performing", "performing", roles=OFFICERS,
                   payload=MonitoringIn, effect=_monitor, citation=art("Art 13(2)(2)"),
                   title="Record a monitoring result of the counter-obligations"),
        Transition("fulfilled", "performing", "fulfilled", roles=OFFICERS,
                   payload=FulfilledIn, effect=_close(FULFILLED), citation=art("Art 27(1)"),
                   title="Counter-obligations fulfilled"),
        Transition("not_fulfilled", "performing", "refund_due", roles=OFFICERS,
                   payload=NotFulfilledIn, effect=_close(NOT_FULFILLED),
                   citation=art("Art 27(4)"),
                   title="Counter-obligations not fulfilled: money to be returned"),
        Transition("record_refund", "refund_due", "refunded", roles=OFFICERS,
                   payload=RefundIn, effect=_refunded, citation=art("Art 27(4)"),
                   title="Record the money returned"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER, Role.CONTRACTOR}),
    openers=OFFICERS | APPLICANTS,
))
