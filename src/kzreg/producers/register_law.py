"""The register of Kazakhstani commodity producers as pure rules (Law 86-VII Arts 51-1..51-7).

Carries out: the application and its four consents and evidence (Art 51-1(2), (7), (10));
digital verification against criteria that are data (Art 51-1(3), Art 51-4(2)); the
production assessment against the per-product minimum threshold of production and
technological operations (Art 51-1(4)-(5), Art 51-7(3)) and the catalogue's ban on more
favourable conditions (Art 51-7(4)); goods wholly produced in Kazakhstan (Art 51-3);
quarterly monitoring (Art 51-4(1)); removal (Art 51-6); the appeal windows (Art 51-2(5),
Art 51-5(3)); the appeals commission's decision (Art 51-5(5), (8)); reapplication
(Art 51-1(6), Art 51-6). Tables (criteria, catalogue, wholly-produced sources) are data in
`data/register/`; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kzreg.law.calendar import add_months, as_date
from kzreg.law.citations import Citation, cite
from kzreg.law.deadlines import deadline
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.settings import get_setting

LAW = "law-86-VII"


def law(locator: str) -> Citation:
    """A citation to Law 86-VII: law("Art 51-5(3)")."""
    return cite(LAW, locator)


def _data(name: str) -> dict[str, Any]:
    text = (resources.files("kzreg.producers") / "data" / "register" / name).read_text("utf-8")
    return yaml.safe_load(text) or {}


# --- the application (Art 51-1(1)-(2), (7), (10)) ------------------------------------------

class Route(enum.StrEnum):
    PROCESSED = "processed"          # Art 51-1: all four stages
    WHOLLY_PRODUCED = "wholly_produced"  # Art 51-1(9), 51-3: no production assessment
    SOFTWARE = "software"            # Art 51-2: not by application at all


CONSENTS = {  # field -> (clause, what the applicant consents to)
    "consent_personal_data": ("Art 51-1(2)(1)", "collection and processing of personal data"),
    "consent_facility_access": ("Art 51-1(2)(2)", "access to the production facility for "
                                "production assessment and monitoring"),
    "consent_video_surveillance": ("Art 51-1(2)(3)", "installing video surveillance at the "
                                   "facility and remote access for monitoring"),
}


@dataclass(frozen=True)
class Application:
    resident: bool
    route: Route
    goods: tuple[str, ...]
    consent_personal_data: bool = False
    consent_facility_access: bool = False
    consent_video_surveillance: bool = False
    evidence_documents: tuple[str, ...] = ()   # information confirming conditions and PTO
    evidence_video: tuple[str, ...] = ()       # video of the declared technological process
    accuracy_declared: bool = False


def check_application(app: Application) -> Explained[tuple[str, ...]]:
    """What the application lacks (empty: complete). Software producers cannot apply."""
    trace = Trace("producers.register-application")
    if app.route is Route.SOFTWARE:
        raise LegalRuleError("software producers are included on the informatisation "
                             "authority's notice, not by application", field="route",
                             citation=law("Art 51-1(10)"))
    missing: list[str] = []
    if not trace.step("the applicant is a resident business entity", app.resident,
                      citation=law("Art 1 sub 7-1")):
        missing.append("resident")
    if not trace.step("at least one product is declared", len(app.goods),
                      citation=law("Art 51-1(8)")):
        missing.append("goods")
    for name, (locator, what) in CONSENTS.items():
        if not trace.step(f"consent: {what}", getattr(app, name), citation=law(locator)):
            missing.append(name)
    if app.route is Route.PROCESSED:
        if not trace.step("information confirming the declared production conditions and "
                          "operations", len(app.evidence_documents),
                          citation=law("Art 51-1(2)(4)")):
            missing.append("evidence_documents")
        if not trace.step("video material of the declared technological process",
                          len(app.evidence_video), citation=law("Art 51-1(2)(4)")):
            missing.append("evidence_video")
    if not trace.step("the applicant declares the information accurate (it is liable for it)",
                      app.accuracy_declared, citation=law("Art 51-1(7)")):
        missing.append("accuracy_declared")
    return trace.done(tuple(missing))


@dataclass(frozen=True)
class Regime:
    applies: bool
    flagged: bool  # rests on the earliest possible date, the publication date being unknown


def register_regime(on: dt.date) -> Explained[Regime]:
    """Whether the register procedure (Arts 51-1..51-7, inserted by Law 188-VIII, in force
    sixty days after its unknown publication) applies on `on`."""
    from kzreg.law.acts import explain_provision_in_force

    trace = Trace("producers.register-regime", on)
    known = trace.include(explain_provision_in_force(LAW, "Art 51-1", on))
    if known is not None:
        if not known:
            raise LegalRuleError(f"the register procedure does not apply yet on {on}",
                                 field="date", citation=law("Art 51-1"))
        return trace.done(Regime(True, False))
    use = get_setting("producers.register_start_if_publication_unknown")
    if use.value == "refuse":
        raise LegalRuleError("the start of the register procedure is unknown (publication of "
                             "Law 188-VIII not loaded)", field="date", citation=use.citation)
    trace.step("not before its earliest possible start: applied and flagged until the "
               "publication date is loaded", True, citation=law("Art 51-1"),
               parameters=[use.use()])
    return trace.done(Regime(True, True))


def stages(route: Route) -> Explained[tuple[str, ...]]:
    """The stages an application goes through (Art 51-1(1), (9))."""
    trace = Trace("producers.register-stages")
    all_stages = ("application", "digital_verification", "production_assessment", "decision")
    if route is Route.SOFTWARE:
        raise LegalRuleError("software producers go under Art 51-2", field="route",
                             citation=law("Art 51-1(10)"))
    trace.step("the four stages of forming the register", all_stages, citation=law("Art 51-1(1)"))
    if route is Route.WHOLLY_PRODUCED:
        kept = tuple(s for s in all_stages if s != "production_assessment")
        return trace.done(trace.step("goods wholly produced in Kazakhstan: no production "
                                     "assessment", kept, citation=law("Art 51-1(9)")))
    return trace.done(all_stages)


# --- digital verification (Art 51-1(3), Art 51-4(2)) ---------------------------------------

TESTS = ("at_least", "at_most", "equals", "is_true")


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    fact: str
    test: str
    value: Any = None

    def __post_init__(self) -> None:
        if self.test not in TESTS:
            raise InputError(f"criterion {self.code!r}: test {self.test!r} is not one of "
                             f"{list(TESTS)}", field="criteria.test")

    def holds(self, fact: Any) -> bool:
        if self.test == "is_true":
            return fact is True
        if self.test == "equals":
            return fact == self.value
        number, bound = Decimal(str(fact)), Decimal(str(self.value))
        return number >= bound if self.test == "at_least" else number <= bound


def load_criteria(entries: Iterable[Mapping[str, Any]] | None = None) -> tuple[Criterion, ...]:
    """The criteria given, or those in data/register/verification_criteria.yaml."""
    rows = _data("verification_criteria.yaml").get("criteria", []) if entries is None else entries
    return tuple(Criterion(**row) for row in rows)


@dataclass(frozen=True)
class Verification:
    positive: bool
    failed: tuple[tuple[str, str], ...] = ()  # (criterion code, justification)

    @property
    def reasoned_response(self) -> str:
        return "; ".join(f"{code}: {why}" for code, why in self.failed)


def digital_verification(facts: Mapping[str, Any], criteria: Iterable[Criterion],
                         *, monitoring: bool = False) -> Explained[Verification]:
    """Check the e-government facts against every criterion; a negative result carries the
    reasons (Art 51-1(3) para 4). The same criteria serve monitoring (Art 51-4(2))."""
    trace = Trace("producers.digital-verification")
    criteria = tuple(criteria)
    clause = law("Art 51-4(2)" if monitoring else "Art 51-1(3)")
    if not criteria:
        use = get_setting("producers.digital_verification_criteria")
        raise LegalRuleError("no digital-verification criteria are loaded: the result must "
                             "be entered by an officer (setting "
                             "producers.digital_verification_criteria)",
                             field="criteria", citation=use.citation)
    missing_use = get_setting("producers.verification_missing_fact")
    failed: list[tuple[str, str]] = []
    for c in criteria:
        if c.fact not in facts or facts[c.fact] is None:
            if missing_use.value == "officer_review":
                raise LegalRuleError(f"no information on {c.fact!r} from the e-government "
                                     "infrastructure: an officer reviews the application",
                                     field=f"facts.{c.fact}", citation=missing_use.citation)
            why = f"{c.title}: no information from the e-government infrastructure"
            trace.step(f"{c.code}: {why}", False, citation=clause,
                       parameters=[missing_use.use()])
            failed.append((c.code, why))
            continue
        if c.holds(facts[c.fact]):
            trace.step(f"{c.code}: {c.title} ({c.fact}={facts[c.fact]!r} {c.test} "
                       f"{c.value!r})", True, citation=clause)
            continue
        why = f"{c.title}: {facts[c.fact]!r} fails {c.test} {c.value!r}"
        trace.step(f"{c.code}: {why}", False, citation=clause)
        failed.append((c.code, why))
    result = Verification(not failed, tuple(failed))
    trace.step("positive" if result.positive else "negative: the decision gives the reasons",
               result.positive, citation=law("Art 51-1(3)"))
    return trace.done(result)


# --- production conditions and PTO catalogue (Art 51-7) -------------------------------------

CONDITIONS = ("raw_material_specific", "product_testing", "reg_tech_auth_docs")


@dataclass(frozen=True)
class ProductConditions:
    code: str
    conditions: frozenset[str]
    minimum_operations: frozenset[str]
    operations: frozenset[str] = frozenset()
    raw_materials: frozenset[str] = frozenset()
    title: str = ""


@dataclass(frozen=True)
class CatalogueVersion:
    version: str
    effective: dt.date
    products: Mapping[str, ProductConditions]
    order: str = ""


def _product(version: str, code: str, row: Mapping[str, Any]) -> ProductConditions:
    where = f"catalogue {version}, product {code}"
    conditions = frozenset(row.get("conditions") or ())
    if not conditions or not conditions <= set(CONDITIONS):
        raise InputError(f"{where}: conditions must be one or more of {list(CONDITIONS)}",
                         field="conditions", citation=law("Art 51-7(2)"))
    minimum = frozenset(row.get("minimum_operations") or ())
    if not minimum:
        raise InputError(f"{where}: a minimum threshold of operations is required",
                         field="minimum_operations", citation=law("Art 51-7(3)"))
    operations = frozenset(row.get("operations") or ()) | minimum
    return ProductConditions(str(code), conditions, minimum, operations,
                             frozenset(row.get("raw_materials") or ()), row.get("title", ""))


def _day(value: Any, field: str) -> dt.date:
    """A date from YAML (a date) or JSON (ISO text)."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(f"{value!r} is not an ISO date", field=field) from None
    return as_date(value, field)


def _shape(row: Any, i: int) -> None:
    """A catalogue version is a mapping with its version, date and products by code."""
    where = f"catalogue[{i}]"
    if not isinstance(row, Mapping):
        raise InputError("each catalogue version is an object", field=where)
    for key in ("version", "effective"):
        if row.get(key) in (None, ""):
            raise InputError(f"{key} is required", field=f"{where}.{key}")
    products = row.get("products") or {}
    if not isinstance(products, Mapping) or not all(isinstance(p, Mapping)
                                                    for p in products.values()):
        raise InputError("products are objects keyed by product code",
                         field=f"{where}.products")


def load_catalogue(versions: Iterable[Mapping[str, Any]] | None = None
                   ) -> tuple[CatalogueVersion, ...]:
    """The catalogue's versions, oldest first, each checked not to relax the one before
    (Art 51-7(4)); from data/register/pto_catalogue.yaml when none are given."""
    rows = _data("pto_catalogue.yaml").get("versions", []) if versions is None else versions
    out: list[CatalogueVersion] = []
    for i, row in enumerate(rows):
        _shape(row, i)
        name = str(row["version"])
        products = {str(code): _product(name, str(code), p)
                    for code, p in (row.get("products") or {}).items()}
        version = CatalogueVersion(name, _day(row["effective"], "effective"), products,
                                   row.get("order", ""))
        if out:
            if version.effective <= out[-1].effective:
                raise InputError(f"catalogue {name} must take effect after {out[-1].version}",
                                 field="effective")
            relaxations = not_more_favourable(out[-1], version).value
            if relaxations:
                raise LegalRuleError(f"catalogue {name} is more favourable than "
                                     f"{out[-1].version}: " + "; ".join(relaxations),
                                     field="versions", citation=law("Art 51-7(4)"))
        out.append(version)
    return tuple(out)


def not_more_favourable(old: CatalogueVersion, new: CatalogueVersion) -> Explained[list[str]]:
    """Every way `new` would be more favourable than `old` (empty: allowed, Art 51-7(4)).
    A product dropped from the catalogue can no longer be assessed at all: not a relaxation."""
    trace = Trace("producers.catalogue-change")
    clause = law("Art 51-7(4)")
    found: list[str] = []
    for code, before in sorted(old.products.items()):
        after = new.products.get(code)
        if after is None:
            removal_use = get_setting("producers.catalogue_product_removal")
            allowed = removal_use.value == "allowed"
            trace.step(f"{code}: no longer in the catalogue", allowed, citation=clause,
                       parameters=[removal_use.use()])
            if not allowed:
                found.append(f"{code}: removed from the catalogue")
            continue
        lost_ops = sorted(before.minimum_operations - after.minimum_operations)
        lost_conditions = sorted(before.conditions - after.conditions)
        wider = (sorted(after.raw_materials - before.raw_materials)
                 if "raw_material_specific" in after.conditions and before.raw_materials
                 else [])
        problems = ([f"{code}: minimum threshold drops {', '.join(lost_ops)}"] * bool(lost_ops)
                    + [f"{code}: condition dropped: {', '.join(lost_conditions)}"]
                    * bool(lost_conditions)
                    + [f"{code}: raw materials widened by {', '.join(wider)}"] * bool(wider))
        trace.step(f"{code}: " + ("; ".join(problems) or "at least as strict"),
                   not problems, citation=clause)
        found.extend(problems)
    return trace.done(found)


def version_on(catalogue: Iterable[CatalogueVersion], on: dt.date) -> CatalogueVersion:
    """The catalogue version applying on a date (refuses when none is loaded)."""
    applying = [v for v in catalogue if v.effective <= on]
    if not applying:
        use = get_setting("producers.pto_minimum_thresholds")
        raise LegalRuleError(f"no catalogue of production conditions applies on {on}: the "
                             "production assessment must be recorded by an officer (setting "
                             "producers.pto_minimum_thresholds)", field="catalogue",
                             citation=use.citation)
    return max(applying, key=lambda v: v.effective)


class AssessmentOutcome(enum.StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    ONSITE_INSPECTION = "onsite_inspection"


@dataclass(frozen=True)
class Declared:
    product: str
    operations: frozenset[str]
    conditions_met: frozenset[str] = frozenset()
    raw_materials: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Assessment:
    outcome: AssessmentOutcome
    shortfalls: tuple[str, ...] = field(default=())


def assess_production(declared: Iterable[Declared], catalogue: Iterable[CatalogueVersion],
                      on: dt.date, *, evidence_sufficient: bool = True) -> Explained[Assessment]:
    """Compare each declared product with the catalogue version in force on `on`: its
    operations must meet the minimum threshold (Art 51-1(4) para 2) and its production
    conditions must be met (Art 51-7(2)-(3)). Evidence that does not allow an assessment
    calls for an on-site inspection instead (Art 51-1(5))."""
    trace = Trace("producers.production-assessment", on)
    if not evidence_sufficient:
        return trace.done(trace.step(
            "the information given does not allow an assessment: on-site inspection, with a "
            "production assessment report", Assessment(AssessmentOutcome.ONSITE_INSPECTION),
            citation=law("Art 51-1(5)")))
    version = version_on(catalogue, on)
    classifier = get_setting("producers.goods_classifier")
    model = get_setting("producers.pto_threshold_model")
    trace.step(f"catalogue version {version.version} in force since {version.effective}",
               version.version, citation=law("Art 51-7(3)"),
               parameters=[classifier.use(), model.use()])
    shortfalls: list[str] = []
    declared = tuple(declared)
    if not declared:
        raise InputError("no product declared", field="goods", citation=law("Art 51-1(2)(4)"))
    for d in declared:
        spec = version.products.get(d.product)
        if spec is None:
            raise LegalRuleError(f"product {d.product}: no production conditions in catalogue "
                                 f"{version.version}", field="goods", citation=law("Art 51-7(3)"))
        missing = sorted(spec.minimum_operations - d.operations)
        trace.step(f"{d.product}: minimum threshold {sorted(spec.minimum_operations)}"
                   + (f", missing {missing}" if missing else " met"), not missing,
                   citation=law("Art 51-1(4)"), inputs={"declared": sorted(d.operations)})
        shortfalls += [f"{d.product}: operation {op} below the minimum threshold"
                       for op in missing]
        unmet = sorted(spec.conditions - d.conditions_met)
        trace.step(f"{d.product}: production conditions {sorted(spec.conditions)}"
                   + (f", unmet {unmet}" if unmet else " met"), not unmet,
                   citation=law("Art 51-7(2)"))
        shortfalls += [f"{d.product}: production condition {c} not met" for c in unmet]
        if "raw_material_specific" in spec.conditions and spec.raw_materials:
            foreign = sorted(d.raw_materials - spec.raw_materials)
            if foreign:
                trace.step(f"{d.product}: raw materials outside the condition: {foreign}",
                           False, citation=law("Art 51-7(2)"))
                shortfalls += [f"{d.product}: raw material {m} not allowed" for m in foreign]
    outcome = AssessmentOutcome.NEGATIVE if shortfalls else AssessmentOutcome.POSITIVE
    trace.step("included" if not shortfalls else "not included: a reasoned response is sent",
               outcome.value, citation=law("Art 51-1(6)"))
    return trace.done(Assessment(outcome, tuple(shortfalls)))


# --- goods wholly produced in Kazakhstan (Art 51-3) -----------------------------------------

@cache
def wholly_produced_table() -> dict[str, Any]:
    return _data("wholly_produced.yaml")


def wholly_produced(category: str, source: str) -> Explained[bool]:
    """Whether information from `source` may enter goods of `category` into the register
    without production assessment (Art 51-3(2)-(7), Art 51-1(9))."""
    trace = Trace("producers.wholly-produced")
    table = wholly_produced_table()
    if category not in table["categories"]:
        raise InputError(f"{category!r} is not one of {sorted(table['categories'])}",
                         field="category", citation=law("Art 51-3(1)"))
    if source not in table["sources"]:
        raise InputError(f"{source!r} is not one of {sorted(table['sources'])}",
                         field="source", citation=law("Art 51-3(7)"))
    cat, src = table["categories"][category], table["sources"][source]
    trace.step(f"category: {cat['title']}", category, citation=law(cat["locator"]))
    ok = trace.step(f"source: {src['title']} files information on {src['categories']}",
                    category in src["categories"], citation=law(src["locator"]))
    if not ok:
        raise LegalRuleError(f"{source} does not file information on {category}",
                             field="source", citation=law(src["locator"]))
    trace.step("entered by the authorized body without production assessment", True,
               citation=law("Art 51-3(7)"))
    return trace.done(True)


# --- quarterly monitoring (Art 51-4(1)) ------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    def __str__(self) -> str:
        if self.start.day == 1 and self.start.month % 3 == 1 and self.end == add_months(
                self.start, 3):
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start}..{self.end - dt.timedelta(days=1)}"


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def monitoring_periods(included_on: dt.date, as_of: dt.date) -> list[Period]:
    """The periods, ended by `as_of`, each of which needed a monitoring run."""
    kind = get_setting("producers.monitoring_quarter").value
    counts = get_setting("producers.inclusion_verification_counts_for_quarter").value
    start = _quarter_start(included_on) if kind == "calendar_quarter" else included_on
    periods: list[Period] = []
    while (end := add_months(start, 3)) <= as_of:
        periods.append(Period(start, end))
        start = end
    if counts and periods:  # the application's verification covers the first period
        periods = periods[1:]
    return periods


def missed_quarters(included_on: dt.date, runs: Iterable[dt.date], as_of: dt.date
                    ) -> Explained[list[Period]]:
    """Ended periods with no digital-verification run: each is a breach of the duty to
    monitor "at least once a quarter" (Art 51-4(1))."""
    trace = Trace("producers.monitoring-missed", as_of)
    kind, counts = (get_setting("producers.monitoring_quarter"),
                    get_setting("producers.inclusion_verification_counts_for_quarter"))
    periods = trace.step("periods ended since inclusion that needed a run",
                         [str(p) for p in monitoring_periods(included_on, as_of)],
                         citation=law("Art 51-4(1)"), inputs={"included_on": included_on},
                         parameters=[kind.use(), counts.use()])
    days = sorted(set(runs))
    missed = [p for p in monitoring_periods(included_on, as_of)
              if not any(p.start <= d < p.end for d in days)]
    trace.step(f"{len(periods)} periods, {len(missed)} without a run",
               [str(p) for p in missed], citation=law("Art 51-4(1)"))
    return trace.done(missed)


# --- removal, appeal windows, commission, reapplication (Arts 51-2, 51-5, 51-6) ------------

class Ground(enum.StrEnum):
    MONITORING = "monitoring"              # Art 51-6 sub 1
    SOFTWARE_MONITORING = "software_monitoring"  # Art 51-6 sub 2, Art 51-2(4)
    OWN_APPLICATION = "own_application"    # Art 51-6 sub 3
    LIQUIDATION = "liquidation"            # Art 51-6 para 2 (automatic)
    REORGANISATION = "reorganisation"      # Art 51-6 para 2 (automatic, save transformation)


GROUND_CLAUSE = {Ground.MONITORING: "Art 51-6 sub 1", Ground.SOFTWARE_MONITORING: "Art 51-6 sub 2",
                 Ground.OWN_APPLICATION: "Art 51-6 sub 3", Ground.LIQUIDATION: "Art 51-6",
                 Ground.REORGANISATION: "Art 51-6"}


@dataclass(frozen=True)
class Removal:
    remove: bool
    automatic: bool
    review: bool = False  # flagged for an officer (a surviving acquirer)


def removal(ground: Ground, *, reorganisation_form: str | None = None,
            producer_survives: bool = False) -> Explained[Removal]:
    """Whether a ground removes the producer, and whether automatically (Art 51-6)."""
    trace = Trace("producers.removal")
    clause = law(GROUND_CLAUSE[ground])
    if ground is Ground.REORGANISATION:
        if not reorganisation_form:
            raise InputError("the form of reorganisation is required",
                             field="reorganisation_form", citation=clause)
        keep = get_setting("producers.reorganisations_keeping_registration")
        if trace.step(f"reorganisation in the form of {reorganisation_form}",
                      reorganisation_form in keep.value, citation=clause,
                      parameters=[keep.use()]):
            return trace.done(Removal(False, False))
        trace.step("any other reorganisation removes the producer; the new entity applies "
                   "again", True, citation=clause)
        return trace.done(Removal(True, True, review=producer_survives))
    automatic = ground is Ground.LIQUIDATION
    trace.step("automatic removal on liquidation" if automatic
               else f"removal by the authorized body on ground {ground.value}", True,
               citation=clause)
    return trace.done(Removal(True, automatic))


#: The forms a notice of the state register of legal entities may name (the Civil Code's
#: forms of reorganisation; the Law itself names only transformation, Art 51-6 para 2).
REORGANISATION_FORMS = ("merger", "accession", "division", "separation", "transformation")


@dataclass(frozen=True)
class MonitoringRemoval:
    allowed: bool
    notice_on: dt.date | None          # the day the notice to eliminate was sent
    failed: tuple[str, ...] = ()       # the criteria the notice named
    eliminate_by: dt.date | None = None  # None: the register rules' term is not loaded
    why: str = ""


def monitoring_removal(runs: Iterable[tuple[dt.date, bool, Iterable[str]]], on: dt.date
                       ) -> Explained[MonitoringRemoval]:
    """May the producer be removed on monitoring results on `on` (Art 51-4(2), Art 51-6
    sub 1)? Only after a notice to eliminate the non-compliance was sent (a negative run,
    dated by the day its notice went out) and while no later run found it eliminated; once
    the register rules' term is loaded, only after that term ran out. `runs`: (notice day,
    positive, failed criteria)."""
    trace = Trace("producers.monitoring-removal", on)
    term = get_setting("producers.monitoring_elimination_deadline")
    runs = sorted(((d, p, tuple(f)) for d, p, f in runs if d <= on), key=lambda r: r[0])
    negatives = [r for r in runs if not r[1]]
    if not trace.step("a notice to eliminate the non-compliance was sent to the personal "
                      "account", bool(negatives), citation=law("Art 51-4(2)")):
        return trace.done(MonitoringRemoval(False, None, why="no notice to eliminate a "
                                            "non-compliance was sent: remove only after one"))
    notice_on, _, failed = negatives[-1]
    later = [r for r in runs if r[0] >= notice_on and r[1]]
    if trace.step(f"a later monitoring run found the non-compliance of {notice_on} "
                  "eliminated", bool(later), citation=law("Art 51-4(2)")):
        return trace.done(MonitoringRemoval(False, notice_on, failed,
                                            why=f"eliminated: positive run of {later[-1][0]}"))
    if term.value == "unset":
        trace.step("the term for eliminating is the register rules' (not loaded): the "
                   "officer finds the non-conformities not eliminated", True,
                   citation=law("Art 51-4(2)"), parameters=[term.use()])
        return trace.done(MonitoringRemoval(True, notice_on, failed))
    last = trace.include(deadline(notice_on, str(term.value), roll_to_working_day=None))
    ran_out = trace.step(f"the term for eliminating ran out on {last}", on > last,
                         citation=law("Art 51-4(2)"), parameters=[term.use()])
    return trace.done(MonitoringRemoval(ran_out, notice_on, failed, last,
                                        "" if ran_out else f"the producer may eliminate "
                                        f"the non-compliance until {last}"))


@dataclass(frozen=True)
class AppealWindow:
    body: str           # appeals_commission | informatisation_authority
    last_day: dt.date


def appeal_window(ground: Ground, excluded_on: dt.date) -> Explained[AppealWindow | None]:
    """Where and until when an exclusion may be appealed: the appeals commission within 30
    working days for a monitoring exclusion (Art 51-5(1), (3)); the informatisation authority
    within 30 calendar days for software (Art 51-2(5)); None: no appeal in this system."""
    trace = Trace("producers.appeal-window")
    scope = get_setting("producers.appeals_commission_scope")
    start = get_setting("producers.appeal_window_start")
    if ground is Ground.SOFTWARE_MONITORING:
        body, term, clause = "informatisation_authority", "30 calendar days", "Art 51-2(5)"
    elif ground is Ground.MONITORING or scope.value == "all_register_decisions":
        body, term, clause = "appeals_commission", "30 working days", "Art 51-5(3)"
    else:
        trace.step(f"exclusion on ground {ground.value} is not heard by the appeals "
                   "commission (general administrative procedure)", None,
                   citation=law("Art 51-5(1)"), parameters=[scope.use()])
        return trace.done(None)
    trace.step(f"appeal to the {body.replace('_', ' ')} within {term} of the date of "
               "exclusion", body, citation=law(clause), parameters=[scope.use(), start.use()])
    end = trace.include(deadline(excluded_on, term, roll_to_working_day=None))
    return trace.done(AppealWindow(body, end))


class CommissionDecision(enum.StrEnum):
    UPHELD_FULLY = "upheld_fully"
    UPHELD_PARTIALLY = "upheld_partially"
    REJECTED = "rejected"


def commission_effect(decision: CommissionDecision, excluded_goods: Iterable[str],
                      upheld_goods: Iterable[str] = (), justification: str = ""
                      ) -> Explained[tuple[str, ...]]:
    """The goods that return to the register, without the Art 51-1 stages (Art 51-5(8))."""
    trace = Trace("producers.commission-decision")
    excluded = tuple(excluded_goods)
    if decision is CommissionDecision.REJECTED:
        if len(justification.strip()) < 3:
            raise InputError("a refusal must state its justification", field="justification",
                             citation=law("Art 51-5(5)"))
        trace.step("refused with justification; binding, open to court appeal", (),
                   citation=law("Art 51-5(7)"))
        return trace.done(())
    if decision is CommissionDecision.UPHELD_FULLY:
        back = excluded
    else:
        effect = get_setting("producers.partial_upholding_effect")
        upheld = tuple(upheld_goods)
        unknown = sorted(set(upheld) - set(excluded))
        if unknown:
            raise InputError(f"goods {unknown} were not excluded", field="upheld_goods",
                             citation=law("Art 51-5(5)"))
        if effect.value == "full_reinclusion":
            back = excluded
        elif not upheld:
            raise InputError("a partial upholding lists the goods it upholds",
                             field="upheld_goods", citation=effect.citation)
        else:
            back = tuple(g for g in excluded if g in upheld)
        trace.step("partial upholding", back, citation=law("Art 51-5(5)"),
                   parameters=[effect.use()])
    trace.step("binding on the authorized body: included again without the stages of "
               "Art 51-1", back, citation=law("Art 51-5(8)"))
    return trace.done(back)


def may_reapply(refused_or_excluded_on: dt.date, on: dt.date) -> Explained[bool]:
    """A refused or excluded entity may apply again after rectifying (Art 51-1(6) para 3,
    Art 51-6 last para); the Law sets no waiting time."""
    trace = Trace("producers.reapplication", on)
    wait = get_setting("producers.reapplication_waiting_days")
    first = refused_or_excluded_on + dt.timedelta(days=int(wait.value))
    ok = trace.step(f"reapplication allowed from {first}", on >= first,
                    citation=law("Art 51-1(6)"), parameters=[wait.use()])
    return trace.done(ok)
