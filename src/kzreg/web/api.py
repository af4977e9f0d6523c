"""The generic HTTP API: who am I, cases in my scope and their transitions, the rules.

Rooms add their own endpoints under `/api/<room>/`. A case outside the caller's scope is
answered with 404 exactly like a case that does not exist, so its existence never leaks.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from kzreg.law.explain import jsonable
from kzreg.law.rules import all_rules, get_rule
from kzreg.platform.actors import Actor
from kzreg.web.auth import DB, ApiActor, writer
from kzreg.web.problems import PROBLEM_JSON

ALMATY = ZoneInfo("Asia/Almaty")

_PROBLEM = {"description": "a problem document (RFC 9457)",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {**_PROBLEM, "description": "no valid bearer token or session"},
    404: {**_PROBLEM, "description": "not found (or outside your scope)"},
    422: {**_PROBLEM, "description": "invalid input; `field` names it"},
}

router = APIRouter(prefix="/api", responses=ERRORS)

Writer = Annotated[Actor, Depends(writer)]
# Row ids are 64-bit: a larger one cannot exist and would overflow the database driver.
CasePath = Annotated[int, Path(ge=1, le=2**63 - 1)]


class Problem(BaseModel):
    """RFC 9457 problem details, as every API error is sent."""

    type: str = Field(examples=["/problems/invalid-input"])
    title: str
    status: int
    detail: str
    field: str | None = Field(None, description="the input at fault (dotted path)")
    basis: dict[str, str] | None = Field(None, description="the clause that refused")


class Me(BaseModel):
    username: str
    role: str
    bin: str | None
    offices: list[str]
    clearance: int
    full_name: str | None = None
    email: str | None = None
    language: str | None = None


class RuleSummary(BaseModel):
    id: str
    title: str
    module: str
    basis: dict[str, str]
    input_schema: dict[str, Any]


@router.get("/me", response_model=Me, tags=["people"], summary="The caller")
def me(db: DB, actor: ApiActor) -> Me:
    from kzreg.platform.users import User

    user = db.get(User, actor.user_id) if actor.user_id is not None else None
    return Me(username=actor.username, role=actor.role.value, bin=actor.bin,
              offices=sorted(actor.offices), clearance=actor.clearance,
              full_name=getattr(user, "full_name", None), email=getattr(user, "email", None),
              language=getattr(user, "language", None))


# --- cases --------------------------------------------------------------------------------

def case_to_dict(case: Any, actor: Actor | None = None) -> dict[str, Any]:
    """Every column of a case, JSON-safe, plus the transitions the caller may fire now."""
    data = {attr.key: jsonable(getattr(case, attr.key))
            for attr in sa_inspect(type(case)).column_attrs}
    if actor is not None:
        data["transitions"] = _transitions_for(case, actor)
    return data


def _transitions_for(case: Any, actor: Actor) -> list[dict[str, Any]]:
    from kzreg.law.errors import NotFound
    from kzreg.platform.cases import allowed_transitions

    try:
        transitions = allowed_transitions(actor, case)
    except NotFound:  # a case type no longer registered still reads, without transitions
        return []
    return [{"name": t.name, "title": t.title, "target": t.target,
             "basis": t.citation.to_dict() if t.citation else None} for t in transitions]


@router.get("/cases", tags=["cases"], summary="Cases visible to the caller")
def list_cases(db: DB, actor: ApiActor,
               case_type: Annotated[str | None, Query(alias="type")] = None,
               state: str | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    from kzreg.platform.cases import Case, visible_cases

    query = visible_cases(db, actor)
    if case_type is not None:
        query = query.where(Case.case_type == case_type)
    if state is not None:
        query = query.where(Case.state == state)
    query = query.order_by(Case.id.desc()).limit(limit).offset(offset)
    return [case_to_dict(case) for case in db.scalars(query)]


def load_case(db: Session, actor: Actor, case_id: int) -> Any:
    """The case if the actor may see it; NotFound otherwise (never 403: that would tell)."""
    from kzreg.platform.cases import get_case_for

    return get_case_for(db, actor, case_id)


@router.get("/cases/{case_id}", tags=["cases"], summary="One case")
def read_case(case_id: CasePath, db: DB, actor: ApiActor) -> dict[str, Any]:
    return case_to_dict(load_case(db, actor, case_id), actor)


@router.get("/cases/{case_id}/events", tags=["cases"], summary="A case's history")
def read_case_events(case_id: CasePath, db: DB, actor: ApiActor) -> list[dict[str, Any]]:
    from kzreg.platform.cases import case_events

    return [{attr.key: jsonable(getattr(event, attr.key))
             for attr in sa_inspect(type(event)).column_attrs}
            for event in case_events(db, actor, case_id)]


@router.post("/cases/{case_id}/transitions/{name}", tags=["cases"],
             summary="Fire a transition", responses={409: _PROBLEM, 403: _PROBLEM})
def fire_transition(case_id: CasePath, name: str, db: DB, actor: ApiActor,
                    payload: Annotated[dict[str, Any] | None, Body()] = None
                    ) -> dict[str, Any]:
    load_case(db, actor, case_id)          # 404 first: scope before permissions
    writer(actor)                          # auditors read only
    from kzreg.platform.cases import fire

    case = fire(db, case_id, name, actor=actor, payload=payload or {})
    return case_to_dict(case, actor)


# --- rules --------------------------------------------------------------------------------

@router.get("/rules", response_model=list[RuleSummary], tags=["rules"],
            summary="The rules the system applies")
def list_rules(actor: ApiActor) -> list[RuleSummary]:
    return [RuleSummary(id=r.id, title=r.title, module=r.module, basis=r.citation.to_dict(),
                        input_schema=r.input_schema()) for r in all_rules()]


@router.post("/rules/{rule_id}/explain", tags=["rules"],
             summary="Run a rule on given inputs and date, with its explanation")
def explain_rule(rule_id: str, actor: ApiActor,
                 inputs: Annotated[dict[str, Any], Body()],
                 as_of: Annotated[dt.date | None, Query(
                     description="the date the law is applied as of (default: today, "
                                 "Almaty)")] = None) -> dict[str, Any]:
    rule = get_rule(rule_id)
    day = as_of or dt.datetime.now(ALMATY).date()
    return rule.run(inputs, day).to_dict()
