"""Manufacturers' applications to form the list of domestic raw materials as cases (Law 86-VII
Art 60(2)-(3), wording of Law 71-VIII), imported by kzreg.producers.workflow.

`producers.raw_list_application`: a manufacturing enterprise applies to the authorized body
(Art 60(2)) → the body examines it and accepts it for forming the list, or refuses it on the
two grounds of Art 60(3) only: an incomplete set of documents, or no producer of the raw
material in Kazakhstan. The decision is the rule `producers.raw-list-application` run on the
officer's findings: `accept` is refused when a ground applies, `refuse` when none does. The
Law sets no term for the examination (setting producers.raw_list_application_term), so the
state starts no timer. The list itself stays the authorized body's approved act
(`data/raw_materials/list.yaml`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Trace, jsonable
from kzreg.platform import cases
from kzreg.platform.actors import Actor, Role
from kzreg.platform.cases import Case
from kzreg.platform.casetypes import CaseType, State, Transition, register_case_type
from kzreg.producers import raw_materials as rm
from kzreg.producers.incentives import art
from kzreg.producers.legal_time import require_wording

RAW_LIST = "producers.raw_list_application"
OFFICERS = frozenset({Role.INDUSTRY_OFFICER, Role.ADMIN})
MAKERS = frozenset({Role.MANUFACTURER})
BIN_PATTERN = r"^\d{12}$"


class ExaminationIn(BaseModel):
    """The officer's findings the two grounds of Art 60(3) are decided on."""
    missing_documents: list[str] = Field(default_factory=list)
    kz_producers: list[str] = Field(default_factory=list, description="BINs of producers of "
                                    "the raw material in Kazakhstan")
    justification: str = Field("", max_length=4000)

    @field_validator("missing_documents")
    @classmethod
    def _documents(cls, value: list[str]) -> list[str]:
        return [d.strip() for d in value if d.strip()]

    @field_validator("kz_producers")
    @classmethod
    def _bins(cls, value: list[str]) -> list[str]:
        bins = [b.strip() for b in value if b.strip()]
        if any(not re.match(BIN_PATTERN, b) for b in bins):
            raise ValueError("each producer is a BIN of 12 digits")
        return bins


class NoteIn(BaseModel):
    note: str = Field("", max_length=2000)


def _decide(case: Any, payload: ExaminationIn, as_of: dt.date) -> rm.ListDecision:
    return rm.list_application(rm.ListApplication(
        raw_material=case.data["raw_material"], missing_documents=payload.missing_documents,
        kz_producers=payload.kz_producers), as_of).value


def _accept_guard(case: Any, payload: ExaminationIn, as_of: dt.date) -> bool:
    grounds = _decide(case, payload, as_of).grounds
    if grounds:
        raise LegalRuleError("a ground of refusal applies (" + ", ".join(grounds) + "): "
                             "refuse the application", field="transition",
                             citation=art("Art 60(3)"))
    return True


def _refuse_guard(case: Any, payload: ExaminationIn, as_of: dt.date) -> bool:
    if not _decide(case, payload, as_of).grounds:
        raise LegalRuleError("neither ground of Art 60(3) applies (documents complete, a "
                             "producer in Kazakhstan): the application is accepted",
                             field="transition", citation=art("Art 60(3)"))
    if len(payload.justification.strip()) < 3:
        raise InputError("a refusal states its justification", field="justification",
                         citation=art("Art 60(3)"))
    return True


def _store(case: Any, payload: ExaminationIn, as_of: dt.date) -> None:
    result = rm.list_application(rm.ListApplication(
        raw_material=case.data["raw_material"], missing_documents=payload.missing_documents,
        kz_producers=payload.kz_producers), as_of)
    case.data["examination"] = jsonable({**payload.model_dump(), "on": as_of,
                                         "grounds": list(result.value.grounds),
                                         "trace": result.to_dict()})


register_case_type(CaseType(
    name=RAW_LIST, title="Application to form the list of domestic raw materials",
    states=(
        State("filed", "Filed: examined by the authorized body"),
        State("accepted", "Accepted for forming the list", final=True),
        State("refused", "Refused (Art 60(3))", final=True),
        State("withdrawn", "Withdrawn by the manufacturer", final=True),
    ),
    transitions=(
        Transition("accept", "filed", "accepted", roles=OFFICERS, payload=ExaminationIn,
                   guard=_accept_guard, effect=_store, citation=art("Art 60(2)"),
                   title="Accept: documents complete, a producer in Kazakhstan"),
        Transition("refuse", "filed", "refused", roles=OFFICERS, payload=ExaminationIn,
                   guard=_refuse_guard, effect=_store, citation=art("Art 60(3)"),
                   title="Refuse on the grounds of Art 60(3)"),
        Transition("withdraw", "filed", "withdrawn", roles=MAKERS, payload=NoteIn,
                   title="Withdraw the application"),
    ),
    viewers=frozenset({Role.INDUSTRY_OFFICER, Role.MANUFACTURER}),
    openers=frozenset({Role.MANUFACTURER, Role.INDUSTRY_OFFICER, Role.ADMIN}),
))


def file(session: Session, actor: Actor, *, bin: str, name: str, raw_material: str,
         documents: list[str], volume: str | None = None, at: dt.datetime | None = None
         ) -> Case:
    """A manufacturing enterprise applies to form the list (Art 60(2))."""
    at = at or now_utc()
    require_wording(Trace(RAW_LIST, local_date(at)), "Art 60", local_date(at))
    raw_material, name = raw_material.strip(), name.strip()
    if len(raw_material) < 2:
        raise InputError("name the raw material", field="raw_material")
    if len(name) < 2:
        raise InputError("the manufacturer's name", field="name")
    docs = [d.strip() for d in documents if d and d.strip()]
    return cases.open_case(session, RAW_LIST, actor=actor, party_bins=[bin], at=at,
                           title=f"{name}: {raw_material} for the list of domestic raw "
                           "materials", data={"bin": bin, "name": name,
                                              "raw_material": raw_material,
                                              "documents": docs, "volume": volume or None})


def examine(session: Session, actor: Actor, case_id: int, *, missing_documents: list[str],
            kz_producers: list[str], justification: str = "",
            at: dt.datetime | None = None) -> Case:
    """Decide on the officer's findings: accepted, or refused on the grounds of Art 60(3)
    that apply (and only those); the manufacturer is notified."""
    from kzreg.producers.raw_service import _tell

    case = cases.get_case_for(session, actor, case_id)
    if case.case_type != RAW_LIST:
        raise InputError("not an application to form the list", field="case_id")
    try:
        payload = ExaminationIn(missing_documents=missing_documents,
                                kz_producers=kz_producers, justification=justification)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(first["msg"], field=".".join(map(str, first["loc"]))) from None
    at = at or now_utc()
    grounds = _decide(case, payload, local_date(at)).grounds
    case = cases.fire(session, case, "refuse" if grounds else "accept", actor=actor,
                      payload=payload, at=at)
    what = ("refused: " + "; ".join(rm.REFUSAL_GROUNDS[g] for g in grounds)
            if grounds else "accepted for forming the list")
    _tell(session, (case.data["bin"],), at, f"Application on {case.data['raw_material']} "
          f"to the list of domestic raw materials {what}", "Art 60(3)" if grounds
          else "Art 60(2)")
    return case
