"""Rapid-response orders as cases (Criteria Ch. 4-1 of JO 1199/826).

`risk.prohibition` (Cr §16-2): in force for thirty calendar days from the decision; the
timer ends it on its own ("30 calendar days" counted from the day after the decision, the
calendar's rule, as setting risk.prohibition_first_day says). An inspector may lift it
early (e.g. an annulled decision) — the Criteria say nothing of that, so it is recorded
with the inspector's reason and no clause of its own.
`risk.withdrawal` (Cr §16-3): ordered, then recorded as carried out. The text sets no term.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from kzreg.platform.actors import Role
from kzreg.platform.casetypes import (
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    register_case_type,
)
from kzreg.risk._law import criteria

PROHIBITION = "risk.prohibition"
WITHDRAWAL = "risk.withdrawal"
INSPECTORS = frozenset({Role.INSPECTOR, Role.ADMIN})


class ReasonIn(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


register_case_type(CaseType(
    name=PROHIBITION, title="Rapid response: prohibition for thirty calendar days",
    states=(
        State("in_force", "Prohibition in force", deadlines=[
            DeadlineSpec("term", "30 calendar days", criteria("§16-2"), on_expiry="expire",
                         title="The thirty calendar days of the prohibition run out"),
        ]),
        State("ended", "Ended after thirty calendar days", final=True),
        State("lifted", "Lifted early by an inspector", final=True),
    ),
    transitions=(
        Transition("expire", "in_force", "ended", roles=frozenset({Role.SYSTEM}),
                   citation=criteria("§16-2"), title="The term ran out"),
        Transition("lift", "in_force", "lifted", roles=INSPECTORS, payload=ReasonIn,
                   title="Lift the prohibition early"),
    ),
    viewers=frozenset({Role.INSPECTOR}), openers=INSPECTORS,
))

register_case_type(CaseType(
    name=WITHDRAWAL, title="Rapid response: withdrawal",
    states=(
        State("ordered", "Withdrawal ordered"),
        State("carried_out", "Withdrawal carried out", final=True),
        State("cancelled", "Cancelled by an inspector", final=True),
    ),
    transitions=(
        Transition("carry_out", "ordered", "carried_out", roles=INSPECTORS,
                   citation=criteria("§16-3"), title="Record the withdrawal as carried out"),
        Transition("cancel", "ordered", "cancelled", roles=INSPECTORS, payload=ReasonIn,
                   title="Cancel the order"),
    ),
    viewers=frozenset({Role.INSPECTOR}), openers=INSPECTORS,
))
