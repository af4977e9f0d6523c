"""The load test's case type: one self-transition, so a case can be moved again and again
at a steady rate without running out of states. It pays what every transition pays — the
row lock and version check, a `case_events` row, an audit entry (which serializes on the
audit head) — and keeps the case's data the same size. Loaded only by the load test's
server (`KZREG_EXTRA_MODULES=benchmarks.load.casetype`); not a workflow of any act."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from kzreg.law.citations import cite
from kzreg.platform.actors import Role
from kzreg.platform.cases import CaseType, State, Transition, register_case_type

BASIS = cite("law-86-VII", "Art 61-1(5)")   # a monitoring record (the nearest real act)


class Note(BaseModel):
    text: str = Field(default="", max_length=200)


def _remember(case, payload: Note, as_of: dt.date) -> None:
    case.data["last_note"] = payload.text


LOAD_NOTE = register_case_type(CaseType(
    name="load.note", title="Load test: a case that takes notes",
    states=[State("open", "Open")],
    transitions=[Transition("note", "open", "open", roles={Role.INDUSTRY_OFFICER},
                            payload=Note, effect=_remember, citation=BASIS,
                            title="Record a note")]))
