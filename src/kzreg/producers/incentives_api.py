"""State incentives, industrial contracts, domestic raw materials and legal time over HTTP
(Law 86-VII Arts 25-49, 47-1, 60, 61-1, 68-69): the explained rules, under
`/api/producers/incentives/…`, `/api/producers/contracts/…`, `/api/producers/raw-materials/…`
and `/api/producers/legal-time/…` (`as_of`: the date the Law is applied as of). Nothing is
stored here: an officer checks a case and gets the result with its trace; the stored cases
are in kzreg.producers.cases_api.
Included by kzreg.producers.api; bad input comes back as problem+json naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from kzreg.law.calendar import local_date, now_utc
from kzreg.law.explain import jsonable
from kzreg.law.rules import get_rule
from kzreg.producers.incentives import catalogue
from kzreg.web.auth import ApiActor

router = APIRouter()
AsOf = Annotated[dt.date | None, Query(description="the date the Law is applied as of "
                                       "(default: today, Almaty)")]
Case = Annotated[dict[str, Any], Body()]
TAGS = ["producers incentives and contracts"]

CASE_RULES = {  # path -> rule
    "incentives/check": "producers.incentive-gate",
    "incentives/competitiveness-ban": "producers.incentive-competitiveness-ban",
    "incentives/refund": "producers.incentive-refund",
    "contracts/plan-check": "producers.contract-plan-check",
    "contracts/kind": "producers.contract-kind",
    "contracts/offtake-check": "producers.contract-offtake-check",
    "contracts/gpa-term": "producers.contract-gpa-term",
    "contracts/offset": "producers.contract-offset",
    "contracts/systemic": "producers.contract-systemic",
    "contracts/dvdp": "producers.contract-dvdp-review",
    "raw-materials/list-application": "producers.raw-list-application",
    "raw-materials/inclusion": "producers.raw-producer-inclusion",
    "raw-materials/shares": "producers.raw-supply-shares",
    "raw-materials/price-cap": "producers.raw-price-cap",
    "raw-materials/resale": "producers.raw-resale",
    "raw-materials/export-licence": "producers.raw-export-licence",
    "legal-time/wording": "producers.legal-wording",
    "legal-time/certificate": "producers.legacy-certificate",
    "legal-time/suppliers-database": "producers.legacy-suppliers-database",
    "legal-time/measure-wording": "producers.measure-wording",
}


def _run(rule_id: str, data: Any, as_of: dt.date | None) -> dict[str, Any]:
    return get_rule(rule_id).run(data, as_of or local_date(now_utc())).to_dict()


@router.get("/api/producers/incentives/measures", tags=TAGS,
            summary="The measures of Art 29 and the conditions of each")
def measures(actor: ApiActor) -> list[dict[str, Any]]:
    return jsonable(list(catalogue().values()))


@router.get("/api/producers/raw-materials/list", tags=TAGS,
            summary="The approved list of domestic raw materials and producers (Art 60(1))")
def raw_list(actor: ApiActor) -> dict[str, Any]:
    from kzreg.producers.raw_materials import approved_list

    return {"entries": jsonable(list(approved_list())),
            "note": "empty until the authorized body's approved list is loaded"}


@router.get("/api/producers/contracts/calendar", tags=TAGS,
            summary="The Art 47 calendar of procurement plans lodged in a year")
def calendar(actor: ApiActor, year: Annotated[int, Query(ge=2022, le=2034)],
             as_of: AsOf = None) -> dict[str, Any]:
    return _run("producers.contract-plan-calendar", {"year": year}, as_of)


def _endpoint(rule_id: str):
    def run_case(actor: ApiActor, case: Case, as_of: AsOf = None) -> dict[str, Any]:
        return _run(rule_id, case, as_of)
    return run_case


for _path, _rule_id in CASE_RULES.items():
    router.add_api_route(f"/api/producers/{_path}", _endpoint(_rule_id), methods=["POST"],
                         tags=TAGS, summary=f"Run the rule {_rule_id} on a case",
                         name=_rule_id)
