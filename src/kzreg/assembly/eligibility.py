"""May the manufacturer conclude an agreement on industrial assembly? (Order 493; Law 86-VII)

The regime is chosen by the application date:

* Order 493 (from its entry into force until Order 303 abolished it in 2022): three routes —
  new entrants meeting the Appendix 1 initial requirements (R §4, §10), holders of an earlier
  agreement ending 31.12.2020 who applied by that day (R §5, §11), and other vehicle codes with
  fixed assets of at least 700,000 MCI and the Appendix 4 operations (R §7, §12); multilateral
  agreements for codes 8701-8705 except cars, the partner welding and painting within two
  years (R §5 ¶2, §6).
* Law 86-VII (from 2022): Art 63(2) for truck tractors, buses, special equipment, cars and
  trucks (18 million / 3.5 million MCI, the brand-and-model rule, capacities), Art 63(1) for
  other vehicles, Art 63(3) multilateral, Art 64 agricultural machinery (500,000 / 100,000 MCI).
  Where both applied (2022) and differ, the Law prevails (`assembly.law_prevails_over_order_493`).

MCI values come from the kernel's dated parameter (`mci(on)`). Each condition is a
`Condition` with its clause; the whole result is `Explained`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from kzreg.assembly.tables import LAW_86, ORDER_493, order_493_period
from kzreg.law.acts import explain_in_force
from kzreg.law.calendar import add_months
from kzreg.law.citations import Citation, cite
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.identifiers.feacn import FeacnCode
from kzreg.law.numbers import fmt
from kzreg.law.parameters import mci
from kzreg.law.settings import get_setting

SCORED = ("car", "truck_tractor", "special_equipment", "bus", "truck")
Kind = Literal["car", "truck_tractor", "special_equipment", "bus", "truck", "other_vehicle",
               "agri_main", "agri_other"]


class Application(BaseModel):
    """What the manufacturer shows with its request (R §10-12; Law Arts 63-64)."""

    vehicle: Kind = Field(description="vehicle kind; agri_main = tractors, combine and forage "
                                      "harvesters (Art 64(1)), agri_other = other agricultural "
                                      "machinery (Art 64(2))")
    applied_on: dt.date = Field(description="the day the request is filed")
    feacn_code: str | None = Field(None, description="EAEU FEACN code applied for")
    production_assets_kzt: Decimal = Field(ge=0, description="production (fixed) assets, tenge")
    capacity_per_year: int | None = Field(None, ge=0, description="two-shift capacity, units")
    brands: int = Field(1, ge=1, description="vehicle brands made at the enterprise")
    models_welded_painted_assembled: int = Field(0, ge=0, description="models whose body (cab) "
                                                 "is welded, painted and assembled")
    cataphoresis: bool = Field(False, description="painting includes cataphoresis (cars)")
    vehicle_assembly: bool = Field(False, description="R-App1 1.5 / 2.5 assembly operations")
    attachments_made: bool = Field(False, description="R-App1 2.6 cutting, bending, welding, "
                                                      "painting of body or attachments")
    bus_painting_rooms: bool = Field(False, description="R-App1 2.7 grinding, dry spray "
                                                        "painting and drying rooms")
    manufacturing_operations: bool = Field(False, description="Art 64: cutting, bending, "
                                                              "welding, assembly, painting")
    has_prior_agreement: bool = False
    prior_agreement_ends_on: dt.date | None = None
    prior_agreement_feacn: str | None = None
    prior_obligations_fulfilled: bool = Field(False, description="incl. welding and painting")
    prior_violations_unremedied: bool = False
    multilateral: bool = False
    partner_welding_painting_months: int | None = Field(
        None, ge=0, description="months after conclusion the other party welds and paints")


@dataclass(frozen=True)
class Condition:
    name: str
    met: bool | None
    citation: Citation
    detail: str

    def __str__(self) -> str:
        mark = {True: "met", False: "NOT met", None: "undetermined"}[self.met]
        return f"{self.name}: {mark} — {self.detail} ({self.citation})"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool | None
    regime: str                      # "order-493" | "law-86-VII" | "order-493+law-86-VII"
    route: str
    conditions: tuple[Condition, ...]
    notes: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        verdict = {True: "eligible", False: "not eligible", None: "undetermined"}[self.eligible]
        return f"{verdict} ({self.route}, {self.regime})"


@cache
def conditions() -> dict[str, Any]:
    text = (resources.files("kzreg.assembly") / "data" / "conditions.yaml").read_text("utf-8")
    return yaml.safe_load(text)


class _Checker:
    """Collects conditions, each also recorded as an explained step."""

    def __init__(self, trace: Trace, app: Application) -> None:
        self.trace, self.app, self.items = trace, app, []

    def check(self, name: str, met: bool | None, citation: Citation, detail: str,
              **kw: Any) -> None:
        self.items.append(Condition(name, met, citation, detail))
        self.trace.step(f"{name}: {detail}", met, citation=citation, **kw)

    def assets(self, multiple: int, citation: Citation, setting_name: str) -> None:
        use = get_setting(setting_name)
        value = mci(self.app.applied_on)
        need = Decimal(multiple) * value.value
        have = self.app.production_assets_kzt
        self.check("production assets", have >= need, citation,
                   f"{fmt(have)} KZT {'≥' if have >= need else '<'} {multiple:,} MCI × "
                   f"{fmt(value.value)} = {fmt(need)} KZT",
                   parameters=[value.use(), use.use(),
                               get_setting("assembly.asset_terms_same_measure").use()])

    def capacity(self, need: int, citation: Citation) -> None:
        have = self.app.capacity_per_year
        self.check("two-shift production capacity", None if have is None else have >= need,
                   citation, f"{have if have is not None else 'not given'} units/year; "
                   f"at least {need:,} required")


def _regimes(on: dt.date, trace: Trace) -> tuple[bool, bool, list[str]]:
    period = order_493_period()
    order = period.start <= on < period.end
    law_status = explain_in_force(LAW_86, on)
    trace.include(law_status)
    notes = [period.note] if period.note and order else []
    law = law_status.value is True
    if law_status.value is None:
        notes.append("Law 86-VII's entry into force is not known to the day; treated as not "
                     "yet in force")
    trace.step(f"on {on.isoformat()}: Order 493 {'applies' if order else 'does not apply'} "
               f"({period.start.isoformat()} – {(period.end - dt.timedelta(days=1)).isoformat()}),"
               f" Law 86-VII Arts 62-65 {'apply' if law else 'do not apply'}", order or law,
               citation=cite(ORDER_493, "header footnote"),
               parameters=[get_setting("assembly.order_493_end_if_publication_unknown").use()])
    return order, law, notes


def _order_new_entrant(c: _Checker, law_too: bool) -> None:
    app, data = c.app, conditions()[ORDER_493]["new_entrant"][c.app.vehicle]
    prevails = law_too and get_setting("assembly.law_prevails_over_order_493").value
    if not prevails:   # else the Law's assets, capacity and models conditions are used
        c.assets(data["assets_mci"], cite(ORDER_493, data["assets_locator"]),
                 "assembly.mci_year_order_493")
        c.capacity(data["capacity"], cite(ORDER_493, data["capacity_locator"]))
        c.check("models welded, painted and assembled",
                app.models_welded_painted_assembled >= data["models"],
                cite(ORDER_493, data["models_locator"]),
                f"{app.models_welded_painted_assembled} model(s); at least {data['models']}")
    if data.get("cataphoresis") and not prevails:
        c.check("painting includes cataphoresis", app.cataphoresis,
                cite(ORDER_493, data["models_locator"]), "cars: cataphoresis required")
    c.check("vehicle assembly operations", app.vehicle_assembly,
            cite(ORDER_493, data["assembly_locator"]), "power unit, rear axle, exhaust, "
            "electrical and suspension elements, control tests")
    kinds = get_setting("assembly.app1_item_2_6_applies_to")
    kind_names = {"special_equipment": "special_equipment", "trucks": "truck"}
    if app.vehicle in {kind_names.get(k, k) for k in kinds.value}:
        c.check("cutting, bending, welding, painting of body or attachments",
                app.attachments_made,
                cite(ORDER_493, conditions()[ORDER_493]["attachments_locator"]),
                "special and cargo vehicles", parameters=[kinds.use()])
    if app.vehicle == "bus":
        c.check("grinding, dry spray painting and drying rooms", app.bus_painting_rooms,
                cite(ORDER_493, data["grinding_rooms_locator"]), "buses, with items 2.1-2.5",
                parameters=[get_setting("assembly.app1_item_2_7_reading").use()])


def _order_legacy(c: _Checker) -> None:
    app, data = c.app, conditions()[ORDER_493]["legacy"]
    ends, by = data["prior_agreement_ends_on"], data["apply_by"]
    c.check("earlier agreement terminating on 31.12.2020", app.prior_agreement_ends_on == ends,
            cite(ORDER_493, data["locator"]),
            f"earlier agreement ends {app.prior_agreement_ends_on or 'not given'}")
    c.check("request filed by 31.12.2020", app.applied_on <= by,
            cite(ORDER_493, data["apply_by_locator"]), f"filed {app.applied_on.isoformat()}")
    c.check("earlier obligations fulfilled, incl. welding and painting",
            app.prior_obligations_fulfilled, cite(ORDER_493, "R §11(1)"),
            "documents confirming fulfilment and design capacity")
    use = get_setting("assembly.r11_unremedied_violations_bar_legacy_route")
    if use.value:
        c.check("no violation of the earlier agreement left unremedied",
                not app.prior_violations_unremedied, cite(ORDER_493, "R §11(1)"),
                "violations not remedied within a month close the route",
                parameters=[use.use()])
    if app.feacn_code and app.prior_agreement_feacn:
        code = FeacnCode.parse(app.feacn_code, "feacn_code", prefix=True)
        prior = FeacnCode.parse(app.prior_agreement_feacn, "prior_agreement_feacn", prefix=True)
        move = data["code_transfer"]
        same = code.digits[:4] == prior.digits[:4]
        moved = prior.digits.startswith(move["from"]) and code.digits[:4] in move["to"]
        c.check("code of the earlier agreement", same or moved,
                cite(ORDER_493, move["locator"]),
                f"earlier {prior}, requested {code}; 8704 also opens 8701 and 8705")


def _law_vehicles(c: _Checker, order: bool) -> None:
    app, law = c.app, conditions()[LAW_86]
    data = law["vehicles"][app.vehicle]
    operations = cite(LAW_86, law["operations_locator"])
    if app.vehicle == "car":
        need = (data["models_per_brand"] * app.brands if app.brands >= 2
                else data["models_one_brand"])
        rule = (f"{data['models_per_brand']} per brand for {app.brands} brands"
                if app.brands >= 2 else f"{need} for a single brand")
        c.check("painting includes cataphoresis", app.cataphoresis, operations,
                "passenger cars")
    else:
        need, rule = data["models"], f"{data['models']} per FEA CN code"
    c.check("models welded, painted and assembled", app.models_welded_painted_assembled >= need,
            operations, f"{app.models_welded_painted_assembled} model(s); at least {rule}")
    c.capacity(data["capacity"], operations)
    c.assets(data["assets_mci"], cite(LAW_86, law["assets_locator"]), "assembly.mci_year_law")
    rules = get_setting("assembly.vehicle_rules_after_order_493")
    if rules.value == "unset" and not order:   # while Order 493 applied, its R-App1 did
        c.check("initial requirements of the localization scoring system (rules)", None,
                cite(LAW_86, "Art 9 sub 23"), "the rules after Order 493 are not loaded",
                parameters=[rules.use()])


def _multilateral(c: _Checker, order: bool, law: bool) -> None:
    app = c.app
    data = conditions()[LAW_86 if law else ORDER_493]["multilateral"]
    act = LAW_86 if law else ORDER_493
    c.check("multilateral agreement allowed for this vehicle", app.vehicle not in data["excluded"],
            cite(act, data.get("excluded_locator", data["locator"])),
            "not for passenger cars (code 8703)")
    c.check("earlier obligations fulfilled, incl. welding and painting",
            app.prior_obligations_fulfilled, cite(act, data["locator"]),
            "the party that held the earlier agreement")
    if order and not law:
        months = app.partner_welding_painting_months
        limit = data["partner_months"]
        c.check("other party welds and paints within two years",
                None if months is None else months <= limit, cite(ORDER_493, data["locator"]),
                f"{months if months is not None else 'not given'} months after conclusion; "
                f"at most {limit}")


def check_eligibility(app: Application) -> Explained[Eligibility]:
    """Which regime and route apply on the application date, and whether each condition holds."""
    trace = Trace(rule="assembly.eligibility", as_of=app.applied_on)
    order, law, notes = _regimes(app.applied_on, trace)
    if not order and not law:
        raise LegalRuleError(f"neither Order 493 nor Law 86-VII applied on "
                             f"{app.applied_on.isoformat()}", field="applied_on",
                             citation=cite(ORDER_493, "Order §4"))
    c = _Checker(trace, app)
    agri = app.vehicle.startswith("agri")
    if agri:
        if not law:
            raise LegalRuleError("agricultural machinery is not a vehicle under Order 493 and "
                                 "Art 64 of Law 86-VII did not yet apply", field="vehicle",
                                 citation=cite(ORDER_493, "R §2(1)"))
        data = conditions()[LAW_86][app.vehicle]
        citation = cite(LAW_86, data["locator"])
        c.check("cutting, bending, welding, assembly and painting", app.manufacturing_operations,
                citation, "all five" if app.vehicle == "agri_main" else "those in the design")
        c.assets(data["assets_mci"], citation, "assembly.mci_year_law")
        c.check("rules on agricultural machinery agreements", None, cite(LAW_86, "Art 9 sub 22"),
                "not loaded", parameters=[get_setting(
                    "assembly.agri_and_component_assembly_rules").use()])
        route = f"Art 64({'1' if app.vehicle == 'agri_main' else '2'})"
    elif app.vehicle == "other_vehicle":
        if order:
            c.assets(conditions()[ORDER_493]["other_vehicle"]["assets_mci"],
                     cite(ORDER_493, "R §7"), "assembly.mci_year_order_493")
            c.check("Appendix 4 operations per schedule", True, cite(ORDER_493, "R-App4"),
                    "due by agreement year (`assembly.appendix4-due`)")
        if law:
            c.check("rules under Art 63(1)", None, cite(LAW_86, "Art 63(1)"),
                    "the Law sets no conditions of its own; the rules are not loaded")
        route = "R §7 other vehicles" if order else "Art 63(1) other vehicles"
    else:
        if order and app.has_prior_agreement and not app.multilateral:
            _order_legacy(c)
            route = "R §5 holder of an earlier agreement"
        elif order:
            if app.has_prior_agreement:
                notes.append("holder of an earlier agreement: multilateral route")
            else:
                _order_new_entrant(c, law)
            route = "R §4 new entrant" if not app.multilateral else "R §6 multilateral"
        else:
            route = "Art 63(2)" if not app.multilateral else "Art 63(3) multilateral"
        if law:
            _law_vehicles(c, order)
        if app.multilateral:
            _multilateral(c, order, law)
    values = [x.met for x in c.items]
    eligible = False if False in values else (None if None in values else True)
    regime = "+".join(a for a, on in ((ORDER_493, order), (LAW_86, law)) if on)
    result = Eligibility(eligible, regime, route, tuple(c.items), tuple(notes))
    trace.step(str(result), eligible)
    return trace.done(result)


def appendix4_due(code: str, agreement_year: int) -> list[tuple[int, str]]:
    """The Appendix 4 operations due in `agreement_year` (1 = the year of conclusion)."""
    if agreement_year < 1:
        raise InputError("agreement years start at 1", field="agreement_year")
    text = (resources.files("kzreg.assembly") / "data" / "appendix4.yaml").read_text("utf-8")
    codes = yaml.safe_load(text)["codes"]
    key = FeacnCode.parse(code, "feacn_code", prefix=True).digits[:4]
    if key not in codes:
        raise InputError(f"Appendix 4 lists codes {sorted(codes)}, not {code!r}",
                         field="feacn_code", citation=cite(ORDER_493, "R-App4"))
    merged = get_setting("assembly.app4_8429_cab_operations_merged").value
    due = [(1, op) for op in codes[key].get("required", ())]
    for stage in codes[key]["stages"]:
        if stage["year"] <= agreement_year:
            skip = set(stage.get("duplicates", {})) if merged else set()
            due += [(stage["year"], op) for n, op in enumerate(stage["operations"], 1)
                    if str(n) not in skip]
    return due


def appendix4_compliance(code: str, agreement_year: int, performed: set[str]
                         ) -> Explained[bool]:
    """Are the operations due by `agreement_year` performed? For 8716 the production itself
    and at least 4 of the 14 listed operations (R-App4)."""
    trace = Trace(rule="assembly.appendix4-compliance")
    text = (resources.files("kzreg.assembly") / "data" / "appendix4.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)["codes"].get(FeacnCode.parse(code, prefix=True).digits[:4], {})
    due = appendix4_due(code, agreement_year)
    required = set(spec.get("required", ()))
    listed = [op for _, op in due if op not in required]
    missing_required = sorted(required - performed)
    if spec.get("at_least"):
        done = len([op for op in listed if op in performed])
        ok = not missing_required and done >= spec["at_least"]
        why = f"{done} of {len(listed)} listed operations, at least {spec['at_least']} required"
    else:
        missing = [op for op in listed if op not in performed]
        ok = not missing and not missing_required
        why = f"{len(listed) - len(missing)} of {len(listed)} operations due are performed"
    if missing_required:
        why += f"; missing: {', '.join(missing_required)}"
    trace.step(why, ok, citation=cite(ORDER_493, "R-App4"))
    return trace.done(ok)


def partner_deadline(concluded_on: dt.date) -> dt.date:
    """Last day for the other party of a multilateral agreement to weld and paint (R §6)."""
    return add_months(concluded_on, conditions()[ORDER_493]["multilateral"]["partner_months"])
