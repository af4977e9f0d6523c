"""Registers the producers rules of Law 86-VII (found by convention, kzreg.platform.plugins).

Register of Kazakhstani commodity producers (pure rules in `register_law`):
  producers.register-application     Art 51-1(2), (7), (10)  what an application lacks
  producers.register-stages          Art 51-1(1), (9)        the stages of the route
  producers.register-verification    Art 51-1(3), 51-4(2)    digital verification (criteria data)
  producers.register-catalogue-change Art 51-7(4)            no more favourable conditions
  producers.register-assessment      Art 51-1(4)-(5), 51-7   minimum threshold of operations
  producers.register-wholly-produced Art 51-3                source bodies and categories
  producers.register-monitoring      Art 51-4(1)             quarters missed by monitoring
  producers.register-removal         Art 51-6                removal grounds, automatic removal
  producers.register-appeal-window   Art 51-2(5), 51-5(3)    where and until when to appeal
  producers.register-commission      Art 51-5(5), (8)        goods returned by a decision
  producers.register-reapply         Art 51-1(6), 51-6       reapplication

The incentives rules are imported at the end of this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from kzreg.law.explain import Explained
from kzreg.law.rules import rule
from kzreg.producers import register_law as rl
from kzreg.producers.register_law import law


class ApplicationInput(BaseModel):
    resident: bool = Field(description="Resident business entity (Art 1 sub 7-1)")
    route: rl.Route = rl.Route.PROCESSED
    goods: list[str] = Field(default_factory=list, description="Product codes declared")
    consent_personal_data: bool = False
    consent_facility_access: bool = False
    consent_video_surveillance: bool = False
    evidence_documents: list[str] = Field(default_factory=list)
    evidence_video: list[str] = Field(default_factory=list)
    accuracy_declared: bool = False


@rule("producers.register-application", title="Register application: consents and evidence",
      citation=law("Art 51-1(2)"), inputs=ApplicationInput)
def application(inp: ApplicationInput, as_of: dt.date) -> Explained:
    data = inp.model_dump()
    for name in ("goods", "evidence_documents", "evidence_video"):
        data[name] = tuple(data[name])
    return rl.check_application(rl.Application(**data))


class RouteInput(BaseModel):
    route: rl.Route


@rule("producers.register-stages", title="Stages of inclusion in the register",
      citation=law("Art 51-1(1)"), inputs=RouteInput)
def stages(inp: RouteInput, as_of: dt.date) -> Explained:
    return rl.stages(inp.route)


class CriterionIn(BaseModel):
    code: str
    title: str
    fact: str
    test: str = Field(description="at_least | at_most | equals | is_true")
    value: Any = None


class VerificationInput(BaseModel):
    facts: dict[str, Any] = Field(description="Facts from the e-government infrastructure")
    criteria: list[CriterionIn] | None = Field(
        None, description="Criteria to apply (what-if); default: the loaded register rules")
    monitoring: bool = False


@rule("producers.register-verification", title="Digital verification against the criteria",
      citation=law("Art 51-1(3)"), inputs=VerificationInput)
def verification(inp: VerificationInput, as_of: dt.date) -> Explained:
    criteria = rl.load_criteria(None if inp.criteria is None
                                else [c.model_dump() for c in inp.criteria])
    return rl.digital_verification(inp.facts, criteria, monitoring=inp.monitoring)


class CatalogueChangeInput(BaseModel):
    versions: list[dict[str, Any]] = Field(
        min_length=2, description="Two catalogue versions, older first (data file format)")


@rule("producers.register-catalogue-change", title="A catalogue change may not be more "
      "favourable than before", citation=law("Art 51-7(4)"), inputs=CatalogueChangeInput)
def catalogue_change(inp: CatalogueChangeInput, as_of: dt.date) -> Explained:
    old, new = (rl.load_catalogue([v])[0] for v in inp.versions[-2:])
    return rl.not_more_favourable(old, new)


class DeclaredIn(BaseModel):
    product: str
    operations: list[str] = Field(default_factory=list)
    conditions_met: list[str] = Field(default_factory=list)
    raw_materials: list[str] = Field(default_factory=list)


class AssessmentInput(BaseModel):
    declared: list[DeclaredIn]
    evidence_sufficient: bool = True
    catalogue: list[dict[str, Any]] | None = Field(
        None, description="Catalogue versions (what-if); default: the loaded catalogue")


@rule("producers.register-assessment", title="Production assessment against the minimum "
      "threshold of production and technological operations", citation=law("Art 51-1(4)"),
      inputs=AssessmentInput)
def assessment(inp: AssessmentInput, as_of: dt.date) -> Explained:
    declared = [rl.Declared(d.product, frozenset(d.operations), frozenset(d.conditions_met),
                            frozenset(d.raw_materials)) for d in inp.declared]
    return rl.assess_production(declared, rl.load_catalogue(inp.catalogue), as_of,
                                evidence_sufficient=inp.evidence_sufficient)


class WhollyInput(BaseModel):
    category: str
    source: str


@rule("producers.register-wholly-produced", title="Goods wholly produced in Kazakhstan from "
      "another body's information", citation=law("Art 51-3"), inputs=WhollyInput)
def wholly(inp: WhollyInput, as_of: dt.date) -> Explained:
    return rl.wholly_produced(inp.category, inp.source)


class MonitoringInput(BaseModel):
    included_on: dt.date
    runs: list[dt.date] = Field(default_factory=list)


@rule("producers.register-monitoring", title="Quarters without a monitoring run",
      citation=law("Art 51-4(1)"), inputs=MonitoringInput)
def monitoring(inp: MonitoringInput, as_of: dt.date) -> Explained:
    return rl.missed_quarters(inp.included_on, inp.runs, as_of)


class RemovalInput(BaseModel):
    ground: rl.Ground
    reorganisation_form: str | None = None
    producer_survives: bool = False


@rule("producers.register-removal", title="Removal from the register",
      citation=law("Art 51-6"), inputs=RemovalInput)
def removal(inp: RemovalInput, as_of: dt.date) -> Explained:
    return rl.removal(inp.ground, reorganisation_form=inp.reorganisation_form,
                      producer_survives=inp.producer_survives)


class AppealInput(BaseModel):
    ground: rl.Ground
    excluded_on: dt.date


@rule("producers.register-appeal-window", title="Where and until when an exclusion may be "
      "appealed", citation=law("Art 51-5(3)"), inputs=AppealInput)
def appeal(inp: AppealInput, as_of: dt.date) -> Explained:
    return rl.appeal_window(inp.ground, inp.excluded_on)


class CommissionInput(BaseModel):
    decision: rl.CommissionDecision
    excluded_goods: list[str]
    upheld_goods: list[str] = Field(default_factory=list)
    justification: str = ""


@rule("producers.register-commission", title="Effect of the appeals commission's decision",
      citation=law("Art 51-5(8)"), inputs=CommissionInput)
def commission(inp: CommissionInput, as_of: dt.date) -> Explained:
    return rl.commission_effect(inp.decision, inp.excluded_goods, inp.upheld_goods,
                                inp.justification)


class ReapplyInput(BaseModel):
    refused_or_excluded_on: dt.date


@rule("producers.register-reapply", title="Reapplication after refusal or exclusion",
      citation=law("Art 51-1(6)"), inputs=ReapplyInput)
def reapply(inp: ReapplyInput, as_of: dt.date) -> Explained:
    return rl.may_reapply(inp.refused_or_excluded_on, as_of)


# --- incentives rules (Arts 25-49) are registered by the modules imported below ---------------
import kzreg.producers.incentives_rules  # noqa: E402,F401  (registers producers.incentive-*/contract-*)
