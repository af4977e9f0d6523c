"""State incentives for industry (Law 86-VII Arts 25-42): the eligibility gate, the catalogue of
measures, counter-obligations with their refund, and the competitiveness-agreement ban.

- Art 25(5)-(6): four conditions, and non-compliance with them is the only ground of refusal;
  every refusal names which of the four failed (`NOT_PRIORITY_GOODS`, `NO_COUNTER_OBLIGATIONS`,
  `DOCS_NONCOMPLIANT`, `NOT_IN_REGISTER`). Art 26(3) reads condition 1 ("exclusively focused").
- Art 29: the closed catalogue of measures, with the conditions Arts 30-42 attach to each, is
  data (`data/incentives/measures.yaml`). A measure's own condition that fails is reported under
  condition 3 (the acts governing the measure), so no fifth ground of refusal appears.
- Art 27(3)-(4): the three directions of counter-obligations; the refund formula lives in the
  counter-obligation rules, so it is the setting `producers.counter_obligation_refund_formula`
  (an arithmetic expression; `unset` refuses to compute).
- Art 28(4): no new competitiveness agreement after a culpable failure of counter-obligations.
- Art 68: until 1 January 2026 a valid CT-KZ or industrial certificate meets condition 4
  (setting `producers.certificates_satisfy_register_condition`).
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from kzreg.law.citations import Citation, cite
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace
from kzreg.law.numbers import round_to
from kzreg.law.rules import rule
from kzreg.law.settings import get_setting

LAW = "law-86-VII"
CERTIFICATES_UNTIL = dt.date(2026, 1, 1)  # Art 68: certificates in force "until 1 January 2026"
DIRECTIONS = ("labour_productivity", "export_oriented_output", "domestic_market_needs")
REASONS = {  # Art 25(5) condition -> reason code; Art 25(6) admits no other ground
    1: "NOT_PRIORITY_GOODS", 2: "NO_COUNTER_OBLIGATIONS", 3: "DOCS_NONCOMPLIANT",
    4: "NOT_IN_REGISTER",
}


def art(locator: str) -> Citation:
    return cite(LAW, locator)


# --- the catalogue (Art 29) -------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    name: str                      # facts.NAME or choices.NAME of the application
    kind: Literal["fact", "choice"]
    allowed: tuple[str, ...]
    locator: str
    text: str


@dataclass(frozen=True)
class Measure:
    id: str
    item: str
    title: str
    conditions: tuple[Condition, ...]
    wordings: tuple[tuple[dt.date, str, str], ...] = ()  # ("until" day, title, locator)

    def title_on(self, day: dt.date) -> tuple[str, str]:
        """The measure's title on `day` and the clause it comes from (Art 68 suspensions)."""
        for until, title, locator in self.wordings:
            if before_until(day, until):
                return title, locator
        return self.title, self.item


def before_until(day: dt.date, until: dt.date) -> bool:
    """Is `day` inside a period running "until" `until` (setting acts.until_is_exclusive)?"""
    return day < until if get_setting("acts.until_is_exclusive").value else day <= until


def _condition(raw: dict, where: str) -> Condition:
    kind = "fact" if "fact" in raw else "choice" if "choice" in raw else None
    if kind is None or not raw.get("locator") or not raw.get("text"):
        raise InputError("a condition needs fact|choice, locator and text", field=where)
    allowed = tuple(raw.get("allowed") or ())
    if kind == "choice" and not allowed:
        raise InputError("a choice needs its allowed values", field=where)
    art(raw["locator"])
    return Condition(raw[kind], kind, allowed, raw["locator"], raw["text"])


@functools.cache
def catalogue() -> dict[str, Measure]:
    path = resources.files("kzreg.producers") / "data" / "incentives" / "measures.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, Measure] = {}
    for i, raw in enumerate(data["measures"]):
        where = f"measures[{i}]"
        conditions = tuple(_condition(c, f"{where}.conditions[{j}]")
                           for j, c in enumerate(raw.get("conditions") or ()))
        wordings = tuple((w["until"], w["title"], w["locator"]) for w in raw.get("wordings") or ())
        found[raw["id"]] = Measure(raw["id"], raw["item"], raw["title"], conditions, wordings)
    return found


def get_measure(measure_id: str) -> Measure:
    try:
        return catalogue()[measure_id]
    except KeyError:
        raise InputError(f"{measure_id!r} is not a measure of Art 29; one of "
                         f"{sorted(catalogue())}", field="measure",
                         citation=art("Art 29")) from None


# --- the eligibility gate (Art 25(5)-(6)) -------------------------------------------------------

class GoodsLine(BaseModel):
    code: str = Field(min_length=1, description="goods code (producers.goods_classifier)")
    on_priority_list: bool
    of_project: bool = True


class IncentiveApplication(BaseModel):
    measure: str
    applied_on: dt.date
    goods: list[GoodsLine] = Field(min_length=1)
    counter_obligations_accepted: bool
    counter_obligation_directions: list[Literal[DIRECTIONS]] = []  # type: ignore[valid-type]
    documents_compliant: bool
    document_findings: list[str] = []
    in_register: bool
    certificate_valid_until: dt.date | None = None
    agro_industrial: bool = False
    facts: dict[str, bool] = {}
    choices: dict[str, str] = {}


@dataclass(frozen=True)
class Failure:
    reason: str
    clause: str
    detail: str


@dataclass(frozen=True)
class GateResult:
    measure: str
    measure_title: str
    eligible: bool
    reasons: tuple[str, ...]
    failures: tuple[Failure, ...]


def _priority_goods(trace: Trace, inp: IncentiveApplication) -> Failure | None:
    focus = get_setting("producers.priority_goods_focus")
    lines = [g for g in inp.goods if g.of_project] if focus.value == "project_goods" else inp.goods
    if not lines:
        raise InputError("no goods of the supported project (of_project)", field="goods")
    off = [g.code for g in lines if not g.on_priority_list]
    trace.step("condition 1: the goods are on the list of priority goods, exclusively",
               not off, citation=art("Art 26(3)"), inputs={"goods": [g.code for g in lines],
                                                           "not on the list": off},
               parameters=[focus.use()])
    return Failure(REASONS[1], "Art 25(5)", "not on the list of priority goods: "
                   + ", ".join(off)) if off else None


def _counter_obligations(trace: Trace, inp: IncentiveApplication) -> Failure | None:
    ok = inp.counter_obligations_accepted and bool(inp.counter_obligation_directions)
    trace.step("condition 2: the recipient accepts counter-obligations in at least one direction "
               "of Art 27(3)", ok, citation=art("Art 27(3)"), inputs={
                   "accepted": inp.counter_obligations_accepted,
                   "directions": inp.counter_obligation_directions})
    if ok:
        return None
    detail = ("counter-obligations not accepted" if not inp.counter_obligations_accepted
              else "no direction of counter-obligations (Art 27(3)) chosen")
    return Failure(REASONS[2], "Art 25(5)", detail)


def _documents(trace: Trace, inp: IncentiveApplication, measure: Measure) -> list[Failure]:
    failures = []
    trace.step("condition 3: the entity and its documents meet the acts governing the measure "
               "(officer's finding)", inp.documents_compliant, citation=art("Art 25(5)"),
               inputs={"findings": inp.document_findings})
    if not inp.documents_compliant:
        failures.append(Failure(REASONS[3], "Art 25(5)", "; ".join(inp.document_findings)
                                or "documents found non-compliant"))
    for c in measure.conditions:
        field = f"{c.kind}s.{c.name}"
        given = (inp.facts if c.kind == "fact" else inp.choices).get(c.name)
        if given is None:
            raise InputError(f"the measure {measure.id} needs {field} ({c.text})", field=field,
                             citation=art(c.locator))
        ok = given is True if c.kind == "fact" else given in c.allowed
        trace.step(f"condition 3, the Law's own condition of the measure: {c.text}", ok,
                   citation=art(c.locator), inputs={field: given})
        if not ok:
            failures.append(Failure(REASONS[3], c.locator, f"{c.text} ({field} = {given!r})"))
    return failures


def _register(trace: Trace, inp: IncentiveApplication) -> Failure | None:
    if inp.in_register:
        trace.step("condition 4: the producer is in the register of Kazakhstani commodity "
                   "producers", True, citation=art("Art 25(5)"))
        return None
    bridge = get_setting("producers.certificates_satisfy_register_condition")
    cert = inp.certificate_valid_until
    until = get_setting("acts.until_is_exclusive")
    ok = bool(bridge.value and cert is not None and before_until(inp.applied_on, CERTIFICATES_UNTIL)
              and inp.applied_on <= cert)
    trace.step("condition 4: not in the register; a CT-KZ or industrial certificate valid on the "
               "day of application counts until 1 January 2026", ok, citation=art("Art 68"),
               inputs={"applied_on": inp.applied_on, "certificate_valid_until": cert},
               parameters=[bridge.use(), until.use()])
    return None if ok else Failure(REASONS[4], "Art 25(5)", "not in the register of "
                                   "Kazakhstani commodity producers")


@rule("producers.incentive-gate", title="Eligibility for a measure of state stimulation of "
      "industry: the four conditions, the only grounds of refusal", citation=art("Art 25(6)"),
      inputs=IncentiveApplication)
def incentive_gate(inp: IncentiveApplication, as_of: dt.date) -> Explained[GateResult]:
    trace = Trace("producers.incentive-gate", as_of)
    if inp.agro_industrial:
        raise LegalRuleError("incentives for the agro-industrial complex are given under the "
                             "Law on the agro-industrial complex, not this Law",
                             field="agro_industrial", citation=art("Art 25(2)"))
    measure = get_measure(inp.measure)
    title, item = measure.title_on(inp.applied_on)
    trace.step(f"the measure requested: {title}", measure.id, citation=art(item))
    failures = [f for f in (_priority_goods(trace, inp), _counter_obligations(trace, inp))
                if f is not None]
    failures += _documents(trace, inp, measure)
    if (f := _register(trace, inp)) is not None:
        failures.append(f)
    reasons = tuple(dict.fromkeys(f.reason for f in failures))
    trace.step("refused: non-compliance with the conditions of Art 25(5) is the ground"
               if failures else "all four conditions met: the measure may be provided",
               not failures, citation=art("Art 25(6)"), inputs={"reasons": list(reasons)})
    return trace.done(GateResult(measure.id, title, not failures, reasons, tuple(failures)))


# --- agreement on increasing competitiveness (Art 28(4)) --------------------------------------

class PriorAgreement(BaseModel):
    agreement_id: str = Field(min_length=1)
    counter_obligations_failed: bool
    beyond_control: bool = False


class CompetitivenessRequest(BaseModel):
    entity: str = Field(min_length=1, description="BIN of the industrial-innovative entity")
    prior_agreements: list[PriorAgreement] = []


@rule("producers.incentive-competitiveness-ban", title="No new agreement on increasing "
      "competitiveness after a culpable failure of counter-obligations",
      citation=art("Art 28(4)"), inputs=CompetitivenessRequest)
def competitiveness_ban(inp: CompetitivenessRequest, as_of: dt.date) -> Explained[bool]:
    """True: an agreement may be concluded; False: Art 28(4) prohibits it."""
    trace = Trace("producers.incentive-competitiveness-ban", as_of)
    culpable = [a.agreement_id for a in inp.prior_agreements
                if a.counter_obligations_failed and not a.beyond_control]
    excused = [a.agreement_id for a in inp.prior_agreements
               if a.counter_obligations_failed and a.beyond_control]
    trace.step("earlier agreements whose counter-obligations failed through circumstances "
               "beyond the entity's control do not bar", excused, citation=art("Art 28(4)"))
    trace.step("earlier agreements whose counter-obligations the entity failed",
               culpable, citation=art("Art 28(4)"), inputs={"entity": inp.entity})
    return trace.done(trace.step("prohibited to conclude" if culpable else "may be concluded",
                                 not culpable, citation=art("Art 28(4)")))


# --- refund on non-fulfilment of counter-obligations (Art 27(4)) ------------------------------

class RefundInput(BaseModel):
    amount_received: Decimal = Field(ge=0, description="money received under the measure, KZT")
    fulfilment_percent: Decimal = Field(ge=0, description="achieved level of fulfilment, %")
    base_rate_percent: Decimal = Field(ge=0, description="National Bank base rate, % a year")
    days: int = Field(ge=0, description="days from receipt of the money to the refund")


_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
        ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def evaluate(expression: str, names: dict[str, Fraction]) -> Fraction:
    """An arithmetic expression (+ - * /, parentheses, min, max, the given names) in exact
    fractions: the refund formula of the counter-obligation rules, loaded as a setting."""
    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return Fraction(str(node.value))
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            right = ev(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise LegalRuleError("the refund formula divides by zero",
                                     field="producers.counter_obligation_refund_formula")
            return _OPS[type(node.op)](ev(node.left), right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("min", "max") and node.args and not node.keywords:
            return (min if node.func.id == "min" else max)(ev(a) for a in node.args)
        raise InputError(f"not allowed in a formula: {ast.dump(node)[:60]}; use numbers, "
                         f"{sorted(names)}, + - * /, min, max",
                         field="settings.producers.counter_obligation_refund_formula")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise InputError(f"not a formula: {expression!r}",
                         field="settings.producers.counter_obligation_refund_formula") from None
    return ev(tree)


@rule("producers.incentive-refund", title="Money returned when counter-obligations are not "
      "fulfilled: level of fulfilment and the National Bank base rate",
      citation=art("Art 27(4)"), inputs=RefundInput)
def refund(inp: RefundInput, as_of: dt.date) -> Explained[Decimal]:
    trace = Trace("producers.incentive-refund", as_of)
    fulfilment = Fraction(inp.fulfilment_percent) / 100
    if fulfilment >= 1:
        trace.step("counter-obligations fulfilled in full: nothing is returned", Decimal(0),
                   citation=art("Art 27(4)"), inputs={"fulfilment_percent": inp.fulfilment_percent})
        return trace.done(Decimal("0.00"))
    formula = get_setting("producers.counter_obligation_refund_formula")
    if formula.value == "unset":
        raise LegalRuleError("the refund formula is in the rules for determining and applying "
                             "counter-obligations (Art 9 sub 27), not loaded: set "
                             "producers.counter_obligation_refund_formula",
                             field="producers.counter_obligation_refund_formula",
                             citation=art("Art 27(4)"))
    names = {"amount": Fraction(inp.amount_received), "fulfilment": fulfilment,
             "base_rate": Fraction(inp.base_rate_percent) / 100, "days": Fraction(inp.days)}
    raw = evaluate(str(formula.value), names)
    amount = round_to(max(raw, Fraction(0)), 2)
    trace.step("the refund by the counter-obligation rules' formula (fulfilment and base rate as "
               "fractions), rounded to the tiyn", amount, citation=art("Art 27(4)"),
               inputs={k: v for k, v in names.items()}, parameters=[formula.use()])
    return trace.done(amount)
