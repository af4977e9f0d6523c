"""Localization scoring of a claim list (Order 493, R §23-24; R-App2 cars, R-App3 heavy).

A case names the vehicle kind and the items claimed; each claimed line is scored by its kind:

* components (R-App2 8, R-App3 7): "manufactured in the member countries of the EAEU and the
  Republic of Kazakhstan" — full points for Kazakh or other EAEU origin, none from elsewhere;
  a starred line needs Kazakh origin, or ×0.5 for a non-Kazakh part whose incompatibility is
  documented (footnote *; settings `assembly.starred_non_eaeu_half_points`,
  `assembly.incompatibility_needs_officer_acceptance`);
* per-unit lines: each patent, each 0.05 % of revenue on R&D, each 5 % of export
  (`assembly.per_unit_rounding`), each additional model at most 3 (R-App3 4-6);
* items 1 and 2 are alternatives (`assembly.both_alternatives_claimed`); the R-App3 7.13
  header "Technical fluids: 200" follows `assembly.app3_technical_fluids_header`.

`score(case)` returns an `Explained[Score]` with one step per claimed line citing it;
`score_case(mapping)` is the JSON form the CLI prints and the API returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from kzreg.assembly.tables import ORDER_493, Line, Selection, Table, select_table
from kzreg.assembly.thresholds import ThresholdCheck, judge
from kzreg.law.calendar import local_date, now_utc
from kzreg.law.citations import cite
from kzreg.law.errors import InputError, LegalRuleError
from kzreg.law.explain import Explained, Trace, jsonable
from kzreg.law.identifiers.countries import origin_class
from kzreg.law.numbers import exact, fmt, round_to, whole_units
from kzreg.law.settings import get_setting

CASE_KEYS = {"vehicle", "claims", "agreement_concluded_on", "as_of", "period_start_total",
             "name", "manufacturer", "feacn_code", "note", "description"}
CLAIM_KEYS = {"item", "origin", "incompatibility_documented", "quantity", "note"}
UNIT_WORDS = {"patent": "patents", "percent_of_revenue": "% of revenue",
              "percent_of_export": "% of export", "model": "models", "tranche": "tranches"}


@dataclass(frozen=True)
class Claim:
    item: str
    origin: str | None = None
    incompatibility_documented: bool = False
    quantity: Decimal | None = None


@dataclass(frozen=True)
class Case:
    vehicle: str
    claims: tuple[Claim, ...]
    agreement_concluded_on: dt.date | None = None
    as_of: dt.date | None = None
    period_start_total: Decimal | None = None


@dataclass(frozen=True)
class ScoreLine:
    item: str
    title: str
    kind: str
    star: bool
    base_points: Decimal
    points: Decimal
    citation: str
    citation_ref: str
    reason: str
    origin: str | None = None
    origin_class: str | None = None
    incompatibility_documented: bool | None = None
    quantity: Decimal | None = None
    units: Decimal | None = None        # steps counted for a per-unit line
    coefficient: Decimal | None = None


@dataclass(frozen=True)
class Score:
    vehicle: str
    table: str
    table_title: str
    table_version: str
    total: Decimal
    lines: tuple[ScoreLine, ...]
    threshold: ThresholdCheck | None
    flagged: bool
    notes: tuple[str, ...]

    def __str__(self) -> str:
        verdict = ""
        if self.threshold is not None:
            verdict = (f"; threshold {fmt(self.threshold.threshold)} "
                       f"{'met' if self.threshold.meets else 'NOT met'}")
        return f"{fmt(self.total)} points under {self.table} ({self.vehicle}){verdict}"


# --- reading a case -----------------------------------------------------------------

def _date(raw: Any, field: str) -> dt.date | None:
    if raw is None or isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise InputError(f"expected an ISO date (YYYY-MM-DD), got {raw!r}", field=field)


def _number(raw: Any, field: str) -> Decimal:
    if isinstance(raw, float):   # a JSON number parsed as float: read its decimal text
        raw = repr(raw)
    value = exact(raw, field=field)
    if isinstance(value, Fraction):
        raise InputError("write the quantity in decimal notation", field=field)
    if value < 0:
        raise InputError("must not be negative", field=field)
    return value


def parse_case(data: Any, *, as_of: dt.date | None = None) -> Case:
    """Validate a case mapping; every problem names its field (`claims[2].origin`)."""
    if not isinstance(data, Mapping):
        raise InputError("a case is a JSON object with `vehicle` and `claims`", field="case")
    unknown = sorted(set(map(str, data)) - CASE_KEYS)
    if unknown:
        raise InputError(f"unknown key(s) {unknown}; a case has {sorted(CASE_KEYS)}",
                         field=unknown[0])
    if not data.get("vehicle"):
        raise InputError("is required", field="vehicle")
    claims_raw = data.get("claims")
    if not isinstance(claims_raw, Sequence) or isinstance(claims_raw, (str, bytes)):
        raise InputError("expected a list of claims", field="claims")
    claims = []
    for n, raw in enumerate(claims_raw):
        where = f"claims[{n}]"
        if not isinstance(raw, Mapping):
            raise InputError("expected an object with `item`", field=where)
        extra = sorted(set(map(str, raw)) - CLAIM_KEYS)
        if extra:
            raise InputError(f"unknown key(s) {extra}; a claim has {sorted(CLAIM_KEYS)}",
                             field=f"{where}.{extra[0]}")
        if raw.get("item") in (None, ""):
            raise InputError("is required", field=f"{where}.item")
        documented = raw.get("incompatibility_documented", False)
        if not isinstance(documented, bool):
            raise InputError("expected true or false", field=f"{where}.incompatibility_documented")
        origin = raw.get("origin")
        if origin is not None and not isinstance(origin, str):
            raise InputError("expected an ISO 3166 alpha-2 code", field=f"{where}.origin")
        quantity = raw.get("quantity")
        claims.append(Claim(str(raw["item"]).strip(), origin, documented,
                            None if quantity is None else _number(quantity, f"{where}.quantity")))
    start = data.get("period_start_total")
    return Case(str(data["vehicle"]).strip(), tuple(claims),
                _date(data.get("agreement_concluded_on"), "agreement_concluded_on"),
                as_of if as_of is not None else _date(data.get("as_of"), "as_of"),
                None if start is None else _number(start, "period_start_total"))


# --- scoring one line ------------------------------------------------------------------

def _component(line: Line, claim: Claim, table: Table, on: dt.date, where: str, trace: Trace
               ) -> ScoreLine:
    if not claim.origin:
        raise InputError(f"item {line.id} ({line.title}) is a component: give its origin as an "
                         "ISO 3166 alpha-2 code", field=f"{where}.origin", citation=line.citation)
    origin = origin_class(claim.origin, on, field=f"{where}.origin")
    code = claim.origin.strip().upper()
    base, uses = line.points or Decimal(0), []
    coefficient: Decimal = Decimal(1)
    if line.star:
        half = get_setting("assembly.starred_non_eaeu_half_points")
        officer = get_setting("assembly.incompatibility_needs_officer_acceptance")
        uses = [half.use(), officer.use()]
        if origin == "KZ":
            why = "starred line: made in Kazakhstan, full points"
        elif not claim.incompatibility_documented:
            coefficient = Decimal(0)
            why = (f"starred line: made in {code}, not in Kazakhstan, and incompatibility "
                   "not documented: no points")
        elif origin == "OTHER" and not half.value:
            coefficient = Decimal(0)
            why = f"starred line: made in {code}, outside the EAEU: no points (setting)"
        else:
            coefficient = table.star_coefficient
            why = (f"starred line: made in {code}, not in Kazakhstan, incompatibility "
                   f"documented: × {fmt(coefficient)} ({table.star_citation.locator})")
    elif origin in ("KZ", "EAEU"):
        why = f"made in {code} ({'Kazakhstan' if origin == 'KZ' else 'EAEU member'}): full points"
    else:
        coefficient = Decimal(0)
        why = f"made in {code}, outside the EAEU: no points"
    points = base * coefficient
    trace.step(f"{table.table} {line.id} {line.title}: {why}", points, citation=line.citation,
               inputs={"origin": code, "origin_class": origin,
                       "incompatibility_documented": claim.incompatibility_documented},
               parameters=uses)
    return ScoreLine(line.id, line.title, line.kind, line.star, base, points, str(line.citation),
                     line.citation.ref, why, code, origin, claim.incompatibility_documented,
                     coefficient=coefficient)


def _units(line: Line, quantity: Decimal, where: str) -> tuple[Decimal, list, str]:
    """How many steps of the unit `quantity` makes, and the settings that decided it."""
    unit = line.unit
    assert unit is not None
    word = UNIT_WORDS[unit.per]
    if unit.counted:
        if quantity != quantity.to_integral_value():
            raise InputError(f"item {line.id} counts whole {word}, got {fmt(quantity)}",
                             field=f"{where}.quantity", citation=line.citation)
        steps = quantity
        uses: list = []
        if unit.cap is not None and steps > unit.cap:
            return Decimal(unit.cap), uses, (f"{fmt(quantity)} {word}, at most {unit.cap} "
                                             "count")
        return steps, uses, f"{fmt(quantity)} {word}"
    if quantity > 100:
        raise InputError(f"a share of {fmt(quantity)}% is more than 100%",
                         field=f"{where}.quantity", citation=line.citation)
    rounding = get_setting("assembly.per_unit_rounding")
    ratio = Fraction(quantity) / Fraction(unit.step)
    if rounding.value == "floor":
        steps = Decimal(whole_units(quantity, unit.step))
    elif rounding.value == "half_up":
        steps = round_to(ratio, 0, "half_up")
    else:
        steps = Decimal(ratio.numerator) / Decimal(ratio.denominator)
    return steps, [rounding.use(), get_setting("assembly.per_unit_items_capped").use()], (
        f"{fmt(quantity)}{word} = {fmt(steps)} × {fmt(unit.step)}%")


def _plain(line: Line, claim: Claim, table: Table, where: str, trace: Trace) -> ScoreLine:
    base = line.points or Decimal(0)
    unit = line.unit if line.unit is not None and line.unit.applies() else None
    if claim.quantity is not None and line.unit is None:
        raise InputError(f"item {line.id} ({line.title}) takes no quantity",
                         field=f"{where}.quantity", citation=line.citation)
    uses: list = []
    if line.unit is not None and line.unit.when is not None:
        uses.append(get_setting(line.unit.when[0]).use())
    steps: Decimal | None = None
    if unit is None:
        points = base
        why = "claimed: points as listed"
        if line.unit is not None and claim.quantity is not None and claim.quantity != 1:
            if claim.quantity == 0:
                points, why = Decimal(0), "quantity 0: no points"
            else:
                why = f"awarded once whatever the quantity ({fmt(claim.quantity)}; setting)"
    else:
        quantity = claim.quantity
        if quantity is None:
            if not unit.counted or unit.per == "patent":
                raise InputError(f"item {line.id} ({line.title}) needs a quantity in "
                                 f"{UNIT_WORDS[unit.per]}", field=f"{where}.quantity",
                                 citation=line.citation)
            quantity = Decimal(1)    # claiming an additional model means one model
        steps, more, counted = _units(line, quantity, where)
        uses += more
        points = base * steps
        why = f"{counted}: {fmt(steps)} × {fmt(base)}"
    trace.step(f"{table.table} {line.id} {line.title}: {why}", points, citation=line.citation,
               inputs={"quantity": claim.quantity} if claim.quantity is not None else None,
               parameters=uses)
    return ScoreLine(line.id, line.title, line.kind, False, base, points, str(line.citation),
                     line.citation.ref, why, claim.origin.strip().upper()
                     if claim.origin else None, quantity=claim.quantity, units=steps)


# --- whole-table rules -----------------------------------------------------------------

def _alternatives(lines: list[ScoreLine], table: Table, trace: Trace) -> list[ScoreLine]:
    """Items 1 and 2 exclude each other: the group counts once."""
    group = [s for s in lines if table.by_id[s.item].group == "initial"]
    if len(group) < 2:
        return lines
    use = get_setting("assembly.both_alternatives_claimed")
    ids = " and ".join(s.item for s in group)
    if use.value == "refuse":
        raise LegalRuleError(f"items {ids} are alternatives (new entrant / holder of an earlier "
                             "agreement): claim one", field="claims",
                             citation=table.line(group[0].item).citation)
    keep = max(group, key=lambda s: (s.points, -int(s.item)))
    result = []
    for s in lines:
        if s in group and s is not keep:
            s = ScoreLine(s.item, s.title, s.kind, s.star, s.base_points, Decimal(0),
                          s.citation, s.citation_ref,
                          f"alternative to item {keep.item}, which is counted: no points")
        result.append(s)
    trace.step(f"items {ids} are alternatives: item {keep.item} counts, the other gets 0",
               keep.points, citation=table.line(keep.item).citation, parameters=[use.use()])
    return result


def _fluids_header(lines: list[ScoreLine], table: Table, trace: Trace) -> list[ScoreLine]:
    """A header that prints points (R-App3 7.13 "Technical fluids: 200")."""
    for header in (h for h in table.lines if h.printed_points is not None):
        use = get_setting(header.setting or "assembly.app3_technical_fluids_header")
        subs = [s for s in lines if s.item.startswith(header.id + ".")]
        if not subs:
            continue
        subtotal = sum((s.points for s in subs), Decimal(0))
        if use.value == "award_when_all_fluids":
            every = {c.id for c in table.children(header)}
            earned = {s.item for s in subs if s.points > 0}
            if earned == every:
                lines = [*lines, ScoreLine(header.id, header.title, "header", False,
                                           header.printed_points, header.printed_points,
                                           str(header.citation), header.citation.ref,
                                           "all sub-items earned: header points (setting)")]
                trace.step(f"{table.table} {header.id} {header.title}: all sub-items earned, "
                           f"+{fmt(header.printed_points)}", header.printed_points,
                           citation=header.citation, parameters=[use.use()])
                continue
            why = "header points only when every sub-item is earned"
        elif use.value == "group_cap" and subtotal > header.printed_points:
            cut = subtotal - header.printed_points
            lines = [*lines, ScoreLine(header.id, header.title, "header", False, Decimal(0),
                                       -cut, str(header.citation), header.citation.ref,
                                       f"group capped at {fmt(header.printed_points)}")]
            why = f"sub-items capped at {fmt(header.printed_points)}"
        else:
            why = "the header's printed points are not scored"
        trace.step(f"{table.table} {header.id} {header.title} (prints "
                   f"{fmt(header.printed_points)}): {why}", subtotal, citation=header.citation,
                   parameters=[use.use()])
    return lines


def score(case: Case, *, today: dt.date | None = None) -> Explained[Score]:
    """Score the claims of `case`, with one explained step per claimed line."""
    trace = Trace(rule="assembly.score", as_of=case.as_of)
    selection: Selection = select_table(case.vehicle, trace, as_of=case.as_of,
                                        concluded_on=case.agreement_concluded_on)
    table = selection.table
    origin_day = case.as_of or case.agreement_concluded_on or today or local_date(now_utc())
    seen: dict[str, int] = {}
    scored: list[ScoreLine] = []
    for n, claim in enumerate(case.claims):
        where = f"claims[{n}]"
        line = table.line(claim.item, field=f"{where}.item")
        if line.kind == "header":
            subs = ", ".join(c.id for c in table.children(line))
            raise InputError(f"{line.id} ({line.title}) is a heading; claim its items: {subs}",
                             field=f"{where}.item", citation=line.citation)
        if line.id in seen:
            raise InputError(f"item {line.id} is claimed twice (also claims[{seen[line.id]}])",
                             field=f"{where}.item", citation=line.citation)
        seen[line.id] = n
        if line.kind == "component":
            scored.append(_component(line, claim, table, origin_day, where, trace))
        else:
            if claim.origin is not None:   # validated, though only components need it
                origin_class(claim.origin, origin_day, field=f"{where}.origin")
            scored.append(_plain(line, claim, table, where, trace))
    order = {line.id: i for i, line in enumerate(table.lines)}
    scored.sort(key=lambda s: order[s.item])
    scored = _alternatives(scored, table, trace)
    scored = _fluids_header(scored, table, trace)
    scored.sort(key=lambda s: order[s.item])
    total = sum((s.points for s in scored), Decimal(0))
    trace.step(f"total localization score under {table.table}", total,
               citation=cite(ORDER_493, "R §23"))
    check = None
    if case.agreement_concluded_on is not None and case.as_of is not None:
        check = judge(table, total, case.agreement_concluded_on, case.as_of, trace,
                      period_start_total=case.period_start_total)
    return trace.done(Score(case.vehicle.lower(), table.table, table.title, table.version,
                            total, tuple(scored), check, selection.flagged, selection.notes))


# --- JSON form -----------------------------------------------------------------------

def number(value: Decimal | None) -> int | float | str | None:
    """An exact decimal as a JSON number: an int when whole, else a float whose shortest
    text is the same decimal (checked), so the printed JSON stays exact; a decimal too long
    for that (only with `exact_fraction` rounding) is given as text rather than rounded."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def _line_json(s: ScoreLine) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item": s.item, "title": s.title, "kind": s.kind, "star": s.star,
        "points": number(s.points), "base_points": number(s.base_points),
        "citation": s.citation, "citation_ref": s.citation_ref, "reason": s.reason,
    }
    if s.origin is not None:
        data["origin"] = s.origin
    if s.origin_class is not None:
        data["origin_class"] = s.origin_class
        data["incompatibility_documented"] = s.incompatibility_documented
        data["coefficient"] = number(s.coefficient)
    if s.quantity is not None:
        data["quantity"] = number(s.quantity)
    if s.units is not None:
        data["units"] = number(s.units)
    return data


def to_json(result: Explained[Score], *, explain: bool = False) -> dict[str, Any]:
    """The JSON object of the CLI contract: total, lines, threshold and meets_threshold."""
    s = result.value
    data: dict[str, Any] = {
        "vehicle": s.vehicle, "table": s.table, "table_title": s.table_title,
        "table_version": s.table_version, "total": number(s.total),
        "lines": [_line_json(line) for line in s.lines],
    }
    if s.threshold is not None:
        t = s.threshold
        data.update({
            "agreement_concluded_on": t.concluded_on.isoformat(), "as_of": t.as_of.isoformat(),
            "threshold": number(t.threshold), "meets_threshold": t.meets,
            "surplus": number(t.surplus),
            "period": {"number": t.period + 1, "start": t.period_start.isoformat(),
                       "end": t.period_end.isoformat()},
            "term_last_day": t.term_last_day.isoformat(),
            "threshold_citation": str(cite(ORDER_493, "R §24")),
        })
    data["flagged"] = s.flagged
    data["notes"] = list(s.notes)
    data["basis"] = [c.to_dict() for c in result.citations]
    if explain:
        data["explanation"] = jsonable(result)
    return data


def explain_case(case: Mapping[str, Any], *, as_of: dt.date | None = None
                 ) -> Explained[Score]:
    """The explained score of a case mapping (the API's `Explained` form)."""
    return score(parse_case(case, as_of=as_of))


def score_case(case: Mapping[str, Any], *, as_of: dt.date | None = None,
               explain: bool = False) -> dict[str, Any]:
    """Score a case mapping and return the JSON-ready object the CLI prints."""
    return to_json(explain_case(case, as_of=as_of), explain=explain)
