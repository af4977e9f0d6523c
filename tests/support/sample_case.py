"""A sample case type for the platform's tests — not any act's real workflow.

Worker subprocesses import it through `KZREG_EXTRA_MODULES=support.sample_case` with
`tests/` on PYTHONPATH (see `worker_env` in tests/integration/test_worker.py).

    submitted --take--> review --grant--> granted
        |  \\                \\--refuse--> refused
        |   \\--deemed_refused (automatically after 10 working days)--> refused
        \\--withdraw (the applicant; also from review)--> withdrawn
    review --comment--> review (a self-transition: deadlines keep running)
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from kzreg.law.citations import cite
from kzreg.law.explain import Explained, Trace
from kzreg.platform.actors import Role
from kzreg.platform.cases import CaseType, DeadlineSpec, State, Transition, register_case_type

DECIDE = cite("order-493", "Rules §13")
ACKNOWLEDGE = cite("order-407", "Rules §13")
INSPECT = cite("law-86-VII", "Art 62")
COMPLETE = cite("order-493", "Rules §10")


class Refusal(BaseModel):
    reason: str = Field(min_length=3)


class Comment(BaseModel):
    text: str = ""


def documents_complete(case, payload, as_of: dt.date) -> Explained[bool]:
    """Grant only a complete application (the sample's guard, with its clause)."""
    trace = Trace("sample.documents-complete", as_of)
    complete = bool(case.data.get("documents_complete"))
    trace.step("the application's documents are complete" if complete else
               "the application lacks documents required for a grant", complete,
               citation=COMPLETE, inputs={"documents_complete": complete})
    return trace.done(complete)


def remember_comment(case, payload: Comment, as_of: dt.date) -> None:
    case.data["comments"] = [*case.data.get("comments", []), payload.text]


OFFICER = {Role.INDUSTRY_OFFICER}

SAMPLE = register_case_type(CaseType(
    name="test.permit",
    title="Sample permit",
    states=[
        State("submitted", "Application submitted", deadlines=[
            DeadlineSpec("decide", "10 working days", DECIDE, on_expiry="deemed_refused",
                         title="The authorized body takes the application up or refuses"),
            DeadlineSpec("acknowledge", "24 hours", ACKNOWLEDGE,
                         title="The officer acknowledges receipt"),
        ]),
        State("review", "Under review", deadlines=[
            DeadlineSpec("inspect", "30 calendar days", INSPECT, title="Inspect the site"),
        ]),
        State("granted", "Granted", final=True),
        State("refused", "Refused", final=True),
        State("withdrawn", "Withdrawn", final=True),
    ],
    transitions=[
        Transition("take", "submitted", "review", roles=OFFICER, title="Take up"),
        Transition("grant", "review", "granted", roles=OFFICER, guard=documents_complete,
                   citation=COMPLETE, title="Grant"),
        Transition("refuse", ("submitted", "review"), "refused", roles=OFFICER,
                   payload=Refusal, citation=DECIDE, title="Refuse"),
        Transition("deemed_refused", "submitted", "refused", roles={Role.SYSTEM},
                   citation=DECIDE, title="Deemed refused: no decision in time"),
        Transition("withdraw", ("submitted", "review"), "withdrawn",
                   roles={Role.MANUFACTURER}, title="Withdraw the application"),
        Transition("comment", "review", "review", payload=Comment, effect=remember_comment,
                   roles={Role.INDUSTRY_OFFICER, Role.MANUFACTURER, Role.CUSTOMS_OFFICER,
                          Role.DEFENSE_OFFICER}),
    ],
))
