"""The state defense order: what belongs in it, its content, approval and immutability.

- `route` — the procurement-route classifier: an item is bought within the order or by
  public procurement (Law 236-VI Art 19 p.1-2; Art 20 p.6);
- `validate` — a draft's mandatory content (Art 19 p.3) and its funds (Art 24 p.1);
- `approve` — the order exists only as a Government legal act (Art 1 sub 22, Art 5 sub 8);
  its adoption date starts the contract clock (Art 22 p.5);
- `check_change` — an approved order is changed only by a Government act, and never in the
  cases of Art 23 p.2 (Art 19 p.4).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from kzreg.defense._law import art, data, in_force
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting


class Route(enum.StrEnum):
    ORDER = "state_defense_order"
    PUBLIC_PROCUREMENT = "public_procurement"
    EITHER = "order_or_public_procurement"   # special state bodies choose (Art 19 p.1 part 2)


def category(code: str, field_name: str = "category") -> dict:
    """A category of Art 19 p.2 ("1", "1-1", … "12")."""
    table = data("categories")
    key = str(code).strip()
    if key not in table:
        raise InputError(f"unknown category {code!r}; Art 19 p.2 lists {', '.join(table)}",
                         field=field_name, citation=art("Art 19 p.2"))
    return table[key]


def route(code: str, *, in_head_list: bool = False, special_state_body: bool = False,
          ao_cannot_supply: bool = False) -> Explained[Route]:
    """Whether an item is bought within the state defense order or by public procurement."""
    trace = Trace(rule="defense.route")
    entry = category(code)
    trace.step(f"category {code}: {entry['text']}", {"head_list": entry["head_list"]},
               citation=art("Art 19 p.2 part 1"))
    if ao_cannot_supply:
        trace.step("the authorized organization cannot supply (import) it: not included in "
                   "the order; public procurement or funds redistributed within the order",
                   Route.PUBLIC_PROCUREMENT, citation=art("Art 20 p.6"))
        return trace.done(Route.PUBLIC_PROCUREMENT)
    if entry["head_list"]:
        body = get_setting("defense.category_list_agreeing_body")
        listed = trace.step("categories 1-1, 2, 3, 7, 12 are within the order only if on the "
                            "list of the first head of the state body", in_head_list,
                            citation=art("Art 19 p.2 part 2"), parameters=[body.use()])
        if not listed:
            trace.step("not on the list: bought by the recipient under public procurement law",
                       Route.PUBLIC_PROCUREMENT, citation=art("Art 19 p.2 part 3"))
            return trace.done(Route.PUBLIC_PROCUREMENT)
    if special_state_body:
        trace.step("a special state body buys both within the order and under public "
                   "procurement law, listing its order items in its budget request",
                   Route.EITHER, citation=art("Art 19 p.1 part 2"))
        return trace.done(Route.EITHER)
    trace.step("bought within the state defense order", Route.ORDER,
               citation=art("Art 19 p.1 part 1"))
    return trace.done(Route.ORDER)


@dataclass(frozen=True)
class Line:
    """One position of the order (Art 19 p.3 sub 1-2)."""

    nomenclature: str
    category: str
    quantity: Decimal
    unit_price: Decimal
    deadline: dt.date | None
    recipient: str
    contractor: str
    section: str
    stage: str
    secrecy_level: int = 0

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class Draft:
    planning_period: str
    lines: tuple[Line, ...]
    recipients: tuple[str, ...]
    contractors: tuple[str, ...]
    allocated_funds: Decimal | None = None


@dataclass(frozen=True)
class Approved:
    """An approved order: the draft plus the Government act that approves it."""

    draft: Draft
    act_number: str
    act_date: dt.date
    amendments: tuple[str, ...] = field(default=())


def validate(draft: Draft, as_of: dt.date) -> Explained[list[str]]:
    """Problems in a draft order's mandatory content (empty list: complete). Totals per unit,
    section and stage are computed from the lines, exactly."""
    trace = Trace(rule="defense.order-content", as_of=as_of)
    problems: list[str] = []
    for n, line in enumerate(draft.lines):
        where = f"lines[{n}]"
        category(line.category, f"{where}.category")
        if not line.nomenclature.strip():
            problems.append(f"{where}.nomenclature: missing (Art 19 p.3 sub 1)")
        if line.quantity <= 0:
            problems.append(f"{where}.quantity: must be positive (Art 19 p.3 sub 1)")
        if line.deadline is None:
            problems.append(f"{where}.deadline: the delivery deadline is missing "
                            "(Art 19 p.3 sub 1)")
        if line.unit_price <= 0:
            problems.append(f"{where}.unit_price: the projected cost per unit is missing "
                            "(Art 19 p.3 sub 2)")
        if not line.section.strip() or not line.stage.strip():
            problems.append(f"{where}: section and stage are needed for the cost by sections "
                            "and stages (Art 19 p.3 sub 2)")
        if line.recipient not in draft.recipients:
            problems.append(f"{where}.recipient: {line.recipient!r} is not on the list of "
                            "recipients (Art 19 p.3 sub 3)")
        if not line.contractor.strip():
            problems.append(f"{where}.contractor: no contractor is selected for the line "
                            "(Art 19 p.3 sub 4)")
        elif line.contractor not in draft.contractors:
            problems.append(f"{where}.contractor: {line.contractor!r} is not on the list of "
                            "contractors (Art 19 p.3 sub 4)")
    if not draft.lines:
        problems.append("lines: no nomenclature (Art 19 p.3 sub 1)")
    trace.step("nomenclature, amounts and deadlines", len(draft.lines),
               citation=art("Art 19 p.3 sub 1"))
    total = sum((line.total for line in draft.lines), Decimal(0))
    by_section: dict[str, Decimal] = defaultdict(Decimal)
    by_stage: dict[str, Decimal] = defaultdict(Decimal)
    for line in draft.lines:
        by_section[line.section] += line.total
        by_stage[line.stage] += line.total
    trace.step("projected total cost, by sections and by stages",
               {"total": total, "sections": dict(by_section), "stages": dict(by_stage)},
               citation=art("Art 19 p.3 sub 2"))
    if not draft.recipients:
        problems.append("recipients: the list of recipients is empty (Art 19 p.3 sub 3)")
    if not draft.contractors:
        problems.append("contractors: the list of contractors is empty (Art 19 p.3 sub 4)")
    trace.step("lists of recipients and contractors",
               {"recipients": len(draft.recipients), "contractors": len(draft.contractors)},
               citation=art("Art 19 p.3 sub 3-4"))
    if draft.allocated_funds is not None and total > draft.allocated_funds:
        check = get_setting("defense.sdo_funds_check")
        message = (f"total {total} exceeds the allocated funds {draft.allocated_funds} "
                   "(Art 24 p.1)")
        trace.step("volumes depend on the funds allocated", message,
                   citation=art("Art 24 p.1"), parameters=[check.use()])
        if check.value == "error":
            problems.append(f"allocated_funds: {message}")
    return trace.done(trace.step("problems", problems, citation=art("Art 19 p.3")))


def approve(draft: Draft, act_number: str, act_date: dt.date) -> Explained[Approved]:
    """Approval by a legal act of the Government, on the SDP body's recommendation."""
    trace = Trace(rule="defense.order-approve", as_of=act_date)
    if not str(act_number or "").strip():
        raise InputError("the order is approved by a legal act of the Government: give its "
                         "number", field="act_number", citation=art("Art 1 sub 22"))
    problems = trace.include(validate(draft, act_date))
    if problems:
        raise LegalRuleError("the draft lacks mandatory content: " + "; ".join(problems),
                             field="draft", citation=art("Art 19 p.3"))
    trace.step("approved by the Government act; its adoption starts the 10 calendar days "
               "for sending contracts", {"act": act_number, "date": act_date},
               citation=art("Art 5 sub 8"))
    return trace.done(Approved(draft, act_number.strip(), act_date))


ART_23_P2_GROUNDS = ("tts_change", "quantity_change", "design_documentation",
                     "legislation_change", "multi_year_rephasing", "contractor_improvement",
                     "force_majeure_deadline", "extra_works")


def check_change(order: Approved, on: dt.date, *, contract_ground: str | None = None,
                 government_act: str | None = None) -> Explained[bool]:
    """May the approved order itself be changed? Never for a contract modification made on
    an Art 23 p.2 ground (the order stays as approved), otherwise only by a Government act
    amending it (Art 23 p.1 sub 2)."""
    trace = Trace(rule="defense.order-change", as_of=on)
    trace.step("the order is a legal act of the Government approving the nomenclature",
               order.act_number, citation=art("Art 1 sub 22"))
    if contract_ground is not None:
        if contract_ground not in ART_23_P2_GROUNDS:
            raise InputError(f"unknown ground {contract_ground!r}; one of "
                             f"{', '.join(ART_23_P2_GROUNDS)}", field="contract_ground",
                             citation=art("Art 23 p.2"))
        if in_force("Art 19 p.4", on, trace):
            trace.step("a contract modified under Art 23 p.2 leaves the approved order "
                       "unchanged", False, citation=art("Art 19 p.4"))
            return trace.done(False)
    if not str(government_act or "").strip():
        trace.step("no Government act amending the order is given", False,
                   citation=art("Art 23 p.1 sub 2"))
        return trace.done(False)
    trace.step("amended by a Government act", government_act, citation=art("Art 23 p.1 sub 2"))
    return trace.done(True)
