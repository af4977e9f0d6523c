"""Recipients' applications and the research pipeline feeding the draft order.

- `check_application` — a recipient's need (Law 236-VI Art 25 sub 1) and research
  application (sub 2: only within approved specialized scientific areas), routed by the
  classifier of Art 19 (`order.route`); the draft is prepared from applications (Art 20 p.1);
- `research_included` — research enters the draft order only if the DSTC selected it on the
  opinion of the expert council of its area (Art 21 p.1, p.5), the area approved by the DSTC
  (Art 21 p.2 task 2);
- `report_step` — a report on completed research is examined by the expert council
  (Art 21 p.4), considered by the DSTC (Art 21 p.2 task 4), then approved by the body
  whose budget holds the funds (Art 6-1 sub 19; Art 7 sub 14-2), in that order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from kzreg.defense._law import art
from kzreg.defense.order import Route, route
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace

RESEARCH = "6"


@dataclass(frozen=True)
class Application:
    recipient: str
    category: str
    nomenclature: str
    quantity: Decimal
    planning_period: str
    justification: str            # re-equipment prospects, staff size and standards
    place_of_delivery: str = ""
    research_area: str | None = None
    in_head_list: bool = False
    special_state_body: bool = False
    secrecy_level: int = 0


def check_application(application: Application, approved_areas: frozenset[str],
                      on: dt.date) -> Explained[list[str]]:
    """Problems in an application (empty: it goes to the draft order)."""
    trace = Trace(rule="defense.application", as_of=on)
    problems: list[str] = []
    way = trace.include(route(application.category, in_head_list=application.in_head_list,
                              special_state_body=application.special_state_body))
    if way is Route.PUBLIC_PROCUREMENT:
        problems.append("category: the item is bought by public procurement, not within the "
                        "order (Art 19 p.2 part 3)")
    if application.quantity <= 0:
        problems.append("quantity: must be positive (Art 25 sub 1)")
    if not trace.step("the need is justified by re-equipment prospects, staff size and "
                      "standards", bool(application.justification.strip()),
                      citation=art("Art 25 sub 1")):
        problems.append("justification: state the re-equipment prospects, staff size and "
                        "standards the need rests on (Art 25 sub 1)")
    if application.category == RESEARCH:
        area = application.research_area
        within = trace.step("research within an approved specialized scientific area",
                            area in approved_areas, citation=art("Art 25 sub 2"),
                            inputs={"area": area})
        if not within:
            problems.append(f"research_area: {area!r} is not an approved specialized "
                            "scientific area (Art 25 sub 2, Art 21 p.2)")
    elif not application.place_of_delivery.strip():
        problems.append("place_of_delivery: state where the goods are delivered or the "
                        "works performed (Art 20 p.2 part 3)")
    return trace.done(trace.step("problems", problems, citation=art("Art 20 p.1")))


def research_included(area: str, approved_areas: frozenset[str], opinion: str | None,
                      dstc_selected: bool, on: dt.date) -> Explained[bool]:
    """May this research be included in the draft order?"""
    trace = Trace(rule="defense.research-included", as_of=on)
    ok = trace.step("the area is approved by the DSTC", area in approved_areas,
                    citation=art("Art 21 p.2"), inputs={"area": area})
    ok = trace.step("the expert council of the area issued an opinion", bool(opinion),
                    citation=art("Art 21 p.4-5"), inputs={"opinion": opinion}) and ok
    ok = trace.step("the DSTC selected it on the basis of the opinion", dstc_selected,
                    citation=art("Art 21 p.1")) and ok
    return trace.done(trace.step("included in the draft order", ok,
                                 citation=art("Art 21 p.1")))


# step: (the status it needs, the status it leaves, its clause, what it is)
REPORT_STEPS = {
    "examine": ("submitted", "examined", "Art 21 p.4",
                "the expert council examines the report"),
    "consider": ("examined", "considered", "Art 21 p.2",
                 "the DSTC considers the report (task 4)"),
    "approve": ("considered", "approved", "Art 6-1 sub 19",
                "the body whose budget holds the funds approves the report"),
}


def report_step(status: str, step: str, on: dt.date, last_on: dt.date) -> Explained[str]:
    """The status a report on completed research reaches by `step` on `on`; refused out of
    order or dated before the step before it."""
    trace = Trace(rule="defense.research-report", as_of=on)
    if step not in REPORT_STEPS:
        raise InputError(f"one of {', '.join(REPORT_STEPS)}", field="step")
    needs, leaves, clause, what = REPORT_STEPS[step]
    if status != needs:
        raise LegalRuleError(f"{what} after the report is {needs}; it is {status}",
                             field="step", citation=art(clause))
    if on < last_on:
        raise InputError(f"the date precedes the previous step ({last_on.isoformat()})",
                         field="on", citation=art(clause))
    return trace.done(trace.step(what, leaves, citation=art(clause)))
