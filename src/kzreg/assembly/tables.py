"""The localization scoring tables of Order 493 as versioned data (R-App2 cars, R-App3 heavy).

Each YAML file in `assembly/data/tables/` is one version of one appendix: its lines (ids in the
appendix's own numbering, points, asterisk, unit rule, alternatives), the asterisk footnote and
the R §24 thresholds. The authorized body may update the scoring system (Std §6(3)), so a
version applies from its `effective_from` until the next version of the same appendix starts.

`select_table(vehicle, ...)` picks the version that governs a case and says why: the scoring
system applies to agreements concluded from 1 January 2021 (R §9) until Order 493 ended
(acts registry `order-493`; an agreement concluded before survives, setting
`assembly.agreements_survive_abolition`); after that the rules are a later act not in the
corpus (`assembly.vehicle_rules_after_order_493`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from kzreg.law.acts import InForceUnknown, abolition, entry_into_force
from kzreg.law.citations import Citation, cite
from kzreg.law.errors import InputError, LegalRuleError, NotFound
from kzreg.law.explain import ParameterUse, Trace
from kzreg.law.settings import get_setting, setting

ORDER_493 = "order-493"
LAW_86 = "law-86-VII"

# The vehicle kinds of R §4 and the appendix that scores each (R §23).
VEHICLES: dict[str, str] = {
    "car": "R-App2",
    "truck_tractor": "R-App3",
    "special_equipment": "R-App3",
    "bus": "R-App3",
    "truck": "R-App3",
}
KINDS = ("entry", "investment", "model", "component", "operation", "other", "header")
UNITS = ("patent", "percent_of_revenue", "percent_of_export", "model", "tranche")
COUNTED_UNITS = ("patent", "model", "tranche")   # whole numbers; the others are percentages


@dataclass(frozen=True)
class Unit:
    """A per-unit rule: `points` for each `step` of the claimed quantity (at most `cap`)."""

    per: str
    step: Decimal
    cap: int | None = None
    when: tuple[str, Any] | None = None     # applies only while this setting has this value

    @property
    def counted(self) -> bool:
        return self.per in COUNTED_UNITS

    def applies(self) -> bool:
        return self.when is None or setting(self.when[0]) == self.when[1]


@dataclass(frozen=True)
class Line:
    id: str
    kind: str
    title: str
    citation: Citation
    points: Decimal | None = None
    star: bool = False
    group: str | None = None
    unit: Unit | None = None
    printed_points: Decimal | None = None   # a header that prints points (R-App3 7.13)
    setting: str | None = None              # the setting that decides a garbled line

    @property
    def scored(self) -> bool:
        return self.kind != "header"

    @property
    def section(self) -> str:
        return self.id.split(".")[0]


@dataclass(frozen=True)
class Thresholds:
    initial: Decimal
    step: Decimal
    period_years: int
    term_years: int
    citation: Citation
    term_citation: Citation


@dataclass(frozen=True)
class Table:
    table: str                  # "R-App2" | "R-App3"
    title: str
    act: str
    vehicles: tuple[str, ...]
    version: str
    effective_from: dt.date
    effective_basis: Citation
    star_citation: Citation
    star_coefficient: Decimal
    star_text: str
    thresholds: Thresholds
    lines: tuple[Line, ...]
    effective_until: dt.date | None = None   # last day, when a later version exists
    by_id: Mapping[str, Line] = field(default_factory=dict, compare=False, repr=False)

    def line(self, item: object, field: str = "item") -> Line:
        """The line with this id; unknown ids are refused naming the table."""
        key = str(item).strip().rstrip(")").replace(")", "").replace(" ", "")
        found = self.by_id.get(key) or self.by_id.get(key.lower())
        if found is None:
            raise NotFound(f"no item {item!r} in {self.table} ({self.title}); "
                           f"`kzreg assembly items --vehicle {self.vehicles[0]}` lists them",
                           field=field)
        return found

    @property
    def scored_lines(self) -> list[Line]:
        return [line for line in self.lines if line.scored]

    def children(self, header: Line) -> list[Line]:
        prefix = header.id + "."
        return [line for line in self.lines if line.id.startswith(prefix) and line.scored]

    def use(self) -> ParameterUse:
        """This version as a line of an explanation."""
        return ParameterUse(f"{self.table} version", self.version, self.effective_from,
                            self.effective_until, self.effective_basis, kind="table")


# --- loading and validation -----------------------------------------------------------

def _fail(where: str, message: str) -> InputError:
    return InputError(message, field=f"assembly.tables.{where}")


def _points(raw: Any, where: str) -> Decimal:
    # YAML reads 37.5 as a float: points must be written as an integer or a quoted string
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise _fail(where, f"write points as an integer or a quoted string, not {raw!r}")
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        raise _fail(where, f"{raw!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise _fail(where, f"points must be a non-negative number, got {raw!r}")
    return value


def _unit(raw: Any, where: str) -> Unit | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("per") not in UNITS:
        raise _fail(where, f"unit needs `per` in {list(UNITS)}")
    step = _points(raw.get("step"), f"{where}.step")
    if step <= 0:
        raise _fail(where, "unit step must be positive")
    cap = raw.get("cap")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        raise _fail(where, "cap must be a positive integer")
    when = raw.get("when")
    if when is not None:
        if not (isinstance(when, list) and len(when) == 2):
            raise _fail(where, "`when` is [setting name, value]")
        get_setting(str(when[0]))   # a misspelt setting fails at load time
        when = (str(when[0]), when[1])
    return Unit(str(raw["per"]), step, cap, when)


def parse_table(name: str, data: Any) -> Table:
    """Build a table version from parsed YAML, checking every line (tests feed bad data)."""
    if not isinstance(data, Mapping):
        raise _fail(name, "expected a mapping")
    act = str(data.get("act") or "")
    try:
        cite(act)
    except NotFound:
        raise _fail(f"{name}.act", f"unknown act {act!r}") from None
    table = str(data.get("table") or "")
    if table not in set(VEHICLES.values()):
        raise _fail(f"{name}.table", f"expected one of {sorted(set(VEHICLES.values()))}")
    vehicles = tuple(str(v) for v in data.get("vehicles") or ())
    if not vehicles or any(VEHICLES.get(v) != table for v in vehicles):
        raise _fail(f"{name}.vehicles", f"must be vehicles scored by {table}")
    effective = data.get("effective_from")
    if not isinstance(effective, dt.date):
        raise _fail(f"{name}.effective_from", "expected an ISO date")
    star = data.get("star") or {}
    limits = data.get("thresholds") or {}
    lines: list[Line] = []
    seen: dict[str, Line] = {}
    for n, raw in enumerate(data.get("lines") or ()):
        where = f"{name}.lines[{n}]"
        if not isinstance(raw, Mapping):
            raise _fail(where, "expected a mapping")
        line_id, kind = str(raw.get("id") or ""), raw.get("kind")
        if not line_id or line_id in seen:
            raise _fail(where, f"missing or duplicate id {line_id!r}")
        if kind not in KINDS:
            raise _fail(where, f"kind must be one of {list(KINDS)}")
        if kind == "header":
            points = None
        else:
            points = _points(raw.get("points"), f"{where}.points")
        printed = raw.get("printed_points")
        line = Line(
            id=line_id, kind=kind, title=" ".join(str(raw.get("title") or "").split()),
            citation=cite(act, f"{table} {line_id}"), points=points,
            star=bool(raw.get("star", False)), group=raw.get("group"),
            unit=_unit(raw.get("unit"), where),
            printed_points=_points(printed, where) if printed is not None else None,
            setting=raw.get("setting"))
        if line.setting:
            get_setting(line.setting)
        if not line.title:
            raise _fail(where, "title is required")
        if line.star and kind != "component":
            raise _fail(where, "only component lines carry the asterisk")
        lines.append(line)
        seen[line_id] = line
    if not lines:
        raise _fail(name, "no lines")
    return Table(
        table=table, title=" ".join(str(data.get("title") or "").split()), act=act,
        vehicles=vehicles, version=str(data.get("version") or name),
        effective_from=effective,
        effective_basis=cite(act, str(data.get("effective_basis") or "")),
        star_citation=cite(act, str(star.get("locator") or f"{table} footnote *")),
        star_coefficient=_points(star.get("coefficient", "0.5"), f"{name}.star"),
        star_text=" ".join(str(star.get("text") or "").split()),
        thresholds=Thresholds(
            _points(limits.get("initial"), f"{name}.thresholds.initial"),
            _points(limits.get("step"), f"{name}.thresholds.step"),
            int(limits.get("period_years") or 0), int(limits.get("term_years") or 0),
            cite(act, str(limits.get("locator") or "")),
            cite(act, str(limits.get("term_locator") or ""))),
        lines=tuple(lines), by_id=seen)


@cache
def _versions() -> dict[str, tuple[Table, ...]]:
    folder = resources.files("kzreg.assembly") / "data" / "tables"
    found: dict[str, list[Table]] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            data = yaml.safe_load(item.read_text(encoding="utf-8"))
            table = parse_table(item.name.removesuffix(".yaml"), data)
            found.setdefault(table.table, []).append(table)
    result = {}
    for name, tables in found.items():
        tables.sort(key=lambda t: t.effective_from)
        dated = []
        for n, table in enumerate(tables):
            later = tables[n + 1] if n + 1 < len(tables) else None
            if later is not None and later.effective_from == table.effective_from:
                raise _fail(name, f"two versions from {table.effective_from}")
            until = later.effective_from - dt.timedelta(days=1) if later else None
            dated.append(_with_until(table, until))
        result[name] = tuple(dated)
    return result


def _with_until(table: Table, until: dt.date | None) -> Table:
    from dataclasses import replace
    return replace(table, effective_until=until)


def versions(table: str) -> tuple[Table, ...]:
    try:
        return _versions()[table]
    except KeyError:
        raise NotFound(f"no scoring table {table!r}", field="table") from None


def table_for_vehicle(vehicle: object, field: str = "vehicle") -> str:
    """The appendix that scores this vehicle kind (R §23); unknown kinds are refused."""
    key = str(vehicle).strip().lower()
    if key not in VEHICLES:
        raise InputError(f"unknown vehicle {vehicle!r}; expected one of {list(VEHICLES)} "
                         "(R §4: truck tractors, buses, special equipment, cars, trucks)",
                         field=field, citation=cite(ORDER_493, "R §4"))
    return VEHICLES[key]


def version_on(table: str, day: dt.date) -> Table:
    """The version of `table` in force on `day`."""
    found = [t for t in versions(table) if t.effective_from <= day]
    if not found:
        first = versions(table)[0]
        raise LegalRuleError(
            f"no version of {table} applies on {day.isoformat()}: the localization scoring "
            f"system applies to agreements concluded not earlier than "
            f"{first.effective_from.isoformat()}", field="agreement_concluded_on",
            citation=first.effective_basis)
    return found[-1]


# --- the period of Order 493 ------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """When Order 493 applied: first day and first day out of force, with how each is known."""

    start: dt.date
    start_verified: bool
    end: dt.date
    end_verified: bool
    note: str


def order_493_period() -> Period:
    """Order 493's dates from the acts registry, filling the unknown publication dates as the
    settings say (`assembly.order_493_start_if_publication_unknown`,
    `assembly.order_493_end_if_publication_unknown`)."""
    start, end = entry_into_force(ORDER_493), abolition(ORDER_493)
    notes = []
    if start.date is None:
        if setting("assembly.order_493_start_if_publication_unknown") == "refuse":
            raise InForceUnknown(f"Order 493's entry into force is unknown ({start.note})",
                                 field="on", citation=start.citation)
        notes.append(f"start taken as the earliest possible day {start.not_before} "
                     "(publication date unknown)")
    if end is None:  # pragma: no cover - the registry records the abolition
        raise NotFound("Order 493 has no recorded abolition", field="order-493")
    if end.date is None:
        if setting("assembly.order_493_end_if_publication_unknown") == "refuse":
            raise InForceUnknown(f"Order 493's end is unknown ({end.note})", field="on",
                                 citation=end.citation)
        notes.append(f"end taken as the earliest possible day {end.not_before} "
                     "(Order 303's publication date unknown)")
    first = start.date or start.not_before
    last = end.date or end.not_before
    assert first is not None and last is not None
    return Period(first, start.date is not None and start.verified, last,
                  end.date is not None and end.verified, "; ".join(notes))


def _period_uses() -> list[ParameterUse]:
    return [get_setting("assembly.order_493_start_if_publication_unknown").use(),
            get_setting("assembly.order_493_end_if_publication_unknown").use()]


@dataclass(frozen=True)
class Selection:
    table: Table
    flagged: bool            # relies on a date the sources do not give
    notes: tuple[str, ...]


def select_table(vehicle: object, trace: Trace, *, as_of: dt.date | None = None,
                 concluded_on: dt.date | None = None, today: dt.date | None = None
                 ) -> Selection:
    """The table version that governs the case, recording each reason as a step."""
    name = table_for_vehicle(vehicle)
    trace.step(f"vehicle {vehicle!s} is scored with {name}", name,
               citation=cite(ORDER_493, "R §23"))
    if as_of is None and concluded_on is None:
        use = get_setting("assembly.undated_case_table")
        if use.value == "refuse":
            raise InputError("give `as_of` or `agreement_concluded_on` to choose the table "
                             "version", field="as_of")
        table = versions(name)[-1]
        trace.step(f"no date given: the last published version of {name} is used "
                   f"({table.version})", table.version, citation=table.effective_basis,
                   parameters=[use.use(), table.use()])
        return Selection(table, False, ("undated: last published table",))
    regime_day = concluded_on or as_of
    assert regime_day is not None
    period = order_493_period()
    flagged = bool(period.note)
    if regime_day >= period.end:
        raise LegalRuleError(
            f"no localization scoring system is known for "
            f"{'an agreement concluded' if concluded_on else 'a case dated'} "
            f"{regime_day.isoformat()}: Order 493 ended on {period.end.isoformat()} and the "
            f"later rules (Law 86-VII Art 9 sub 23) are not loaded "
            f"(setting assembly.vehicle_rules_after_order_493)",
            field="agreement_concluded_on" if concluded_on else "as_of",
            citation=cite(LAW_86, "Art 9 sub 23"))
    first = version_on(name, regime_day)   # refuses dates before R §9's 1 January 2021
    trace.step(f"Order 493 applies to {regime_day.isoformat()} (in force "
               f"{period.start.isoformat()} – {(period.end - dt.timedelta(days=1)).isoformat()}"
               + (f"; {period.note}" if period.note else "") + ")", True,
               citation=cite(ORDER_493, "R §9"), parameters=_period_uses())
    version_day = regime_day
    if concluded_on is not None and as_of is not None:
        use = get_setting("assembly.table_version_date")
        version_day = as_of if use.value == "assessment_date" else concluded_on
        if version_day >= period.end:   # the agreement survives Order 493 with its last table
            version_day = period.end - dt.timedelta(days=1)
        table = version_on(name, max(version_day, first.effective_from))
        trace.step(f"table version for the assessment on {as_of.isoformat()}: "
                   f"{table.version}", table.version, citation=cite(ORDER_493, "Std §6(3)"),
                   parameters=[use.use(), get_setting(
                       "assembly.agreements_survive_abolition").use(), table.use()])
    else:
        table = first
        trace.step(f"table version in force on {regime_day.isoformat()}: {table.version}",
                   table.version, citation=table.effective_basis, parameters=[table.use()])
    return Selection(table, flagged, (period.note,) if period.note else ())
