"""Execution and acceptance of the state defense order (Law 236-VI Arts 24, 25, 27).

- representatives sent to contractors (Art 24 p.2-3): by the SDP body and the recipient to
  monitor; by the recipient for quality control and acceptance only where the organization
  houses no military representative office (MRO);
- the MRO's suspension of acceptance and shipment of goods on the four triggers of Art 27
  p.4 sub 8, and of works and services on the two of sub 9;
- the ban on a final acceptance certificate for goods unfinished, incomplete, untested or
  otherwise not conforming to the contract (Art 27 p.5);
- the recipient's acceptance: under the contract terms without an MRO (Art 25 sub 9), by
  name, nomenclature and completeness on the basis of the MRO's quality certificate with
  one (sub 10); Art 27 does not apply to the State Security Service (p.6).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from kzreg.defense.contracts import art
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting


class Subject(enum.Enum):
    GOODS = "goods"
    WORKS_SERVICES = "works_services"


class SuspensionTrigger(enum.Enum):
    CONTRACT_TERMS_BREACHED = "contract_terms_breached"
    QUALITY_DECISIONS_BREACHED = "quality_decisions_breached"
    FAILED_TESTS = "failed_tests"
    FIELD_DEFECT_IN_WIP = "field_defect_in_wip"  # a defect that failed goods in service,
    #                                             present in goods still in process


# Art 27 p.4 sub 8 (goods) names all four; sub 9 (works, services) only the first two
TRIGGERS = {
    Subject.GOODS: frozenset(SuspensionTrigger),
    Subject.WORKS_SERVICES: frozenset({SuspensionTrigger.CONTRACT_TERMS_BREACHED,
                                       SuspensionTrigger.QUALITY_DECISIONS_BREACHED}),
}
SUSPENSION_LOCATOR = {Subject.GOODS: "Art 27 p.4 sub 8",
                      Subject.WORKS_SERVICES: "Art 27 p.4 sub 9"}


class Lot(BaseModel):
    """A lot presented for acceptance, as the MRO and the recipient see it."""

    model_config = ConfigDict(extra="forbid")

    subject: Subject = Subject.GOODS
    for_state_security_service: bool = False
    mro_at_contractor: bool = True
    production_complete: bool = False
    set_complete: bool = False
    required_tests: list[str] = Field(default_factory=list)
    tests_passed: list[str] = Field(default_factory=list)
    nonconformities: list[str] = Field(default_factory=list,
                                       description="open non-conformities to the contract")
    quality_certificate: str | None = Field(None, description="the MRO certificate number")
    field_defect_in_service: bool = False
    defect_present_in_wip: bool = False
    contract_terms_breached: bool = False
    quality_decisions_breached: bool = False
    failed_tests: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class GateResult:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


def _mro_applies(trace: Trace, lot: Lot) -> bool:
    if lot.for_state_security_service:
        trace.step("the contract is for the State Security Service: Art 27 does not apply",
                   False, citation=art("Art 27 p.6"))
        return False
    return True


def suspension(lot: Lot) -> Explained[GateResult]:
    """Must the MRO suspend acceptance and shipment (goods) or performance (works, services)?
    `allowed` is True when the lot may go on; the reasons are the triggers found."""
    trace = Trace("defense.contract-mro-suspension")
    if not _mro_applies(trace, lot):
        return trace.done(GateResult(True, []))
    found: list[SuspensionTrigger] = []
    if lot.contract_terms_breached:
        found.append(SuspensionTrigger.CONTRACT_TERMS_BREACHED)
    if lot.quality_decisions_breached:
        found.append(SuspensionTrigger.QUALITY_DECISIONS_BREACHED)
    if lot.failed_tests:
        found.append(SuspensionTrigger.FAILED_TESTS)
    if lot.field_defect_in_service and lot.defect_present_in_wip:
        found.append(SuspensionTrigger.FIELD_DEFECT_IN_WIP)
    locator = SUSPENSION_LOCATOR[lot.subject]
    applicable = [t.value for t in found if t in TRIGGERS[lot.subject]]
    what = ("acceptance and shipment of the goods" if lot.subject is Subject.GOODS
            else "performance of the works and services")
    trace.step(f"the MRO suspends {what} on: " + ", ".join(
        sorted(t.value for t in TRIGGERS[lot.subject])), applicable or "no trigger",
        citation=art(locator), inputs=lot.model_dump(include={
            "contract_terms_breached", "quality_decisions_breached", "failed_tests",
            "field_defect_in_service", "defect_present_in_wip"}))
    if lot.field_defect_in_service and not lot.defect_present_in_wip:
        trace.step("a defect found in service suspends only if goods in process also have it",
                   False, citation=art("Art 27 p.4 sub 8"))
    return trace.done(GateResult(not applicable, applicable))


def final_acceptance_certificate(lot: Lot) -> Explained[GateResult]:
    """May the MRO issue a certificate for final acceptance (Art 27 p.5)?"""
    trace = Trace("defense.contract-final-acceptance")
    if not _mro_applies(trace, lot):
        raise InputError("no MRO certificate for the State Security Service: Art 27 does not "
                         "apply (acceptance follows the contract)",
                         field="for_state_security_service", citation=art("Art 27 p.6"))
    if not lot.mro_at_contractor:
        raise InputError("the contractor houses no military representative office",
                         field="mro_at_contractor", citation=art("Art 27 p.1"))
    reasons: list[str] = []
    if not lot.production_complete:
        reasons.append("production not completed")
    if not lot.set_complete:
        reasons.append("incomplete set")
    untested = [t for t in lot.required_tests if t not in lot.tests_passed]
    if untested:
        reasons.append("without required testing: " + ", ".join(untested))
    if lot.failed_tests:
        reasons.append("failed tests: " + ", ".join(lot.failed_tests))
    if lot.nonconformities:
        reasons.append("non-conformities to the contract: " + ", ".join(lot.nonconformities))
    trace.step("no final acceptance certificate for goods unfinished, with an incomplete set, "
               "without required testing or with other non-conformities to the contract",
               reasons or "none: may be issued", citation=art("Art 27 p.5"))
    if not reasons:
        trace.step("the MRO accepts within the contract's time frames and issues the quality "
                   "certificate in the Government-approved form", True,
                   citation=art("Art 27 p.3 sub 3"))
    return trace.done(GateResult(not reasons, reasons))


def recipient_acceptance(lot: Lot) -> Explained[GateResult]:
    """May the recipient accept the lot (Art 25 sub 6, 9, 10)?"""
    trace = Trace("defense.contract-recipient-acceptance")
    trace.step("the recipient accepts the goods, works and services in both funding cases",
               True, citation=art("Art 25 sub 6"))
    mro = _mro_applies(trace, lot) and lot.mro_at_contractor
    if lot.for_state_security_service:
        how = get_setting("defense.acceptance_sss_contract_terms")
        trace.step("acceptance under the contract's terms", how.value,
                   parameters=[how.use()], citation=art("Art 25 sub 9"))
    if not mro:
        if not lot.for_state_security_service:
            trace.step("no military representative office: the recipient accepts under the "
                       "contract's terms, itself or through seconded representatives", True,
                       citation=art("Art 25 sub 9"))
        reasons = ["open non-conformities to the contract: " + ", ".join(lot.nonconformities)
                   ] if lot.nonconformities else []
        if reasons:
            trace.step("name, quantity, quality, specification and terms must match the "
                       "subject of the contract", reasons, citation=art("Art 22 p.11"))
        return trace.done(GateResult(not reasons, reasons))
    reasons = []
    if not lot.quality_certificate:
        reasons.append("no MRO quality certificate")
    if not lot.set_complete:
        reasons.append("incomplete set")
    trace.step("with an MRO the recipient accepts by name, nomenclature and completeness of "
               "set on the basis of the quality certificate", reasons or "may accept",
               citation=art("Art 25 sub 10"),
               inputs={"quality_certificate": lot.quality_certificate,
                       "set_complete": lot.set_complete})
    return trace.done(GateResult(not reasons, reasons))


class Representative(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sent_by: str = Field(description="sdp_body or recipient")
    mandate: str = Field(description="monitoring or quality_acceptance")
    mro_at_contractor: bool


def representative_mandate(rep: Representative) -> Explained[GateResult]:
    """Who may send representatives to a contractor, and for what (Art 24 p.2-3)."""
    trace = Trace("defense.contract-representative")
    if rep.sent_by not in ("sdp_body", "recipient"):
        raise InputError("representatives are sent by the SDP body or the recipient",
                         field="sent_by", citation=art("Art 24 p.3"))
    if rep.mandate == "monitoring":
        trace.step("the SDP body and the recipient may send representatives to monitor "
                   "fulfilment and quality", True, citation=art("Art 24 p.3"))
        return trace.done(GateResult(True))
    if rep.mandate != "quality_acceptance":
        raise InputError("mandate is monitoring or quality_acceptance", field="mandate")
    reasons = []
    if rep.sent_by != "recipient":
        reasons.append("only the recipient seconds representatives for quality control and "
                       "acceptance")
    if rep.mro_at_contractor:
        reasons.append("the organization houses a military representative office")
    trace.step("where no MRO is set up, the recipient may second representatives for quality "
               "control and acceptance", reasons or True, citation=art("Art 24 p.2"))
    return trace.done(GateResult(not reasons, reasons))
