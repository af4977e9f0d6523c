"""Domestic raw materials (Law 86-VII Art 60, in its wording by Law 71-VIII): the list, the
tripartite supply agreements, the price cap and the export licence.

- Art 60(1)-(3): the authorized body keeps the list of domestic raw materials and their
  producers (data: `data/raw_materials/list.yaml`, empty until the approved list is loaded)
  on manufacturers' applications, refused only for incomplete documents or no producer of
  the raw material in Kazakhstan.
- Art 60(4): producers are listed except new production facilities (operating in Kazakhstan
  under three years; start: setting producers.raw_material_operation_start) and those the
  rules exclude (setting producers.raw_material_excluded_producers).
- Art 60(5): a producer's share of supply = its output / the Republic's output.
- Art 60(6)-(7): agreements are mandatory; the price is not higher than the producer's own
  minimum export price of that raw material.
- Art 60(8): a manufacturer reselling the raw material to third parties: the agreement is
  terminated and the manufacturer may no longer take part in such agreements.
- Art 60(9): a listed raw material is exported under the authorized body's licence, issued
  only to a producer that concluded its agreements and fulfilled them for the period before
  the application (setting producers.export_licence_lookback).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import yaml
from pydantic import BaseModel, Field

from kzreg.law.calendar import add_years
from kzreg.law.errors import InputError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import fmt
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting
from kzreg.producers.incentives import art
from kzreg.producers.legal_time import require_wording

NEW_PRODUCTION_YEARS = 3       # Art 60(4)
REFUSAL_GROUNDS = {            # Art 60(3), the closed list
    "INCOMPLETE_DOCUMENTS": "incomplete set of documents",
    "NO_KZ_PRODUCER_OF_RAW_MATERIAL": "no producer of the raw material in Kazakhstan",
}


@functools.cache
def approved_list() -> tuple[dict, ...]:
    """The authorized body's list (raw material, producers), as loaded by an administrator."""
    path = resources.files("kzreg.producers") / "data" / "raw_materials" / "list.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(data.get("entries") or ())


def _in_force(trace: Trace, as_of: dt.date) -> bool:
    return require_wording(trace, "Art 60", as_of)


# --- the list (Art 60(2)-(4)) ---------------------------------------------------------------

class ListApplication(BaseModel):
    raw_material: str = Field(min_length=2)
    missing_documents: list[str] = []
    kz_producers: list[str] = Field(default_factory=list, description="BINs of producers of "
                                    "the raw material in Kazakhstan")


@dataclass(frozen=True)
class ListDecision:
    accepted: bool
    grounds: tuple[str, ...]


@rule("producers.raw-list-application", title="A manufacturer's application to form the list "
      "of domestic raw materials: the two grounds of refusal", citation=art("Art 60(3)"),
      inputs=ListApplication)
def list_application(inp: ListApplication, as_of: dt.date) -> Explained[ListDecision]:
    trace = Trace("producers.raw-list-application", as_of)
    _in_force(trace, as_of)
    grounds = []
    if trace.step("documents complete", not inp.missing_documents, citation=art("Art 60(3)"),
                  inputs={"missing": inp.missing_documents}) is False:
        grounds.append("INCOMPLETE_DOCUMENTS")
    if trace.step("a producer of the raw material in Kazakhstan", bool(inp.kz_producers),
                  citation=art("Art 60(3)"), inputs={"producers": inp.kz_producers}) is False:
        grounds.append("NO_KZ_PRODUCER_OF_RAW_MATERIAL")
    trace.step("refused only on the grounds of Art 60(3)" if grounds else "accepted",
               not grounds, citation=art("Art 60(3)"))
    return trace.done(ListDecision(not grounds, tuple(grounds)))


class RawProducer(BaseModel):
    bin: str = Field(min_length=12, max_length=12)
    production_start: dt.date | None = None
    state_registration: dt.date | None = None


class InclusionInput(BaseModel):
    producers: list[RawProducer] = Field(min_length=1)


@dataclass(frozen=True)
class ProducerInclusion:
    bin: str
    included: bool
    operating_since: dt.date
    three_years_on: dt.date
    subject_to_rules_exclusions: bool


@rule("producers.raw-producer-inclusion", title="Producers on the list of domestic raw "
      "materials: new production (under three years) left out", citation=art("Art 60(4)"),
      inputs=InclusionInput)
def producer_inclusion(inp: InclusionInput, as_of: dt.date
                       ) -> Explained[tuple[ProducerInclusion, ...]]:
    trace = Trace("producers.raw-producer-inclusion", as_of)
    _in_force(trace, as_of)
    start = get_setting("producers.raw_material_operation_start")
    excluded = get_setting("producers.raw_material_excluded_producers")
    pending = excluded.value == "unset"
    rows = []
    for n, p in enumerate(inp.producers):
        since = getattr(p, start.value)
        if since is None:
            raise InputError(f"give {start.value} (setting producers.raw_material_operation_"
                             "start)", field=f"producers.{n}.{start.value}",
                             citation=art("Art 60(4)"))
        three = add_years(since, NEW_PRODUCTION_YEARS)
        included = trace.step(f"{p.bin}: operating in Kazakhstan since {since}; three years on "
                              f"{three}", as_of >= three, citation=art("Art 60(4)"),
                              parameters=[start.use()])
        rows.append(ProducerInclusion(p.bin, included, since, three, pending and included))
    trace.step("producers the rules exclude: " + ("not loaded, every inclusion is subject to "
               "them" if pending else str(excluded.value)), pending,
               citation=art("Art 60(4)"), parameters=[excluded.use()])
    return trace.done(tuple(rows))


# --- supply shares and the price (Art 60(5), (7)) -------------------------------------------

class Output(BaseModel):
    bin: str = Field(min_length=12, max_length=12)
    volume: Decimal = Field(ge=0)


class SharesInput(BaseModel):
    producers: list[Output] = Field(min_length=1)
    national_output: Decimal | None = Field(None, gt=0, description="the Republic's total "
                                            "output of the raw material (default: the sum)")


@rule("producers.raw-supply-shares", title="Each producer's share of supply: its output over "
      "the Republic's", citation=art("Art 60(5)"), inputs=SharesInput)
def supply_shares(inp: SharesInput, as_of: dt.date) -> Explained[dict[str, Fraction]]:
    trace = Trace("producers.raw-supply-shares", as_of)
    _in_force(trace, as_of)
    listed = sum((p.volume for p in inp.producers), Decimal(0))
    total = inp.national_output if inp.national_output is not None else listed
    if total <= 0 or listed > total:
        raise InputError("the Republic's output must be positive and at least the producers'",
                         field="national_output")
    trace.step("the Republic's output of the raw material", total, citation=art("Art 60(5)"))
    shares = {p.bin: Fraction(p.volume) / Fraction(total) for p in inp.producers}
    for bin, share in shares.items():
        trace.step(f"{bin}: share {fmt(share * 100)}%", share, citation=art("Art 60(5)"))
    return trace.done(shares)


class PriceInput(BaseModel):
    export_prices: list[Decimal] = Field(default_factory=list, description="the producer's "
                                         "export prices of this raw material")
    agreed_price: Decimal | None = Field(None, ge=0)


@dataclass(frozen=True)
class PriceCap:
    cap: Decimal | None
    agreed_within_cap: bool | None


@rule("producers.raw-price-cap", title="The agreement price: not higher than the producer's "
      "minimum export price", citation=art("Art 60(7)"), inputs=PriceInput)
def price_cap(inp: PriceInput, as_of: dt.date) -> Explained[PriceCap]:
    trace = Trace("producers.raw-price-cap", as_of)
    _in_force(trace, as_of)
    if not inp.export_prices:
        trace.step("the producer does not export this raw material: the Law gives no cap "
                   "(special competitive pricing only)", None, citation=art("Art 60(7)"))
        return trace.done(PriceCap(None, None))
    cap = trace.step("the producer's minimum export price", min(inp.export_prices),
                     citation=art("Art 60(7)"), inputs={"export_prices": inp.export_prices})
    within = None
    if inp.agreed_price is not None:
        within = trace.step(f"agreed price {inp.agreed_price} within the cap",
                            inp.agreed_price <= cap, citation=art("Art 60(7)"))
    return trace.done(PriceCap(cap, within))


# --- resale and the export licence (Art 60(8)-(9)) ------------------------------------------

class ResaleInput(BaseModel):
    sold_to_third_party: bool


@dataclass(frozen=True)
class ResaleOutcome:
    terminate: bool
    manufacturer_banned: bool


@rule("producers.raw-resale", title="Resale of the raw material to third parties: "
      "termination and the ban", citation=art("Art 60(8)"), inputs=ResaleInput)
def resale(inp: ResaleInput, as_of: dt.date) -> Explained[ResaleOutcome]:
    trace = Trace("producers.raw-resale", as_of)
    _in_force(trace, as_of)
    sold = trace.step("the manufacturer sold raw material received under the agreement to a "
                      "third party", inp.sold_to_third_party, citation=art("Art 60(8)"))
    trace.step("the agreement is terminated and the manufacturer may not take part in such "
               "agreements" if sold else "no breach of the ban on resale", sold,
               citation=art("Art 60(8)"))
    return trace.done(ResaleOutcome(sold, sold))


class Period(BaseModel):
    ends_on: dt.date
    fulfilled: bool


class SupplyAgreement(BaseModel):
    agreement_id: str = Field(min_length=1)
    concluded: bool = True
    periods: list[Period] = []


class LicenceInput(BaseModel):
    on_the_list: bool = True
    listed_manufacturers: int = Field(0, ge=0, description="manufacturers the producer must "
                                      "supply under the list")
    agreements: list[SupplyAgreement] = []


@dataclass(frozen=True)
class LicenceDecision:
    licence_required: bool
    may_issue: bool
    unfulfilled: tuple[str, ...]


@rule("producers.raw-export-licence", title="Export licence: only after the supply agreements "
      "are concluded and fulfilled", citation=art("Art 60(9)"), inputs=LicenceInput)
def export_licence(inp: LicenceInput, as_of: dt.date) -> Explained[LicenceDecision]:
    trace = Trace("producers.raw-export-licence", as_of)
    _in_force(trace, as_of)
    if not trace.step("the raw material is on the list of domestic raw materials",
                      inp.on_the_list, citation=art("Art 60(9)")):
        return trace.done(LicenceDecision(False, True, ()))
    concluded = [a for a in inp.agreements if a.concluded]
    enough = trace.step("supply agreements concluded (mandatory for listed producers)",
                        bool(concluded) and len(concluded) >= inp.listed_manufacturers,
                        citation=art("Art 60(6)"),
                        inputs={"concluded": len(concluded),
                                "listed manufacturers": inp.listed_manufacturers})
    lookback = get_setting("producers.export_licence_lookback")
    unfulfilled = []
    for a in concluded:
        ended = sorted((p for p in a.periods if p.ends_on < as_of), key=lambda p: p.ends_on)
        if lookback.value == "last_period_only":
            ended = ended[-1:]
        unfulfilled += [f"{a.agreement_id}: period to {p.ends_on}" for p in ended
                        if not p.fulfilled]
    trace.step("obligations fulfilled for the period before the application", unfulfilled,
               citation=art("Art 60(9)"), parameters=[lookback.use()])
    may = enough and not unfulfilled
    trace.step("the licence may be issued" if may else "the licence is refused", may,
               citation=art("Art 60(9)"))
    return trace.done(LicenceDecision(True, may, tuple(unfulfilled)))

