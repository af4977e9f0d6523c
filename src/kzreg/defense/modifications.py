"""Modifying a state defense order contract (Law 236-VI Art 23) and the approved order (Art 19 p.4).

A contract may be modified (Art 23 p.1, the cases read as alternatives, setting
`defense.art23_p1_conditions`):
  sub 1 — on one of the eight grounds of p.2, if the approved order's budget does not
          increase; the approved order itself then stays unchanged (p.2 opening, Art 19 p.4);
  sub 2 — after the Government amends the approved order;
  sub 3 — when the subject matter of the order does not change (with a recorded
          justification, setting `defense.art23_p1_sub3_needs_justification`).
Each p.2 ground is a predicate over the contract before and after; every allowed
modification is notified immediately to the SDP body (Art 22 p.12).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from kzreg.defense._law import LAW, art, money
from kzreg.defense.contracts import Money
from kzreg.law.acts import explain_provision_in_force
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting

SignedMoney = Annotated[Decimal, BeforeValidator(money)]


class Ground(enum.Enum):
    PRICE_REDUCTION = "price_reduction"                # p.2 sub 1
    TTS_CHANGE = "tts_change"                          # p.2 sub 2
    QUANTITY_CHANGE = "quantity_change"                # p.2 sub 3
    DESIGN_ESTIMATE = "design_estimate"                # p.2 sub 4, first case
    EXTRA_WORKS = "extra_works"                        # p.2 sub 4, second case
    LEGISLATION_CHANGE = "legislation_change"          # p.2 sub 5
    MULTI_YEAR_REPHASING = "multi_year_rephasing"      # p.2 sub 6
    CONTRACTOR_IMPROVEMENT = "contractor_improvement"  # p.2 sub 7
    FORCE_MAJEURE_DEADLINE = "force_majeure_deadline"  # p.2 sub 8
    SDO_AMENDED = "sdo_amended"                        # p.1 sub 2
    SUBJECT_UNCHANGED = "subject_unchanged"            # p.1 sub 3


LOCATOR = {
    Ground.PRICE_REDUCTION: "Art 23 p.2 sub 1", Ground.TTS_CHANGE: "Art 23 p.2 sub 2",
    Ground.QUANTITY_CHANGE: "Art 23 p.2 sub 3", Ground.DESIGN_ESTIMATE: "Art 23 p.2 sub 4",
    Ground.EXTRA_WORKS: "Art 23 p.2 sub 4", Ground.LEGISLATION_CHANGE: "Art 23 p.2 sub 5",
    Ground.MULTI_YEAR_REPHASING: "Art 23 p.2 sub 6",
    Ground.CONTRACTOR_IMPROVEMENT: "Art 23 p.2 sub 7",
    Ground.FORCE_MAJEURE_DEADLINE: "Art 23 p.2 sub 8",
    Ground.SDO_AMENDED: "Art 23 p.1 sub 2", Ground.SUBJECT_UNCHANGED: "Art 23 p.1 sub 3",
}
P2_GROUNDS = frozenset(g for g in Ground if LOCATOR[g].startswith("Art 23 p.2"))


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: str = Field(min_length=1)
    quantity: Money
    unit_price: Money
    deadline: dt.date


class ContractTerms(BaseModel):
    """The contract's economic terms on one side of the modification."""

    model_config = ConfigDict(extra="forbid")

    value: Money
    lines: list[Line] = Field(default_factory=list)
    yearly: dict[int, Money] = Field(default_factory=dict,
                                     description="amount per financial year")


class SdoAct(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1)
    adopted_on: dt.date


class ModificationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ground: Ground
    modified_on: dt.date
    before: ContractTerms
    after: ContractTerms
    mutual_agreement: bool = False
    recipient_coordinated: bool = False
    design_estimate_examined: bool = False
    allocated_sum: Money | None = None
    extra_works_basis: str | None = Field(
        None, description="additional works and/or non-repairable units found at fault "
        "inspection of weapons and military equipment")
    legislation_change_ref: str | None = None
    legislation_effect: SignedMoney | None = Field(
        None, description="the change of value the legal change causes (signed)")
    improvement_offered_by_contractor: bool = False
    force_majeure: str | None = Field(None, description="the force majeure circumstances")
    sdo_total_increase: Money = Field(
        Decimal(0), description="how much the approved order's total budget would rise after "
        "savings elsewhere in the order")
    sdo_line_increase: Money | None = None
    changes_approved_order: bool = Field(
        False, description="the request also edits the approved order")
    sdo_amendment_act: SdoAct | None = None
    subject_matter_unchanged: bool = False
    justification: str | None = None


@dataclass(frozen=True)
class ModificationResult:
    allowed: bool
    ground: str
    basis: str
    failed: list[str] = field(default_factory=list)
    value_before: Decimal = Decimal(0)
    value_after: Decimal = Decimal(0)
    value_change: Decimal = Decimal(0)
    approved_order: str = "unchanged"
    notify_sdp_body: str | None = None


class _Check:
    """Collects the conditions of one ground as trace steps."""

    def __init__(self, trace: Trace, locator: str) -> None:
        self.trace, self.locator, self.failed = trace, locator, []

    def need(self, ok: bool, text: str, *, locator: str | None = None, **inputs: Any) -> bool:
        self.trace.step(("met: " if ok else "NOT met: ") + text, ok,
                        citation=art(locator or self.locator), inputs=inputs or None)
        if not ok:
            self.failed.append(f"{locator or self.locator}: {text}")
        return ok


def _by_item(lines: list[Line], field_name: str) -> dict[str, Line]:
    seen: dict[str, Line] = {}
    for line in lines:
        if line.item in seen:
            raise InputError(f"item {line.item!r} appears twice", field=field_name)
        seen[line.item] = line
    return seen


def _prices_unchanged(req: ModificationRequest) -> tuple[bool, list[str]]:
    before = _by_item(req.before.lines, "before.lines")
    changed = [f"{item}: {before[item].unit_price} → {line.unit_price}"
               for item, line in _by_item(req.after.lines, "after.lines").items()
               if item in before and line.unit_price != before[item].unit_price]
    new = [f"{item}: new item" for item in _by_item(req.after.lines, "after.lines")
           if item not in before]
    return not changed and not new, changed + new


def _deadlines_unchanged(req: ModificationRequest) -> tuple[bool, list[str]]:
    before = _by_item(req.before.lines, "before.lines")
    moved = [f"{item}: {before[item].deadline} → {line.deadline}"
             for item, line in _by_item(req.after.lines, "after.lines").items()
             if item in before and line.deadline != before[item].deadline]
    return not moved, moved


def _need_lines(req: ModificationRequest, ground: Ground) -> None:
    if not req.before.lines or not req.after.lines:
        raise InputError(f"{ground.value} compares unit prices and deadlines: give the lines "
                         "before and after", field="before.lines",
                         citation=art(LOCATOR[ground]))


def _ground_conditions(req: ModificationRequest, c: _Check, delta: Decimal) -> None:
    g = req.ground
    if g is Ground.PRICE_REDUCTION:
        _need_lines(req, g)
        before = _by_item(req.before.lines, "before.lines")
        after = _by_item(req.after.lines, "after.lines")
        lower = [i for i, ln in after.items() if i in before and ln.unit_price
                 < before[i].unit_price]
        higher = [i for i, ln in after.items() if i not in before or ln.unit_price
                  > before[i].unit_price]
        c.need(bool(lower) and not higher, "the price is reduced (no unit price rises)",
               reduced=lower, raised=higher)
        c.need(delta < 0, "the contract value decreases", value_change=delta)
        c.need(req.mutual_agreement, "mutually agreed on by the parties")
    elif g is Ground.TTS_CHANGE:
        c.need(req.recipient_coordinated, "the TTS change is coordinated with the recipient")
        if req.before.lines:
            ok, moved = _deadlines_unchanged(req)
            c.need(ok, "deadlines for the fulfilment of obligations remain unaltered",
                   moved=moved)
    elif g is Ground.QUANTITY_CHANGE:
        _need_lines(req, g)
        ok, changed = _prices_unchanged(req)
        c.need(ok, "the price per unit specified in the contract remains unaltered",
               changed=changed)
        ok, moved = _deadlines_unchanged(req)
        c.need(ok, "deadlines for the fulfilment of obligations remain unaltered", moved=moved)
        before = _by_item(req.before.lines, "before.lines")
        after = _by_item(req.after.lines, "after.lines")
        quantity_value = sum(((after[i].quantity if i in after else 0)
                              - (before[i].quantity if i in before else 0))
                             * (before[i] if i in before else after[i]).unit_price
                             for i in set(before) | set(after))
        c.need(delta != 0 and delta == quantity_value,
               "the value changes by exactly the changed amount times the unit price",
               value_change=delta, quantity_times_price=quantity_value)
    elif g in (Ground.DESIGN_ESTIMATE, Ground.EXTRA_WORKS):
        c.need(delta > 0, "the contract value increases", value_change=delta)
        if g is Ground.DESIGN_ESTIMATE:
            c.need(req.design_estimate_examined, "the design and estimate documentation, "
                   "examined under the legislation, was amended")
            needs_decision = True
        else:
            c.need(bool(req.extra_works_basis and req.extra_works_basis.strip()),
                   "additional works performed and/or non-repairable units found at fault "
                   "inspection of weapons and military equipment")
            setting = get_setting("defense.extra_works_need_allocation_decision")
            c.trace.step("additional works also need an allocation decision equal to the "
                         "increase", setting.value, parameters=[setting.use()])
            needs_decision = bool(setting.value)
        if needs_decision:
            c.need(req.allocated_sum is not None and req.allocated_sum == delta,
                   "a decision allocates an additional sum equal to the increase",
                   allocated_sum=req.allocated_sum, increase=delta)
    elif g is Ground.LEGISLATION_CHANGE:
        c.need(bool(req.legislation_change_ref and req.legislation_change_ref.strip()),
               "a change in tax, customs or other legislation of the RK (or of the "
               "counterparty's state) is named")
        c.need(delta != 0 and req.legislation_effect == delta,
               "the value changes by the amount the legal change causes",
               value_change=delta, legislation_effect=req.legislation_effect)
    elif g is Ground.MULTI_YEAR_REPHASING:
        year = req.modified_on.year
        before, after = req.before.yearly, req.after.yearly
        c.need(any(y > year for y in set(before) | set(after)),
               f"the contract runs beyond the current financial year {year}",
               years=sorted(before))
        fy = get_setting("defense.contract_financial_year")
        c.trace.step("the financial year is the calendar year", fy.value,
                     parameters=[fy.use()])
        c.need(before.get(year, Decimal(0)) != after.get(year, Decimal(0)),
               f"the amount for the current financial year {year} changes",
               before=before.get(year), after=after.get(year))
        total_before, total_after = sum(before.values()), sum(after.values())
        c.need(total_before == total_after and delta == 0,
               "the total contract value remains unaltered",
               total_before=total_before, total_after=total_after)
    elif g is Ground.CONTRACTOR_IMPROVEMENT:
        c.need(req.improvement_offered_by_contractor, "the contractor offered improvements to "
               "quality and (or) technical characteristics in the course of execution")
        _need_lines(req, g)
        ok, changed = _prices_unchanged(req)
        c.need(ok, "the price per unit remains unaltered", changed=changed)
        ok, moved = _deadlines_unchanged(req)
        c.need(ok, "deadlines for the fulfilment of obligations remain unaltered", moved=moved)
    elif g is Ground.FORCE_MAJEURE_DEADLINE:
        c.need(bool(req.force_majeure and req.force_majeure.strip()),
               "force majeure circumstances occurred")
        c.need(req.mutual_agreement, "the deadline is changed by mutual agreement of the parties")
        _need_lines(req, g)
        ok, moved = _deadlines_unchanged(req)
        c.need(not ok, "the execution deadline changes", moved=moved)
        only = get_setting("defense.contract_force_majeure_deadline_only")
        if only.value:
            prices_ok, changed = _prices_unchanged(req)
            c.trace.step("this ground changes the deadline only", True,
                         parameters=[only.use()])
            c.need(prices_ok and delta == 0, "unit prices and value stay as they were",
                   changed=changed, value_change=delta)


def _budget_test(req: ModificationRequest, c: _Check) -> None:
    granularity = get_setting("defense.sdo_budget_test_granularity")
    if granularity.value == "sdo_line":
        if req.sdo_line_increase is None:
            raise InputError("the setting tests the order's line: give sdo_line_increase",
                             field="sdo_line_increase", citation=art("Art 23 p.1 sub 1"))
        increase = req.sdo_line_increase
    else:
        increase = req.sdo_total_increase
    c.trace.step("the budget of the approved order is compared "
                 + ("as a whole" if granularity.value == "sdo_total" else "line by line"),
                 granularity.value, parameters=[granularity.use()])
    c.need(increase == 0, "the modification does not increase the budget of the approved "
           "order (an increase covered by savings within it does not count)",
           locator="Art 23 p.1 sub 1", sdo_budget_increase=increase)


def check_modification(req: ModificationRequest) -> Explained[ModificationResult]:
    """Is the modification allowed, on which ground, and what happens to the approved order."""
    trace = Trace("defense.contract-modification", req.modified_on)
    ground, locator = req.ground, LOCATOR[req.ground]
    delta = req.after.value - req.before.value
    base = dict(ground=ground.value, basis=art(locator).ref, value_before=req.before.value,
                value_after=req.after.value, value_change=delta)
    in_force = trace.include(explain_provision_in_force(LAW, locator, req.modified_on))
    if in_force is not True:
        trace.step(f"{locator} does not apply on {req.modified_on.isoformat()}: Art 23 takes "
                   "effect on 1 January 2020", False, citation=art("Art 32 p.1"))
        return trace.done(ModificationResult(False, failed=[f"{locator}: not in force"],
                                             approved_order="not applicable", **base))
    conditions = get_setting("defense.art23_p1_conditions")
    trace.step("the three cases of Art 23 p.1 are alternatives: this request invokes one",
               ground.value, citation=art("Art 23 p.1"), parameters=[conditions.use()])
    c = _Check(trace, locator)
    approved = "unchanged"
    if ground in P2_GROUNDS:
        _ground_conditions(req, c, delta)
        _budget_test(req, c)
        c.need(not req.changes_approved_order, "no changes or additions are made to the "
               "approved state defense order in the cases of Art 23 p.2",
               locator="Art 19 p.4")
    elif ground is Ground.SDO_AMENDED:
        act = req.sdo_amendment_act
        c.need(act is not None and act.adopted_on <= req.modified_on,
               "the Government has amended the approved order (act adopted before the "
               "modification)", act=act.number if act else None)
        approved = f"amended by Government act {act.number}" if act else "unchanged"
    else:
        c.need(req.subject_matter_unchanged, "the modification does not change the subject "
               "matter of the state defense order")
        needs = get_setting("defense.art23_p1_sub3_needs_justification")
        if needs.value:
            trace.step("this case is accepted only with a recorded justification", True,
                       parameters=[needs.use()])
            c.need(bool(req.justification and req.justification.strip()),
                   "a justification showing the subject matter unchanged is recorded")
    allowed = not c.failed
    notice = None
    if allowed:
        notice = trace.step("the recipient and the contractor notify the SDP body immediately "
                            "of the amendment", "amendments and additions",
                            citation=art("Art 22 p.12"))
    trace.step("ALLOWED" if allowed else "REJECTED", allowed, citation=art(locator))
    return trace.done(ModificationResult(allowed, failed=c.failed, approved_order=approved,
                                         notify_sdp_body=notice, **base))


def check_order_edit(changes_order: bool, ground: Ground) -> Explained[bool]:
    """Art 19 p.4: may the approved order be edited because of a modification on `ground`?"""
    trace = Trace("defense.contract-order-edit")
    if ground in P2_GROUNDS and changes_order:
        trace.step(f"a modification under {LOCATOR[ground]} leaves the approved order as it is",
                   False, citation=art("Art 19 p.4"))
        return trace.done(False)
    trace.step("the approved order changes only by a Government act (Art 23 p.1 sub 2)"
               if changes_order else "the approved order is not touched", True,
               citation=art("Art 19 p.4"))
    return trace.done(True)
