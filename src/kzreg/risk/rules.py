"""Registers the risk rules of JO 1199/826 (found by convention, kzreg.platform.plugins).

Rule ids and clauses:
  risk.objective-degree    Cr §6, §15, §7, §8   class, transfer down, frequency, forms
  risk.next-check          Cr §7                first day a new check on compliance may be held
  risk.indicator           Cr §12-13            100 for a gross violation, else SRZ + SRN; band
  risk.band                Cr §12               the degree of an indicator
  risk.information-system  Cr §13-1             SC, R_prom, normalization [reconstructions]
  risk.checklist-counts    Cr §11, Cr-App1..5   counts from a filled checklist (severities loaded)
  risk.five-percent-cap    Cr §16               subjects allowed without an information system
  risk.rapid-response      Cr §16-2, §16-3      prohibition / withdrawal for violated items
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from pydantic import BaseModel, Field

from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import frac
from kzreg.law.rules import rule
from kzreg.risk import checklists, degrees, indicator, planning, rapid_response
from kzreg.risk._law import criteria
from kzreg.risk.subjects import ControlKind, Degree, Relief, SubjectType


class SubjectInput(BaseModel):
    type: SubjectType
    insured: bool = Field(False, description="Civil-liability insurance contract (Cr §15(1))")
    legally_exempt: bool = Field(False, description="Release provided by law (Cr §15(2))")
    sro_recognized: bool = Field(False, description="SRO member with a recognition agreement "
                                 "(Cr §15(3))")


@rule("risk.objective-degree", title="Objective risk degree, transfer down, frequency and "
      "forms of control", citation=criteria("§6"), inputs=SubjectInput)
def objective(inp: SubjectInput, as_of: dt.date) -> Explained:
    return degrees.classify(inp.type, Relief(inp.insured, inp.legally_exempt,
                                             inp.sro_recognized))


class NextCheckInput(BaseModel):
    degree: str = Field(description="low, average or high")
    last_check: dt.date | None = Field(None, description="Date of the last check on compliance")


@rule("risk.next-check", title="First day a new check on compliance may be held",
      citation=criteria("§7"), inputs=NextCheckInput)
def next_check(inp: NextCheckInput, as_of: dt.date) -> Explained:
    return degrees.next_check_allowed(Degree.parse(inp.degree), inp.last_check)


class CountsInput(BaseModel):
    gross: int = Field(0, ge=0, description="Gross violations found")
    considerable_found: int = Field(0, ge=0)
    considerable_total: int = Field(0, ge=0, description="Applicable considerable requirements "
                                    "(SP1)")
    insignificant_found: int = Field(0, ge=0)
    insignificant_total: int = Field(0, ge=0)


@rule("risk.indicator", title="Subjective risk indicator and degree (SP = SRZ + SRN)",
      citation=criteria("§13"), inputs=CountsInput)
def violations(inp: CountsInput, as_of: dt.date) -> Explained:
    return indicator.violation_indicator(indicator.Counts(**inp.model_dump()))


class BandInput(BaseModel):
    indicator: str = Field(description='Exact value on 0-100, e.g. "30.625" or "100/3"')


@rule("risk.band", title="Risk degree of an indicator", citation=criteria("§12"),
      inputs=BandInput)
def band(inp: BandInput, as_of: dt.date) -> Explained:
    return indicator.band(frac(inp.indicator, "indicator"))


class SampleSubject(BaseModel):
    id: str
    sp: str = Field(description="Risk indicator on violations (SP), exact")
    gross: bool = False
    indicators: dict[str, str] = Field(default_factory=dict,
                                       description="x_i per subjective criterion")


class InformationSystemInput(BaseModel):
    weights: dict[str, str] = Field(description="w_i per subjective criterion, loaded from "
                                    "Appendix 7 (missing from the text)")
    sample: list[SampleSubject] = Field(min_length=1, description="One homogeneous sample")


@rule("risk.information-system", title="Information-system indicator R (reconstructions of "
      "Ф.1 and Ф.2)", citation=criteria("§13-1"), inputs=InformationSystemInput)
def information_system(inp: InformationSystemInput, as_of: dt.date) -> Explained:
    trace = Trace()
    weights = {k: frac(v, f"weights.{k}") for k, v in inp.weights.items()}
    sample: dict[str, tuple[Fraction, Fraction, bool]] = {}
    for s in inp.sample:
        x = {k: frac(v, f"{s.id}.indicators.{k}") for k, v in s.indicators.items()}
        sc = indicator.subjective_criteria_indicator(x, weights, Trace()).value
        sample[s.id] = (frac(s.sp, f"{s.id}.sp"), sc, s.gross)
    trace.step(f"SC computed for {len(sample)} subject(s) [reconstruction of Ф.1]",
               {k: v[1] for k, v in sample.items()}, citation=criteria("§13-1"))
    return trace.done(indicator.normalise_sample(sample, trace).value)


class ChecklistInput(BaseModel):
    type: SubjectType
    control: ControlKind
    violated: list[str] = Field(default_factory=list, description="Requirement ids, "
                                "e.g. cr-app2-03")
    not_applicable: list[str] = Field(default_factory=list)
    severities: dict[str, checklists.Severity] = Field(
        default_factory=dict, description="Requirement id -> severity (loaded data)")


@rule("risk.checklist-counts", title="Violation counts from a filled checklist",
      citation=criteria("§11"), inputs=ChecklistInput)
def checklist_counts(inp: ChecklistInput, as_of: dt.date) -> Explained:
    trace = Trace()
    appendix = trace.include(checklists.checklist_for(inp.type, inp.control))
    counts = trace.include(checklists.count_violations(appendix, inp.violated, inp.severities,
                                                       inp.not_applicable))
    result = indicator.violation_indicator(counts, trace)
    return trace.done(result.value)


class CapInput(BaseModel):
    total: int = Field(ge=0, description="Subjects of the sphere")


@rule("risk.five-percent-cap", title="Most subjects controlled without an information system",
      citation=criteria("§16"), inputs=CapInput)
def cap(inp: CapInput, as_of: dt.date) -> Explained:
    return planning.five_percent_cap(inp.total)


class RapidInput(BaseModel):
    items: list[int] = Field(description="Violated items of the JO Appendix 5 checklist")
    decided_on: dt.date | None = Field(None, description="Date of the prohibition decision")


@rule("risk.rapid-response", title="Rapid-response measures for violated checklist items",
      citation=criteria("§16-2"), inputs=RapidInput)
def rapid(inp: RapidInput, as_of: dt.date) -> Explained:
    trace = Trace()
    response = trace.include(rapid_response.measures_for(inp.items))
    if response.measures["prohibition"] and inp.decided_on:
        trace.include(rapid_response.prohibition_term(inp.decided_on))
    return trace.done(response)
