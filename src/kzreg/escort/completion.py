"""Completing the escort at destination (Rules §13) or classing the goods high risk (§15)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, Field

from kzreg.escort._law import rules
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting


class SealAtArrival(BaseModel):
    number: str
    intact: bool = Field(description="Is the affixed navigation seal intact?")


class ArrivalFindings(BaseModel):
    """What the destination officer found (§13 inspection) and what the operator reported."""

    seals: list[SealAtArrival] = Field(min_length=1)
    compartments_intact: bool
    non_routine_situations_reported: int = Field(
        0, ge=0, description="How many non-routine (emergency) situations the national "
        "operator reported during the escort")
    traces_of_unauthorized_access: bool = False
    goods_match_declaration: bool = Field(
        True, description="False if there are signs that the goods do not correspond to the "
        "transit declaration")
    illegal_actions: list[str] = Field(
        default_factory=list, description='Illegal actions found, e.g. "substitution", '
        '"change of quantity", "change of quality"')


@dataclass(frozen=True)
class CompletionOutcome:
    completion_allowed: bool
    failed_conditions: tuple[str, ...]       # §13 conditions that do not hold
    high_risk: bool
    high_risk_grounds: tuple[str, ...]       # §15 grounds that hold
    deactivation_requests: tuple[str, ...]   # seals to request deactivation for (§13)
    next_step: str

    def __str__(self) -> str:
        if self.completion_allowed:
            seals = ", ".join(self.deactivation_requests)
            return f"completion allowed; deactivation requests for {seals}"
        return ("high risk: " + "; ".join(self.high_risk_grounds) if self.high_risk
                else "completion not allowed: " + "; ".join(self.failed_conditions))


@rule("escort.completion", title="Completion of the escort (§13) or high-risk classification "
      "and inspection (§15)", citation=rules("§13"), inputs=ArrivalFindings)
def judge_completion(inp: ArrivalFindings, as_of: dt.date) -> Explained[CompletionOutcome]:
    trace = Trace("escort.completion", as_of)
    numbers = [s.number.strip() for s in inp.seals]
    if len(set(numbers)) != len(numbers) or not all(numbers):
        raise InputError("each seal is listed once with its number", field="seals")
    same = get_setting("escort.emergency_situation_is_non_routine_situation")
    broken = [s.number for s in inp.seals if not s.intact]
    conditions = (
        ("1) integrity of the affixed navigation seals", not broken,
         f"seals not intact: {', '.join(broken)}" if broken else f"all {len(numbers)} intact"),
        ("2) integrity of the cargo compartments", inp.compartments_intact, ""),
        ("3) absence of information from the national operator about non-routine situations",
         inp.non_routine_situations_reported == 0,
         f"{inp.non_routine_situations_reported} reported"),
        ("4) absence of traces of unauthorized access to goods",
         not inp.traces_of_unauthorized_access, ""),
    )
    failed = []
    for text, holds, detail in conditions:
        trace.step(f"completion condition {text}: " + ("holds" if holds else "fails")
                   + (f" ({detail})" if detail else ""), holds, citation=rules("§13"))
        if not holds:
            failed.append(text)
    grounds = []
    if not inp.goods_match_declaration:
        grounds.append("a) signs that the arrived goods do not correspond to the transit "
                       "declaration")
    if inp.illegal_actions:
        grounds.append(f"b) illegal actions with the goods ({', '.join(inp.illegal_actions)})")
    if inp.non_routine_situations_reported:
        grounds.append("c) information from the national operator about an emergency "
                       "situation during the escort")
    for ground in grounds:
        trace.step(f"high-risk ground holds: {ground}", True, citation=rules("§15"),
                   parameters=[same.use()] if ground.startswith("c)") else [])
    handling = get_setting("escort.failed_completion_handling")
    if not failed and not grounds:
        per_seal = get_setting("escort.deactivation_request_per_seal")
        trace.step("all four conditions hold: the destination officer completes the escort "
                   "and requests deactivation, one request per seal", numbers,
                   citation=rules("§13"), parameters=[per_seal.use()])
        return trace.done(CompletionOutcome(True, (), False, (), tuple(numbers),
                                            "complete the escort; send a deactivation request "
                                            "per seal (§13); the operator deactivates within "
                                            "one hour (§14)"))
    if grounds:
        step = ("the goods are classed as a high risk of violation of customs legislation: "
                "customs inspection within the time limits of Code Art 231(8), report drawn "
                "up at the destination office")
        trace.step(step, True, citation=rules("§15"))
    else:
        # §13 refuses completion but none of §15's grounds is named (a broken seal or
        # compartment, traces of access, with no report from the operator): the Rules say
        # nothing of the consequence; the escort is held as for a failed completion
        step = ("completion is not allowed, but none of the §15 grounds holds: the Rules "
                "give no consequence; the escort is held for the officer's decision")
        trace.step(step, False, citation=rules("§13"))
    trace.step("the escort is not completed automatically: as the setting says",
               handling.value, citation=rules("§15"), parameters=[handling.use()])
    return trace.done(CompletionOutcome(False, tuple(failed), bool(grounds), tuple(grounds),
                                        (), step))
