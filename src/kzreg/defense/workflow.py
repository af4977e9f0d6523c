"""A state defense order contract as a case, with the timers of Law 236-VI Art 22.

`defense.contract` opens when the Government act approving the order is adopted (open the
case `at` that instant). Its timers are the Law's terms; a term that runs out records a
breach, which the board shows (the Law attaches no automatic consequence to them):
  approved    → send within 10 calendar days of the act (Art 22 p.5)
  received    → sign within 20 calendar days of receipt (Art 22 p.6); a refusal is accepted
                only on the three grounds of p.7
  in_execution→ amend only on an Art 23 ground; missed delivery and termination recorded;
                each line (nomenclature item) accepted on its own (Art 25 sub 6)
  accepted    → every line accepted: the contractor's obligations are fulfilled, full
                payment within 30 calendar days of that (p.8)
  paid        → fulfilled when both parties have performed (p.9)
Every refusal, late conclusion, termination, amendment and missed delivery is an event the
recipient and the contractor notify to the SDP body immediately (p.12): the transitions that
record them say so in their clause (`contracts_service` sends the notices; the worker job in
`jobs` records missed delivery deadlines as the system).

`defense.reserve_use` is a use of state material reserve assets (Art 24 p.4): opened on the
day of use, supplied back within twelve months, or the worker records the breach.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from kzreg.defense.contracts import Refusal, art, check_refusal
from kzreg.defense.modifications import ModificationRequest, check_modification
from kzreg.law.explain import Explained, Step
from kzreg.platform.actors import Role
from kzreg.platform.casetypes import (
    CaseType,
    DeadlineSpec,
    State,
    Transition,
    register_case_type,
)

CONTRACT = "defense.contract"
OFFICERS = frozenset({Role.DEFENSE_OFFICER, Role.ADMIN})
CONTRACTORS = frozenset({Role.CONTRACTOR})


class NoteIn(BaseModel):
    note: str = Field(min_length=3, max_length=1000)


def _verdict(result: Explained, ok: bool, failures: list[str]) -> Explained[bool]:
    """The rule's trace, ending in a step that names what failed (the refusal message)."""
    last = result.steps[-1].citation if result.steps else None
    text = "conditions met" if ok else "refused: " + "; ".join(failures)
    return Explained(ok, (*result.steps, Step(text, last, {}, ok)), result.rule, result.as_of)


def refusal_guard(case: Any, payload: Refusal, as_of: dt.date) -> Explained[bool]:
    result = check_refusal(payload)
    return _verdict(result, result.value.valid,
                    [f"{payload.ground.value} is not a ground of Art 22 p.7; the contract is "
                     "to be signed"])


def amendment_guard(case: Any, payload: ModificationRequest, as_of: dt.date) -> Explained[bool]:
    result = check_modification(payload)
    return _verdict(result, result.value.allowed, result.value.failed)


register_case_type(CaseType(
    name=CONTRACT, title="State defense order contract",
    states=(
        State("approved", "Order approved: contract to be sent", deadlines=[
            DeadlineSpec("send", "10 calendar days", art("Art 22 p.5"),
                         title="The SDP body or the recipient sends the contract"),
        ]),
        State("sent", "Sent to the contractor"),
        State("received", "Received by the contractor: to be signed", deadlines=[
            DeadlineSpec("sign", "20 calendar days", art("Art 22 p.6"),
                         title="The contractor signs the contract"),
        ]),
        State("in_execution", "Signed, in execution"),
        State("accepted", "Accepted by the recipient: to be paid", deadlines=[
            DeadlineSpec("pay", "30 calendar days", art("Art 22 p.8"),
                         title="Full payment of the contract"),
        ]),
        State("fulfilled", "Fulfilled by both parties", final=True),
        State("refused", "Refused by the contractor on a ground of Art 22 p.7", final=True),
        State("terminated", "Terminated", final=True),
    ),
    transitions=(
        Transition("send", "approved", "sent", roles=OFFICERS, citation=art("Art 22 p.5"),
                   title="Send the contract to the contractor"),
        Transition("receive", "sent", "received", roles=CONTRACTORS | OFFICERS,
                   citation=art("Art 22 p.6"), title="Record receipt by the contractor"),
        Transition("sign", "received", "in_execution", roles=CONTRACTORS,
                   citation=art("Art 22 p.6"), title="Sign the contract"),
        Transition("refuse", "received", "refused", roles=CONTRACTORS, payload=Refusal,
                   guard=refusal_guard, citation=art("Art 22 p.12"),
                   title="Refuse to conclude (notify the SDP body immediately)"),
        Transition("amend", "in_execution", "in_execution", roles=OFFICERS,
                   payload=ModificationRequest, guard=amendment_guard,
                   citation=art("Art 22 p.12"),
                   title="Amend on an Art 23 ground (notify the SDP body immediately)"),
        Transition("record_missed_delivery", "in_execution", "in_execution",
                   roles=OFFICERS | {Role.SYSTEM}, payload=NoteIn, citation=art("Art 22 p.12"),
                   title="Record a missed delivery deadline (notify the SDP body immediately)"),
        Transition("accept_line", "in_execution", "in_execution", roles=OFFICERS,
                   citation=art("Art 25 sub 6"),
                   title="Record the recipient's acceptance of contract lines"),
        Transition("accept", "in_execution", "accepted", roles=OFFICERS,
                   citation=art("Art 22 p.8"),
                   title="Every line accepted: the contractor's obligations are fulfilled"),
        Transition("pay", "accepted", "fulfilled", roles=OFFICERS, citation=art("Art 22 p.9"),
                   title="Record full payment"),
        Transition("terminate", ("approved", "sent", "received", "in_execution", "accepted"),
                   "terminated", roles=OFFICERS, payload=NoteIn, citation=art("Art 22 p.12"),
                   title="Terminate (notify the SDP body immediately)"),
    ),
    viewers=frozenset({Role.DEFENSE_OFFICER, Role.CONTRACTOR}), openers=OFFICERS,
))


# A use of state material reserve assets (Art 24 p.4): opened on the day of use, it must be
# supplied back in the same nomenclature and volume within twelve months; a use still open
# when the term runs out records a breach.
RESERVE_USE = "defense.reserve_use"

register_case_type(CaseType(
    name=RESERVE_USE, title="Use of state material reserve assets",
    states=(
        State("in_use", "Used: to be supplied back to the reserve", deadlines=[
            DeadlineSpec("replenish", "12 months", art("Art 24 p.4"),
                         title="Supply back the same nomenclature and volume"),
        ]),
        State("replenished", "Supplied back to the reserve", final=True),
    ),
    transitions=(
        Transition("replenish", "in_use", "replenished", roles=OFFICERS | CONTRACTORS,
                   citation=art("Art 24 p.4"), title="Record the assets supplied back"),
    ),
    viewers=frozenset({Role.DEFENSE_OFFICER, Role.CONTRACTOR}), openers=OFFICERS | CONTRACTORS,
))
